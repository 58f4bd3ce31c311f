package conformance

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/testutil/pgtest"
)

// Rules 63–65 with the real binary on a PostgreSQL store
// (internal/store/postgres has the store-level tests).

// startOnPostgres starts serve with baseConfig on the database dsn,
// listening on addr.
func startOnPostgres(t *testing.T, dir, dsn, addr string) *server {
	t.Helper()
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte(baseConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	return startIn(t, dir, "", "--config", cfg, "--store", dsn, "--addr", addr)
}

// freeAddr is a 127.0.0.1 address with a port nobody listens on now, so
// that two serve one after the other have the same issuer.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestRule63_PostgresStoreServes: serve on a PostgreSQL store answers
// client_credentials and refreshes (and an unknown client, whatever bytes
// its ID holds, with invalid_client); a second serve on the same database
// (after the first is gone) introspects the first one's tokens as active,
// refreshes its refresh token, and treats the rotated-out one as a replay
// that revokes the grant.
func TestRule63_PostgresStoreServes(t *testing.T) {
	_, dsn := pgtest.Database(t)
	dir, addr := t.TempDir(), freeAddr(t)
	a := startOnPostgres(t, dir, dsn, addr)

	h := a.do(t, http.MethodGet, "/healthz", nil, nil)
	if h.Status != http.StatusOK || strings.TrimSpace(string(h.Body)) != `{"backend":"postgres","status":"ok"}` {
		t.Fatalf("/healthz: %s", h)
	}
	cc := mustTokens(t, a.token(t, asPost, url.Values{"grant_type": {"client_credentials"}}), "client_credentials")
	// A client_id PostgreSQL cannot hold in text is an unknown client, as
	// on SQLite, not a store failure.
	for _, id := range []string{"post\x00client", "post\xffclient"} {
		wantTokenError(t, a.token(t, postAuth(id, postSecret), url.Values{"grant_type": {"client_credentials"}}), http.StatusUnauthorized, "invalid_client")
	}
	pw := a.passwordTokens(t, "read")
	r1 := mustTokens(t, a.refresh(t, asBasic, pw.str("refresh_token")), "refresh")
	if !a.active(t, cc.str("access_token")) || !a.active(t, r1.str("access_token")) {
		t.Fatal("tokens not active on the server that issued them")
	}
	a.kill()

	b := startOnPostgres(t, dir, dsn, addr)
	if b.url != a.url {
		t.Fatalf("issuers %s and %s differ", a.url, b.url)
	}
	if !b.active(t, cc.str("access_token")) || !b.active(t, r1.str("access_token")) {
		t.Fatalf("the tokens of the first serve are not active on the second: %s", b.introspect(t, cc.str("access_token")))
	}
	r2 := mustTokens(t, b.refresh(t, asBasic, r1.str("refresh_token")), "refresh on the second serve")
	time.Sleep(2100 * time.Millisecond) // past the refresh race leeway (docs/serve.md §9)
	wantTokenError(t, b.refresh(t, asBasic, r1.str("refresh_token")), http.StatusBadRequest, "invalid_grant")
	wantTokenError(t, b.refresh(t, asBasic, r2.str("refresh_token")), http.StatusBadRequest, "invalid_grant")
	if b.active(t, r2.str("access_token")) {
		t.Fatal("the replay did not revoke the grant's access token")
	}
}

// TestRule64_PostgresOutage: while the database refuses connections (its
// sessions terminated, as a restart of PostgreSQL does), /token answers a
// JSON 503 temporarily_unavailable with no token and /healthz 503; once it
// takes connections again, the same process answers 200 without a restart.
func TestRule64_PostgresOutage(t *testing.T) {
	name, dsn := pgtest.Database(t)
	admin := pgtest.Admin(t)
	s := startOnPostgres(t, t.TempDir(), dsn, "127.0.0.1:0")
	cc := url.Values{"grant_type": {"client_credentials"}}
	mustTokens(t, s.token(t, asPost, cc), "client_credentials before the outage")

	ctx := context.Background()
	exec := func(sql string) {
		t.Helper()
		if _, err := admin.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	exec(`ALTER DATABASE ` + name + ` ALLOW_CONNECTIONS false`)
	exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '` + name + `'`)
	a := s.token(t, asPost, cc)
	wantTokenError(t, a, http.StatusServiceUnavailable, "temporarily_unavailable")
	if a.str("access_token") != "" {
		t.Fatal("a token was issued during the outage")
	}
	h := s.do(t, http.MethodGet, "/healthz", nil, nil)
	if h.Status != http.StatusServiceUnavailable || h.str("status") != "unavailable" || h.str("backend") != "postgres" {
		t.Fatalf("/healthz during the outage: %s", h)
	}

	exec(`ALTER DATABASE ` + name + ` ALLOW_CONNECTIONS true`)
	tok := mustTokens(t, s.token(t, asPost, cc), "client_credentials after the outage")
	if !s.active(t, tok.str("access_token")) {
		t.Fatal("the token issued after the outage is not active")
	}
	if h := s.do(t, http.MethodGet, "/healthz", nil, nil); h.Status != http.StatusOK {
		t.Fatalf("/healthz after the outage: %s", h)
	}
	if strings.Contains(s.stderr.String(), "panic") {
		t.Fatalf("serve panicked:\n%s", s.stderr.String())
	}
}

// TestRule65_PostgresPasswordNeverShown: the password of the DSN (the
// server trusts local connections, so any password works) appears neither
// in the banner, which shows it as xxxxx, nor anywhere else serve prints,
// nor in the start-up error of a DSN that cannot be opened.
func TestRule65_PostgresPasswordNeverShown(t *testing.T) {
	const pw = "n0t-shown-pw"
	_, dsn := pgtest.Database(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), pw)
	s := startOnPostgres(t, t.TempDir(), u.String(), "127.0.0.1:0")
	mustTokens(t, s.token(t, asPost, url.Values{"grant_type": {"client_credentials"}}), "client_credentials")
	u.User = url.UserPassword(u.User.Username(), "xxxxx")
	if !strings.Contains(s.stderr.String(), "store:        "+u.String()+"\n") {
		t.Errorf("the banner does not show the store as %s:\n%s", u, s.stderr.String())
	}
	s.kill()
	if out := s.stdout.String() + s.stderr.String(); strings.Contains(out, pw) {
		t.Fatalf("serve printed the password:\n%s", out)
	}

	// A server that is not there: exit 1, one line, no password.
	bad := "postgres://oauthkit:" + pw + "@127.0.0.1:1/oauthkit?sslmode=disable&connect_timeout=2"
	_, err = launchIn(t.TempDir(), "", "--config", writeConfig(t), "--store", bad, "--addr", "127.0.0.1:0")
	if err == nil {
		t.Fatal("serve started on a closed port")
	}
	// The harness's message repeats the command line; what serve printed
	// follows "stderr:".
	_, stderr, _ := strings.Cut(err.Error(), "stderr:\n")
	if strings.Contains(stderr, pw) || !strings.HasPrefix(stderr, "oauthkit: opening the store postgres://oauthkit:xxxxx@127.0.0.1:1/oauthkit") ||
		strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Fatalf("start-up error: %q", stderr)
	}
}

func writeConfig(t *testing.T) string {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte(baseConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg
}
