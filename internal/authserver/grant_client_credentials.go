package authserver

// grantClientCredentials is RFC 6749 §4.4: a confidential client gets an
// access token for itself, never a refresh token (docs/security.md rule 15).
func (s *Server) grantClientCredentials(req *tokenRequest) (*issued, *Error) {
	if isPublic(req.client) {
		return nil, NewError(ErrUnauthorizedClient, "a public client cannot use client_credentials (RFC 6749 §4.4)")
	}
	scope, e := clientScope(req.form["scope"], req.client)
	if e != nil {
		return nil, e
	}
	resources, e := s.checkResources(req.client, resourceParams(req), scope)
	if e != nil {
		return nil, e
	}
	now := s.now()
	g := grant{Client: req.client, Subject: req.client.ID, Scope: scope, Now: now, JKT: req.jkt, Resources: resources}
	at, exp, e := s.mintAccessToken(req.r.Context(), g)
	if e != nil {
		return nil, e
	}
	return &issued{AccessToken: at, IssuedAt: now, ExpiresAt: exp, Scope: scope, Subject: req.client.ID}, nil
}
