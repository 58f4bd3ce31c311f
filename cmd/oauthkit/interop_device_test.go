package main

import (
	"path/filepath"
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
	root := interopRoot(t)
	node := requireInteropPeers(t, filepath.Join(root, interopDir))
	issuer := startInteropServe(t, buildInteropBinary(t), root, "--config", interopDir+"/device.yaml")

	interopScriptRun{node: node, root: root, script: "openid-client-device.mjs", issuer: issuer, timeout: 3 * time.Minute, want: []string{
		"ok discovery device_authorization_endpoint",
		"ok device flow approved on the pages",
		"ok device flow denied on the pages",
		"ok device flow auto-approved, public client",
		"ok device flow auto-approved, client_secret_basic",
		"ok device authorization refused: unauthorized_client, invalid_client",
	}}.check(t)
}
