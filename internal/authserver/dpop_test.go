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

// Introspection of a bound access token says so (RFC 9449 §6.2):
// token_type DPoP and cnf.jkt, the proof key's thumbprint; a Bearer token
// has neither. Both kinds of JWT: self-contained (client_credentials) and
// recorded (a code grant's).
func TestDPoPIntrospectionShowsBinding(t *testing.T) {
	e := newEnv(t)
	k, _ := keys.Generate(keys.Spec{Type: keys.TypeEC})
	jkt, _ := keys.Thumbprint(k.Public)

	req := e.postReq("/token", form("grant_type", "client_credentials"), webAuth)
	req.Header.Set("DPoP", e.dpopProof(k, http.MethodPost, "/token", ""))
	cc := e.do(req)
	if cc.status != http.StatusOK || cc.str(t, "token_type") != "DPoP" {
		t.Fatalf("client_credentials with a proof: %d %s", cc.status, cc.body)
	}
	code, verifier := e.newCode(codeSpec{scope: "read"})
	req = e.postReq("/token", form("grant_type", GrantAuthorizationCode, "code", code, "code_verifier", verifier,
		"redirect_uri", testRedirect), webAuth)
	req.Header.Set("DPoP", e.dpopProof(k, http.MethodPost, "/token", ""))
	ac := e.do(req)
	if ac.status != http.StatusOK || ac.str(t, "token_type") != "DPoP" {
		t.Fatalf("authorization_code with a proof: %d %s", ac.status, ac.body)
	}
	for name, tok := range map[string]string{"client_credentials": cc.str(t, "access_token"), "authorization_code": ac.str(t, "access_token")} {
		m := e.wantActive(tok)
		cnf, _ := m["cnf"].(map[string]any)
		if m["token_type"] != "DPoP" || cnf["jkt"] != jkt {
			t.Errorf("%s: introspection says token_type %v, cnf %v; want DPoP and jkt %s", name, m["token_type"], m["cnf"], jkt)
		}
	}
	m := e.wantActive(e.mustTokens(e.post("/token", form("grant_type", "client_credentials"), webAuth)).access)
	if _, has := m["cnf"]; has || m["token_type"] != "Bearer" {
		t.Errorf("a Bearer token: introspection says token_type %v, cnf %v", m["token_type"], m["cnf"])
	}
}
