package authserver

import (
	"errors"
	"net"
	"net/http"
	"strconv"

	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/store"
)

// grantPassword is RFC 6749 §4.3, the resource owner password grant, only
// for clients configured for it (docs/security.md rule 7). Unknown user and wrong
// password give the same answer; failures are throttled per client and per
// IP address (rule 15).
func (s *Server) grantPassword(req *tokenRequest) (*issued, *Error) {
	username, password := req.form["username"], req.form["password"]
	if username == "" || password == "" {
		return nil, NewError(ErrInvalidRequest, "the password grant needs username and password (RFC 6749 §4.3.2)")
	}
	ip := clientIP(req.r)
	if wait := s.throttle.blocked(req.client.ID, ip); wait > 0 {
		secs := int(wait.Seconds()) + 1
		return nil, &Error{Code: ErrTemporarilyUnavailable, Status: http.StatusTooManyRequests, RetryAfter: secs,
			Description: "too many failed password attempts; retry in " + strconv.Itoa(secs) + "s (RFC 6819 §5.2.3.3)"}
	}
	scope, e := clientScope(req.form["scope"], req.client)
	if e != nil {
		return nil, e
	}
	ctx := req.r.Context()
	user, err := s.store.Users().Get(ctx, username)
	known := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, s.storeError(err)
	}
	hash := s.dummyPasswordHash()
	if known {
		hash = user.PasswordHash
	}
	ok, verr := hashing.VerifyPassword(hash, password)
	if verr != nil && known {
		s.log.Error("stored password hash is unusable", "user", username, "err", verr)
	}
	if !known || !ok {
		s.throttle.fail(req.client.ID, ip)
		return nil, NewError(ErrInvalidGrant, "username or password is wrong (RFC 6749 §5.2)")
	}
	s.throttle.succeed(req.client.ID, ip)
	now := s.now()
	return s.issueForUser(ctx, grant{Client: req.client, Subject: user.Subject, Scope: scope, AuthTime: now, Now: now}, "")
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

// dummyPasswordHash is verified when the user is unknown, so an unknown user
// and a wrong password cost the same time (docs/security.md rule 15). It is the
// hash of a random string nobody knows, made on first use.
func (s *Server) dummyPasswordHash() string {
	s.dummyOnce.Do(func() {
		h, err := hashing.HashPassword(randomToken(24))
		if err != nil {
			s.log.Error("making the dummy password hash failed", "err", err)
		}
		s.dummyHash = h
	})
	return s.dummyHash
}
