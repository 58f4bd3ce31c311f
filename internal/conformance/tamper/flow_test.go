package tamper_test

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/internal/authserver"
)

// Issue 16: `oauthkit flow` is the client under test. Each tamper kind of
// the control API falsifies one answer of the real server; flow must
// refuse it with a one-line error and the exit code of its kind
// (`oauthkit help exit-codes`): 1 when the server misbehaved (a forged
// authorization response, a broken token response), 3 when it sent a bad
// ID token. Nothing is printed on stdout when flow refuses.

// tamperCase is one kind, the grant it applies to and the refusal.
type tamperCase struct {
	kind authserver.TamperKind
	// grant runs flow; authcode for the authorization response and the ID
	// token, both grants for the token response.
	grants []string
	code   int
	stderr string // a regexp the error line matches
	// tokenRequest: whether flow went on to the token endpoint.
	tokenRequest bool
}

var tamperCases = []tamperCase{
	{authserver.TamperIss, []string{"authcode"}, 1,
		`^oauthkit: issuer mismatch: the authorization response says iss="https://mix-up\.invalid", expected "http://127\.0\.0\.1:\d+"; refused \(RFC 9207 §2\.4\)$`, false},
	{authserver.TamperState, []string{"authcode"}, 1,
		`^oauthkit: state mismatch: the authorization response carries another state than the one sent; refused, it may be forged \(RFC 6749 §10\.12\)$`, false},
	{authserver.TamperNonce, []string{"authcode"}, 3, `^oauthkit: ID token nonce does not match the one sent$`, true},
	{authserver.TamperAud, []string{"authcode"}, 3,
		`^oauthkit: ID token audience \["another-client-[A-Za-z0-9_-]+"\] does not include the expected "cli"$`, true},
	{authserver.TamperAtHash, []string{"authcode"}, 3, `^oauthkit: ID token at_hash does not match the access token$`, true},
	{authserver.TamperExpired, []string{"authcode"}, 3,
		`^oauthkit: ID token expired at \S+ \(1h ago\), beyond the 30s leeway$`, true},
	{authserver.TamperMalformedJSON, []string{"authcode", "client-credentials"}, 1,
		`^oauthkit: token endpoint answered HTTP 200 with a body that is not a JSON object \(not JSON: unexpected EOF\): "\{\\"access_token\\":\\""$`, true},
	{authserver.TamperNoTokenType, []string{"authcode", "client-credentials"}, 1,
		`^oauthkit: token endpoint answered without a token_type \(RFC 6749 §5\.1\)$`, true},
}

func TestFlowRefusesTamperedAnswers(t *testing.T) {
	s := newServer(t)
	for _, tc := range tamperCases {
		for _, grant := range tc.grants {
			t.Run(string(tc.kind)+"/"+grant, func(t *testing.T) {
				s.srv.Control().Reset() // and the request log
				s.tamper(t, tc.kind)
				var r result
				if grant == "authcode" {
					r = s.authcode(t, "-o", "token")
				} else {
					r = s.clientCredentials(t, "-o", "token")
				}
				last := lastLine(r.stderr)
				if r.code != tc.code || r.stdout != "" || !regexp.MustCompile(tc.stderr).MatchString(last) {
					t.Fatalf("exit %d, stdout %q, last stderr line %q; want exit %d, no stdout, %s\n%s",
						r.code, r.stdout, last, tc.code, tc.stderr, r.stderr)
				}
				if st := s.srv.Control().State(); len(st.Tampers) != 0 {
					t.Errorf("the tamper was not spent: %+v", st.Tampers)
				}
				tok := s.requests(authserver.EndpointToken)
				switch {
				case tc.tokenRequest && (len(tok) != 1 || tok[0].Status != http.StatusOK):
					t.Errorf("token requests %+v; want one answered 200", tok)
				case !tc.tokenRequest && len(tok) != 0:
					t.Errorf("flow made a token request after a forged authorization response: %+v", tok)
				}
				// the tamper was one answer: the same run again succeeds
				var again result
				if grant == "authcode" {
					again = s.authcode(t, "-o", "token")
				} else {
					again = s.clientCredentials(t, "-o", "token")
				}
				if again.code != 0 || !strings.HasPrefix(again.stdout, "ey") {
					t.Errorf("untampered run: exit %d, stdout %q\n%s", again.code, again.stdout, again.stderr)
				}
			})
		}
	}
}

// TestFlowTreatsAccessTokensAsOpaque: tamper signature breaks the JWT
// access token's signature. flow does not verify access tokens, and must
// not: to a client an access token is opaque (RFC 6749 §1.4; RFC 9068 §6:
// the client must not inspect it), only the resource server checks it. So
// flow succeeds and prints the token; `oauthkit jwt verify`, what a
// resource server would do, refuses it, and the server itself no longer
// accepts it.
func TestFlowTreatsAccessTokensAsOpaque(t *testing.T) {
	s := newServer(t)
	for _, grant := range []string{"authcode", "client-credentials"} {
		t.Run(grant, func(t *testing.T) {
			s.tamper(t, authserver.TamperSignature)
			var r result
			if grant == "authcode" {
				r = s.authcode(t, "-o", "token", "--refresh-token-out", t.TempDir()+"/rt")
			} else {
				r = s.clientCredentials(t, "-o", "token")
			}
			at := strings.TrimSpace(r.stdout)
			if r.code != 0 || strings.Count(at, ".") != 2 {
				t.Fatalf("exit %d, stdout %q; want exit 0 and a JWT\n%s", r.code, r.stdout, r.stderr)
			}
			verify := []string{"jwt", "verify", at, "--jwks", s.issuer + "/jwks.json", "--iss", s.issuer, "--aud", s.issuer}
			v := run(t, nil, verify...)
			if v.code != 1 || !strings.Contains(v.stderr, "signature") {
				t.Errorf("jwt verify of the tampered token: exit %d, stderr %q; want exit 1 naming the signature", v.code, v.stderr)
			}
			if code := s.protected(t, at); code != http.StatusUnauthorized {
				t.Errorf("/protected with the tampered token: %d, want 401", code)
			}
			// the check above can fail: an untampered token verifies
			good := run(t, nil, "flow", "client-credentials", "--issuer", s.issuer, "--client-id", svcID,
				"--client-secret-file", s.secretFile(t), "-o", "token")
			v = run(t, nil, append([]string{"jwt", "verify", strings.TrimSpace(good.stdout)}, verify[3:]...)...)
			if good.code != 0 || v.code != 0 {
				t.Errorf("untampered: flow exit %d, jwt verify exit %d %s", good.code, v.code, v.stderr)
			}
		})
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestFlowRefreshRefusesTamperedIDToken: on a refresh the ID token is
// checked too, without a nonce (OpenID Connect Core §12.2). A tampered one
// fails with exit 3 (a token response without token_type with exit 1), but
// the server has rotated the refresh token, so flow still writes the new
// one where asked: the grant is not lost.
func TestFlowRefreshRefusesTamperedIDToken(t *testing.T) {
	s := newServer(t)
	dir := t.TempDir()
	rtFile := filepath.Join(dir, "rt")
	if r := s.authcode(t, "-o", "token", "--refresh-token-out", rtFile); r.code != 0 {
		t.Fatalf("authcode: exit %d\n%s", r.code, r.stderr)
	}
	for _, tc := range []struct {
		kind   authserver.TamperKind
		stderr string
	}{
		{authserver.TamperAud, `^oauthkit: ID token audience \["another-client-[A-Za-z0-9_-]+"\] does not include the expected "cli"$`},
		{authserver.TamperAtHash, `^oauthkit: ID token at_hash does not match the access token$`},
		{authserver.TamperExpired, `^oauthkit: ID token expired at \S+ \(1h ago\), beyond the 30s leeway$`},
		{authserver.TamperNoTokenType, `^oauthkit: token endpoint answered without a token_type \(RFC 6749 §5\.1\)$`},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			before := readFile(t, rtFile)
			s.tamper(t, tc.kind)
			r := run(t, nil, "flow", "refresh", "--issuer", s.issuer, "--client-id", cliID,
				"--refresh-token-file", rtFile, "--refresh-token-out", rtFile, "-o", "token")
			last := lastLine(r.stderr)
			if r.code == 0 || !regexp.MustCompile(tc.stderr).MatchString(last) {
				t.Fatalf("exit %d, last stderr line %q; want %s\n%s", r.code, last, tc.stderr, r.stderr)
			}
			after := readFile(t, rtFile)
			if tc.kind == authserver.TamperNoTokenType {
				// The server rotated the refresh token all the same: flow
				// fails (exit 1, the server misbehaved) but keeps what was
				// issued, so the grant is not lost.
				if r.code != 1 || after == before || after == "" {
					t.Errorf("exit %d, refresh token file updated %v; want exit 1 and the rotated token kept", r.code, after != before)
				}
				r := run(t, nil, "flow", "refresh", "--issuer", s.issuer, "--client-id", cliID, "--refresh-token-file", rtFile, "-o", "token")
				if r.code != 0 {
					t.Errorf("the kept refresh token: exit %d\n%s", r.code, r.stderr)
				}
				return
			}
			if r.code != 3 || after == before || after == "" {
				t.Errorf("exit %d, refresh token file updated %v; want exit 3 and the rotated token kept", r.code, after != before)
			}
		})
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}
