// Package cli builds the oauthkit command tree and maps errors to exit codes.
package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/build"
	"github.com/oauthkit/oauthkit/internal/cli/basic"
	checkcmd "github.com/oauthkit/oauthkit/internal/cli/check"
	clientcmd "github.com/oauthkit/oauthkit/internal/cli/client"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/cli/ctl"
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
	if err := checkCommandPath(root, args); err != nil {
		// Nothing was parsed yet: read --error-format (and -o) leniently.
		root.FParseErrWhitelist.UnknownFlags = true
		_ = root.ParseFlags(args)
		format := cmdutil.ErrorFormat("text")
		if fl := root.PersistentFlags().Lookup(cmdutil.ErrorFormatFlag); fl.Changed {
			format = cmdutil.ErrorFormat(fl.Value.String())
		} else if outputJSONIn(args) {
			format = "json"
		}
		cmdutil.WriteError(f.IOStreams.ErrOut, format, err)
		return cmdutil.ExitCode(err)
	}
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	if err == nil {
		return cmdutil.ExitOK
	}
	printError(f, root, cmd, err)
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
An error is one line on standard error (--error-format json: one JSON line).
Exit codes are listed by 'oauthkit help exit-codes'.`,
		Example: `  oauthkit serve
  oauthkit flow client-credentials --issuer http://127.0.0.1:8080 --client-id oauthkit-demo --client-secret-file secret.txt -o token
  oauthkit keygen --out-dir keys
  oauthkit basic encode my-client --secret-file secret.txt
  oauthkit jwt decode "$TOKEN"`,
		Version:       build.Get().Version,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetVersionTemplate("oauthkit {{.Version}}\n")
	root.SetIn(f.IOStreams.In)
	root.SetOut(f.IOStreams.Out)
	root.SetErr(f.IOStreams.ErrOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return cmdutil.UsageError(fmt.Errorf("%w (see '%s --help')", err, c.CommandPath()))
	})
	errFormat := cmdutil.ErrorFormat("text")
	root.PersistentFlags().Var(&errFormat, cmdutil.ErrorFormatFlag, "how errors are printed on standard error: text (one line) or json (one JSON line)")
	root.CompletionOptions.HiddenDefaultCmd = false

	root.AddCommand(
		keygen.NewCmdKeygen(f, nil),
		keyscmd.NewCmdKeys(f),
		basic.NewCmdBasic(f),
		jwtcmd.NewCmdJWT(f),
		serve.NewCmdServe(f, nil),
		ctl.NewCmdCtl(f),
		flowcmd.NewCmdFlow(f),
		clientcmd.NewCmdClient(f),
		checkcmd.NewCmdCheck(f),
		tokencmd.NewCmdToken(f),
		version.NewCmdVersion(f, nil),
		newExitCodesTopic(),
	)
	root.SetHelpCommand(newHelpCmd())
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	typeUsageErrors(root)
	return root
}

// outputJSONIn reports whether args ask for -o json in any spelling.
func outputJSONIn(args []string) bool {
	for i, a := range args {
		switch {
		case a == "--":
			return false
		case a == "-ojson", a == "--output=json", a == "-o=json":
			return true
		case (a == "-o" || a == "--output") && i+1 < len(args) && args[i+1] == "json":
			return true
		}
	}
	return false
}

// printError prints err as one line, or as one JSON line when the user asked
// for JSON: --error-format json, or -o json given explicitly (a command whose
// default output is JSON still prints a text error unless asked).
func printError(f *cmdutil.Factory, root, cmd *cobra.Command, err error) {
	format := cmdutil.ErrorFormat("text")
	if fl := root.PersistentFlags().Lookup(cmdutil.ErrorFormatFlag); fl != nil && fl.Changed {
		format = cmdutil.ErrorFormat(fl.Value.String())
	} else if cmd != nil {
		if fl := cmd.Flags().Lookup("output"); fl != nil && fl.Changed && fl.Value.String() == "json" {
			format = "json"
		}
	}
	cmdutil.WriteError(f.IOStreams.ErrOut, format, err)
}
