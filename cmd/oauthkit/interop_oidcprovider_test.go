package main

// `oauthkit flow` against an independent, OpenID Certified authorization
// server: oidc-provider (npm), started by testdata/interop/oidc-provider.mjs.
// The real oauthkit binary gets a client_credentials token, completes an
// authorization code flow whose login and consent pages headless Chromium
// fills in, and refreshes; `oauthkit jwt verify` checks every access token
// (and the ID token) against the provider's JWKS.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// oidcProvider is what oidc-provider.mjs prints once it listens.
type oidcProvider struct {
	Issuer       string `json:"issuer"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	Resource     string `json:"resource"`
	// DeviceClientID is the public client of the device grant.
	DeviceClientID string `json:"device_client_id"`
	jwksURI        string // from its discovery document

	// The clients of JWT client authentication (interop_jwtauth_test.go).
	PKJWTClientID string          `json:"pkjwt_client_id"`
	PKJWTKey      json.RawMessage `json:"pkjwt_private_jwk"`
	SJWTClientID  string          `json:"sjwt_client_id"`
	SJWTSecret    string          `json:"sjwt_client_secret"`
}

// opAuthURLLine finds the authorization URL that `flow authcode --no-browser`
// prints on standard error, alone on its line.
var opAuthURLLine = regexp.MustCompile(`(?m)^\s*(https?://\S+)\s*$`)

// opJWTShape is a compact JWS: three base64url parts.
var opJWTShape = regexp.MustCompile(`^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`)

func TestInteropOIDCProvider(t *testing.T) {
	bin, op := startInteropOIDCProvider(t)
	client := opClientArgs(t, op)

	t.Run("client-credentials", func(t *testing.T) {
		start := time.Now()
		res := opRun(t, bin, append([]string{"flow", "client-credentials"}, client...)...)
		tok := res.tokenResponse(t, start)
		claims := opVerifyAccessToken(t, bin, op, tok["access_token"])
		if claims["sub"] != op.ClientID || claims["client_id"] != op.ClientID {
			t.Errorf("client_credentials token: sub %v, client_id %v; want both %q", claims["sub"], claims["client_id"], op.ClientID)
		}

		// An explicit resource and -o token: the bare token alone on stdout.
		res = opRun(t, bin, append([]string{"flow", "client-credentials", "--resource", op.Resource, "-o", "token"}, client...)...)
		res.wantExit(t, 0)
		token, ok := strings.CutSuffix(res.stdout, "\n")
		if !ok || !opJWTShape.MatchString(token) {
			t.Fatalf("-o token printed %q, want one JWT and a newline", res.stdout)
		}
		opVerifyAccessToken(t, bin, op, token)

		// A wrong secret: the provider's invalid_client is an OAuth error.
		wrong := filepath.Join(t.TempDir(), "wrong-secret")
		if err := os.WriteFile(wrong, []byte("not-the-secret\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		res = opRun(t, bin, "flow", "client-credentials", "--issuer", op.Issuer, "--client-id", op.ClientID, "--client-secret-file", wrong)
		res.wantExit(t, 3)
		if res.stdout != "" || !strings.Contains(res.stderr, "invalid_client") {
			t.Errorf("wrong secret: stdout %q, stderr %q; want no output and invalid_client", res.stdout, res.stderr)
		}
	})

	var accessToken, refreshToken string // of the authcode flow, for the refresh
	t.Run("authcode", func(t *testing.T) {
		ctx := opBrowser(t)
		start := time.Now()
		// OpenID Connect Core §11: offline_access is ignored (no refresh
		// token) unless prompt has consent; oidc-provider drops it.
		flow := opStartAuthcode(t, bin, append([]string{"flow", "authcode", "--scope", "openid offline_access",
			"--param", "prompt=consent", "--no-browser", "--timeout", "3m", "-o", "json"}, client...))
		authURL := flow.authorizationURL(t)
		q := opCheckAuthURL(t, op, authURL)

		// The provider's devInteractions: a login form (any login), then consent.
		opLoginAndConsent(t, ctx, authURL)
		landed := opWaitForLocation(t, ctx, q.Get("redirect_uri"))
		cb, err := url.Parse(landed)
		if err != nil {
			t.Fatal(err)
		}
		if cb.Query().Get("code") == "" || cb.Query().Get("state") != q.Get("state") || cb.Query().Get("iss") != op.Issuer {
			t.Errorf("the browser reached %s; want code, the request's state and iss=%s", landed, op.Issuer)
		}

		res := flow.wait(t)
		tok := res.tokenResponse(t, start)
		for _, name := range []string{"refresh_token", "id_token"} {
			if tok[name] == "" {
				t.Errorf("authcode token response has no %s: %s", name, res.stdout)
			}
		}
		claims := opVerifyAccessToken(t, bin, op, tok["access_token"])
		if claims["sub"] != "alice" || claims["client_id"] != op.ClientID {
			t.Errorf("authcode access token: sub %v, client_id %v; want alice, %s", claims["sub"], claims["client_id"], op.ClientID)
		}
		_, idClaims := opVerifyJWT(t, bin, op, tok["id_token"], op.ClientID)
		if idClaims["sub"] != "alice" || idClaims["nonce"] != q.Get("nonce") {
			t.Errorf("ID token: sub %v, nonce %v; want alice and the request's nonce %q", idClaims["sub"], idClaims["nonce"], q.Get("nonce"))
		}
		// oauthkit verified it too, and printed the same claims.
		printed := res.idTokenClaims(t)
		if printed["sub"] != "alice" || printed["nonce"] != q.Get("nonce") || printed["aud"] != op.ClientID || printed["iss"] != op.Issuer {
			t.Errorf("id_token_claims: sub %v, nonce %v, aud %v, iss %v; want alice, %q, %s, %s",
				printed["sub"], printed["nonce"], printed["aud"], printed["iss"], q.Get("nonce"), op.ClientID, op.Issuer)
		}
		if strings.Contains(res.stderr, "hint: offline_access") {
			t.Errorf("offline_access hint although a refresh token came back:\n%s", res.stderr)
		}
		accessToken, refreshToken = tok["access_token"], tok["refresh_token"]
	})

	t.Run("refresh", func(t *testing.T) {
		if refreshToken == "" {
			t.Skip("needs the refresh token of the authcode subtest")
		}
		rtFile := filepath.Join(t.TempDir(), "refresh-token")
		if err := os.WriteFile(rtFile, []byte(refreshToken+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		res := opRun(t, bin, append([]string{"flow", "refresh", "--refresh-token-file", rtFile}, client...)...)
		tok := res.tokenResponse(t, start)
		claims := opVerifyAccessToken(t, bin, op, tok["access_token"])
		if claims["sub"] != "alice" || tok["access_token"] == accessToken {
			t.Errorf("refreshed access token: sub %v, want alice, and a new token (same as before: %v)", claims["sub"], tok["access_token"] == accessToken)
		}
		if tok["id_token"] == "" {
			t.Errorf("refresh response has no id_token (the grant has openid): %s", res.stdout)
		}
		if printed := res.idTokenClaims(t); printed["sub"] != "alice" || printed["aud"] != op.ClientID {
			t.Errorf("refresh id_token_claims: sub %v, aud %v; want alice, %s", printed["sub"], printed["aud"], op.ClientID)
		}
	})
}

// interopMissing skips the test, or fails it under CI=true, loudly.
func interopMissing(t *testing.T, what string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("*** interop test FAILED (CI=true): %s ***", what)
	}
	t.Skipf("*** interop test SKIPPED: %s ***", what)
}

// startOIDCProvider runs oidc-provider.mjs and returns what it printed.
// Cleanup stops it with SIGTERM and shows its log when the test failed.
func startOIDCProvider(t *testing.T, node, root string) oidcProvider {
	t.Helper()
	cmd := exec.Command(node, filepath.Join(interopDir, "oidc-provider.mjs"))
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "OIDC_PROVIDER_DEBUG=1")
	stderr := &interopBuffer{}
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe() // closed when the test ends: the script stops too
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting node oidc-provider.mjs: %v", err)
	}
	exited := make(chan error, 1)
	firstLine := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		firstLine <- line
		_, _ = r.WriteTo(io.Discard) // never let the provider block on stdout
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
			t.Errorf("stopping oidc-provider: %v", err)
		}
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("oidc-provider still running 20s after SIGTERM; killed")
		}
		_ = stdin.Close()
		if t.Failed() {
			t.Logf("oidc-provider standard error:\n%s", stderr.String())
		}
	})

	var op oidcProvider
	select {
	case line := <-firstLine:
		if err := json.Unmarshal([]byte(line), &op); err != nil || !strings.HasPrefix(op.Issuer, "http://127.0.0.1:") ||
			op.ClientID == "" || op.ClientSecret == "" || op.Resource == "" {
			t.Fatalf("oidc-provider.mjs printed %q, want its JSON line (%v)\nstderr:\n%s", line, err, stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("oidc-provider.mjs printed nothing within 60s\nstderr:\n%s", stderr.String())
	}
	op.jwksURI = opDiscoverJWKS(t, op.Issuer)
	return op
}

// opDiscoverJWKS reads jwks_uri from the provider's OpenID discovery document.
func opDiscoverJWKS(t *testing.T, issuer string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, issuer+"/.well-known/openid-configuration", nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("oidc-provider discovery: %v", err)
	}
	defer res.Body.Close()
	var meta struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.NewDecoder(res.Body).Decode(&meta); err != nil || res.StatusCode != http.StatusOK ||
		meta.Issuer != issuer || !strings.HasPrefix(meta.JWKSURI, issuer+"/") {
		t.Fatalf("oidc-provider discovery: HTTP %d, %+v, %v", res.StatusCode, meta, err)
	}
	return meta.JWKSURI
}

// opResult is what one run of the binary printed, and its exit code.
type opResult struct {
	args           []string
	stdout, stderr string
	code           int
}

func (r opResult) wantExit(t *testing.T, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("oauthkit %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(r.args, " "), r.code, code, r.stdout, r.stderr)
	}
}

// tokenResponse demands exit 0 and a JSON token response on stdout from
// oidc-provider (expires_in 600, Bearer, a JWT access token) with the
// expires_at that oauthkit adds; it returns the string members.
func (r opResult) tokenResponse(t *testing.T, start time.Time) map[string]string {
	t.Helper()
	r.wantExit(t, 0)
	var raw map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil {
		t.Fatalf("oauthkit %s: stdout is not a JSON object: %v\n%s", strings.Join(r.args, " "), err, r.stdout)
	}
	tok := map[string]string{}
	for k, v := range raw {
		if s, ok := v.(string); ok {
			tok[k] = s
		}
	}
	if !opJWTShape.MatchString(tok["access_token"]) || !strings.EqualFold(tok["token_type"], "Bearer") || raw["expires_in"] != 600.0 {
		t.Errorf("token response: want a JWT access_token, token_type Bearer, expires_in 600; got\n%s", r.stdout)
	}
	at, err := time.Parse(time.RFC3339, tok["expires_at"])
	lo, hi := start.Add(600*time.Second-2*time.Second), time.Now().Add(600*time.Second+2*time.Second)
	if err != nil || at.Before(lo) || at.After(hi) {
		t.Errorf("expires_at %q: want RFC 3339 between %s and %s (%v)", tok["expires_at"], lo.Format(time.RFC3339), hi.Format(time.RFC3339), err)
	}
	return tok
}

// jsonObject demands a JSON object on stdout and returns it.
func (r opResult) jsonObject(t *testing.T) map[string]any {
	t.Helper()
	var obj map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &obj); err != nil {
		t.Fatalf("stdout is not a JSON object: %v\n%s", err, r.stdout)
	}
	return obj
}

// idTokenClaims returns the id_token_claims object of a -o json output:
// the ID token's claims once oauthkit verified them.
func (r opResult) idTokenClaims(t *testing.T) map[string]any {
	t.Helper()
	var out struct {
		Claims map[string]any `json:"id_token_claims"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.Claims == nil {
		t.Errorf("oauthkit %s: no id_token_claims object in the output (%v):\n%s", strings.Join(r.args, " "), err, r.stdout)
	}
	return out.Claims
}

// opCommand prepares a run of the binary, bounded by two minutes; env
// comes after the usual environment (a later NAME=value wins).
func opCommand(t *testing.T, bin string, args []string, env ...string) (*exec.Cmd, *interopBuffer, *interopBuffer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "OAUTHKIT_CLIENT_SECRET=", "BROWSER=false", "XDG_CONFIG_HOME="+t.TempDir())
	cmd.Env = append(cmd.Env, env...)
	stdout, stderr := &interopBuffer{}, &interopBuffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	return cmd, stdout, stderr
}

// opExitCode turns the error of Wait into an exit code (-1: did not run or was killed).
func opExitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee) && ee.ExitCode() >= 0:
		return ee.ExitCode()
	default:
		t.Errorf("running oauthkit: %v", err)
		return -1
	}
}

func opRun(t *testing.T, bin string, args ...string) opResult {
	t.Helper()
	return opRunEnv(t, bin, nil, args...)
}

// opRunEnv is opRun with env after the usual environment.
func opRunEnv(t *testing.T, bin string, env []string, args ...string) opResult {
	t.Helper()
	cmd, stdout, stderr := opCommand(t, bin, args, env...)
	err := cmd.Run()
	return opResult{args: args, stdout: stdout.String(), stderr: stderr.String(), code: opExitCode(t, err)}
}

// opVerifyJWT runs `oauthkit jwt verify` with the provider's JWKS URL, its
// issuer and the audience; it demands exit 0 and an RS256 signature, and
// returns the header and the claims.
func opVerifyJWT(t *testing.T, bin string, op oidcProvider, token, aud string) (header, claims map[string]any) {
	t.Helper()
	res := opRun(t, bin, "jwt", "verify", token, "--jwks", op.jwksURI, "--iss", op.Issuer, "--aud", aud, "-o", "json")
	res.wantExit(t, 0)
	var out struct {
		Valid  bool           `json:"valid"`
		Header map[string]any `json:"header"`
		Claims map[string]any `json:"claims"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil || !out.Valid || out.Header["alg"] != "RS256" {
		t.Fatalf("jwt verify -o json printed %s (%v); want valid and alg RS256", res.stdout, err)
	}
	return out.Header, out.Claims
}

// opVerifyAccessToken checks an RFC 9068 access token of the provider: typ
// at+jwt, issued for the resource.
func opVerifyAccessToken(t *testing.T, bin string, op oidcProvider, token string) map[string]any {
	t.Helper()
	header, claims := opVerifyJWT(t, bin, op, token, op.Resource)
	if header["typ"] != "at+jwt" || claims["aud"] != op.Resource || claims["iss"] != op.Issuer {
		t.Errorf("access token header %v, claims %v: want typ at+jwt, aud %s, iss %s", header, claims, op.Resource, op.Issuer)
	}
	return claims
}

// opAuthcodeRun is `oauthkit flow authcode` running in the background.
type opAuthcodeRun struct {
	args           []string
	stdout, stderr *interopBuffer
	done           chan error
}

func opStartAuthcode(t *testing.T, bin string, args []string) *opAuthcodeRun {
	t.Helper()
	cmd, stdout, stderr := opCommand(t, bin, args)
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting oauthkit: %v", err)
	}
	run := &opAuthcodeRun{args: args, stdout: stdout, stderr: stderr, done: make(chan error, 1)}
	go func() { run.done <- cmd.Wait() }()
	t.Cleanup(func() {
		select {
		case <-run.done:
		default:
			_ = cmd.Process.Kill()
			<-run.done
		}
	})
	return run
}

// authorizationURL waits for the URL on the flow's standard error.
func (r *opAuthcodeRun) authorizationURL(t *testing.T) string {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		if m := opAuthURLLine.FindStringSubmatch(r.stderr.String()); m != nil {
			return m[1]
		}
		select {
		case err := <-r.done:
			r.done <- err
			t.Fatalf("oauthkit %s exited (%v) before printing the authorization URL\nstdout:\n%s\nstderr:\n%s",
				strings.Join(r.args, " "), err, r.stdout.String(), r.stderr.String())
		case <-deadline:
			t.Fatalf("oauthkit %s printed no authorization URL within 60s\nstderr:\n%s", strings.Join(r.args, " "), r.stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// wait waits for the flow to end after the browser reached the catcher.
func (r *opAuthcodeRun) wait(t *testing.T) opResult {
	t.Helper()
	select {
	case err := <-r.done:
		r.done <- err
		return opResult{args: r.args, stdout: r.stdout.String(), stderr: r.stderr.String(), code: opExitCode(t, err)}
	case <-time.After(60 * time.Second):
		t.Fatalf("oauthkit %s still running 60s after the callback\nstderr:\n%s", strings.Join(r.args, " "), r.stderr.String())
		return opResult{}
	}
}

// opCheckAuthURL checks the request oauthkit built: the provider's
// authorization endpoint, PKCE S256, state, nonce, a loopback catcher.
func opCheckAuthURL(t *testing.T, op oidcProvider, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil || u.Scheme+"://"+u.Host != op.Issuer || u.Path != "/auth" {
		t.Fatalf("authorization URL %s: want %s/auth (%v)", raw, op.Issuer, err)
	}
	q := u.Query()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	problems := []string{}
	if err != nil || redirect.Scheme != "http" || redirect.Hostname() != "127.0.0.1" || redirect.Port() == "" || redirect.Path != "/callback" {
		problems = append(problems, "redirect_uri is not http://127.0.0.1:PORT/callback")
	}
	for name, want := range map[string]string{"response_type": "code", "client_id": op.ClientID,
		"code_challenge_method": "S256", "scope": "openid offline_access", "prompt": "consent"} {
		if q.Get(name) != want {
			problems = append(problems, fmt.Sprintf("%s is %q, want %q", name, q.Get(name), want))
		}
	}
	if len(q.Get("code_challenge")) != 43 || len(q.Get("state")) < 22 || len(q.Get("nonce")) < 22 {
		problems = append(problems, "code_challenge (43), state or nonce (>= 128 bits) missing or short")
	}
	if len(problems) > 0 {
		t.Fatalf("authorization URL %s:\n%s", raw, strings.Join(problems, "\n"))
	}
	return q
}

// opBrowser starts headless Chromium with a fresh profile; without
// it the test skips (fails under CI=true).
func opBrowser(t *testing.T) context.Context {
	t.Helper()
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		interopMissing(t, chromium+" is missing (apt-get install -y chromium)")
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first run starts the browser and ties it to its context: this one,
	// not a step's shorter one.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", chromium, err)
	}
	return ctx
}

// opBrowserStep runs browser actions with a generous time limit.
func opBrowserStep(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(c, actions...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("body")))
		t.Fatalf("browser, %s: %v\npage %s:\n%s", what, err, loc, html)
	}
}

// opWaitForLocation waits until the browser's address starts with prefix.
func opWaitForLocation(t *testing.T, ctx context.Context, prefix string) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var loc string
	for time.Now().Before(deadline) {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		loc, _ = chromedp.Run(c, chromedp.Location())
		cancel()
		if strings.HasPrefix(loc, prefix+"?") {
			return loc
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the browser did not reach %s within 60s; it is at %s", prefix, loc)
	return ""
}
