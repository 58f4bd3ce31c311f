// Package keyscmd is a placeholder, replaced by its real implementation.
package keyscmd

import (
	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
)

// NewCmdKeys is a placeholder.
func NewCmdKeys(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{Use: "keys", Short: "not yet", Hidden: true}
}
