package jwt

import (
	"os"
	"regexp"
	"testing"
)

func TestSignClaimsAndHeader(t *testing.T) {
	e := newEnv(t)
	rsa := e.writeKey(t, "rsa")
	ed := e.writeKey(t, "ed25519")
	claimsFile := e.write(t, "claims.json", []byte(`{"foo":"bar","wup":90}`))
	kid := rsa.key.KeyID()
	tests := []struct {
		name   string
		args   []string
		stdin  string
		header string
		claims string
	}{
		{"defaults", []string{"--key", rsa.priv, "--jti", "j1"},
			"", `{"alg":"RS256","kid":"` + kid + `","typ":"JWT"}`,
			`{"exp":1795428300,"iat":1795428000,"jti":"j1","nbf":1795428000}`},
		{"every flag", []string{"--key", rsa.priv, "--iss", "https://issuer.test", "--sub", "alice", "--aud", "api", "--aud", "web",
			"--scope", "read write", "--exp", "1h", "--nbf", "-30s", "--kid", "k1", "--typ", "at+jwt", "--alg", "PS256", "--jti", "abc"},
			"", `{"alg":"PS256","kid":"k1","typ":"at+jwt"}`,
			`{"aud":["api","web"],"exp":1795431600,"iat":1795428000,"iss":"https://issuer.test","jti":"abc","nbf":1795427970,"scope":"read write","sub":"alice"}`},
		{"claims keep their values and precision", []string{"--key", rsa.priv, "--claims", `{"foo":"bar","exp":1,"iat":2,"jti":"x","big":12345678901234567890}`},
			"", `{"alg":"RS256","kid":"` + kid + `","typ":"JWT"}`,
			`{"big":12345678901234567890,"exp":1,"foo":"bar","iat":2,"jti":"x","nbf":1795428000}`},
		{"flags override claims", []string{"--key", rsa.priv, "--claims", `{"exp":1,"nbf":2,"sub":"bob","aud":"x","jti":"x"}`, "--exp", "2m", "--nbf", "1m", "--sub", "alice", "--aud", "api", "--jti", "y"},
			"", `{"alg":"RS256","kid":"` + kid + `","typ":"JWT"}`,
			`{"aud":"api","exp":1795428120,"iat":1795428000,"jti":"y","nbf":1795428060,"sub":"alice"}`},
		{"--exp 0, --jti and --kid empty leave them out", []string{"--key", ed.priv, "--exp", "0", "--jti", "", "--kid", ""},
			"", `{"alg":"EdDSA","typ":"JWT"}`,
			`{"iat":1795428000,"nbf":1795428000}`},
		{"expired token", []string{"--key", ed.priv, "--exp", "-1m", "--jti", "j"},
			"", `{"alg":"EdDSA","kid":"` + ed.key.KeyID() + `","typ":"JWT"}`,
			`{"exp":1795427940,"iat":1795428000,"jti":"j","nbf":1795428000}`},
		{"claims from a file", []string{"--key", ed.priv, "--claims", "@" + claimsFile, "--jti", "j"},
			"", `{"alg":"EdDSA","kid":"` + ed.key.KeyID() + `","typ":"JWT"}`,
			`{"exp":1795428300,"foo":"bar","iat":1795428000,"jti":"j","nbf":1795428000,"wup":90}`},
		{"claims from stdin", []string{"--key", ed.priv, "--claims", "@-", "--jti", "j"},
			`{"scope":"a"}`, `{"alg":"EdDSA","kid":"` + ed.key.KeyID() + `","typ":"JWT"}`,
			`{"exp":1795428300,"iat":1795428000,"jti":"j","nbf":1795428000,"scope":"a"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.in.Reset()
			e.in.WriteString(tt.stdin)
			tok := e.sign(t, tt.args...)
			h, c := decoded(t, tok)
			if h != tt.header {
				t.Errorf("header\n got: %s\nwant: %s", h, tt.header)
			}
			if c != tt.claims {
				t.Errorf("claims\n got: %s\nwant: %s", c, tt.claims)
			}
			if e.errOut.Len() != 0 {
				t.Errorf("stderr: %q", e.errOut)
			}
		})
	}
}

func TestSignRandomJTI(t *testing.T) {
	e := newEnv(t)
	ec := e.writeKey(t, "ec256")
	seen := map[string]bool{}
	jtiClaim := regexp.MustCompile(`"jti":"([A-Za-z0-9_-]{22})"`)
	for range 3 {
		_, c := decoded(t, e.sign(t, "--key", ec.priv))
		m := jtiClaim.FindStringSubmatch(c)
		if m == nil {
			t.Fatalf("no 128-bit base64url jti in %s", c)
		}
		if seen[m[1]] {
			t.Fatalf("jti %s repeated", m[1])
		}
		seen[m[1]] = true
	}
}

func TestSignErrors(t *testing.T) {
	e := newEnv(t)
	rsa := e.writeKey(t, "rsa")
	rsa2 := e.writeKey(t, "rsa2")
	badClaims := e.write(t, "bad.json", []byte(`["a"]`))
	rsaData, _ := os.ReadFile(rsa.priv)
	rsa2Data, _ := os.ReadFile(rsa2.priv)
	two := e.write(t, "two.pem", append(rsaData, rsa2Data...))
	kid1, kid2 := rsa.key.KeyID(), rsa2.key.KeyID()
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no key", []string{"sign"}, 2, "--key is required: the private key to sign with (see 'jwt sign --help')"},
		{"positional argument", []string{"sign", "--key", rsa.priv, "extra"}, 2, `jwt sign takes no arguments, got "extra" (see 'jwt sign --help')`},
		{"HMAC alg", []string{"sign", "--key", rsa.priv, "--alg", "HS256"}, 2, `--alg: alg "HS256" is refused: HMAC (shared-secret) algorithms are not accepted, only public-key ones (RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA)`},
		{"alg none", []string{"sign", "--key", rsa.priv, "--alg", "none"}, 2, `--alg: alg "none" is refused: unsigned tokens are never accepted`},
		{"alg of another family", []string{"sign", "--key", rsa.priv, "--alg", "ES256"}, 2, `--alg: alg "ES256" cannot be used with an RSA key (allowed: RS256, RS384, RS512, PS256, PS384, PS512)`},
		{"public key only", []string{"sign", "--key", rsa.pub}, 1, rsa.pub + " holds only a public key: signing needs a private key"},
		{"missing key file", []string{"sign", "--key", e.dir + "/nope.pem"}, 2, e.dir + "/nope.pem: no such file or directory"},
		{"claims not JSON", []string{"sign", "--key", rsa.priv, "--claims", "nope"}, 2, "--claims: not valid JSON: invalid character 'o' in literal null (expecting 'u')"},
		{"claims an array", []string{"sign", "--key", rsa.priv, "--claims", "[1]"}, 2, "--claims: not a JSON object"},
		{"claims with trailing data", []string{"sign", "--key", rsa.priv, "--claims", `{"a":1} x`}, 2, "--claims: unexpected data after the JSON object"},
		{"claims file not an object", []string{"sign", "--key", rsa.priv, "--claims", "@" + badClaims}, 1, "claims in " + badClaims + ": not a JSON object"},
		{"claims file missing", []string{"sign", "--key", rsa.priv, "--claims", "@" + e.dir + "/none.json"}, 2, e.dir + "/none.json: no such file or directory"},
		{"two private keys", []string{"sign", "--key", two}, 1, two + " holds 2 private keys: choose one with --kid (" + kid1 + ", " + kid2 + ")"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, err := e.run(tt.args...)
			if code != tt.code || err == nil || err.Error() != tt.msg {
				t.Fatalf("exit %d, err %v\nwant exit %d, %s", code, err, tt.code, tt.msg)
			}
			if e.out.Len() != 0 {
				t.Fatalf("stdout %q", e.out)
			}
		})
	}
	// --kid picks one of several private keys.
	h, _ := decoded(t, e.sign(t, "--key", two, "--kid", kid2))
	if want := `{"alg":"RS256","kid":"` + kid2 + `","typ":"JWT"}`; h != want {
		t.Fatalf("header %s, want %s", h, want)
	}
}

func TestSignFlagParsing(t *testing.T) {
	e := newEnv(t)
	var got *SignOptions
	cmd := NewCmdSign(e.f, func(o *SignOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--key", "k.pem", "--aud", "a,b", "--aud", "c", "--kid", "", "--exp", "90s"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.KeyFile != "k.pem" || len(got.Aud) != 2 || got.Aud[0] != "a,b" || got.Exp.Seconds() != 90 || got.Typ != "JWT" {
		t.Fatalf("options %+v", got)
	}
	if !got.Set["kid"] || !got.Set["exp"] || got.Set["nbf"] || got.Set["jti"] {
		t.Fatalf("set flags %v", got.Set)
	}
}
