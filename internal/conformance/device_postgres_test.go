package conformance

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/oauthkit/oauthkit/internal/testutil/pgtest"
)

// startDeviceOnPostgres starts serve with deviceConfig in dir, on the
// PostgreSQL database dsn.
func startDeviceOnPostgres(t *testing.T, dir, dsn string) *server {
	t.Helper()
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte(deviceConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	return startIn(t, dir, "", "--config", cfg, "--store", dsn, "--addr", freeAddr(t))
}

// TestRule78_DeviceGrantAcrossPostgresServers (rules 78 and 80 on a
// PostgreSQL store): two serve processes on one database. A poll on one
// and a poll on the other right after it: slow_down, as the interval and
// the last poll time are in the shared record. A device code approved on
// one, polled 10 times at once over both: exactly one poll gets tokens,
// the others invalid_grant; a later poll on either is invalid_grant too.
func TestRule78_DeviceGrantAcrossPostgresServers(t *testing.T) {
	_, dsn := pgtest.Database(t)
	dir := t.TempDir()
	a := startDeviceOnPostgres(t, dir, dsn)
	b := startDeviceOnPostgres(t, dir, dsn)

	// Public clients only: on PostgreSQL each process hashes the
	// configuration's client secrets with a key of its own
	// (backend.SecretKeyPath), so two running at once do not share them.
	dc := startDevice(t, a, asTV, nil).str("device_code")
	wantTokenError(t, pollDevice(t, a, asTV, dc), http.StatusBadRequest, "authorization_pending")
	slow := pollDevice(t, b, asTV, dc)
	wantTokenError(t, slow, http.StatusBadRequest, "slow_down")
	wantDescription(t, slow, "every 10 seconds")

	r := startDevice(t, b, asTV, url.Values{"scope": {"openid read"}})
	newBrowser(t, a).approveDevice(t, r.str("user_code"), "allow")
	const n = 10
	got := make([]answer, n)
	var wg sync.WaitGroup
	for i := range n {
		s := []*server{a, b}[i%2]
		wg.Go(func() { got[i] = pollDevice(t, s, asTV, r.str("device_code")) })
	}
	wg.Wait()
	wins := 0
	for _, ans := range got {
		if ans.Status == http.StatusOK && ans.str("access_token") != "" && ans.str("refresh_token") != "" {
			wins++
		} else if ans.str("error") != "invalid_grant" {
			t.Errorf("a losing poll: %s, want invalid_grant", ans)
		}
	}
	if wins != 1 {
		t.Fatalf("%d of %d concurrent polls over two servers got tokens, want exactly 1", wins, n)
	}
	for _, s := range []*server{a, b} {
		again := pollDevice(t, s, asTV, r.str("device_code"))
		wantTokenError(t, again, http.StatusBadRequest, "invalid_grant")
		wantDescription(t, again, "already used")
	}
}
