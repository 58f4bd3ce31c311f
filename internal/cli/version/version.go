// Package version implements `oauthkit version`.
package version

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/build"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/token/rsasign"
)

// Options of `oauthkit version`.
type Options struct {
	Factory *cmdutil.Factory
	Output  string
}

// NewCmdVersion returns `oauthkit version`; runF replaces the run in tests.
func NewCmdVersion(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, build date, Go version and RSA signer",
		Long: `Print the version, commit, build date and Go version of this oauthkit binary,
and which RSA signer it was built with: "go crypto/rsa" (the default, pure Go)
or "openssl 3.x.y (cgo)" for a binary built with -tags openssl.`,
		Example: `  oauthkit version
  oauthkit version -o json | jq -r .version`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.CheckOutput(opts.Output, "text", "json"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return run(opts)
		},
	}
	cmdutil.AddOutputFlag(cmd, &opts.Output, "text", "json")
	return cmd
}

// versionInfo is the JSON of `oauthkit version -o json`.
type versionInfo struct {
	build.Info
	RSASigner string `json:"rsa_signer"`
}

func run(opts *Options) error {
	info := versionInfo{Info: build.Get(), RSASigner: rsasign.Default.Name()}
	out := opts.Factory.IOStreams.Out
	if opts.Output == "json" {
		return cmdutil.WriteJSON(out, info)
	}
	_, err := fmt.Fprintf(out, "oauthkit %s\ncommit: %s\nbuilt: %s\ngo: %s %s\nrsa signer: %s\n",
		info.Version, info.Commit, info.Date, info.GoVersion, info.Platform, info.RSASigner)
	return err
}
