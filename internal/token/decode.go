// Package token signs, verifies and decodes JSON Web Tokens (compact JWS,
// RFC 7515/7519) with public-key algorithms only, over golang-jwt/jwt/v5.
//
// Verification is strict and ordered: structure, algorithm (pinned per key,
// never "none" nor HMAC), key (by kid), signature, and only then the claims
// (exp, nbf, iat, iss, aud, typ). Every rejection is an *Error whose Kind
// tells callers why, with a one-line message naming the claim and values.
package token

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MaxLength bounds the size of a token accepted by Decode and Verify; longer
// input is refused before any decoding work (docs/security.md rule 37).
const MaxLength = 64 << 10

// Decoded is a JWT split into its parts, with nothing verified.
type Decoded struct {
	// Header and Claims are the decoded JSON objects; numbers are json.Number
	// so no precision is lost.
	Header map[string]any
	Claims map[string]any
	// RawHeader and RawClaims are the JSON texts as they appear in the token
	// (member order kept).
	RawHeader []byte
	RawClaims []byte
	// SigningInput is "header.payload", the bytes the signature covers.
	SigningInput string
	// Signature is the decoded signature (empty for an unsigned token).
	Signature []byte
}

// Alg returns the header's "alg" when it is a string, else "".
func (d *Decoded) Alg() string { return headerString(d.Header, "alg") }

// KeyID returns the header's "kid" when it is a string, else "".
func (d *Decoded) KeyID() string { return headerString(d.Header, "kid") }

// Type returns the header's "typ" when it is a string, else "".
func (d *Decoded) Type() string { return headerString(d.Header, "typ") }

func headerString(h map[string]any, name string) string {
	s, _ := h[name].(string)
	return s
}

// decodeSegment decodes base64url without padding, strictly: only the 64
// characters of the alphabet (encoding/base64 would skip CR and LF), and the
// unused low bits of the last character must be zero, so a flipped bit there
// cannot decode to the same bytes.
func decodeSegment(seg string) ([]byte, error) {
	for i := 0; i < len(seg); i++ {
		if c := seg[i]; !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return nil, fmt.Errorf("character %q at offset %d is not in the base64url alphabet", c, i)
		}
	}
	return base64.RawURLEncoding.Strict().DecodeString(seg)
}

// encodeSegment encodes base64url without padding.
func encodeSegment(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// Decode splits a compact JWT into header, claims and signature without
// verifying anything. Errors are *Error of KindMalformed.
func Decode(token string) (*Decoded, error) {
	if len(token) > MaxLength {
		return nil, newError(KindMalformed, "token is %d bytes long, more than the %d accepted", len(token), MaxLength)
	}
	if token == "" {
		return nil, newError(KindMalformed, "token is empty")
	}
	switch n := strings.Count(token, ".") + 1; {
	case n == 5:
		return nil, newError(KindMalformed, "token has 5 parts: it is an encrypted JWT (JWE), which cannot be read without the decryption key")
	case n != 3:
		return nil, newError(KindMalformed, "token has %d part(s) separated by '.', a signed JWT has 3 (header.payload.signature)", n)
	}
	parts := strings.SplitN(token, ".", 3)
	rawHeader, header, err := decodeObject(parts[0], "header")
	if err != nil {
		return nil, err
	}
	rawClaims, claims, err := decodeObject(parts[1], "payload")
	if err != nil {
		return nil, err
	}
	sig, err := decodeSegment(parts[2])
	if err != nil {
		return nil, newError(KindMalformed, "signature is not valid base64url: %v", err)
	}
	return &Decoded{
		Header:       header,
		Claims:       claims,
		RawHeader:    rawHeader,
		RawClaims:    rawClaims,
		SigningInput: parts[0] + "." + parts[1],
		Signature:    sig,
	}, nil
}

// decodeObject base64url-decodes a segment that must hold one JSON object.
func decodeObject(seg, what string) ([]byte, map[string]any, error) {
	if seg == "" {
		return nil, nil, newError(KindMalformed, "%s is empty", what)
	}
	raw, err := decodeSegment(seg)
	if err != nil {
		return nil, nil, newError(KindMalformed, "%s is not valid base64url: %v", what, err)
	}
	obj, err := parseObject(raw)
	if err != nil {
		return nil, nil, newError(KindMalformed, "%s is not a JSON object: %v", what, err)
	}
	return raw, obj, nil
}

// parseObject parses exactly one JSON object, keeping numbers as json.Number.
func parseObject(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("found %s", jsonTypeName(v))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the object")
	}
	return obj, nil
}

// jsonTypeName names the JSON type of a decoded value.
func jsonTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number, float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
