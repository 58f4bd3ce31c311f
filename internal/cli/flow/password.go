package flow

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/clientopts"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
)

// PasswordOptions are the options of `oauthkit flow password`.
type PasswordOptions struct {
	clientopts.CommonOptions
	Username     string
	PasswordFile string
}

// NewCmdPassword returns `oauthkit flow password`.
func NewCmdPassword(f *cmdutil.Factory, runF func(*PasswordOptions) error) *cobra.Command {
	opts := &PasswordOptions{CommonOptions: clientopts.CommonOptions{Factory: f}}
	cmd := &cobra.Command{
		Use:   "password",
		Short: "Get a token with a username and password (password grant)",
		Long: `Run the resource owner password credentials grant (RFC 6749 §4.3). The
password is read from --password-file ('-' = stdin), OAUTHKIT_PASSWORD, or
asked for on the terminal (not echoed). There is no --password flag: a password
on the command line is visible to every user of the machine.

The password grant is deprecated by the OAuth 2.0 Security BCP (RFC 9700);
use it for tests and legacy servers.

Some servers answer an ID token here (scope openid); it is verified like a
refreshed one (signature, iss, aud, azp, exp, iat, at_hash; no nonce).`,
		Example: `  oauthkit flow password --issuer http://127.0.0.1:8080 --client-id oauthkit-demo --client-secret-file secret.txt --username demo
  OAUTHKIT_PASSWORD=$PW oauthkit flow password --issuer http://127.0.0.1:8080 --client-id oauthkit-demo --client-secret-file secret.txt --username demo -o token`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := prepare(&opts.CommonOptions); err != nil {
				return err
			}
			if p := opts.LoadedProfile(); p != nil {
				if !cmd.Flags().Changed("username") && p.Username != "" {
					opts.Username = p.Username
				}
				if !cmd.Flags().Changed("password-file") && p.PasswordFile != "" {
					opts.PasswordFile = p.PasswordFile
				}
			}
			if opts.Username == "" {
				return cmdutil.UsageErrorf("--username is required")
			}
			if opts.PasswordFile == "-" && opts.ClientSecretFile == "-" {
				return cmdutil.UsageErrorf("--password-file and --client-secret-file cannot both read standard input")
			}
			if runF != nil {
				return runF(opts)
			}
			password, err := readPassword(opts)
			if err != nil {
				return err
			}
			return runGrant(&opts.CommonOptions, func(ctx context.Context, c *flow.Client) (*flow.TokenResponse, error) {
				return c.Password(ctx, opts.Username, password, opts.Grant())
			})
		},
	}
	clientopts.AddCommonFlags(cmd, &opts.CommonOptions, defaultRequestTimeout, clientopts.FlagSet{Endpoints: clientopts.TokenURL | clientopts.JWKSURL, Client: true, Request: true})
	clientopts.AddIDTokenFlags(cmd, &opts.IDToken)
	clientopts.AddDPoPFlags(cmd, &opts.DPoP)
	cmd.Flags().StringVar(&opts.Username, "username", "", "the resource owner's username")
	cmd.Flags().StringVar(&opts.PasswordFile, "password-file", "", "read the password from a file ('-' = stdin)")
	cmdutil.AddOutputFlag(cmd, &opts.Output, clientopts.TokenFormats...)
	clientopts.GroupFlag(cmd, "output", clientopts.GroupOutput)
	addRefreshTokenOutFlag(cmd, &opts.CommonOptions)
	return cmd
}

// readPassword: --password-file, OAUTHKIT_PASSWORD, then a prompt on a TTY.
func readPassword(opts *PasswordOptions) (string, error) {
	f := opts.Factory
	pw, ok, err := cmdutil.ReadSecret(f, cmdutil.SecretSource{File: opts.PasswordFile, EnvVar: "OAUTHKIT_PASSWORD"})
	if err != nil || ok {
		return pw, err
	}
	ios := f.IOStreams
	if !ios.IsStdinTTY() {
		return "", cmdutil.UsageErrorf("no password: give --password-file, set OAUTHKIT_PASSWORD, or run on a terminal to be asked")
	}
	fmt.Fprintf(ios.ErrOut, "Password for %s: ", opts.Username)
	b, err := ios.ReadPassword()
	fmt.Fprintln(ios.ErrOut)
	if err != nil {
		return "", cmdutil.Failf("reading the password: %v", err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}
