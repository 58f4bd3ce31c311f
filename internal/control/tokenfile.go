package control

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/oauthkit/oauthkit/internal/fileutil"
)

// TokenFileName is the control token's file in the state directory.
const TokenFileName = "control-token"

// maxTokenFile bounds a token file read.
const maxTokenFile = 4096

// NewToken returns a random control token: 32 bytes, base64url.
func NewToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ReadTokenFile reads a control token from a file: its content without
// the trailing newline. An empty file, or one with white space or control
// characters inside the token, is refused.
func ReadTokenFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxTokenFile+1))
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > maxTokenFile {
		return "", fmt.Errorf("%s is larger than %d bytes: not a control token", path, maxTokenFile)
	}
	tok := strings.TrimRight(string(data), "\r\n")
	if tok == "" {
		return "", fmt.Errorf("%s is empty: the control token must not be", path)
	}
	for _, c := range []byte(tok) {
		if c <= ' ' || c > '~' {
			return "", fmt.Errorf("%s: the control token must be one line of printable ASCII without spaces", path)
		}
	}
	return tok, nil
}

// EnsureTokenFile returns the control token kept in dir/control-token:
// the one already there (so that servers sharing a state directory share
// it, and ctl keeps working across restarts), else a new one written
// atomically with mode 0600. A file that group or others may read is not
// trusted: it is replaced by a new token.
func EnsureTokenFile(dir string) (path, token string, err error) {
	path = filepath.Join(dir, TokenFileName)
	if info, err := os.Stat(path); err == nil && info.Mode().IsRegular() &&
		(runtime.GOOS == "windows" || info.Mode().Perm()&0o077 == 0) {
		if tok, err := ReadTokenFile(path); err == nil {
			return path, tok, nil
		}
	}
	token = NewToken()
	if err := fileutil.WriteFile(path, []byte(token+"\n"), 0o600, true); err != nil {
		return "", "", err
	}
	return path, token, nil
}
