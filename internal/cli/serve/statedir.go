package serve

import (
	"errors"
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
