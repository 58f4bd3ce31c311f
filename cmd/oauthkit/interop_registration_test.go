package main

// Dynamic client registration (RFC 7591) and management (RFC 7592) with
// independent peers: `oauthkit client register|show|update|delete` against
// oidc-provider (registration and registrationManagement enabled in
// testdata/interop/oidc-provider.mjs), then `flow client-credentials` with
// the registered client; and openid-client's dynamicClientRegistration
// against `oauthkit serve --registration token`
// (testdata/interop/openid-client-registration.mjs).

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// regClientID finds the client_id line of `client register` text output.
var regClientID = regexp.MustCompile(`(?m)^client_id: +(\S+)$`)

func TestInteropRegistrationOIDCProvider(t *testing.T) {
	bin, op := startInteropOIDCProvider(t)
	cfg := t.TempDir()
	run := func(args ...string) opResult {
		t.Helper()
		return opRunEnv(t, bin, []string{"OAUTHKIT_REGISTRATION_TOKEN=", "XDG_CONFIG_HOME=" + cfg}, args...)
	}
	dir := filepath.Join(cfg, "oauthkit")
	secretFile, tokenFile := filepath.Join(dir, "op.client-secret"), filepath.Join(dir, "op.registration-token")

	res := run("client", "register", "--issuer", op.Issuer, "--grant-type", "client_credentials", "--scope", "api:read", "--name", "interop", "--profile", "op")
	res.wantExit(t, 0)
	m := regClientID.FindStringSubmatch(res.stdout)
	if m == nil || m[1] == op.ClientID {
		t.Fatalf("client register printed no new client_id:\n%s", res.stdout)
	}
	clientID := m[1]
	secret, err := os.ReadFile(secretFile)
	if err != nil {
		t.Fatalf("no client secret file: %v", err)
	}
	if strings.Contains(res.stdout, strings.TrimSpace(string(secret))) {
		t.Error("text output shows the client secret unmasked")
	}
	for _, f := range []string{secretFile, tokenFile, filepath.Join(dir, "config.yaml")} {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, want mode 0600", f, err)
		}
	}

	// The profile works with flow: a token of the registered client.
	res = run("flow", "client-credentials", "--profile", "op", "-o", "token")
	res.wantExit(t, 0)
	claims := opVerifyAccessToken(t, bin, op, strings.TrimSpace(res.stdout))
	if claims["client_id"] != clientID || claims["scope"] != "api:read" {
		t.Errorf("access token claims %v: want client_id %s and scope api:read", claims, clientID)
	}

	// RFC 7592 read; update (oidc-provider rotates the registration access
	// token then: the new one is saved and works for the next call).
	res = run("client", "show", "--profile", "op", "-o", "json")
	res.wantExit(t, 0)
	if !strings.Contains(res.stdout, `"client_id": "`+clientID+`"`) || !strings.Contains(res.stdout, `"client_name": "interop"`) {
		t.Errorf("client show -o json:\n%s", res.stdout)
	}
	before, _ := os.ReadFile(tokenFile)
	res = run("client", "update", "--profile", "op", "--name", "renamed")
	res.wantExit(t, 0)
	if !regexp.MustCompile(`(?m)^client_name: +renamed$`).MatchString(res.stdout) {
		t.Errorf("client update:\n%s", res.stdout)
	}
	after, _ := os.ReadFile(tokenFile)
	if bytes.Equal(before, after) || !strings.Contains(res.stderr, "the server rotated the registration access token") {
		t.Errorf("the rotated registration access token was not saved (stderr %q)", res.stderr)
	}
	run("client", "show", "--profile", "op").wantExit(t, 0)

	// RFC 7592 delete: the profile and its files go, the secret stops working.
	res = run("client", "delete", "--profile", "op")
	res.wantExit(t, 0)
	for _, f := range []string{secretFile, tokenFile} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s still exists after client delete", f)
		}
	}
	kept := writeInteropFile(t, filepath.Join(t.TempDir(), "secret"), secret)
	res = run("flow", "client-credentials", "--issuer", op.Issuer, "--client-id", clientID, "--client-secret-file", kept)
	res.wantExit(t, 3)
	if !strings.Contains(res.stderr, "invalid_client") {
		t.Errorf("the deleted client's secret: stderr %q, want invalid_client", res.stderr)
	}
}

func TestInteropRegistrationOpenIDClient(t *testing.T) {
	root := interopRoot(t)
	node := requireInteropPeers(t, filepath.Join(root, interopDir))
	bin := buildInteropBinary(t)
	const iat = "interop-initial-access-token-0123"
	iatFile := writeInteropFile(t, filepath.Join(t.TempDir(), "iat.txt"), []byte(iat+"\n"))
	issuer := startInteropServe(t, bin, root, "--config", interopDir+"/oauthkit.yaml", "--registration", "token", "--registration-token-file", iatFile)

	interopScriptRun{node: node, root: root, script: "openid-client-registration.mjs", issuer: issuer,
		env: []string{"OAUTHKIT_REGISTRATION_TOKEN=" + iat},
		want: []string{
			"ok registration without the initial access token",
			"ok registration with a wrong initial access token",
			"ok registration",
			"ok client_credentials with the registered client",
			"ok registration of a public loopback client",
			"ok registration invalid_redirect_uri",
			"ok registration invalid_client_metadata",
			"ok read (RFC 7592)",
			"ok update (RFC 7592)",
			"ok delete (RFC 7592) ends the token",
		}}.check(t)
}
