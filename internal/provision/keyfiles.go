package provision

import (
	"fmt"
	"io"
	"os"

	"github.com/oauthkit/oauthkit/internal/authserver"
	"github.com/oauthkit/oauthkit/keys"
)

// KeyFiles returns the key set of the given files: the first key signs,
// all are published. It warns about private key files others can read
// (docs/security.md rule 28). source names the first file, for serve's
// banner.
func KeyFiles(files []string, warn io.Writer) (*authserver.KeySet, string, error) {
	var all []*keys.Key
	for _, f := range files {
		ks, err := keys.ParseFile(f)
		if err != nil {
			// ParseFile's errors already name the file.
			return nil, "", fmt.Errorf("signing key: %w", err)
		}
		if info, err := os.Stat(f); err == nil && info.Mode().Perm()&0o077 != 0 && ks[0].IsPrivate() {
			fmt.Fprintf(warn, "warning: private key %s is readable by others (mode %04o); chmod 600 it\n", f, info.Mode().Perm())
		}
		all = append(all, ks...)
	}
	if !all[0].IsPrivate() {
		return nil, "", fmt.Errorf("signing key %s: the first key signs, so it must be a private key", files[0])
	}
	set, err := authserver.NewKeySet(all[0], all[1:]...)
	return set, "key file " + files[0], err
}
