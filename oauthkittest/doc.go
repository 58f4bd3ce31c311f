// Package oauthkittest starts the real oauthkit authorization server inside
// a Go test, as net/http/httptest starts an HTTP server, and steers it from
// the test: queued failures, tampered answers, the next login, extra
// claims, a skewed clock, key rotation, revocation, and the log of the
// requests the application made (docs/control.md describes each operation).
//
//	srv := oauthkittest.NewServer(t)
//	cfg := srv.ClientCredentials("test-client")
//	tok, err := cfg.Token(ctx) // a real RFC 6749 §4.4 token request
//
// NewServer listens on 127.0.0.1 on a free port (the issuer is
// http://127.0.0.1:PORT), keeps everything in memory and stops when the
// test ends (testing.TB.Cleanup). Each server is independent: parallel
// tests each start their own, the package has no global state.
//
// # Defaults
//
// Without WithConfigYAML the server has these registrations:
//
//   - client "test-client", secret "test-client-secret-0123456789abcdef"
//     (client_secret_basic), grants authorization_code, refresh_token,
//     client_credentials and password;
//   - client "test-public", a public client (auth method none, PKCE
//     required), grants authorization_code and refresh_token;
//   - both with the redirect URI http://127.0.0.1/callback and the scopes
//     openid, profile, email, read and write;
//   - users "alice" (password "alice-password") and "bob" (password
//     "bob-password"), with name, email and email_verified claims.
//
// WithConfigYAML replaces them with a configuration in exactly the schema
// of `oauthkit serve --config` (docs/serve.md), except that the issuer and
// the store are the test server's own: a configuration naming either is
// refused.
//
// # Speed
//
// Starting a server takes a few milliseconds (BenchmarkNewServer). Two
// choices make that possible:
//
//   - The default signing key is an RSA 2048 key embedded in this package
//     (TEST-ONLY-rsa2048.key.pem, RS256). It is public, so tokens it signs
//     prove nothing outside a test: never use it elsewhere. Generating a
//     fresh RSA key would take 50 to 500 ms; WithKey or WithKeyPEM give the
//     server another key, RotateKeys adds a fresh one at run time.
//   - User passwords from the configuration are hashed with bcrypt at its
//     lowest cost instead of argon2id with 64 MiB, which `oauthkit serve`
//     uses; the server checks either kind.
//
// # Failing the test
//
// Methods that can fail (a client that is not registered, a control call
// the server refuses, such as an unknown endpoint or user) call Fatalf on
// the testing.TB given to NewServer. Call them from that test's goroutine,
// as package testing requires for Fatalf; a subtest that needs its own
// behaviour should start its own server.
package oauthkittest
