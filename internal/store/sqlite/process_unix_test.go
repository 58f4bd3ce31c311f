//go:build unix

package sqlite_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/sqlite"
)

// childEnv marks a run of this test binary started by one of these tests.
const childEnv = "OAUTHKIT_SQLITE_TEST_CHILD"

// skipOrFail skips a test whose precondition the machine lacks, loudly;
// under CI=true it fails instead.
func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip("SKIPPED — " + msg)
}

// reexecAs runs the test named pattern in a copy of this test binary under
// uid/gid, in a scratch directory that user owns, and fails with its output
// unless it passed.
func reexecAs(t *testing.T, test string, uid, gid int) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "oauthkit-store-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	bin := filepath.Join(dir, "store.test")
	if err := copyFile(exe, bin); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dir, bin} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(p, uid, gid); err != nil {
			skipOrFail(t, "cannot hand %s to uid %d: %v", p, uid, err)
		}
	}
	cmd := exec.Command(bin, "-test.run=^"+test+"$", "-test.v", "-test.count=1")
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOCOVERDIR=") { // not writable by uid
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, childEnv+"=as-user", "TMPDIR="+dir, "HOME="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	out, err := cmd.CombinedOutput()
	if errors.Is(err, syscall.EPERM) {
		skipOrFail(t, "running as root and cannot switch to uid %d to test permissions: %v", uid, err)
	}
	if err != nil || !strings.Contains(string(out), "--- PASS: "+test) {
		t.Fatalf("%s as uid %d: %v\n%s", test, uid, err, out)
	}
	t.Logf("ran as uid %d:\n%s", uid, out)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o700)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// docs/security.md rule 38: a store on a read-only file opens for reading,
// refuses writes with ErrUnavailable, and accepts them again as soon as the
// file is writable, without being reopened. Permission bits do not stop
// root, so as root the test runs itself as nobody.
func TestReadOnlyFileRecovers(t *testing.T) {
	if os.Geteuid() == 0 {
		if os.Getenv(childEnv) != "" {
			t.Fatal("still root in the child")
		}
		reexecAs(t, "TestReadOnlyFileRecovers", 65534, 65534)
		return
	}
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "oauthkit.db")
	first, err := sqlite.Open(ctx, path, sqlite.Options{})
	must(t, err)
	must(t, first.Clients().Put(ctx, store.Client{ID: "web"}))
	must(t, first.Close())
	must(t, os.Chmod(path, 0o400))

	db := openAt(t, path, sqlite.Options{})
	// Reads still work, but Ping (what /healthz asks) must say the store
	// cannot commit.
	if err := db.Ping(ctx); !errors.Is(err, store.ErrUnavailable) || !strings.Contains(err.Error(), "readonly") {
		t.Errorf("Ping on a read-only file: %v, want ErrUnavailable (readonly)", err)
	}
	if _, err := db.Clients().Get(ctx, "web"); err != nil {
		t.Fatalf("read from a read-only store: %v", err)
	}
	writes := map[string]func() error{
		"put client": func() error { return db.Clients().Put(ctx, store.Client{ID: "new"}) },
		"create code": func() error {
			return db.Codes().Create(ctx, store.Code{Hash: "sha256:c", ClientID: "web", ExpiresAt: t0})
		},
		"create grant": func() error {
			return db.RefreshTokens().CreateFamily(ctx, family("fam"), refresh("sha256:r1", t0))
		},
	}
	for name, write := range writes {
		err := write()
		if !errors.Is(err, store.ErrUnavailable) || !strings.Contains(err.Error(), "readonly") {
			t.Errorf("%s on a read-only file: error = %v, want ErrUnavailable (readonly)", name, err)
		}
	}

	for _, s := range []string{"", "-wal", "-shm"} {
		if err := os.Chmod(path+s, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
	must(t, db.Ping(ctx))
	for name, write := range writes {
		if err := write(); err != nil {
			t.Errorf("%s once writable again: %v", name, err)
		}
	}
	if _, err := db.Clients().Get(ctx, "new"); err != nil {
		t.Errorf("read back after recovery: %v", err)
	}
}

// docs/security.md rule 29: kill -9 loses no committed rotation. A child
// process rotates a refresh token in a loop and reports each rotation once
// Rotate returned; the parent kills it mid-flight, reopens the file and
// finds every reported rotation, with only the newest token usable.
func TestKillNineKeepsCommittedRotations(t *testing.T) {
	if os.Getenv(childEnv) == "rotate-forever" {
		rotateForever(t, os.Getenv(childEnv+"_PATH"))
		return
	}
	if testing.Short() {
		t.Skip("starts a child process")
	}
	path := filepath.Join(t.TempDir(), "oauthkit.db")
	exe, err := os.Executable()
	must(t, err)
	cmd := exec.Command(exe, "-test.run=^TestKillNineKeepsCommittedRotations$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=rotate-forever", childEnv+"_PATH="+path)
	stdout, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())
	lines := bufio.NewScanner(stdout)
	last := -1
	for last < 40 && lines.Scan() {
		if n, ok := strings.CutPrefix(lines.Text(), "committed "); ok {
			fmt.Sscan(n, &last)
		}
	}
	must(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	if last < 40 {
		t.Fatalf("the child reported %d rotations before it stopped", last)
	}

	db := openAt(t, path, sqlite.Options{})
	ctx := t.Context()
	newest := -1
	for i := 0; ; i++ {
		tok, _, err := db.RefreshTokens().Lookup(ctx, fmt.Sprintf("sha256:r%d", i))
		if errors.Is(err, store.ErrNotFound) {
			break
		}
		must(t, err)
		newest = i
		if want := store.StatusRotated; i < last && tok.Status != want {
			t.Errorf("token %d: %s, want %s", i, tok.Status, want)
		}
	}
	if newest < last {
		t.Fatalf("reported rotation %d was lost; the store ends at %d", last, newest)
	}
	now := t0.Add(time.Duration(newest+1) * time.Second)
	_, err = db.RefreshTokens().Rotate(ctx, store.Rotation{OldHash: fmt.Sprintf("sha256:r%d", newest), Next: refresh("sha256:after", now), Now: now})
	if err != nil {
		t.Fatalf("the newest token %d does not rotate after the crash: %v", newest, err)
	}
	_, err = db.RefreshTokens().Rotate(ctx, store.Rotation{OldHash: "sha256:r0", Next: refresh("sha256:evil", now), Now: now.Add(time.Second)})
	if !errors.Is(err, store.ErrReused) {
		t.Fatalf("a rotated-out token after the crash: error = %v, want ErrReused", err)
	}
}

func rotateForever(t *testing.T, path string) {
	ctx := t.Context()
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	must(t, err)
	must(t, db.RefreshTokens().CreateFamily(ctx, family("fam"), refresh("sha256:r0", t0)))
	fmt.Println("committed 0")
	for i := 1; i < 1_000_000; i++ {
		now := t0.Add(time.Duration(i) * time.Second)
		_, err := db.RefreshTokens().Rotate(ctx, store.Rotation{
			OldHash: fmt.Sprintf("sha256:r%d", i-1), Next: refresh(fmt.Sprintf("sha256:r%d", i), now), Now: now,
		})
		must(t, err)
		fmt.Printf("committed %d\n", i)
	}
}

// docs/serve.md §9: access token records and new codes are committed
// without waiting for an fsync (synchronous=NORMAL), and still survive
// kill -9: the commit is in the WAL, which the operating system keeps. A
// child records tokens and codes from several goroutines (so that they
// share commits) and reports each once its call returned; the parent kills
// it and finds every reported one.
func TestKillNineKeepsRelaxedRecords(t *testing.T) {
	if os.Getenv(childEnv) == "record-forever" {
		recordForever(t, os.Getenv(childEnv+"_PATH"))
		return
	}
	if testing.Short() {
		t.Skip("starts a child process")
	}
	path := filepath.Join(t.TempDir(), "oauthkit.db")
	exe, err := os.Executable()
	must(t, err)
	cmd := exec.Command(exe, "-test.run=^TestKillNineKeepsRelaxedRecords$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=record-forever", childEnv+"_PATH="+path)
	stdout, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())
	lines := bufio.NewScanner(stdout)
	var reported []string
	for len(reported) < 400 && lines.Scan() {
		if id, ok := strings.CutPrefix(lines.Text(), "recorded "); ok {
			reported = append(reported, id)
		}
	}
	must(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	if len(reported) < 400 {
		t.Fatalf("the child reported %d records before it stopped", len(reported))
	}
	db := openAt(t, path, sqlite.Options{})
	for _, id := range reported {
		var err error
		if hash, ok := strings.CutPrefix(id, "code "); ok {
			_, err = db.Codes().Redeem(t.Context(), hash, t0)
		} else {
			_, err = db.AccessTokens().Get(t.Context(), id)
		}
		if err != nil {
			t.Errorf("%s, reported before SIGKILL: %v", id, err)
		}
	}
}

func recordForever(t *testing.T, path string) {
	ctx := t.Context()
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	must(t, err)
	var mu sync.Mutex // one line at a time on stdout
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := 0; i < 1_000_000; i++ {
				id := fmt.Sprintf("jti-%d-%d", g, i)
				err := db.AccessTokens().Record(ctx, store.AccessToken{ID: id, ClientID: "svc", Subject: "svc",
					IssuedAt: t0, ExpiresAt: t0.Add(time.Hour)})
				if g%4 == 0 { // some goroutines make codes instead
					id = fmt.Sprintf("code sha256:c-%d-%d", g, i)
					err = db.Codes().Create(ctx, store.Code{Hash: id[len("code "):], ClientID: "web", ExpiresAt: t0.Add(time.Hour)})
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				fmt.Printf("recorded %s\n", id)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}
