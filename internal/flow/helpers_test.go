package flow

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"
)

var testNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// fakeAS is a small authorization server for the client tests. authorize
// decides the redirect for an /authorize request; /token counts its calls.
type fakeAS struct {
	srv        *httptest.Server
	tokenCalls atomic.Int32
	lastToken  atomic.Value // url.Values of the last /token request
	authorize  func(q url.Values) url.Values
	fragment   bool
}

func newFakeAS(t *testing.T) *fakeAS {
	t.Helper()
	as := &fakeAS{}
	mux := http.NewServeMux()
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		params := url.Values{"code": {"the-code"}, "state": {q.Get("state")}, "iss": {as.srv.URL}}
		if as.authorize != nil {
			params = as.authorize(q)
		}
		u := q.Get("redirect_uri")
		if as.fragment {
			u += "#" + params.Encode()
		} else {
			u += "?" + params.Encode()
		}
		http.Redirect(w, r, u, http.StatusFound)
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		as.tokenCalls.Add(1)
		_ = r.ParseForm()
		as.lastToken.Store(r.PostForm)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"AT","token_type":"Bearer","expires_in":60,"refresh_token":"RT"}`))
	})
	as.srv = httptest.NewServer(mux)
	t.Cleanup(as.srv.Close)
	return as
}

func (as *fakeAS) client() *Client {
	return &Client{
		HTTP: &http.Client{Timeout: 5 * time.Second},
		Now:  func() time.Time { return testNow },
		Endpoints: Endpoints{Issuer: as.srv.URL, Authorization: as.srv.URL + "/authorize",
			Token: as.srv.URL + "/token", IssParameter: true},
		ClientID: "cli", AuthMethod: AuthNone,
	}
}

// recordingOpener remembers the URL and plays the browser with follow.
type recordingOpener struct {
	urls   chan string
	follow func(string)
}

func (o *recordingOpener) Open(u string) error {
	o.urls <- u
	if o.follow != nil {
		go o.follow(u)
	}
	return nil
}

// browse follows redirects like a browser without JavaScript.
func browse(u string) {
	resp, err := http.Get(u)
	if err == nil {
		resp.Body.Close()
	}
}
