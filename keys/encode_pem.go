package keys

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
)

// EncodePKCS8 returns priv as a PKCS#8 "PRIVATE KEY" PEM block.
func EncodePKCS8(priv crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("encoding the private key: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPKCS8Private, Bytes: der}), nil
}

// EncodePKCS1 returns an RSA private key as a PKCS#1 "RSA PRIVATE KEY" PEM
// block; other keys are refused.
func EncodePKCS1(priv crypto.Signer) ([]byte, error) {
	r, ok := priv.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("PKCS#1 holds RSA keys only, not %s", keyFamily(priv.Public()))
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPKCS1Private, Bytes: x509.MarshalPKCS1PrivateKey(r)}), nil
}

// EncodePublicPEM returns pub as an SPKI "PUBLIC KEY" PEM block.
func EncodePublicPEM(pub crypto.PublicKey) ([]byte, error) {
	if err := checkPublic(pub); err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("encoding the public key: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemSPKIPublic, Bytes: der}), nil
}

// keyFamily names a key's family for messages: "RSA", "EC P-256", "Ed25519".
func keyFamily(pub crypto.PublicKey) string {
	typ, _, curve := Info(pub)
	switch typ {
	case "rsa":
		return "RSA"
	case "ec":
		return "EC " + curve
	case "ed25519":
		return "Ed25519"
	}
	return fmt.Sprintf("%T", pub)
}
