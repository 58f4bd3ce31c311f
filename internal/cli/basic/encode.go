package basic

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/clientauth"
)

// EncodeOptions of `oauthkit basic encode`.
type EncodeOptions struct {
	Factory    *cmdutil.Factory
	ClientID   string
	Secret     string
	SecretArg  bool // CLIENT_SECRET was given as an argument
	SecretFile string
	Raw        bool
	Header     bool
	Output     string
}

// NewCmdEncode returns `oauthkit basic encode`; runF replaces the run in tests.
func NewCmdEncode(f *cmdutil.Factory, runF func(*EncodeOptions) error) *cobra.Command {
	opts := &EncodeOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "encode CLIENT_ID [CLIENT_SECRET]",
		Short: "Print the HTTP Basic value for a client_id and secret",
		Long: `Print the base64 value of HTTP Basic client credentials.

By default the client_id and the secret are form-urlencoded first, as RFC 6749
§2.3.1 requires of OAuth 2.0 clients; --raw skips that step and gives what
'curl -u id:secret' sends (RFC 7617). The two differ only when the id or the
secret holds a character outside A-Z a-z 0-9 - . _ ~.

The secret should not be given on the command line, where other users of the
machine can see it. It is taken, in this order, from the CLIENT_SECRET
argument, from --secret-file (- for standard input), or from the
` + SecretEnvVar + ` environment variable. An empty secret is allowed
(as an argument or an empty file).`,
		Example: `  oauthkit basic encode my-client --secret-file secret.txt
  printf '%s' "$SECRET" | oauthkit basic encode my-client --secret-file -
  OAUTHKIT_CLIENT_SECRET=s3cret oauthkit basic encode my-client --header
  curl -H "$(oauthkit basic encode my-client --secret-file secret.txt --header)" -d grant_type=client_credentials https://as.example.test/token
  oauthkit basic encode my-client 'p@ss word' --raw -o json`,
		Args: cmdutil.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.CheckOutput(opts.Output, "text", "json"); err != nil {
				return err
			}
			opts.ClientID = args[0]
			if len(args) == 2 {
				opts.Secret, opts.SecretArg = args[1], true
			}
			if opts.SecretArg && opts.SecretFile != "" {
				return cmdutil.UsageErrorf("give the secret either as the CLIENT_SECRET argument or with --secret-file, not both")
			}
			if runF != nil {
				return runF(opts)
			}
			return runEncode(opts)
		},
	}
	cmd.Flags().StringVar(&opts.SecretFile, "secret-file", "", "read the client secret from `FILE` (- for standard input)")
	cmd.Flags().BoolVar(&opts.Raw, "raw", false, "do not form-urlencode the id and secret (what curl -u sends)")
	cmd.Flags().BoolVar(&opts.Header, "header", false, "print the whole 'Authorization: Basic …' header line")
	cmdutil.AddOutputFlag(cmd, &opts.Output, "text", "json")
	return cmd
}

func runEncode(opts *EncodeOptions) error {
	secret, found, err := cmdutil.ReadSecret(opts.Factory, cmdutil.SecretSource{
		Value:   opts.Secret,
		FlagSet: opts.SecretArg,
		File:    opts.SecretFile,
		EnvVar:  SecretEnvVar,
	})
	if err != nil {
		return err
	}
	if opts.SecretArg {
		cmdutil.WarnSecretInArgv(opts.Factory, "the CLIENT_SECRET argument", "--secret-file FILE (- for standard input) or "+SecretEnvVar)
	}
	if !found {
		return cmdutil.UsageErrorf("no client secret: give it as the CLIENT_SECRET argument, with --secret-file FILE (- for standard input), or in %s", SecretEnvVar)
	}
	if err := clientauth.Validate(opts.ClientID, secret, opts.Raw); err != nil {
		if errors.Is(err, clientauth.ErrColonInRawID) {
			return cmdutil.Failf("%v; drop --raw to form-encode it", err)
		}
		return cmdutil.Failf("%v", err)
	}
	value := clientauth.Encode(opts.ClientID, secret, opts.Raw)
	header := "Authorization: " + clientauth.Header(value)
	out := opts.Factory.IOStreams.Out
	switch {
	case opts.Output == "json":
		return cmdutil.WriteJSON(out, struct {
			Value  string `json:"value"`
			Header string `json:"header"`
		}{value, header})
	case opts.Header:
		_, err = fmt.Fprintln(out, header)
	default:
		_, err = fmt.Fprintln(out, value)
	}
	return err
}
