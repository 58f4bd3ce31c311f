package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
)

// checkCommandPath walks args down the command tree the way Cobra will and
// refuses a word that names no subcommand of a command group: every group,
// the root, completion and any group added later, before any flag is parsed
// (so `jwt verfy tok --key x` reports the command, not the flag).
func checkCommandPath(root *cobra.Command, args []string) error {
	cmd := root
	for {
		name, rest, ok := firstWord(cmd, args)
		if !ok || !cmd.HasSubCommands() {
			return nil
		}
		if cmd == root && (name == cobra.ShellCompRequestCmd || name == cobra.ShellCompNoDescRequestCmd) {
			return nil
		}
		sub := findSubcommand(cmd, name)
		if sub == nil {
			return unknownCommand(cmd, name)
		}
		cmd, args = sub, rest
	}
}

// resolveCommand finds the command named by the words of path (`oauthkit
// help jwt verify`), or a usage error for the first word that names nothing.
func resolveCommand(root *cobra.Command, path []string) (*cobra.Command, error) {
	cmd := root
	for _, name := range path {
		sub := findSubcommand(cmd, name)
		if sub == nil {
			return nil, unknownCommand(cmd, name)
		}
		cmd = sub
	}
	return cmd, nil
}

func findSubcommand(cmd *cobra.Command, name string) *cobra.Command {
	for _, c := range cmd.Commands() {
		if c.Name() == name || c.HasAlias(name) {
			return c
		}
	}
	return nil
}

// unknownCommand is the one-line usage error for a word that names no
// subcommand of cmd, with Cobra's suggestions (edit distance and prefix).
func unknownCommand(cmd *cobra.Command, name string) error {
	msg := fmt.Sprintf("unknown command %q for %q", name, cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2
	}
	if s := cmd.SuggestionsFor(name); len(s) > 0 {
		q := make([]string, len(s))
		for i, v := range s {
			q[i] = fmt.Sprintf("%q", v)
		}
		msg += "; did you mean " + strings.Join(q, " or ") + "?"
	}
	return cmdutil.UsageErrorf("%s (see '%s --help')", msg, cmd.CommandPath())
}

// firstWord returns the first argument that is not a flag or a flag's
// value, and the arguments after it. A flag's value is recognised as Cobra
// does: --name VALUE and -n VALUE for flags that need one.
func firstWord(cmd *cobra.Command, args []string) (string, []string, bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			if i+1 < len(args) {
				return args[i+1], args[i+2:], true
			}
			return "", nil, false
		case strings.HasPrefix(a, "--"):
			if !strings.Contains(a, "=") && needsValue(lookupFlag(cmd, a[2:], "")) {
				i++
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			if len(a) == 2 && needsValue(lookupFlag(cmd, "", a[1:])) {
				i++
			}
		default:
			return a, args[i+1:], true
		}
	}
	return "", nil, false
}

func lookupFlag(cmd *cobra.Command, name, short string) *pflag.Flag {
	for _, fs := range []*pflag.FlagSet{cmd.Flags(), cmd.InheritedFlags()} {
		if name != "" {
			if f := fs.Lookup(name); f != nil {
				return f
			}
		} else if f := fs.ShorthandLookup(short); f != nil {
			return f
		}
	}
	return nil
}

// needsValue: an unknown flag is taken to stand alone, so the word after it
// is still checked as a command.
func needsValue(f *pflag.Flag) bool {
	return f != nil && f.NoOptDefVal == ""
}

// newHelpCmd replaces Cobra's help command, which prints the root's help
// and exits 0 for a topic it does not know.
func newHelpCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command or topic (exit-codes)",
		Long:  "Help prints the help of a command (oauthkit help jwt verify) or a topic (oauthkit help exit-codes).",
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			cmd, err := resolveCommand(c.Root(), args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []cobra.Completion
			for _, s := range cmd.Commands() {
				if (s.IsAvailableCommand() || s.IsAdditionalHelpTopicCommand()) && strings.HasPrefix(s.Name(), toComplete) {
					out = append(out, cobra.CompletionWithDesc(s.Name(), s.Short))
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			cmd, err := resolveCommand(c.Root(), args)
			if err != nil {
				return err
			}
			cmd.InitDefaultHelpFlag()
			cmd.InitDefaultVersionFlag()
			return cmd.Help()
		},
	}
}

// typeUsageErrors makes every error Cobra itself returns for a bad command
// line a usage error (exit 2) by where it comes from, not by its text:
// argument validators are wrapped, required flags and flag groups are
// checked before Cobra would check them (the same checks, so Cobra's find
// nothing left), and flag parsing goes through the root's FlagErrorFunc.
func typeUsageErrors(cmd *cobra.Command) {
	if cmd.Args != nil {
		validate := cmd.Args
		cmd.Args = func(c *cobra.Command, args []string) error {
			return cmdutil.UsageError(validate(c, args))
		}
	}
	if cmd.Runnable() {
		preE, pre := cmd.PreRunE, cmd.PreRun
		cmd.PreRun = nil
		cmd.PreRunE = func(c *cobra.Command, args []string) error {
			if err := c.ValidateRequiredFlags(); err != nil {
				return cmdutil.UsageError(err)
			}
			if err := c.ValidateFlagGroups(); err != nil {
				return cmdutil.UsageError(err)
			}
			if preE != nil {
				return preE(c, args)
			}
			if pre != nil {
				pre(c, args)
			}
			return nil
		}
	}
	for _, sub := range cmd.Commands() {
		typeUsageErrors(sub)
	}
}
