package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
)

// ExitCodesHelp is the text of `oauthkit help exit-codes`, made from the
// table cmdutil.ExitCodes.
func ExitCodesHelp() string {
	var b strings.Builder
	b.WriteString("oauthkit exits with one of these codes:\n\n")
	for _, c := range cmdutil.ExitCodes() {
		b.WriteString(wrap(fmt.Sprintf("  %-4d ", c.Code), c.Meaning+" ["+c.Name+"]", 79))
	}
	b.WriteString(`
An error is one line on standard error: "oauthkit: <message>". With
--error-format json, or when -o json was given on the command line, it is one
line of JSON on standard error instead, whose "kind" is the name in brackets
above or a finer one (for example "token_expired"):
  {"error":{"kind":"usage","message":"...","exit_code":2}}
`)
	return b.String()
}

// wrap writes text after prefix, broken at spaces so that no line is longer
// than width, the continuation lines indented like the first.
func wrap(prefix, text string, width int) string {
	var b strings.Builder
	indent := strings.Repeat(" ", len(prefix))
	line := prefix
	for i, w := range strings.Fields(text) {
		if i > 0 && len(line)+1+len(w) > width {
			b.WriteString(line + "\n")
			line = indent + w
			continue
		}
		if i > 0 {
			line += " "
		}
		line += w
	}
	b.WriteString(line + "\n")
	return b.String()
}

func newExitCodesTopic() *cobra.Command {
	return &cobra.Command{
		Use:   "exit-codes",
		Short: "The exit codes of oauthkit",
		Long:  ExitCodesHelp(),
		// A help topic: no Run, so `oauthkit help exit-codes` prints Long.
	}
}
