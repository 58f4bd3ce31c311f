package jwt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/token"
)

// DecodeOptions of `oauthkit jwt decode`.
type DecodeOptions struct {
	Factory *cmdutil.Factory
	Token   string // the argument: a token, "Bearer <token>" or "-"
	Output  string
}

// NewCmdDecode returns `oauthkit jwt decode`; runF replaces the run in tests.
func NewCmdDecode(f *cmdutil.Factory, runF func(*DecodeOptions) error) *cobra.Command {
	opts := &DecodeOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "decode <token>|-",
		Short: "Show a JWT's header and claims without verifying it",
		Long: `Decode a JWT and print its header and claims as JSON, member order and
number precision kept. Nothing is verified: a note on standard error says so.
Use 'oauthkit jwt verify' to check a token.

The token is the argument, or standard input with "-". A pasted
"Bearer <token>" or "Authorization: Bearer <token>" is accepted.

Text output is the header then the claims, each pretty-printed; on a
terminal the iat, nbf and exp times are also shown in words.
With -o json: {"header": {...}, "claims": {...}}.`,
		Example: `  oauthkit jwt decode "$TOKEN"
  echo "$TOKEN" | oauthkit jwt decode -
  oauthkit jwt decode "Bearer $TOKEN" -o json | jq -r .claims.sub`,
		Args: cmdutil.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.CheckOutput(opts.Output, "text", "json"); err != nil {
				return err
			}
			opts.Token = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runDecode(opts)
		},
	}
	cmdutil.AddOutputFlag(cmd, &opts.Output, "text", "json")
	return cmd
}

func runDecode(opts *DecodeOptions) error {
	f := opts.Factory
	tok, err := readToken(f, opts.Token)
	if err != nil {
		return err
	}
	d, err := token.Decode(tok)
	if err != nil {
		return tokenError(err)
	}
	ios := f.IOStreams
	if opts.Output == "json" {
		err = cmdutil.WriteJSON(ios.Out, tokenJSON{Header: d.RawHeader, Claims: d.RawClaims})
	} else {
		err = writeDecodedText(ios.Out, d, ios.IsStdoutTTY(), f.Now())
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(ios.ErrOut, "note: signature NOT verified")
	return nil
}

// writeDecodedText prints header and claims pretty; on a terminal it adds
// the time claims in words.
func writeDecodedText(w io.Writer, d *token.Decoded, tty bool, now time.Time) error {
	for _, raw := range [][]byte{d.RawHeader, d.RawClaims} {
		if err := writeIndented(w, raw); err != nil {
			return err
		}
	}
	if !tty {
		return nil
	}
	for _, name := range []string{"iat", "nbf", "exp"} {
		t, ok, err := token.NumericDate(d.Claims, name)
		switch {
		case err != nil:
			fmt.Fprintf(w, "%s: %v\n", name, err)
		case ok:
			fmt.Fprintf(w, "%s: %s\n", name, token.FormatTime(t, now))
		}
	}
	return nil
}

// writeIndented pretty-prints one JSON text as it is (order kept).
func writeIndented(w io.Writer, raw []byte) error {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return err
	}
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
	return err
}
