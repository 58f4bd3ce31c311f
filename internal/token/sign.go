package token

import (
	"crypto"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oauthkit/oauthkit/internal/token/rsasign"
	"github.com/oauthkit/oauthkit/keys"
)

// ErrNoPrivateKey is returned by Sign for a key without its private half.
var ErrNoPrivateKey = errors.New("signing needs a private key")

// SignOptions tune the JOSE header of a signed token.
type SignOptions struct {
	// Alg defaults to the key's Algorithm(); it must fit the key.
	Alg string
	// KID defaults to the key's KeyID() (its kid or RFC 7638 thumbprint).
	KID string
	// OmitKID leaves kid out of the header.
	OmitKID bool
	// Typ defaults to "JWT"; an authorization server passes "at+jwt".
	Typ string
	// JWK, when set, is written as the header's "jwk" member (a DPoP proof,
	// RFC 9449 §4.2); it must be a public key.
	JWK *keys.JWK
}

// header is the JOSE header Sign writes, members in this order.
type header struct {
	Alg string    `json:"alg"`
	Kid string    `json:"kid,omitempty"`
	Typ string    `json:"typ"`
	JWK *keys.JWK `json:"jwk,omitempty"`
}

// Sign returns the compact JWS of claims (a map or a struct that encodes to
// a JSON object) signed with key's private half.
func Sign(claims any, key *keys.Key, opts SignOptions) (string, error) {
	if key == nil || key.Public == nil {
		return "", errors.New("no signing key")
	}
	if key.Private == nil {
		return "", ErrNoPrivateKey
	}
	alg := opts.Alg
	if alg == "" {
		alg = key.Algorithm()
	}
	if err := CheckAlgName(alg); err != nil {
		return "", err
	}
	if err := keys.CheckAlg(key.Public, alg); err != nil {
		return "", fmt.Errorf("alg %s does not fit the key: %w", alg, err)
	}
	method := jwt.GetSigningMethod(alg)
	if method == nil {
		return "", fmt.Errorf("alg %q is not supported", alg)
	}
	if opts.JWK != nil && opts.JWK.IsPrivate() {
		return "", errors.New("the jwk header member must not carry private key members")
	}
	h := header{Alg: alg, Kid: opts.KID, Typ: opts.Typ, JWK: opts.JWK}
	switch {
	case opts.OmitKID:
		h.Kid = ""
	case h.Kid == "":
		h.Kid = key.KeyID()
	}
	if h.Typ == "" {
		h.Typ = "JWT"
	}
	head, err := encodedHeader(h)
	if err != nil {
		return "", err
	}
	buf := getSignBuf()
	defer putSignBuf(buf)
	payload, err := marshalClaims(buf.json[:0], claims)
	buf.json = payload[:0]
	if err != nil {
		return "", err
	}
	// One buffer holds the signing input, then the whole token.
	enc := base64.RawURLEncoding
	out := buf.out[:0]
	out = append(out, head...)
	out = append(out, '.')
	out = enc.AppendEncode(out, payload)
	sig, err := signInput(method, alg, out, key.Private)
	if err != nil {
		buf.out = out[:0]
		return "", fmt.Errorf("signing with %s: %w", alg, err)
	}
	out = append(out, '.')
	out = enc.AppendEncode(out, sig)
	buf.out = out[:0]
	return string(out), nil
}

// signInput signs the JWS signing input: RSA through the build's
// rsasign.Default (crypto/rsa, or OpenSSL with -tags openssl), ECDSA and
// Ed25519 keys of the standard library directly (sign_direct.go), any
// other signer through golang-jwt.
func signInput(method jwt.SigningMethod, alg string, input []byte, priv crypto.Signer) ([]byte, error) {
	if rsaKey, ok := priv.(*rsa.PrivateKey); ok {
		if hash, pss, ok := rsasign.ForAlg(alg); ok {
			return rsasign.Default.Sign(rsaKey, hash, pss, input)
		}
	}
	if sig, ok, err := signDirect(alg, input, priv); ok {
		return sig, err
	}
	return method.Sign(string(input), priv)
}

// signBuf holds the buffers of one Sign call: the claims' JSON and the
// token being built. They go back to signBufs once the token is a string.
type signBuf struct {
	json, out []byte
}

var signBufs = sync.Pool{New: func() any { return &signBuf{json: make([]byte, 0, 512), out: make([]byte, 0, 1024)} }}

// maxPooledBuf: a buffer grown past this (a token with huge claims) is
// dropped rather than kept for every later call.
const maxPooledBuf = 64 << 10

func getSignBuf() *signBuf { return signBufs.Get().(*signBuf) }

func putSignBuf(b *signBuf) {
	if cap(b.json) > maxPooledBuf || cap(b.out) > maxPooledBuf {
		return
	}
	signBufs.Put(b)
}

// headerKey is what a JOSE header without jwk is made of.
type headerKey struct{ alg, kid, typ string }

// headerCache maps a headerKey to its encoded header (base64url of its
// JSON): a server signs with a few keys, so it encodes each header once.
// A header with a jwk member (a DPoP proof) is encoded every time.
var headerCache struct {
	m    sync.Map // headerKey -> string
	mu   sync.Mutex
	size int
}

// maxCachedHeaders bounds headerCache: past it, headers are encoded per
// call (a caller passing ever new kids must not grow memory).
const maxCachedHeaders = 64

// encodedHeader returns the base64url encoding of h's JSON.
func encodedHeader(h header) (string, error) {
	if h.JWK != nil {
		return marshalHeader(h)
	}
	k := headerKey{h.Alg, h.Kid, h.Typ}
	if v, ok := headerCache.m.Load(k); ok {
		return v.(string), nil
	}
	s, err := marshalHeader(h)
	if err != nil {
		return "", err
	}
	headerCache.mu.Lock()
	if headerCache.size < maxCachedHeaders {
		if _, loaded := headerCache.m.LoadOrStore(k, s); !loaded {
			headerCache.size++
		}
	}
	headerCache.mu.Unlock()
	return s, nil
}

func marshalHeader(h header) (string, error) {
	b, err := json.Marshal(h)
	if err != nil {
		return "", err
	}
	return encodeSegment(b), nil
}
