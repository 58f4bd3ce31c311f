package authserver

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/store"
)

// Control calls and token traffic at once, on one server (run with -race):
// every answer must be a well-formed OAuth answer — a token, an
// introspection, a key set, or an error that was queued (or that the
// queued state explains: a refresh token revoked by the control). No 5xx
// but the queued ones, no data race, and afterwards Reset brings back
// the configured behaviour.

// Iterations, not durations: the test asserts answers, not speed.
const (
	raceWorkers  = 4
	raceRequests = 60 // per worker
)

// The queued 5xx answers: an OAuth error and a plain status.
const (
	raceQueuedCode   = ErrTemporarilyUnavailable
	raceQueuedStatus = http.StatusBadGateway
	raceJWKSCode     = "slow_down" // any code: the JWKS endpoint has none of its own
)

// raceAnswer is one answer as a client saw it.
type raceAnswer struct {
	status int
	ctype  string
	body   []byte
}

func (a raceAnswer) String() string {
	return fmt.Sprintf("HTTP %d %s %.200q", a.status, a.ctype, a.body)
}

// raceDo sends a request; it never calls t.Fatal (it runs in goroutines).
func raceDo(c *http.Client, req *http.Request) (raceAnswer, error) {
	res, err := c.Do(req)
	if err != nil {
		return raceAnswer{}, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return raceAnswer{status: res.StatusCode, ctype: res.Header.Get("Content-Type"), body: body}, err
}

// racePost posts a form as web (client_secret_basic) or svc
// (client_secret_post).
func racePost(base, path string, f url.Values, id, secret string) *http.Request {
	if id == svcID {
		f.Set("client_id", id)
		f.Set("client_secret", secret)
	}
	req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != svcID {
		req.SetBasicAuth(id, secret)
	}
	return req
}

// raceQueued reports whether a is the failure the control goroutine
// queues for the endpoint.
func raceQueued(ep string, a raceAnswer) bool {
	if ep == EndpointIntrospect {
		return a.status == raceQueuedStatus &&
			string(a.body) == fmt.Sprintf("oauthkit: HTTP %d injected by the control API\n", raceQueuedStatus)
	}
	var m map[string]any
	if json.Unmarshal(a.body, &m) != nil {
		return false
	}
	switch ep {
	case EndpointToken:
		return a.status == http.StatusServiceUnavailable && m["error"] == raceQueuedCode
	case EndpointJWKS:
		return a.status == http.StatusBadRequest && m["error"] == raceJWKSCode
	}
	return false
}

// raceSeen counts the answers that only the control explains.
type raceSeen struct {
	queued, tampered atomic.Int64
}

// checkToken classifies a token endpoint answer: the access and refresh
// tokens of a success, or an error when the answer is not acceptable.
// revokedOK allows invalid_grant (a refresh token the control revoked or a
// rotation a tampered answer lost).
func (seen *raceSeen) checkToken(a raceAnswer, revokedOK bool) (access, refresh string, err error) {
	if raceQueued(EndpointToken, a) {
		seen.queued.Add(1)
		return "", "", nil
	}
	if a.status == http.StatusOK && string(a.body) == `{"access_token":"` { // tamper malformed_json
		seen.tampered.Add(1)
		return "", "", nil
	}
	var m map[string]any
	if e := json.Unmarshal(a.body, &m); e != nil || !strings.HasPrefix(a.ctype, "application/json") {
		return "", "", fmt.Errorf("token endpoint: not a JSON answer: %v", a)
	}
	if a.status == http.StatusBadRequest && m["error"] == ErrInvalidGrant && revokedOK {
		return "", "", nil
	}
	at, _ := m["access_token"].(string)
	tt, hasType := m["token_type"]
	if a.status != http.StatusOK || at == "" || (hasType && tt != "Bearer") {
		return "", "", fmt.Errorf("token endpoint: %v", a)
	}
	if !hasType {
		seen.tampered.Add(1) // tamper no_token_type
	}
	rt, _ := m["refresh_token"].(string)
	return at, rt, nil
}

func TestControlRaceWithTraffic(t *testing.T) {
	e := newEnv(t, withRequestLog())
	c := e.srv.Control()
	base := e.ts.URL
	hc := e.ts.Client()

	var failures []string
	var mu sync.Mutex
	report := func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) < 20 {
			failures = append(failures, fmt.Sprintf(format, a...))
		}
	}
	var answers atomic.Int64
	var seen raceSeen
	// queued before the traffic starts, so that they surely meet it: the
	// control goroutine starts once the traffic is under way
	mustFail(t, c, Failure{Endpoint: EndpointToken, Error: raceQueuedCode, Scope: Scope{Times: 3}})
	mustTamper(t, c, Tamper{Kind: TamperNoTokenType, Scope: Scope{Times: 2}})
	mustTamper(t, c, Tamper{Kind: TamperMalformedJSON})

	// a code grant of web for alice; the code goes in through the store
	newGrant := func() (string, error) {
		code, verifier := randomToken(32), randomToken(48)
		now := e.srv.Now()
		err := e.store.Codes().Create(e.ctx(), store.Code{Hash: e.hasher.Hash(code), ClientID: webID, RedirectURI: testRedirect,
			Scope: "read", Subject: aliceSub, CodeChallenge: pkceChallenge(verifier), ChallengeMethod: "S256",
			AuthTime: now, ExpiresAt: now.Add(time.Minute)})
		if err != nil {
			return "", err
		}
		a, err := raceDo(hc, racePost(base, "/token", url.Values{"grant_type": {GrantAuthorizationCode}, "code": {code},
			"redirect_uri": {testRedirect}, "code_verifier": {verifier}}, webID, webSecret))
		if err != nil {
			return "", err
		}
		_, rt, err := seen.checkToken(a, true)
		return rt, err
	}

	stop := make(chan struct{})
	var traffic, control sync.WaitGroup
	for w := range raceWorkers {
		traffic.Go(func() {
			var rt, lastAT string
			for i := range raceRequests {
				var a raceAnswer
				var err error
				switch (w + i) % 4 {
				case 0: // client_credentials
					id, secret := webID, webSecret
					if i%2 == 1 {
						id, secret = svcID, svcSecret
					}
					req := racePost(base, "/token", url.Values{"grant_type": {GrantClientCredentials}}, id, secret)
					if a, err = raceDo(hc, req); err == nil {
						var at string
						if at, _, err = seen.checkToken(a, false); at != "" {
							lastAT = at
						}
					}
				case 1: // refresh, starting a grant when there is none
					if rt == "" {
						rt, err = newGrant()
						break
					}
					req := racePost(base, "/token", url.Values{"grant_type": {GrantRefreshToken}, "refresh_token": {rt}}, webID, webSecret)
					if a, err = raceDo(hc, req); err == nil {
						_, rt, err = seen.checkToken(a, true)
					}
				case 2: // introspection
					if lastAT == "" {
						continue
					}
					a, err = raceDo(hc, racePost(base, "/introspect", url.Values{"token": {lastAT}}, svcID, svcSecret))
					if err == nil && !raceQueued(EndpointIntrospect, a) && (a.status != http.StatusOK || !hasActive(a.body)) {
						err = fmt.Errorf("introspect: %v", a)
					}
				case 3: // JWKS
					req, _ := http.NewRequest(http.MethodGet, base+"/jwks.json", nil)
					if a, err = raceDo(hc, req); err == nil && !raceQueued(EndpointJWKS, a) {
						var set struct {
							Keys []map[string]any `json:"keys"`
						}
						if a.status != http.StatusOK || json.Unmarshal(a.body, &set) != nil || len(set.Keys) == 0 {
							err = fmt.Errorf("jwks: %v", a)
						}
					}
				}
				answers.Add(1)
				if err != nil {
					report("worker %d request %d: %v", w, i, err)
				}
			}
		})
	}

	// the control goroutine: every operation, over and over, until the
	// traffic is done
	control.Go(func() {
		ctx := t.Context()
		for answers.Load() < 20 {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
		var rotated []string
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			var err error
			switch i % 12 {
			case 0:
				err = c.Fail(Failure{Endpoint: EndpointToken, Error: raceQueuedCode, Scope: Scope{Times: 2}})
			case 1:
				err = c.Fail(Failure{Endpoint: EndpointIntrospect, Status: raceQueuedStatus, Scope: Scope{ClientID: svcID}})
			case 2:
				err = c.Fail(Failure{Endpoint: EndpointJWKS, Error: raceJWKSCode})
			case 3:
				err = c.Tamper(Tamper{Kind: []TamperKind{TamperNoTokenType, TamperMalformedJSON, TamperSignature}[i/12%3]})
			case 4:
				err = c.SetClaims(ctx, ClaimsRule{User: "alice", Claims: map[string]any{"round": i}})
			case 5:
				err = c.SetSkew(time.Duration(i%3) * time.Second)
			case 6:
				var k KeyInfo
				if k, err = c.RotateKeys("ES256"); err == nil {
					rotated = append(rotated, k.KID)
				}
			case 7:
				if len(rotated) > 1 {
					err = c.RetireKey(rotated[0])
					rotated = rotated[1:]
				}
			case 8:
				_, err = c.Revoke(ctx, Revocation{ClientID: webID})
			case 9:
				_ = c.Requests(RequestFilter{Endpoint: EndpointToken, Limit: 5})
				_ = c.State()
			case 10:
				c.ClearRequests()
			case 11:
				if i%24 == 23 {
					c.Reset()
				}
			}
			if err != nil {
				report("control %d: %v", i, err)
			}
			time.Sleep(time.Millisecond)
		}
	})
	traffic.Wait()
	close(stop)
	control.Wait()

	for _, f := range failures {
		t.Error(f)
	}
	if answers.Load() < raceWorkers*raceRequests/2 {
		t.Errorf("only %d answers", answers.Load())
	}
	if seen.queued.Load() < 3 || seen.tampered.Load() < 3 {
		t.Errorf("%d queued failures and %d tampered answers seen; at least 3 of each were queued first",
			seen.queued.Load(), seen.tampered.Load())
	}
	t.Logf("%d answers, %d queued failures, %d tampered", answers.Load(), seen.queued.Load(), seen.tampered.Load())
	// back to the configured behaviour
	c.Reset()
	for _, r := range c.Requests(RequestFilter{}) {
		t.Errorf("request log after reset: %+v", r)
	}
	tok := e.mustTokens(e.ccSvc())
	if tok.raw["token_type"] != "Bearer" || tok.raw["round"] != nil || !e.active(t, tok.access) {
		t.Errorf("after reset: %v", tok.raw)
	}
}

// hasActive reports whether an introspection body has a boolean active.
func hasActive(body []byte) bool {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return false
	}
	_, ok := m["active"].(bool)
	return ok
}
