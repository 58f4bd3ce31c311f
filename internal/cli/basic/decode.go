package basic

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/clientauth"
)

// DecodeOptions of `oauthkit basic decode`.
type DecodeOptions struct {
	Factory *cmdutil.Factory
	Value   string // the argument: a value, a header, or "-"
	Raw     bool
	Output  string
}

// NewCmdDecode returns `oauthkit basic decode`; runF replaces the run in tests.
func NewCmdDecode(f *cmdutil.Factory, runF func(*DecodeOptions) error) *cobra.Command {
	opts := &DecodeOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "decode VALUE|-",
		Short: "Print the client_id and secret inside HTTP Basic credentials",
		Long: `Print the client_id and the client_secret inside HTTP Basic credentials.

VALUE is the base64 value, "Basic VALUE", or the whole header line
"Authorization: Basic VALUE" (the scheme is case-insensitive); - reads it from
standard input. The decoded text is split at the first colon, and each part is
form-urldecoded as RFC 6749 §2.3.1 requires ('+' is a space, %XX a byte);
--raw skips that step, for values made by 'curl -u'. A note on standard error
says when the form-decoding changed something.

Malformed credentials (not base64, no colon, an empty client_id, another
scheme such as Bearer, control characters, a bad %-escape) exit with 1.`,
		Example: `  oauthkit basic decode bXktY2xpZW50OnMzY3JldA==
  oauthkit basic decode 'Authorization: Basic bXktY2xpZW50OnMzY3JldA==' -o json
  oauthkit basic encode my-client 'p@ss word' --raw | oauthkit basic decode - --raw`,
		Args: cmdutil.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.CheckOutput(opts.Output, "text", "json"); err != nil {
				return err
			}
			opts.Value = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runDecode(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Raw, "raw", false, "do not form-urldecode the id and secret (for values made by curl -u)")
	cmdutil.AddOutputFlag(cmd, &opts.Output, "text", "json")
	return cmd
}

func runDecode(opts *DecodeOptions) error {
	value, err := cmdutil.ReadValueArg(opts.Factory, opts.Value)
	if err != nil {
		return err
	}
	id, secret, err := clientauth.Decode(value, opts.Raw)
	if errors.Is(err, clientauth.ErrBadEncoding) {
		return cmdutil.Failf("%v (use --raw if the credentials were not form-encoded)", err)
	}
	if err != nil {
		return cmdutil.Failf("%v", err)
	}
	ios := opts.Factory.IOStreams
	if !opts.Raw {
		rawID, rawSecret, rawErr := clientauth.Decode(value, true)
		if rawErr == nil && (rawID != id || rawSecret != secret) {
			fmt.Fprintln(ios.ErrOut, "note: form-decoded as RFC 6749 §2.3.1 requires; --raw shows the text as sent (e.g. by curl -u)")
		}
	}
	if opts.Output == "json" {
		return cmdutil.WriteJSON(ios.Out, struct {
			ClientID     string `json:"client_id"`
			ClientSecret string `json:"client_secret"`
		}{id, secret})
	}
	_, err = fmt.Fprintf(ios.Out, "client_id: %s\nclient_secret: %s\n", id, secret)
	return err
}
