//go:build openssl && !cgo

package rsasign

import (
	"os"
	"testing"
)

// TestOpenSSLTagNeedsCgo: -tags openssl without cgo (CGO_ENABLED=0 or no C
// compiler) silently builds the Go signer; CI must not mistake that run for
// a test of the OpenSSL one.
func TestOpenSSLTagNeedsCgo(t *testing.T) {
	msg := "built with -tags openssl but without cgo: the OpenSSL signer is not in this build (install gcc and libssl-dev, CGO_ENABLED=1)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip("SKIP: " + msg)
}
