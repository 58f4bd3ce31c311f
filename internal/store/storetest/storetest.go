// Package storetest is the behaviour suite every store.Store implementation
// must pass. An implementation's test calls
//
//	storetest.Run(t, func(t *testing.T) store.Store { return newEmptyStore(t) })
//
// Each subtest opens its own empty store and closes it at the end.
package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// Opener returns a new, empty store for one test.
type Opener func(t *testing.T) store.Store

// Run runs the whole suite against the stores open returns.
func Run(t *testing.T, open Opener) {
	suites := []struct {
		name string
		run  func(*testing.T, Opener)
	}{
		{"Clients", testClients},
		{"Users", testUsers},
		{"Keys", testKeys},
		{"Codes", testCodes},
		{"RedeemInto", testRedeemInto},
		{"Purge", testPurge},
		{"CountLive", testCountLive},
		{"Families", testFamilies},
		{"Rotate", testRotate},
		{"RotateWithAccess", testRotateWithAccess},
		{"AccessTokens", testAccessTokens},
		{"Lifecycle", testLifecycle},
		{"Concurrency", testConcurrency},
		{"Replays", testReplays},
		{"RegisteredClients", testRegisteredClients},
		{"DeviceCodes", testDeviceCodes},
		{"TokenExchangeExt", testTokenExchangeExt},
		{"PushedRequests", testPushedRequests},
		{"Sessions", testSessions},
		{"Consents", testConsents},
		{"KeyDelete", testKeyDelete},
	}
	for _, s := range suites {
		t.Run(s.name, func(t *testing.T) { s.run(t, open) })
	}
}

// fresh opens a store that is closed when the test ends.
func fresh(t *testing.T, open Opener) store.Store {
	t.Helper()
	s := open(t)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// t0 is an arbitrary instant with nanoseconds and a non-UTC zone; stores
// return it as t0UTC (UTC, microseconds).
var (
	t0    = time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.FixedZone("CET", 3600))
	t0UTC = time.Date(2026, 3, 14, 14, 9, 26, 535897000, time.UTC)
)

func ctx(t *testing.T) context.Context { return t.Context() }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

// wantErr fails unless errors.Is(err, target); the message must be one line.
func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want %v", err, target)
	}
	for _, r := range err.Error() {
		if r == '\n' || r == '\r' {
			t.Fatalf("error message %q spans lines", err)
		}
	}
}

func wantEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}
