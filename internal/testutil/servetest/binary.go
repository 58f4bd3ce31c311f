package servetest

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"
)

// BinEnv names an installed oauthkit binary to test instead of building
// one from the module's sources.
const BinEnv = "OAUTHKIT_BIN"

// modulePath is the module whose binary the harness builds.
const modulePath = "github.com/oauthkit/oauthkit"

// mainPackage is the package of the oauthkit command.
const mainPackage = modulePath + "/cmd/oauthkit"

// cacheDirName is the directory under the user's cache directory that
// holds one built binary per source hash.
const cacheDirName = "oauthkit-test-bin"

// pruneAfter is how long a cached binary nobody used is kept.
const pruneAfter = 7 * 24 * time.Hour

// Binary returns the path of the oauthkit binary to test: $OAUTHKIT_BIN
// when set, or else the binary built from the module that contains the
// working directory, from the cache when the sources did not change.
func Binary() (string, error) {
	if bin := os.Getenv(BinEnv); bin != "" {
		if _, err := os.Stat(bin); err != nil {
			return "", fmt.Errorf("$%s: %w", BinEnv, err)
		}
		return bin, nil
	}
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	cache, err := cacheDir()
	if err != nil {
		return "", err
	}
	return BuildCached(root, cache)
}

// ModuleRoot finds the directory of this module's go.mod, starting at the
// working directory (a test runs in its package's directory).
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if isModuleRoot(filepath.Join(dir, "go.mod")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod of module %s above the working directory", modulePath)
		}
		dir = parent
	}
}

func isModuleRoot(gomod string) bool {
	f, err := os.Open(gomod)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`) == modulePath
		}
	}
	return false
}

// cacheDir is os.UserCacheDir()/oauthkit-test-bin, or the same under the
// temporary directory when there is no user cache directory.
func cacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, cacheDirName), nil
}

// BuildCached returns cache/<hash>/oauthkit for the sources under root,
// building it first when it is not there. Concurrent callers (parallel
// test packages) wait on a lock file; the binary appears by an atomic
// rename, so nobody ever runs a half-written one.
func BuildCached(root, cache string) (string, error) {
	hash, err := SourceHash(root)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, hash)
	bin := filepath.Join(dir, "oauthkit")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	if _, err := os.Stat(bin); err == nil {
		touch(dir)
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	unlock, err := lockFile(filepath.Join(dir, "lock"))
	if err != nil {
		return "", fmt.Errorf("locking the binary cache: %w", err)
	}
	defer unlock()
	if _, err := os.Stat(bin); err == nil { // built while we waited
		return bin, nil
	}
	if err := build(root, bin); err != nil {
		return "", err
	}
	prune(cache, hash)
	return bin, nil
}

// build runs go build into a temporary file next to bin and renames it.
func build(root, bin string) error {
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		if _, serr := os.Stat(goTool); serr != nil {
			return fmt.Errorf("building oauthkit: the go command is not on PATH: %w", err)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(bin), ".build-*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer os.Remove(tmpName) // gone after the rename; removes a failed build
	args := []string{"build", "-o", tmpName}
	if BuildTags != "" {
		args = append(args, "-tags", BuildTags)
	}
	cmd := exec.Command(goTool, append(args, mainPackage)...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", mainPackage, err, out)
	}
	return os.Rename(tmpName, bin)
}

// SourceHash hashes what the binary is built from: go.mod, go.sum and every
// file of the module's package directories (Go sources and the files they
// embed), skipping _test.go files and testdata, docs, node_modules and
// hidden directories; plus the Go version, target and build tags, which
// change the binary too.
func SourceHash(root string) (string, error) {
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (name == "testdata" || name == "node_modules" || name == "docs" ||
				strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			if path != root {
				if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
					return filepath.SkipDir // another module
				}
			}
			return nil
		}
		if !d.Type().IsRegular() || strings.HasSuffix(name, "_test.go") || strings.HasPrefix(name, ".") {
			return nil
		}
		if filepath.Dir(path) == root && name != "go.mod" && name != "go.sum" && !strings.HasSuffix(name, ".go") {
			return nil // README.md, Makefile, …
		}
		files = append(files, path)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hashing the sources under %s: %w", root, err)
	}
	sort.Strings(files)
	h := sha256.New()
	fmt.Fprintf(h, "%s %s/%s tags=%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, BuildTags)
	for _, path := range files {
		rel, _ := filepath.Rel(root, path)
		f, err := os.Open(path)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00", filepath.ToSlash(rel))
		n, err := io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "\x00%d\n", n)
	}
	return hex.EncodeToString(h.Sum(nil))[:24], nil
}

// touch marks a cached binary as used, so prune keeps it.
func touch(dir string) {
	now := time.Now()
	_ = os.Chtimes(dir, now, now)
}

// prune removes cached binaries of other source trees unused for a week.
func prune(cache, keep string) {
	entries, err := os.ReadDir(cache)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || e.Name() == keep {
			continue
		}
		info, err := e.Info()
		if err != nil || time.Since(info.ModTime()) < pruneAfter {
			continue
		}
		_ = os.RemoveAll(filepath.Join(cache, e.Name()))
	}
}
