package flow

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestMetadataURLs(t *testing.T) {
	tests := []struct{ issuer, want8414, wantOIDC string }{
		{"https://as.example", "https://as.example/.well-known/oauth-authorization-server", "https://as.example/.well-known/openid-configuration"},
		{"https://as.example/tenant/a", "https://as.example/.well-known/oauth-authorization-server/tenant/a", "https://as.example/tenant/a/.well-known/openid-configuration"},
		{"https://as.example/", "https://as.example/.well-known/oauth-authorization-server", "https://as.example/.well-known/openid-configuration"},
	}
	for _, tt := range tests {
		got, err := MetadataURLs(tt.issuer)
		if err != nil || got[0] != tt.want8414 || got[1] != tt.wantOIDC {
			t.Errorf("MetadataURLs(%q) = %v, %v", tt.issuer, got, err)
		}
	}
	if _, err := MetadataURLs("https://as.example/?x=1"); err == nil {
		t.Error("a query was accepted")
	}
}

// discoveryServer answers the paths in docs (%s is replaced by its URL).
func discoveryServer(t *testing.T, docs map[string]string) (*httptest.Server, *[]string) {
	var mu sync.Mutex
	var seen []string
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.Path)
		mu.Unlock()
		doc, ok := docs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, strings.ReplaceAll(doc, "%s", srv.URL))
	}))
	t.Cleanup(srv.Close)
	return srv, &seen
}

func TestDiscover(t *testing.T) {
	const good = `{"issuer":"%s","token_endpoint":"%s/token","authorization_endpoint":"%s/authorize","authorization_response_iss_parameter_supported":true,"token_endpoint_auth_methods_supported":["client_secret_post"]}`
	tests := []struct {
		name      string
		docs      map[string]string
		wantErr   string
		wantPaths string
	}{
		{"RFC 8414", map[string]string{"/.well-known/oauth-authorization-server": good}, "", "/.well-known/oauth-authorization-server"},
		{"OIDC fallback", map[string]string{"/.well-known/openid-configuration": good}, "", "/.well-known/oauth-authorization-server,/.well-known/openid-configuration"},
		{"issuer mismatch stops", map[string]string{
			"/.well-known/oauth-authorization-server": `{"issuer":"https://evil.example","token_endpoint":"%s/token"}`,
			"/.well-known/openid-configuration":       good}, "issuer mismatch: the metadata says issuer \"https://evil.example\"", "/.well-known/oauth-authorization-server"},
		{"http endpoint elsewhere", map[string]string{"/.well-known/oauth-authorization-server": `{"issuer":"%s","token_endpoint":"http://as.example/token"}`},
			"metadata token_endpoint http://as.example/token uses plain http to a host that is not loopback", ""},
		{"not JSON", map[string]string{"/.well-known/oauth-authorization-server": `<html>`}, "metadata is not a JSON object", ""},
		{"wrong type", map[string]string{"/.well-known/oauth-authorization-server": `{"issuer":"%s","token_endpoint":42}`}, "metadata has a member of the wrong type", ""},
		{"none", map[string]string{}, "no metadata found for the issuer (", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, seen := discoveryServer(t, tt.docs)
			c := &Client{HTTP: srv.Client(), Now: time.Now}
			md, err := c.Discover(context.Background(), srv.URL, false)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if tt.wantPaths != "" && strings.Join(*seen, ",") != tt.wantPaths {
					t.Errorf("requests %v", *seen)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			e := md.Endpoints()
			if e.Token != srv.URL+"/token" || e.Authorization != srv.URL+"/authorize" || !e.IssParameter || e.Issuer != srv.URL {
				t.Errorf("endpoints %+v", e)
			}
			if DefaultAuthMethod(true, e.TokenAuthMethods) != AuthPost {
				t.Errorf("a server with only client_secret_post should get post")
			}
			if got := strings.Join(*seen, ","); got != tt.wantPaths {
				t.Errorf("requests %s, want %s", got, tt.wantPaths)
			}
		})
	}
}

func TestDiscoverUnreachable(t *testing.T) {
	c := &Client{HTTP: &http.Client{Timeout: 2 * time.Second}, Now: time.Now}
	_, err := c.Discover(context.Background(), "http://127.0.0.1:1", false)
	var ne *NetworkError
	if !errors.As(err, &ne) || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("err = %v", err)
	}
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		u        string
		insecure bool
		ok       bool
	}{
		{"https://as.example/token", false, true},
		{"http://127.0.0.1:8080/token", false, true},
		{"http://localhost/token", false, true},
		{"http://[::1]:80/token", false, true},
		{"http://as.example/token", false, false},
		{"http://as.example/token", true, true},
		{"ftp://as.example/x", true, false},
		{"/token", false, false},
		{"https://user:pw@as.example/", false, false},
	}
	for _, tt := range tests {
		if err := CheckURL("x", tt.u, tt.insecure); (err == nil) != tt.ok {
			t.Errorf("CheckURL(%q, %v) = %v", tt.u, tt.insecure, err)
		}
	}
}
