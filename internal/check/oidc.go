package check

import (
	"context"
	"slices"

	"github.com/oauthkit/oauthkit/internal/flow"
)

// oidcState is one authorization code grant with openid, shared by the
// OpenID Connect checks.
type oidcState struct {
	attempt  *codeAttempt
	tr       *flow.TokenResponse
	err      error
	evidence string
}

func oidcChecks() []Check {
	return []Check{
		{ID: "oidc.id-token", Group: "oidc", Level: Must, Ref: "OpenID Connect Core §3.1.3.7",
			Title: "the ID token verifies: signature, iss, aud, azp, exp, iat, sub, nonce, at_hash", run: checkIDToken},
		{ID: "oidc.userinfo-sub", Group: "oidc", Level: Must, Ref: "OpenID Connect Core §5.3.2",
			Title: "UserInfo's sub is the ID token's", run: checkUserinfoSub},
	}
}

// oidcGrant runs (once) an authorization code grant with openid.
func (e *Env) oidcGrant(ctx context.Context) (*oidcState, Outcome, bool) {
	if out, ok := e.needAuthz(); !ok {
		return nil, out, false
	}
	if sc, ok := e.metaStrings("scopes_supported"); !ok || !slices.Contains(sc, "openid") {
		return nil, skipf("the server does not offer OpenID Connect (scopes_supported has no openid)"), false
	}
	if e.oidc == nil {
		scopes := e.cfg.Scopes
		if !flow.HasOpenID(scopes) {
			scopes = append([]string{"openid"}, scopes...)
		}
		st := &oidcState{}
		e.oidc = st
		start := e.log.Len()
		st.attempt, st.tr, st.err = e.grant(ctx, e.main(), scopes)
		st.evidence = e.log.String()[start:]
	} else {
		e.reuse(e.oidc.evidence)
	}
	if e.oidc.err != nil {
		return nil, skipOrFail("authorization code grant with openid", e.oidc.err), false
	}
	return e.oidc, Outcome{}, true
}

func checkIDToken(ctx context.Context, e *Env) Outcome {
	st, out, ok := e.oidcGrant(ctx)
	if !ok {
		return out
	}
	if st.tr.IDToken == "" {
		return failf("the token response to a request with scope openid has no id_token")
	}
	tr := *st.tr
	if err := e.client(e.main()).VerifyIDToken(ctx, &tr, flow.IDTokenExpect{Rule: flow.NonceSent, Nonce: st.attempt.nonce}); err != nil {
		return failf("%v", err)
	}
	return pass()
}

func checkUserinfoSub(ctx context.Context, e *Env) Outcome {
	st, out, ok := e.oidcGrant(ctx)
	if !ok {
		return out
	}
	if e.md.UserinfoEndpoint == "" {
		return skipf("the metadata lists no userinfo_endpoint")
	}
	tr := *st.tr
	if err := e.client(e.main()).VerifyIDToken(ctx, &tr, flow.IDTokenExpect{Rule: flow.NonceSent, Nonce: st.attempt.nonce}); err != nil || tr.IDTokenClaims == nil {
		return skipf("no verified ID token to compare with (oidc.id-token)")
	}
	claims, err := flow.ParseObject(tr.IDTokenClaims)
	if err != nil {
		return failf("%v", err)
	}
	info, err := e.client(e.main()).Userinfo(ctx, st.tr.AccessToken)
	if err != nil {
		return failf("%v", err)
	}
	if got, want := info.String("sub"), claims.String("sub"); got != want || got == "" {
		return failf("UserInfo says sub %q, the ID token %q", got, want)
	}
	return pass()
}
