package jwt

import (
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	e := newEnv(t)
	ed := e.writeKey(t, "ed25519")
	tok := e.sign(t, "--key", ed.priv, "--kid", "k1", "--jti", "j1", "--claims", `{"sub":"alice","n":1.50}`, "--exp", "12m")
	const header = "{\n  \"alg\": \"EdDSA\",\n  \"kid\": \"k1\",\n  \"typ\": \"JWT\"\n}\n"
	const claims = "{\n  \"exp\": 1795428720,\n  \"iat\": 1795428000,\n  \"jti\": \"j1\",\n  \"n\": 1.50,\n  \"nbf\": 1795428000,\n  \"sub\": \"alice\"\n}\n"
	tests := []struct {
		name   string
		args   []string
		stdin  string
		tty    bool
		stdout string
	}{
		{"text", []string{"decode", tok}, "", false, header + claims},
		{"stdin", []string{"decode", "-"}, "\n  " + tok + "\n", false, header + claims},
		{"Bearer prefix", []string{"decode", "Bearer " + tok}, "", false, header + claims},
		{"Authorization header line", []string{"decode", "-"}, "Authorization: bearer " + tok + "\n", false, header + claims},
		{"gateway id_token quoting", []string{"decode", `Bearer id_token="` + tok + `"`}, "", false, header + claims},
		{"terminal adds times", []string{"decode", tok}, "", true, header + claims +
			"iat: 2026-11-23T10:00:00Z (now)\nnbf: 2026-11-23T10:00:00Z (now)\nexp: 2026-11-23T10:12:00Z (in 12m)\n"},
		{"json", []string{"decode", tok, "-o", "json"}, "", false,
			"{\n  \"header\": {\n    \"alg\": \"EdDSA\",\n    \"kid\": \"k1\",\n    \"typ\": \"JWT\"\n  },\n  \"claims\": {\n    \"exp\": 1795428720,\n    \"iat\": 1795428000,\n    \"jti\": \"j1\",\n    \"n\": 1.50,\n    \"nbf\": 1795428000,\n    \"sub\": \"alice\"\n  }\n}\n"},
		{"json on a terminal has no times", []string{"decode", tok, "-o", "json"}, "", true,
			"{\n  \"header\": {\n    \"alg\": \"EdDSA\",\n    \"kid\": \"k1\",\n    \"typ\": \"JWT\"\n  },\n  \"claims\": {\n    \"exp\": 1795428720,\n    \"iat\": 1795428000,\n    \"jti\": \"j1\",\n    \"n\": 1.50,\n    \"nbf\": 1795428000,\n    \"sub\": \"alice\"\n  }\n}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.in.Reset()
			e.in.WriteString(tt.stdin)
			e.f.IOStreams.SetTTY(false, tt.tty, false)
			if code, err := e.run(tt.args...); code != 0 {
				t.Fatalf("exit %d: %v", code, err)
			}
			if e.out.String() != tt.stdout {
				t.Errorf("stdout\n got: %q\nwant: %q", e.out, tt.stdout)
			}
			if e.errOut.String() != "note: signature NOT verified\n" {
				t.Errorf("stderr %q", e.errOut)
			}
		})
	}
}

func TestDecodeTimesOnTerminal(t *testing.T) {
	e := newEnv(t)
	e.f.IOStreams.SetTTY(false, true, false)
	// An expired token with a malformed nbf: times are still explained.
	tok := seg(`{"alg":"RS256"}`) + "." + seg(`{"exp":1795427700,"nbf":"soon"}`) + ".c2ln"
	if code, err := e.run("decode", tok); code != 0 {
		t.Fatalf("exit %d: %v", code, err)
	}
	want := "nbf: nbf claim is a string, not a NumericDate (seconds since 1970)\nexp: 2026-11-23T09:55:00Z (5m ago)\n"
	if !strings.HasSuffix(e.out.String(), want) {
		t.Fatalf("stdout %q, want it to end with %q", e.out, want)
	}
}

func TestDecodeErrors(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		msg   string
	}{
		{"no argument", []string{"decode"}, "", 2, "jwt decode takes 1 argument(s), got 0 (see 'jwt decode --help')"},
		{"empty stdin", []string{"decode", "-"}, "\n", 1, "no token given"},
		{"Bearer alone", []string{"decode", "Bearer "}, "", 1, "no token given"},
		{"not a JWT", []string{"decode", "hello"}, "", 1, "token has 1 part(s) separated by '.', a signed JWT has 3 (header.payload.signature)"},
		{"JWE", []string{"decode", "a.b.c.d.e"}, "", 1, "token has 5 parts: it is an encrypted JWT (JWE), which cannot be read without the decryption key"},
		{"payload not JSON", []string{"decode", seg(`{}`) + "." + seg("hi") + ".x"}, "", 1, "payload is not a JSON object: invalid character 'h' looking for beginning of value"},
		{"bad output", []string{"decode", "a.b.c", "-o", "yaml"}, "", 2, `--output "yaml" is not one of text, json`},
		{"huge stdin", []string{"decode", "-"}, strings.Repeat("A", 100000), 1, "token is 100000 bytes long, more than the 65536 accepted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.in.Reset()
			e.in.WriteString(tt.stdin)
			code, err := e.run(tt.args...)
			if code != tt.code || err == nil || err.Error() != tt.msg {
				t.Fatalf("exit %d, err %v\nwant exit %d, %s", code, err, tt.code, tt.msg)
			}
			if e.out.Len() != 0 || e.errOut.Len() != 0 {
				t.Fatalf("stdout %q stderr %q", e.out, e.errOut)
			}
		})
	}
}
