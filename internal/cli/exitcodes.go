package cli

import "github.com/spf13/cobra"

// ExitCodesHelp is the text of `oauthkit help exit-codes`.
const ExitCodesHelp = `oauthkit exits with one of these codes:

  0    success
  1    failure (bad input, a file that cannot be read or written, a token that does not verify)
  2    usage error (unknown command or flag, wrong number of arguments, invalid flag value)
  3    the authorization server answered an OAuth error (invalid_grant, access_denied, ...)
  4    network or TLS error (server unreachable, certificate not trusted)
  5    timed out (for example while waiting for the browser to come back)
  130  cancelled by the user (Ctrl-C)

Errors are printed as one line on standard error. With --output json the error
is a JSON object on standard error instead:
  {"error": {"kind": "usage", "message": "...", "exit_code": 2}}
`

func newExitCodesTopic() *cobra.Command {
	return &cobra.Command{
		Use:   "exit-codes",
		Short: "The exit codes of oauthkit",
		Long:  ExitCodesHelp,
		// A help topic: no Run, so `oauthkit help exit-codes` prints Long.
	}
}
