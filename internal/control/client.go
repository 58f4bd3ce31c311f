package control

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/oauthkit/oauthkit/internal/authserver"
)

// Client calls the control API of a server started with `serve --control`.
// Its errors are typed: *RefusedError when the server answered an error,
// *UnreachableError when no answer came.
type Client struct {
	Issuer string // the server's issuer URL; the API is at Issuer + /_oauthkit/control/
	Token  string // the control token
	HTTP   *http.Client
}

// RefusedError is an error answer of the control API (a 4xx or 5xx).
type RefusedError struct {
	Op          string // "POST fail", …
	Status      int
	Code        string // "unauthorized", "invalid_request", "not_found", …; "" when the body was not the API's
	Description string
}

func (e *RefusedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "control %s refused (HTTP %d)", e.Op, e.Status)
	if e.Code != "" {
		fmt.Fprintf(&b, ": %s", e.Code)
	}
	if e.Description != "" {
		fmt.Fprintf(&b, ": %s", e.Description)
	}
	return b.String()
}

// UnreachableError is a request that got no answer: connection refused,
// DNS, TLS, a time-out (Err then satisfies net.Error with Timeout true).
type UnreachableError struct {
	Op  string // "POST http://…/_oauthkit/control/fail"
	Err error
}

func (e *UnreachableError) Error() string { return e.Op + ": " + e.Err.Error() }
func (e *UnreachableError) Unwrap() error { return e.Err }

// maxAnswer bounds an answer read (the request log of 10000 records fits).
const maxAnswer = 16 << 20

// call sends one request and decodes the JSON answer into out.
func (c *Client) call(ctx context.Context, method, op, query string, in, out any) error {
	u := strings.TrimSuffix(c.Issuer, "/") + authserver.ControlPathPrefix + op
	if query != "" {
		u += "?" + query
	}
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("control %s %s: %w", method, op, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.Token)
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // drop net/url's `Post "URL":` prefix: Op names the request
		}
		return &UnreachableError{Op: method + " " + u, Err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return &UnreachableError{Op: method + " " + u, Err: err}
	}
	if resp.StatusCode/100 != 2 {
		re := &RefusedError{Op: method + " " + op, Status: resp.StatusCode}
		var e errorAnswer
		if json.Unmarshal(data, &e) == nil && e.Error != "" {
			re.Code, re.Description = e.Error, e.Description
		} else {
			re.Description = "the answer is not the control API's; is " + c.Issuer + " an oauthkit serve --control?"
		}
		return re
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("control %s %s: the answer is not the expected JSON: %v", method, op, err)
	}
	return nil
}

// Fail queues a failure; it returns what was queued.
func (c *Client) Fail(ctx context.Context, r FailRequest) (FailRequest, error) {
	var a failAnswer
	err := c.call(ctx, http.MethodPost, "fail", "", r, &a)
	return a.Queued, err
}

// Tamper queues a tampered answer.
func (c *Client) Tamper(ctx context.Context, r TamperRequest) (TamperRequest, error) {
	var a tamperAnswer
	err := c.call(ctx, http.MethodPost, "tamper", "", r, &a)
	return a.Queued, err
}

// LoginAs queues an approval as a user without pages.
func (c *Client) LoginAs(ctx context.Context, r LoginAsRequest) (LoginAsRequest, error) {
	var a loginAnswer
	err := c.call(ctx, http.MethodPost, "login-as", "", r, &a)
	return a.Queued, err
}

// Claims sets extra claims until reset.
func (c *Client) Claims(ctx context.Context, r ClaimsRequest) (ClaimsRequest, error) {
	var a claimsAnswer
	err := c.call(ctx, http.MethodPost, "claims", "", r, &a)
	return a.Set, err
}

// Clock reads the server's skew and time.
func (c *Client) Clock(ctx context.Context) (ClockState, error) {
	var a ClockState
	err := c.call(ctx, http.MethodGet, "clock", "", nil, &a)
	return a, err
}

// SetClock sets the skew (a Go duration; "0s" resets it).
func (c *Client) SetClock(ctx context.Context, skew string) (ClockState, error) {
	var a ClockState
	err := c.call(ctx, http.MethodPost, "clock", "", ClockRequest{Skew: skew}, &a)
	return a, err
}

// RotateKeys makes a new key of alg ("" RSA) the signing key.
func (c *Client) RotateKeys(ctx context.Context, alg string) (KeyInfo, error) {
	var a KeyInfo
	err := c.call(ctx, http.MethodPost, "rotate-keys", "", RotateKeysRequest{Alg: alg}, &a)
	return a, err
}

// RetireKey stops publishing a key.
func (c *Client) RetireKey(ctx context.Context, kid string) error {
	var a retireAnswer
	return c.call(ctx, http.MethodPost, "retire-key", "", RetireKeyRequest{KID: kid}, &a)
}

// Keys lists the published keys, oldest first.
func (c *Client) Keys(ctx context.Context) ([]KeyInfo, error) {
	var a keysAnswer
	err := c.call(ctx, http.MethodGet, "keys", "", nil, &a)
	return a.Keys, err
}

// Revoke revokes the tokens issued until now: all, a client's, a user's.
func (c *Client) Revoke(ctx context.Context, r RevokeRequest) (RevokeRequest, error) {
	var a revokeAnswer
	err := c.call(ctx, http.MethodPost, "revoke", "", r, &a)
	return a.Revoked, err
}

// Requests lists the request log, oldest first.
func (c *Client) Requests(ctx context.Context, q RequestQuery) ([]Request, error) {
	var a requestsAnswer
	err := c.call(ctx, http.MethodGet, "requests", q.values().Encode(), nil, &a)
	return a.Requests, err
}

// ClearRequests empties the request log.
func (c *Client) ClearRequests(ctx context.Context) error {
	var a clearedAnswer
	return c.call(ctx, http.MethodDelete, "requests", "", nil, &a)
}

// Reset brings the server back to its configured state (keys and
// revocations stay).
func (c *Client) Reset(ctx context.Context) error {
	var a resetAnswer
	return c.call(ctx, http.MethodPost, "reset", "", nil, &a)
}

// State reads everything queued and set.
func (c *Client) State(ctx context.Context) (State, error) {
	var a State
	err := c.call(ctx, http.MethodGet, "state", "", nil, &a)
	return a, err
}
