package oauthkittest_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/oauthkit/oauthkit/oauthkittest"
)

// TestRejectedGrant is the Go example of README.md's "Testing your
// application", word for word (TestREADMEGoExample checks it).
func TestRejectedGrant(t *testing.T) {
	srv := oauthkittest.NewServer(t) // a real server on 127.0.0.1, stopped when the test ends
	srv.Fail(oauthkittest.Failure{Endpoint: oauthkittest.EndpointToken, Error: "invalid_grant"})

	// Your application's token request; here golang.org/x/oauth2's.
	_, err := srv.ClientCredentials("test-client").Token(context.Background())
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
		t.Fatalf("got %v, want invalid_grant", err)
	}
	got := srv.Requests(oauthkittest.RequestFilter{Endpoint: oauthkittest.EndpointToken})
	if len(got) != 1 || got[0].ClientID != "test-client" || got[0].Status != 400 {
		t.Fatalf("requests: %+v", got)
	}
}

// README.md shows TestRejectedGrant as it is in this file, so the example
// compiles and passes.
func TestREADMEGoExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.ReadFile("readme_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "## Testing your application")
	if !ok {
		t.Fatal(`README.md has no section "Testing your application"`)
	}
	_, block, ok := strings.Cut(section, "```go\n")
	block, _, closed := strings.Cut(block, "```")
	if !ok || !closed {
		t.Fatal("the section has no ```go block")
	}
	fn := func(src string) string {
		_, after, found := strings.Cut(src, "func TestRejectedGrant(")
		if !found {
			return ""
		}
		body, _, _ := strings.Cut(after, "\n}\n")
		return body
	}
	want := fn(string(self))
	if want == "" || fn(block) != want {
		t.Errorf("README.md's example differs from TestRejectedGrant in readme_test.go:\n%s\nwant:\n%s", fn(block), want)
	}
	for _, imp := range []string{`"golang.org/x/oauth2"`, `"github.com/oauthkit/oauthkit/oauthkittest"`} {
		if !strings.Contains(block, imp) {
			t.Errorf("the README example does not import %s", imp)
		}
	}
}
