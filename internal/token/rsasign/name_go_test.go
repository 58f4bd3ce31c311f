//go:build !openssl || !cgo

package rsasign

import "testing"

func TestDefaultIsGo(t *testing.T) {
	if got := Default.Name(); got != "go crypto/rsa" {
		t.Fatalf("Default.Name() = %q, want go crypto/rsa", got)
	}
}
