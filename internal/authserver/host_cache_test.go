package authserver

import (
	"bytes"
	"log/slog"
	"net"
	"testing"
	"time"
)

// allowedHosts answers as hostAllowed, whatever it remembered before: a
// Host accepted on one address is not accepted on another because of it.
func TestAllowedHostsRemembersPerAddress(t *testing.T) {
	issuerHost := canonicalHost("as.example.test", "https")
	a1 := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	a2 := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9090}
	lan := &net.TCPAddr{IP: net.IPv4(192, 168, 1, 5), Port: 8080}
	var a allowedHosts
	steps := []struct {
		host  string
		local net.Addr
		want  bool
	}{
		{"127.0.0.1:8080", a1, true},
		{"127.0.0.1:8080", a1, true},
		{"127.0.0.1:8080", a2, false},
		{"localhost:8080", a1, true},
		{"localhost:8080", lan, false},
		{"192.168.1.5:8080", lan, true},
		{"localhost:8080", lan, false},
		{"evil.example:8080", a1, false},
		{"evil.example:8080", a1, false},
		{"as.example.test", a2, true},
		{"as.example.test", &net.UnixAddr{Name: "/tmp/s", Net: "unix"}, true},
		{"localhost:8080", &net.UnixAddr{Name: "/tmp/s", Net: "unix"}, false},
	}
	for i, s := range steps {
		if got := a.check(s.host, issuerHost, "https", s.local); got != s.want {
			t.Fatalf("step %d: Host %s on %v: %v, want %v", i, s.host, s.local, got, s.want)
		}
		if got := hostAllowed(s.host, issuerHost, "https", s.local); got != s.want {
			t.Fatalf("step %d: hostAllowed disagrees", i)
		}
	}
	if a.n != 4 {
		t.Fatalf("remembers %d answers, want the 4 acceptances on TCP", a.n)
	}
	for i := range 2 * maxAllowedHosts { // accepted on many addresses: the memory stays bounded
		if !a.check("as.example.test:443", issuerHost, "https", &net.TCPAddr{IP: net.IPv4(10, 0, byte(i>>8), byte(i)), Port: 1}) {
			t.Fatalf("as.example.test:443 refused")
		}
	}
	if a.n != maxAllowedHosts {
		t.Fatalf("remembers %d answers, bound %d", a.n, maxAllowedHosts)
	}
	if !a.check("127.0.0.1:8080", issuerHost, "https", a1) || a.check("127.0.0.1:8080", issuerHost, "https", a2) {
		t.Fatal("answers changed once full")
	}
}

// logEvent's line is the one slog writes for the same pairs given to Info.
func TestLogEventLine(t *testing.T) {
	for _, ev := range []Event{
		{Method: "POST", Path: "/token", Status: 200, Duration: 1234567 * time.Nanosecond, ClientID: "svc", GrantType: "client_credentials"},
		{Method: "GET", Path: "/authorize", Status: 302, Duration: 0, ClientID: "web", Error: "access_denied"},
		{Method: "GET", Path: "/jwks.json", Status: 200, Duration: time.Second},
		{Method: "POST", Path: "/token", Status: 401, ClientID: "a b\"c", GrantType: "x=y", Error: "invalid_client"},
	} {
		for name, newHandler := range map[string]func(*bytes.Buffer) slog.Handler{
			"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
			"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		} {
			var got, want bytes.Buffer
			logEvent(slog.New(newHandler(&got)), ev)
			args := []any{"method", ev.Method, "path", ev.Path, "status", ev.Status, "duration_ms", float64(ev.Duration.Microseconds()) / 1000}
			for _, kv := range [][2]string{{"client_id", ev.ClientID}, {"grant_type", ev.GrantType}, {"error", ev.Error}} {
				if kv[1] != "" {
					args = append(args, kv[0], kv[1])
				}
			}
			slog.New(newHandler(&want)).Info("request", args...)
			g, w := dropTime(got.String()), dropTime(want.String())
			if g != w || g == "" {
				t.Errorf("%s line\n got %s\nwant %s", name, g, w)
			}
		}
	}
	var quiet bytes.Buffer
	logEvent(slog.New(slog.NewTextHandler(&quiet, &slog.HandlerOptions{Level: slog.LevelWarn})), Event{Method: "GET", Path: "/", Status: 200})
	if quiet.Len() != 0 {
		t.Fatalf("a Warn logger got %q", quiet.String())
	}
}

// dropTime removes the time attribute slog puts first in a line.
func dropTime(line string) string {
	for _, sep := range []string{" level=", `,"level":`} {
		if i := bytes.Index([]byte(line), []byte(sep)); i >= 0 {
			return line[i:]
		}
	}
	return line
}
