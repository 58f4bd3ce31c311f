package fault_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	slowConns = 500
	// The server's timeouts (docs/serve.md §8, rule 36).
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	// tokenBound is how long one /token answer may take under the attack.
	tokenBound = 2 * time.Second
)

// slowConnBudget returns how many slow connections the open-file limit
// allows (each costs a descriptor here and one in the server, which
// inherits the limit), raising the soft limit toward the hard one if
// needed.
func slowConnBudget(t *testing.T) int {
	t.Helper()
	const spare = 200
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatalf("getrlimit: %v", err)
	}
	if lim.Cur < slowConns+spare && lim.Max > lim.Cur {
		raised := lim
		raised.Cur = min(lim.Max, slowConns+spare)
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised); err == nil {
			t.Cleanup(func() { _ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim) })
			t.Logf("raised the open-file limit from %d to %d", lim.Cur, raised.Cur)
			lim = raised
		}
	}
	if lim.Cur < slowConns+spare {
		n := int(lim.Cur) - spare
		if n < 50 {
			t.Fatalf("the open-file limit is %d: too low for a slow-loris test", lim.Cur)
		}
		t.Logf("the open-file limit is %d: only %d slow connections instead of %d", lim.Cur, n, slowConns)
		return n
	}
	return slowConns
}

// slowMode is how a slow connection stalls the server.
type slowMode struct {
	name  string
	start string             // sent at once; %s is the host
	drip  func(i int) string // the i-th piece, sent once a second
	limit time.Duration
}

func slowModes() []slowMode {
	return []slowMode{
		{name: "header one line a second",
			start: "POST /token HTTP/1.1\r\nHost: %s\r\n",
			drip:  func(i int) string { return fmt.Sprintf("X-Slow-%d: a\r\n", i) },
			limit: readHeaderTimeout + 4*time.Second},
		{name: "body one byte a second",
			start: "POST /token HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
				"Content-Length: 1000\r\n\r\ngrant_type=",
			drip:  func(int) string { return "a" },
			limit: readTimeout + 4*time.Second},
	}
}

// slowLoris opens a connection that stalls the server as mode says. It
// reports when the server closed it (zero if it did not within the mode's
// limit) and the dial error.
func slowLoris(addr string, mode slowMode) (time.Duration, error) {
	began := time.Now()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	if _, err := fmt.Fprintf(conn, mode.start, addr); err != nil {
		return 0, err
	}
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		_ = conn.SetReadDeadline(began.Add(mode.limit))
		buf := make([]byte, 512)
		for {
			if _, err := conn.Read(buf); err != nil {
				return
			}
		}
	}()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-closed:
			if took := time.Since(began); took < mode.limit {
				return took, nil
			}
			return 0, nil
		case <-tick.C:
			_, _ = io.WriteString(conn, mode.drip(i)) // fails once closed; the reader sees it
		}
	}
}

// TestRule36SlowLoris: 500 slow connections (half sending their header one
// line a second, half their body one byte a second) do not starve /token:
// client_credentials keeps answering 200, each within 2 s, and the server
// drops every slow connection after its read-header timeout (5 s) or read
// timeout (10 s).
func TestRule36SlowLoris(t *testing.T) {
	n := slowConnBudget(t)
	modes := slowModes()
	srv := newServer(t)
	u, err := url.Parse(srv.url)
	if err != nil {
		t.Fatal(err)
	}

	closedAfter := make([]time.Duration, n)
	dialErrs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { closedAfter[i], dialErrs[i] = slowLoris(u.Host, modes[i%len(modes)]) })
	}
	attackOver := make(chan struct{})
	go func() { wg.Wait(); close(attackOver) }()

	c := newClient(10*time.Second, 2)
	var worst time.Duration
	asked := 0
	for over := false; !over; asked++ {
		t0 := time.Now()
		a, err := clientCredentials(c, srv.url)
		took := time.Since(t0)
		worst = max(worst, took)
		if err != nil || a.Status != http.StatusOK || a.str("access_token") == "" {
			t.Errorf("client_credentials %d under slow-loris: %v %v, want 200 with a token", asked, a, err)
		} else if took > tokenBound {
			t.Errorf("client_credentials %d under slow-loris took %s, want < %s", asked, took, tokenBound)
		}
		select {
		case <-attackOver:
			over = true
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Logf("%d token requests during the attack, the slowest %s", asked, worst.Round(time.Millisecond))

	for m, mode := range modes {
		var dialFailed, neverClosed, count int
		var latest time.Duration
		for i := m; i < n; i += len(modes) {
			count++
			switch {
			case dialErrs[i] != nil:
				dialFailed++
				if dialFailed == 1 {
					t.Errorf("%s: connection %d: %v", mode.name, i, dialErrs[i])
				}
			case closedAfter[i] == 0:
				neverClosed++
			default:
				latest = max(latest, closedAfter[i])
			}
		}
		if dialFailed > 0 || neverClosed > 0 {
			t.Errorf("%s: of %d slow connections, %d could not connect and %d were still open after %s",
				mode.name, count, dialFailed, neverClosed, mode.limit)
		}
		t.Logf("%s: the server closed %d connections, the last after %s",
			mode.name, count-dialFailed-neverClosed, latest.Round(time.Millisecond))
	}
}
