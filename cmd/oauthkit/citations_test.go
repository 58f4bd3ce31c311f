package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCitationsNameOnlyFilesTheRepositoryHas: code, tests and docs cite the
// security rules by docs/security.md and other files of this repository, never
// documents that are not in it (issue 14 item 18). The names are assembled so
// that this file does not match itself.
func TestCitationsNameOnlyFilesTheRepositoryHas(t *testing.T) {
	foreign := regexp.MustCompile(strings.Join([]string{
		`\b` + "SECURITY" + `\.md`,
		`\b` + "DESIGN" + `\.md`,
		`(?i)\bdesign` + ` notes\b`,
		`\.\./` + `shared\b`,
		`\bshared/` + `seeds\b`,
	}, "|"))
	root := filepath.Join("..", "..")
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "bin", "dist":
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(path) {
		case ".go", ".md", ".txtar", ".sql", ".yaml", ".yml", ".txt", ".html", ".js", ".json":
		default:
			if filepath.Base(path) != "Makefile" {
				return nil
			}
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		checked++
		for i, line := range strings.Split(string(data), "\n") {
			if m := foreign.FindString(line); m != "" {
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s:%d cites %q, which is not part of the repository (cite docs/security.md rule numbers or an RFC section): %s", rel, i+1, m, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("only %d files checked; is the repository root %s?", checked, root)
	}
}
