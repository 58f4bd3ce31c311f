package oauthkittest

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/oauthkit/oauthkit/internal/authserver"
	"github.com/oauthkit/oauthkit/internal/clientauth"
	"github.com/oauthkit/oauthkit/internal/config"
)

// Endpoint is the server's authorization, token and device authorization
// (RFC 8628) endpoints for golang.org/x/oauth2.
func (s *Server) Endpoint() oauth2.Endpoint {
	return oauth2.Endpoint{AuthURL: s.issuer + authserver.PathAuthorize, TokenURL: s.issuer + "/token",
		DeviceAuthURL: s.issuer + authserver.PathDeviceAuthorization}
}

// OAuth2Config returns a golang.org/x/oauth2 configuration for a
// registered client: the endpoints, its secret and authentication method,
// its first redirect URI, and scopes (none given: the client's registered
// scopes). A client configured with secret_hash has no known secret: set
// ClientSecret yourself. An unknown client fails the test.
func (s *Server) OAuth2Config(clientID string, scopes ...string) *oauth2.Config {
	s.tb.Helper()
	c := s.configClient(clientID)
	if c == nil {
		return nil
	}
	cfg := &oauth2.Config{ClientID: c.ID, ClientSecret: c.Secret, Endpoint: s.Endpoint(), Scopes: scopes}
	cfg.Endpoint.AuthStyle = authStyle(c.AuthMethod)
	if len(scopes) == 0 {
		cfg.Scopes = slices.Clone(c.Scopes)
	}
	if len(c.RedirectURIs) > 0 {
		cfg.RedirectURL = c.RedirectURIs[0]
	}
	return cfg
}

// ClientCredentials returns a golang.org/x/oauth2/clientcredentials
// configuration for a registered confidential client (RFC 6749 §4.4), with
// scopes as OAuth2Config chooses them. An unknown client fails the test.
func (s *Server) ClientCredentials(clientID string, scopes ...string) *clientcredentials.Config {
	s.tb.Helper()
	c := s.OAuth2Config(clientID, scopes...)
	if c == nil {
		return nil
	}
	return &clientcredentials.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, TokenURL: c.Endpoint.TokenURL,
		Scopes: c.Scopes, AuthStyle: c.Endpoint.AuthStyle}
}

// Context returns ctx with the server's HTTPClient installed for
// golang.org/x/oauth2 (oauth2.HTTPClient), so token requests use it.
func (s *Server) Context(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, s.client)
}

func (s *Server) configClient(id string) *config.Client {
	s.tb.Helper()
	for i := range s.cfg.Clients {
		if s.cfg.Clients[i].ID == id {
			return &s.cfg.Clients[i]
		}
	}
	ids := make([]string, len(s.cfg.Clients))
	for i, c := range s.cfg.Clients {
		ids[i] = c.ID
	}
	s.fatalf("no client %q is configured (the clients are: %v)", id, ids)
	return nil
}

func authStyle(m clientauth.Method) oauth2.AuthStyle {
	if m == clientauth.MethodBasic {
		return oauth2.AuthStyleInHeader
	}
	return oauth2.AuthStyleInParams // client_secret_post; a public client sends its client_id there too
}

// Authorize sends a browser's GET to authURL, an authorization request
// such as oauth2.Config.AuthCodeURL returns, and returns where the server
// redirects the browser: the client's redirect URI with code and state,
// or with an error (RFC 6749 §4.1.2). It does not follow the redirect.
// The server answers without pages only when it may approve at once
// (WithAutoApprove, LoginAs, a client with auto_approve); a page, or any
// other answer but a redirect, fails the test.
func (s *Server) Authorize(authURL string) *url.URL {
	s.tb.Helper()
	noFollow := *s.client
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noFollow.Get(authURL)
	if err != nil {
		s.fatalf("authorization request: %v", err)
		return nil
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	loc, err := resp.Location()
	switch {
	case resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther || err != nil:
		s.fatalf("authorization request: the server answered %s, not a redirect to the client", resp.Status)
		return nil
	case strings.HasPrefix(loc.String(), s.issuer+authserver.PathAuthorize+"/"):
		s.fatalf("authorization request: the server sent the browser to its login page %s (use WithAutoApprove or LoginAs to skip it)", loc.Path)
		return nil
	}
	return loc
}

// MintRequest asks MintToken for tokens.
type MintRequest = authserver.MintRequest

// Minted holds the tokens MintToken issued.
type Minted = authserver.Minted

// MintToken issues tokens for a registered client, and a user when
// r.User is set, without an HTTP round trip: the same tokens the token
// endpoint would issue, recorded by the server (they introspect active and
// can be revoked). An ID token comes with the scope openid and a user. An
// unknown client or user, or a scope the client may not have, fails the
// test.
func (s *Server) MintToken(r MintRequest) *Minted {
	s.tb.Helper()
	m, err := s.srv.MintToken(context.Background(), r)
	if err != nil {
		s.fatalf("MintToken: %v", err)
	}
	return m
}
