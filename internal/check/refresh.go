package check

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/internal/flow"
)

// ReuseDelay is how long refresh.reuse-detected waits before replaying a
// rotated-out refresh token: servers forgive a replay that comes so soon
// that it may be a client's concurrent retry (oauthkit serve: 2 s).
const ReuseDelay = 3 * time.Second

func refreshChecks() []Check {
	return []Check{
		{ID: "refresh.rotation", Group: "refresh", Level: Should, Ref: "RFC 9700 §4.14.2",
			Title: "a refresh returns a new refresh token", run: checkRotation},
		{ID: "refresh.reuse-detected", Group: "refresh", Level: Should, Ref: "RFC 9700 §4.14.2",
			Title: "a rotated-out refresh token is refused and revokes the grant", run: checkReuseDetected},
		{ID: "refresh.scope-no-widen", Group: "refresh", Level: Must, Ref: "RFC 6749 §6",
			Title: "a refresh cannot add a scope the grant did not have", run: checkScopeNoWiden},
	}
}

// refreshGrant runs an authorization code grant that gives a refresh token.
func (e *Env) refreshGrant(ctx context.Context) (*flow.TokenResponse, Outcome, bool) {
	if out, ok := e.needAuthz(); !ok {
		return nil, out, false
	}
	if !e.grantOffered("refresh_token") {
		return nil, skipf("grant_types_supported does not list refresh_token"), false
	}
	_, tr, err := e.grant(ctx, e.main(), nil)
	if err != nil {
		return nil, skipOrFail("authorization code grant", err), false
	}
	if tr.RefreshToken == "" {
		return nil, skipf("the grant gave no refresh token (some servers need --scope offline_access and --param prompt=consent)"), false
	}
	return tr, Outcome{}, true
}

// refresh sends a refresh request as the main client.
func (e *Env) refresh(ctx context.Context, rt, scope string) (*answer, *flow.TokenResponse) {
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
	if scope != "" {
		form.Set("scope", scope)
	}
	a, tr, _ := e.token(ctx, e.main(), form)
	return a, tr
}

func checkRotation(ctx context.Context, e *Env) Outcome {
	tr, out, ok := e.refreshGrant(ctx)
	if !ok {
		return out
	}
	a, tr2 := e.refresh(ctx, tr.RefreshToken, "")
	switch {
	case tr2 == nil && a != nil:
		return failf("the refresh was refused: %s", describe(a))
	case tr2 == nil:
		return failf("the refresh got no answer")
	case tr2.RefreshToken == "" || tr2.RefreshToken == tr.RefreshToken:
		return failf("the refresh returned no new refresh token: a stolen refresh token stays usable as long as the client's")
	}
	return pass()
}

func checkReuseDetected(ctx context.Context, e *Env) Outcome {
	tr, out, ok := e.refreshGrant(ctx)
	if !ok {
		return out
	}
	_, tr2 := e.refresh(ctx, tr.RefreshToken, "")
	if tr2 == nil || tr2.RefreshToken == "" || tr2.RefreshToken == tr.RefreshToken {
		return skipf("no rotation (refresh.rotation): nothing to replay")
	}
	if err := e.sleep(ctx, ReuseDelay); err != nil {
		return skipf("%v", err)
	}
	a, tr3 := e.refresh(ctx, tr.RefreshToken, "")
	switch {
	case tr3 != nil:
		return failf("the rotated-out refresh token was accepted again")
	case a == nil:
		return failf("replaying the rotated-out refresh token got no answer")
	case oauthCode(a) != "invalid_grant":
		return failf("replaying the rotated-out refresh token answered %s, not error=invalid_grant", describe(a))
	}
	if _, tr4 := e.refresh(ctx, tr2.RefreshToken, ""); tr4 != nil {
		return failf("after the replay, the newest refresh token still works: the grant was not revoked")
	}
	return pass()
}

func checkScopeNoWiden(ctx context.Context, e *Env) Outcome {
	tr, out, ok := e.refreshGrant(ctx)
	if !ok {
		return out
	}
	granted := strings.Fields(tr.Scope)
	if len(granted) == 0 {
		granted = e.cfg.Scopes
	}
	extra := "oauthkit-check-wider"
	wider := strings.Join(append(slices.Clone(granted), extra), " ")
	a, tr2 := e.refresh(ctx, tr.RefreshToken, wider)
	switch {
	case tr2 == nil && a == nil:
		return failf("the refresh got no answer")
	case tr2 == nil:
		return passf("refused: %s", describe(a))
	case tr2.Scope == "":
		return failf("a refresh asking for %q was answered without scope, which means the scope asked for was granted (RFC 6749 §5.1)", wider)
	case slices.Contains(strings.Fields(tr2.Scope), extra):
		return failf("a refresh widened the scope to %q", tr2.Scope)
	}
	return pass()
}

// sleep waits d, or until ctx ends.
func (e *Env) sleep(ctx context.Context, d time.Duration) error {
	if e.cfg.Sleep != nil {
		return e.cfg.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
