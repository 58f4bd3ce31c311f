package conformance

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

// Rules 27–28: what reaches the store file, and its mode.

func TestRule27_StoreHoldsOnlyHashes(t *testing.T) {
	s := startServer(t, baseConfig)
	pw := s.passwordTokens(t, "read")
	rotated := mustTokens(t, s.refresh(t, asBasic, pw.str("refresh_token")), "refresh")
	g := s.getCode(t, basicID, appCB, "read", false)
	unredeemed := s.getCode(t, basicID, appCB, "read", false)
	code := mustTokens(t, s.redeem(t, asBasic, g), "code")
	_ = s.token(t, asPost, url.Values{"grant_type": {"client_credentials"}})
	// Read the file and its WAL while the server runs (nothing is hidden
	// in a checkpoint), then again after it stops.
	secrets := map[string]string{
		"refresh token": pw.str("refresh_token"), "rotated refresh token": rotated.str("refresh_token"),
		"code": g.code, "unredeemed code": unredeemed.code, "code's refresh token": code.str("refresh_token"),
		"client secret": basicSecret, "post client secret": postSecret, "user password": userPassword,
	}
	check := func(when string) {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			data, err := os.ReadFile(s.store + suffix)
			if err != nil {
				if suffix != "" && os.IsNotExist(err) {
					continue
				}
				t.Fatal(err)
			}
			for name, v := range secrets {
				if bytes.Contains(data, []byte(v)) {
					t.Errorf("%s: the %s is in %s in clear", when, name, filepath.Base(s.store+suffix))
				}
			}
		}
	}
	check("running")
	s.kill()
	check("stopped")
}

func TestRule28_StoreFileModes(t *testing.T) {
	s := shared(t)
	_ = s.passwordTokens(t, "read")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		fi, err := os.Stat(s.store + suffix)
		if err != nil {
			if suffix != "" && os.IsNotExist(err) {
				continue
			}
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s has mode %04o, want 0600", filepath.Base(s.store+suffix), m)
		}
	}
	t.Run("a store others can read is refused", func(t *testing.T) {
		dir := t.TempDir()
		db := filepath.Join(dir, "store.db")
		writeFile(t, db, "")
		if err := os.Chmod(db, 0o644); err != nil {
			t.Fatal(err)
		}
		s2, err := launch(dir, baseConfig)
		if err == nil {
			s2.kill()
			t.Fatal("serve started with a store file of mode 0644")
		}
		if !bytes.Contains([]byte(err.Error()), []byte("0644")) && !bytes.Contains([]byte(err.Error()), []byte("others")) {
			t.Errorf("refused for another reason: %v", err)
		}
	})
}
