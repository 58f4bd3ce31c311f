package clientopts

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Help groups of the client commands' flags, in the order help shows them;
// a flag in no group is listed under "Flags" after them.
const (
	GroupServer  = "Server"
	GroupClient  = "Client"
	GroupRequest = "Request"
	GroupBrowser = "Browser"
	GroupTwoStep = "Two steps"
	GroupIDToken = "ID token"
	GroupOutput  = "Output"
)

var groupOrder = []string{GroupServer, GroupClient, GroupRequest, GroupBrowser, GroupTwoStep, GroupIDToken, GroupOutput, ""}

// groupAnnotation is the pflag annotation that holds a flag's group.
const groupAnnotation = "oauthkit_group"

// GroupFlag puts cmd's flag name into a help group.
func GroupFlag(cmd *cobra.Command, name, group string) {
	_ = cmd.Flags().SetAnnotation(name, groupAnnotation, []string{group})
}

// groupedUsage is the usage text of the client commands: the flags in
// their groups, one line each, then the global flags.
func groupedUsage(c *cobra.Command) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage:\n  %s\n", c.UseLine())
	if c.HasExample() {
		fmt.Fprintf(&b, "\nExamples:\n%s\n", c.Example)
	}
	sets := map[string]*pflag.FlagSet{}
	c.LocalFlags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		g := ""
		if v := f.Annotations[groupAnnotation]; len(v) == 1 {
			g = v[0]
		}
		if sets[g] == nil {
			sets[g] = pflag.NewFlagSet(g, pflag.ContinueOnError)
			sets[g].SortFlags = false
		}
		sets[g].AddFlag(f)
	})
	for _, g := range groupOrder {
		fs := sets[g]
		if fs == nil {
			continue
		}
		title := g
		if title == "" {
			title = "Flags"
		}
		fmt.Fprintf(&b, "\n%s:\n%s", title, fs.FlagUsagesWrapped(0))
	}
	if c.HasAvailableInheritedFlags() {
		fmt.Fprintf(&b, "\nGlobal Flags:\n%s", c.InheritedFlags().FlagUsagesWrapped(0))
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(&b, "\nUse \"%s [command] --help\" for more information about a command.\n", c.CommandPath())
	}
	_, err := fmt.Fprint(c.OutOrStderr(), b.String())
	return err
}
