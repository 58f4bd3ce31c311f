package clientopts

import (
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
)

// IDTokenOptions are the ID-token flags of the grants that can return one
// (authcode, implicit, password, refresh).
type IDTokenOptions struct {
	NoVerifyIDToken bool
	Leeway          time.Duration
	registered      bool
}

// AddIDTokenFlags registers --no-verify-id-token and --leeway.
func AddIDTokenFlags(cmd *cobra.Command, o *IDTokenOptions) {
	fl := cmd.Flags()
	fl.BoolVar(&o.NoVerifyIDToken, "no-verify-id-token", false, "do not verify an ID token in the response (debugging only; its claims are not printed)")
	fl.DurationVar(&o.Leeway, "leeway", flow.DefaultIDTokenLeeway, "clock skew tolerated on the ID token's exp, nbf and iat")
	o.registered = true
}

// Check validates the flags (usage errors).
func (o *IDTokenOptions) Check() error {
	if o.Leeway < 0 {
		return cmdutil.UsageErrorf("--leeway must not be negative, got %s", o.Leeway)
	}
	return nil
}

// Policy is how the client verifies ID tokens. Commands without the flags
// (client-credentials) verify with the default leeway.
func (o *IDTokenOptions) Policy() flow.IDTokenPolicy {
	if !o.registered {
		return flow.IDTokenPolicy{Leeway: flow.DefaultIDTokenLeeway}
	}
	return flow.IDTokenPolicy{Skip: o.NoVerifyIDToken, Leeway: o.Leeway}
}

// WarnNoVerify is printed on standard error with --no-verify-id-token.
const WarnNoVerify = "WARNING: --no-verify-id-token: the ID token is NOT verified (signature, issuer, audience, expiry, nonce); anyone could have made it; its claims are not printed. For debugging only."

// RequireIDTokenVerification refuses, before any request to the
// authorization endpoint, a sign-in whose ID token could not be verified.
func RequireIDTokenVerification(c *flow.Client, scopes []string, responseType string) error {
	if !flow.HasOpenID(scopes) && responseType != "id_token" && responseType != "id_token token" {
		return nil
	}
	if err := c.CanVerifyIDTokens(); err != nil {
		return cmdutil.UsageErrorf("%v", err)
	}
	return nil
}

// OfflineAccessHint: OpenID Connect servers (oidc-provider among them)
// ignore offline_access unless the request has prompt=consent (OpenID
// Connect Core §11), so the refresh token the user asked for is missing.
func OfflineAccessHint(o *CommonOptions, g flow.Grant, tr *flow.TokenResponse) {
	if tr == nil || tr.RefreshToken != "" || !slices.Contains(g.Scopes, "offline_access") {
		return
	}
	fmt.Fprintln(o.Factory.IOStreams.ErrOut, "hint: offline_access was asked for but no refresh_token came back; OpenID Connect servers grant it only with prompt=consent (add --param prompt=consent)")
}
