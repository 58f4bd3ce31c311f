package dpop

import (
	"testing"
)

// FuzzParse feeds arbitrary DPoP header values to the proof parser: it must
// never panic, and whatever it accepts has a key, a thumbprint and the
// required claims.
func FuzzParse(f *testing.F) {
	k := ecKey(f)
	f.Add(proof(f, k, ProofRequest{}))
	f.Add(proof(f, k, ProofRequest{AccessToken: "at", Nonce: "n"}))
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("a.b.c")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			return
		}
		if p.Key == nil || p.JKT == "" || p.JTI == "" || p.HTM == "" || p.HTU == "" {
			t.Fatalf("accepted an incomplete proof: %+v", p)
		}
	})
}
