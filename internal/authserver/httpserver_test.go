package authserver

import (
	"bufio"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestSafeDescription(t *testing.T) {
	got := SafeDescription("bad \"value\"\r\nwith \\ and é\x00 (RFC 6749 §5.2)")
	want := "bad 'value'  with ' and ?? (RFC 6749 section 5.2)"
	if got != want {
		t.Fatalf("got %q want %q", got, want)
	}
}

func TestWriteErrorShape(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteError(rec, &Error{Code: ErrInvalidClient, Description: "line1\nline2", Status: 401, BasicChallenge: true})
	if rec.Code != 401 {
		t.Fatalf("status %d", rec.Code)
	}
	for h, want := range map[string]string{
		"Cache-Control":    "no-store",
		"Pragma":           "no-cache",
		"Content-Type":     "application/json;charset=UTF-8",
		"WWW-Authenticate": `Basic realm="oauthkit", charset="UTF-8"`,
	} {
		if got := rec.Header().Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	var body map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body["error"] != "invalid_client" || body["error_description"] != "line1 line2" || len(body) != 2 {
		t.Fatalf("body %v", body)
	}
}

func TestStatusForCodes(t *testing.T) {
	for code, status := range map[string]int{
		ErrInvalidRequest: 400, ErrInvalidClient: 401, ErrInvalidGrant: 400, ErrUnauthorizedClient: 400,
		ErrUnsupportedGrantType: 400, ErrInvalidScope: 400, ErrServerError: 500,
		ErrTemporarilyUnavailable: 503, ErrInvalidToken: 401, ErrInsufficientScope: 403,
	} {
		if got := NewError(code, "").Status; got != status {
			t.Errorf("%s: status %d want %d", code, got, status)
		}
	}
}

func TestParseForm(t *testing.T) {
	tests := []struct {
		name, method, ctype, body string
		status                    int
		errSub                    string
	}{
		{"ok", "POST", "application/x-www-form-urlencoded", "a=1&b=2", 0, ""},
		{"ok with charset", "POST", "application/x-www-form-urlencoded; charset=UTF-8", "a=1", 0, ""},
		{"get", "GET", "", "", 405, "only POST"},
		{"json body", "POST", "application/json", `{"a":1}`, 400, "x-www-form-urlencoded"},
		{"no content type", "POST", "", "a=1", 400, "x-www-form-urlencoded"},
		{"repeated", "POST", "application/x-www-form-urlencoded", "a=1&a=2", 400, "parameter a is repeated"},
		{"bad escape", "POST", "application/x-www-form-urlencoded", "a=%zz", 400, "not valid form encoding"},
		{"too large", "POST", "application/x-www-form-urlencoded", "a=" + strings.Repeat("x", MaxBodyBytes), 413, "larger than 64 KiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "/token?secret=x", strings.NewReader(tt.body))
			if tt.ctype != "" {
				r.Header.Set("Content-Type", tt.ctype)
			}
			w := httptest.NewRecorder()
			form, e := ParseForm(w, r)
			if allow := w.Header().Get("Allow"); (tt.status == 405) != (allow == "POST") {
				t.Fatalf("Allow %q with status %d", allow, tt.status)
			}
			if tt.status == 0 {
				if e != nil {
					t.Fatalf("unexpected error %v", e)
				}
				if _, ok := form["secret"]; ok {
					t.Fatal("query parameters must not be merged into the form")
				}
				return
			}
			if e == nil || e.Status != tt.status || e.Code != ErrInvalidRequest || !strings.Contains(e.Description, tt.errSub) {
				t.Fatalf("got %+v, want status %d and %q", e, tt.status, tt.errSub)
			}
		})
	}
}

func TestMiddlewareRecoversPanic(t *testing.T) {
	var logs strings.Builder
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	clock := func() time.Time { return time.Unix(0, 0) }
	h := Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }), logger, clock)
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/x?code=secret-code")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || !strings.Contains(string(body), `"error":"server_error"`) {
		t.Fatalf("status %d body %s", resp.StatusCode, body)
	}
	if strings.Contains(string(body), "goroutine") || strings.Contains(string(body), "boom") {
		t.Fatalf("panic details leaked: %s", body)
	}
	if strings.Contains(logs.String(), "secret-code") {
		t.Fatalf("query string logged: %s", logs.String())
	}
	if !strings.Contains(logs.String(), `"status":500`) {
		t.Fatalf("request not logged with status: %s", logs.String())
	}
}

func TestServerTimeoutsSet(t *testing.T) {
	s := NewHTTPServer(http.NotFoundHandler(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if s.ReadHeaderTimeout == 0 || s.ReadTimeout == 0 || s.WriteTimeout == 0 || s.IdleTimeout == 0 || s.MaxHeaderBytes == 0 {
		t.Fatalf("a timeout or limit is unset: %+v", s)
	}
}

// Rule 37: headers (request line included) over 16 KiB get 431, though
// net/http itself would read 4 KiB more; exactly 16 KiB is served.
func TestHeaderLimit(t *testing.T) {
	e := newEnv(t)
	addr := strings.TrimPrefix(e.ts.URL, "http://")
	for _, tt := range []struct {
		size   int
		status string
	}{{MaxHeaderBytes, "200"}, {MaxHeaderBytes + 1, "431"}, {20 << 10, "431"}} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		head := "GET /healthz HTTP/1.1\r\nHost: x\r\n"
		pad := tt.size - len(head) - len("X-Pad: \r\n")
		req := head + "X-Pad: " + strings.Repeat("a", pad) + "\r\n\r\n"
		if len(req)-2 != tt.size {
			t.Fatalf("built %d bytes of headers, want %d", len(req)-2, tt.size)
		}
		if _, err := c.Write([]byte(req)); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(c).ReadString('\n')
		c.Close()
		if err != nil {
			t.Fatalf("%d bytes: %v", tt.size, err)
		}
		if !strings.HasPrefix(line, "HTTP/1.1 "+tt.status+" ") {
			t.Errorf("%d bytes of headers: %q, want %s", tt.size, line, tt.status)
		}
	}
}
