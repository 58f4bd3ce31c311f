package flow

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
)

// WriteToken prints a token response in one of the -o formats:
//
//	json    the response as the server sent it, plus "expires_at" (RFC 3339)
//	        when expires_in is present, and "id_token_claims" (the verified
//	        ID token's claims) when there is one
//	token   the access token alone
//	header  Authorization: Bearer <access token> (DPoP <access token> for
//	        a DPoP-bound one: 'oauthkit token call -o header' adds its proof)
//	env     export OAUTHKIT_ACCESS_TOKEN='…' lines for eval
func WriteToken(w io.Writer, format string, tr *flow.TokenResponse) error {
	if tr.AccessToken == "" && (format == "token" || format == "header") {
		return cmdutil.Failf("the response has no access token (response type id_token); use -o json or -o env")
	}
	switch format {
	case "token":
		_, err := fmt.Fprintln(w, tr.AccessToken)
		return err
	case "header":
		scheme := "Bearer"
		if strings.EqualFold(tr.TokenType, "DPoP") {
			scheme = "DPoP" // RFC 9449 §7.1
		}
		_, err := fmt.Fprintf(w, "Authorization: %s %s\n", scheme, tr.AccessToken)
		return err
	case "env":
		var b strings.Builder
		for _, kv := range []struct{ name, v string }{
			{"OAUTHKIT_ACCESS_TOKEN", tr.AccessToken},
			{"OAUTHKIT_TOKEN_TYPE", tr.TokenType},
			{"OAUTHKIT_REFRESH_TOKEN", tr.RefreshToken},
			{"OAUTHKIT_ID_TOKEN", tr.IDToken},
			{"OAUTHKIT_SCOPE", tr.Scope},
			{"OAUTHKIT_EXPIRES_AT", expiresAt(tr)},
		} {
			if kv.v != "" {
				fmt.Fprintf(&b, "export %s=%s\n", kv.name, shellQuote(kv.v))
			}
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
	obj := tr.Raw
	if !tr.ExpiresAt.IsZero() {
		obj = obj.With("expires_at", expiresAt(tr))
	}
	if tr.IDTokenClaims != nil {
		obj = obj.With("id_token_claims", tr.IDTokenClaims)
	}
	return cmdutil.WriteJSON(w, obj)
}

func expiresAt(tr *flow.TokenResponse) string {
	if tr.ExpiresAt.IsZero() {
		return ""
	}
	return tr.ExpiresAt.UTC().Format(time.RFC3339)
}

// shellQuote quotes a value for POSIX sh: single quotes, with ' as '\”.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// failEvalOnError makes `eval "$(oauthkit flow … -o env)"` fail when the
// command fails: with -o env an error leaves the line (exit N) on standard
// output, a subshell that sets $? to the exit code without ending the shell
// that evaluates it. Flag errors, which Cobra reports before RunE, too.
func failEvalOnError(cmd *cobra.Command) {
	out := cmd.Flags().Lookup("output")
	if out == nil || cmd.RunE == nil {
		return
	}
	fail := func(c *cobra.Command, err error) error {
		if err != nil && out.Value.String() == "env" {
			fmt.Fprintf(c.OutOrStdout(), "(exit %d)\n", cmdutil.ExitCode(err))
		}
		return err
	}
	run := cmd.RunE
	cmd.RunE = func(c *cobra.Command, args []string) error { return fail(c, run(c, args)) }
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		if p := c.Parent(); p != nil { // the root's: a usage error
			err = p.FlagErrorFunc()(c, err)
		}
		return fail(c, err)
	})
}
