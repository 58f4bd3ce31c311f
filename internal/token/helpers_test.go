package token

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oauthkit/oauthkit/keys"
)

// fixedNow is the clock of every test: 2026-11-23T10:00:00Z.
var fixedNow = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func clock() time.Time { return fixedNow }

// loadKey reads testdata/NAME.pem (one private key).
func loadKey(t testing.TB, name string) *keys.Key {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name+".pem"))
	if err != nil {
		t.Fatal(err)
	}
	ks, err := keys.Parse(data)
	if err != nil || len(ks) != 1 {
		t.Fatalf("parse %s: %v (%d keys)", name, err, len(ks))
	}
	return ks[0]
}

// public returns k without its private half.
func public(k *keys.Key) *keys.Key {
	return &keys.Key{Public: k.Public, KID: k.KID, Alg: k.Alg, Use: k.Use}
}

// claimsAt returns typical claims relative to fixedNow.
func claimsAt(extra map[string]any) map[string]any {
	c := map[string]any{
		"iss": "https://issuer.test",
		"sub": "alice",
		"aud": "api",
		"iat": fixedNow.Add(-time.Minute).Unix(),
		"nbf": fixedNow.Add(-time.Minute).Unix(),
		"exp": fixedNow.Add(5 * time.Minute).Unix(),
	}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
			continue
		}
		c[k] = v
	}
	return c
}

func mustSign(t testing.TB, claims any, k *keys.Key, opts SignOptions) string {
	t.Helper()
	tok, err := Sign(claims, k, opts)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	return tok
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// unsigned builds header.payload. with an empty signature (alg none style).
func unsigned(t testing.TB, header, claims any) string {
	return encodeSegment(mustJSON(t, header)) + "." + encodeSegment(mustJSON(t, claims)) + "."
}

// hmacToken builds an HS256 token keyed with secret (the classic attack
// keys it with the verifier's public key PEM).
func hmacToken(t testing.TB, header, claims any, secret []byte) string {
	input := encodeSegment(mustJSON(t, header)) + "." + encodeSegment(mustJSON(t, claims))
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(input))
	return input + "." + encodeSegment(m.Sum(nil))
}

// replacePayload replaces the payload of tok, keeping its header and signature.
func replacePayload(t testing.TB, tok string, claims any) string {
	t.Helper()
	d, err := Decode(tok)
	if err != nil {
		t.Fatal(err)
	}
	h := encodeSegment(d.RawHeader)
	return h + "." + encodeSegment(mustJSON(t, claims)) + "." + encodeSegment(d.Signature)
}

// signRaw signs header (JSON text, used as is) and claims with k, the
// algorithm taken from the header.
func signRaw(t testing.TB, header string, claims any, k *keys.Key) string {
	t.Helper()
	var h struct{ Alg string }
	if err := json.Unmarshal([]byte(header), &h); err != nil {
		t.Fatal(err)
	}
	input := encodeSegment([]byte(header)) + "." + encodeSegment(mustJSON(t, claims))
	sig, err := jwt.GetSigningMethod(h.Alg).Sign(input, k.Private)
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + encodeSegment(sig)
}
