package check

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/oauthkit/oauthkit/internal/flow"
)

func introspectRevokeChecks() []Check {
	return []Check{
		{ID: "introspect.active", Group: "introspect", Level: Must, Ref: "RFC 7662 §2.2",
			Title: "a live token is introspected as active: true", run: checkIntrospectActive},
		{ID: "introspect.unknown-inactive", Group: "introspect", Level: Must, Ref: "RFC 7662 §2.2",
			Title: "an unknown token is introspected as active: false", run: checkIntrospectUnknown},
		{ID: "revoke.unknown-token", Group: "revoke", Level: Must, Ref: "RFC 7009 §2.2",
			Title: "revoking an unknown token answers 200", run: checkRevokeUnknown},
		{ID: "revoke.revoked-inactive", Group: "revoke", Level: Must, Ref: "RFC 7009 §2.1",
			Title: "a revoked token is inactive", run: checkRevokedInactive},
		{ID: "revoke.other-client", Group: "revoke", Level: Must, Ref: "RFC 7009 §2.1",
			Title: "another client cannot revoke the client's token", run: checkRevokeOtherClient},
	}
}

// needIntrospection is the skip of a check that introspects as the main
// client.
func (e *Env) needIntrospection() (Outcome, bool) {
	if out, ok := e.needMetadata(); !ok {
		return out, false
	}
	switch {
	case e.md.IntrospectionEndpoint == "":
		return skipf("the metadata lists no introspection_endpoint"), false
	case e.main().Public():
		return skipf("introspection needs a confidential client: give the client's secret"), false
	}
	return Outcome{}, true
}

// needRevocation is the skip of a check that revokes.
func (e *Env) needRevocation() (Outcome, bool) {
	if out, ok := e.needMetadata(); !ok {
		return out, false
	}
	if e.md.RevocationEndpoint == "" {
		return skipf("the metadata lists no revocation_endpoint"), false
	}
	return Outcome{}, true
}

// active introspects tok as the main client.
func (e *Env) active(ctx context.Context, tok string) (bool, error) {
	obj, err := e.client(e.main()).Introspect(ctx, tok, "access_token")
	if err != nil {
		return false, err
	}
	raw, _ := obj.Get("active")
	return string(raw) == "true", nil
}

func checkIntrospectActive(ctx context.Context, e *Env) Outcome {
	if out, ok := e.needIntrospection(); !ok {
		return out
	}
	st := e.obtain(ctx)
	if st.tr == nil {
		return skipOrFail("obtaining a token ("+st.grant+")", st.err)
	}
	on, err := e.active(ctx, st.tr.AccessToken)
	switch {
	case err != nil:
		return failf("%v", err)
	case !on:
		return failf("a token issued a moment ago is introspected as inactive")
	}
	return pass()
}

func checkIntrospectUnknown(ctx context.Context, e *Env) Outcome {
	if out, ok := e.needIntrospection(); !ok {
		return out
	}
	on, err := e.active(ctx, "oauthkit-check-unknown-"+flow.RandomValue(24))
	switch {
	case err != nil:
		return failf("%v", err)
	case on:
		return failf("a token the server never issued is introspected as active")
	}
	return pass()
}

func checkRevokeUnknown(ctx context.Context, e *Env) Outcome {
	if out, ok := e.needRevocation(); !ok {
		return out
	}
	a, err := e.post(ctx, e.md.RevocationEndpoint, e.main(), url.Values{"token": {"oauthkit-check-unknown-" + flow.RandomValue(24)}})
	switch {
	case err != nil:
		return failf("%v", err)
	case a.status != http.StatusOK:
		return failf("revoking an unknown token answered %s, not HTTP 200", describe(a))
	}
	return pass()
}

func checkRevokedInactive(ctx context.Context, e *Env) Outcome {
	if out, ok := e.needRevocation(); !ok {
		return out
	}
	if out, ok := e.needIntrospection(); !ok {
		return out
	}
	st := e.obtain(ctx)
	if st.tr == nil {
		return skipOrFail("obtaining a token ("+st.grant+")", st.err)
	}
	if err := e.client(e.main()).Revoke(ctx, st.tr.AccessToken, "access_token"); err != nil {
		var oe *flow.OAuthError
		if errors.As(err, &oe) && oe.Code == "unsupported_token_type" {
			return skipf("the server does not revoke this kind of access token (unsupported_token_type, RFC 7009 §2.2.1): %v", err)
		}
		return failf("revoking: %v", err)
	}
	on, err := e.active(ctx, st.tr.AccessToken)
	switch {
	case err != nil:
		return failf("%v", err)
	case on:
		return failf("the token is still active after the revocation endpoint answered 200")
	}
	return pass()
}

func checkRevokeOtherClient(ctx context.Context, e *Env) Outcome {
	if out, ok := e.needRevocation(); !ok {
		return out
	}
	if out, ok := e.needIntrospection(); !ok {
		return out
	}
	if e.cfg.Other == nil {
		return skipf("no second client: give --other-client-id and its secret (--other-client-secret-file)")
	}
	st := e.obtain(ctx)
	if st.tr == nil {
		return skipOrFail("obtaining a token ("+st.grant+")", st.err)
	}
	_ = e.client(*e.cfg.Other).Revoke(ctx, st.tr.AccessToken, "access_token") // its answer may be 200 or an error
	on, err := e.active(ctx, st.tr.AccessToken)
	switch {
	case err != nil:
		return failf("%v", err)
	case !on:
		return failf("%s revoked a token issued to %s", e.cfg.Other.ID, e.main().ID)
	}
	return pass()
}
