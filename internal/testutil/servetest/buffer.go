package servetest

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"time"
)

// LockedBuffer collects a child's output while tests read it. Every Write
// wakes the waiters of Changed. The zero value is ready to use.
type LockedBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func (b *LockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	if b.changed != nil {
		close(b.changed)
		b.changed = nil
	}
	return n, err
}

// String returns everything written so far.
func (b *LockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Changed returns a channel that is closed by the next Write.
func (b *LockedBuffer) Changed() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.changed == nil {
		b.changed = make(chan struct{})
	}
	return b.changed
}

// ErrExited is returned by the waits when the process ended first.
var ErrExited = errors.New("the process exited")

// ErrTimeout is returned by the waits when the time ran out.
var ErrTimeout = errors.New("timed out")

// WaitFor waits until cond holds for the buffer's text, the process ends
// (exited is closed; nil means it never does) or timeout passes. It returns
// the text cond accepted.
func (b *LockedBuffer) WaitFor(cond func(string) bool, exited <-chan struct{}, timeout time.Duration) (string, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		changed := b.Changed()
		if s := b.String(); cond(s) {
			return s, nil
		}
		select {
		case <-changed:
		case <-exited:
			// Output written just before the exit still counts.
			if s := b.String(); cond(s) {
				return s, nil
			}
			return "", ErrExited
		case <-deadline.C:
			return "", ErrTimeout
		}
	}
}

// FirstLine waits for the first complete line (as serve prints its issuer)
// and returns it without the newline.
func (b *LockedBuffer) FirstLine(exited <-chan struct{}, timeout time.Duration) (string, error) {
	s, err := b.WaitFor(func(s string) bool { return strings.Contains(s, "\n") }, exited, timeout)
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(s, "\n")
	return line, nil
}

// Tail returns the last n bytes of s, marked with "…" when cut.
func Tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
