package authserver

import (
	"bytes"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Rule 38: with the store down, /token answers JSON 503
// temporarily_unavailable with no token, /healthz is 503; both recover
// when the store comes back, without a restart.
func TestStoreDown(t *testing.T) {
	e := newEnv(t)
	cc := form("grant_type", GrantClientCredentials)
	e.store.fail("*")

	wantError(t, e.post("/token", cc, webAuth), http.StatusServiceUnavailable, ErrTemporarilyUnavailable)
	h := e.get("/healthz", nil)
	if h.status != http.StatusServiceUnavailable || h.obj(t)["status"] != "unavailable" {
		t.Fatalf("/healthz: %d %s", h.status, h.body)
	}
	d := e.get("/.well-known/oauth-authorization-server", nil)
	wantError(t, d, http.StatusServiceUnavailable, ErrTemporarilyUnavailable)

	e.store.heal()
	e.mustTokens(e.post("/token", cc, webAuth))
	if h := e.get("/healthz", nil); h.status != http.StatusOK || !bytes.Equal(bytes.TrimSpace(h.body), []byte(`{"status":"ok"}`)) {
		t.Fatalf("/healthz after recovery: %d %s", h.status, h.body)
	}
}

// Rule 38: a failure at any step of a grant is a 503 without a token; the
// grant that failed can be retried once the store is back — a failed
// refresh leaves its refresh token usable.
func TestStoreFailureDuringGrants(t *testing.T) {
	tests := []struct {
		name, op string
		grant    string
	}{
		{"code: redeem", "Codes.Redeem", GrantAuthorizationCode},
		{"code: create the grant", "RefreshTokens.CreateFamily", GrantAuthorizationCode},
		{"code: record the access token", "AccessTokens.Record", GrantAuthorizationCode},
		{"refresh: lookup", "RefreshTokens.Lookup", GrantRefreshToken},
		{"refresh: user lookup", "Users.GetBySubject", GrantRefreshToken},
		{"refresh: rotate", "RefreshTokens.Rotate", GrantRefreshToken},
		{"refresh: record the access token", "AccessTokens.Record", GrantRefreshToken},
		{"client_credentials: record", "AccessTokens.Record", GrantClientCredentials},
		{"client lookup", "Clients.Get", GrantClientCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			var try func() resp
			switch tt.grant {
			case GrantAuthorizationCode:
				try = func() resp {
					code, verifier := e.newCode(codeSpec{})
					return e.redeem(code, verifier, webAuth)
				}
			case GrantRefreshToken:
				rt := e.codeGrant(webID, webAuth).refresh
				try = func() resp { return e.refresh(rt, webAuth) }
			default:
				try = func() resp { return e.post("/token", form("grant_type", GrantClientCredentials), webAuth) }
			}
			e.store.fail(tt.op)
			wantError(t, try(), http.StatusServiceUnavailable, ErrTemporarilyUnavailable)
			e.store.heal()
			// A client retries after a back-off longer than the refresh race
			// leeway: the retry must not look like a replay.
			e.clock.Advance(5 * time.Second)
			tok := e.mustTokens(try())
			e.wantProtectedOK(tok.access)
		})
	}
}

// With the store down, token checks are 503, not "invalid token".
func TestStoreDownWhileCheckingTokens(t *testing.T) {
	e := newEnv(t)
	tok := e.codeGrant(webID, webAuth)
	e.store.fail("AccessTokens.Get", "RefreshTokens.Lookup")
	wantError(t, e.protected(tok.access), http.StatusServiceUnavailable, ErrTemporarilyUnavailable)
	wantError(t, e.introspect(tok.access), http.StatusServiceUnavailable, ErrTemporarilyUnavailable)
	wantError(t, e.post("/introspect", form("token", tok.refresh, "token_type_hint", "refresh_token"), webAuth),
		http.StatusServiceUnavailable, ErrTemporarilyUnavailable)
	e.store.heal()
	e.wantProtectedOK(tok.access)
}

// Rule 37: an oversized token in the Authorization header is refused fast:
// beyond the server's header limit it is 431, under it (but beyond any
// token we issue) it is 401 invalid_token.
func TestProtectedHugeToken(t *testing.T) {
	e := newEnv(t)
	start := time.Now()
	req, err := http.NewRequest(http.MethodGet, e.ts.URL+"/protected", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+strings.Repeat("A", 1<<20))
	res, err := e.ts.Client().Do(req)
	if err == nil {
		res.Body.Close()
		if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Fatalf("1 MiB token: status %d, want 431", res.StatusCode)
		}
	} // else the server closed the connection while the header was sent: refused too
	for _, size := range []int{9 << 10, 15 << 10} {
		r := e.protected(strings.Repeat("A", size))
		wantError(t, r, http.StatusUnauthorized, ErrInvalidToken)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("took %s", d)
	}
}

// Rule 36: connections that send their headers slowly do not starve
// /token.
func TestSlowClientsDoNotStarveToken(t *testing.T) {
	e := newEnv(t)
	addr := strings.TrimPrefix(e.ts.URL, "http://")
	for range 50 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if _, err := c.Write([]byte("POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: app")); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	e.mustTokens(e.post("/token", form("grant_type", GrantClientCredentials), webAuth))
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("/token took %s with slow clients connected", d)
	}
}
