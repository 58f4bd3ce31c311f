// Package jwt implements `oauthkit jwt decode|verify|sign`.
package jwt

import (
	"encoding/json"
	"strings"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/token"
)

// NewCmdJWT returns the `oauthkit jwt` command group.
func NewCmdJWT(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "jwt <command>",
		Short: "Decode, verify and sign JSON Web Tokens",
		Long: `Work with JSON Web Tokens (compact JWS, RFC 7515/7519).

  decode   show the header and claims, verifying nothing
  verify   check the signature against a key or a JWKS, then exp, nbf, iat, iss and aud
  sign     mint a test token with a private key
  inspect  look at a token on a terminal: times, live expiry countdown

Only public-key algorithms are used: RS256/384/512, PS256/384/512,
ES256/384/512 and EdDSA. "alg: none" and HMAC tokens are always refused.`,
		Example: `  oauthkit jwt sign --key keys/oauthkit.key.pem --sub alice --aud api > token.txt
  oauthkit jwt decode - < token.txt
  oauthkit jwt verify - --key keys/oauthkit.pub.pem --aud api < token.txt`,
	}
	cmd.AddCommand(
		NewCmdDecode(f, nil),
		NewCmdVerify(f, nil),
		NewCmdSign(f, nil),
		NewCmdInspect(f, nil),
	)
	return cmd
}

// readToken reads the token argument ("-" = stdin) and strips what is
// commonly pasted around a token: "Authorization:", "Bearer " and the
// id_token="…" quoting of some gateways.
func readToken(f *cmdutil.Factory, arg string) (string, error) {
	s, err := cmdutil.ReadValueArg(f, arg)
	if err != nil {
		return "", err
	}
	s = normalizeToken(s)
	if s == "" {
		return "", cmdutil.Failf("no token given")
	}
	return s, nil
}

func normalizeToken(s string) string {
	s = strings.TrimSpace(s)
	if p := "authorization:"; len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
		s = strings.TrimSpace(s[len(p):])
	}
	if p := "bearer "; len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
		s = strings.TrimSpace(s[len(p):])
	} else if strings.EqualFold(s, "bearer") {
		return ""
	}
	if p := `id_token="`; strings.HasPrefix(s, p) && strings.HasSuffix(s, `"`) && len(s) > len(p) {
		s = s[len(p) : len(s)-1]
	}
	return s
}

// tokenJSON is the {"header":…,"claims":…} shape of -o json, member order
// of the token kept.
type tokenJSON struct {
	Valid  *bool           `json:"valid,omitempty"`
	Header json.RawMessage `json:"header"`
	Claims json.RawMessage `json:"claims"`
}

// tokenError turns a rejected token into exit 1 with a machine-readable kind.
func tokenError(err error) error {
	kind := token.KindOf(err)
	if kind == 0 {
		return cmdutil.Failf("%v", err)
	}
	return &cmdutil.ExitError{Code: cmdutil.ExitFailure, Kind: "token_" + kind.String(), Err: err}
}
