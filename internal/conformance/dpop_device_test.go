package conformance

import (
	"net/http"
	"net/url"
	"testing"
)

// dpopDeviceConfig: an auto-approved public device client that may
// refresh, and a confidential one.
const dpopDeviceConfig = `
scopes: {read: Read your data}
clients:
  - id: dpop-tv
    grant_types: [device_code, refresh_token]
    scopes: [read]
    auto_approve: true
  - id: dpop-box
    secret: dpop-box-s3cret-0123456789
    grant_types: [device_code, refresh_token]
    scopes: [read]
    auto_approve: true
users:
  - username: alice
    password: wonderland-pw
`

// Rules 90 and 92 for the device grant (RFC 9449 §5): a poll with a proof
// gets a DPoP access token bound to the key, and a public client's refresh
// token is bound to it too; a confidential client's is not.
func TestRule92_DPoPDeviceCodeBindsRefreshToken(t *testing.T) {
	s := startServer(t, dpopDeviceConfig)
	k := dpopKey(t)
	tv := publicAuth("dpop-tv")
	poll := url.Values{"grant_type": {deviceGrant}, "device_code": {startDevice(t, s, tv, nil).str("device_code")}}
	a := mustTokens(t, s.tokenWithProof(t, tv, poll, s.proofFor(t, k, http.MethodPost, "/token", "", "", 0)), "dpop device poll")
	if a.str("token_type") != "DPoP" {
		t.Errorf("token_type %q, want DPoP (RFC 9449 §5.1)", a.str("token_type"))
	}
	_, claims := jwtParts(t, a.str("access_token"))
	if cnf, _ := claims["cnf"].(map[string]any); cnf["jkt"] != jktOf(t, k) {
		t.Errorf("cnf %v, want jkt %s (RFC 9449 §6.1)", claims["cnf"], jktOf(t, k))
	}
	rt := a.str("refresh_token")
	if rt == "" {
		t.Fatal("no refresh token")
	}
	rf := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
	wantDPoPError(t, s.tokenWithProof(t, tv, rf), http.StatusBadRequest, "invalid_dpop_proof", "refresh token is bound to a DPoP key")
	wantDPoPError(t, s.tokenWithProof(t, tv, rf, s.proofFor(t, dpopKey(t), http.MethodPost, "/token", "", "", 0)), http.StatusBadRequest, "invalid_grant", "another DPoP key")
	next := mustTokens(t, s.tokenWithProof(t, tv, rf, s.proofFor(t, k, http.MethodPost, "/token", "", "", 0)), "refresh with the key")
	if next.str("token_type") != "DPoP" {
		t.Errorf("token_type %q, want DPoP", next.str("token_type"))
	}

	// A confidential client's refresh token is bound to its authentication,
	// not to the key.
	box := basicAuth("dpop-box", "dpop-box-s3cret-0123456789")
	bpoll := url.Values{"grant_type": {deviceGrant}, "device_code": {startDevice(t, s, box, nil).str("device_code")}}
	b := mustTokens(t, s.tokenWithProof(t, box, bpoll, s.proofFor(t, k, http.MethodPost, "/token", "", "", 0)), "confidential dpop device poll")
	if b.str("token_type") != "DPoP" {
		t.Errorf("confidential: token_type %q, want DPoP", b.str("token_type"))
	}
	mustTokens(t, s.refresh(t, box, b.str("refresh_token")), "confidential refresh without a proof")

	// Without a proof the poll's tokens are Bearer and unbound.
	p := mustTokens(t, pollDevice(t, s, tv, startDevice(t, s, tv, nil).str("device_code")), "bearer device poll")
	if _, c := jwtParts(t, p.str("access_token")); p.str("token_type") != "Bearer" || c["cnf"] != nil {
		t.Errorf("a poll without a proof got token_type %q, cnf %v", p.str("token_type"), c["cnf"])
	}
	mustTokens(t, s.refresh(t, tv, p.str("refresh_token")), "unbound refresh without a proof")
}
