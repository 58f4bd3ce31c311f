package token

import (
	"encoding/json"
	"strings"
	"testing"
)

func seg(s string) string { return encodeSegment([]byte(s)) }

func TestDecode(t *testing.T) {
	// The token of the Tencent demo (seed 000): RS256, claims in its order.
	const tencent = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE1OTIyNzk3MTAsImZvbyI6ImJhciIsImlhdCI6MTU5MjI3OTQxMCwianRpIjoiZlBGYlFZRkR4REx3d0lXTFl0aHBBQSIsIm5iZiI6MTU5MjI3OTQxMCwid3VwIjo5MH0.0JQquNRVCQ8n9hPV-mJi6Mku_7G3T1jFp68Sk2AYBijpzzBMQ1KOcREyo9G6QOpvdctynGOAPkL3cwqeTzkFhWgGj633pu_MdLjlectEBMGyVQIv6pL8OBMCHMQzTUTpHWJ_NoUkLpRLKGqZFFcXW8q7v4KeCbf8xHUa9OCH5VF2JxYOnFWDVgucSqao06r0Jaq64LDwKIhLw77ujheKpcBjRrf1kqoIpqk2qhb8CzxM36g_DawMadzKmX49dT-k7auNnI2xUtu5CZdXZ3lSmLeicXfGjc66rrH_acqUqipZRKeeQ5F3Ma467jPQaTeOKiCMHwS2_yp-sXNU2GzxOA"
	d, err := Decode(tencent)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(d.RawHeader); got != `{"alg":"RS256","typ":"JWT"}` {
		t.Errorf("header %s", got)
	}
	if got := string(d.RawClaims); got != `{"exp":1592279710,"foo":"bar","iat":1592279410,"jti":"fPFbQYFDxDLwwIWLYthpAA","nbf":1592279410,"wup":90}` {
		t.Errorf("claims %s", got)
	}
	if d.Alg() != "RS256" || d.Type() != "JWT" || d.KeyID() != "" || len(d.Signature) != 256 {
		t.Errorf("alg %q typ %q kid %q sig %d bytes", d.Alg(), d.Type(), d.KeyID(), len(d.Signature))
	}
	if d.Claims["exp"] != json.Number("1592279710") || d.Claims["foo"] != "bar" {
		t.Errorf("claims %#v", d.Claims)
	}
	if d.SigningInput != tencent[:strings.LastIndexByte(tencent, '.')] {
		t.Errorf("signing input %s", d.SigningInput)
	}
}

func TestDecodeKeepsNumberPrecision(t *testing.T) {
	tok := seg(`{"alg":"none"}`) + "." + seg(`{"big":123456789012345678901234567890,"f":1.000000000000000001}`) + "."
	d, err := Decode(tok)
	if err != nil {
		t.Fatal(err)
	}
	if d.Claims["big"] != json.Number("123456789012345678901234567890") || d.Claims["f"] != json.Number("1.000000000000000001") {
		t.Fatalf("claims %#v", d.Claims)
	}
	if len(d.Signature) != 0 {
		t.Fatalf("signature %x", d.Signature)
	}
}

func TestDecodeMalformed(t *testing.T) {
	h, p := seg(`{"alg":"RS256"}`), seg(`{"sub":"a"}`)
	tests := []struct {
		name, token, msg string
	}{
		{"empty", "", "token is empty"},
		{"one part", "abc", "token has 1 part(s) separated by '.', a signed JWT has 3 (header.payload.signature)"},
		{"four parts", "a.b.c.d", "token has 4 part(s) separated by '.', a signed JWT has 3 (header.payload.signature)"},
		{"JWE", "a.b.c.d.e", "token has 5 parts: it is an encrypted JWT (JWE), which cannot be read without the decryption key"},
		{"empty header", "." + p + ".c2ln", "header is empty"},
		{"empty payload", h + "..c2ln", "payload is empty"},
		{"header not base64url", "eyJ!." + p + ".c2ln", "header is not valid base64url: character '!' at offset 3 is not in the base64url alphabet"},
		{"padded header", h + "=." + p + ".c2ln", "header is not valid base64url: character '=' at offset 20 is not in the base64url alphabet"},
		{"standard base64 signature", h + "." + p + ".ab+/", "signature is not valid base64url: character '+' at offset 2 is not in the base64url alphabet"},
		{"line break in the payload", h + "." + p[:4] + "\r\n" + p[4:] + ".c2ln", "payload is not valid base64url: character '\\r' at offset 4 is not in the base64url alphabet"},
		{"space in the signature", h + "." + p + ".c2 ln", "signature is not valid base64url: character ' ' at offset 2 is not in the base64url alphabet"},
		{"non-canonical last character", h + "." + p + ".c2l", "signature is not valid base64url: illegal base64 data at input byte 2"},
		{"header not JSON", seg("alg") + "." + p + ".c2ln", "header is not a JSON object: invalid character 'a' looking for beginning of value"},
		{"header an array", seg(`["alg"]`) + "." + p + ".c2ln", "header is not a JSON object: found an array"},
		{"payload a string", h + "." + seg(`"sub"`) + ".c2ln", "payload is not a JSON object: found a string"},
		{"payload null", h + "." + seg(`null`) + ".c2ln", "payload is not a JSON object: found null"},
		{"payload with trailing data", h + "." + seg(`{"a":1}{"b":2}`) + ".c2ln", "payload is not a JSON object: unexpected data after the object"},
		{"payload truncated JSON", h + "." + seg(`{"a":1`) + ".c2ln", "payload is not a JSON object: unexpected EOF"},
		{"too long", strings.Repeat("a", MaxLength+1), "token is 65537 bytes long, more than the 65536 accepted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Decode(tt.token)
			if err == nil {
				t.Fatalf("decoded %+v", d)
			}
			if err.Error() != tt.msg {
				t.Errorf("err\n got: %v\nwant: %s", err, tt.msg)
			}
			if KindOf(err) != KindMalformed {
				t.Errorf("kind %v", KindOf(err))
			}
		})
	}
}

func TestDecodeAcceptsMaxLength(t *testing.T) {
	h := seg(`{"alg":"RS256"}`)
	pad := MaxLength - len(h) - len(`..c2ln`) - len(seg(`{"p":""}`))
	p := seg(`{"p":"` + strings.Repeat("x", pad*3/4) + `"}`)
	tok := h + "." + p + ".c2ln"
	if len(tok) > MaxLength {
		t.Fatalf("test token is %d bytes", len(tok))
	}
	if _, err := Decode(tok); err != nil {
		t.Fatalf("Decode of a %d-byte token: %v", len(tok), err)
	}
}
