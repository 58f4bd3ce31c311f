package conformance

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// Rules 96–99: resource indicators (RFC 8707) and the demo resource's
// metadata (RFC 9728).

const (
	mcpResource = "https://mcp.example.test/mcp"
	apiResource = "https://api.example.test/"
	agentID     = "agent"
	agentSecret = "agent-s3cret-0123456789abcdef"
	narrowID    = "narrow"
)

var asAgent = basicAuth(agentID, agentSecret)

const resourceConfig = `
pkce: public
scopes: {read: Read, mcp.tools: Call the tools}
resources:
  - id: https://mcp.example.test/mcp
    name: MCP server
    scopes: [mcp.tools]
  - id: https://api.example.test/
    scopes: [read]
clients:
  - id: agent
    secret: agent-s3cret-0123456789abcdef
    grant_types: [authorization_code, refresh_token, client_credentials]
    redirect_uris: [https://app.example.test/cb]
    scopes: [openid, read, mcp.tools]
    auto_approve: true
  - id: narrow
    redirect_uris: [http://127.0.0.1/callback]
    scopes: [read, mcp.tools]
    resources: [https://api.example.test/]
    auto_approve: true
users:
  - username: alice
    password: wonderland-pw
`

// audience returns the aud of a JWT access token as a list.
func audience(t *testing.T, tok string) []string {
	t.Helper()
	_, claims := jwtParts(t, tok)
	switch aud := claims["aud"].(type) {
	case string:
		return []string{aud}
	case []any:
		var out []string
		for _, a := range aud {
			s, _ := a.(string)
			out = append(out, s)
		}
		return out
	}
	t.Fatalf("aud %v is neither a string nor a list", claims["aud"])
	return nil
}

func TestRule96_ResourceMustBeAKnownAbsoluteURI(t *testing.T) {
	s := startServer(t, resourceConfig)
	cc := func(resources ...string) answer {
		f := url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}, "resource": resources}
		return s.token(t, asAgent, f)
	}
	for name, res := range map[string][]string{
		"fragment":         {apiResource + "#frag"},
		"relative":         {"/api"},
		"unknown":          {"https://unknown.example.test/"},
		"one bad of two":   {apiResource, "https://unknown.example.test/"},
		"empty":            {""},
		"eleven resources": slices.Repeat([]string{apiResource}, 11),
	} {
		t.Run("token: "+name, func(t *testing.T) {
			a := cc(res...)
			wantTokenError(t, a, http.StatusBadRequest, "invalid_target")
			if d := a.str("error_description"); !strings.Contains(d, "RFC 8707 section 2") && !strings.Contains(d, "rule 96") {
				t.Errorf("error_description %q names neither RFC 8707 section 2 nor rule 96", d)
			}
		})
	}
	t.Run("authorize: unknown resource goes back to the client", func(t *testing.T) {
		a := s.authorize(t, q("response_type", "code", "client_id", agentID, "redirect_uri", appCB, "state", "st",
			"scope", "read", "resource", "https://unknown.example.test/"))
		p := wantRedirectError(t, s, a, appCB, "invalid_target", false)
		if !strings.Contains(p.Get("error_description"), "RFC 8707 section 2") {
			t.Errorf("error_description %q", p.Get("error_description"))
		}
	})
	t.Run("authorize: resource with a fragment", func(t *testing.T) {
		a := s.authorize(t, q("response_type", "code", "client_id", agentID, "redirect_uri", appCB, "state", "st",
			"scope", "read", "resource", apiResource+"#x"))
		p := wantRedirectError(t, s, a, appCB, "invalid_target", false)
		if !strings.Contains(p.Get("error_description"), "must not include a fragment (RFC 8707 section 2)") {
			t.Errorf("error_description %q", p.Get("error_description"))
		}
	})
	t.Run("resource not allowed for the client", func(t *testing.T) {
		_, ch := pkcePair(t)
		a := s.authorize(t, q("response_type", "code", "client_id", narrowID, "redirect_uri", loopbackCB, "state", "st",
			"scope", "mcp.tools", "resource", mcpResource, "code_challenge", ch, "code_challenge_method", "S256"))
		p := wantRedirectError(t, s, a, loopbackCB, "invalid_target", false)
		if !strings.Contains(p.Get("error_description"), "client narrow may not request tokens for resource") {
			t.Errorf("error_description %q", p.Get("error_description"))
		}
	})
}

func TestRule97_AudienceIsTheResourcesAndScopesMustFit(t *testing.T) {
	s := startServer(t, resourceConfig)
	t.Run("one resource: aud is it", func(t *testing.T) {
		a := mustTokens(t, s.token(t, asAgent, url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}, "resource": {apiResource}}), "cc")
		if got := audience(t, a.str("access_token")); !slices.Equal(got, []string{apiResource}) {
			t.Fatalf("aud %v, want [%s]", got, apiResource)
		}
		in := s.post(t, "/introspect", asAgent, url.Values{"token": {a.str("access_token")}})
		if in.JSON["active"] != true || in.JSON["aud"] != apiResource {
			t.Fatalf("introspection %s, want active with aud %s", in, apiResource)
		}
	})
	t.Run("two resources: aud lists both", func(t *testing.T) {
		a := mustTokens(t, s.token(t, asAgent, url.Values{"grant_type": {"client_credentials"}, "scope": {"read mcp.tools"},
			"resource": {mcpResource, apiResource}}), "cc")
		if got := audience(t, a.str("access_token")); !slices.Equal(got, []string{mcpResource, apiResource}) {
			t.Fatalf("aud %v", got)
		}
	})
	t.Run("no resource: the server's audience, as before", func(t *testing.T) {
		a := mustTokens(t, s.token(t, asAgent, url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}), "cc")
		if got := audience(t, a.str("access_token")); !slices.Equal(got, []string{s.url}) {
			t.Fatalf("aud %v, want [%s]", got, s.url)
		}
	})
	t.Run("a scope no requested resource accepts", func(t *testing.T) {
		a := s.token(t, asAgent, url.Values{"grant_type": {"client_credentials"}, "scope": {"mcp.tools"}, "resource": {apiResource}})
		wantTokenError(t, a, http.StatusBadRequest, "invalid_scope")
		if !strings.Contains(a.str("error_description"), "is not accepted by the requested resource(s)") {
			t.Errorf("error_description %q", a.str("error_description"))
		}
	})
}

func TestRule98_RefreshNarrowsResourcesNeverWidens(t *testing.T) {
	s := startServer(t, resourceConfig)
	g := s.getCode(t, agentID, appCB, "read mcp.tools", false, "resource", mcpResource, "resource", apiResource)
	first := mustTokens(t, s.redeem(t, asAgent, g), "code")
	if got := audience(t, first.str("access_token")); !slices.Equal(got, []string{mcpResource, apiResource}) {
		t.Fatalf("code grant aud %v", got)
	}
	rt := first.str("refresh_token")
	narrowed := mustTokens(t, s.refresh(t, asAgent, rt, "resource", apiResource, "scope", "read"), "narrowing refresh")
	if got := audience(t, narrowed.str("access_token")); !slices.Equal(got, []string{apiResource}) {
		t.Fatalf("narrowed aud %v, want [%s]", got, apiResource)
	}
	// The grant keeps both: a later refresh may name the other one.
	rt = narrowed.str("refresh_token")
	other := mustTokens(t, s.refresh(t, asAgent, rt, "resource", mcpResource, "scope", "mcp.tools"), "other resource")
	if got := audience(t, other.str("access_token")); !slices.Equal(got, []string{mcpResource}) {
		t.Fatalf("aud %v, want [%s]", got, mcpResource)
	}
	rt = other.str("refresh_token")
	t.Run("widening refused", func(t *testing.T) {
		a := s.refresh(t, asAgent, rt, "resource", s.url+"/protected")
		wantTokenError(t, a, http.StatusBadRequest, "invalid_target")
		if d := a.str("error_description"); !strings.Contains(d, "can only narrow them (RFC 8707 section 2.2)") {
			t.Errorf("error_description %q", d)
		}
	})
	t.Run("a grant without resources cannot gain one", func(t *testing.T) {
		g := s.getCode(t, agentID, appCB, "read", false)
		f := url.Values{"grant_type": {"authorization_code"}, "code": {g.code}, "redirect_uri": {appCB}, "resource": {apiResource}}
		a := s.token(t, asAgent, f)
		wantTokenError(t, a, http.StatusBadRequest, "invalid_target")
	})
	t.Run("the refused refresh did not spend the token", func(t *testing.T) {
		mustTokens(t, s.refresh(t, asAgent, rt), "refresh after refusals")
	})
}

func TestRule99_ProtectedResourceAudienceAndMetadata(t *testing.T) {
	s := startServer(t, resourceConfig)
	metaURL := s.url + "/.well-known/oauth-protected-resource/protected"
	get := func(tok string) answer {
		h := http.Header{}
		if tok != "" {
			h.Set("Authorization", "Bearer "+tok)
		}
		return s.do(t, http.MethodGet, "/protected", h, nil)
	}
	t.Run("401 names the metadata", func(t *testing.T) {
		a := get("")
		want := `Bearer realm="oauthkit", resource_metadata="` + metaURL + `"`
		if a.Status != http.StatusUnauthorized || a.Header.Get("WWW-Authenticate") != want {
			t.Fatalf("got %d WWW-Authenticate %q, want 401 %q", a.Status, a.Header.Get("WWW-Authenticate"), want)
		}
	})
	t.Run("metadata", func(t *testing.T) {
		for _, p := range []string{"/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/protected"} {
			a := s.do(t, http.MethodGet, p, nil, nil)
			if a.Status != http.StatusOK || a.str("resource") != s.url+"/protected" {
				t.Fatalf("%s: %s", p, a)
			}
			if as, _ := a.JSON["authorization_servers"].([]any); len(as) != 1 || as[0] != s.url {
				t.Errorf("authorization_servers %v, want [%s]", a.JSON["authorization_servers"], s.url)
			}
			if bm, _ := a.JSON["bearer_methods_supported"].([]any); len(bm) != 1 || bm[0] != "header" {
				t.Errorf("bearer_methods_supported %v", a.JSON["bearer_methods_supported"])
			}
		}
	})
	cc := func(resources ...string) string {
		f := url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}, "resource": resources}
		return mustTokens(t, s.token(t, asAgent, f), "cc").str("access_token")
	}
	t.Run("token for /protected works", func(t *testing.T) {
		if a := get(cc(s.url + "/protected")); a.Status != http.StatusOK {
			t.Fatalf("got %s", a)
		}
	})
	t.Run("token without resource works, as before", func(t *testing.T) {
		if a := get(cc()); a.Status != http.StatusOK {
			t.Fatalf("got %s", a)
		}
	})
	t.Run("token for another resource is refused", func(t *testing.T) {
		a := get(cc(apiResource))
		if a.Status != http.StatusUnauthorized || a.str("error") != "invalid_token" {
			t.Fatalf("got %s, want 401 invalid_token", a)
		}
		if d := a.str("error_description"); !strings.Contains(d, "does not include this resource") || !strings.Contains(d, "RFC 8707 section 2") {
			t.Errorf("error_description %q", d)
		}
		if ch := a.Header.Get("WWW-Authenticate"); !strings.HasSuffix(ch, `resource_metadata="`+metaURL+`"`) {
			t.Errorf("WWW-Authenticate %q lacks resource_metadata", ch)
		}
	})
}
