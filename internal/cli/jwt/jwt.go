// Package jwtcmd is a placeholder, replaced by its real implementation.
package jwtcmd

import (
	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
)

// NewCmdJWT is a placeholder.
func NewCmdJWT(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{Use: "jwt", Short: "not yet", Hidden: true}
}
