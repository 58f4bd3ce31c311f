package authserver

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/oauthkit/oauthkit/internal/store"
)

// An update racing a delete never brings the deleted client back: after a
// DELETE that answered 204 the client is gone, whatever the PUT answered
// (docs/security.md rule 108).
func TestRegistrationUpdateDoesNotResurrect(t *testing.T) {
	e := newEnv(t, withSettings(func(s *Settings) {
		s.Registration = RegistrationSettings{Mode: RegistrationOpen, RatePerMinute: 1000}
	}))
	send := func(method, url, bearer, body string) int {
		req, err := http.NewRequest(method, url, strings.NewReader(body))
		if err != nil {
			t.Error(err)
			return 0
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		res, err := e.ts.Client().Do(req)
		if err != nil {
			t.Error(err)
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	}
	for i := range 30 {
		req, _ := http.NewRequest(http.MethodPost, e.ts.URL+PathRegister, strings.NewReader(`{"grant_types":["client_credentials"]}`))
		req.Header.Set("Content-Type", "application/json")
		res, err := e.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var reg map[string]any
		if err := json.NewDecoder(res.Body).Decode(&reg); err != nil || res.StatusCode != http.StatusCreated {
			t.Fatalf("registration %d: %d %v", i, res.StatusCode, err)
		}
		res.Body.Close()
		id, tok := reg["client_id"].(string), reg["registration_access_token"].(string)
		uri := e.ts.URL + PathRegister + "/" + id
		var wg sync.WaitGroup
		var del, put int
		wg.Add(2)
		go func() { defer wg.Done(); del = send(http.MethodDelete, uri, tok, "") }()
		go func() {
			defer wg.Done()
			put = send(http.MethodPut, uri, tok, `{"client_id":"`+id+`","grant_types":["client_credentials"],"client_name":"x"}`)
		}()
		wg.Wait()
		if del != http.StatusNoContent {
			t.Fatalf("round %d: DELETE answered %d", i, del)
		}
		if put != http.StatusOK && put != http.StatusUnauthorized {
			t.Errorf("round %d: PUT answered %d, want 200 (before the delete) or 401 (after)", i, put)
		}
		if _, err := e.store.Clients().Get(e.ctx(), id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("round %d: the deleted client is in the store after a racing update (PUT %d): %v", i, put, err)
		}
	}
}
