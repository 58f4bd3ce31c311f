package flow

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestBearerError(t *testing.T) {
	tests := []struct{ h, code, desc string }{
		{`Bearer error="invalid_token", error_description="the token \"x\" expired"`, "invalid_token", `the token "x" expired`},
		{`Bearer realm="oauthkit",error=insufficient_scope`, "insufficient_scope", ""},
		{`Basic realm="x"`, "", ""},
		{`Bearer`, "", ""},
	}
	for _, tt := range tests {
		if code, desc := bearerError(tt.h); code != tt.code || desc != tt.desc {
			t.Errorf("%s: %q %q, want %q %q", tt.h, code, desc, tt.code, tt.desc)
		}
	}
}

func TestUserinfo(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.Header.Get("Authorization") != "Bearer good" {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="unknown token"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"sub":"alice","name":"Alice"}`))
	}))
	t.Cleanup(srv.Close)
	c := &Client{HTTP: srv.Client(), Endpoints: Endpoints{Userinfo: srv.URL}}
	obj, err := c.Userinfo(context.Background(), "good")
	if err != nil || obj.String("sub") != "alice" {
		t.Fatalf("%v %v", obj, err)
	}
	_, err = c.Userinfo(context.Background(), "bad")
	var oe *OAuthError
	if !errors.As(err, &oe) || err.Error() != `UserInfo endpoint answered error=invalid_token error_description="unknown token" (HTTP 401)` {
		t.Errorf("err = %v", err)
	}
	if _, err := c.Userinfo(context.Background(), "a\r\nX: y"); err == nil {
		t.Error("a token with CR/LF was sent")
	}
	c.Endpoints.Userinfo = ""
	if _, err := c.Userinfo(context.Background(), "good"); err == nil || err.Error() != "no UserInfo endpoint: the metadata lists no userinfo_endpoint; give --userinfo-url" {
		t.Errorf("err = %v", err)
	}
}
