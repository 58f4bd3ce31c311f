package dpop

import (
	"context"
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store/memory"
	"github.com/oauthkit/oauthkit/keys"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func ecKey(t testing.TB) *keys.Key {
	t.Helper()
	k, err := keys.Generate(keys.Spec{Type: keys.TypeEC})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newVerifier(now *time.Time) *Verifier {
	return &Verifier{Now: func() time.Time { return *now }, Replays: memory.New().Replays()}
}

const tokenURL = "https://as.example/token"

func proof(t testing.TB, k *keys.Key, r ProofRequest) string {
	t.Helper()
	if r.Method == "" {
		r.Method = "POST"
	}
	if r.URL == "" {
		r.URL = tokenURL
	}
	if r.Now.IsZero() {
		r.Now = t0
	}
	p, err := NewProof(k, r)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// forge signs arbitrary header members and claims with k.
func forge(t testing.TB, k *keys.Key, header map[string]any, claims map[string]any) string {
	t.Helper()
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	in := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	sig := signWith(t, k, header["alg"].(string), in)
	return in + "." + sig
}

func TestVerifyAcceptsFreshProofOnce(t *testing.T) {
	now := t0
	v := newVerifier(&now)
	k := ecKey(t)
	p := proof(t, k, ProofRequest{})
	got, e := v.Verify(context.Background(), []string{p}, Request{Method: "POST", URL: "https://AS.example:443/token?x=1"})
	if e != nil {
		t.Fatalf("fresh proof refused: %v", e)
	}
	want, _ := keys.Thumbprint(k.Public)
	if got.JKT != want {
		t.Fatalf("jkt = %s, want %s", got.JKT, want)
	}
	_, e = v.Verify(context.Background(), []string{p}, Request{Method: "POST", URL: tokenURL})
	if e == nil || e.Code != ErrInvalidProof || !strings.Contains(e.Description, "jti was already used") {
		t.Fatalf("replay: got %v", e)
	}
}

func TestVerifyRefuses(t *testing.T) {
	k := ecKey(t)
	pub, _ := keys.PublicJWK(k.Public)
	priv, _ := keys.PrivateJWK(k.Private)
	claims := map[string]any{"jti": "j", "htm": "POST", "htu": tokenURL, "iat": t0.Unix()}
	cases := []struct {
		name, proof string
		req         Request
		want        string
	}{
		{"htm", proof(t, k, ProofRequest{Method: "GET"}), Request{Method: "POST", URL: tokenURL}, "htm 'GET' does not match"},
		{"htu", proof(t, k, ProofRequest{URL: "https://as.example/other"}), Request{Method: "POST", URL: tokenURL}, "htu 'https://as.example/other' does not match"},
		{"htu port", proof(t, k, ProofRequest{URL: "https://as.example:8443/token"}), Request{Method: "POST", URL: tokenURL}, "does not match the request URL"},
		{"too old", proof(t, k, ProofRequest{Now: t0.Add(-61 * time.Second)}), Request{Method: "POST", URL: tokenURL}, "iat is too old"},
		{"future", proof(t, k, ProofRequest{Now: t0.Add(61 * time.Second)}), Request{Method: "POST", URL: tokenURL}, "iat is too far in the future"},
		{"ath missing", proof(t, k, ProofRequest{}), Request{Method: "POST", URL: tokenURL, AccessToken: "at"}, "no ath claim"},
		{"ath mismatch", proof(t, k, ProofRequest{AccessToken: "other"}), Request{Method: "POST", URL: tokenURL, AccessToken: "at"}, "ath does not match"},
		{"ath at token", proof(t, k, ProofRequest{AccessToken: "at"}), Request{Method: "POST", URL: tokenURL}, "has an ath claim"},
		{"private jwk", forge(t, k, map[string]any{"typ": Type, "alg": "ES256", "jwk": priv}, claims), Request{Method: "POST", URL: tokenURL}, "private key members"},
		{"no jwk", forge(t, k, map[string]any{"typ": Type, "alg": "ES256"}, claims), Request{Method: "POST", URL: tokenURL}, "no jwk header"},
		{"typ", forge(t, k, map[string]any{"typ": "JWT", "alg": "ES256", "jwk": pub}, claims), Request{Method: "POST", URL: tokenURL}, `typ header is "JWT"`},
		{"alg none", unsigned(map[string]any{"typ": Type, "alg": "none", "jwk": pub}, claims), Request{Method: "POST", URL: tokenURL}, `alg "none" is not accepted`},
		{"alg HS256", unsigned(map[string]any{"typ": Type, "alg": "HS256", "jwk": pub}, claims), Request{Method: "POST", URL: tokenURL}, `alg "HS256" is not accepted`},
		{"other key's signature", forge(t, ecKey(t), map[string]any{"typ": Type, "alg": "ES256", "jwk": pub}, claims), Request{Method: "POST", URL: tokenURL}, "signature does not verify"},
		{"no jti", forge(t, k, map[string]any{"typ": Type, "alg": "ES256", "jwk": pub}, map[string]any{"htm": "POST", "htu": tokenURL, "iat": t0.Unix()}), Request{Method: "POST", URL: tokenURL}, "no jti claim"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			now := t0
			_, e := newVerifier(&now).Verify(context.Background(), []string{c.proof}, c.req)
			if e == nil || e.Code != ErrInvalidProof || !strings.Contains(e.Description, c.want) || !strings.Contains(e.Description, "(RFC 9449 §") {
				t.Fatalf("got %v, want invalid_dpop_proof containing %q", e, c.want)
			}
		})
	}
	now := t0
	if _, e := newVerifier(&now).Verify(context.Background(), nil, Request{Method: "POST", URL: tokenURL}); e == nil || !strings.Contains(e.Description, "exactly one DPoP header") {
		t.Fatalf("no header: %v", e)
	}
	p := proof(t, k, ProofRequest{})
	if _, e := newVerifier(&now).Verify(context.Background(), []string{p, p}, Request{Method: "POST", URL: tokenURL}); e == nil || !strings.Contains(e.Description, "got 2") {
		t.Fatalf("two headers: %v", e)
	}
}

func unsigned(header, claims map[string]any) string {
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c) + ".c2ln"
}

func TestNonces(t *testing.T) {
	now := t0
	clock := func() time.Time { return now }
	n := NewNonces([]byte(strings.Repeat("k", 32)), time.Minute, clock)
	v := newVerifier(&now)
	v.Nonces = n
	k := ecKey(t)
	req := Request{Method: "POST", URL: tokenURL}
	if _, e := v.Verify(context.Background(), []string{proof(t, k, ProofRequest{})}, req); e == nil || e.Code != ErrUseNonce {
		t.Fatalf("without nonce: %v", e)
	}
	nonce := n.Issue()
	if _, e := v.Verify(context.Background(), []string{proof(t, k, ProofRequest{Nonce: nonce})}, req); e != nil {
		t.Fatalf("with nonce: %v", e)
	}
	other := NewNonces([]byte(strings.Repeat("x", 32)), time.Minute, clock).Issue()
	if _, e := v.Verify(context.Background(), []string{proof(t, k, ProofRequest{Nonce: other})}, req); e == nil || e.Code != ErrUseNonce {
		t.Fatalf("foreign nonce: %v", e)
	}
	now = t0.Add(61 * time.Second)
	if _, e := v.Verify(context.Background(), []string{proof(t, k, ProofRequest{Nonce: nonce, Now: now})}, req); e == nil || e.Code != ErrUseNonce || !strings.Contains(e.Description, "expired") {
		t.Fatalf("expired nonce: %v", e)
	}
}

func TestSameURL(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"https://as.example/token", "HTTPS://AS.EXAMPLE/token", true},
		{"https://as.example:443/token", "https://as.example/token#f", true},
		{"http://127.0.0.1:80/token", "http://127.0.0.1/token?q", true},
		{"http://127.0.0.1:8080/token", "http://127.0.0.1/token", false},
		{"https://as.example/Token", "https://as.example/token", false},
		{"http://as.example/token", "https://as.example/token", false},
		{"/token", "/token", false},
		{"ftp://as.example/token", "ftp://as.example/token", false},
	} {
		if got := SameURL(c.a, c.b); got != c.same {
			t.Errorf("SameURL(%q, %q) = %v", c.a, c.b, got)
		}
	}
}

func TestNewProofNeedsPrivateKey(t *testing.T) {
	k := ecKey(t)
	pub := &keys.Key{Public: k.Public}
	if _, err := NewProof(pub, ProofRequest{Method: "POST", URL: tokenURL, Now: t0}); err == nil {
		t.Fatal("a proof was signed without a private key")
	}
	if _, ok := k.Private.(*ecdsa.PrivateKey); !ok {
		t.Fatal("not an EC key")
	}
}
