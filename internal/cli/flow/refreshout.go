package flow

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/clientopts"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/fileutil"
	"github.com/oauthkit/oauthkit/internal/flow"
)

// addRefreshTokenOutFlag registers --refresh-token-out on a grant that can
// return a refresh token.
func addRefreshTokenOutFlag(cmd *cobra.Command, o *clientopts.CommonOptions) {
	cmd.Flags().StringVar(&o.RefreshTokenOut, "refresh-token-out", "", "also write a refresh token in the answer to this file (mode 0600)")
	clientopts.GroupFlag(cmd, "refresh-token-out", clientopts.GroupOutput)
}

// checkRefreshTokenOut: the file's directory must exist before any request
// is made, so a typo cannot cost a rotated refresh token.
func checkRefreshTokenOut(o *clientopts.CommonOptions) error {
	if o.RefreshTokenOut == "" {
		return nil
	}
	if o.RefreshTokenOut == "-" {
		return cmdutil.UsageErrorf("--refresh-token-out needs a file name (standard output has the token response)")
	}
	dir := filepath.Dir(o.RefreshTokenOut)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return cmdutil.UsageErrorf("--refresh-token-out %s: the directory %s does not exist", o.RefreshTokenOut, dir)
	}
	return nil
}

// dropsRefreshToken: the -o formats that print the access token alone.
func dropsRefreshToken(format string) bool { return format == "token" || format == "header" }

// emitToken writes a token response where it was asked for: the refresh
// token to --refresh-token-out, the response on standard output in the -o
// format. A refresh token the format drops, with no file to keep it, gets a
// one-line warning: a rotating server has already retired the old one.
func emitToken(o *clientopts.CommonOptions, tr *flow.TokenResponse) error {
	ios := o.Factory.IOStreams
	var saveErr error
	if tr.RefreshToken != "" {
		switch {
		case o.RefreshTokenOut != "":
			if err := fileutil.WriteFile(o.RefreshTokenOut, []byte(tr.RefreshToken+"\n"), 0o600, true); err != nil {
				saveErr = cmdutil.Failf("--refresh-token-out: %v; the new refresh token was not saved", err)
			}
		case dropsRefreshToken(o.Output):
			fmt.Fprintf(ios.ErrOut, "warning: the server issued a refresh token that -o %s does not print; keep it with --refresh-token-out FILE (or -o json, -o env)\n", o.Output)
		}
	}
	return errors.Join(saveErr, WriteToken(ios.Out, o.Output, tr))
}
