package authserver

import (
	"net/http"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/internal/dpop"
	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/token"
	"github.com/oauthkit/oauthkit/keys"
)

// dpopProof signs a proof for the server's clock and the issuer's URL of
// path (htu names the issuer, never the test listener's address).
func (e *env) dpopProof(k *keys.Key, method, path, at string) string {
	e.t.Helper()
	p, err := dpop.NewProof(k, dpop.ProofRequest{Method: method, URL: testIssuer + path, AccessToken: at, Now: e.clock.Now()})
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

func claimsOfJWT(t *testing.T, v string) map[string]any {
	t.Helper()
	d, err := token.Decode(v)
	if err != nil {
		t.Fatal(err)
	}
	return d.Claims
}

// A client's static claims (or ctl claims) never put a cnf in an access
// token: only a verified proof binds it (docs/security.md rule 90).
func TestDPoPStaticCnfClaimNeverBinds(t *testing.T) {
	e := newEnv(t)
	e.addClient(store.Client{ID: "fake-cnf", AuthMethod: "client_secret_basic", Scopes: []string{"read"},
		GrantTypes: []string{GrantClientCredentials}, Claims: map[string]any{"cnf": map[string]any{"jkt": "forged"}, "tier": "gold"}},
		"fake-cnf-secret-0123456789")
	auth := basicAuth("fake-cnf", "fake-cnf-secret-0123456789")

	bearer := e.mustTokens(e.post("/token", form("grant_type", "client_credentials"), auth))
	c := claimsOfJWT(t, bearer.access)
	if c["cnf"] != nil || c["tier"] != "gold" {
		t.Errorf("a Bearer token has cnf %v (tier %v): a static claim faked a binding", c["cnf"], c["tier"])
	}
	if a := e.get("/protected", map[string]string{"Authorization": "Bearer " + bearer.access}); a.status != http.StatusOK {
		t.Errorf("the Bearer token as Bearer: %d %s", a.status, a.body)
	}

	k, _ := keys.Generate(keys.Spec{Type: keys.TypeEC})
	req := e.postReq("/token", form("grant_type", "client_credentials"), auth)
	req.Header.Set("DPoP", e.dpopProof(k, http.MethodPost, "/token", ""))
	r := e.do(req)
	if r.status != http.StatusOK || r.str(t, "token_type") != "DPoP" {
		t.Fatalf("with a proof: %d %s", r.status, r.body)
	}
	jkt, _ := keys.Thumbprint(k.Public)
	if cnf, _ := claimsOfJWT(t, r.str(t, "access_token"))["cnf"].(map[string]any); cnf["jkt"] != jkt {
		t.Errorf("cnf %v, want jkt %s", cnf, jkt)
	}
}

// The proof's htu must name the configured issuer: the listener's own
// address (what a client would see behind a proxy) is another URL.
func TestDPoPHTUIsTheIssuer(t *testing.T) {
	e := newEnv(t)
	k, _ := keys.Generate(keys.Spec{Type: keys.TypeEC})
	p, err := dpop.NewProof(k, dpop.ProofRequest{Method: http.MethodPost, URL: e.ts.URL + "/token", Now: e.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	req := e.postReq("/token", form("grant_type", "client_credentials"), webAuth)
	req.Header.Set("DPoP", p)
	r := e.do(req)
	if r.status != http.StatusBadRequest || r.str(t, "error") != dpop.ErrInvalidProof || !strings.Contains(r.str(t, "error_description"), testIssuer+"/token") {
		t.Errorf("proof for the listener's URL: %d %s", r.status, r.body)
	}
}
