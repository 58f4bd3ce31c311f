package oauthkittest_test

import (
	"context"
	"testing"

	"github.com/oauthkit/oauthkit/oauthkittest"
)

// stepTB runs the cleanups of one benchmark iteration at its end, so the
// servers do not pile up until the benchmark ends; failures go to b.
type stepTB struct {
	testing.TB
	cleanups []func()
}

func (s *stepTB) Cleanup(f func()) { s.cleanups = append(s.cleanups, f) }
func (s *stepTB) done() {
	for i := len(s.cleanups) - 1; i >= 0; i-- {
		s.cleanups[i]()
	}
	s.cleanups = nil
}

// BenchmarkNewServer measures starting a server (the package
// documentation promises well under 100 ms); stopping it is not timed.
func BenchmarkNewServer(b *testing.B) {
	tb := &stepTB{TB: b}
	for b.Loop() {
		oauthkittest.NewServer(tb)
		b.StopTimer()
		tb.done()
		b.StartTimer()
	}
}

// BenchmarkNewServerFirstToken is a server's start plus its first
// client_credentials token over HTTP: what a test pays before it checks
// anything.
func BenchmarkNewServerFirstToken(b *testing.B) {
	tb := &stepTB{TB: b}
	for b.Loop() {
		srv := oauthkittest.NewServer(tb)
		if _, err := srv.ClientCredentials("test-client").Token(srv.Context(context.Background())); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		tb.done()
		b.StartTimer()
	}
}
