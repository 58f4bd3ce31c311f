package fault_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	bigBody    = 10 << 20 // 10 MiB
	bigToken   = 1 << 20  // 1 MiB
	quickBound = 2 * time.Second
	rssBound   = 64 << 10 // KiB the server may grow by under the flood
)

// repeatReader yields the byte b forever.
type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// bigForm is a form body of exactly size bytes (made as it is sent, so the
// test holds none of it): prefix, then "&x=aaaa…".
func bigForm(prefix string, size int) io.Reader {
	head := prefix + "&x="
	return io.MultiReader(strings.NewReader(head), io.LimitReader(repeatReader('a'), int64(size-len(head))))
}

// oversized is one request an attacker makes too big.
type oversized struct {
	name    string
	method  string
	path    string
	body    func() io.Reader
	length  int64  // Content-Length; -1 = chunked
	header  string // a header "Name: value" added to the request
	auth    bool   // Basic of the svc client (app's for a refresh)
	status  int
	errCode string // the JSON error code, "" for a non-JSON or non-error answer, "*" for any
	active  string // for /introspect: the exact body wanted
}

func oversizedRequests() []oversized {
	form := func(p string, n int) func() io.Reader { return func() io.Reader { return bigForm(p, n) } }
	long := func(n int) string { return strings.Repeat("A", n) }
	return []oversized{
		{name: "10 MiB body to /token", method: http.MethodPost, path: "/token", auth: true,
			body: form("grant_type=client_credentials", bigBody), length: bigBody,
			status: http.StatusRequestEntityTooLarge, errCode: "invalid_request"},
		{name: "10 MiB chunked body to /token", method: http.MethodPost, path: "/token", auth: true,
			body: form("grant_type=client_credentials", bigBody), length: -1,
			status: http.StatusRequestEntityTooLarge, errCode: "invalid_request"},
		{name: "10 MiB body to /introspect", method: http.MethodPost, path: "/introspect", auth: true,
			body: form("token=x", bigBody), length: bigBody,
			status: http.StatusRequestEntityTooLarge, errCode: "invalid_request"},
		{name: "10 MiB body to /revoke", method: http.MethodPost, path: "/revoke", auth: true,
			body: form("token=x", bigBody), length: bigBody,
			status: http.StatusRequestEntityTooLarge, errCode: "invalid_request"},
		{name: "10 MiB body to /authorize", method: http.MethodPost, path: "/authorize",
			body: form("response_type=code&client_id=app", bigBody), length: bigBody,
			status: http.StatusRequestEntityTooLarge},
		{name: "1 MiB token in the /introspect body", method: http.MethodPost, path: "/introspect", auth: true,
			body: form("token="+long(bigToken), bigToken+16), length: bigToken + 16,
			status: http.StatusRequestEntityTooLarge, errCode: "invalid_request"},
		{name: "1 MiB bearer token to /userinfo", method: http.MethodGet, path: "/userinfo",
			header: "Authorization: Bearer " + long(bigToken), status: http.StatusRequestHeaderFieldsTooLarge, errCode: "*"},
		{name: "1 MiB bearer token to /protected", method: http.MethodGet, path: "/protected",
			header: "Authorization: Bearer " + long(bigToken), status: http.StatusRequestHeaderFieldsTooLarge, errCode: "*"},
		{name: "1 MiB access_token in the /userinfo body", method: http.MethodPost, path: "/userinfo",
			body: form("access_token="+long(bigToken), bigToken+32), length: bigToken + 32,
			status: http.StatusUnauthorized, errCode: "invalid_token"},
		{name: "header of 16 KiB + 1 byte", method: http.MethodGet, path: "/healthz",
			header: "X-Big: " + long(16<<10+1), status: http.StatusRequestHeaderFieldsTooLarge, errCode: "*"},
		{name: "header of 24 KiB", method: http.MethodGet, path: "/healthz",
			header: "X-Big: " + long(24<<10), status: http.StatusRequestHeaderFieldsTooLarge, errCode: "*"},
		{name: "9 KiB token to /introspect", method: http.MethodPost, path: "/introspect", auth: true,
			body: form("token="+long(9<<10), 9<<10+16), length: 9<<10 + 16,
			status: http.StatusOK, active: `{"active":false}`},
		{name: "60 KiB token to /introspect", method: http.MethodPost, path: "/introspect", auth: true,
			body: form("token="+long(60<<10), 60<<10+16), length: 60<<10 + 16,
			status: http.StatusOK, active: `{"active":false}`},
		{name: "9 KiB bearer token to /userinfo", method: http.MethodGet, path: "/userinfo",
			header: "Authorization: Bearer " + long(9<<10), status: http.StatusUnauthorized, errCode: "invalid_token"},
		{name: "9 KiB refresh token to /token", method: http.MethodPost, path: "/token", auth: true,
			body: form("grant_type=refresh_token&refresh_token="+long(9<<10), 9<<10+64), length: 9<<10 + 64,
			status: http.StatusBadRequest, errCode: "invalid_grant"},
	}
}

func (o oversized) send(c *http.Client, base string) (answer, error) {
	var body io.Reader
	if o.body != nil {
		body = o.body()
	}
	req, err := http.NewRequest(o.method, base+o.path, body)
	if err != nil {
		return answer{}, err
	}
	if body != nil {
		req.ContentLength = o.length
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if o.header != "" {
		name, value, _ := strings.Cut(o.header, ": ")
		req.Header.Set(name, value)
	}
	switch {
	case o.auth && strings.Contains(o.name, "refresh"):
		req.SetBasicAuth(url.QueryEscape(appID), url.QueryEscape(appSecret))
	case o.auth:
		req.SetBasicAuth(url.QueryEscape(svcID), url.QueryEscape(svcSecret))
	}
	return do(c, req)
}

// TestRule37OversizedInputs: 10 MiB bodies get 413 and 1 MiB bearer
// tokens (and any header block over 16 KiB) get 431, each within 2 s;
// tokens over 8 KiB that fit the limits are refused without a lookup.
// The body of a 431 is not checked: net/http answers in plain text
// without calling the server's handler.
func TestRule37OversizedInputs(t *testing.T) {
	srv := newServer(t)
	c := newClient(10*time.Second, 4)
	for _, o := range oversizedRequests() {
		t.Run(o.name, func(t *testing.T) {
			began := time.Now()
			a, err := o.send(c, srv.url)
			took := time.Since(began)
			if err != nil {
				t.Fatalf("%v (after %s)", err, took)
			}
			if a.Status != o.status || (o.errCode != "*" && a.str("error") != o.errCode) {
				t.Errorf("%d error %q, want %d %q: %.300s", a.Status, a.str("error"), o.status, o.errCode, a.Raw)
			}
			if o.active != "" && strings.TrimSpace(a.Raw) != o.active {
				t.Errorf("body %.200q, want %s", a.Raw, o.active)
			}
			if took > quickBound {
				t.Errorf("answered in %s, want < %s", took, quickBound)
			}
		})
	}
}

// TestRule37MemoryBounded: 20 parallel 10 MiB bodies and 20 parallel 1 MiB
// bearer tokens, twice over, grow the server's resident memory by less
// than 64 MiB (it would need 400 MiB to hold them).
func TestRule37MemoryBounded(t *testing.T) {
	const parallel = 20
	srv := newServer(t)
	c := newClient(20*time.Second, 2*parallel)
	flood := []oversized{}
	for _, o := range oversizedRequests() {
		if strings.HasPrefix(o.name, "10 MiB body to /token") || strings.HasPrefix(o.name, "1 MiB bearer token to /userinfo") {
			flood = append(flood, o)
		}
	}
	if len(flood) != 2 {
		t.Fatalf("found %d flood requests, want 2", len(flood))
	}
	if a, err := clientCredentials(c, srv.url); err != nil || a.Status != http.StatusOK {
		t.Fatalf("warm-up: %v %v", a, err)
	}
	before := srv.rssKiB(t)
	for round := range 2 {
		var wg sync.WaitGroup
		for i := range parallel {
			for _, o := range flood {
				wg.Go(func() {
					a, err := o.send(c, srv.url)
					if err != nil || a.Status != o.status {
						t.Errorf("round %d, %s #%d: %v %v, want %d", round, o.name, i, a, err, o.status)
					}
				})
			}
		}
		wg.Wait()
	}
	after := srv.rssKiB(t)
	t.Logf("server VmRSS %d KiB before, %d KiB after %d oversized requests", before, after, 2*parallel*len(flood))
	if after-before > rssBound {
		t.Errorf("server VmRSS grew by %d KiB, want < %d KiB", after-before, rssBound)
	}
	if a, err := clientCredentials(c, srv.url); err != nil || a.Status != http.StatusOK {
		t.Errorf("after the flood: %v %v, want 200", a, err)
	}
}
