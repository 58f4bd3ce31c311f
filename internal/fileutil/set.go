package fileutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// File is one member of a set written by WriteSet.
type File struct {
	Path string
	Data []byte
	Mode os.FileMode // e.g. 0600 for private keys, 0644 for public ones
}

// WriteSet writes files all or nothing:
//
//   - unless force is set, if any target exists nothing is written and an
//     *ExistsError names every existing target;
//   - every file is first written and synced to a temporary file in its
//     target's directory (a failure there touches no target);
//   - the temporary files are then moved into place one by one; if a move
//     fails, the files this call already moved are removed again and, with
//     force, the previous files are put back.
//
// Private files are never readable by others at any moment: temporary files
// are created 0600.
func WriteSet(files []File, force bool) error {
	return setWriter{}.write(files, force)
}

// setWriter holds the operations WriteSet uses, so tests can make one fail.
type setWriter struct {
	link         func(oldname, newname string) error // os.Link
	rename       func(oldname, newname string) error // os.Rename
	beforeCommit func(i int)                         // called before file i is moved into place
}

func (w setWriter) ops() setWriter {
	if w.link == nil {
		w.link = os.Link
	}
	if w.rename == nil {
		w.rename = os.Rename
	}
	if w.beforeCommit == nil {
		w.beforeCommit = func(int) {}
	}
	return w
}

// committed records a target moved into place, and its previous version.
type committed struct {
	path   string
	backup string // hard link to the previous file, "" when there was none
	// prev holds the previous file when no hard link could be made.
	prev     []byte
	prevMode os.FileMode
	hadPrev  bool
}

func (w setWriter) write(files []File, force bool) error {
	w = w.ops()
	if err := checkTargets(files, force); err != nil {
		return err
	}

	// Phase 1: temporary files.
	tmps := make([]string, 0, len(files))
	removeTmps := func() {
		for _, t := range tmps {
			os.Remove(t)
		}
	}
	for _, f := range files {
		t, err := stage(f.Path, f.Data, f.Mode)
		if err != nil {
			removeTmps()
			return fmt.Errorf("%w; nothing was written", err)
		}
		tmps = append(tmps, t)
	}

	// Phase 2: move into place.
	var done []committed
	for i, f := range files {
		w.beforeCommit(i)
		c, err := w.commit(tmps[i], f.Path, force)
		if err != nil {
			removeTmps()
			return fmt.Errorf("writing %s: %w; %s", f.Path, unwrapPath(err), w.rollback(done))
		}
		done = append(done, c)
	}
	for _, c := range done {
		if c.backup != "" {
			os.Remove(c.backup)
		}
	}
	dirs := map[string]bool{}
	for _, f := range files {
		if d := filepath.Dir(f.Path); !dirs[d] {
			dirs[d] = true
			syncDir(d)
		}
	}
	return nil
}

// checkTargets refuses existing targets unless force, and targets that are
// not regular files in every case.
func checkTargets(files []File, force bool) error {
	var existing []string
	seen := map[string]bool{}
	for _, f := range files {
		clean := filepath.Clean(f.Path)
		if seen[clean] {
			return fmt.Errorf("%s is named twice; nothing was written", f.Path)
		}
		seen[clean] = true
		fi, err := os.Lstat(f.Path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w; nothing was written", f.Path, unwrapPath(err))
		}
		if !force {
			existing = append(existing, f.Path)
			continue
		}
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("%s exists and is not a regular file; nothing was written", f.Path)
		}
	}
	if len(existing) > 0 {
		return &ExistsError{Paths: existing}
	}
	return nil
}

// commit moves tmp to path. Without force it links (which fails if path
// exists, so a file created meanwhile is never clobbered) and removes tmp.
// With force it first keeps a hard link to the previous file as a backup.
func (w setWriter) commit(tmp, path string, force bool) (committed, error) {
	c := committed{path: path}
	if !force {
		err := w.link(tmp, path)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			// No hard links on this file system: check, then rename.
			if _, serr := os.Lstat(path); !errors.Is(serr, fs.ErrNotExist) {
				return c, fs.ErrExist
			}
			err = w.rename(tmp, path)
		}
		if err != nil {
			return c, err
		}
		os.Remove(tmp)
		return c, nil
	}
	if fi, err := os.Lstat(path); err == nil {
		backup := tmp + ".old"
		if err := w.link(path, backup); err == nil {
			c.backup = backup
		} else {
			// No hard links: keep the previous content in memory.
			data, rerr := os.ReadFile(path)
			if rerr != nil {
				return c, fmt.Errorf("keeping a copy of the previous file: %w", unwrapPath(rerr))
			}
			c.prev, c.prevMode, c.hadPrev = data, fi.Mode().Perm(), true
		}
	}
	if err := w.rename(tmp, path); err != nil {
		if c.backup != "" {
			os.Remove(c.backup)
		}
		return c, err
	}
	return c, nil
}

// rollback undoes the commits in done and says what happened.
func (w setWriter) rollback(done []committed) string {
	if len(done) == 0 {
		return "nothing was written"
	}
	var failed []string
	restored := 0
	for i := len(done) - 1; i >= 0; i-- {
		c := done[i]
		var err error
		switch {
		case c.backup != "":
			err = w.rename(c.backup, c.path)
		case c.hadPrev:
			var tmp string
			if tmp, err = stage(c.path, c.prev, c.prevMode); err == nil {
				if err = w.rename(tmp, c.path); err != nil {
					os.Remove(tmp)
				}
			}
		default:
			if err = os.Remove(c.path); errors.Is(err, fs.ErrNotExist) {
				err = nil
			}
			if err != nil {
				failed = append(failed, c.path)
			}
			continue
		}
		if err != nil {
			failed = append(failed, c.path)
			continue
		}
		restored++
	}
	if len(failed) > 0 {
		return fmt.Sprintf("could not undo the files already written, check them: %s", strings.Join(failed, ", "))
	}
	if restored > 0 {
		return "the previous files were restored"
	}
	return "the files already written were removed"
}
