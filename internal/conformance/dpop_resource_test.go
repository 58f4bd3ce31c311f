package conformance

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Rule 91: at /protected and /userinfo a bound token needs the DPoP scheme
// and a proof by its key with ath; as Bearer it is refused.
func TestRule91_DPoPAtResources(t *testing.T) {
	s := shared(t)
	k := dpopKey(t)
	at := mustTokens(t, s.dpopCC(t, k), "dpop client_credentials").str("access_token")
	t.Run("valid proof", func(t *testing.T) {
		a := s.callResource(t, "/protected", "DPoP", at, s.proofFor(t, k, http.MethodGet, "/protected", at, "", 0))
		if a.Status != http.StatusOK || a.str("client_id") != basicID {
			t.Fatalf("got %s, want 200 for basic-client", a)
		}
	})
	t.Run("bound token as Bearer", func(t *testing.T) {
		wantDPoPError(t, s.callResource(t, "/protected", "Bearer", at, ""), http.StatusUnauthorized, "invalid_token", "not as Bearer")
	})
	t.Run("no proof", func(t *testing.T) {
		wantDPoPError(t, s.callResource(t, "/protected", "DPoP", at, ""), http.StatusUnauthorized, "invalid_dpop_proof", "exactly one DPoP header")
	})
	t.Run("ath mismatch", func(t *testing.T) {
		wantDPoPError(t, s.callResource(t, "/protected", "DPoP", at, s.proofFor(t, k, http.MethodGet, "/protected", at+"x", "", 0)),
			http.StatusUnauthorized, "invalid_dpop_proof", "ath does not match")
	})
	t.Run("no ath", func(t *testing.T) {
		wantDPoPError(t, s.callResource(t, "/protected", "DPoP", at, s.proofFor(t, k, http.MethodGet, "/protected", "", "", 0)),
			http.StatusUnauthorized, "invalid_dpop_proof", "no ath claim")
	})
	t.Run("htm mismatch", func(t *testing.T) {
		wantDPoPError(t, s.callResource(t, "/protected", "DPoP", at, s.proofFor(t, k, http.MethodPost, "/protected", at, "", 0)),
			http.StatusUnauthorized, "invalid_dpop_proof", "htm 'POST'")
	})
	t.Run("htu of another resource", func(t *testing.T) {
		wantDPoPError(t, s.callResource(t, "/protected", "DPoP", at, s.proofFor(t, k, http.MethodGet, "/userinfo", at, "", 0)),
			http.StatusUnauthorized, "invalid_dpop_proof", "htu")
	})
	t.Run("proof by another key", func(t *testing.T) {
		wantDPoPError(t, s.callResource(t, "/protected", "DPoP", at, s.proofFor(t, dpopKey(t), http.MethodGet, "/protected", at, "", 0)),
			http.StatusUnauthorized, "invalid_dpop_proof", "another key")
	})
	t.Run("bearer token under the DPoP scheme", func(t *testing.T) {
		bt := mustTokens(t, s.token(t, asBasic, url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}), "bearer").str("access_token")
		wantDPoPError(t, s.callResource(t, "/protected", "DPoP", bt, s.proofFor(t, k, http.MethodGet, "/protected", bt, "", 0)),
			http.StatusUnauthorized, "invalid_token", "not bound")
		if a := s.callResource(t, "/protected", "Bearer", bt, ""); a.Status != http.StatusOK {
			t.Errorf("a Bearer token as Bearer: %s", a)
		}
	})
	t.Run("no credentials: both challenges", func(t *testing.T) {
		a := s.do(t, http.MethodGet, "/protected", nil, nil)
		if got := strings.Join(a.Header.Values("WWW-Authenticate"), " | "); a.Status != 401 || !strings.Contains(got, `Bearer realm="oauthkit"`) || !strings.Contains(got, `DPoP algs="ES256 RS256 PS256 EdDSA"`) {
			t.Errorf("got %d with WWW-Authenticate %q, want 401 with Bearer and DPoP challenges", a.Status, got)
		}
	})
	t.Run("userinfo", func(t *testing.T) {
		g := s.getCode(t, publicID, loopbackCB, "openid read", true)
		f := url.Values{"grant_type": {"authorization_code"}, "code": {g.code}, "redirect_uri": {g.redirect}, "code_verifier": {g.verifier}}
		tok := mustTokens(t, s.tokenWithProof(t, asPublic, f, s.proofFor(t, k, http.MethodPost, "/token", "", "", 0)), "dpop code").str("access_token")
		ui := s.callResource(t, "/userinfo", "DPoP", tok, s.proofFor(t, k, http.MethodGet, "/userinfo", tok, "", 0))
		if ui.Status != http.StatusOK || ui.str("sub") == "" {
			t.Fatalf("userinfo with DPoP: %s", ui)
		}
		wantDPoPError(t, s.callResource(t, "/userinfo", "Bearer", tok, ""), http.StatusUnauthorized, "invalid_token", "bound to a DPoP key")
	})
}

// Rule 92: a public client's refresh token is bound to the key of the
// proof it was issued with: refreshing needs a proof by that key.
func TestRule92_DPoPRefreshTokenBound(t *testing.T) {
	s := shared(t)
	k := dpopKey(t)
	g := s.getCode(t, publicID, loopbackCB, "read", true)
	f := url.Values{"grant_type": {"authorization_code"}, "code": {g.code}, "redirect_uri": {g.redirect}, "code_verifier": {g.verifier}}
	rt := mustTokens(t, s.tokenWithProof(t, asPublic, f, s.proofFor(t, k, http.MethodPost, "/token", "", "", 0)), "dpop code").str("refresh_token")
	if rt == "" {
		t.Fatal("no refresh token")
	}
	rf := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
	wantDPoPError(t, s.tokenWithProof(t, asPublic, rf), http.StatusBadRequest, "invalid_dpop_proof", "refresh token is bound to a DPoP key")
	wantDPoPError(t, s.tokenWithProof(t, asPublic, rf, s.proofFor(t, dpopKey(t), http.MethodPost, "/token", "", "", 0)), http.StatusBadRequest, "invalid_grant", "another DPoP key")
	// The refused attempts did not use the token up: its key refreshes it,
	// and the successor is bound to the same key.
	next := mustTokens(t, s.tokenWithProof(t, asPublic, rf, s.proofFor(t, k, http.MethodPost, "/token", "", "", 0)), "refresh with the key")
	if next.str("token_type") != "DPoP" {
		t.Errorf("token_type %q, want DPoP", next.str("token_type"))
	}
	rf2 := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {next.str("refresh_token")}}
	wantDPoPError(t, s.tokenWithProof(t, asPublic, rf2), http.StatusBadRequest, "invalid_dpop_proof", "bound to a DPoP key")
	// A confidential client's refresh token is bound to its authentication,
	// not to the key (RFC 9449 §5).
	crt := mustTokens(t, s.tokenWithProof(t, asBasic, url.Values{"grant_type": {"password"}, "username": {userName}, "password": {userPassword}, "scope": {"read"}},
		s.proofFor(t, k, http.MethodPost, "/token", "", "", 0)), "confidential dpop password").str("refresh_token")
	mustTokens(t, s.refresh(t, asBasic, crt), "confidential refresh without a proof")
}

// Rule 93: dpop_jkt at /authorize binds the code to that key.
func TestRule93_DPoPJKTBindsCode(t *testing.T) {
	s := shared(t)
	k := dpopKey(t)
	redeem := func(g grant, proofs ...string) answer {
		f := url.Values{"grant_type": {"authorization_code"}, "code": {g.code}, "redirect_uri": {g.redirect}, "code_verifier": {g.verifier}}
		return s.tokenWithProof(t, asPublic, f, proofs...)
	}
	g := s.getCode(t, publicID, loopbackCB, "read", true, "dpop_jkt", jktOf(t, k))
	wantDPoPError(t, redeem(g), http.StatusBadRequest, "invalid_dpop_proof", "authorization code is bound to a DPoP key")
	wantDPoPError(t, redeem(g, s.proofFor(t, dpopKey(t), http.MethodPost, "/token", "", "", 0)), http.StatusBadRequest, "invalid_grant", "another DPoP key")
	a := mustTokens(t, redeem(g, s.proofFor(t, k, http.MethodPost, "/token", "", "", 0)), "code with its key")
	if a.str("token_type") != "DPoP" {
		t.Errorf("token_type %q, want DPoP", a.str("token_type"))
	}
	t.Run("malformed dpop_jkt", func(t *testing.T) {
		_, ch := pkcePair(t)
		r := s.authorize(t, q("response_type", "code", "client_id", publicID, "redirect_uri", loopbackCB, "state", "st",
			"login_hint", userName, "code_challenge", ch, "code_challenge_method", "S256", "dpop_jkt", "not-a-thumbprint"))
		v := wantRedirectError(t, s, r, loopbackCB, "invalid_request", false)
		if d := v.Get("error_description"); !strings.Contains(d, "dpop_jkt") || !strings.Contains(d, "RFC 9449 section 10") {
			t.Errorf("error_description %q", d)
		}
	})
}

// Rule 94: with serve --dpop-nonce a proof needs a fresh server nonce:
// use_dpop_nonce (400 at /token, 401 at a resource) with a DPoP-Nonce
// header to retry with; a nonce expires after 5 minutes.
func TestRule94_DPoPServerNonce(t *testing.T) {
	tokenFile := t.TempDir() + "/control-token"
	writeFile(t, tokenFile, "conformance-control-token-0123456789\n")
	s := startServer(t, dpopConfig, "--dpop-nonce", "--control", "--control-token-file", tokenFile)
	k := dpopKey(t)
	as := basicAuth("dpop-only", "dpop-s3cret")
	cc := url.Values{"grant_type": {"client_credentials"}}
	a := s.tokenWithProof(t, as, cc, s.proofFor(t, k, http.MethodPost, "/token", "", "", 0))
	wantDPoPError(t, a, http.StatusBadRequest, "use_dpop_nonce", "requires a nonce")
	nonce := a.Header.Get("DPoP-Nonce")
	if nonce == "" {
		t.Fatal("use_dpop_nonce without a DPoP-Nonce header")
	}
	ok := mustTokens(t, s.tokenWithProof(t, as, cc, s.proofFor(t, k, http.MethodPost, "/token", "", nonce, 0)), "token with the nonce")
	if ok.Header.Get("DPoP-Nonce") == "" {
		t.Error("a successful DPoP answer carries no fresh DPoP-Nonce")
	}
	at := ok.str("access_token")
	r := s.callResource(t, "/protected", "DPoP", at, s.proofFor(t, k, http.MethodGet, "/protected", at, "", 0))
	wantDPoPError(t, r, http.StatusUnauthorized, "use_dpop_nonce", "requires a nonce")
	if r.Header.Get("DPoP-Nonce") == "" {
		t.Error("401 use_dpop_nonce without a DPoP-Nonce header")
	}
	if r2 := s.callResource(t, "/protected", "DPoP", at, s.proofFor(t, k, http.MethodGet, "/protected", at, r.Header.Get("DPoP-Nonce"), 0)); r2.Status != http.StatusOK {
		t.Fatalf("resource with the nonce: %s", r2)
	}
	// Six minutes later (the server's clock moved by the control API) the
	// nonce is expired; the proof's own iat follows the server's clock.
	body, _ := json.Marshal(map[string]string{"skew": "6m"})
	cr := s.do(t, http.MethodPost, "/_oauthkit/control/clock", http.Header{"Authorization": {"Bearer conformance-control-token-0123456789"}, "Content-Type": {"application/json"}}, bytes.NewReader(body))
	if cr.Status != http.StatusOK {
		t.Fatalf("moving the clock: %s", cr)
	}
	late := s.tokenWithProof(t, as, cc, s.proofFor(t, k, http.MethodPost, "/token", "", nonce, 6*time.Minute))
	wantDPoPError(t, late, http.StatusBadRequest, "use_dpop_nonce", "unknown or expired")
	mustTokens(t, s.tokenWithProof(t, as, cc, s.proofFor(t, k, http.MethodPost, "/token", "", late.Header.Get("DPoP-Nonce"), 6*time.Minute)), "token with the new nonce")
}
