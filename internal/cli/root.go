// Package cli builds the oauthkit command tree and maps errors to exit codes.
package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/basic"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	flowcmd "github.com/oauthkit/oauthkit/internal/cli/flow"
	jwtcmd "github.com/oauthkit/oauthkit/internal/cli/jwt"
	"github.com/oauthkit/oauthkit/internal/cli/keygen"
	keyscmd "github.com/oauthkit/oauthkit/internal/cli/keys"
	"github.com/oauthkit/oauthkit/internal/cli/serve"
	"github.com/oauthkit/oauthkit/internal/cli/tokencmd"
	"github.com/oauthkit/oauthkit/internal/cli/version"
	"github.com/oauthkit/oauthkit/internal/iostreams"
)

// Main runs oauthkit with args and returns the exit code.
func Main(args []string, ios *iostreams.IOStreams) int {
	return MainWithFactory(args, cmdutil.NewFactory(ios, os.Getenv))
}

// MainWithFactory runs oauthkit with a prepared factory (tests).
func MainWithFactory(args []string, f *cmdutil.Factory) int {
	root := NewRootCmd(f)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	if err == nil {
		return cmdutil.ExitOK
	}
	if isCobraUsageError(err) {
		err = &cmdutil.ExitError{Code: cmdutil.ExitUsage, Kind: "usage", Err: err}
	}
	printError(f, cmd, err)
	return cmdutil.ExitCode(err)
}

// NewRootCmd returns the root command with every subcommand.
func NewRootCmd(f *cmdutil.Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "oauthkit <command>",
		Short: "The OAuth 2.0 bench for your machine and CI",
		Long: `oauthkit gives a developer the whole OAuth 2.0 bench: key pairs and JWKs,
HTTP Basic client credentials, JWT decoding, verification and minting, a real
local authorization server and a client for every grant.

The result of a command goes to standard output; messages go to standard error.
Exit codes are listed by 'oauthkit help exit-codes'.`,
		Example: `  oauthkit keygen --out-dir keys
  oauthkit basic encode my-client --secret-file secret.txt
  oauthkit jwt decode "$TOKEN"`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetIn(f.IOStreams.In)
	root.SetOut(f.IOStreams.Out)
	root.SetErr(f.IOStreams.ErrOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &cmdutil.ExitError{Code: cmdutil.ExitUsage, Kind: "usage",
			Err: fmt.Errorf("%w (see '%s --help')", err, c.CommandPath())}
	})
	root.CompletionOptions.HiddenDefaultCmd = false

	root.AddCommand(
		keygen.NewCmdKeygen(f, nil),
		keyscmd.NewCmdKeys(f),
		basic.NewCmdBasic(f),
		jwtcmd.NewCmdJWT(f),
		serve.NewCmdServe(f, nil),
		flowcmd.NewCmdFlow(f),
		tokencmd.NewCmdToken(f),
		version.NewCmdVersion(f, nil),
		newExitCodesTopic(),
	)
	return root
}

// isCobraUsageError recognises the errors cobra itself returns for a bad
// command line (unknown command, bad flag when no FlagErrorFunc applies).
func isCobraUsageError(err error) bool {
	var ee *cmdutil.ExitError
	if errors.As(err, &ee) {
		return false
	}
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "required flag", "invalid argument", "accepts ", "requires at least", "if any flags in the group", "flag needs an argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func printError(f *cmdutil.Factory, cmd *cobra.Command, err error) {
	if cmd != nil {
		if fl := cmd.Flags().Lookup("output"); fl != nil && fl.Value.String() == "json" {
			_ = cmdutil.WriteJSON(f.IOStreams.ErrOut, map[string]any{
				"error": map[string]any{"kind": cmdutil.ErrorKind(err), "message": err.Error(), "exit_code": cmdutil.ExitCode(err)},
			})
			return
		}
	}
	fmt.Fprintf(f.IOStreams.ErrOut, "oauthkit: %s\n", err)
}
