package flow

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// -v shows each request and response with secrets and tokens masked.
func TestLoggingTransportMasks(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Set-Cookie", "sid=SESSIONSECRET")
		w.Header().Set("Date", "x")
		w.Write([]byte(`{"access_token":"ACCESSSECRET","refresh_token":"REFRESHSECRET","id_token":"IDSECRET","token_type":"Bearer","expires_in":60}`))
	}))
	defer srv.Close()
	var log bytes.Buffer
	c := &Client{HTTP: &http.Client{Transport: &LoggingTransport{Base: http.DefaultTransport, W: &log}}, Now: time.Now,
		Endpoints: Endpoints{Token: srv.URL + "/token"}, ClientID: "app", Secret: "CLIENTSECRET", AuthMethod: AuthBasic,
		IDTokens: IDTokenPolicy{Skip: true}} // "IDSECRET" is no JWT
	tr, err := c.Password(context.Background(), "alice", "PASSWORDSECRET", Grant{Scopes: []string{"read"}})
	if err != nil {
		t.Fatal(err)
	}
	if tr.AccessToken != "ACCESSSECRET" {
		t.Errorf("the response body was not passed on: %q", tr.AccessToken)
	}
	for _, secret := range []string{"CLIENTSECRET", "PASSWORDSECRET", "ACCESSSECRET", "REFRESHSECRET", "IDSECRET", "SESSIONSECRET", "YXBwOkNMSUVOVFNFQ1JFVA"} {
		if strings.Contains(log.String(), secret) {
			t.Errorf("log shows %s:\n%s", secret, log.String())
		}
	}
	for _, line := range []string{
		"> POST " + srv.URL + "/token\n",
		"> Authorization: Basic ****\n",
		"> grant_type=password&password=%2A%2A%2A%2A&scope=read&username=alice\n",
		"< HTTP/1.1 200 OK\n",
		"< Set-Cookie: ****\n",
		`< {"access_token":"****","refresh_token":"****","id_token":"****","token_type":"Bearer","expires_in":60}` + "\n",
	} {
		if !strings.Contains(log.String(), line) {
			t.Errorf("log lacks %q:\n%s", line, log.String())
		}
	}
}

func TestMaskURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://127.0.0.1:5/callback?code=abc&state=xyz&iss=http%3A%2F%2Fas", "http://127.0.0.1:5/callback?code=%2A%2A%2A%2A&iss=http%3A%2F%2Fas&state=xyz"},
		{"http://127.0.0.1:5/cb#access_token=T&token_type=Bearer", "http://127.0.0.1:5/cb#access_token=%2A%2A%2A%2A&token_type=Bearer"},
		{"https://u:p@as.example/x", "https://%2A%2A%2A%2A@as.example/x"},
		{"https://as.example/authorize?client_id=a&code_challenge=C", "https://as.example/authorize?client_id=a&code_challenge=C"},
	}
	for _, tt := range tests {
		if got := MaskURL(tt.in); got != tt.want {
			t.Errorf("MaskURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
