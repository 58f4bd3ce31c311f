package check

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

func discoveryChecks() []Check {
	return []Check{
		{ID: "discovery.issuer-exact", Group: "discovery", Level: Must, Ref: "RFC 8414 §3.3",
			Title: "the metadata's issuer is exactly the issuer asked for", run: checkIssuerExact},
		{ID: "discovery.required-fields", Group: "discovery", Level: Must, Ref: "RFC 8414 §2",
			Title: "the metadata has issuer, authorization_endpoint, token_endpoint and response_types_supported", run: checkRequiredFields},
		{ID: "discovery.jwks-reachable", Group: "discovery", Level: Must, Ref: "RFC 8414 §2",
			Title: "jwks_uri answers a JWK Set", run: checkJWKSReachable},
		{ID: "discovery.pkce-s256", Group: "discovery", Level: Should, Ref: "RFC 9700 §2.1.1",
			Title: "code_challenge_methods_supported lists S256 and not plain", run: checkPKCEMethods},
		{ID: "discovery.iss-parameter", Group: "discovery", Level: Should, Ref: "RFC 9207 §3",
			Title: "authorization_response_iss_parameter_supported is true", run: checkIssParameter},
	}
}

func checkIssuerExact(_ context.Context, e *Env) Outcome {
	if e.mdRaw == nil {
		return failf("no metadata document: %v", e.mdErr)
	}
	got := e.mdRaw.String("issuer")
	if got != e.cfg.Issuer {
		return failf("the metadata at %s says issuer %q, not %q", e.mdURL, got, e.cfg.Issuer)
	}
	if e.mdErr != nil {
		return failf("the metadata is not valid: %v", e.mdErr)
	}
	return pass()
}

func checkRequiredFields(_ context.Context, e *Env) Outcome {
	if out, ok := e.needMetadata(); !ok {
		return out
	}
	var missing []string
	for _, name := range []string{"issuer", "response_types_supported"} {
		if _, ok := e.mdRaw.Get(name); !ok {
			missing = append(missing, name)
		}
	}
	rts, _ := e.metaStrings("response_types_supported")
	// authorization_endpoint is required unless no grant uses it; the
	// token endpoint unless only the implicit grant is offered.
	if e.md.AuthorizationEndpoint == "" && len(rts) > 0 {
		missing = append(missing, "authorization_endpoint")
	}
	if e.md.TokenEndpoint == "" && !(len(rts) > 0 && !slices.ContainsFunc(rts, func(s string) bool { return strings.Contains(s, "code") })) {
		missing = append(missing, "token_endpoint")
	}
	if len(missing) > 0 {
		return failf("the metadata has no %s", strings.Join(missing, ", "))
	}
	return pass()
}

func checkJWKSReachable(ctx context.Context, e *Env) Outcome {
	if out, ok := e.needMetadata(); !ok {
		return out
	}
	if e.md.JWKSURI == "" {
		return failf("the metadata has no jwks_uri (needed to verify the server's signed tokens)")
	}
	st := e.loadJWKS(ctx)
	if st.fetchErr != nil {
		return failf("%v", st.fetchErr)
	}
	return pass()
}

func checkPKCEMethods(_ context.Context, e *Env) Outcome {
	if out, ok := e.needMetadata(); !ok {
		return out
	}
	m, ok := e.metaStrings("code_challenge_methods_supported")
	switch {
	case !ok:
		return failf("the metadata has no code_challenge_methods_supported: a client cannot tell that PKCE is supported")
	case !slices.Contains(m, "S256"):
		return failf("code_challenge_methods_supported is %q, without S256", m)
	case slices.Contains(m, "plain"):
		return failf("code_challenge_methods_supported is %q: plain sends the verifier in the clear", m)
	}
	return pass()
}

func checkIssParameter(_ context.Context, e *Env) Outcome {
	if out, ok := e.needMetadata(); !ok {
		return out
	}
	if e.md.AuthorizationEndpoint == "" {
		return skipf("the server has no authorization endpoint")
	}
	if !e.md.IssParameterSupported {
		return failf("authorization_response_iss_parameter_supported is not true: clients cannot detect mix-up attacks (RFC 9207)")
	}
	return pass()
}

// describeList is a short list for a reason.
func describeList(ss []string) string {
	if len(ss) > 5 {
		return fmt.Sprintf("%s and %d more", strings.Join(ss[:5], ", "), len(ss)-5)
	}
	return strings.Join(ss, ", ")
}
