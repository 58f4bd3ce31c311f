package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// target is a discovered authorization server and the client that loads it.
type target struct {
	hc    *http.Client
	c     loadConfig
	token string // endpoints from discovery (RFC 8414 §2)
	authz string
	intro string
	basic string // Authorization header value (RFC 6749 §2.3.1)
}

func newTarget(ctx context.Context, hc *http.Client, c loadConfig) (*target, error) {
	t := &target{hc: hc, c: c}
	var meta struct {
		Token string `json:"token_endpoint"`
		Authz string `json:"authorization_endpoint"`
		Intro string `json:"introspection_endpoint"`
	}
	base := strings.TrimSuffix(c.creds.Issuer, "/")
	var lastErr error
	for _, p := range []string{"/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"} {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+p, nil)
		res, err := hc.Do(req)
		if err != nil {
			return nil, fmt.Errorf("discovery: %w", err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			lastErr = answerError(res, body)
			continue
		}
		if err := json.Unmarshal(body, &meta); err != nil || meta.Token == "" {
			lastErr = fmt.Errorf("discovery %s: no token_endpoint in the answer", p)
			continue
		}
		lastErr = nil
		break
	}
	if lastErr != nil {
		return nil, lastErr
	}
	t.token, t.authz, t.intro = meta.Token, meta.Authz, meta.Intro
	// RFC 6749 §2.3.1: both parts form-urlencoded before Basic encoding.
	t.basic = "Basic " + base64.StdEncoding.EncodeToString([]byte(
		url.QueryEscape(c.creds.ClientID)+":"+url.QueryEscape(c.creds.ClientSecret)))
	return t, nil
}

// at is t with its endpoints on another address (base: scheme://host:port),
// for a replica of the same issuer: the paths stay the discovered ones.
func (t *target) at(base string) (*target, error) {
	b, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("replica %q: %w", base, err)
	}
	rt := *t
	for _, e := range []*string{&rt.token, &rt.authz, &rt.intro} {
		if *e == "" {
			continue
		}
		u, err := url.Parse(*e)
		if err != nil {
			return nil, fmt.Errorf("discovery: endpoint %q: %w", *e, err)
		}
		u.Scheme, u.Host = b.Scheme, b.Host
		*e = u.String()
	}
	return &rt, nil
}

// operation returns, for a mode, the per-worker setup that returns the
// worker's operation.
func (t *target) operation(mode string) (func(context.Context) (func(context.Context) error, error), error) {
	switch mode {
	case "cc":
		form := url.Values{"grant_type": {"client_credentials"}}
		if t.c.scope != "" {
			form.Set("scope", t.c.scope)
		}
		body := form.Encode()
		return func(context.Context) (func(context.Context) error, error) {
			buf := new(bytes.Buffer)
			return func(ctx context.Context) error {
				_, err := t.post(ctx, t.token, body, "access_token", buf)
				return err
			}, nil
		}, nil
	case "introspect":
		if t.intro == "" {
			return nil, errors.New("introspect: the server advertises no introspection_endpoint")
		}
		return func(ctx context.Context) (func(context.Context) error, error) {
			buf := new(bytes.Buffer)
			m, err := t.post(ctx, t.token, "grant_type=client_credentials", "access_token", buf)
			if err != nil {
				return nil, err
			}
			body := url.Values{"token": {m["access_token"].(string)}}.Encode()
			return func(ctx context.Context) error {
				m, err := t.post(ctx, t.intro, body, "active", buf)
				if err == nil && m["active"] != true {
					err = errors.New("introspection: the token is not active")
				}
				return err
			}, nil
		}, nil
	case "authcode":
		if t.authz == "" {
			return nil, errors.New("authcode: the server advertises no authorization_endpoint")
		}
		return func(context.Context) (func(context.Context) error, error) {
			buf := new(bytes.Buffer)
			return func(ctx context.Context) error {
				_, err := t.codeGrant(ctx, buf)
				return err
			}, nil
		}, nil
	case "refresh":
		if t.authz == "" {
			return nil, errors.New("refresh: the server advertises no authorization_endpoint")
		}
		return func(ctx context.Context) (func(context.Context) error, error) {
			buf := new(bytes.Buffer)
			m, err := t.codeGrant(ctx, buf)
			if err != nil {
				return nil, err
			}
			rt, _ := m["refresh_token"].(string)
			if rt == "" {
				return nil, errors.New("refresh: the authorization_code grant gave no refresh_token")
			}
			return func(ctx context.Context) error {
				m, err := t.post(ctx, t.token, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}.Encode(),
					"access_token", buf)
				if err != nil {
					return err
				}
				if next, _ := m["refresh_token"].(string); next != "" { // rotation (RFC 9700 §4.14.2)
					rt = next
				}
				return nil
			}, nil
		}, nil
	}
	return nil, usagef("load: unknown -mode %q (want cc, refresh, introspect or authcode)", mode)
}

// post sends a form with client authentication and returns the decoded
// JSON answer, which must be 200 and have the member want.
func (t *target) post(ctx context.Context, endpoint, form, want string, buf *bytes.Buffer) (map[string]any, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", t.basic)
	res, err := t.hc.Do(req)
	if err != nil {
		return nil, err
	}
	body, err := readBody(res, buf)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, answerError(res, body)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("%s: the answer is not JSON: %w", endpoint, err)
	}
	if _, ok := m[want]; !ok {
		return nil, fmt.Errorf("%s: the answer has no %s", endpoint, want)
	}
	return m, nil
}

// codeGrant runs /authorize (the server must answer at once: auto-approve)
// and redeems the code with PKCE S256 (RFC 7636).
func (t *target) codeGrant(ctx context.Context, buf *bytes.Buffer) (map[string]any, error) {
	verifier := rand.Text() + rand.Text()
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{"response_type": {"code"}, "client_id": {t.c.creds.ClientID}, "redirect_uri": {t.c.redirect},
		"state": {"bench"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"}}
	if t.c.scope != "" {
		q.Set("scope", t.c.scope)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.authz+"?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	res, err := t.hc.Do(req)
	if err != nil {
		return nil, err
	}
	body, err := readBody(res, buf)
	if err != nil {
		return nil, err
	}
	loc, err := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != http.StatusFound && res.StatusCode != http.StatusSeeOther || err != nil {
		return nil, fmt.Errorf("authorize (is auto-approve on?): %w", answerError(res, body))
	}
	code := loc.Query().Get("code")
	if code == "" {
		return nil, fmt.Errorf("authorize: no code in the redirect %s", loc.Redacted())
	}
	return t.post(ctx, t.token, url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {t.c.redirect}, "code_verifier": {verifier}}.Encode(), "access_token", buf)
}

// readBody reads and closes the body into buf, reused by one worker.
func readBody(res *http.Response, buf *bytes.Buffer) ([]byte, error) {
	defer res.Body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(res.Body); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
