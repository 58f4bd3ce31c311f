package check

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/oauthkit/oauthkit/internal/flow"
	"github.com/oauthkit/oauthkit/internal/netutil"
)

func authzChecks() []Check {
	return []Check{
		{ID: "authz.response", Group: "authz", Level: Must, Ref: "RFC 6749 §4.1.2, RFC 9207 §2",
			Title: "the authorization response carries the code, the state sent and (when advertised) iss", run: checkAuthzResponse},
		{ID: "authz.redirect-exact", Group: "authz", Level: Must, Ref: "RFC 9700 §2.1",
			Title: "redirect URIs are matched exactly: no variant of the registered one is redirected to", run: checkRedirectExact},
		{ID: "authz.unknown-client", Group: "authz", Level: Must, Ref: "RFC 6749 §4.1.2.1",
			Title: "an unknown client_id is not redirected anywhere", run: checkUnknownClient},
		{ID: "authz.pkce-required", Group: "authz", Level: Must, Ref: "RFC 9700 §2.1.1",
			Title: "a public client gets no token without PKCE", run: checkPKCERequired},
		{ID: "authz.pkce-plain", Group: "authz", Level: Should, Ref: "RFC 9700 §2.1.1",
			Title: "the plain PKCE method gets no token", run: checkPKCEPlain},
		{ID: "authz.pkce-verifier", Group: "authz", Level: Must, Ref: "RFC 7636 §4.6",
			Title: "a wrong code_verifier gets invalid_grant", run: checkPKCEVerifier},
		{ID: "authz.code-single-use", Group: "authz", Level: Must, Ref: "RFC 6749 §4.1.2",
			Title: "a code redeemed twice gets invalid_grant the second time", run: checkCodeSingleUse},
		{ID: "authz.code-replay-revokes", Group: "authz", Level: Should, Ref: "RFC 6749 §4.1.2",
			Title: "a replayed code revokes the tokens it gave", run: checkCodeReplayRevokes},
		{ID: "authz.code-bound-client", Group: "authz", Level: Must, Ref: "RFC 6749 §4.1.3",
			Title: "another client cannot redeem the code", run: checkCodeBoundClient},
		{ID: "authz.code-bound-redirect", Group: "authz", Level: Must, Ref: "RFC 6749 §4.1.3",
			Title: "the code cannot be redeemed with another redirect_uri", run: checkCodeBoundRedirect},
	}
}

// needAuthz is the skip of a check that needs the authorization endpoint
// and a redirect URI.
func (e *Env) needAuthz() (Outcome, bool) {
	if out, ok := e.needMetadata(); !ok {
		return out, false
	}
	switch {
	case e.md.AuthorizationEndpoint == "":
		return skipf("the server has no authorization endpoint"), false
	case !e.grantOffered("authorization_code"):
		return skipf("grant_types_supported does not list authorization_code"), false
	case e.cfg.RedirectURI == "":
		return skipf("no redirect URI: give --redirect-uri (registered for the client)"), false
	}
	return Outcome{}, true
}

func checkAuthzResponse(ctx context.Context, e *Env) Outcome {
	if out, ok := e.needAuthz(); !ok {
		return out
	}
	a, err := e.mustCode(ctx, codeRequest{client: e.main()})
	if err != nil {
		return skipOrFail("authorization request", err)
	}
	p := a.reply.params
	if got := p.Get("state"); got != a.state {
		return failf("the response's state is %q, not the one sent", got)
	}
	iss, hasIss := p["iss"]
	switch {
	case e.md.IssParameterSupported && !hasIss:
		return failf("the metadata advertises authorization_response_iss_parameter_supported, but the response has no iss")
	case hasIss && iss[0] != e.cfg.Issuer:
		return failf("the response's iss is %q, not the issuer %q", iss[0], e.cfg.Issuer)
	}
	return pass()
}

// redirectVariants returns strings near the registered URI that exact
// matching must refuse. The port of a loopback IP literal may vary
// (RFC 8252 §7.3), so no port variant is made for one.
func redirectVariants(registered string) []string {
	u, err := url.Parse(registered)
	if err != nil || u.Host == "" {
		return nil
	}
	with := func(f func(v *url.URL)) string {
		v := *u
		f(&v)
		return v.String()
	}
	base, _, _ := strings.Cut(registered, "#")
	path := u.EscapedPath()
	host := u.Hostname()
	port := u.Port()
	hostPort := func(h string) string {
		if port != "" {
			return h + ":" + port
		}
		return h
	}
	otherScheme := map[string]string{"https": "http", "http": "https"}[u.Scheme]
	sep := "?"
	if u.RawQuery != "" {
		sep = "&"
	}
	vs := []string{
		with(func(v *url.URL) { v.Path, v.RawPath = strings.TrimSuffix(u.Path, "/")+"/", "" }),
		with(func(v *url.URL) { v.Path, v.RawPath = u.Path+"x", "" }),
		with(func(v *url.URL) { v.Path, v.RawPath = strings.TrimSuffix(u.Path, "/")+"/evil", "" }),
		with(func(v *url.URL) { v.Path, v.RawPath = "/evil"+u.Path, "" }),
		base + sep + "evil=1",
		base + "#evil",
		with(func(v *url.URL) { v.Host = hostPort(strings.ToUpper(host)) }),
		with(func(v *url.URL) { v.Path, v.RawPath = strings.ToUpper(u.Path), "" }),
		with(func(v *url.URL) { v.Host = hostPort(host + ".evil.example") }),
		with(func(v *url.URL) { v.Host = hostPort("evil." + host) }),
		with(func(v *url.URL) { v.Host = hostPort("evil" + host) }),
		with(func(v *url.URL) { v.Host = hostPort(host + ".") }),
		with(func(v *url.URL) { v.User = url.User("evil.example") }),
		u.Scheme + "://" + u.Host + "@evil.example" + path,
		with(func(v *url.URL) { v.RawPath = strings.Replace(path, "/", "/%2e/", 1) }),
		with(func(v *url.URL) { v.Path, v.RawPath = "/evil/.."+u.Path, "" }),
		with(func(v *url.URL) { v.Path, v.RawPath = "/"+u.Path, "" }),
		base + "%00",
		with(func(v *url.URL) { v.Path, v.RawPath = u.Path+";evil", "" }),
	}
	if otherScheme != "" {
		vs = append(vs, with(func(v *url.URL) { v.Scheme = otherScheme }))
	}
	if !netutil.IsLoopbackHost(host) || host == "localhost" {
		vs = append(vs, with(func(v *url.URL) { v.Host = host + ":8444" }))
	}
	switch host {
	case "127.0.0.1":
		vs = append(vs, with(func(v *url.URL) { v.Host = hostPort("localhost") }))
	case "localhost":
		vs = append(vs, with(func(v *url.URL) { v.Host = hostPort("127.0.0.1") }))
	}
	var out []string
	for _, v := range vs {
		if v != registered && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// acceptedRedirect reports whether an authorization request for a variant
// redirect URI was accepted: a redirect out of the server anywhere but the
// registered URI, or a code sent anywhere.
func acceptedRedirect(r *authReply, registered string) bool {
	if r == nil || !r.redirected {
		return false
	}
	loc := *r.location
	loc.RawQuery, loc.Fragment, loc.RawFragment = "", "", ""
	reg, _ := url.Parse(registered)
	if reg != nil {
		reg.RawQuery, reg.Fragment = "", ""
	}
	return r.params.Get("code") != "" || reg == nil || loc.String() != reg.String()
}

func checkRedirectExact(ctx context.Context, e *Env) Outcome {
	if out, ok := e.needAuthz(); !ok {
		return out
	}
	var accepted []string
	for _, v := range redirectVariants(e.cfg.RedirectURI) {
		a, err := e.codeURL(codeRequest{client: e.main(), redirectURI: v})
		if err != nil {
			return failf("%v", err)
		}
		r, err := e.visit(ctx, a.authURL)
		if err != nil {
			return skipOrFail("variant "+v, err)
		}
		if acceptedRedirect(r, e.cfg.RedirectURI) {
			accepted = append(accepted, fmt.Sprintf("%q (redirected to %s)", v, flow.MaskURL(r.location.String())))
		}
	}
	if len(accepted) > 0 {
		return failf("registered %q, but the server redirected for %d variant(s): %s", e.cfg.RedirectURI, len(accepted), describeList(accepted))
	}
	return pass()
}

func checkUnknownClient(ctx context.Context, e *Env) Outcome {
	if out, ok := e.needAuthz(); !ok {
		return out
	}
	unknown := Client{ID: "oauthkit-check-unknown-" + flow.RandomValue(9)}
	a, err := e.codeURL(codeRequest{client: unknown})
	if err != nil {
		return failf("%v", err)
	}
	r, err := e.visit(ctx, a.authURL)
	if err != nil {
		return failf("%v", err)
	}
	if r.redirected {
		return failf("the server redirected an unknown client to %s: it cannot know that this redirect URI is trusted", flow.MaskURL(r.location.String()))
	}
	return pass()
}

// refusedCode: the authorization request got no code, or the code got no
// token. It returns the outcome for a request that must be refused.
// A code is redeemed with the attempt's own verifier (none without PKCE,
// the challenge itself for plain).
func (e *Env) refusedCode(ctx context.Context, r codeRequest, what string) Outcome {
	a, err := e.requestCode(ctx, r)
	if err != nil {
		return skipOrFail(what, err)
	}
	if a.code() == "" {
		if a.reply.redirected && a.reply.params.Get("error") != "" {
			return passf("refused: error=%s", a.reply.params.Get("error"))
		}
		return pass()
	}
	ans, tr, err := e.exchange(ctx, r.client, a, a.redirectURI, a.verifier)
	if tr != nil {
		return failf("%s: the server issued a code and then tokens for it", what)
	}
	if ans == nil {
		return failf("%s: the server issued a code; redeeming it: %v", what, err)
	}
	return passf("the server issued a code but refused it at the token endpoint (%s)", describe(ans))
}

func checkPKCERequired(ctx context.Context, e *Env) Outcome {
	if out, ok := e.needAuthz(); !ok {
		return out
	}
	pc, ok := e.public()
	if !ok {
		return skipf("no public client: give --public-client-id (a client without a secret, registered for --redirect-uri)")
	}
	return e.refusedCode(ctx, codeRequest{client: pc, pkce: pkceNone}, "a request without code_challenge")
}

func checkPKCEPlain(ctx context.Context, e *Env) Outcome {
	if out, ok := e.needAuthz(); !ok {
		return out
	}
	c := e.main()
	if pc, ok := e.public(); ok {
		c = pc
	}
	return e.refusedCode(ctx, codeRequest{client: c, pkce: pkcePlain}, "a request with code_challenge_method=plain")
}

// exchangeMustFail redeems a's code with what is given and wants an
// invalid_grant error.
func (e *Env) exchangeMustFail(ctx context.Context, c Client, a *codeAttempt, redirectURI, verifier, what string) Outcome {
	ans, tr, err := e.exchange(ctx, c, a, redirectURI, verifier)
	switch {
	case tr != nil:
		return failf("%s: the server issued tokens", what)
	case ans == nil:
		return failf("%s: %v", what, err)
	case oauthCode(ans) != "invalid_grant":
		return failf("%s: answered %s, not error=invalid_grant", what, describe(ans))
	}
	return pass()
}

func checkPKCEVerifier(ctx context.Context, e *Env) Outcome {
	if out, ok := e.needAuthz(); !ok {
		return out
	}
	a, err := e.mustCode(ctx, codeRequest{client: e.main()})
	if err != nil {
		return skipOrFail("authorization request", err)
	}
	return e.exchangeMustFail(ctx, e.main(), a, a.redirectURI, flow.NewCodeVerifier(), "redeeming with another code_verifier")
}

func checkCodeSingleUse(ctx context.Context, e *Env) Outcome {
	if out, ok := e.needAuthz(); !ok {
		return out
	}
	a, _, err := e.grant(ctx, e.main(), nil)
	if err != nil {
		return skipOrFail("authorization code grant", err)
	}
	return e.exchangeMustFail(ctx, e.main(), a, a.redirectURI, a.verifier, "redeeming the code a second time")
}

func checkCodeReplayRevokes(ctx context.Context, e *Env) Outcome {
	if out, ok := e.needAuthz(); !ok {
		return out
	}
	c := e.main()
	a, tr, err := e.grant(ctx, c, nil)
	if err != nil {
		return skipOrFail("authorization code grant", err)
	}
	if e.md.IntrospectionEndpoint == "" && tr.RefreshToken == "" {
		return skipf("no way to see a revocation: no introspection endpoint and no refresh token")
	}
	if _, tr2, _ := e.exchange(ctx, c, a, a.redirectURI, a.verifier); tr2 != nil {
		return skipf("the code was redeemed twice (authz.code-single-use)")
	}
	// The access token's introspection tells; a server that does not
	// introspect its tokens (an error) is asked through the refresh token.
	if e.md.IntrospectionEndpoint != "" && !c.Public() {
		obj, err := e.client(c).Introspect(ctx, tr.AccessToken, "access_token")
		if err == nil {
			if raw, _ := obj.Get("active"); string(raw) == "true" {
				return failf("after the code was replayed, its access token is still active")
			}
			return pass()
		}
		if tr.RefreshToken == "" {
			return skipf("introspecting the access token after the replay: %v; and no refresh token to try", err)
		}
	}
	if tr.RefreshToken != "" {
		if _, tr3, _ := e.token(ctx, c, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}}); tr3 != nil {
			return failf("after the code was replayed, its refresh token still works")
		}
		return pass()
	}
	return skipf("no way to see a revocation for a public client without a refresh token")
}

func checkCodeBoundClient(ctx context.Context, e *Env) Outcome {
	if out, ok := e.needAuthz(); !ok {
		return out
	}
	if e.cfg.Other == nil {
		return skipf("no second client: give --other-client-id and its secret (--other-client-secret-file)")
	}
	a, err := e.mustCode(ctx, codeRequest{client: e.main()})
	if err != nil {
		return skipOrFail("authorization request", err)
	}
	return e.exchangeMustFail(ctx, *e.cfg.Other, a, a.redirectURI, a.verifier, "redeeming the code as "+e.cfg.Other.ID)
}

func checkCodeBoundRedirect(ctx context.Context, e *Env) Outcome {
	if out, ok := e.needAuthz(); !ok {
		return out
	}
	a, err := e.mustCode(ctx, codeRequest{client: e.main()})
	if err != nil {
		return skipOrFail("authorization request", err)
	}
	other := strings.TrimSuffix(a.redirectURI, "/") + "/other"
	return e.exchangeMustFail(ctx, e.main(), a, other, a.verifier, "redeeming the code with redirect_uri "+other)
}
