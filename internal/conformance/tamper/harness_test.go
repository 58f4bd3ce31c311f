package tamper_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/authserver"
	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/memory"
	"github.com/oauthkit/oauthkit/internal/testutil/servetest"
	"github.com/oauthkit/oauthkit/keys"
)

// The client under test is the real `oauthkit` binary (from
// internal/testutil/servetest), run as a separate process; the server is
// the real authorization server, in this process on 127.0.0.1 so that the
// test steers it with authserver.Control (the methods `serve --control`
// exposes over HTTP, docs/control.md). They speak only HTTP to each other.

// bin is the path of the binary TestMain found; written once before m.Run.
var bin string

func TestMain(m *testing.M) {
	b, err := servetest.Binary()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tamper: building oauthkit:", err)
		os.Exit(1)
	}
	bin = b
	os.Exit(m.Run())
}

// Fixtures: a public OIDC client for authcode (auto-approved as alice), a
// confidential one for client_credentials. Test-only secret.
const (
	cliID            = "cli"
	svcID, svcSecret = "svc", "svc-s3cret"
	aliceName        = "alice"
)

// asServer is one in-process authorization server.
type asServer struct {
	srv    *authserver.Server
	issuer string
}

// newServer starts an authorization server with JWT access tokens, the
// request log on and alice auto-approved, on 127.0.0.1:0.
func newServer(t *testing.T) *asServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String()
	st := memory.New()
	t.Cleanup(func() { _ = st.Close() })
	ctx := context.Background()
	h := &hashing.Hasher{}
	for _, c := range []store.Client{
		{ID: cliID, AuthMethod: "none", RedirectURIs: []string{"http://127.0.0.1/callback"}, SkipConsent: true,
			GrantTypes: []string{authserver.GrantAuthorizationCode, authserver.GrantRefreshToken},
			Scopes:     []string{"openid", "read"}},
		{ID: svcID, AuthMethod: "client_secret_basic", SecretHash: h.Hash(svcSecret),
			GrantTypes: []string{authserver.GrantClientCredentials}, Scopes: []string{"read"}},
	} {
		if err := st.Clients().Put(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Users().Put(ctx, store.User{Username: aliceName, Subject: "u-alice"}); err != nil {
		t.Fatal(err)
	}
	key, err := keys.Generate(keys.Spec{Type: keys.TypeEC, Curve: "P-256"})
	if err != nil {
		t.Fatal(err)
	}
	ks, err := authserver.NewKeySet(key)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := authserver.New(authserver.Settings{
		Issuer: issuer, AccessTokenTTL: 30 * time.Minute, RefreshTokenTTL: time.Hour, CodeTTL: time.Minute,
		Format: authserver.FormatJWT, AutoApproveUser: aliceName,
	}, authserver.Options{Store: st, Hasher: h, Keys: ks, RequestLog: true})
	if err != nil {
		t.Fatal(err)
	}
	hs := authserver.NewHTTPServer(srv.Handler(), slog.New(slog.DiscardHandler))
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	})
	return &asServer{srv: srv, issuer: issuer}
}

// tamper queues one tampered answer.
func (s *asServer) tamper(t *testing.T, kind authserver.TamperKind) {
	t.Helper()
	if err := s.srv.Control().Tamper(authserver.Tamper{Kind: kind}); err != nil {
		t.Fatal(err)
	}
}

// requests lists the request log's records of an endpoint.
func (s *asServer) requests(endpoint string) []authserver.RequestRecord {
	return s.srv.Control().Requests(authserver.RequestFilter{Endpoint: endpoint})
}

// result is how a run of the binary ended.
type result struct {
	code           int
	stdout, stderr string
}

// run runs oauthkit with args, without a browser or an inherited secret.
func run(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(cmd.Environ(), "BROWSER=true", "OAUTHKIT_CLIENT_SECRET=", "NO_COLOR=1",
		"XDG_CONFIG_HOME="+t.TempDir(), "HOME="+t.TempDir())
	cmd.Env = append(cmd.Env, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return result{0, out.String(), errb.String()}
	case errors.As(err, &ee):
		return result{ee.ExitCode(), out.String(), errb.String()}
	}
	t.Fatalf("oauthkit %v: %v", args, err)
	return result{}
}

// authcode runs `oauthkit flow authcode --headless` as cli with openid.
func (s *asServer) authcode(t *testing.T, extra ...string) result {
	t.Helper()
	args := append([]string{"flow", "authcode", "--issuer", s.issuer, "--client-id", cliID, "--headless",
		"--scope", "openid read", "--timeout", "30s"}, extra...)
	return run(t, nil, args...)
}

// clientCredentials runs `oauthkit flow client-credentials` as svc, the
// secret in a file.
func (s *asServer) clientCredentials(t *testing.T, extra ...string) result {
	t.Helper()
	args := append([]string{"flow", "client-credentials", "--issuer", s.issuer, "--client-id", svcID,
		"--client-secret-file", s.secretFile(t), "--scope", "read"}, extra...)
	return run(t, nil, args...)
}

// secretFile writes svc's secret into a 0600 file and returns its path.
func (s *asServer) secretFile(t *testing.T) string {
	t.Helper()
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte(svcSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return secret
}

// protected presents an access token at /protected and returns the status.
func (s *asServer) protected(t *testing.T, accessToken string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.issuer+"/protected", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	c := &http.Client{Timeout: 10 * time.Second}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	return res.StatusCode
}
