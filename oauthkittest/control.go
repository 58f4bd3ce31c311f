package oauthkittest

import (
	"context"
	"time"

	"github.com/oauthkit/oauthkit/internal/authserver"
)

// The control operations of docs/control.md, as Go values. They are the
// server's own types: the HTTP control API (`oauthkit serve --control`)
// and `oauthkit ctl` take the same fields.
type (
	// Scope limits a queued behaviour to one client (ClientID, "" for any)
	// and a number of requests (Times: 0 means once, negative means every
	// matching request until Reset).
	Scope = authserver.Scope
	// Failure makes requests to an endpoint answer an OAuth error, a plain
	// HTTP status, or answer late (Delay).
	Failure = authserver.Failure
	// Tamper falsifies an answer, to test that the client notices.
	Tamper = authserver.Tamper
	// TamperKind names how an answer is falsified.
	TamperKind = authserver.TamperKind
	// ClaimsRule adds claims to a user's or client's tokens and userinfo.
	ClaimsRule = authserver.ClaimsRule
	// Revocation names the tokens Revoke revokes.
	Revocation = authserver.Revocation
	// RequestRecord is one request in the request log: never a secret, a
	// code or a token.
	RequestRecord = authserver.RequestRecord
	// RequestFilter selects request records; zero fields select all.
	RequestFilter = authserver.RequestFilter
	// KeyInfo describes a published signing key.
	KeyInfo = authserver.KeyInfo
	// State is what the control has queued and set.
	State = authserver.State
	// LoginState is a queued LoginAs, in State.
	LoginState = authserver.LoginState
)

// The endpoints a Failure names and the request log reports.
const (
	EndpointToken      = authserver.EndpointToken
	EndpointAuthorize  = authserver.EndpointAuthorize
	EndpointIntrospect = authserver.EndpointIntrospect
	EndpointRevoke     = authserver.EndpointRevoke
	EndpointUserinfo   = authserver.EndpointUserinfo
	EndpointJWKS       = authserver.EndpointJWKS
	EndpointDiscovery  = authserver.EndpointDiscovery
	// EndpointDeviceAuthorization is /device_authorization (RFC 8628).
	EndpointDeviceAuthorization = authserver.EndpointDeviceAuthorization
	// Only in the request log: a Failure cannot name them.
	EndpointProtected = authserver.EndpointProtected
	EndpointLogin     = authserver.EndpointLogin
	EndpointConsent   = authserver.EndpointConsent
	EndpointLogout    = authserver.EndpointLogout
	EndpointOther     = authserver.EndpointOther
)

// The tamper kinds (docs/control.md).
const (
	TamperIss           = authserver.TamperIss
	TamperState         = authserver.TamperState
	TamperNonce         = authserver.TamperNonce
	TamperAud           = authserver.TamperAud
	TamperAtHash        = authserver.TamperAtHash
	TamperExpired       = authserver.TamperExpired
	TamperSignature     = authserver.TamperSignature
	TamperMalformedJSON = authserver.TamperMalformedJSON
	TamperNoTokenType   = authserver.TamperNoTokenType
)

// Fail queues a failure: the next f.Times requests to f.Endpoint (of
// f.ClientID, when set) answer f.Error with f.Status (the RFC's status
// when 0), or a plain f.Status without an OAuth body, after f.Delay.
func (s *Server) Fail(f Failure) {
	s.tb.Helper()
	if err := s.srv.Control().Fail(f); err != nil {
		s.fatalf("Fail: %v", err)
	}
}

// Tamper queues a falsified answer of kind t.Kind.
func (s *Server) Tamper(t Tamper) {
	s.tb.Helper()
	if err := s.srv.Control().Tamper(t); err != nil {
		s.fatalf("Tamper: %v", err)
	}
}

// LoginAs makes the next authorization request (at most one Scope: of a
// client, several times) be approved for user without login or consent
// pages.
func (s *Server) LoginAs(user string, scope ...Scope) {
	s.tb.Helper()
	var sc Scope
	switch len(scope) {
	case 0:
	case 1:
		sc = scope[0]
	default:
		s.fatalf("LoginAs: give at most one Scope")
		return
	}
	if err := s.srv.Control().LoginAs(context.Background(), user, sc); err != nil {
		s.fatalf("LoginAs: %v", err)
	}
}

// SetClaims adds claims to the tokens and userinfo answers that r names,
// until Reset.
func (s *Server) SetClaims(r ClaimsRule) {
	s.tb.Helper()
	if err := s.srv.Control().SetClaims(context.Background(), r); err != nil {
		s.fatalf("SetClaims: %v", err)
	}
}

// SetSkew moves the server's clock by d from its base clock (negative:
// back); 0 puts it back. Issued times and expiry checks both follow.
func (s *Server) SetSkew(d time.Duration) {
	s.tb.Helper()
	if err := s.srv.Control().SetSkew(d); err != nil {
		s.fatalf("SetSkew: %v", err)
	}
}

// AdvanceClock adds d to the skew.
func (s *Server) AdvanceClock(d time.Duration) { s.tb.Helper(); s.SetSkew(s.Skew() + d) }

// Skew is the clock's current skew.
func (s *Server) Skew() time.Duration { return s.srv.Control().Skew() }

// RotateKeys makes a fresh key the signing key ("" or an RSA algorithm:
// RSA 2048; ES256, ES384, ES512: EC; EdDSA: Ed25519); the keys before stay
// published until RetireKey.
func (s *Server) RotateKeys(alg string) KeyInfo {
	s.tb.Helper()
	k, err := s.srv.Control().RotateKeys(alg)
	if err != nil {
		s.fatalf("RotateKeys: %v", err)
	}
	return k
}

// RetireKey stops publishing a key: tokens it signed no longer verify.
func (s *Server) RetireKey(kid string) {
	s.tb.Helper()
	if err := s.srv.Control().RetireKey(kid); err != nil {
		s.fatalf("RetireKey: %v", err)
	}
}

// Keys lists the published keys, oldest first.
func (s *Server) Keys() []KeyInfo { return s.srv.Keys().Keys() }

// Revoke revokes the tokens issued until now: all (r.All), or a client's
// and/or a user's. It returns the revocation with its time.
func (s *Server) Revoke(r Revocation) Revocation {
	s.tb.Helper()
	out, err := s.srv.Control().Revoke(context.Background(), r)
	if err != nil {
		s.fatalf("Revoke: %v", err)
	}
	return out
}

// Requests returns the request log's records that f selects, oldest
// first. The log keeps the last 10000 requests, without /healthz.
func (s *Server) Requests(f RequestFilter) []RequestRecord { return s.srv.Control().Requests(f) }

// ClearRequests empties the request log.
func (s *Server) ClearRequests() { s.srv.Control().ClearRequests() }

// Reset drops every queued failure, tamper and login, the extra claims,
// the skew and the request log. Keys and revocations stay.
func (s *Server) Reset() { s.srv.Control().Reset() }

// State returns what the control has queued and set.
func (s *Server) State() State { return s.srv.Control().State() }
