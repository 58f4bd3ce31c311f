package flow

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// eventLog collects progress events from any goroutine.
type eventLog struct {
	mu     sync.Mutex
	events []Event
}

func (l *eventLog) add(e Event) { l.mu.Lock(); l.events = append(l.events, e); l.mu.Unlock() }

func (l *eventLog) steps() []Step {
	l.mu.Lock()
	defer l.mu.Unlock()
	var s []Step
	for _, e := range l.events {
		s = append(s, e.Step)
	}
	return s
}

type failingOpener struct{}

func (failingOpener) Open(string) error { return errors.New("no display") }

// Progress gets every step in order; the status text is the same as
// without it.
func TestRunProgress(t *testing.T) {
	tests := []struct {
		name     string
		implicit bool
		headless bool
		opener   Opener
		want     []Step
	}{
		{"headless code", false, true, nil,
			[]Step{StepListening, StepAuthorizationURL, StepHeadless, StepWaiting, StepCallback, StepExchanged}},
		{"headless implicit", true, true, nil,
			[]Step{StepListening, StepAuthorizationURL, StepHeadless, StepWaiting, StepCallback}},
		{"browser", false, false, &recordingOpener{urls: make(chan string, 1), follow: browse},
			[]Step{StepListening, StepAuthorizationURL, StepWaiting, StepBrowserOpened, StepCallback, StepExchanged}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := func(progress func(Event)) string {
				as := newFakeAS(t)
				rt := "code"
				if tt.implicit {
					rt, as.fragment = "token", true
					as.authorize = func(q url.Values) url.Values {
						return url.Values{"access_token": {"IMPLICIT"}, "token_type": {"Bearer"}, "state": {q.Get("state")}, "iss": {as.srv.URL}}
					}
				}
				var status bytes.Buffer
				if op, ok := tt.opener.(*recordingOpener); ok {
					op.urls = make(chan string, 1)
				}
				_, err := as.client().Run(context.Background(), BrowserFlow{Request: AuthRequest{ResponseType: rt, State: "s"},
					Headless: tt.headless, Opener: tt.opener, Timeout: 5 * time.Second, Status: &status, Progress: progress})
				if err != nil {
					t.Fatal(err)
				}
				return strings.ReplaceAll(status.String(), as.srv.URL, "AS")
			}
			var log eventLog
			withProgress := run(log.add)
			without := run(nil)
			if portless(withProgress) != portless(without) {
				t.Errorf("status differs with Progress:\n%s\nwithout:\n%s", withProgress, without)
			}
			got := log.steps()
			if !sameSteps(got, tt.want) {
				t.Fatalf("steps %v, want %v", got, tt.want)
			}
			ev := log.events
			if !strings.HasPrefix(ev[0].URL, "http://127.0.0.1:") || !strings.HasSuffix(ev[0].URL, "/callback") {
				t.Errorf("listening URL %q", ev[0].URL)
			}
			if !strings.Contains(ev[1].URL, "/authorize?") || !strings.Contains(ev[1].URL, "state=s") {
				t.Errorf("authorization URL %q", ev[1].URL)
			}
			for _, e := range ev {
				if e.Step == StepWaiting && !e.Deadline.Equal(testNow.Add(5*time.Second)) {
					t.Errorf("deadline %s, want %s", e.Deadline, testNow.Add(5*time.Second))
				}
			}
		})
	}
}

// The browser step may race the others; compare with it moved into place.
func sameSteps(got, want []Step) bool {
	norm := func(s []Step) string {
		var rest []Step
		opened := 0
		for _, x := range s {
			if x == StepBrowserOpened {
				opened++
				continue
			}
			rest = append(rest, x)
		}
		return fmt.Sprint(rest, opened)
	}
	return norm(got) == norm(want)
}

// portless drops the catcher's port, which differs between two runs.
func portless(s string) string {
	return regexp.MustCompile(`127\.0\.0\.1(:|%3A)[0-9]+`).ReplaceAllString(s, "127.0.0.1:PORT")
}

func TestRunProgressBrowserFailed(t *testing.T) {
	as := newFakeAS(t)
	var log eventLog
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := as.client().Run(ctx, BrowserFlow{Request: AuthRequest{ResponseType: "code", State: "s"},
			Opener: failingOpener{}, Timeout: 5 * time.Second, Status: &bytes.Buffer{}, Progress: log.add})
		done <- err
	}()
	deadline := time.Now().Add(5 * time.Second)
	for !containsStep(log.steps(), StepBrowserFailed) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, ErrCancelled) {
		t.Fatalf("err = %v", err)
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	for _, e := range log.events {
		if e.Step == StepBrowserFailed {
			if e.Err == nil || e.Err.Error() != "no display" {
				t.Errorf("failure event err = %v", e.Err)
			}
			return
		}
	}
	t.Fatal("no StepBrowserFailed event")
}

func containsStep(s []Step, x Step) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}
