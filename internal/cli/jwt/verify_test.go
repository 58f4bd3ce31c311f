package jwt

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/keys"
)

// writeJWKS writes the public JWKS of ks and returns its path and content.
func (e *testEnv) writeJWKS(t *testing.T, name string, ks ...*keys.Key) (string, []byte) {
	t.Helper()
	var set keys.JWKS
	for _, k := range ks {
		j, err := k.PublicJWK()
		if err != nil {
			t.Fatal(err)
		}
		set.Keys = append(set.Keys, j)
	}
	data, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return e.write(t, name, data), data
}

func TestVerifyAccepts(t *testing.T) {
	e := newEnv(t)
	rsa, ec, ed := e.writeKey(t, "rsa"), e.writeKey(t, "ec256"), e.writeKey(t, "ed25519")
	jwks, _ := e.writeJWKS(t, "jwks.json", rsa.key, ec.key, ed.key)
	rsaTok := e.sign(t, "--key", rsa.priv, "--iss", "https://issuer.test", "--aud", "api", "--jti", "j1")
	const claims = "{\n  \"aud\": \"api\",\n  \"exp\": 1795428300,\n  \"iat\": 1795428000,\n  \"iss\": \"https://issuer.test\",\n  \"jti\": \"j1\",\n  \"nbf\": 1795428000\n}\n"
	tests := []struct {
		name   string
		args   []string
		stderr bool // stderr is a terminal
		stdout string
		errOut string
	}{
		{"public PEM", []string{rsaTok, "--key", rsa.pub, "--iss", "https://issuer.test", "--aud", "api"}, false, claims, ""},
		{"private PEM", []string{rsaTok, "--key", rsa.priv}, false, claims, ""},
		{"JWKS file, kid selects", []string{"Bearer " + rsaTok, "--jwks", jwks}, false, claims, ""},
		{"json", []string{rsaTok, "--jwks", jwks, "-o", "json"}, false,
			"{\n  \"valid\": true,\n  \"header\": {\n    \"alg\": \"RS256\",\n    \"kid\": \"" + rsa.key.KeyID() + "\",\n    \"typ\": \"JWT\"\n  },\n  \"claims\": " +
				strings.ReplaceAll(strings.TrimSuffix(claims, "\n"), "\n", "\n  ") + "\n}\n", ""},
		{"talk on a terminal", []string{rsaTok, "--key", rsa.pub}, true, claims, "verified: RS256 signature by key " + rsa.key.KeyID() + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.f.IOStreams.SetTTY(false, false, tt.stderr)
			if code, err := e.run(append([]string{"verify"}, tt.args...)...); code != 0 {
				t.Fatalf("exit %d: %v", code, err)
			}
			if e.out.String() != tt.stdout {
				t.Errorf("stdout\n got: %q\nwant: %q", e.out, tt.stdout)
			}
			if e.errOut.String() != tt.errOut {
				t.Errorf("stderr %q, want %q", e.errOut, tt.errOut)
			}
		})
	}
	e.f.IOStreams.SetTTY(false, false, false)

	// Each key type, alg pinning by flag, leeway and --allow-no-exp.
	accepted := []struct {
		name string
		sign []string
		args []string
	}{
		{"EC from the JWKS", []string{"--key", ec.priv}, []string{"--jwks", jwks}},
		{"Ed25519 without kid", []string{"--key", ed.priv, "--kid", ""}, []string{"--jwks", jwks}},
		{"PS256 allowed by --alg", []string{"--key", rsa.priv, "--alg", "PS256"}, []string{"--key", rsa.pub, "--alg", "RS256,PS256"}},
		{"expired within the leeway", []string{"--key", rsa.priv, "--exp", "-1m"}, []string{"--key", rsa.pub, "--leeway", "90s"}},
		{"no exp allowed", []string{"--key", rsa.priv, "--exp", "0"}, []string{"--key", rsa.pub, "--allow-no-exp"}},
		{"audience array", []string{"--key", rsa.priv, "--aud", "web", "--aud", "api"}, []string{"--key", rsa.pub, "--aud", "api"}},
	}
	for _, tt := range accepted {
		t.Run(tt.name, func(t *testing.T) {
			tok := e.sign(t, tt.sign...)
			if code, err := e.run(append([]string{"verify", tok}, tt.args...)...); code != 0 {
				t.Fatalf("exit %d: %v", code, err)
			}
			if _, c := decoded(t, tok); strings.Join(strings.Fields(e.out.String()), "") != c {
				t.Fatalf("stdout %q is not the claims %s", e.out, c)
			}
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	e := newEnv(t)
	rsa, rsa2 := e.writeKey(t, "rsa"), e.writeKey(t, "rsa2")
	kid := rsa.key.KeyID()
	jwks, _ := e.writeJWKS(t, "jwks.json", rsa.key)
	good := e.sign(t, "--key", rsa.priv, "--iss", "https://issuer.test", "--aud", "api")
	parts := strings.Split(good, ".")
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sig[0] ^= 0x80
	flipped := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)
	expired := e.sign(t, "--key", rsa.priv, "--exp", "-1m")
	ep := strings.Split(expired, ".")
	expiredBadSig := ep[0] + "." + seg(`{"exp":1795427940,"sub":"mallory"}`) + "." + ep[2]
	pubPEM, _ := os.ReadFile(rsa.pub)
	hsInput := seg(`{"alg":"HS256","kid":"`+kid+`","typ":"JWT"}`) + "." + parts[1]
	mac := hmac.New(sha256.New, pubPEM)
	mac.Write([]byte(hsInput))
	hs256 := hsInput + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	sigInvalid := `token signature is invalid (alg RS256, kid "` + kid + `")`

	tests := []struct {
		name string
		args []string
		code int
		msg  string
		kind string
	}{
		{"alg none", []string{seg(`{"alg":"none"}`) + "." + parts[1] + ".", "--key", rsa.pub}, 1,
			`alg "none" is refused: unsigned tokens are never accepted`, "token_algorithm"},
		{"HS256 keyed with the public key", []string{hs256, "--key", rsa.pub}, 1,
			`alg "HS256" is refused: HMAC (shared-secret) algorithms are not accepted, only public-key ones (RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA)`, "token_algorithm"},
		{"missing exp", []string{e.sign(t, "--key", rsa.priv, "--exp", "0"), "--key", rsa.pub}, 1,
			"token has no exp (expiration) claim, and one is required (--allow-no-exp accepts it)", "token_missing_exp"},
		{"wrong issuer", []string{good, "--key", rsa.pub, "--iss", "https://other.test"}, 1,
			`token issuer "https://issuer.test" is not the expected "https://other.test"`, "token_issuer"},
		{"audience not included", []string{good, "--key", rsa.pub, "--aud", "web"}, 1,
			`token audience ["api"] does not include the expected "web"`, "token_audience"},
		{"truncated token", []string{good[:len(good)-len(parts[2])-1], "--key", rsa.pub}, 1,
			"token has 2 part(s) separated by '.', a signed JWT has 3 (header.payload.signature)", "token_malformed"},
		{"truncated signature", []string{good[:len(good)-6], "--key", rsa.pub}, 1, sigInvalid, "token_signature"},
		{"bit-flipped signature", []string{flipped, "--key", rsa.pub}, 1, sigInvalid, "token_signature"},
		{"expired and badly signed", []string{expiredBadSig, "--key", rsa.pub}, 1, sigInvalid, "token_signature"},
		{"expired", []string{expired, "--key", rsa.pub}, 1, "token expired at 2026-11-23T09:59:00Z (1m ago)", "token_expired"},
		{"expired beyond the leeway", []string{expired, "--key", rsa.pub, "--leeway", "30s"}, 1, "token expired at 2026-11-23T09:59:00Z (1m ago), beyond the 30s leeway", "token_expired"},
		{"not yet valid", []string{e.sign(t, "--key", rsa.priv, "--nbf", "10m"), "--key", rsa.pub}, 1, "token is not valid before 2026-11-23T10:10:00Z (in 10m)", "token_not_yet_valid"},
		{"signed by another key", []string{e.sign(t, "--key", rsa2.priv, "--kid", kid), "--jwks", jwks}, 1, sigInvalid, "token_signature"},
		{"unknown kid", []string{e.sign(t, "--key", rsa2.priv), "--jwks", jwks}, 1, `no key has kid "` + rsa2.key.KeyID() + `" (known: "` + kid + `")`, "token_unknown_kid"},
		{"alg not pinned", []string{e.sign(t, "--key", rsa.priv, "--alg", "PS256"), "--key", rsa.pub}, 1, `alg PS256 is not allowed for the RSA 2048-bit key "` + kid + `" (allowed: RS256)`, "token_algorithm"},
		{"alg outside --alg", []string{good, "--key", rsa.pub, "--alg", "PS256"}, 1, `alg RS256 is not allowed for the RSA 2048-bit key "` + kid + `" (allowed: PS256)`, "token_algorithm"},
		{"JWK alg wins over --alg", []string{e.sign(t, "--key", rsa.priv, "--alg", "PS256"), "--jwks", jwks, "--alg", "PS256"}, 1, `alg PS256 is not allowed for the RSA 2048-bit key "` + kid + `" (no algorithm is: check the key's use and alg)`, "token_algorithm"},
		{"garbage", []string{"not-a-token", "--key", rsa.pub}, 1, "token has 1 part(s) separated by '.', a signed JWT has 3 (header.payload.signature)", "token_malformed"},
		{"missing key file", []string{good, "--key", e.dir + "/none.pem"}, 2, e.dir + "/none.pem: no such file or directory", "usage"},
		{"neither --key nor --jwks", []string{good}, 2, "give exactly one of --jwks or --key (see 'jwt verify --help')", "usage"},
		{"both --key and --jwks", []string{good, "--key", rsa.pub, "--jwks", jwks}, 2, "give exactly one of --jwks or --key (see 'jwt verify --help')", "usage"},
		{"--alg HS256", []string{good, "--key", rsa.pub, "--alg", "RS256,HS256"}, 2, `--alg: alg "HS256" is refused: HMAC (shared-secret) algorithms are not accepted, only public-key ones (RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA)`, "usage"},
		{"--alg none", []string{good, "--key", rsa.pub, "--alg", "none"}, 2, `--alg: alg "none" is refused: unsigned tokens are never accepted`, "usage"},
		{"negative leeway", []string{good, "--key", rsa.pub, "--leeway", "-1s"}, 2, "--leeway must not be negative, got -1s", "usage"},
		{"zero timeout", []string{good, "--key", rsa.pub, "--timeout", "0s"}, 2, "--timeout must be positive, got 0s", "usage"},
		{"two tokens", []string{good, good, "--key", rsa.pub}, 2, "jwt verify takes 1 argument(s), got 2 (see 'jwt verify --help')", "usage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, err := e.run(append([]string{"verify"}, tt.args...)...)
			if code != tt.code || err == nil || err.Error() != tt.msg {
				t.Fatalf("exit %d, err %v\nwant exit %d, %s", code, err, tt.code, tt.msg)
			}
			if kind := errorKind(err); kind != tt.kind {
				t.Errorf("kind %q, want %q", kind, tt.kind)
			}
			if e.out.Len() != 0 {
				t.Fatalf("stdout %q", e.out)
			}
		})
	}
}

func TestVerifyFlagParsing(t *testing.T) {
	e := newEnv(t)
	var got *VerifyOptions
	cmd := NewCmdVerify(e.f, func(o *VerifyOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"tok", "--jwks", "https://x/jwks", "--alg", "RS256,PS256", "--alg", "ES256", "--leeway", "30s", "--iss", "i", "--aud", "a", "--allow-no-exp"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Token != "tok" || got.JWKS != "https://x/jwks" || strings.Join(got.Algs, " ") != "RS256 PS256 ES256" ||
		got.Leeway.String() != "30s" || got.Issuer != "i" || got.Audience != "a" || !got.AllowNoExp || got.Timeout.String() != "10s" || got.Output != "text" {
		t.Fatalf("options %+v", got)
	}
}
