package conformance

import (
	"net/http"
	"testing"
)

// Rules of the second review (issue 13) about codes and tokens.

// TestRule49_CodeReplayByAnotherClient: a used code replayed by another
// client is invalid_grant and revokes nothing; replayed by its own client
// it revokes the grant (RFC 6749 §4.1.3, rule 9).
func TestRule49_CodeReplayByAnotherClient(t *testing.T) {
	s := shared(t)
	g := s.getCode(t, basicID, appCB, "read", false)
	tok := mustTokens(t, s.redeem(t, asBasic, g), "redeem")
	wantTokenError(t, s.redeem(t, asOther, g), http.StatusBadRequest, "invalid_grant")
	for _, k := range []string{"access_token", "refresh_token"} {
		if !s.active(t, tok.str(k)) {
			t.Errorf("%s inactive after another client replayed the code", k)
		}
	}
	wantTokenError(t, s.redeem(t, asBasic, g), http.StatusBadRequest, "invalid_grant")
	for _, k := range []string{"access_token", "refresh_token"} {
		if s.active(t, tok.str(k)) {
			t.Errorf("%s active after its own client replayed the code", k)
		}
	}
}
