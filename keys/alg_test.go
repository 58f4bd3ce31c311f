package keys

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"testing"
)

func TestAlgsUnsupportedCurve(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if a := Algs(&k.PublicKey); a != nil {
		t.Errorf("Algs(P-224) = %v, want nil", a)
	}
	if err := CheckAlg(&k.PublicKey, "ES256"); err == nil {
		t.Error("CheckAlg(P-224, ES256) succeeded")
	}
	if _, err := Thumbprint(&k.PublicKey); err == nil {
		t.Error("Thumbprint(P-224) succeeded")
	}
	if a := (Spec{Type: TypeEC, Curve: "P-192"}).Algs(); a != nil {
		t.Errorf("Spec P-192 Algs = %v", a)
	}
}
