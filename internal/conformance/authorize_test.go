package conformance

import (
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Rules 1–8: the authorization endpoint.

// authorizeBasic asks for a code for basic-client (confidential, no PKCE
// needed) with the given redirect_uri.
func authorizeBasic(t *testing.T, s *server, redirect string) answer {
	t.Helper()
	return s.authorize(t, q("response_type", "code", "client_id", basicID, "redirect_uri", redirect, "state", "st", "login_hint", userName))
}

func TestRule01_RedirectURIExactMatch(t *testing.T) {
	s := shared(t)
	accepted := []string{
		appCB,
		"https://app.example.test:8443/cb2",
		"https://app.example.test/q?x=1",
		"com.example.app:/oauth",
		"http://localhost:8080/cb",
		// RFC 8252 §7.3: any port on a registered loopback IP literal.
		"http://127.0.0.1/callback",
		"http://127.0.0.1:1/callback",
		"http://127.0.0.1:53124/callback",
		"http://127.0.0.1:65535/callback",
		"http://[::1]/callback",
		"http://[::1]:53124/callback",
	}
	for _, ru := range accepted {
		t.Run("accept "+ru, func(t *testing.T) {
			a := authorizeBasic(t, s, ru)
			loc := a.Header.Get("Location")
			if a.Status != http.StatusFound || !strings.HasPrefix(loc, ru) {
				t.Fatalf("got %s Location %q, want 302 to %s", a, loc, ru)
			}
			u := a.location(t)
			if u.Query().Get("code") == "" || u.Query().Get("state") != "st" {
				t.Errorf("Location %q has no code or state", loc)
			}
			if strings.Contains(ru, "?x=1") && u.Query().Get("x") != "1" {
				t.Errorf("Location %q lost the registered query", loc)
			}
		})
	}
	refused := []string{
		// case, scheme, host
		"https://APP.example.test/cb", "HTTPS://app.example.test/cb", "https://app.example.test/CB",
		"http://app.example.test/cb", "https://app.example.test./cb", "https://evil.example/cb",
		"https://app.example.test.evil.example/cb", "//app.example.test/cb", "https:/app.example.test/cb",
		"https:app.example.test/cb", "app.example.test/cb", "",
		// ports
		"https://app.example.test:443/cb", "https://app.example.test:8443/cb", "https://app.example.test/cb2",
		"https://app.example.test:08443/cb2", "https://app.example.test:8444/cb2",
		"http://localhost:8081/cb", "http://localhost/cb", "http://LOCALHOST:8080/cb", "http://localhost:80/cb",
		// userinfo
		"https://user@app.example.test/cb", "https://app.example.test@evil.example/cb",
		"https://app.example.test:443@evil.example/cb", "https://app.example.test%40evil.example/cb",
		// path: slashes, dots, encodings, prefixes
		"https://app.example.test/cb/", "https://app.example.test//cb", "https://app.example.test/./cb",
		"https://app.example.test/x/../cb", "https://app.example.test/cb/.", "https://app.example.test/cb/..",
		"https://app.example.test/%63b", "https://app.example.test/c%62", "https://app.example.test/cb%2F",
		"https://app.example.test/%2e/cb", "https://app.example.test/c", "https://app.example.test/cbx",
		"https://app.example.test/cb;x", "https://app.example.test/cb%00", "https://app.example.test/cb%20",
		"https://app.example.test\\cb", "https://app.example.test/cb\\", "https://app.example.test\\@evil.example/cb",
		// query and fragment
		"https://app.example.test/cb?", "https://app.example.test/cb?x=1", "https://app.example.test/cb#",
		"https://app.example.test/cb#x", "https://app.example.test/cb?#", "https://app.example.test/q",
		"https://app.example.test/q?x=2", "https://app.example.test/q?x=1&y=2", "https://app.example.test/q?x=%31",
		"https://app.example.test/q?x=1#f", "https://app.example.test/q?X=1",
		// whitespace and control characters
		" https://app.example.test/cb", "https://app.example.test/cb ", "https://app.example.test/cb\t",
		"https://app.example.test/cb\n", "https://app.example.test/cb\r\nX: y", "https://app.example.test/cb\x00",
		"https://app.example.test/cb\u00a0",
		// custom scheme
		"com.example.app:/oauth/", "com.example.app://oauth", "COM.example.app:/oauth", "com.example.app:/OAUTH",
		// loopback: only the port may differ
		"http://127.0.0.1:53124/callback/", "http://127.0.0.1:53124/Callback", "http://127.0.0.1:53124//callback",
		"http://127.0.0.1:53124/callback?", "http://127.0.0.1:53124/callback#", "http://127.0.0.1:53124/callback?x=1",
		"http://127.0.0.1:53124/%63allback", "http://127.0.0.1:53124/x/../callback", "http://127.0.0.1:53124/./callback",
		"https://127.0.0.1:53124/callback", "HTTP://127.0.0.1:53124/callback",
		"http://localhost:53124/callback", "http://127.0.0.2:53124/callback", "http://127.1:53124/callback",
		"http://2130706433/callback", "http://0x7f.0.0.1/callback", "http://0177.0.0.1/callback",
		"http://127.0.0.1@evil.example/callback", "http://127.0.0.1:53124@evil.example/callback",
		"http://evil@127.0.0.1:53124/callback", "http://127.0.0.1.evil.example:53124/callback",
		"http://127.0.0.1:53124\\@evil.example/callback", "http://127.0.0.1:abc/callback",
		"http://127.0.0.1:99999/callback", "http://127.0.0.1:-1/callback", "http://127.0.0.1:+80/callback",
		"http://127.0.0.1%2F@evil.example/callback",
		// IPv6 forms
		"http://[0:0:0:0:0:0:0:1]:53124/callback", "http://[::01]:53124/callback", "http://[::1%25eth0]:53124/callback",
		"http://[::ffff:127.0.0.1]:53124/callback", "http://[::1]:53124/callback/", "http://::1:53124/callback",
		"http://[::1]@evil.example/callback", "http://[::2]:53124/callback",
	}
	for _, ru := range refused {
		t.Run("refuse "+url.PathEscape(ru), func(t *testing.T) {
			a := authorizeBasic(t, s, ru)
			wantNoRedirect(t, a)
		})
	}
}

func TestRule02_NoRedirectForUntrustedClient(t *testing.T) {
	s := shared(t)
	cases := map[string]string{
		"missing client_id":                 q("response_type", "code", "redirect_uri", appCB, "state", "x"),
		"empty client_id":                   q("response_type", "code", "client_id", "", "redirect_uri", appCB),
		"unknown client_id":                 q("response_type", "code", "client_id", "nobody", "redirect_uri", appCB),
		"client_id case":                    q("response_type", "code", "client_id", "BASIC-client", "redirect_uri", appCB),
		"repeated client_id":                q("response_type", "code", "client_id", basicID, "client_id", basicID, "redirect_uri", appCB),
		"repeated client_id, other":         q("response_type", "code", "client_id", basicID, "client_id", otherID, "redirect_uri", appCB),
		"repeated redirect_uri":             q("response_type", "code", "client_id", basicID, "redirect_uri", appCB, "redirect_uri", appCB),
		"missing redirect_uri, several":     q("response_type", "code", "client_id", basicID, "state", "x"),
		"redirect_uri of another client":    q("response_type", "code", "client_id", basicID, "redirect_uri", "https://post.example.test/cb"),
		"unregistered, no response_type":    q("client_id", basicID, "redirect_uri", "https://evil.example/"),
		"unregistered, bad response_type":   q("response_type", "nope", "client_id", basicID, "redirect_uri", "https://evil.example/"),
		"unregistered, repeated state":      q("response_type", "code", "client_id", basicID, "redirect_uri", "https://evil.example/", "state", "a", "state", "b"),
		"javascript redirect":               q("response_type", "code", "client_id", basicID, "redirect_uri", "javascript:alert(1)"),
		"data redirect":                     q("response_type", "code", "client_id", basicID, "redirect_uri", "data:text/html,x"),
		"prompt=none, unregistered":         q("response_type", "code", "client_id", pagesID, "redirect_uri", "https://evil.example/", "prompt", "none"),
		"implicit client, unregistered":     q("response_type", "token", "client_id", implicitID, "redirect_uri", "https://evil.example/"),
		"client_id with NUL":                q("response_type", "code", "client_id", basicID+"\x00", "redirect_uri", appCB),
		"redirect_uri of other, same host":  q("response_type", "code", "client_id", otherID, "redirect_uri", "https://app.example.test:8443/cb2"),
		"form_post to an unregistered URI":  q("response_type", "code", "client_id", basicID, "redirect_uri", "https://evil.example/", "response_mode", "form_post"),
		"fragment mode to unregistered URI": q("response_type", "code", "client_id", basicID, "redirect_uri", "https://evil.example/", "response_mode", "fragment"),
	}
	for name, query := range cases {
		t.Run(name, func(t *testing.T) {
			a := s.authorize(t, query)
			wantNoRedirect(t, a)
			if strings.Contains(string(a.Body), "evil.example/\" ") || strings.Contains(strings.ToLower(string(a.Body)), "<form method=\"post\" action=\"https://evil") {
				t.Errorf("the error page posts to the unregistered URI:\n%s", a.Body)
			}
		})
	}
	// POST /authorize takes the same checks.
	t.Run("POST unregistered", func(t *testing.T) {
		a := s.postRaw(t, "/authorize", nil, q("response_type", "code", "client_id", basicID, "redirect_uri", "https://evil.example/"))
		wantNoRedirect(t, a)
	})
}

func TestRule03_RegistrationRefusesDangerousRedirectURIs(t *testing.T) {
	bad := map[string]string{
		"fragment":           "https://app.example.test/cb#frag",
		"empty fragment":     "https://app.example.test/cb#",
		"javascript":         "javascript:alert(1)",
		"JavaScript case":    "JavaScript:alert(1)",
		"data":               "data:text/html,hi",
		"vbscript":           "vbscript:msgbox(1)",
		"wildcard host":      "https://*.example.test/cb",
		"wildcard path":      "https://app.example.test/*",
		"plain http remote":  "http://app.example.test/cb",
		"plain http 0.0.0.0": "http://0.0.0.0/cb",
		"relative":           "/cb",
	}
	for name, ru := range bad {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := "clients:\n  - id: c\n    secret: s\n    redirect_uris: [\"" + ru + "\"]\nusers:\n  - {username: u, password: p}\n"
			path := filepath.Join(dir, "bad.yaml")
			writeFile(t, path, cfg)
			cmd := exec.Command(suite.bin, "serve", "--config", path, "--store", "memory", "--addr", "127.0.0.1:0")
			cmd.Env = append(cmd.Environ(), "XDG_STATE_HOME="+dir)
			out, err := cmd.CombinedOutput()
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.ExitCode() != 2 {
				t.Fatalf("serve with redirect URI %q: %v, want exit 2\n%s", ru, err, out)
			}
			if !regexp.MustCompile(`bad\.yaml:\d+: clients\[0\]\.redirect_uris\[0\]: `).Match(out) {
				t.Errorf("message does not name file, line and key:\n%s", out)
			}
		})
	}
}

func TestRule04_ErrorsGoBackToTheValidatedRedirectURI(t *testing.T) {
	s := shared(t)
	state := "s t&a<t>e=1"
	cases := []struct {
		name, query, code string
		fragment          bool
	}{
		{"unsupported response_type", q("response_type", "code_x", "client_id", basicID, "redirect_uri", appCB, "state", state), "unsupported_response_type", false},
		{"missing response_type", q("client_id", basicID, "redirect_uri", appCB, "state", state), "invalid_request", false},
		{"invalid scope", q("response_type", "code", "client_id", basicID, "redirect_uri", appCB, "state", state, "scope", "admin"), "invalid_scope", false},
		{"scope of another client only", q("response_type", "code", "client_id", postID, "redirect_uri", "https://post.example.test/cb", "state", state, "scope", "openid"), "invalid_scope", false},
		{"implicit not allowed", q("response_type", "token", "client_id", basicID, "redirect_uri", appCB, "state", state), "unauthorized_client", true},
		{"code not allowed for implicit-only client", q("response_type", "code", "client_id", implicitID, "redirect_uri", spaCB, "state", state), "unauthorized_client", false},
		{"prompt=none without session", q("response_type", "code", "client_id", pagesID, "redirect_uri", "https://pages.example.test/cb", "state", state, "prompt", "none"), "login_required", false},
		{"bad response_mode", q("response_type", "code", "client_id", basicID, "redirect_uri", appCB, "state", state, "response_mode", "jwt"), "invalid_request", false},
		{"request object", q("response_type", "code", "client_id", basicID, "redirect_uri", appCB, "state", state, "request", "eyJ.x.y"), "request_not_supported", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := s.authorize(t, c.query)
			redirect, _ := url.ParseQuery(c.query)
			p := wantRedirectError(t, s, a, redirect.Get("redirect_uri"), c.code, c.fragment)
			if p.Get("state") != state {
				t.Errorf("state %q, want %q", p.Get("state"), state)
			}
			if p.Get("error_description") == "" {
				t.Errorf("no error_description")
			}
		})
	}
	t.Run("denied consent", func(t *testing.T) {
		b := newBrowser(t, s)
		page := b.startPagesFlow(t, "deny-me")
		page = b.login(t, page)
		a := b.consent(t, page, "deny")
		if a.Status != http.StatusSeeOther {
			t.Errorf("status %d after the consent POST, want 303 (rule 8)", a.Status)
		}
		p := wantRedirectError(t, s, a, "https://pages.example.test/cb", "access_denied", false)
		if p.Get("state") != "deny-me" {
			t.Errorf("state %q, want deny-me", p.Get("state"))
		}
	})
}

func TestRule05_RepeatedAuthorizeParameters(t *testing.T) {
	s := shared(t)
	_, ch := pkcePair(t)
	base := []string{"response_type", "code", "client_id", publicID, "redirect_uri", loopbackCB, "state", "st",
		"scope", "read", "code_challenge", ch, "code_challenge_method", "S256", "nonce", "n1", "response_mode", "query", "prompt", "consent", "login_hint", userName}
	// client_id and redirect_uri repeated are error pages (rule 2).
	for i := 6; i < len(base); i += 2 {
		name := base[i]
		t.Run(name, func(t *testing.T) {
			kv := append(append([]string(nil), base...), name, base[i+1])
			a := s.authorize(t, q(kv...))
			wantRedirectError(t, s, a, loopbackCB, "invalid_request", false)
		})
	}
	t.Run("response_type", func(t *testing.T) {
		kv := append(append([]string(nil), base...), "response_type", "code")
		a := s.authorize(t, q(kv...))
		wantRedirectError(t, s, a, loopbackCB, "invalid_request", false)
	})
	t.Run("empty duplicate", func(t *testing.T) {
		kv := append(append([]string(nil), base...), "scope", "")
		a := s.authorize(t, q(kv...))
		wantRedirectError(t, s, a, loopbackCB, "invalid_request", false)
	})
}

func TestRule06_PKCESyntaxAtAuthorize(t *testing.T) {
	s := shared(t)
	const ok43 = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	cases := []struct {
		name, challenge, method string
		sendMethod              bool
		want                    string // "" = a code
	}{
		{"S256 43 chars", ok43, "S256", true, ""},
		{"S256 128 chars", strings.Repeat("a", 128), "S256", true, ""},
		{"unreserved set", strings.Repeat("aZ09-._~", 6), "S256", true, ""},
		{"missing challenge (public)", "", "", false, "invalid_request"},
		{"42 chars", ok43[:42], "S256", true, "invalid_request"},
		{"129 chars", strings.Repeat("a", 129), "S256", true, "invalid_request"},
		{"plain", ok43, "plain", true, "invalid_request"},
		{"missing method", ok43, "", false, "invalid_request"},
		{"empty method", ok43, "", true, "invalid_request"},
		{"lowercase s256", ok43, "s256", true, "invalid_request"},
		{"S512", ok43, "S512", true, "invalid_request"},
		{"plus", ok43[:42] + "+", "S256", true, "invalid_request"},
		{"slash", ok43[:42] + "/", "S256", true, "invalid_request"},
		{"padding", ok43 + "=", "S256", true, "invalid_request"},
		{"space", ok43[:20] + " " + ok43[21:], "S256", true, "invalid_request"},
		{"non-ASCII", ok43[:41] + "é", "S256", true, "invalid_request"},
		{"NUL", ok43[:42] + "\x00", "S256", true, "invalid_request"},
		{"method without challenge", "", "S256", true, "invalid_request"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kv := []string{"response_type", "code", "client_id", publicID, "redirect_uri", loopbackCB, "state", "st", "login_hint", userName}
			if c.challenge != "" {
				kv = append(kv, "code_challenge", c.challenge)
			}
			if c.sendMethod {
				kv = append(kv, "code_challenge_method", c.method)
			}
			a := s.authorize(t, q(kv...))
			if c.want == "" {
				if u := a.location(t); u == nil || u.Query().Get("code") == "" {
					t.Fatalf("got %s Location %q, want a code", a, a.Header.Get("Location"))
				}
				return
			}
			wantRedirectError(t, s, a, loopbackCB, c.want, false)
		})
	}
	t.Run("pkce: required makes confidential clients send one", func(t *testing.T) {
		s2 := startServer(t, "pkce: required\n"+strings.TrimPrefix(baseConfig, "\npkce: public\n"))
		a := authorizeBasic(t, s2, appCB)
		wantRedirectError(t, s2, a, appCB, "invalid_request", false)
	})
}

func TestRule07_ImplicitAndPasswordOffUnlessConfigured(t *testing.T) {
	s := shared(t)
	t.Run("implicit refused for a code client", func(t *testing.T) {
		a := s.authorize(t, q("response_type", "token", "client_id", publicID, "redirect_uri", loopbackCB, "state", "st"))
		wantRedirectError(t, s, a, loopbackCB, "unauthorized_client", true)
	})
	t.Run("password refused for a client without it", func(t *testing.T) {
		a := s.token(t, asPost, url.Values{"grant_type": {"password"}, "username": {userName}, "password": {userPassword}})
		wantTokenError(t, a, http.StatusBadRequest, "unauthorized_client")
	})
	t.Run("implicit for its client: no refresh token, warning once", func(t *testing.T) {
		for i := 0; i < 2; i++ {
			a := s.authorize(t, q("response_type", "token", "client_id", implicitID, "redirect_uri", spaCB, "state", "st", "scope", "read"))
			u := a.location(t)
			if a.Status != http.StatusFound || u == nil {
				t.Fatalf("implicit: %s, want 302", a)
			}
			frag, _ := url.ParseQuery(u.EscapedFragment())
			if frag.Get("access_token") == "" || u.RawQuery != "" {
				t.Fatalf("implicit: Location %q, want the token in the fragment only", u)
			}
			if frag.Get("refresh_token") != "" {
				t.Errorf("implicit returned a refresh token")
			}
			if frag.Get("state") != "st" || frag.Get("iss") != s.url {
				t.Errorf("implicit: state %q iss %q", frag.Get("state"), frag.Get("iss"))
			}
		}
		if n := strings.Count(strings.ToLower(s.stderr.String()), "deprecated"); n != 1 {
			t.Errorf("deprecation warning logged %d times, want exactly once:\n%s", n, tail(s.stderr.String(), 2000))
		}
	})
	t.Run("implicit with response_mode=query", func(t *testing.T) {
		a := s.authorize(t, q("response_type", "token", "client_id", implicitID, "redirect_uri", spaCB, "state", "st", "response_mode", "query"))
		if u := a.location(t); u != nil && strings.Contains(u.RawQuery, "access_token") {
			t.Fatalf("token sent in the query: %s", u)
		}
		wantRedirectError(t, s, a, spaCB, "invalid_request", true)
	})
}
