package check

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/oauthkit/oauthkit/internal/flow"
)

// sampleState is one successful token response, obtained once and shared
// by the checks of its shape.
type sampleState struct {
	a     *answer
	tr    *flow.TokenResponse
	grant string
	err   error
	// evidence is the log of obtaining it.
	evidence string
}

// sampleToken obtains a token once: client credentials for a confidential
// client when offered, else an authorization code grant.
func (e *Env) sampleToken(ctx context.Context) (*sampleState, Outcome, bool) {
	if out, ok := e.needMetadata(); !ok {
		return nil, out, false
	}
	if e.sample == nil {
		start := e.log.Len()
		e.sample = e.obtain(ctx)
		e.sample.evidence = e.log.String()[start:]
	} else {
		e.reuse(e.sample.evidence)
	}
	if e.sample.tr == nil {
		return nil, skipOrFail("obtaining a token ("+e.sample.grant+")", e.sample.err), false
	}
	return e.sample, Outcome{}, true
}

// obtain gets a fresh token as the main client: client credentials for a
// confidential client when offered, else an authorization code grant.
func (e *Env) obtain(ctx context.Context) *sampleState {
	st := &sampleState{}
	c := e.main()
	if !c.Public() && e.grantOffered("client_credentials") {
		st.grant = "client_credentials"
		st.a, st.tr, st.err = e.token(ctx, c, url.Values{"grant_type": {"client_credentials"}})
	}
	if st.tr == nil && e.md.AuthorizationEndpoint != "" && e.cfg.RedirectURI != "" {
		st.grant = "authorization_code"
		var a *codeAttempt
		a, st.err = e.mustCode(ctx, codeRequest{client: c})
		if st.err == nil {
			st.a, st.tr, st.err = e.exchange(ctx, c, a, a.redirectURI, a.verifier)
		}
	}
	if st.grant == "" {
		st.err = fmt.Errorf("no grant to obtain a token with: the client is public and there is no authorization endpoint or --redirect-uri")
	}
	return st
}

func tokenChecks() []Check {
	return []Check{
		{ID: "token.invalid-client-basic", Group: "token", Level: Must, Ref: "RFC 6749 §5.2",
			Title: "a wrong secret sent with HTTP Basic gets 401 invalid_client and WWW-Authenticate", run: checkInvalidClientBasic},
		{ID: "token.unknown-grant", Group: "token", Level: Must, Ref: "RFC 6749 §5.2",
			Title: "an unknown grant_type gets 400 unsupported_grant_type as JSON", run: checkUnknownGrant},
		{ID: "token.no-store", Group: "token", Level: Must, Ref: "RFC 6749 §5.1",
			Title: "a token response has Cache-Control: no-store", run: checkNoStore},
		{ID: "token.json", Group: "token", Level: Must, Ref: "RFC 6749 §5.1",
			Title: "a token response is application/json", run: checkTokenJSON},
		{ID: "token.token-type", Group: "token", Level: Must, Ref: "RFC 6749 §5.1",
			Title: "a token response has token_type (Bearer)", run: checkTokenType},
		{ID: "token.expires-in", Group: "token", Level: Should, Ref: "RFC 6749 §5.1",
			Title: "a token response has expires_in", run: checkExpiresIn},
	}
}

func checkInvalidClientBasic(ctx context.Context, e *Env) Outcome {
	if out, ok := e.needMetadata(); !ok {
		return out
	}
	if m := e.md.TokenEndpointAuthMethodsSupported; len(m) > 0 && !slices.Contains(m, "client_secret_basic") {
		return skipf("token_endpoint_auth_methods_supported does not list client_secret_basic")
	}
	wrong := Client{ID: e.main().ID, Secret: "oauthkit-check-wrong-" + flow.RandomValue(12), AuthMethod: flow.AuthBasic}
	a, err := e.post(ctx, e.md.TokenEndpoint, wrong, url.Values{"grant_type": {"client_credentials"}})
	if err != nil {
		return failf("%v", err)
	}
	var problems []string
	if a.status != http.StatusUnauthorized {
		problems = append(problems, fmt.Sprintf("HTTP %d, not 401", a.status))
	}
	if code := oauthCode(a); code != "invalid_client" {
		problems = append(problems, fmt.Sprintf("error %q, not invalid_client", code))
	}
	if h := a.header.Get("WWW-Authenticate"); !strings.HasPrefix(strings.ToLower(h), "basic") {
		problems = append(problems, fmt.Sprintf("WWW-Authenticate %q, not a Basic challenge", h))
	}
	if len(problems) > 0 {
		return failf("a wrong client secret sent with HTTP Basic: %s", strings.Join(problems, "; "))
	}
	return pass()
}

func checkUnknownGrant(ctx context.Context, e *Env) Outcome {
	if out, ok := e.needMetadata(); !ok {
		return out
	}
	a, err := e.post(ctx, e.md.TokenEndpoint, e.main(), url.Values{"grant_type": {"urn:oauthkit:check:no-such-grant"}})
	if err != nil {
		return failf("%v", err)
	}
	mt, _, _ := mime.ParseMediaType(a.header.Get("Content-Type"))
	switch {
	case a.status == http.StatusUnauthorized && oauthCode(a) == "invalid_client":
		return skipf("the client's credentials were refused (%s); check --client-id and the secret", describe(a))
	case a.status != http.StatusBadRequest || oauthCode(a) != "unsupported_grant_type":
		return failf("answered %s, not HTTP 400 error=unsupported_grant_type", describe(a))
	case mt != "application/json":
		return failf("the error is %q, not application/json", mt)
	}
	return pass()
}

func checkNoStore(ctx context.Context, e *Env) Outcome {
	st, out, ok := e.sampleToken(ctx)
	if !ok {
		return out
	}
	cc := strings.ToLower(strings.Join(st.a.header.Values("Cache-Control"), ","))
	if !slices.ContainsFunc(strings.Split(cc, ","), func(d string) bool { return strings.TrimSpace(d) == "no-store" }) {
		return failf("the %s token response has Cache-Control %q, without no-store: a cache may keep the tokens", st.grant, cc)
	}
	return pass()
}

func checkTokenJSON(ctx context.Context, e *Env) Outcome {
	st, out, ok := e.sampleToken(ctx)
	if !ok {
		return out
	}
	mt, _, _ := mime.ParseMediaType(st.a.header.Get("Content-Type"))
	if mt != "application/json" {
		return failf("the %s token response is %q, not application/json", st.grant, st.a.header.Get("Content-Type"))
	}
	return pass()
}

func checkTokenType(ctx context.Context, e *Env) Outcome {
	st, out, ok := e.sampleToken(ctx)
	if !ok {
		return out
	}
	switch tt := st.tr.TokenType; {
	case tt == "":
		return failf("the %s token response has no token_type", st.grant)
	case !strings.EqualFold(tt, "Bearer") && !strings.EqualFold(tt, "DPoP") && !strings.EqualFold(tt, "N_A"):
		return failf("token_type %q is not a registered type (Bearer)", tt)
	}
	return pass()
}

func checkExpiresIn(ctx context.Context, e *Env) Outcome {
	st, out, ok := e.sampleToken(ctx)
	if !ok {
		return out
	}
	if n, ok := st.tr.Raw.Int("expires_in"); !ok || n <= 0 {
		return failf("the %s token response has no positive expires_in: a client cannot tell when the token expires", st.grant)
	}
	return pass()
}
