package clientauth

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/keys"
)

var assertNow = time.Unix(1_800_000_000, 0)

func genKey(t *testing.T, s keys.Spec) *keys.Key {
	t.Helper()
	k, err := keys.Generate(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func publicOf(t *testing.T, k *keys.Key) *keys.Key {
	t.Helper()
	return &keys.Key{Public: k.Public, KID: k.KID}
}

func expectFor(id string) Expect {
	return Expect{What: "client_assertion", Issuer: id, Subject: id, Audiences: []string{"https://as.test"}, Now: assertNow}
}

// TestNewAssertionRoundTrip: what NewAssertion mints passes the server's
// checks for every key type, and HMAC with the secret.
func TestNewAssertionRoundTrip(t *testing.T) {
	ec := genKey(t, keys.Spec{Type: keys.TypeEC})
	ed := genKey(t, keys.Spec{Type: keys.TypeEd25519})
	rsa := genKey(t, keys.Spec{Type: keys.TypeRSA})
	cases := []struct {
		name string
		k    AssertionKey
		v    Verification
		alg  string
	}{
		{"ES256", AssertionKey{Key: ec}, Verification{Keys: []*keys.Key{publicOf(t, ec)}}, "ES256"},
		{"EdDSA", AssertionKey{Key: ed}, Verification{Keys: []*keys.Key{publicOf(t, ed)}}, "EdDSA"},
		{"RS256", AssertionKey{Key: rsa}, Verification{Keys: []*keys.Key{publicOf(t, rsa)}}, "RS256"},
		{"PS256 pinned", AssertionKey{Key: rsa, Alg: "PS256"}, Verification{Keys: []*keys.Key{publicOf(t, rsa)}, Alg: "PS256"}, "PS256"},
		{"HS256", AssertionKey{Secret: "s3cret-s3cret-s3cret"}, Verification{Secret: []byte("s3cret-s3cret-s3cret")}, "HS256"},
		{"HS512", AssertionKey{Secret: "s3cret-s3cret-s3cret", Alg: "HS512"}, Verification{Secret: []byte("s3cret-s3cret-s3cret"), Alg: "HS512"}, "HS512"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw, err := NewAssertion(AssertionClaims{Issuer: "app", Audience: "https://as.test", Now: assertNow}, c.k)
			if err != nil {
				t.Fatal(err)
			}
			a, err := ParseAssertion("client_assertion", raw)
			if err != nil {
				t.Fatal(err)
			}
			if a.Alg != c.alg || a.Issuer != "app" || a.Subject != "app" || a.JTI == "" || !a.ExpiresAt.Equal(assertNow.Add(60*time.Second)) {
				t.Errorf("minted %+v", a)
			}
			if a.KeyID != "" {
				t.Errorf("a key without a kid of its own sent kid %q", a.KeyID)
			}
			if err := a.CheckClaims(expectFor("app")); err != nil {
				t.Fatal(err)
			}
			c.v.Now = assertNow
			if err := a.Verify(c.v); err != nil {
				t.Fatal(err)
			}
		})
	}
	a1, _ := NewAssertion(AssertionClaims{Issuer: "app", Audience: "x", Now: assertNow}, AssertionKey{Key: ec})
	a2, _ := NewAssertion(AssertionClaims{Issuer: "app", Audience: "x", Now: assertNow}, AssertionKey{Key: ec})
	p1, _ := ParseAssertion("a", a1)
	p2, _ := ParseAssertion("a", a2)
	if p1.JTI == p2.JTI {
		t.Errorf("two assertions share jti %q", p1.JTI)
	}
}

func TestVerifyRefusals(t *testing.T) {
	ec := genKey(t, keys.Spec{Type: keys.TypeEC})
	other := genKey(t, keys.Spec{Type: keys.TypeEC})
	pemPub, err := keys.EncodePublicPEM(ec.Public)
	if err != nil {
		t.Fatal(err)
	}
	mint := func(k AssertionKey) *Assertion {
		t.Helper()
		raw, err := NewAssertion(AssertionClaims{Issuer: "app", Audience: "https://as.test", Now: assertNow}, k)
		if err != nil {
			t.Fatal(err)
		}
		a, err := ParseAssertion("client_assertion", raw)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	pub := []*keys.Key{publicOf(t, ec)}
	cases := []struct {
		name string
		a    *Assertion
		v    Verification
		want string
	}{
		{"HS256 keyed with the public PEM, verified with keys", mint(AssertionKey{Secret: string(pemPub)}), Verification{Keys: pub}, "HMAC algorithm, but the client authenticates with public keys"},
		{"another key", mint(AssertionKey{Key: other}), Verification{Keys: pub}, "signature is invalid"},
		{"pinned alg", mint(AssertionKey{Key: ec}), Verification{Keys: pub, Alg: "ES384"}, "the client's algorithm is ES384"},
		{"wrong secret", mint(AssertionKey{Secret: "one-secret"}), Verification{Secret: []byte("another-secret")}, "does not verify with the client secret"},
		{"ES256 for a secret client", mint(AssertionKey{Key: ec}), Verification{Secret: []byte("s")}, "no public keys, only a secret"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.v.Now = assertNow
			err := c.a.Verify(c.v)
			if err == nil || !errors.Is(err, ErrInvalidAssertion) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Verify: %v, want %q", err, c.want)
			}
		})
	}
	kidKey := genKey(t, keys.Spec{Type: keys.TypeEC})
	kidKey.KID = "ghost"
	err = mint(AssertionKey{Key: kidKey}).Verify(Verification{Keys: []*keys.Key{{Public: ec.Public, KID: "k1"}}, Now: assertNow})
	if !errors.Is(err, ErrUnknownKey) {
		t.Errorf("unknown kid: %v, want ErrUnknownKey", err)
	}
}

func TestFromRequestAssertion(t *testing.T) {
	ec := genKey(t, keys.Spec{Type: keys.TypeEC})
	raw, _ := NewAssertion(AssertionClaims{Issuer: "app", Audience: "https://as.test", Now: assertNow}, AssertionKey{Key: ec})
	hs, _ := NewAssertion(AssertionClaims{Issuer: "app", Audience: "https://as.test", Now: assertNow}, AssertionKey{Secret: "s"})
	form := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v
	}
	r := httptest.NewRequest("POST", "/token", nil)
	c, err := FromRequest(r, form("client_assertion_type", AssertionType, "client_assertion", raw))
	if err != nil || c.Method != MethodPrivateKeyJWT || c.ClientID != "app" || c.Assertion == nil {
		t.Fatalf("private_key_jwt: %+v, %v", c, err)
	}
	c, err = FromRequest(r, form("client_assertion_type", AssertionType, "client_assertion", hs, "client_id", "app"))
	if err != nil || c.Method != MethodSecretJWT {
		t.Fatalf("client_secret_jwt: %+v, %v", c, err)
	}
	basic := httptest.NewRequest("POST", "/token", nil)
	basic.Header.Set("Authorization", "Basic "+Encode("app", "x", false))
	for _, tc := range []struct {
		name string
		r    *http.Request
		f    url.Values
		code string
	}{
		{"no type", r, form("client_assertion", raw), "invalid_request"},
		{"other type", r, form("client_assertion_type", "urn:x", "client_assertion", raw), "invalid_request"},
		{"no assertion", r, form("client_assertion_type", AssertionType), "invalid_request"},
		{"two assertions", r, form("client_assertion_type", AssertionType, "client_assertion", raw, "client_assertion", raw), "invalid_request"},
		{"with client_secret", r, form("client_assertion_type", AssertionType, "client_assertion", raw, "client_secret", "x"), "invalid_request"},
		{"with Basic", basic, form("client_assertion_type", AssertionType, "client_assertion", raw), "invalid_request"},
		{"not a JWT", r, form("client_assertion_type", AssertionType, "client_assertion", "abc"), "invalid_client"},
		{"client_id differs", r, form("client_assertion_type", AssertionType, "client_assertion", raw, "client_id", "other"), "invalid_client"},
	} {
		_, err := FromRequest(tc.r, tc.f)
		if err == nil || OAuthErrorCode(err) != tc.code {
			t.Errorf("%s: %v (%s), want %s", tc.name, err, OAuthErrorCode(err), tc.code)
		}
	}
}
