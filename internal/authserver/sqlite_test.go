package authserver

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"

	"github.com/oauthkit/oauthkit/internal/oauth"
	"github.com/oauthkit/oauthkit/internal/store/sqlite"
)

// race fires n copies of a request at once and counts the statuses and
// error codes of the answers.
func (e *env) race(n int, build func() *http.Request) (statuses map[int]int, codes map[string]int, winners []resp) {
	e.t.Helper()
	reqs := make([]*http.Request, n)
	for i := range reqs {
		reqs[i] = build()
	}
	start := make(chan struct{})
	results := make([]resp, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range reqs {
		wg.Go(func() {
			<-start
			res, err := e.ts.Client().Do(reqs[i])
			if err != nil {
				errs[i] = err
				return
			}
			defer res.Body.Close()
			var buf bytes.Buffer
			_, errs[i] = buf.ReadFrom(res.Body)
			results[i] = resp{status: res.StatusCode, header: res.Header, body: buf.Bytes()}
		})
	}
	close(start)
	wg.Wait()
	statuses, codes = map[int]int{}, map[string]int{}
	for i, r := range results {
		if errs[i] != nil {
			e.t.Fatalf("request %d: %v", i, errs[i])
		}
		statuses[r.status]++
		if r.status == http.StatusOK {
			winners = append(winners, r)
		} else {
			code, _ := r.obj(e.t)["error"].(string)
			codes[code]++
		}
	}
	return statuses, codes, winners
}

// Rule 26: of 50 parallel refreshes with one token, or 50 parallel
// redemptions of one code, exactly one succeeds; the rest are invalid_grant;
// nothing is 5xx. Run against SQLite (the real store) and memory.
func TestParallelUse(t *testing.T) {
	const n = 50
	for _, backend := range []string{"sqlite", "memory"} {
		t.Run(backend+"/refresh", func(t *testing.T) {
			e := newEnv(t, backendOption(backend))
			tok := e.codeGrant(webID, webAuth)
			statuses, codes, winners := e.race(n, func() *http.Request {
				return e.postReq("/token", form("grant_type", GrantRefreshToken, "refresh_token", tok.refresh), webAuth)
			})
			if statuses[200] != 1 || statuses[400] != n-1 || codes[ErrInvalidGrant] != n-1 {
				t.Fatalf("statuses %v codes %v, want one 200 and %d invalid_grant", statuses, codes, n-1)
			}
			// A lost race keeps the grant: the winner's tokens work.
			won := e.mustTokens(winners[0])
			e.wantProtectedOK(won.access)
			e.wantProtectedOK(tok.access)
			e.mustTokens(e.refresh(won.refresh, webAuth))
		})
		t.Run(backend+"/code", func(t *testing.T) {
			e := newEnv(t, backendOption(backend))
			code, verifier := e.newCode(codeSpec{})
			statuses, codes, _ := e.race(n, func() *http.Request {
				return e.postReq("/token", form("grant_type", GrantAuthorizationCode, "code", code,
					"redirect_uri", testRedirect, "code_verifier", verifier), webAuth)
			})
			if statuses[200] != 1 || statuses[400] != n-1 || codes[ErrInvalidGrant] != n-1 {
				t.Fatalf("statuses %v codes %v, want one 200 and %d invalid_grant", statuses, codes, n-1)
			}
		})
	}
}

func backendOption(name string) envOption {
	if name == "sqlite" {
		return withSQLite()
	}
	return func(*envConfig) {}
}

// Rule 27: the store file (and its WAL) holds no issued token, code,
// verifier, client secret or password — only their hashes. Rule 28: both
// files are 0600.
func TestStoreFileHoldsNoSecrets(t *testing.T) {
	for _, format := range []oauth.TokenFormat{FormatOpaque, FormatJWT} {
		t.Run(string(format), func(t *testing.T) {
			e := newEnv(t, withSQLite(), withSettings(func(s *Settings) { s.Format = format }))
			secrets := map[string]string{"web secret": webSecret, "svc secret": svcSecret}
			const password = "hunter2-correct-horse"
			if format == FormatOpaque { // argon2id is slow under -race: once is enough
				e.setPassword("bob", "u-bob", password)
				secrets["password"] = password
			}

			code, verifier := e.newCode(codeSpec{})
			secrets["code"], secrets["verifier"] = code, verifier
			first := e.mustTokens(e.redeem(code, verifier, webAuth))
			second := e.mustTokens(e.refresh(first.refresh, webAuth))
			cc := e.mustTokens(e.post("/token", form("grant_type", GrantClientCredentials), svcAuth))
			issued := []tokens{first, second, cc}
			if format == FormatOpaque {
				issued = append(issued, e.mustTokens(e.post("/token",
					form("grant_type", GrantPassword, "username", "bob", "password", password), webAuth)))
			}
			for i, tok := range issued {
				secrets[fmt.Sprintf("access token %d", i)] = tok.access
				if tok.refresh != "" {
					secrets[fmt.Sprintf("refresh token %d", i)] = tok.refresh
				}
			}

			var data []byte
			for _, suffix := range []string{"", "-wal"} {
				b, err := os.ReadFile(e.dbPath + suffix)
				if err != nil && !(suffix == "-wal" && os.IsNotExist(err)) {
					t.Fatal(err)
				}
				data = append(data, b...)
				if fi, err := os.Stat(e.dbPath + suffix); err == nil && fi.Mode().Perm() != 0o600 {
					t.Errorf("%s has mode %v, want 0600 (rule 28)", fi.Name(), fi.Mode().Perm())
				}
			}
			// Control: the hashes are there, so the right bytes are searched.
			if !bytes.Contains(data, []byte(e.hasher.Hash(second.refresh))) || !bytes.Contains(data, []byte(e.hasher.Hash(webSecret))) {
				t.Fatal("the store file does not hold the hashes: wrong file?")
			}
			for name, v := range secrets {
				if bytes.Contains(data, []byte(v)) {
					t.Errorf("the store file contains the %s %q", name, v)
				}
			}
		})
	}
}

// Rule 29: a granted token is committed before the answer: a second,
// independent handle on the file (a restarted server, the first never
// closed, as after kill -9) honours the newest refresh token and refuses the
// rotated-out one.
func TestGrantsAreCommittedBeforeTheAnswer(t *testing.T) {
	e := newEnv(t, withSQLite())
	first := e.codeGrant(webID, webAuth)
	second := e.mustTokens(e.refresh(first.refresh, webAuth))

	db, err := sqlite.Open(context.Background(), e.dbPath, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	ks, err := NewKeySet(e.key)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(e.srv.Settings(), Options{Store: db, Hasher: e.hasher, Keys: ks, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	restarted := &env{t: t, srv: srv, ts: ts, store: newFlakyStore(db), hasher: e.hasher, key: e.key, clock: e.clock}

	restarted.wantProtectedOK(second.access)
	third := restarted.mustTokens(restarted.refresh(second.refresh, webAuth))
	wantError(t, restarted.refresh(first.refresh, webAuth), http.StatusBadRequest, ErrInvalidGrant)
	restarted.wantProtectedOK(third.access)
}
