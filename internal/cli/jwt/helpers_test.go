package jwt

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/iostreams"
	"github.com/oauthkit/oauthkit/internal/token"
	"github.com/oauthkit/oauthkit/keys"
)

// fixedNow is the clock of the command tests: 2026-11-23T10:00:00Z.
var fixedNow = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

type testEnv struct {
	f               *cmdutil.Factory
	in, out, errOut *bytes.Buffer
	dir             string
}

func newEnv(t *testing.T) *testEnv {
	t.Helper()
	ios, in, out, errOut := iostreams.Test()
	f := &cmdutil.Factory{
		IOStreams:  ios,
		Now:        func() time.Time { return fixedNow },
		HTTPClient: func() *http.Client { return &http.Client{Timeout: time.Minute} },
		Getenv:     func(string) string { return "" },
	}
	return &testEnv{f: f, in: in, out: out, errOut: errOut, dir: t.TempDir()}
}

// run executes `jwt ARGS…` and returns the exit code and error.
func (e *testEnv) run(args ...string) (int, error) {
	e.out.Reset()
	e.errOut.Reset()
	cmd := NewCmdJWT(e.f)
	cmd.SetArgs(args)
	cmd.SetIn(e.f.IOStreams.In)
	cmd.SetOut(e.f.IOStreams.Out)
	cmd.SetErr(e.f.IOStreams.ErrOut)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	_, err := cmd.ExecuteC()
	return cmdutil.ExitCode(err), err
}

// keyFiles are test key pairs written as PEM files in the env's directory.
type keyFiles struct {
	priv, pub string
	key       *keys.Key
}

// writeKey copies internal/token's test key NAME and writes its public PEM.
func (e *testEnv) writeKey(t *testing.T, name string) keyFiles {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "token", "testdata", name+".pem"))
	if err != nil {
		t.Fatal(err)
	}
	ks, err := keys.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := keys.EncodePublicPEM(ks[0].Public)
	if err != nil {
		t.Fatal(err)
	}
	kf := keyFiles{priv: e.write(t, name+".key.pem", data), pub: e.write(t, name+".pub.pem", pub), key: ks[0]}
	return kf
}

func (e *testEnv) write(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(e.dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// sign mints a token with the env's command and returns it.
func (e *testEnv) sign(t *testing.T, args ...string) string {
	t.Helper()
	if code, err := e.run(append([]string{"sign"}, args...)...); code != 0 {
		t.Fatalf("sign %v: exit %d: %v", args, code, err)
	}
	tok := strings.TrimSuffix(e.out.String(), "\n")
	if strings.ContainsAny(tok, "\n ") {
		t.Fatalf("sign printed more than a token: %q", e.out.String())
	}
	return tok
}

// decoded returns the header and claims JSON texts of tok.
func decoded(t *testing.T, tok string) (header, claims string) {
	t.Helper()
	d, err := token.Decode(tok)
	if err != nil {
		t.Fatal(err)
	}
	return string(d.RawHeader), string(d.RawClaims)
}

// seg base64url-encodes s.
func seg(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// errorKind is the machine-readable kind printed with -o json.
func errorKind(err error) string { return cmdutil.ErrorKind(err) }
