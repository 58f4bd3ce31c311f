//go:build linux

package fault_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Making the store read-only under a running server. chmod cannot do it:
// the server writes through descriptors it opened at start, which a mode
// change does not affect (and root ignores modes anyway). The immutable
// attribute (chattr +i) does: the kernel refuses every write to the file,
// even through open descriptors and even by root. Setting it needs
// CAP_LINUX_IMMUTABLE and a file system that has it (ext4, xfs, btrfs).

// fsImmutableFL is FS_IMMUTABLE_FL of linux/fs.h (x/sys/unix lacks it).
const fsImmutableFL = 0x00000010

// setImmutable sets or clears the immutable attribute of path.
func setImmutable(path string, on bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	flags, err := unix.IoctlGetUint32(int(f.Fd()), unix.FS_IOC_GETFLAGS)
	if err != nil {
		return fmt.Errorf("%s: get attributes: %w", path, err)
	}
	if on {
		flags |= fsImmutableFL
	} else {
		flags &^= fsImmutableFL
	}
	if err := unix.IoctlSetPointerInt(int(f.Fd()), unix.FS_IOC_SETFLAGS, int(flags)); err != nil {
		return fmt.Errorf("%s: set attributes: %w", path, err)
	}
	return nil
}

// freezeStore makes the store file and its sidecars immutable and returns
// the function that thaws them (also run by Cleanup, so that TempDir can
// remove them). Without the privilege it skips loudly (fails under CI).
func freezeStore(t *testing.T, db string) (thaw func()) {
	t.Helper()
	var frozen []string
	thaw = func() {
		for _, p := range frozen {
			if err := setImmutable(p, false); err != nil {
				t.Errorf("thawing the store: %v", err)
			}
		}
		frozen = nil
	}
	t.Cleanup(thaw)
	for _, suffix := range []string{"", "-wal", "-shm"} {
		p := db + suffix
		if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err := setImmutable(p, true); err != nil {
			msg := fmt.Sprintf("cannot make the store read-only (needs CAP_LINUX_IMMUTABLE on ext4/xfs/btrfs): %v", err)
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip("SKIPPED — " + msg)
		}
		frozen = append(frozen, p)
	}
	return thaw
}

// TestRule38ReadOnlyStore: the store file turns read-only under a running
// server. /token answers JSON 503 temporarily_unavailable with no token,
// and /healthz says 503; the refresh that failed left its token usable;
// once the file is writable again, grants succeed without a restart.
func TestRule38ReadOnlyStore(t *testing.T) {
	srv := newServer(t)
	c := newClient(10*time.Second, 2)
	rt := codeGrant(t, c, srv.url)
	if a, err := clientCredentials(c, srv.url); err != nil || a.Status != http.StatusOK {
		t.Fatalf("client_credentials before: %v %v", a, err)
	}

	// A load balancer polls /healthz all along.
	wantHealth(t, c, srv.url, "before", http.StatusOK)
	thaw := freezeStore(t, srv.db)
	down := []struct {
		name string
		try  func() (answer, error)
	}{
		{"client_credentials", func() (answer, error) { return clientCredentials(c, srv.url) }},
		{"refresh_token", func() (answer, error) { return refresh(c, srv.url, rt) }},
	}
	for _, d := range down {
		a, err := d.try()
		wantError(t, d.name+" on a read-only store", a, err, http.StatusServiceUnavailable, "temporarily_unavailable")
		if err == nil && (a.Header.Get("Cache-Control") != "no-store" || !strings.HasPrefix(a.Header.Get("Content-Type"), "application/json")) {
			t.Errorf("%s on a read-only store: Cache-Control %q, Content-Type %q, want no-store and application/json",
				d.name, a.Header.Get("Cache-Control"), a.Header.Get("Content-Type"))
		}
	}
	v := newVerifier()
	if code, err := authorize(c, srv.url, v); err == nil {
		t.Errorf("/authorize on a read-only store issued a code %q", code)
	}
	// The server has seen its writes fail: it is not healthy, whatever a
	// read of the file says.
	wantHealth(t, c, srv.url, "after the failed grants", http.StatusServiceUnavailable)

	thaw()
	// A client backs off longer than the refresh race leeway (2 s) before
	// it retries, so the retry cannot pass for a concurrent request.
	time.Sleep(2100 * time.Millisecond)
	if a, err := clientCredentials(c, srv.url); err != nil || a.Status != http.StatusOK || a.str("access_token") == "" {
		t.Errorf("client_credentials once writable again: %v %v, want 200 with a token", a, err)
	}
	if a, err := refresh(c, srv.url, rt); err != nil || a.Status != http.StatusOK || a.str("refresh_token") == "" {
		t.Errorf("the refresh that failed, retried once writable again: %v %v, want 200", a, err)
	}
	if _, err := authorize(c, srv.url, v); err != nil {
		t.Errorf("/authorize once writable again: %v", err)
	}
	wantHealth(t, c, srv.url, "once writable again", http.StatusOK)
}

// wantHealth wants /healthz to answer status.
func wantHealth(t *testing.T, c *http.Client, base, when string, status int) {
	t.Helper()
	h, err := do(c, mustRequest(t, http.MethodGet, base+"/healthz"))
	if err != nil || h.Status != status {
		t.Errorf("/healthz %s: %v %v, want %d", when, h, err, status)
	}
}

func mustRequest(t *testing.T, method, target string) *http.Request {
	t.Helper()
	if _, err := url.Parse(target); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(method, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
