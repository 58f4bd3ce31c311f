package flow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/oauthkit/oauthkit/internal/dpop"
	"github.com/oauthkit/oauthkit/internal/termtext"
	"github.com/oauthkit/oauthkit/keys"
)

// DPoPSigner makes the DPoP proofs of one client (RFC 9449): one key, and
// the last nonce each server gave (DPoP-Nonce), by origin.
type DPoPSigner struct {
	Key *keys.Key
	Now func() time.Time

	mu     sync.Mutex
	nonces map[string]string // origin → last DPoP-Nonce
}

// NewDPoPSigner returns a signer for key (its private half is needed).
func NewDPoPSigner(key *keys.Key, now func() time.Time) (*DPoPSigner, error) {
	if key == nil || key.Private == nil {
		return nil, errors.New("a DPoP key needs its private half")
	}
	if alg := key.Algorithm(); !containsString(dpop.Algs(), alg) {
		return nil, fmt.Errorf("a DPoP key must sign with one of %s, this one signs with %s", strings.Join(dpop.Algs(), ", "), alg)
	}
	return &DPoPSigner{Key: key, Now: now}, nil
}

// JKT is the thumbprint of the key, the cnf.jkt of tokens bound to it.
func (d *DPoPSigner) JKT() string {
	jkt, _ := dpop.Thumbprint(d.Key)
	return jkt
}

func containsString(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

func origin(u *url.URL) string { return strings.ToLower(u.Scheme + "://" + u.Host) }

// Proof signs a fresh proof for method and target, with ath when
// accessToken is set and the server's last nonce when there is one.
func (d *DPoPSigner) Proof(method string, target *url.URL, accessToken string) (string, error) {
	d.mu.Lock()
	nonce := d.nonces[origin(target)]
	d.mu.Unlock()
	return dpop.NewProof(d.Key, dpop.ProofRequest{Method: method, URL: target.String(), AccessToken: accessToken, Nonce: nonce, Now: d.Now()})
}

// noteNonce keeps the DPoP-Nonce of an answer; it reports whether the
// answer carried a new one.
func (d *DPoPSigner) noteNonce(target *url.URL, h http.Header) bool {
	n := h.Get("DPoP-Nonce")
	if n == "" {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.nonces == nil {
		d.nonces = map[string]string{}
	}
	old := d.nonces[origin(target)]
	d.nonces[origin(target)] = n
	return n != old
}

// postFormDPoP is postForm with a DPoP proof; an answer error=use_dpop_nonce
// with a new DPoP-Nonce is retried once with it (RFC 9449 §8).
func (c *Client) postFormDPoP(ctx context.Context, endpoint string, form url.Values) (*response, error) {
	if endpoint == "" {
		return nil, fmt.Errorf("no endpoint URL: give --issuer or the endpoint's URL flag")
	}
	for attempt := 0; ; attempt++ {
		req, err := c.formRequest(ctx, endpoint, form)
		if err != nil {
			return nil, err
		}
		proof, err := c.DPoP.Proof(http.MethodPost, req.URL, "")
		if err != nil {
			return nil, fmt.Errorf("signing the DPoP proof: %v", err)
		}
		req.Header.Set("DPoP", proof)
		resp, h, err := c.doWithHeader(ctx, req)
		if err != nil {
			return nil, err
		}
		fresh := c.DPoP.noteNonce(req.URL, h)
		if attempt == 0 && fresh && resp.Status == http.StatusBadRequest && bodyError(resp.Body) == dpop.ErrUseNonce {
			continue
		}
		return resp, nil
	}
}

// bodyError is the error member of a JSON error answer, "" otherwise.
func bodyError(body []byte) string {
	obj, err := ParseObject(body)
	if err != nil {
		return ""
	}
	return obj.String("error")
}

// ResourceAnswer is a protected resource's answer.
type ResourceAnswer struct {
	Status int
	Header http.Header
	Body   []byte
}

// CallResource sends method to target with the access token: as
// "Authorization: DPoP" with a fresh proof (ath included) when c.DPoP is
// set, else as Bearer. A 401 whose DPoP challenge says use_dpop_nonce,
// with a new DPoP-Nonce, is retried once (RFC 9449 §9). body may be nil.
func (c *Client) CallResource(ctx context.Context, method, target, accessToken string, body []byte) (*ResourceAnswer, error) {
	for attempt := 0; ; attempt++ {
		var rd io.Reader
		if body != nil {
			rd = strings.NewReader(string(body))
		}
		req, err := http.NewRequestWithContext(ctx, method, target, rd)
		if err != nil {
			return nil, fmt.Errorf("bad resource URL: %v", err)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if c.DPoP == nil {
			req.Header.Set("Authorization", "Bearer "+accessToken)
		} else {
			proof, err := c.DPoP.Proof(method, req.URL, accessToken)
			if err != nil {
				return nil, fmt.Errorf("signing the DPoP proof: %v", err)
			}
			req.Header.Set("Authorization", "DPoP "+accessToken)
			req.Header.Set("DPoP", proof)
		}
		resp, h, err := c.doWithHeader(ctx, req)
		if err != nil {
			return nil, err
		}
		if c.DPoP != nil {
			fresh := c.DPoP.noteNonce(req.URL, h)
			if attempt == 0 && fresh && resp.Status == http.StatusUnauthorized && challengeError(h, "DPoP") == dpop.ErrUseNonce {
				continue
			}
		}
		return &ResourceAnswer{Status: resp.Status, Header: h, Body: resp.Body}, nil
	}
}

// ResourceHeaders returns the request headers a DPoP-bound access token
// needs at target: "Authorization: DPoP …" and a fresh "DPoP: …" proof.
func (c *Client) ResourceHeaders(method, target, accessToken string) (authorization, proof string, err error) {
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return "", "", fmt.Errorf("bad resource URL %q", target)
	}
	if c.DPoP == nil {
		return "Bearer " + accessToken, "", nil
	}
	proof, err = c.DPoP.Proof(method, u, accessToken)
	if err != nil {
		return "", "", fmt.Errorf("signing the DPoP proof: %v", err)
	}
	return "DPoP " + accessToken, proof, nil
}

// challengeError returns the error parameter of the WWW-Authenticate
// challenge of scheme, "" when there is none.
func challengeError(h http.Header, scheme string) string {
	for _, v := range h.Values("WWW-Authenticate") {
		s, rest, ok := strings.Cut(strings.TrimSpace(v), " ")
		if !ok || !strings.EqualFold(s, scheme) {
			continue
		}
		_, after, found := strings.Cut(rest, `error="`)
		if !found {
			return ""
		}
		code, _, _ := strings.Cut(after, `"`)
		return code
	}
	return ""
}

// Err is the answer as an error when it is not 2xx: an *OAuthError with the
// error of its DPoP or Bearer challenge (RFC 9449 §7.1, RFC 6750 §3), else
// of a JSON error body; nil for a 2xx answer.
func (a *ResourceAnswer) Err(where string) error {
	if a.Status >= 200 && a.Status < 300 {
		return nil
	}
	for _, v := range a.Header.Values("WWW-Authenticate") {
		scheme, rest, _ := strings.Cut(strings.TrimSpace(v), " ")
		if !strings.EqualFold(scheme, "DPoP") && !strings.EqualFold(scheme, "Bearer") {
			continue
		}
		if code, desc := bearerError("Bearer " + rest); code != "" {
			return &OAuthError{Where: where, Code: termtext.Cut(code, 100), Description: termtext.Cut(desc, 500), Status: a.Status}
		}
	}
	if obj, err := ParseObject(a.Body); err == nil && obj.String("error") != "" {
		return &OAuthError{Where: where, Code: termtext.Cut(obj.String("error"), 100), Description: termtext.Cut(obj.String("error_description"), 500), Status: a.Status}
	}
	return fmt.Errorf("%s answered HTTP %d%s", where, a.Status, snippet(a.Header.Get("Content-Type"), a.Body))
}
