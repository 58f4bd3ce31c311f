// Package basic is a placeholder, replaced by its real implementation.
package basic

import (
	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
)

// NewCmdBasic is a placeholder.
func NewCmdBasic(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{Use: "basic", Short: "not yet", Hidden: true}
}
