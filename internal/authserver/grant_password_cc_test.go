package authserver

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/oauthkit/oauthkit/internal/store"
)

// Rule 15: client_credentials never returns a refresh token; the token is
// the client's own.
func TestClientCredentialsGrant(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct {
		name, scope, want string
		auth              auth
	}{
		{"all allowed scopes by default", "", "read write", webAuth},
		{"narrowed scope", "write", "write", webAuth},
		{"duplicate scope collapses", "read read", "read", svcAuth},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := e.with(t)
			f := form("grant_type", GrantClientCredentials)
			if tt.scope != "" {
				f.Set("scope", tt.scope)
			}
			tok := e.mustTokens(e.post("/token", f, tt.auth))
			if _, has := tok.raw["refresh_token"]; has {
				t.Fatalf("client_credentials returned a refresh token: %v", tok.raw)
			}
			if tok.raw["scope"] != tt.want || tok.raw["token_type"] != "Bearer" || tok.raw["expires_in"] != float64(1800) {
				t.Fatalf("response %v", tok.raw)
			}
			m := e.wantActive(tok.access)
			if m["sub"] != m["client_id"] || m["scope"] != tt.want {
				t.Fatalf("introspection %v", m)
			}
		})
	}
}

// Rule 15: the password grant answers an unknown user and a wrong password
// identically.
func TestPasswordGrant(t *testing.T) {
	e := newEnv(t)
	e.setPassword("alice", aliceSub, "correct horse")
	pw := func(user, pass string) resp {
		return e.post("/token", form("grant_type", GrantPassword, "username", user, "password", pass, "scope", "read"), webAuth)
	}
	tok := e.mustTokens(pw("alice", "correct horse"))
	if tok.refresh == "" || tok.raw["scope"] != "read" {
		t.Fatalf("response %v", tok.raw)
	}
	if m := e.wantActive(tok.access); m["sub"] != aliceSub {
		t.Fatalf("introspection %v", m)
	}

	unknown, wrong := pw("mallory", "correct horse"), pw("alice", "Correct horse")
	wantError(t, unknown, http.StatusBadRequest, ErrInvalidGrant)
	wantError(t, wrong, http.StatusBadRequest, ErrInvalidGrant)
	if !bytes.Equal(unknown.body, wrong.body) {
		t.Fatalf("unknown user and wrong password differ:\n%s\n%s", unknown.body, wrong.body)
	}
	for _, h := range []string{"Content-Type", "Cache-Control", "Pragma", "WWW-Authenticate", "Content-Length"} {
		if unknown.header.Get(h) != wrong.header.Get(h) {
			t.Errorf("header %s differs: %q vs %q", h, unknown.header.Get(h), wrong.header.Get(h))
		}
	}

	wantError(t, e.post("/token", form("grant_type", GrantPassword, "username", "alice"), webAuth), 400, ErrInvalidRequest)
	wantError(t, e.post("/token", form("grant_type", GrantPassword, "username", "alice", "password", "correct horse",
		"scope", "admin"), webAuth), 400, ErrInvalidScope)
}

// Rule 15: password failures are throttled per IP address and per client:
// after five failures the next attempt is 429, even with the right
// password, until the delay has passed on the (injected) clock.
func TestPasswordThrottle(t *testing.T) {
	e := newEnv(t)
	// A cheap bcrypt hash (also accepted by config.VerifyPassword): argon2id
	// costs about a second per attempt under -race.
	h, err := bcrypt.GenerateFromPassword([]byte("correct horse"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	e.putUser(store.User{Username: "alice", Subject: aliceSub, PasswordHash: string(h)})
	pw := func(from, pass string) resp {
		t.Helper()
		req := e.postReq("/token", form("grant_type", GrantPassword, "username", "alice", "password", pass), webAuth)
		res, err := clientFrom(t, from).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(res.Body)
		return resp{status: res.StatusCode, header: res.Header, body: buf.Bytes()}
	}
	for i := range 5 {
		if r := pw("127.0.0.1", "wrong"); r.status != http.StatusBadRequest {
			t.Fatalf("failure %d: status %d body %s", i+1, r.status, r.body)
		}
	}
	blocked := pw("127.0.0.1", "correct horse")
	wantError(t, blocked, http.StatusTooManyRequests, ErrTemporarilyUnavailable)
	if d := blocked.str(t, "error_description"); !strings.Contains(d, "retry in 2s") {
		t.Fatalf("description %q", d)
	}
	if ra := blocked.header.Get("Retry-After"); ra != "2" {
		t.Fatalf("Retry-After %q, want 2", ra)
	}
	// Another address that has not failed is not refused for the first
	// one's failures (docs/security.md rule 43, NIST SP 800-63B §5.2.2).
	e.mustTokens(pw("127.0.0.2", "correct horse"))

	e.clock.Advance(1100 * time.Millisecond)
	e.mustTokens(pw("127.0.0.1", "correct horse"))
}

// clientFrom returns an HTTP client whose connections come from the given
// loopback address, so the server sees another peer IP.
func clientFrom(t *testing.T, ip string) *http.Client {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}
