package check

import (
	"bytes"
	"testing"

	"github.com/oauthkit/oauthkit/internal/check"
)

// The table: one line per check, the reason of a failure, a skip and a
// warning indented under it, none for a pass.
func TestWriteTable(t *testing.T) {
	var b bytes.Buffer
	writeTable(&b, []check.Report{
		{ID: "a.pass", Level: check.Must, Ref: "RFC 1 §1", Result: check.Pass, Reason: "not shown"},
		{ID: "b.fail", Level: check.Must, Ref: "RFC 2 §2", Result: check.Fail, Reason: "it broke"},
		{ID: "c.warn", Level: check.Should, Ref: "RFC 3 §3", Result: check.Pass, Warning: "not rotated"},
		{ID: "d.skip", Level: check.Must, Ref: "RFC 4 §4", Result: check.Skip, Reason: "no second client"},
	}, false)
	want := `RESULT CHECK  LEVEL  REFERENCE
pass   a.pass MUST   RFC 1 §1
fail   b.fail MUST   RFC 2 §2
       it broke
warn   c.warn SHOULD RFC 3 §3
       not rotated
skip   d.skip MUST   RFC 4 §4
       no second client
`
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}
