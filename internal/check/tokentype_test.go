package check_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/oauthkit/oauthkit/internal/check"
)

// A token response without token_type fails token.token-type alone: flow's
// grants refuse such an answer (RFC 6749 §5.1), but check parses it with
// flow.ParseTokenResponse, which does not, so the other checks still get
// their token.
func TestPlantedNoTokenTypeFailsOneCheck(t *testing.T) {
	s := startServer(t, noTokenType)
	reports := runAll(t, s.config())
	if failed := ids(reports, check.Fail); !slices.Equal(failed, []string{"token.token-type"}) {
		t.Fatalf("failed: %q, want exactly [token.token-type]", failed)
	}
}

// noTokenType drops token_type from every successful token response.
func noTokenType(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isPath(r, http.MethodPost, "/token") {
			next.ServeHTTP(w, r)
			return
		}
		rec := serve(next, r)
		var m map[string]any
		if rec.status != http.StatusOK || json.Unmarshal(rec.body.Bytes(), &m) != nil {
			rec.send(w, rec.body.Bytes())
			return
		}
		delete(m, "token_type")
		b, err := json.Marshal(m)
		if err != nil {
			panic(err)
		}
		rec.send(w, b)
	})
}
