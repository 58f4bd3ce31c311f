package authserver

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The authorization code flow with scope openid returns an ID token with
// exactly the claims of OpenID Connect Core §2 and §3.1.3.6, signed with the
// access tokens' key (same kid) but typ JWT.
func TestIDTokenFromCodeFlow(t *testing.T) {
	e := newOIDCEnv(t)
	loginAt := e.clock.now()
	code := e.code(t, e.signIn(rpCodeReq("scope", "openid profile email")...), azApp, "st-123")
	e.clock.advance(7 * time.Second)
	tok := e.rpTokens(t, code)
	header, claims := e.parseIDToken(t, tok["id_token"])

	wantHeader := map[string]any{"alg": "ES256", "typ": "JWT", "kid": e.srv.keys.Signer().KeyID()}
	if !reflect.DeepEqual(header, wantHeader) {
		t.Errorf("header %v, want %v", header, wantHeader)
	}
	at, _ := tok["access_token"].(string)
	atHeader, _, err := jwt.NewParser().ParseUnverified(at, jwt.MapClaims{})
	if err != nil || atHeader.Header["kid"] != header["kid"] || atHeader.Header["typ"] != "at+jwt" {
		t.Errorf("access token header %v (%v): want the same kid, typ at+jwt", atHeader.Header, err)
	}
	sid, _ := claims["sid"].(string)
	if len(sid) < 20 {
		t.Errorf("sid %q, want a random session identifier", sid)
	}
	now := e.clock.now().Unix()
	want := jwt.MapClaims{
		"iss": e.srv.settings.Issuer, "sub": "sub-carol", "aud": "rp",
		"iat": float64(now), "exp": float64(now + 3600), "auth_time": float64(loginAt.Unix()),
		"nonce": "n-0S6_WzA2Mj", "at_hash": atHash(at), "sid": sid,
		// profile
		"name": "Carol Danvers", "given_name": "Carol", "family_name": "Danvers", "preferred_username": "carol",
		// email
		"email": "carol@example.test", "email_verified": true,
		// a custom user claim, and the client's static claim
		"groups": []any{"admins"}, "tenant": "acme",
	}
	if !reflect.DeepEqual(claims, want) {
		t.Errorf("ID token claims\n got %v\nwant %v", claims, want)
	}

	// The same session's next sign-in keeps its sid; a new login gets another.
	code = e.code(t, e.authorize(rpCodeReq("state", "again")...), azApp, "again")
	if _, c := e.parseIDToken(t, e.rpTokens(t, code)["id_token"]); c["sid"] != sid {
		t.Errorf("same session: sid %v, want %v", c["sid"], sid)
	}
	code = e.code(t, e.login(e.authorize(rpCodeReq("prompt", "login")...), "carol", carolPass), azApp, "st-123")
	if _, c := e.parseIDToken(t, e.rpTokens(t, code)["id_token"]); c["sid"] == sid || c["sid"] == "" {
		t.Errorf("after a new login: sid %v, want a new one", c["sid"])
	}
}

// The ID token carries exactly the nonce the request sent, and none when
// the request had none.
func TestIDTokenNonce(t *testing.T) {
	e := newOIDCEnv(t)
	e.signIn(rpCodeReq()...) // a session for the requests below
	for _, nonce := range []string{"n-1", "n-2", "with space+plus/slash=%41&amp;<b>", strings.Repeat("x", maxNonceLength), ""} {
		code := e.code(t, e.authorize(rpCodeReq("nonce", nonce)...), azApp, "st-123")
		_, claims := e.parseIDToken(t, e.rpTokens(t, code)["id_token"])
		got, has := claims["nonce"]
		if nonce == "" && has {
			t.Errorf("no nonce sent, but the ID token has nonce %v", got)
		} else if nonce != "" && got != nonce {
			t.Errorf("nonce %q sent, ID token has %v", nonce, got)
		}
	}
	r := e.authorize(rpCodeReq("nonce", strings.Repeat("x", maxNonceLength+1))...)
	e.wantRedirectError(t, r, azApp, ErrInvalidRequest, "st-123")
}

// Claims by scope, in the ID token and from /userinfo with the access
// token of the same grant (OpenID Connect Core §5.4).
func TestClaimsByScope(t *testing.T) {
	e := newOIDCEnv(t)
	e.signIn(rpCodeReq()...)
	profile := map[string]any{"name": "Carol Danvers", "given_name": "Carol", "family_name": "Danvers", "preferred_username": "carol"}
	tests := []struct {
		scope string
		want  map[string]any // user claims besides sub and the custom "groups"
	}{
		{"openid", nil},
		{"openid read", nil},
		{"openid email", map[string]any{"email": "carol@example.test", "email_verified": true}},
		{"openid profile", profile},
		{"openid address phone", map[string]any{"address": map[string]any{"country": "US"}, "phone_number": "+1 555 0100"}},
	}
	protocol := []string{"iss", "aud", "iat", "exp", "auth_time", "nonce", "at_hash", "sid", "tenant"}
	for _, tc := range tests {
		t.Run(tc.scope, func(t *testing.T) {
			code := e.code(t, e.authorize(rpCodeReq("scope", tc.scope)...), azApp, "st-123")
			tok := e.rpTokens(t, code)
			_, idClaims := e.parseIDToken(t, tok["id_token"])
			want := map[string]any{"sub": "sub-carol", "groups": []any{"admins"}}
			for k, v := range tc.want {
				want[k] = v
			}
			got := map[string]any{}
			for k, v := range idClaims {
				got[k] = v
			}
			for _, k := range protocol {
				delete(got, k)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("ID token user claims\n got %v\nwant %v", got, want)
			}
			ui := e.bearerGet("/userinfo", tok["access_token"].(string))
			var info map[string]any
			if err := json.Unmarshal([]byte(ui.body), &info); err != nil || ui.status != http.StatusOK {
				t.Fatalf("userinfo %d %s", ui.status, ui.body)
			}
			if !reflect.DeepEqual(info, want) {
				t.Errorf("userinfo\n got %v\nwant %v", info, want)
			}
		})
	}
}

// A refresh of a grant with openid returns a new ID token for the same
// sign-in: same sub, auth_time and sid, no nonce, new iat and at_hash.
func TestIDTokenOnRefresh(t *testing.T) {
	e := newOIDCEnv(t, func(s *Settings) { s.IDTokenTTL = 5 * time.Minute })
	loginAt := e.clock.now()
	code := e.code(t, e.signIn(rpCodeReq("scope", "openid email read")...), azApp, "st-123")
	first := e.rpTokens(t, code)
	_, c1 := e.parseIDToken(t, first["id_token"])
	if c1["exp"].(float64)-c1["iat"].(float64) != 300 {
		t.Errorf("exp-iat = %v, want id_token_ttl 300", c1["exp"].(float64)-c1["iat"].(float64))
	}
	e.clock.advance(10 * time.Minute)
	for i, scope := range []string{"", "openid read"} {
		f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first["refresh_token"].(string)}}
		if scope != "" {
			f.Set("scope", scope)
		}
		res := e.postToken(f, "rp", rpSecret)
		if res.status != http.StatusOK {
			t.Fatalf("refresh %d: %d %s", i, res.status, res.body)
		}
		var next map[string]any
		_ = json.Unmarshal([]byte(res.body), &next)
		_, c := e.parseIDToken(t, next["id_token"])
		now := float64(e.clock.now().Unix())
		if c["sub"] != "sub-carol" || c["aud"] != "rp" || c["auth_time"] != float64(loginAt.Unix()) || c["sid"] != c1["sid"] ||
			c["iat"] != now || c["exp"] != now+300 || c["at_hash"] != atHash(next["access_token"].(string)) {
			t.Errorf("refresh %d: ID token %v", i, c)
		}
		if _, has := c["nonce"]; has {
			t.Errorf("refresh %d: nonce %v in a refreshed ID token", i, c["nonce"])
		}
		if _, has := c["email"]; has != (scope == "") {
			t.Errorf("refresh %d (scope %q): email present %v", i, scope, has)
		}
		first = next
	}
	// A grant without openid gets no ID token on refresh.
	code = e.code(t, e.authorize(rpCodeReq("scope", "read", "state", "plain")...), azApp, "plain")
	tok := e.rpTokens(t, code)
	if _, has := tok["id_token"]; has {
		t.Errorf("code flow without openid returned an ID token")
	}
	res := e.postToken(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)}}, "rp", rpSecret)
	if res.status != http.StatusOK || strings.Contains(res.body, "id_token") {
		t.Errorf("refresh without openid: %d %s", res.status, res.body)
	}
}

// No ID token from the password and client_credentials grants, even with
// scope openid; a code whose user is gone is refused.
func TestNoIDTokenOutsideTheBrowserFlows(t *testing.T) {
	e := newOIDCEnv(t)
	for _, f := range []url.Values{
		{"grant_type": {"password"}, "username": {"carol"}, "password": {carolPass}, "scope": {"openid email"}},
		{"grant_type": {"client_credentials"}, "scope": {"openid"}},
	} {
		res := e.postToken(f, "rp", rpSecret)
		if res.status != http.StatusOK || strings.Contains(res.body, "id_token") {
			t.Errorf("%s: %d %s, want 200 without id_token", f.Get("grant_type"), res.status, res.body)
		}
	}
	code := e.code(t, e.signIn(rpCodeReq()...), azApp, "st-123")
	e.deleteUser("carol")
	res := e.redeem("rp", rpSecret, code, azApp, azVerifier)
	if res.status != http.StatusBadRequest || !strings.Contains(res.body, `"invalid_grant"`) {
		t.Errorf("code of a removed user: %d %s", res.status, res.body)
	}
}

// postToken posts a form to /token with HTTP Basic.
func (e *azEnv) postToken(f url.Values, id, secret string) azResp {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/token", strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	return e.send(http.DefaultClient, req)
}

// at_hash uses the hash of the signing algorithm; computed here with the
// standard library for each family.
func TestTokenHashAlgorithms(t *testing.T) {
	const at = "eyJhbGciOiJSUzI1NiJ9.access.token"
	s256, s384, s512 := sha256.Sum256([]byte(at)), sha512.Sum384([]byte(at)), sha512.Sum512([]byte(at))
	b64 := base64.RawURLEncoding.EncodeToString
	tests := []struct{ alg, want string }{
		{"RS256", b64(s256[:16])}, {"ES256", b64(s256[:16])}, {"PS256", b64(s256[:16])},
		{"RS384", b64(s384[:24])}, {"ES384", b64(s384[:24])},
		{"RS512", b64(s512[:32])}, {"ES512", b64(s512[:32])}, {"EdDSA", b64(s512[:32])},
	}
	for _, tc := range tests {
		if got := tokenHash(at, tc.alg); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.alg, got, tc.want)
		}
	}
}
