//go:build !unix

package servetest

// lockFile cannot lock here: parallel packages may build the same binary
// twice, which is slow but safe, as each build lands by an atomic rename.
func lockFile(string) (func(), error) {
	return func() {}, nil
}
