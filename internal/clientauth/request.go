package clientauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
)

// Method is a client authentication method (RFC 7591 §2 names).
type Method string

// The client authentication methods of RFC 6749 §2.3.
const (
	MethodBasic Method = "client_secret_basic"
	MethodPost  Method = "client_secret_post"
	MethodNone  Method = "none"
)

// Credentials are what a request presents to identify its client.
type Credentials struct {
	Method   Method
	ClientID string
	// Secret is empty for MethodNone and the JWT methods.
	Secret string
	// Assertion is the decoded, not yet verified, client_assertion of
	// MethodPrivateKeyJWT and MethodSecretJWT (nil otherwise).
	Assertion *Assertion
}

// FromRequest finds the client credentials of a token-endpoint style
// request (RFC 6749 §2.3). form holds the parameters of the request body;
// the caller parses it (and refuses what does not belong there).
//
//   - An Authorization header with the Basic scheme is client_secret_basic;
//     its id and secret are form-decoded (RFC 6749 §2.3.1). Other schemes are
//     not client authentication and are ignored.
//   - client_id and client_secret in the body are client_secret_post.
//   - client_id alone in the body is none (a public client).
//   - client_assertion_type and client_assertion in the body are
//     private_key_jwt or client_secret_jwt (RFC 7523 §2.2, fromAssertion);
//     the client is the assertion's sub.
//
// Errors (all answered with invalid_request, see OAuthErrorCode, except
// ErrNoClient): malformed Basic credentials (ErrMalformed), Basic together
// with a client_secret in the body (ErrMultipleMethods), a body client_id
// that differs from Basic's (ErrClientIDMismatch), a parameter sent twice
// (ErrRepeatedParameter), client_secret in the URI query (ErrSecretInQuery),
// or no client named at all (ErrNoClient).
func FromRequest(r *http.Request, form url.Values) (Credentials, error) {
	if r.URL != nil && r.URL.RawQuery != "" && r.URL.Query().Has("client_secret") {
		return Credentials{}, requestf(ErrSecretInQuery, "client_secret must not be sent in the request URI (RFC 6749 §2.3.1)")
	}
	for _, name := range []string{"client_id", "client_secret"} {
		if len(form[name]) > 1 {
			return Credentials{}, requestf(ErrRepeatedParameter, "parameter %s is repeated (RFC 6749 §3.2)", name)
		}
	}
	if form.Has("client_assertion") || form.Has("client_assertion_type") {
		return fromAssertion(r, form)
	}
	bodyID, bodySecret := form.Get("client_id"), form.Get("client_secret")

	if auth, present := basicHeader(r); present {
		if len(r.Header.Values("Authorization")) > 1 {
			return Credentials{}, requestf(ErrRepeatedParameter, "the Authorization header is repeated (RFC 9110 §11.6.2)")
		}
		id, secret, err := Decode(auth, false)
		if err != nil {
			return Credentials{}, err
		}
		if bodySecret != "" {
			return Credentials{}, requestf(ErrMultipleMethods, "client authenticated with both HTTP Basic and client_secret in the body (RFC 6749 §2.3.1)")
		}
		if bodyID != "" && bodyID != id {
			return Credentials{}, requestf(ErrClientIDMismatch, "client_id in the body differs from the one in HTTP Basic (RFC 6749 §2.3.1)")
		}
		return Credentials{Method: MethodBasic, ClientID: id, Secret: secret}, nil
	}

	switch {
	case bodySecret != "" && bodyID == "":
		return Credentials{}, requestf(ErrNoClient, "client_secret in the body without a client_id (RFC 6749 §2.3.1)")
	case bodySecret != "":
		return Credentials{Method: MethodPost, ClientID: bodyID, Secret: bodySecret}, nil
	case bodyID != "":
		return Credentials{Method: MethodNone, ClientID: bodyID}, nil
	}
	return Credentials{}, requestf(ErrNoClient, "no client authentication: use HTTP Basic, or client_id (and client_secret) in the body (RFC 6749 §2.3)")
}

// basicHeader returns the Authorization header when its scheme is Basic.
func basicHeader(r *http.Request) (string, bool) {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	if len(h) < len(Scheme) || !strings.EqualFold(h[:len(Scheme)], Scheme) {
		return "", false
	}
	if len(h) > len(Scheme) && h[len(Scheme)] != ' ' && h[len(Scheme)] != '\t' {
		return "", false // another scheme that starts with "Basic"
	}
	return h, true
}

// SecretEqual compares two secrets (or their hashes) in constant time. Both
// are hashed first, so neither the content nor the length of the expected
// value leaks through timing.
func SecretEqual(a, b []byte) bool {
	ha, hb := sha256.Sum256(a), sha256.Sum256(b)
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}
