package flow

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/token"
	"github.com/oauthkit/oauthkit/keys"
)

// FuzzIDTokenClaims: whatever claims a correctly signed ID token carries,
// checking never panics, and a token is accepted only when iss is the
// issuer, aud holds the client_id, exp is ahead, iat and sub are present
// and the nonce is the one sent.
func FuzzIDTokenClaims(f *testing.F) {
	good := `{"iss":"https://as","sub":"alice","aud":"cli","iat":1795435200,"exp":1795438800,"nonce":"N"}`
	f.Add(good, "N", "")
	f.Add(`{"iss":"https://as","sub":"alice","aud":["cli","api"],"azp":"cli","iat":1,"exp":1795438800,"nonce":"N"}`, "N", "")
	f.Add(`{"iss":"https://as","sub":"","aud":"cli","iat":"x","exp":1e300,"nonce":7}`, "N", "")
	f.Add(`{"iss":"https://as","sub":"alice","aud":"cli","iat":1,"exp":1795438800,"at_hash":"TGzI76nalPU1HXCt-rev1g"}`, "", oidcAccessToken)
	k, err := keys.Generate(keys.Spec{Type: keys.TypeEC})
	if err != nil {
		f.Fatal(err)
	}
	k.KID = "k1"
	c := &Client{Now: func() time.Time { return testNow }, Endpoints: Endpoints{Issuer: "https://as"}, ClientID: "cli"}
	f.Fuzz(func(t *testing.T, claims, nonce, accessToken string) {
		if !json.Valid([]byte(claims)) {
			return
		}
		idt, err := token.Sign(json.RawMessage(claims), k, token.SignOptions{})
		if err != nil {
			return
		}
		tr := &TokenResponse{IDToken: idt, AccessToken: accessToken}
		if err := c.verifyIDTokenWith([]*keys.Key{k}, tr, IDTokenExpect{Rule: NonceSent, Nonce: nonce}); err != nil {
			return
		}
		var m map[string]any
		if err := json.Unmarshal(tr.IDTokenClaims, &m); err != nil {
			t.Fatalf("accepted claims that are not an object: %s", tr.IDTokenClaims)
		}
		aud, _, _ := token.Audience(m)
		exp, hasExp, _ := token.NumericDate(m, "exp")
		gotNonce, _ := m["nonce"].(string)
		sub, _ := m["sub"].(string)
		if m["iss"] != "https://as" || !slices.Contains(aud, "cli") || !hasExp || !exp.After(testNow) ||
			m["iat"] == nil || sub == "" || gotNonce != nonce {
			t.Fatalf("accepted %s with nonce %q", claims, nonce)
		}
	})
}
