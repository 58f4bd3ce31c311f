// Package fileutil writes files safely: each file atomically (a temporary
// file in the same directory, fsync, rename) and a set of files all or
// nothing, never overwriting an existing file unless asked to.
package fileutil

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ExistsError reports target files that already exist when overwriting was
// not allowed. Nothing was written.
type ExistsError struct {
	Paths []string
}

func (e *ExistsError) Error() string {
	if len(e.Paths) == 1 {
		return fmt.Sprintf("%s already exists (use --force to overwrite); nothing was written", e.Paths[0])
	}
	return fmt.Sprintf("%s already exist (use --force to overwrite); nothing was written", strings.Join(e.Paths, ", "))
}

// stage writes data to a new temporary file next to path, with mode perm
// from its creation (os.CreateTemp creates 0600; a wider mode such as 0644
// is set before any data is written), and syncs it.
func stage(path string, data []byte, perm os.FileMode) (tmp string, err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("writing %s: %w", path, unwrapPath(err))
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if perm != 0o600 {
		if err := f.Chmod(perm); err != nil {
			return "", fmt.Errorf("writing %s: %w", path, unwrapPath(err))
		}
	}
	if _, err := f.Write(data); err != nil {
		return "", fmt.Errorf("writing %s: %w", path, unwrapPath(err))
	}
	if err := f.Sync(); err != nil {
		return "", fmt.Errorf("writing %s: %w", path, unwrapPath(err))
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("writing %s: %w", path, unwrapPath(err))
	}
	return f.Name(), nil
}

// WriteFile writes one file atomically with mode perm. Unless force is
// set, an existing file is left alone and an *ExistsError returned.
func WriteFile(path string, data []byte, perm os.FileMode, force bool) error {
	return WriteSet([]File{{Path: path, Data: data, Mode: perm}}, force)
}

// syncDir makes the renames in dir durable.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync() // best effort: not every file system supports it
	d.Close()
}

// unwrapPath drops the temporary file name from an *os.PathError.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
