package authserver

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// The default response profile is RFC 6749 §5.1, member for member.
func TestProfileRFC6749(t *testing.T) {
	e := newEnv(t)
	code, verifier := e.newCode(codeSpec{})
	r := e.redeem(code, verifier, webAuth)
	if ct := r.header.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	tok := e.mustTokens(r)
	wantMembers(t, tok.raw, map[string]any{"access_token": tok.access, "refresh_token": tok.refresh,
		"token_type": "Bearer", "expires_in": float64(1800), "scope": "read write"})

	cc := e.mustTokens(e.post("/token", form("grant_type", GrantClientCredentials, "scope", "read"), webAuth))
	wantMembers(t, cc.raw, map[string]any{"access_token": cc.access, "token_type": "Bearer",
		"expires_in": float64(1800), "scope": "read"})
}

// The Apigee Edge profile: times in milliseconds and numbers as strings,
// token_type BearerToken, status approved, refresh_count counting rotations.
func TestProfileApigee(t *testing.T) {
	e := newEnv(t, withSettings(func(s *Settings) { s.Profile = ProfileApigee }))
	ms := func(tm time.Time) string { return strconv.FormatInt(tm.UnixMilli(), 10) }
	e.clock.Advance(1234 * time.Millisecond) // milliseconds must show
	t0 := e.clock.Now()

	first := e.codeGrant(webID, webAuth)
	want := map[string]any{
		"access_token": first.access, "refresh_token": first.refresh,
		"token_type": "BearerToken", "issued_at": ms(t0), "expires_in": "1800", "scope": "read write",
		"status": "approved", "client_id": webID, "application_name": "Web App", "api_product_list": "[]",
		"organization_name": "oauthkit", "organization_id": "0",
		"refresh_token_issued_at": ms(t0), "refresh_token_expires_in": "28800",
		"refresh_token_status": "approved", "refresh_count": "0",
	}
	wantMembers(t, first.raw, want)

	e.clock.Advance(time.Minute)
	second := e.mustTokens(e.refresh(first.refresh, webAuth))
	want["access_token"], want["refresh_token"] = second.access, second.refresh
	want["issued_at"], want["refresh_token_issued_at"] = ms(t0.Add(time.Minute)), ms(t0.Add(time.Minute))
	want["refresh_count"] = "1"
	wantMembers(t, second.raw, want)

	third := e.mustTokens(e.refresh(second.refresh, webAuth, "scope", "read"))
	if third.raw["refresh_count"] != "2" || third.raw["scope"] != "read" {
		t.Fatalf("third response %v", third.raw)
	}

	// A client without a name is named by its id; client_credentials has no
	// refresh members.
	cc := e.mustTokens(e.post("/token", form("grant_type", GrantClientCredentials), svcAuth))
	if cc.raw["application_name"] != svcID || cc.raw["client_id"] != svcID {
		t.Fatalf("response %v", cc.raw)
	}
	for _, k := range []string{"refresh_token", "refresh_count", "refresh_token_status", "refresh_token_issued_at"} {
		if _, has := cc.raw[k]; has {
			t.Errorf("client_credentials response has %s", k)
		}
	}
	e.wantProtectedOK(cc.access)
}

// A client registered for raw_jwt gets the bare JWT as text/plain (the
// Tencent demo's /token).
func TestProfileRawJWT(t *testing.T) {
	e := newEnv(t)
	e.addClient(store.Client{ID: "tencent", AuthMethod: "client_secret_post", TokenResponse: TokenResponseRawJWT,
		GrantTypes: []string{GrantClientCredentials}, Scopes: []string{"read"}}, "tencent-secret-0123456789")
	r := e.post("/token", form("grant_type", GrantClientCredentials), postAuth("tencent", "tencent-secret-0123456789"))
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("status %d Content-Type %q body %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	wantNoStore(t, r)
	tok := string(r.body)
	if strings.Count(tok, ".") != 2 || strings.ContainsAny(tok, " \n{\"") {
		t.Fatalf("body is not a bare JWT: %q", tok)
	}
	header, claims := jwtParts(t, tok)
	if header["typ"] != "at+jwt" || claims["client_id"] != "tencent" {
		t.Fatalf("header %v claims %v", header, claims)
	}
	e.wantProtectedOK(tok)
	if r := e.get("/protected", map[string]string{"Authorization": `Bearer id_token="` + tok + `"`}); r.status != http.StatusOK {
		t.Fatalf("Tencent form: status %d body %s", r.status, r.body)
	}

	// Errors stay JSON.
	wantError(t, e.post("/token", form("grant_type", GrantClientCredentials, "scope", "write"),
		postAuth("tencent", "tencent-secret-0123456789")), 400, ErrInvalidScope)
}
