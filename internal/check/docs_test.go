package check_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/internal/check"
)

// docs/check.md lists every check of the catalogue with its level,
// reference and title, and no other.
func TestDocsListTheCatalogue(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "check.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	_, table, _ := strings.Cut(doc, "## The catalogue")
	table, _, _ = strings.Cut(strings.TrimLeft(table, "\n"), "\n\n")
	rows := 0
	for _, line := range strings.Split(table, "\n") {
		if strings.HasPrefix(line, "| `") {
			rows++
		}
	}
	all := check.Catalogue()
	if rows != len(all) {
		t.Errorf("docs/check.md's catalogue has %d rows, the catalogue %d checks", rows, len(all))
	}
	for _, c := range all {
		row := "| `" + c.ID + "` | " + string(c.Level) + " | " + c.Ref + " | " + c.Title + " |"
		if !strings.Contains(table, row) {
			t.Errorf("docs/check.md's catalogue lacks the row\n%s", row)
		}
	}
}
