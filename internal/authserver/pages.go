package authserver

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"strings"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pages are the server-rendered HTML pages: html/template escapes every
// value, the CSS is inline under a per-response CSP nonce, and nothing is
// loaded from elsewhere (docs/security.md rule 8).
type pages struct {
	byName map[string]*template.Template
}

// mustParsePages parses the embedded templates; they are part of the
// binary, so a failure is a build mistake that the tests catch.
func mustParsePages() *pages {
	base := template.Must(template.ParseFS(templateFiles, "templates/layout.html"))
	p := &pages{byName: map[string]*template.Template{}}
	for _, name := range []string{"login", "consent", "error", "form_post", "logout", "device", "device_done"} {
		p.byName[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFiles, "templates/"+name+".html"))
	}
	return p
}

// pageData is what every page template gets.
type pageData struct {
	Nonce  string
	Title  string
	Issuer string
	Paths  pagePaths
	Page   any
}

// Paths of the pages. They live under /authorize, the Path of the session
// cookie, so that the cookie reaches them and nothing else of this host
// (docs/security.md rule 39).
const (
	PathAuthorize = "/authorize"
	PathLogin     = PathAuthorize + "/login"
	PathConsent   = PathAuthorize + "/consent"
	PathLogout    = PathAuthorize + "/logout"
)

// pagePaths gives the templates the paths their forms post to.
type pagePaths struct{ Login, Consent, Logout string }

// movedPage answers a page's path of older versions (/login, /consent,
// /logout) with a permanent redirect to its place under /authorize, query
// included; 308 keeps the method and the body of a POST.
func movedPage(to string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		loc := to
		if r.URL.RawQuery != "" {
			loc += "?" + r.URL.RawQuery
		}
		NoStore(w)
		w.Header().Set("Location", loc)
		w.WriteHeader(http.StatusPermanentRedirect)
	}
}

// pageOptions widen the page's Content-Security-Policy.
type pageOptions struct {
	// FormTargets are origins a form may post or redirect to, besides 'self'
	// (browsers apply form-action to the redirect after the POST too).
	FormTargets []string
	Script      bool // the page has an inline script (form_post)
}

// render writes a page with the security headers of rule 8: a strict CSP
// with frame-ancestors 'none', X-Frame-Options DENY, Referrer-Policy
// no-referrer, and no caching.
func (s *Server) render(w http.ResponseWriter, status int, name, title string, data any, o pageOptions) {
	nonce := randomToken(18)
	var buf bytes.Buffer
	err := s.pages.byName[name].ExecuteTemplate(&buf, "layout", pageData{Nonce: nonce, Title: title, Issuer: s.settings.Issuer, Paths: pagePaths{Login: PathLogin, Consent: PathConsent, Logout: PathLogout}, Page: data})
	if err != nil {
		s.log.Error("rendering a page failed", "page", name, "err", err)
		http.Error(w, "internal error rendering the page; see the server log", http.StatusInternalServerError)
		return
	}
	csp := []string{"default-src 'none'", "style-src 'nonce-" + nonce + "'", "base-uri 'none'", "frame-ancestors 'none'"}
	if o.Script {
		csp = append(csp, "script-src 'nonce-"+nonce+"'")
	}
	csp = append(csp, "form-action "+strings.Join(append([]string{"'self'"}, o.FormTargets...), " "))
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", strings.Join(csp, "; "))
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	NoStore(w)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderError shows an error page; it never redirects (docs/security.md rule 2).
func (s *Server) renderError(w http.ResponseWriter, pe *pageError) {
	s.render(w, pe.Status, "error", pe.Title, pe, pageOptions{})
}

type formField struct{ Name, Value string }

type formPostPage struct {
	Action template.URL
	Fields []formField
}

// renderFormPost answers in response_mode form_post: a page whose form
// posts the response to the redirect URI, submitted by a nonce'd script.
func (s *Server) renderFormPost(w http.ResponseWriter, redirectURI string, v url.Values) {
	p := formPostPage{Action: template.URL(redirectURI)} // a validated, registered URI
	for _, k := range sortedKeys(keysOf(v)) {
		p.Fields = append(p.Fields, formField{k, v.Get(k)})
	}
	s.render(w, http.StatusOK, "form_post", "Returning to the application", p,
		pageOptions{Script: true, FormTargets: cspSource(redirectURI)})
}

func keysOf(v url.Values) map[string]bool {
	m := make(map[string]bool, len(v))
	for k := range v {
		m[k] = true
	}
	return m
}

// cspSource returns the CSP source expression that allows a form to reach
// uri: its origin for http(s), its scheme for a private-use scheme
// (RFC 8252 §7.1). Nothing for anything that could break the header.
func cspSource(uri string) []string {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme == "" {
		return nil
	}
	src := u.Scheme + ":"
	if u.Scheme == "http" || u.Scheme == "https" {
		src = u.Scheme + "://" + u.Host
	}
	for _, c := range src {
		if c <= ' ' || c > '~' || c == ';' || c == ',' || c == '\'' {
			return nil
		}
	}
	return []string{src}
}
