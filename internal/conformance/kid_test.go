package conformance

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Rule 19, strict kid: a JWT access token signed with the server's own key
// but carrying a kid the JWKS lacks is refused by /introspect, /protected
// and /userinfo (RFC 9068 §4: the resource server selects the key by kid).
// The token's claims are those of a live token, so only the kid can make
// it fail; the control row, re-signed with the published kid, passes.
// `oauthkit jwt verify --key PEM` keeps its documented behaviour: a PEM key
// has no kid of its own and is tried whatever the token's kid.
func TestRule19_UnknownKIDRefused(t *testing.T) {
	dir := t.TempDir()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(dir, "sign.pem")
	writeFile(t, keyPath, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})))
	pubDER, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPath := filepath.Join(dir, "sign.pub.pem")
	writeFile(t, pubPath, string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})))
	s := startServer(t, baseConfig, "--key", keyPath)

	good := s.passwordTokens(t, "openid read").str("access_token")
	h, c := jwtParts(t, good)
	kid, _ := h["kid"].(string)
	if jwksKeys(t, s)[kid] == nil {
		t.Fatalf("the issued kid %q is not in the JWKS", kid)
	}
	withKID := func(k any) map[string]any {
		out := map[string]any{}
		for name, v := range h {
			out[name] = v
		}
		out["kid"] = k
		return out
	}
	t.Run("control: re-signed with the published kid", func(t *testing.T) {
		tok := signRS256(t, key, withKID(kid), c)
		if !s.active(t, tok) {
			t.Fatal("/introspect says inactive")
		}
		for _, path := range []string{"/protected", "/userinfo"} {
			if a := s.do(t, http.MethodGet, path, http.Header{"Authorization": {"Bearer " + tok}}, nil); a.Status != http.StatusOK {
				t.Errorf("%s: %s, want 200", path, a)
			}
		}
	})
	unknown := map[string]any{
		"unknown kid":                "nope",
		"empty kid":                  "",
		"kid with a trailing space":  kid + " ",
		"kid in upper case":          strings.ToUpper(kid),
		"kid with a prefix":          "x" + kid,
		"kid cut by one character":   kid[:len(kid)-1],
		"kid with padding":           kid + "=",
		"kid with a NUL":             kid + "\x00",
		"kid that is a URL of ours":  s.url + "/jwks.json#" + kid,
		"kid of the JWKS as a whole": s.url + "/jwks.json",
	}
	for name, k := range unknown {
		t.Run(name, func(t *testing.T) { wantRejected(t, s, signRS256(t, key, withKID(k), c)) })
	}
	t.Run("jwt verify --key PEM still ignores the kid", func(t *testing.T) {
		tok := signRS256(t, key, withKID("nope"), c)
		out, err := exec.Command(suite.bin, "jwt", "verify", tok, "--key", pubPath, "--iss", s.url).CombinedOutput()
		if err != nil {
			t.Fatalf("jwt verify refused it: %v\n%s", err, out)
		}
	})
	t.Run("jwt verify --jwks refuses the unknown kid", func(t *testing.T) {
		tok := signRS256(t, key, withKID("nope"), c)
		out, err := exec.Command(suite.bin, "jwt", "verify", tok, "--jwks", s.url+"/jwks.json", "--iss", s.url).CombinedOutput()
		if err == nil || !strings.Contains(string(out), `"nope"`) {
			t.Fatalf("jwt verify --jwks: err %v, output %q; want a refusal naming the kid", err, out)
		}
	})
}
