package dpop

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// Error codes of RFC 9449 §5 and §8.
const (
	ErrInvalidProof = "invalid_dpop_proof"
	ErrUseNonce     = "use_dpop_nonce"
)

// DefaultWindow is how far a proof's iat may be from the server's clock.
const DefaultWindow = 60 * time.Second

// Error is a refused proof: Code is ErrInvalidProof or ErrUseNonce, and
// Description names the rule with its RFC 9449 section. Store is set when
// the replay cache failed (then Code is empty).
type Error struct {
	Code        string
	Description string
	Store       error
}

func (e *Error) Error() string {
	if e.Store != nil {
		return "dpop: replay cache: " + e.Store.Error()
	}
	return e.Code + ": " + e.Description
}

func invalid(format string, a ...any) *Error {
	return &Error{Code: ErrInvalidProof, Description: fmt.Sprintf(format, a...)}
}

// Verifier checks proofs against requests (RFC 9449 §4.3). Now and Replays
// are required.
type Verifier struct {
	Now func() time.Time
	// Window bounds |now - iat|; DefaultWindow when zero.
	Window time.Duration
	// Replays remembers each proof's jti (key prefix "dpop:") until the
	// proof could no longer be accepted anyway.
	Replays store.ReplayStore
	// Nonces, when set, makes a server nonce mandatory (RFC 9449 §8).
	Nonces *Nonces
}

// Request is what a proof must match: the HTTP method, the URL of the
// endpoint as the server is known by (its issuer and the path; query and
// fragment are ignored), and at a resource the access token presented.
type Request struct {
	Method      string
	URL         string
	AccessToken string // "" at the token endpoint: the proof must have no ath then
}

// Verify checks the DPoP header values of a request: exactly one proof
// (RFC 9449 §4.3 point 1), Parse's checks, htm, htu, iat within the
// window, ath, the nonce when required, and that its jti was not seen
// before. The jti is recorded last, so a refused proof does not use it up.
func (v *Verifier) Verify(ctx context.Context, headers []string, req Request) (*Proof, *Error) {
	if len(headers) != 1 {
		return nil, invalid("exactly one DPoP header is required, got %d (RFC 9449 §4.3)", len(headers))
	}
	p, err := Parse(headers[0])
	if err != nil {
		return nil, invalid("%v (RFC 9449 §4.3)", err)
	}
	if p.HTM != req.Method {
		return nil, invalid("the proof's htm %s does not match the request method %s (RFC 9449 §4.3)", quote(p.HTM), req.Method)
	}
	if !SameURL(p.HTU, req.URL) {
		return nil, invalid("the proof's htu %s does not match the request URL %s without query and fragment (RFC 9449 §4.3)", quote(p.HTU), req.URL)
	}
	now := v.Now()
	window := v.Window
	if window <= 0 {
		window = DefaultWindow
	}
	if d := now.Sub(p.IssuedAt); d > window || d < -window {
		when := "old"
		if d < 0 {
			when = "far in the future"
		}
		return nil, invalid("the proof's iat is too %s: %s from the server's time, more than the %s allowed (RFC 9449 §4.3)", when, d.Abs().Round(time.Second), window)
	}
	switch {
	case req.AccessToken == "" && p.ATH != "":
		return nil, invalid("the proof has an ath claim but no access token is presented (RFC 9449 §4.3)")
	case req.AccessToken != "" && p.ATH == "":
		return nil, invalid("the proof has no ath claim; at a resource it must hash the access token (RFC 9449 §4.3)")
	case req.AccessToken != "" && subtle.ConstantTimeCompare([]byte(p.ATH), []byte(ATH(req.AccessToken))) != 1:
		return nil, invalid("the proof's ath does not match the access token presented (RFC 9449 §4.3)")
	}
	if v.Nonces != nil {
		switch {
		case p.Nonce == "":
			return nil, &Error{Code: ErrUseNonce, Description: "this server requires a nonce in DPoP proofs; use the one in the DPoP-Nonce header (RFC 9449 §8)"}
		case !v.Nonces.Valid(p.Nonce):
			return nil, &Error{Code: ErrUseNonce, Description: "the proof's nonce is unknown or expired; use the one in the DPoP-Nonce header (RFC 9449 §8)"}
		}
	}
	// Kept until the proof would be refused as too old anyway.
	err = v.Replays.Use(ctx, replayKey(p), now, p.IssuedAt.Add(window+time.Second))
	switch {
	case errors.Is(err, store.ErrReplayed):
		return nil, invalid("the proof's jti was already used: each request needs a fresh proof (RFC 9449 §11.1)")
	case err != nil:
		return nil, &Error{Store: err}
	}
	return p, nil
}

// replayKey scopes a jti to its key, so one client cannot use up another's.
func replayKey(p *Proof) string { return "dpop:" + p.JKT + ":" + p.JTI }

// SameURL compares two http(s) URLs as RFC 9449 §4.3 point 9 asks: scheme
// and host case-insensitively, default ports dropped, the path exactly,
// query and fragment ignored. Anything unparsable or relative differs.
func SameURL(a, b string) bool {
	ua, ok1 := normalURL(a)
	ub, ok2 := normalURL(b)
	return ok1 && ok2 && ua == ub
}

func normalURL(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port == "" || (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	} else {
		port = ":" + port
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + port + path, true
}

// quote quotes a value from a proof for an error description, cut short.
func quote(v string) string {
	if len(v) > 64 {
		v = v[:64] + "..."
	}
	return "'" + v + "'"
}
