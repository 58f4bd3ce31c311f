package conformance

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/dpop"
	"github.com/oauthkit/oauthkit/keys"
)

// Helpers of the DPoP rules (88–94, RFC 9449).

func dpopKey(t *testing.T) *keys.Key {
	t.Helper()
	k, err := keys.Generate(keys.Spec{Type: keys.TypeEC})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func jktOf(t *testing.T, k *keys.Key) string {
	t.Helper()
	jkt, err := dpop.Thumbprint(k)
	if err != nil {
		t.Fatal(err)
	}
	return jkt
}

// proofFor signs a proof for method and s.url+path; at, nonce and the
// clock offset are optional.
func (s *server) proofFor(t *testing.T, k *keys.Key, method, path, at, nonce string, offset time.Duration) string {
	t.Helper()
	p, err := dpop.NewProof(k, dpop.ProofRequest{Method: method, URL: s.url + path, AccessToken: at, Nonce: nonce, Now: time.Now().Add(offset)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// tokenWithProof posts form to /token as a with the DPoP header proofs
// (none when empty).
func (s *server) tokenWithProof(t *testing.T, a auth, form url.Values, proofs ...string) answer {
	t.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	switch {
	case a.basicID != "":
		h.Set("Authorization", formEncodedBasic(a.basicID, a.basicSecret))
	case a.postID != "":
		f.Set("client_id", a.postID)
		f.Set("client_secret", a.postSecret)
	case a.public != "":
		f.Set("client_id", a.public)
	}
	if len(proofs) > 0 {
		h["Dpop"] = proofs
	}
	return s.do(t, http.MethodPost, "/token", h, strings.NewReader(f.Encode()))
}

// dpopCC runs client_credentials as basic-client with a fresh proof by k.
func (s *server) dpopCC(t *testing.T, k *keys.Key) answer {
	t.Helper()
	return s.tokenWithProof(t, asBasic, url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}},
		s.proofFor(t, k, http.MethodPost, "/token", "", "", 0))
}

// callResource sends GET path with Authorization "scheme at" and the proof
// (none when "").
func (s *server) callResource(t *testing.T, path, scheme, at, proof string) answer {
	t.Helper()
	h := http.Header{"Authorization": {scheme + " " + at}}
	if proof != "" {
		h.Set("DPoP", proof)
	}
	return s.do(t, http.MethodGet, path, h, nil)
}

// wantDPoPError checks a refusal: status, error code, a description naming
// its RFC 9449 section, and at a resource (401) the DPoP challenge.
func wantDPoPError(t *testing.T, a answer, status int, code, descPart string) {
	t.Helper()
	if a.Status != status || a.str("error") != code {
		t.Fatalf("got %s, want %d error=%s", a, status, code)
	}
	d := a.str("error_description")
	if !strings.Contains(d, descPart) || !strings.Contains(d, "RFC 9449 section ") {
		t.Errorf("error_description %q, want it to contain %q and name its RFC 9449 section", d, descPart)
	}
	if a.str("access_token") != "" {
		t.Errorf("a refusal carries a token: %s", a)
	}
	if status == http.StatusUnauthorized {
		var found bool
		for _, c := range a.Header.Values("WWW-Authenticate") {
			if strings.HasPrefix(c, `DPoP algs="ES256 RS256 PS256 EdDSA"`) && strings.Contains(c, `error="`+code+`"`) {
				found = true
			}
		}
		if !found {
			t.Errorf("WWW-Authenticate %q, want a DPoP challenge with algs and error=%q (RFC 9449 §7.1)", a.Header.Values("WWW-Authenticate"), code)
		}
	}
}

// randomID returns a fresh jti.
func randomID(t *testing.T) string {
	t.Helper()
	return pkceVerifierOnly(t)
}

func pkceVerifierOnly(t *testing.T) string {
	t.Helper()
	v, _ := pkcePair(t)
	return v
}
