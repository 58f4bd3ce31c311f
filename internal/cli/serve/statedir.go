package serve

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
)

// stateDir returns where zero-config state lives: $XDG_STATE_HOME/oauthkit,
// else the OS's equivalent (~/.local/state on Linux and BSDs,
// ~/Library/Application Support on macOS, %LocalAppData% on Windows).
func stateDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "oauthkit"), nil
	}
	switch runtime.GOOS {
	case "windows":
		if d := getenv("LocalAppData"); d != "" {
			return filepath.Join(d, "oauthkit"), nil
		}
	case "darwin":
		if home := getenv("HOME"); home != "" {
			return filepath.Join(home, "Library", "Application Support", "oauthkit"), nil
		}
	default:
		if home := getenv("HOME"); home != "" {
			return filepath.Join(home, ".local", "state", "oauthkit"), nil
		}
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return "", errors.New("cannot find a state directory: set XDG_STATE_HOME or HOME, or pass --store or --state-dir")
	}
	return filepath.Join(home, ".local", "state", "oauthkit"), nil
}

// checkStateDir keeps the state directory private: it holds the store
// (with the private signing key) and the demo credentials
// (docs/security.md rule 54, as rule 28 for the store file). A directory
// that group or others can write to is refused, and left as it is:
// someone else may already have put files in it, and it may be a shared
// one such as /tmp. One that they can only read or enter (0755, 0750) is
// made 0700, with a note on w.
func checkStateDir(dir string, w io.Writer) error {
	if runtime.GOOS == "windows" {
		return nil // no Unix modes; the profile directory is private
	}
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	if !info.IsDir() {
		return fmt.Errorf("state directory %s is not a directory", dir)
	}
	perm := info.Mode().Perm()
	switch {
	case perm&0o022 != 0:
		return fmt.Errorf("state directory %s has mode %04o: other users could replace the store and the demo credentials in it; check its files, then run chmod 700 %s (docs/security.md rule 54)",
			dir, perm, dir)
	case perm&0o077 != 0:
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("state directory %s has mode %04o and cannot be made private: %v; run chmod 700 %s (docs/security.md rule 54)", dir, perm, err, dir)
		}
		fmt.Fprintf(w, "note: state directory %s had mode %04o; changed it to 0700 (docs/security.md rule 54)\n", dir, perm)
	}
	return nil
}
