package authserver

import (
	"net/http"
	"testing"
)

// docs/security.md rule 49 (issue 13 item 11): a used code replayed by
// another client is refused and revokes nothing; replayed by its own
// client it revokes the grant (rule 9).
func TestCodeReplayByAnotherClientRevokesNothing(t *testing.T) {
	e := newEnv(t)
	code, verifier := e.newCode(codeSpec{client: webID})
	tok := e.mustTokens(e.redeem(code, verifier, webAuth))
	r := e.redeem(code, verifier, svcAuth)
	wantError(t, r, http.StatusBadRequest, ErrInvalidGrant)
	if got := r.str(t, "error_description"); got != "authorization code was issued to another client (RFC 6749 section 4.1.3)" {
		t.Errorf("error_description %q", got)
	}
	e.wantActive(tok.access)
	e.wantActive(tok.refresh)
	wantError(t, e.redeem(code, verifier, webAuth), http.StatusBadRequest, ErrInvalidGrant)
	e.wantInactive(tok.access)
	e.wantInactive(tok.refresh)
}

// A code refused after its redemption (wrong PKCE verifier) leaves no
// working grant behind, and a retry with the right verifier is a replay.
func TestRefusedCodeLeavesNoGrant(t *testing.T) {
	e := newEnv(t)
	code, verifier := e.newCode(codeSpec{client: webID})
	wantError(t, e.redeem(code, "wrong-verifier-wrong-verifier-wrong-verifier-00", webAuth), http.StatusBadRequest, ErrInvalidGrant)
	wantError(t, e.redeem(code, verifier, webAuth), http.StatusBadRequest, ErrInvalidGrant)
}
