package fileutil

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// listDir returns the names in dir, sorted.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func set(dir string) []File {
	return []File{
		{Path: filepath.Join(dir, "a.key"), Data: []byte("private"), Mode: 0o600},
		{Path: filepath.Join(dir, "a.pub"), Data: []byte("public"), Mode: 0o644},
		{Path: filepath.Join(dir, "a.jwk"), Data: []byte("jwk"), Mode: 0o644},
	}
}

func TestWriteSet(t *testing.T) {
	dir := t.TempDir()
	if err := WriteSet(set(dir), false); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(listDir(t, dir), " "); got != "a.jwk a.key a.pub" {
		t.Errorf("dir holds %q, want only the three files (no temporary left)", got)
	}
	for _, f := range set(dir) {
		data, err := os.ReadFile(f.Path)
		if err != nil || string(data) != string(f.Data) {
			t.Errorf("%s = %q, %v; want %q", f.Path, data, err, f.Data)
		}
		if m := mode(t, f.Path); m != f.Mode {
			t.Errorf("%s mode %o, want %o", f.Path, m, f.Mode)
		}
	}
}

func TestWriteSetRefusesExisting(t *testing.T) {
	dir := t.TempDir()
	files := set(dir)
	if err := os.WriteFile(files[1].Path, []byte("old public"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(files[2].Path, 0o755); err != nil { // a directory in the way
		t.Fatal(err)
	}
	err := WriteSet(files, false)
	var ee *ExistsError
	if !errors.As(err, &ee) {
		t.Fatalf("error = %v, want *ExistsError", err)
	}
	want := files[1].Path + ", " + files[2].Path + " already exist (use --force to overwrite); nothing was written"
	if err.Error() != want {
		t.Errorf("error = %q\nwant    %q", err, want)
	}
	if got := strings.Join(listDir(t, dir), " "); got != "a.jwk a.pub" {
		t.Errorf("dir holds %q, want the untouched a.jwk and a.pub only", got)
	}
	if data, _ := os.ReadFile(files[1].Path); string(data) != "old public" {
		t.Errorf("existing file changed to %q", data)
	}
}

func TestWriteSetForce(t *testing.T) {
	dir := t.TempDir()
	files := set(dir)
	if err := os.WriteFile(files[0].Path, []byte("old private"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteSet(files, true); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(files[0].Path); string(data) != "private" {
		t.Errorf("file = %q, want it overwritten", data)
	}
	if m := mode(t, files[0].Path); m != 0o600 {
		t.Errorf("overwritten private file mode %o, want 600", m)
	}
	if got := len(listDir(t, dir)); got != 3 {
		t.Errorf("dir holds %d entries, want 3 (no backup left)", got)
	}
	// --force never replaces a directory.
	if err := os.Mkdir(filepath.Join(dir, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := WriteSet([]File{{Path: filepath.Join(dir, "d"), Data: []byte("x"), Mode: 0o600}}, true)
	if err == nil || !strings.Contains(err.Error(), "exists and is not a regular file; nothing was written") {
		t.Errorf("error = %v", err)
	}
}

// A failure while moving the third file into place: a directory appears
// at its path after the checks (a concurrent writer).
func TestWriteSetAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	files := set(dir)
	w := setWriter{beforeCommit: func(i int) {
		if i == 2 {
			if err := os.Mkdir(files[2].Path, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}}
	err := w.write(files, false)
	if err == nil {
		t.Fatal("write succeeded")
	}
	want := "writing " + files[2].Path + ": file exists; the files already written were removed"
	if err.Error() != want {
		t.Errorf("error = %q\nwant    %q", err, want)
	}
	if got := strings.Join(listDir(t, dir), " "); got != "a.jwk" {
		t.Errorf("dir holds %q, want only the directory a.jwk (no file of the set, no temporary)", got)
	}
}

// With --force, a failure half-way restores the previous files.
func TestWriteSetForceRestores(t *testing.T) {
	dir := t.TempDir()
	files := set(dir)
	for _, f := range files {
		if err := os.WriteFile(f.Path, []byte("old "+filepath.Base(f.Path)), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	for _, linkWorks := range []bool{true, false} {
		calls := 0
		w := setWriter{
			rename: func(o, n string) error {
				if n == files[2].Path && strings.Contains(o, ".tmp-") && !strings.HasSuffix(o, ".old") {
					return &os.LinkError{Op: "rename", Old: o, New: n, Err: errors.New("disk on fire")}
				}
				calls++
				return os.Rename(o, n)
			},
		}
		if !linkWorks {
			w.link = func(o, n string) error {
				return &os.LinkError{Op: "link", Old: o, New: n, Err: errors.New("operation not permitted")}
			}
		}
		err := w.write(files, true)
		want := "writing " + files[2].Path + ": disk on fire; the previous files were restored"
		if err == nil || err.Error() != want {
			t.Errorf("link works %v: error = %v\nwant %q", linkWorks, err, want)
		}
		for _, f := range files {
			data, _ := os.ReadFile(f.Path)
			if string(data) != "old "+filepath.Base(f.Path) {
				t.Errorf("link works %v: %s = %q, want the previous content", linkWorks, f.Path, data)
			}
		}
		if got := len(listDir(t, dir)); got != 3 {
			t.Errorf("link works %v: dir holds %v, want the 3 files only", linkWorks, listDir(t, dir))
		}
		if calls == 0 {
			t.Error("rename hook never ran")
		}
	}
}

// A failure while writing the temporary files (the third file's directory
// does not exist) touches no target.
func TestWriteSetStagingFailure(t *testing.T) {
	dir := t.TempDir()
	files := set(dir)
	files[2].Path = filepath.Join(dir, "missing", "a.jwk")
	err := WriteSet(files, false)
	if err == nil || err.Error() != "writing "+files[2].Path+": no such file or directory; nothing was written" {
		t.Errorf("error = %v", err)
	}
	if got := listDir(t, dir); len(got) != 0 {
		t.Errorf("dir holds %q, want nothing", got)
	}
}

func TestWriteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := WriteFile(path, []byte("one"), 0o600, false); err != nil {
		t.Fatal(err)
	}
	err := WriteFile(path, []byte("two"), 0o600, false)
	if err == nil || err.Error() != path+" already exists (use --force to overwrite); nothing was written" {
		t.Errorf("error = %v", err)
	}
	if err := WriteFile(path, []byte("three"), 0o644, true); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); string(data) != "three" || mode(t, path) != 0o644 {
		t.Errorf("file = %q mode %o", data, mode(t, path))
	}
	if err := WriteSet([]File{{Path: path, Mode: 0o600}, {Path: filepath.Join(filepath.Dir(path), ".", "f"), Mode: 0o600}}, true); err == nil || !strings.Contains(err.Error(), "is named twice") {
		t.Errorf("error = %v, want named twice", err)
	}
}
