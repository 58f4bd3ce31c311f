package rsasign

import "testing"

// HoldsThread matches the signer: crypto/rsa runs on a Go thread, OpenSSL
// in a cgo call.
func TestHoldsThread(t *testing.T) {
	_, isGo := Default.(GoSigner)
	if HoldsThread() != isGo {
		t.Fatalf("HoldsThread() = %v with %s", HoldsThread(), Default.Name())
	}
}
