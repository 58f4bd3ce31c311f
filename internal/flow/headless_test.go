package flow

import "testing"

// What --headless shows of a page it did not expect: one line, escaped.
func TestPageText(t *testing.T) {
	tests := []struct{ name, mt, body, want string }{
		{"oauthkit error page", "text/html", `<!doctype html><html><head><title>Unknown client · oauthkit</title><style>h1{x}</style></head>
<body><main><h1>Unknown client</h1>
<p class="error" role="alert">No client &#39;spa&#39; is
  registered.</p><p class="small">Go back</p></main></body></html>`, "Unknown client: No client 'spa' is registered."},
		{"title only", "text/html", `<html><head><title>Sign in
to Dex</title></head><body><form></form></body></html>`, "Sign in to Dex"},
		{"heading with markup", "text/html", `<h1>Error <b>400</b></h1>`, "Error 400"},
		{"control characters", "text/html", "<h1>a\x1b[31mb</h1>", `a\u001b[31mb`},
		{"JSON error", "application/json", `{"error":"invalid_request","error_description":"redirect_uri\nnot registered"}`, "error=invalid_request redirect_uri not registered"},
		{"plain text", "text/plain", "client spa\nunknown\n", "client spa unknown"},
		{"an image", "image/png", "\x89PNG", ""},
	}
	for _, tt := range tests {
		if got := pageText(tt.mt, []byte(tt.body)); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
