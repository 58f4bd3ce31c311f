package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestInteropDevice runs openid-client 6.9.0's device authorization grant
// (RFC 8628: initiateDeviceAuthorization, pollDeviceAuthorizationGrant)
// against a real `oauthkit serve` with testdata/interop/device.yaml: a
// flow approved and one denied on the pages (played by fetch) while
// openid-client polls, auto-approved public and confidential clients, and
// the refusals of /device_authorization. Without node or the peers it
// skips locally and fails under CI=true (requireInteropPeers).
func TestInteropDevice(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	node := requireInteropPeers(t, filepath.Join(root, interopDir))
	issuer := startInteropServe(t, buildInteropBinary(t), root, "--config", interopDir+"/device.yaml")

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(interopDir, "openid-client-device.mjs"), issuer)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	want := strings.Join([]string{
		"ok discovery device_authorization_endpoint",
		"ok device flow approved on the pages",
		"ok device flow denied on the pages",
		"ok device flow auto-approved, public client",
		"ok device flow auto-approved, client_secret_basic",
		"ok device authorization refused: unauthorized_client, invalid_client",
	}, "\n") + "\n"
	if runErr != nil || stdout.String() != want {
		t.Errorf("node openid-client-device.mjs %s: %v\nstdout:\n%s\nstderr:\n%s\nwant stdout:\n%s",
			issuer, runErr, stdout.String(), stderr.String(), want)
	}
}
