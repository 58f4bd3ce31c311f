package oauthkittest_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/oauthkit/oauthkit/oauthkittest"
)

// fatalTB records the first Fatalf instead of failing the test, so a test
// can check what oauthkittest fails a test for. Cleanup goes to the real
// test.
type fatalTB struct {
	testing.TB
	msg string
}

// logTB records what is logged to the test.
type logTB struct {
	testing.TB
	mu   sync.Mutex
	logs []string
}

func (l *logTB) Log(args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.logs = append(l.logs, fmt.Sprintln(args...))
}

func (f *fatalTB) Helper() {}
func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// expectFatal runs fn on its own goroutine (Fatalf ends it) and returns
// the message it failed the test with.
func expectFatal(t *testing.T, fn func(tb testing.TB)) string {
	t.Helper()
	ft := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(ft)
	}()
	<-done
	if ft.msg == "" {
		t.Fatal("the call did not fail the test")
	}
	return ft.msg
}

func wantContains(t *testing.T, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%q does not contain %q", got, w)
		}
	}
}

// introspection is the server's RFC 7662 answer for token, asked by the
// default confidential client.
func introspection(t *testing.T, srv *oauthkittest.Server, token string) map[string]any {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.Issuer()+"/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	conf := srv.OAuth2Config("test-client")
	req.SetBasicAuth(conf.ClientID, conf.ClientSecret)
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("introspection: %s", resp.Status)
	}
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// jwtPart decodes the header (0) or claims (1) of a JWT, unverified: the
// tests that use it check what the server put in, the signature is checked
// by the server's introspection and by TestRotateKeys.
func jwtPart(t *testing.T, jwt string, i int) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("%d parts in a JWT", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
