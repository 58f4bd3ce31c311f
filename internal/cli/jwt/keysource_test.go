package jwt

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestVerifyJWKSOverHTTP(t *testing.T) {
	e := newEnv(t)
	rsa := e.writeKey(t, "rsa")
	_, jwks := e.writeJWKS(t, "jwks.json", rsa.key)
	tok := e.sign(t, "--key", rsa.priv, "--jti", "j")
	stop := make(chan struct{})
	mux := http.NewServeMux()
	var accept string
	mux.HandleFunc("/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		accept = r.Header.Get("Accept")
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Write(jwks)
	})
	// A server's set holds more than signing keys: those are skipped.
	mixed := strings.Replace(string(jwks), `{"keys":[`, `{"keys":[{"kty":"oct","kid":"hmac","k":"c2VjcmV0"},{"kty":"OKP","crv":"X25519","kid":"ecdh","x":"hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"},`, 1)
	if mixed == string(jwks) {
		t.Fatalf("could not build the mixed set from %s", jwks)
	}
	mux.HandleFunc("/mixed", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(mixed)) })
	mux.HandleFunc("/only-oct", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"keys":[{"kty":"oct","kid":"hmac","k":"c2VjcmV0"}]}`))
	})
	mux.HandleFunc("/missing", http.NotFound)
	mux.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<html>login</html>"))
	})
	mux.HandleFunc("/not-a-jwks", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"keys":[]}`)) })
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(strings.Repeat(" ", 1<<20+1))) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-stop:
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/redirect-local", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/jwks.json", http.StatusFound)
	})
	mux.HandleFunc("/redirect-away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://jwks.example.invalid/jwks.json", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer close(stop)
	tlsSrv := httptest.NewTLSServer(mux)
	defer tlsSrv.Close()
	// A loopback port with nothing listening.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + l.Addr().String() + "/jwks.json"
	l.Close()

	tests := []struct {
		name   string
		args   []string
		code   int
		msg    string
		errOut string
	}{
		{"loopback http", []string{"--jwks", srv.URL + "/jwks.json"}, 0, "", ""},
		{"localhost name", []string{"--jwks", strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/jwks.json"}, 0, "", ""},
		{"redirect on loopback", []string{"--jwks", srv.URL + "/redirect-local"}, 0, "", ""},
		{"foreign keys skipped", []string{"--jwks", srv.URL + "/mixed"}, 0, "",
			"note: the JWKS from " + srv.URL + "/mixed: skipping key 1 of 3 (kid \"hmac\"): a symmetric key (kty \"oct\")\n" +
				"note: the JWKS from " + srv.URL + "/mixed: skipping key 2 of 3 (kid \"ecdh\"): unsupported key: OKP curve \"X25519\" (supported: Ed25519)\n"},
		{"no usable key", []string{"--jwks", srv.URL + "/only-oct"}, 1, "the JWKS from " + srv.URL + "/only-oct: not a key: expected PEM, a JWK or a JWKS: the JWKS has no key this tool can verify with (1 skipped: key 1 of 1 (kid \"hmac\"): a symmetric key (kty \"oct\"))", ""},
		{"HTTP 404", []string{"--jwks", srv.URL + "/missing"}, 1, "fetching the JWKS from " + srv.URL + "/missing: HTTP 404 Not Found", ""},
		{"not JSON", []string{"--jwks", srv.URL + "/html"}, 1, "the JWKS from " + srv.URL + `/html is not JSON (Content-Type "text/html; charset=utf-8")`, ""},
		{"empty set", []string{"--jwks", srv.URL + "/not-a-jwks"}, 1, "the JWKS from " + srv.URL + "/not-a-jwks: not a key: expected PEM, a JWK or a JWKS (the JWKS holds no keys)", ""},
		{"too large", []string{"--jwks", srv.URL + "/huge"}, 1, "the JWKS from " + srv.URL + "/huge is larger than 1 MiB", ""},
		{"redirect to plain http elsewhere", []string{"--jwks", srv.URL + "/redirect-away"}, 1,
			"fetching the JWKS from " + srv.URL + "/redirect-away: refusing a redirect to plain http http://jwks.example.invalid/jwks.json (use --insecure to allow it)", ""},
		{"connection refused", []string{"--jwks", closedURL}, 4, "fetching the JWKS from " + closedURL + ": dial tcp " + strings.TrimPrefix(strings.TrimSuffix(closedURL, "/jwks.json"), "http://") + ": connect: connection refused", ""},
		{"time-out", []string{"--jwks", srv.URL + "/slow", "--timeout", "200ms"}, 5, "fetching the JWKS from " + srv.URL + "/slow: no answer within 200ms (--timeout)", ""},
		{"untrusted certificate", []string{"--jwks", tlsSrv.URL + "/jwks.json"}, 4,
			"fetching the JWKS from " + tlsSrv.URL + "/jwks.json: tls: failed to verify certificate: x509: certificate signed by unknown authority", ""},
		{"untrusted certificate with --insecure", []string{"--jwks", tlsSrv.URL + "/jwks.json", "--insecure"}, 0, "",
			"warning: --insecure: TLS certificates are not checked and plain http is allowed; the JWKS may not be genuine\n"},
		{"plain http to another host", []string{"--jwks", "http://jwks.example.invalid/jwks.json"}, 2,
			"refusing to fetch the JWKS over plain http from jwks.example.invalid: use https://, or --insecure to allow it", ""},
		{"other scheme", []string{"--jwks", "ftp://127.0.0.1/jwks.json"}, 2, `--jwks URL scheme "ftp" is not supported: use https:// (or a file)`, ""},
		{"no host", []string{"--jwks", "https:///jwks.json"}, 2, `--jwks "https:///jwks.json" is not a valid URL`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, err := e.run(append([]string{"verify", tok}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d (%v), want %d", code, err, tt.code)
			}
			if tt.code != 0 && err.Error() != tt.msg {
				t.Fatalf("err\n got: %v\nwant: %s", err, tt.msg)
			}
			if tt.code == 0 && !strings.Contains(e.out.String(), `"jti": "j"`) {
				t.Fatalf("stdout %q", e.out)
			}
			if e.errOut.String() != tt.errOut {
				t.Fatalf("stderr %q, want %q", e.errOut, tt.errOut)
			}
		})
	}
	if accept != "application/jwk-set+json, application/json" {
		t.Fatalf("Accept %q", accept)
	}
}
