package token

import (
	"testing"

	"github.com/oauthkit/oauthkit/keys"
)

const tencentToken = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE1OTIyNzk3MTAsImZvbyI6ImJhciIsImlhdCI6MTU5MjI3OTQxMCwianRpIjoiZlBGYlFZRkR4REx3d0lXTFl0aHBBQSIsIm5iZiI6MTU5MjI3OTQxMCwid3VwIjo5MH0.0JQquNRVCQ8n9hPV-mJi6Mku_7G3T1jFp68Sk2AYBijpzzBMQ1KOcREyo9G6QOpvdctynGOAPkL3cwqeTzkFhWgGj633pu_MdLjlectEBMGyVQIv6pL8OBMCHMQzTUTpHWJ_NoUkLpRLKGqZFFcXW8q7v4KeCbf8xHUa9OCH5VF2JxYOnFWDVgucSqao06r0Jaq64LDwKIhLw77ujheKpcBjRrf1kqoIpqk2qhb8CzxM36g_DawMadzKmX49dT-k7auNnI2xUtu5CZdXZ3lSmLeicXfGjc66rrH_acqUqipZRKeeQ5F3Ma467jPQaTeOKiCMHwS2_yp-sXNU2GzxOA"

// FuzzDecode: Decode never panics, fails only with KindMalformed, and what
// it accepts re-encodes to exactly the input (strict base64url).
func FuzzDecode(f *testing.F) {
	f.Add(tencentToken)
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.")
	f.Add("a.b.c.d.e")
	f.Add("e30.e30.e30")
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		d, err := Decode(tok)
		if err != nil {
			if KindOf(err) != KindMalformed {
				t.Fatalf("error of kind %v: %v", KindOf(err), err)
			}
			return
		}
		if d.Header == nil || d.Claims == nil {
			t.Fatalf("nil header or claims for %q", tok)
		}
		if again := d.SigningInput + "." + encodeSegment(d.Signature); again != tok {
			t.Fatalf("re-encoded %q, input %q", again, tok)
		}
		if h := encodeSegment(d.RawHeader) + "." + encodeSegment(d.RawClaims); h != d.SigningInput {
			t.Fatalf("signing input %q, parts give %q", d.SigningInput, h)
		}
	})
}

// FuzzVerify: Verify never panics, every rejection is classified, and an
// accepted token stops verifying when one bit of its signature flips.
func FuzzVerify(f *testing.F) {
	rsaKey, ecKey, edKey := loadKey(f, "rsa"), loadKey(f, "ec256"), loadKey(f, "ed25519")
	for _, k := range []*keys.Key{rsaKey, ecKey, edKey} {
		f.Add(mustSign(f, claimsAt(nil), k, SignOptions{}))
		f.Add(mustSign(f, claimsAt(nil), k, SignOptions{OmitKID: true}))
	}
	f.Add(mustSign(f, claimsAt(map[string]any{"exp": 1}), rsaKey, SignOptions{}))
	f.Add(unsigned(f, map[string]any{"alg": "none"}, claimsAt(nil)))
	f.Add(hmacToken(f, map[string]any{"alg": "HS256"}, claimsAt(nil), []byte("secret")))
	f.Add(tencentToken)
	v := &Verifier{
		Keys:   []*keys.Key{public(rsaKey), public(ecKey), public(edKey)},
		Issuer: "https://issuer.test", Audience: "api", Now: clock,
	}
	f.Fuzz(func(t *testing.T, tok string) {
		got, err := v.Verify(tok)
		if err != nil {
			if KindOf(err) == 0 {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		if got.Key == nil || keys.CheckAlg(got.Key.Public, got.Alg) != nil {
			t.Fatalf("accepted with key %v alg %s", got.Key, got.Alg)
		}
		sig := append([]byte(nil), got.Signature...)
		sig[len(sig)/2] ^= 0x10
		if _, err := v.Verify(got.SigningInput + "." + encodeSegment(sig)); KindOf(err) != KindSignature {
			t.Fatalf("flipped signature: err = %v", err)
		}
	})
}
