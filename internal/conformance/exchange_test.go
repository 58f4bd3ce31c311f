package conformance

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// Rules 83–87: token exchange (RFC 8693).

const (
	tokenExchangeGrant = "urn:ietf:params:oauth:grant-type:token-exchange"
	ttAccessToken      = "urn:ietf:params:oauth:token-type:access_token"
	ttRefreshToken     = "urn:ietf:params:oauth:token-type:refresh_token"
	ttIDToken          = "urn:ietf:params:oauth:token-type:id_token"
	ttJWT              = "urn:ietf:params:oauth:token-type:jwt"
	apiB               = "https://api-b.example.test"
)

// exchangeConfig: gateway may exchange for api-b only; worker acts (the
// full URN in grant_types); plain may not exchange at all.
const exchangeConfig = `
scopes: {read: Read your data, write: Change your data}
clients:
  - id: gateway
    secret: gateway-s3cret
    grant_types: [authorization_code, client_credentials, password, token_exchange]
    redirect_uris: [https://gateway.example.test/cb]
    auto_approve: true
    scopes: [openid, profile, read, write]
    token_exchange:
      audiences: [https://api-b.example.test]
  - id: worker
    secret: worker-s3cret
    grant_types: [client_credentials, "urn:ietf:params:oauth:grant-type:token-exchange"]
    scopes: [read]
    token_exchange:
      audiences: [https://api-b.example.test]
  - id: plain
    secret: plain-s3cret
    grant_types: [client_credentials]
    scopes: [read]
users:
  - username: alice
    password: wonderland-pw
`

var (
	asGateway = basicAuth("gateway", "gateway-s3cret")
	asWorker  = basicAuth("worker", "worker-s3cret")
	asPlain   = basicAuth("plain", "plain-s3cret")
)

func (s *server) exchange(t *testing.T, as auth, kv ...string) answer {
	t.Helper()
	f := url.Values{"grant_type": {tokenExchangeGrant}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return s.token(t, as, f)
}

// userToken is alice's token for gateway (password grant) with scope.
func (s *server) userToken(t *testing.T, scope string) answer {
	t.Helper()
	return mustTokens(t, s.token(t, asGateway, url.Values{"grant_type": {"password"}, "username": {userName},
		"password": {userPassword}, "scope": {scope}}), "password grant")
}

// gatewayIDToken is alice's ID token for gateway (code flow, auto-approved).
func (s *server) gatewayIDToken(t *testing.T) string {
	t.Helper()
	g := s.getCode(t, "gateway", "https://gateway.example.test/cb", "openid", false)
	idt := mustTokens(t, s.redeem(t, asGateway, g), "code redemption").str("id_token")
	if idt == "" {
		t.Fatal("no ID token for scope openid")
	}
	return idt
}

// The happy path every refusal below departs from: a narrower token for
// api-b, with issued_token_type, the subject's sub and the exchanging
// client; the new token is recorded (introspection sees the subject's
// user) only through its own audience.
func TestRule83_ExchangeIssuesNarrowerTokenForAllowedAudience(t *testing.T) {
	s := startServer(t, exchangeConfig)
	subject := s.userToken(t, "openid read write")
	a := mustTokens(t, s.exchange(t, asGateway, "subject_token", subject.str("access_token"), "subject_token_type", ttAccessToken,
		"audience", apiB, "scope", "read"), "exchange")
	if a.str("issued_token_type") != ttAccessToken || a.str("token_type") != "Bearer" || a.str("scope") != "read" || a.str("refresh_token") != "" {
		t.Errorf("exchange answer %s: want issued_token_type access_token, Bearer, scope read, no refresh token", a)
	}
	wantNoStore(t, a)
	_, claims := jwtParts(t, a.str("access_token"))
	if claims["sub"] != "alice" || claims["aud"] != apiB || claims["client_id"] != "gateway" || claims["scope"] != "read" || claims["act"] != nil {
		t.Errorf("exchanged token claims %v: want sub alice, aud %s, client_id gateway, scope read, no act", claims, apiB)
	}
	// requested_token_type jwt is the same JWT access token, typed jwt.
	j := mustTokens(t, s.exchange(t, asGateway, "subject_token", subject.str("access_token"), "subject_token_type", ttAccessToken,
		"requested_token_type", ttJWT), "exchange for a jwt")
	if j.str("issued_token_type") != ttJWT || j.str("scope") != "openid read write" {
		t.Errorf("jwt exchange: %s", j)
	}
}

// Rule 83: only this server's live tokens are exchanged.
func TestRule83_ExchangeRefusesTokensNotLiveOrNotOurs(t *testing.T) {
	s := startServer(t, exchangeConfig)
	subject := s.userToken(t, "read")
	at := subject.str("access_token")

	t.Run("foreign JWT from an untrusted issuer", func(t *testing.T) {
		key := mustKey(t)
		now := time.Now().Unix()
		foreign := signRS256(t, key, map[string]any{"alg": "RS256", "typ": "at+jwt", "kid": "foreign"},
			map[string]any{"iss": s.url, "sub": "alice", "aud": "oauthkit", "client_id": "gateway", "scope": "read", "iat": now, "exp": now + 600, "jti": "x"})
		for _, typ := range []string{ttAccessToken, ttJWT} {
			a := s.exchange(t, asGateway, "subject_token", foreign, "subject_token_type", typ)
			wantTokenError(t, a, http.StatusBadRequest, "invalid_grant")
			wantDescription(t, a, "subject_token is not", "RFC 8693 section 2.2.2", "docs/security.md rule 83")
		}
	})
	t.Run("tampered signature", func(t *testing.T) {
		a := s.exchange(t, asGateway, "subject_token", tamper(at), "subject_token_type", ttAccessToken)
		wantTokenError(t, a, http.StatusBadRequest, "invalid_grant")
	})
	t.Run("refresh token as subject", func(t *testing.T) {
		a := s.exchange(t, asGateway, "subject_token", "anything", "subject_token_type", ttRefreshToken)
		wantTokenError(t, a, http.StatusBadRequest, "invalid_request")
		wantDescription(t, a, "rule 83")
	})
	t.Run("unknown token type", func(t *testing.T) {
		a := s.exchange(t, asGateway, "subject_token", at, "subject_token_type", "urn:example:saml")
		wantTokenError(t, a, http.StatusBadRequest, "invalid_request")
		wantDescription(t, a, "RFC 8693 section 3")
	})
	t.Run("missing subject_token_type", func(t *testing.T) {
		a := s.exchange(t, asGateway, "subject_token", at)
		wantTokenError(t, a, http.StatusBadRequest, "invalid_request")
		wantDescription(t, a, "RFC 8693 section 2.1")
	})
	t.Run("subject_token in the query", func(t *testing.T) {
		a := s.postRaw(t, "/token?subject_token="+url.QueryEscape(at), http.Header{
			"Content-Type": {"application/x-www-form-urlencoded"}, "Authorization": {formEncodedBasic("gateway", "gateway-s3cret")}},
			"grant_type="+url.QueryEscape(tokenExchangeGrant)+"&subject_token_type="+url.QueryEscape(ttAccessToken))
		wantTokenError(t, a, http.StatusBadRequest, "invalid_request")
	})
	t.Run("a client not registered for the grant", func(t *testing.T) {
		a := s.exchange(t, asPlain, "subject_token", at, "subject_token_type", ttAccessToken)
		wantTokenError(t, a, http.StatusBadRequest, "unauthorized_client")
	})
	t.Run("revoked", func(t *testing.T) {
		other := s.userToken(t, "read")
		if r := s.post(t, "/revoke", asGateway, url.Values{"token": {other.str("access_token")}}); r.Status != http.StatusOK {
			t.Fatalf("revoke: %s", r)
		}
		a := s.exchange(t, asGateway, "subject_token", other.str("access_token"), "subject_token_type", ttAccessToken)
		wantTokenError(t, a, http.StatusBadRequest, "invalid_grant")
		wantDescription(t, a, "not a live access token", "rule 83")
	})
	t.Run("ID token of another client", func(t *testing.T) {
		idt := s.gatewayIDToken(t)
		a := s.exchange(t, asWorker, "subject_token", idt, "subject_token_type", ttIDToken)
		wantTokenError(t, a, http.StatusBadRequest, "invalid_grant")
		wantDescription(t, a, "not a live ID token issued to client worker")
		// Its own client may: the user's token, with no scope.
		ok := mustTokens(t, s.exchange(t, asGateway, "subject_token", idt, "subject_token_type", ttIDToken), "own ID token")
		if _, c := jwtParts(t, ok.str("access_token")); c["sub"] != "alice" || c["scope"] != nil {
			t.Errorf("exchanged ID token: claims %v; want sub alice and no scope", c)
		}
	})
}

// Rule 83: an expired subject token is refused.
func TestRule83_ExchangeRefusesExpiredSubjectToken(t *testing.T) {
	s := startServer(t, exchangeConfig+"tokens:\n  access_token_ttl: 1s\n")
	at := s.userToken(t, "read").str("access_token")
	time.Sleep(1500 * time.Millisecond)
	a := s.exchange(t, asGateway, "subject_token", at, "subject_token_type", ttAccessToken)
	wantTokenError(t, a, http.StatusBadRequest, "invalid_grant")
	wantDescription(t, a, "not a live access token (expired, revoked, or not issued by this server)")
}

// Rule 84: audience and resource only from the client's list.
func TestRule84_ExchangeAudienceNotAllowedIsInvalidTarget(t *testing.T) {
	s := startServer(t, exchangeConfig)
	at := s.userToken(t, "read").str("access_token")
	for _, param := range []string{"audience", "resource"} {
		a := s.exchange(t, asGateway, "subject_token", at, "subject_token_type", ttAccessToken, param, "https://evil.example.test")
		wantTokenError(t, a, http.StatusBadRequest, "invalid_target")
		wantDescription(t, a, "client gateway may not exchange tokens for 'https://evil.example.test'; allowed: "+apiB, "docs/security.md rule 84")
	}
	ok := mustTokens(t, s.exchange(t, asGateway, "subject_token", at, "subject_token_type", ttAccessToken, "resource", apiB), "allowed resource")
	if _, c := jwtParts(t, ok.str("access_token")); c["aud"] != apiB {
		t.Errorf("aud %v, want %s", c["aud"], apiB)
	}
}

// Rule 85: the scope is never wider than the subject token's.
func TestRule85_ExchangeScopeWideningIsInvalidScope(t *testing.T) {
	s := startServer(t, exchangeConfig)
	at := s.userToken(t, "read").str("access_token")
	a := s.exchange(t, asGateway, "subject_token", at, "subject_token_type", ttAccessToken, "scope", "read write")
	wantTokenError(t, a, http.StatusBadRequest, "invalid_scope")
	wantDescription(t, a, "scope 'write' is wider than subject_token's scope 'read'", "docs/security.md rule 85")
	idt := s.gatewayIDToken(t)
	a = s.exchange(t, asGateway, "subject_token", idt, "subject_token_type", ttIDToken, "scope", "read")
	wantTokenError(t, a, http.StatusBadRequest, "invalid_scope")
	wantDescription(t, a, "an ID token grants no scope")
}

// Rule 86: the actor becomes act; a delegated subject token nests its
// act, so the chain keeps every prior actor (RFC 8693 §4.1).
func TestRule86_ExchangeActorNesting(t *testing.T) {
	s := startServer(t, exchangeConfig)
	user := s.userToken(t, "read").str("access_token")
	gatewayTok := mustTokens(t, s.token(t, asGateway, url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}), "gateway token").str("access_token")
	workerTok := mustTokens(t, s.token(t, asWorker, url.Values{"grant_type": {"client_credentials"}}), "worker token").str("access_token")

	first := mustTokens(t, s.exchange(t, asGateway, "subject_token", user, "subject_token_type", ttAccessToken,
		"actor_token", gatewayTok, "actor_token_type", ttAccessToken), "gateway acts for alice")
	_, c1 := jwtParts(t, first.str("access_token"))
	if act, _ := c1["act"].(map[string]any); c1["sub"] != "alice" || act == nil || act["sub"] != "gateway" || act["act"] != nil {
		t.Fatalf("first exchange claims %v: want sub alice, act {sub: gateway}", c1)
	}
	second := mustTokens(t, s.exchange(t, asWorker, "subject_token", first.str("access_token"), "subject_token_type", ttAccessToken,
		"actor_token", workerTok, "actor_token_type", ttJWT, "audience", apiB), "worker acts next")
	_, c2 := jwtParts(t, second.str("access_token"))
	act, _ := c2["act"].(map[string]any)
	prior, _ := act["act"].(map[string]any)
	if c2["sub"] != "alice" || act["sub"] != "worker" || prior == nil || prior["sub"] != "gateway" || c2["aud"] != apiB {
		t.Errorf("second exchange claims %v: want sub alice, act {sub: worker, act: {sub: gateway}}, aud %s", c2, apiB)
	}
	// Without an actor token the delegation stays what it was.
	third := mustTokens(t, s.exchange(t, asGateway, "subject_token", first.str("access_token"), "subject_token_type", ttAccessToken), "narrowing a delegated token")
	if _, c3 := jwtParts(t, third.str("access_token")); c3["act"] == nil {
		t.Errorf("re-exchanging a delegated token dropped its act: %v", c3)
	}

	a := s.exchange(t, asGateway, "subject_token", user, "subject_token_type", ttAccessToken, "actor_token", gatewayTok)
	wantTokenError(t, a, http.StatusBadRequest, "invalid_request")
	wantDescription(t, a, "actor_token and actor_token_type go together")
	a = s.exchange(t, asGateway, "subject_token", user, "subject_token_type", ttAccessToken, "actor_token", "not-a-token", "actor_token_type", ttAccessToken)
	wantTokenError(t, a, http.StatusBadRequest, "invalid_grant")
	wantDescription(t, a, "actor_token is not a live access token")
}

// Rule 87: a token exchange never issues a refresh token; an ID token
// comes as token_type N_A.
func TestRule87_ExchangeRequestedTokenTypes(t *testing.T) {
	s := startServer(t, exchangeConfig)
	at := s.userToken(t, "openid read").str("access_token")
	a := s.exchange(t, asGateway, "subject_token", at, "subject_token_type", ttAccessToken, "requested_token_type", ttRefreshToken)
	wantTokenError(t, a, http.StatusBadRequest, "invalid_request")
	wantDescription(t, a, "never issues a refresh token", "docs/security.md rule 87")
	a = s.exchange(t, asGateway, "subject_token", at, "subject_token_type", ttAccessToken, "requested_token_type", "urn:example:other")
	wantTokenError(t, a, http.StatusBadRequest, "invalid_request")

	idt := mustTokens(t, s.exchange(t, asGateway, "subject_token", at, "subject_token_type", ttAccessToken, "requested_token_type", ttIDToken), "exchange for an ID token")
	if idt.str("issued_token_type") != ttIDToken || idt.str("token_type") != "N_A" || idt.str("refresh_token") != "" {
		t.Errorf("ID token exchange: %s; want issued_token_type id_token and token_type N_A", idt)
	}
	h, c := jwtParts(t, idt.str("access_token"))
	if h["typ"] != "JWT" || c["sub"] != "alice" || c["aud"] != "gateway" {
		t.Errorf("issued ID token header %v claims %v: want typ JWT, sub alice, aud gateway", h, c)
	}
	// A client's own token has no user: no ID token for it.
	cc := mustTokens(t, s.token(t, asGateway, url.Values{"grant_type": {"client_credentials"}}), "client token").str("access_token")
	a = s.exchange(t, asGateway, "subject_token", cc, "subject_token_type", ttAccessToken, "requested_token_type", ttIDToken)
	wantTokenError(t, a, http.StatusBadRequest, "invalid_grant")
}
