package check

import (
	"fmt"
	"io"
	"strings"

	"github.com/oauthkit/oauthkit/internal/check"
	"github.com/oauthkit/oauthkit/internal/termtext"
)

// resultWord is a report's result as the table shows it: a SHOULD not met
// (in a run that is not strict) is "warn".
func resultWord(r check.Report) string {
	if r.Warning != "" {
		return "warn"
	}
	return string(r.Result)
}

// writeTable prints one line per check (result, ID, level, reference),
// then the reason of each failure, warning and skip, indented.
func writeTable(w io.Writer, reports []check.Report, color bool) {
	idW := len("CHECK")
	for _, r := range reports {
		idW = max(idW, len(r.ID))
	}
	fmt.Fprintf(w, "%-6s %-*s %-6s %s\n", "RESULT", idW, "CHECK", "LEVEL", "REFERENCE")
	for _, r := range reports {
		word := resultWord(r)
		cell := fmt.Sprintf("%-6s", word)
		if color {
			code := map[string]string{"pass": "32", "fail": "31", "warn": "33", "skip": "2"}[word]
			cell = "\033[" + code + "m" + cell + "\033[0m"
		}
		fmt.Fprintf(w, "%s %-*s %-6s %s\n", cell, idW, r.ID, r.Level, r.Ref)
		why := r.Reason
		if r.Warning != "" {
			why = r.Warning
		}
		if why != "" && r.Result != check.Pass || r.Warning != "" {
			fmt.Fprintf(w, "       %s\n", termtext.Cut(strings.ReplaceAll(why, "\n", " "), 400))
		}
	}
}
