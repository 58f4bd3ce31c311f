// Package keygen is a placeholder, replaced by its real implementation.
package keygen

import (
	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
)

// NewCmdKeygen is a placeholder.
func NewCmdKeygen(f *cmdutil.Factory, runF func(any) error) *cobra.Command {
	return &cobra.Command{Use: "keygen", Short: "not yet", Hidden: true}
}
