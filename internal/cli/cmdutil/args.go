package cmdutil

import (
	"github.com/spf13/cobra"
)

// ExactArgs is cobra.ExactArgs returning a usage error (exit 2).
func ExactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return UsageErrorf("%s takes %d argument(s), got %d (see '%s --help')", cmd.CommandPath(), n, len(args), cmd.CommandPath())
		}
		return nil
	}
}

// RangeArgs is cobra.RangeArgs returning a usage error (exit 2).
func RangeArgs(min, max int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < min || len(args) > max {
			return UsageErrorf("%s takes %d to %d argument(s), got %d (see '%s --help')", cmd.CommandPath(), min, max, len(args), cmd.CommandPath())
		}
		return nil
	}
}

// MinimumArgs is cobra.MinimumNArgs returning a usage error (exit 2).
func MinimumArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return UsageErrorf("%s needs at least %d argument(s), got %d (see '%s --help')", cmd.CommandPath(), n, len(args), cmd.CommandPath())
		}
		return nil
	}
}

// NoArgs refuses positional arguments with a usage error (exit 2).
func NoArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return UsageErrorf("%s takes no arguments, got %q (see '%s --help')", cmd.CommandPath(), args[0], cmd.CommandPath())
	}
	return nil
}
