package authserver

import (
	"errors"
	"net"
	"net/http"
	"strconv"
)

// grantPassword is RFC 6749 §4.3, the resource owner password grant, only
// for clients configured for it (docs/security.md rule 7). Unknown user and wrong
// password give the same answer; attempts are throttled per (username,
// address) and per address (rule 15, docs/security.md rule 43), and the
// hashing is bounded (rule 41): see checkPassword.
func (s *Server) grantPassword(req *tokenRequest) (*issued, *Error) {
	username, password := req.form["username"], req.form["password"]
	if username == "" || password == "" {
		return nil, NewError(ErrInvalidRequest, "the password grant needs username and password (RFC 6749 §4.3.2)")
	}
	scope, e := clientScope(req.form["scope"], req.client)
	if e != nil {
		return nil, e
	}
	resources, e := s.checkResources(req.client, resourceParams(req), scope)
	if e != nil {
		return nil, e
	}
	ctx := req.r.Context()
	user, err := s.checkPassword(ctx, username, password, clientIP(req.r))
	var te throttledError
	switch {
	case errors.As(err, &te):
		secs := int(te.wait.Seconds()) + 1
		return nil, &Error{Code: ErrTemporarilyUnavailable, Status: http.StatusTooManyRequests, RetryAfter: secs,
			Description: "too many failed password attempts for this user from this address; retry in " + strconv.Itoa(secs) + "s (RFC 6819 §5.2.3.3)"}
	case errors.Is(err, errHashBusy):
		return nil, &Error{Code: ErrTemporarilyUnavailable, Status: http.StatusServiceUnavailable, RetryAfter: hashBusyRetryAfter,
			Description: "too many password checks in progress; retry in " + strconv.Itoa(hashBusyRetryAfter) + "s"}
	case errors.Is(err, errWrongPassword):
		return nil, NewError(ErrInvalidGrant, "username or password is wrong (RFC 6749 §5.2)")
	case err != nil:
		return nil, s.storeError(err)
	}
	now := s.now()
	return s.issueForUser(ctx, grant{Client: req.client, Subject: user.Subject, Scope: scope, AuthTime: now, Now: now, JKT: req.jkt,
		Resources: resources}, "")
}

// clientIP is the peer address of the request. Forwarding headers are not
// trusted: a client could set them to dodge throttling.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
