package token

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"math/big"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/keys"
)

// encodingJSON is what marshalClaims must equal: encoding/json's Encoder
// without HTML escaping, less its newline.
func encodingJSON(t *testing.T, v any) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(buf.String())
}

// namedString is a string type of its own, which may marshal otherwise.
type namedString string

func TestMarshalClaimsMatchesEncodingJSON(t *testing.T) {
	self := map[string]any{"a": 1}
	self["self"] = self // a cycle: encoding/json's error, not a stack overflow
	deep := map[string]any{"v": "x"}
	for range maxJSONDepth + 2 {
		deep = map[string]any{"d": deep}
	}
	tests := []struct {
		name     string
		claims   any
		wantFast bool // written by appendJSON, not by encoding/json
	}{
		{"access token", map[string]any{"iss": "https://issuer.test", "sub": "svc", "aud": "https://issuer.test",
			"client_id": "svc", "iat": int64(1795428000), "exp": int64(1795429800), "jti": "abc-_0", "scope": "read write"}, true},
		{"audiences and cnf", map[string]any{"aud": []string{"https://a", "https://b"}, "cnf": map[string]any{"jkt": "x"}}, true},
		{"quotes backslashes html", map[string]any{"s": `a"b\c<d>&e`, `k"\`: "v", "t": "?>~ /{}"}, true},
		{"nil, empty, bools, ints", map[string]any{"n": nil, "e": "", "l": []string{}, "nl": []string(nil),
			"m": map[string]any{}, "nm": map[string]any(nil), "a": []any{}, "na": []any(nil), "t": true, "f": false,
			"i": -42, "big": int64(-1 << 63)}, true},
		{"nested lists", map[string]any{"act": map[string]any{"sub": "b", "act": map[string]any{"sub": "c"}},
			"groups": []any{"x", int64(1), []any{true, nil}, map[string]any{"z": "1", "a": "2"}}}, true},
		{"many keys", func() map[string]any {
			m := map[string]any{}
			for _, k := range strings.Fields("z y x w v u t s r q p o n m l k j i h g f e d c b a Z A _ 0 9 aa ab") {
				m[k] = k
			}
			return m
		}(), true},
		{"empty", map[string]any{}, true},
		{"float", map[string]any{"f": 1.5, "g": 1e21, "h": 1e-7}, false},
		{"non-ASCII", map[string]any{"name": "José", "x": "\u2028"}, false},
		{"control characters", map[string]any{"c": "a\tb\nc\x01\x7f"}, false},
		{"invalid UTF-8", map[string]any{"c": "\xff"}, false},
		{"non-ASCII key", map[string]any{"é": 1}, false},
		{"named string type", map[string]any{"k": namedString("v")}, false},
		{"raw message", map[string]any{"r": json.RawMessage(` { "b" : 1 } `)}, false},
		{"uint", map[string]any{"u": uint(7)}, false},
		{"too deep", deep, false},
		{"struct", struct {
			Sub string `json:"sub"`
		}{"a<b"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := marshalClaims(nil, tt.claims)
			if err != nil {
				t.Fatal(err)
			}
			if want := encodingJSON(t, tt.claims); string(got) != want {
				t.Fatalf("got  %s\nwant %s", got, want)
			}
			m, isMap := tt.claims.(map[string]any)
			_, fast := appendJSON(nil, m, 0)
			if isMap && fast != tt.wantFast {
				t.Fatalf("appendJSON handled it: %v, want %v", fast, tt.wantFast)
			}
		})
	}
	if _, err := marshalClaims(nil, self); err == nil || !strings.HasPrefix(err.Error(), "encoding claims: json: unsupported value: encountered a cycle") {
		t.Fatalf("cycle: err = %v", err)
	}
	if _, err := marshalClaims(nil, map[string]any(nil)); err == nil || err.Error() != "claims must encode to a JSON object" {
		t.Fatalf("nil map: err = %v", err)
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "abc", `"\`, "a\x00", "é", "\u2028", "<>&", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := appendJSONString(nil, s)
		if !ok {
			return
		}
		if want := encodingJSON(t, s); string(got) != want {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
	})
}

// headerOf decodes the JOSE header of tok as its raw JSON.
func headerOf(t *testing.T, tok string) string {
	t.Helper()
	d, err := Decode(tok)
	if err != nil {
		t.Fatal(err)
	}
	return string(d.RawHeader)
}

func TestSignHeaderCacheKeys(t *testing.T) {
	k := loadTestKeys(t)
	claims := map[string]any{"sub": "alice"}
	// Each call, in this order, after the same header was cached by an
	// earlier one: a cached header must not leak into another key.
	steps := []struct {
		key  *keys.Key
		opts SignOptions
		want string
	}{
		{k.ec256, SignOptions{KID: "k1", Typ: "at+jwt"}, `{"alg":"ES256","kid":"k1","typ":"at+jwt"}`},
		{k.ec256, SignOptions{KID: "k2", Typ: "at+jwt"}, `{"alg":"ES256","kid":"k2","typ":"at+jwt"}`},
		{k.ec256, SignOptions{KID: "k1"}, `{"alg":"ES256","kid":"k1","typ":"JWT"}`},
		{k.ec256, SignOptions{KID: "k1", Typ: "at+jwt"}, `{"alg":"ES256","kid":"k1","typ":"at+jwt"}`},
		{k.ec256, SignOptions{KID: "k1", OmitKID: true, Typ: "at+jwt"}, `{"alg":"ES256","typ":"at+jwt"}`},
		{k.rsa, SignOptions{KID: "k1", Typ: "at+jwt"}, `{"alg":"RS256","kid":"k1","typ":"at+jwt"}`},
		{k.rsa, SignOptions{KID: "k1", Typ: "at+jwt", Alg: "PS256"}, `{"alg":"PS256","kid":"k1","typ":"at+jwt"}`},
		{k.ed, SignOptions{KID: "<&>", Typ: "at+jwt"}, `{"alg":"EdDSA","kid":"\u003c\u0026\u003e","typ":"at+jwt"}`},
		{k.ed, SignOptions{KID: "<&>", Typ: "at+jwt"}, `{"alg":"EdDSA","kid":"\u003c\u0026\u003e","typ":"at+jwt"}`},
	}
	for i, s := range steps {
		if got := headerOf(t, mustSign(t, claims, s.key, s.opts)); got != s.want {
			t.Fatalf("step %d: header %s, want %s", i, got, s.want)
		}
	}
}

func TestSignJWKHeaderNeverCached(t *testing.T) {
	k := loadTestKeys(t)
	claims := map[string]any{"sub": "alice"}
	jwk1, err := keys.PublicJWK(k.ec256.Public)
	if err != nil {
		t.Fatal(err)
	}
	jwk2, err := keys.PublicJWK(k.ec384.Public)
	if err != nil {
		t.Fatal(err)
	}
	plain := headerOf(t, mustSign(t, claims, k.ec256, SignOptions{KID: "p", Typ: "dpop+jwt"}))
	if plain != `{"alg":"ES256","kid":"p","typ":"dpop+jwt"}` {
		t.Fatalf("header %s", plain)
	}
	for _, jwk := range []*keys.JWK{jwk1, jwk2, jwk1} {
		got := headerOf(t, mustSign(t, claims, k.ec256, SignOptions{KID: "p", Typ: "dpop+jwt", JWK: jwk}))
		want := `{"alg":"ES256","kid":"p","typ":"dpop+jwt","jwk":` + string(mustJSON(t, jwk)) + `}`
		if got != want {
			t.Fatalf("header %s\nwant   %s", got, want)
		}
	}
	if got := headerOf(t, mustSign(t, claims, k.ec256, SignOptions{KID: "p", Typ: "dpop+jwt"})); got != plain {
		t.Fatalf("after jwk headers: %s, want %s", got, plain)
	}
}

func TestSignHeaderCacheBounded(t *testing.T) {
	k := loadTestKeys(t)
	for i := range maxCachedHeaders + 10 {
		kid := "bounded-" + strings.Repeat("x", i)
		if got := headerOf(t, mustSign(t, map[string]any{}, k.ed, SignOptions{KID: kid})); got != `{"alg":"EdDSA","kid":"`+kid+`","typ":"JWT"}` {
			t.Fatalf("header %s", got)
		}
	}
	headerCache.mu.Lock()
	size := headerCache.size
	headerCache.mu.Unlock()
	n := 0
	headerCache.m.Range(func(any, any) bool { n++; return true })
	if size > maxCachedHeaders || n != size {
		t.Fatalf("cache holds %d headers (counted %d), bound %d", n, size, maxCachedHeaders)
	}
}

// The ECDSA signatures are R||S of the curve's size (RFC 7518 §3.4), R
// and S being the integers the key signed with.
func TestSignECDSAIsRawRS(t *testing.T) {
	k := loadTestKeys(t)
	for _, tt := range []struct {
		key  *keys.Key
		alg  string
		size int
	}{{k.ec256, "ES256", 32}, {k.ec384, "ES384", 48}, {k.ec521, "ES512", 66}} {
		for range 20 { // R or S with leading zero bytes now and then
			tok := mustSign(t, claimsAt(nil), tt.key, SignOptions{})
			d, err := Decode(tok)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Signature) != 2*tt.size {
				t.Fatalf("%s: signature of %d bytes, want %d", tt.alg, len(d.Signature), 2*tt.size)
			}
			var digest []byte
			switch tt.alg {
			case "ES256":
				s := sha256.Sum256([]byte(d.SigningInput))
				digest = s[:]
			case "ES384":
				s := sha512.Sum384([]byte(d.SigningInput))
				digest = s[:]
			default:
				s := sha512.Sum512([]byte(d.SigningInput))
				digest = s[:]
			}
			r := new(big.Int).SetBytes(d.Signature[:tt.size])
			s := new(big.Int).SetBytes(d.Signature[tt.size:])
			if !ecdsa.Verify(tt.key.Public.(*ecdsa.PublicKey), digest, r, s) {
				t.Fatalf("%s: R||S does not verify", tt.alg)
			}
			if _, err := (&Verifier{Keys: []*keys.Key{public(tt.key)}, Now: clock}).Verify(tok); err != nil {
				t.Fatalf("%s: Verify: %v", tt.alg, err)
			}
		}
	}
}

func TestParseECDSASignature(t *testing.T) {
	// r and s of 66 bytes each: the sequence is 136 bytes long, in DER's
	// long form (0x81 0x88).
	p521Sig := []byte{0x30, 0x81, 0x88, 0x02, 0x42}
	p521Sig = append(p521Sig, append([]byte{0x01}, bytes.Repeat([]byte{0xaa}, 65)...)...)
	p521Sig = append(p521Sig, 0x02, 0x42)
	p521Sig = append(p521Sig, append([]byte{0x01}, bytes.Repeat([]byte{0xbb}, 65)...)...)
	tests := []struct {
		name string
		der  []byte
		r, s string // the integers' bytes
		ok   bool
	}{
		{"short", []byte{0x30, 6, 2, 1, 5, 2, 1, 7}, "\x05", "\x07", true},
		{"sign padding stripped", []byte{0x30, 8, 2, 2, 0, 0x80, 2, 2, 0, 0xff}, "\x80", "\xff", true},
		{"long form length (P-521 size)", p521Sig, "\x01" + strings.Repeat("\xaa", 65), "\x01" + strings.Repeat("\xbb", 65), true},
		{"long form length not minimal", append([]byte{0x30, 0x81, 6}, 2, 1, 1, 2, 1, 2), "", "", false},
		{"negative r", []byte{0x30, 6, 2, 1, 0x80, 2, 1, 7}, "", "", false},
		{"trailing bytes", []byte{0x30, 6, 2, 1, 5, 2, 1, 7, 0}, "", "", false},
		{"truncated", []byte{0x30, 6, 2, 1, 5, 2, 1}, "", "", false},
		{"not a sequence", []byte{0x31, 6, 2, 1, 5, 2, 1, 7}, "", "", false},
		{"empty integer", []byte{0x30, 5, 2, 0, 2, 1, 7}, "", "", false},
		{"empty", nil, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, s, err := parseECDSASignature(tt.der)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok %v", err, tt.ok)
			}
			if tt.ok && (string(r) != tt.r || string(s) != tt.s) {
				t.Fatalf("r %x s %x, want %x %x", r, s, tt.r, tt.s)
			}
		})
	}
}

// A token's bytes do not depend on what the pooled buffers held before.
func TestSignPooledBuffersDoNotLeak(t *testing.T) {
	k := loadTestKeys(t)
	long := map[string]any{"sub": strings.Repeat("long", 500), "scope": "a b c"}
	short := map[string]any{"sub": "s"}
	for range 5 {
		mustSign(t, long, k.ed, SignOptions{})
		d, err := Decode(mustSign(t, short, k.ed, SignOptions{}))
		if err != nil {
			t.Fatal(err)
		}
		if string(d.RawClaims) != `{"sub":"s"}` {
			t.Fatalf("claims %s", d.RawClaims)
		}
	}
}

// go test -run='^$' -bench=Sign -benchmem ./internal/token/
func BenchmarkSign(b *testing.B) {
	k := loadTestKeys(b)
	claims := map[string]any{"iss": "http://127.0.0.1:8080", "sub": "bench", "aud": "http://127.0.0.1:8080",
		"client_id": "bench", "iat": fixedNow.Unix(), "exp": fixedNow.Unix() + 1800, "jti": "Qm9vdHN0cmFwcGVkLWp0aQ", "scope": "read"}
	for _, tt := range []struct {
		name string
		key  *keys.Key
	}{{"ES256", k.ec256}, {"EdDSA", k.ed}, {"RS256", k.rsa}} {
		b.Run(tt.name, func(b *testing.B) {
			opts := SignOptions{KID: tt.key.KeyID(), Typ: "at+jwt"}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Sign(claims, tt.key, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
