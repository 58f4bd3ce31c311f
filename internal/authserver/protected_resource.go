package authserver

import (
	"net/http"
	"slices"
	"strings"

	"github.com/oauthkit/oauthkit/internal/store"
)

// PathProtectedResourceMetadata is where the RFC 9728 metadata of the demo
// /protected resource is served (also with /protected appended, the URL
// RFC 9728 §3.1 derives from the resource identifier).
const PathProtectedResourceMetadata = "/.well-known/oauth-protected-resource"

// ResourceMetadataURL is the URL of the demo resource's RFC 9728 metadata,
// which its 401 answers name in WWW-Authenticate (RFC 9728 §5.1).
func (s *Server) ResourceMetadataURL() string {
	return s.settings.Issuer + PathProtectedResourceMetadata + ProtectedPath
}

// handleResourceMetadata serves the RFC 9728 §2 metadata of /protected:
// which authorization server issues its tokens and how to present them.
func (s *Server) handleResourceMetadata(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		WriteError(w, &Error{Code: ErrInvalidRequest, Status: http.StatusMethodNotAllowed, Description: "use GET"})
		return
	}
	md := map[string]any{
		"resource":                 s.ProtectedResourceID(),
		"authorization_servers":    []string{s.settings.Issuer},
		"bearer_methods_supported": []string{"header"},
		"resource_name":            "oauthkit demo resource",
	}
	if s.settings.ProtectedScope != "" {
		md["scopes_supported"] = []string{s.settings.ProtectedScope}
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	WriteJSON(w, http.StatusOK, md)
}

// challengeWriter adds resource_metadata to the Bearer challenge of a 401
// (RFC 9728 §5.1), so a client that knows only the resource's URL finds
// its authorization server.
type challengeWriter struct {
	http.ResponseWriter
	metadata string
}

func (c challengeWriter) WriteHeader(status int) {
	if status == http.StatusUnauthorized {
		// Only the Bearer challenge changes; a DPoP challenge beside it
		// (RFC 9449 §7.1) stays as it is.
		chs := c.Header().Values("WWW-Authenticate")
		for i, ch := range chs {
			if strings.HasPrefix(ch, "Bearer") {
				chs[i] = ch + `, resource_metadata="` + c.metadata + `"`
			}
		}
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c challengeWriter) Write(b []byte) (int, error) { return c.ResponseWriter.Write(b) }

// Unwrap returns the wrapped writer (http.ResponseController, noteError).
func (c challengeWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// forProtected reports whether a token may be used at /protected: one
// issued without resource indicators (the server's audience), or one whose
// audience names it (RFC 8707 §2, docs/security.md rule 99).
func (s *Server) forProtected(rec store.AccessToken) bool {
	return rec.Audience == "" || slices.Contains(strings.Fields(rec.Audience), s.ProtectedResourceID())
}

// recordedAudience reports whether a JWT's aud names the audience its
// record was issued for: the server's, or one of its resources (RFC 8707).
func (s *Server) recordedAudience(rec store.AccessToken, aud []string) bool {
	want := []string{s.settings.Audience}
	if rec.Audience != "" {
		want = strings.Fields(rec.Audience)
	}
	return slices.ContainsFunc(aud, func(a string) bool { return slices.Contains(want, a) })
}

// introspectedAudience is the aud introspection reports (RFC 7662 §2.2).
func (s *Server) introspectedAudience(rec store.AccessToken) any {
	if rec.Audience == "" {
		return s.settings.Audience
	}
	return audienceClaim(strings.Fields(rec.Audience))
}
