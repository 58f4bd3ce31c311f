package fault_test

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// HTTP helpers: every request has a deadline; none calls t.Fatal, so they
// may run in goroutines.

// newClient is an HTTP client that never follows redirects.
func newClient(timeout time.Duration, conns int) *http.Client {
	return &http.Client{
		Timeout:   timeout,
		Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// answer is a JSON response: status, headers and body.
type answer struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    string
}

func (a answer) str(key string) string {
	s, _ := a.Body[key].(string)
	return s
}

func (a answer) String() string { return fmt.Sprintf("%d %s", a.Status, a.Raw) }

// postForm posts form to base+path with HTTP Basic id:secret (none when id
// is empty) and decodes a JSON answer.
func postForm(c *http.Client, base, path, id, secret string, form url.Values) (answer, error) {
	req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	}
	return do(c, req)
}

func do(c *http.Client, req *http.Request) (answer, error) {
	resp, err := c.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		if resp.StatusCode == http.StatusRequestHeaderFieldsTooLarge && errors.Is(err, net.ErrClosed) {
			// net/http's server answers an oversized header block with 431
			// and closes at once; the client's transport, still writing the
			// header, may then close the connection under the body. The
			// status arrived, and the body of a 431 is not checked
			// (TestRule37OversizedInputs).
			return answer{Status: resp.StatusCode, Header: resp.Header}, nil
		}
		return answer{}, fmt.Errorf("%s %s: reading the answer: %w", req.Method, req.URL.Path, err)
	}
	a := answer{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	if len(raw) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &a.Body); err != nil {
			return a, fmt.Errorf("%s %s: %d with bad JSON %q: %w", req.Method, req.URL.Path, resp.StatusCode, raw, err)
		}
	}
	return a, nil
}

func clientCredentials(c *http.Client, base string) (answer, error) {
	return postForm(c, base, "/token", svcID, svcSecret, url.Values{"grant_type": {"client_credentials"}})
}

func refresh(c *http.Client, base, rt string) (answer, error) {
	return postForm(c, base, "/token", appID, appSecret, url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {rt}})
}

func redeem(c *http.Client, base, code, verifier string) (answer, error) {
	return postForm(c, base, "/token", appID, appSecret, url.Values{
		"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {appRedirect}, "code_verifier": {verifier}})
}

// newVerifier is a fresh PKCE verifier (43 characters).
func newVerifier() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorize asks /authorize for a code for app (auto-approved for alice)
// with a PKCE challenge of verifier and returns the code.
func authorize(c *http.Client, base, verifier string) (string, error) {
	q := url.Values{
		"response_type": {"code"}, "client_id": {appID}, "redirect_uri": {appRedirect},
		"scope": {"read"}, "state": {"st"},
		"code_challenge": {s256(verifier)}, "code_challenge_method": {"S256"}}
	resp, err := c.Get(base + "/authorize?" + q.Encode())
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil {
		return "", fmt.Errorf("/authorize: %d Location %q, want 302 to %s", resp.StatusCode, resp.Header.Get("Location"), appRedirect)
	}
	got := loc.Query()
	if code := got.Get("code"); code != "" && got.Get("state") == "st" && strings.HasPrefix(loc.String(), appRedirect+"?") {
		return code, nil
	}
	return "", fmt.Errorf("/authorize: Location %q has no code and state", loc)
}

// codeGrant runs the code flow and returns the refresh token.
func codeGrant(t *testing.T, c *http.Client, base string) string {
	t.Helper()
	v := newVerifier()
	code, err := authorize(c, base, v)
	if err != nil {
		t.Fatal(err)
	}
	a, err := redeem(c, base, code, v)
	if err != nil || a.Status != http.StatusOK || a.str("refresh_token") == "" {
		t.Fatalf("redeeming a code: %v %v, want 200 with a refresh token", a, err)
	}
	return a.str("refresh_token")
}

// wantError checks a JSON OAuth error answer with the no-store headers.
func wantError(t *testing.T, what string, a answer, err error, status int, code string) {
	t.Helper()
	switch {
	case err != nil:
		t.Errorf("%s: %v, want %d %s", what, err, status, code)
	case a.Status != status || a.str("error") != code:
		t.Errorf("%s: %s, want %d %q", what, a, status, code)
	case a.str("access_token") != "" || a.str("refresh_token") != "":
		t.Errorf("%s: an error answer carries a token: %s", what, a.Raw)
	}
}
