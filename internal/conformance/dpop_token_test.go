package conformance

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oauthkit/oauthkit/keys"
)

// forgeProof signs header and claims as given: with k's private key for
// ES256, with hmacKey for HS256, unsigned for none.
func forgeProof(t *testing.T, k *keys.Key, header, claims map[string]any, hmacKey []byte) string {
	t.Helper()
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	in := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	var (
		sig []byte
		err error
	)
	switch header["alg"] {
	case "none":
		return in + "."
	case "HS256":
		sig, err = jwt.SigningMethodHS256.Sign(in, hmacKey)
	default:
		sig, err = jwt.SigningMethodES256.Sign(in, k.Private)
	}
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// Rule 88: a DPoP proof at /token is checked whole before anything is
// issued: typ, alg allow-list, a public jwk, its signature, htm, htu, iat.
func TestRule88_DPoPProofChecked(t *testing.T) {
	s := shared(t)
	k := dpopKey(t)
	pub, _ := keys.PublicJWK(k.Public)
	priv, _ := keys.PrivateJWK(k.Private)
	claims := func() map[string]any {
		return map[string]any{"jti": randomID(t), "htm": "POST", "htu": s.url + "/token", "iat": time.Now().Unix()}
	}
	cc := url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}
	cases := []struct {
		name, proof, want string
	}{
		{"htm mismatch", s.proofFor(t, k, http.MethodGet, "/token", "", "", 0), "htm 'GET' does not match the request method POST"},
		{"htu mismatch", s.proofFor(t, k, http.MethodPost, "/introspect", "", "", 0), "does not match the request URL"},
		{"iat too old", s.proofFor(t, k, http.MethodPost, "/token", "", "", -2*time.Minute), "iat is too old"},
		{"iat in the future", s.proofFor(t, k, http.MethodPost, "/token", "", "", 2*time.Minute), "iat is too far in the future"},
		{"private key in jwk", forgeProof(t, k, map[string]any{"typ": "dpop+jwt", "alg": "ES256", "jwk": priv}, claims(), nil), "carries private key members"},
		{"alg none", forgeProof(t, k, map[string]any{"typ": "dpop+jwt", "alg": "none", "jwk": pub}, claims(), nil), "alg 'none' is not accepted"},
		{"alg HS256", forgeProof(t, k, map[string]any{"typ": "dpop+jwt", "alg": "HS256", "jwk": pub}, claims(), []byte(strings.Repeat("s", 32))), "alg 'HS256' is not accepted"},
		{"typ JWT", forgeProof(t, k, map[string]any{"typ": "JWT", "alg": "ES256", "jwk": pub}, claims(), nil), "typ header is 'JWT'"},
		{"signed by another key", forgeProof(t, dpopKey(t), map[string]any{"typ": "dpop+jwt", "alg": "ES256", "jwk": pub}, claims(), nil), "signature does not verify"},
		{"ath at the token endpoint", s.proofFor(t, k, http.MethodPost, "/token", "some-token", "", 0), "has an ath claim"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := s.tokenWithProof(t, asBasic, cc, c.proof)
			wantTokenError(t, a, http.StatusBadRequest, "invalid_dpop_proof")
			wantDPoPError(t, a, http.StatusBadRequest, "invalid_dpop_proof", c.want)
		})
	}
	t.Run("two DPoP headers", func(t *testing.T) {
		a := s.tokenWithProof(t, asBasic, cc, s.proofFor(t, k, http.MethodPost, "/token", "", "", 0), s.proofFor(t, k, http.MethodPost, "/token", "", "", 0))
		wantDPoPError(t, a, http.StatusBadRequest, "invalid_dpop_proof", "exactly one DPoP header")
	})
	t.Run("htu compared without query, case of host and default port", func(t *testing.T) {
		u, _ := url.Parse(s.url)
		htu := "HTTP://" + strings.ToUpper(u.Hostname()) + ":" + u.Port() + "/token?ignored=1#frag"
		p := forgeProof(t, k, map[string]any{"typ": "dpop+jwt", "alg": "ES256", "jwk": pub},
			map[string]any{"jti": randomID(t), "htm": "POST", "htu": htu, "iat": time.Now().Unix()}, nil)
		mustTokens(t, s.tokenWithProof(t, asBasic, cc, p), "proof with a normalized htu")
	})
}

// Rule 89: a proof's jti is single-use.
func TestRule89_DPoPProofReplay(t *testing.T) {
	s := shared(t)
	k := dpopKey(t)
	p := s.proofFor(t, k, http.MethodPost, "/token", "", "", 0)
	cc := url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}
	mustTokens(t, s.tokenWithProof(t, asBasic, cc, p), "first use of a proof")
	wantDPoPError(t, s.tokenWithProof(t, asBasic, cc, p), http.StatusBadRequest, "invalid_dpop_proof", "jti was already used")
	// The replayed proof at a resource is refused too (the same cache).
	at := mustTokens(t, s.dpopCC(t, k), "dpop client_credentials").str("access_token")
	rp := s.proofFor(t, k, http.MethodGet, "/protected", at, "", 0)
	if a := s.callResource(t, "/protected", "DPoP", at, rp); a.Status != http.StatusOK {
		t.Fatalf("first resource call: %s", a)
	}
	wantDPoPError(t, s.callResource(t, "/protected", "DPoP", at, rp), http.StatusUnauthorized, "invalid_dpop_proof", "jti was already used")
}

// Rule 90: a proof at /token binds the access token: cnf.jkt, token_type
// DPoP, introspection with cnf; a client registered with
// dpop_bound_access_tokens gets nothing without a proof.
func TestRule90_DPoPBoundAccessToken(t *testing.T) {
	s := shared(t)
	k := dpopKey(t)
	md := s.do(t, http.MethodGet, "/.well-known/oauth-authorization-server", nil, nil)
	if algs, _ := md.JSON["dpop_signing_alg_values_supported"].([]any); fmt.Sprint(algs) != "[ES256 RS256 PS256 EdDSA]" {
		t.Errorf("dpop_signing_alg_values_supported = %v, want [ES256 RS256 PS256 EdDSA] (RFC 9449 §5.1)", md.JSON["dpop_signing_alg_values_supported"])
	}
	a := mustTokens(t, s.dpopCC(t, k), "dpop client_credentials")
	if tt := a.str("token_type"); tt != "DPoP" {
		t.Errorf("token_type %q, want DPoP (RFC 9449 §5.1)", tt)
	}
	_, claims := jwtParts(t, a.str("access_token"))
	cnf, _ := claims["cnf"].(map[string]any)
	if cnf["jkt"] != jktOf(t, k) {
		t.Errorf("cnf %v, want jkt %s (RFC 9449 §6.1)", claims["cnf"], jktOf(t, k))
	}
	in := s.introspect(t, a.str("access_token"))
	icnf, _ := in.JSON["cnf"].(map[string]any)
	if in.JSON["active"] != true || in.str("token_type") != "DPoP" || icnf["jkt"] != jktOf(t, k) {
		t.Errorf("introspection %s, want active, token_type DPoP and cnf.jkt (RFC 9449 §6.2)", in)
	}
	// Without a proof: a Bearer token, no cnf.
	b := mustTokens(t, s.token(t, asBasic, url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}), "bearer client_credentials")
	if _, c := jwtParts(t, b.str("access_token")); b.str("token_type") != "Bearer" || c["cnf"] != nil {
		t.Errorf("a request without a proof got token_type %q, cnf %v", b.str("token_type"), c["cnf"])
	}

	t.Run("dpop_bound_access_tokens requires a proof", func(t *testing.T) {
		r := startServer(t, dpopConfig)
		cc := url.Values{"grant_type": {"client_credentials"}}
		wantDPoPError(t, r.tokenWithProof(t, basicAuth("dpop-only", "dpop-s3cret"), cc), http.StatusBadRequest, "invalid_request", "dpop_bound_access_tokens")
		ok := mustTokens(t, r.tokenWithProof(t, basicAuth("dpop-only", "dpop-s3cret"), cc, r.proofFor(t, k, http.MethodPost, "/token", "", "", 0)), "dpop-only with a proof")
		if ok.str("token_type") != "DPoP" {
			t.Errorf("token_type %q, want DPoP", ok.str("token_type"))
		}
	})
	t.Run("opaque access tokens are bound too", func(t *testing.T) {
		r := startServer(t, "tokens: {format: opaque}\n"+dpopConfig)
		at := mustTokens(t, r.tokenWithProof(t, basicAuth("dpop-only", "dpop-s3cret"), url.Values{"grant_type": {"client_credentials"}},
			r.proofFor(t, k, http.MethodPost, "/token", "", "", 0)), "opaque dpop").str("access_token")
		in := r.post(t, "/introspect", basicAuth("dpop-only", "dpop-s3cret"), url.Values{"token": {at}})
		icnf, _ := in.JSON["cnf"].(map[string]any)
		if icnf["jkt"] != jktOf(t, k) {
			t.Errorf("introspection of an opaque bound token %s, want cnf.jkt", in)
		}
		wantDPoPError(t, r.callResource(t, "/protected", "Bearer", at, ""), http.StatusUnauthorized, "invalid_token", "bound to a DPoP key")
		// Cutting the binding off the value makes it unknown, not Bearer.
		cut, _, _ := strings.Cut(at, "~")
		if a := r.callResource(t, "/protected", "Bearer", cut, ""); a.Status != http.StatusUnauthorized || a.str("error") != "invalid_token" {
			t.Errorf("the opaque token without its binding suffix: %s, want 401 invalid_token", a)
		}
		if a := r.callResource(t, "/protected", "DPoP", at, r.proofFor(t, k, http.MethodGet, "/protected", at, "", 0)); a.Status != http.StatusOK {
			t.Errorf("opaque bound token with its proof: %s", a)
		}
	})
}

// dpopConfig: a confidential client that must use DPoP and a public one.
const dpopConfig = `
scopes: {read: Read}
clients:
  - id: dpop-only
    secret: dpop-s3cret
    grant_types: [client_credentials]
    scopes: [read]
    dpop_bound_access_tokens: true
  - id: public-client
    redirect_uris: [http://127.0.0.1/callback]
    scopes: [openid, read]
    auto_approve: true
users:
  - username: alice
    password: wonderland-pw
`
