package keys

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
)

// PEM block types.
const (
	pemPKCS8Private = "PRIVATE KEY"
	pemPKCS1Private = "RSA PRIVATE KEY"
	pemSEC1Private  = "EC PRIVATE KEY"
	pemSPKIPublic   = "PUBLIC KEY"
	pemPKCS1Public  = "RSA PUBLIC KEY"
	pemCertificate  = "CERTIFICATE"
	pemEncrypted    = "ENCRYPTED PRIVATE KEY"
	pemECParameters = "EC PARAMETERS"
)

// parsePEM reads every PEM block of data. Text around the blocks is
// ignored; "EC PARAMETERS" blocks (written by openssl ecparam) are skipped.
func parsePEM(data []byte) ([]*Key, error) {
	var blocks []*pem.Block
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != pemECParameters {
			blocks = append(blocks, block)
		}
	}
	if len(blocks) == 0 {
		return nil, fmt.Errorf("%w (no PEM key block found)", ErrNotAKey)
	}
	out := make([]*Key, 0, len(blocks))
	for i, block := range blocks {
		k, err := parsePEMBlock(block)
		if err != nil {
			if len(blocks) > 1 {
				return nil, fmt.Errorf("PEM block %d of %d: %w", i+1, len(blocks), err)
			}
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}

func parsePEMBlock(block *pem.Block) (*Key, error) {
	if block.Type == pemEncrypted || block.Headers["Proc-Type"] == "4,ENCRYPTED" {
		return nil, ErrEncrypted
	}
	switch block.Type {
	case pemPKCS8Private:
		priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, x509Error("PKCS#8 private key", err)
		}
		return newKeyFromSigner(priv)
	case pemPKCS1Private:
		priv, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, x509Error("PKCS#1 RSA private key", err)
		}
		return newKeyFromSigner(priv)
	case pemSEC1Private:
		priv, err := x509.ParseECPrivateKey(block.Bytes)
		if err != nil {
			return nil, x509Error("SEC 1 EC private key", err)
		}
		return newKeyFromSigner(priv)
	case pemSPKIPublic:
		pub, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, x509Error("public key", err)
		}
		return newKeyFromPublic(pub)
	case pemPKCS1Public:
		pub, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, x509Error("PKCS#1 RSA public key", err)
		}
		return newKeyFromPublic(pub)
	case pemCertificate:
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, x509Error("certificate", err)
		}
		return newKeyFromPublic(cert.PublicKey)
	}
	return nil, fmt.Errorf("%w: PEM block %q is not a key", ErrUnsupported, block.Type)
}

// x509Error words a crypto/x509 parse failure: a curve x509 does not know
// (secp256k1, brainpool...) is an unsupported key, anything else is invalid.
func x509Error(what string, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "unknown elliptic curve") || strings.Contains(msg, "unsupported elliptic curve") {
		return fmt.Errorf("%w: EC curve not supported (supported: P-256, P-384, P-521)", ErrUnsupported)
	}
	if strings.Contains(msg, "asn1: ") {
		return fmt.Errorf("invalid %s: malformed DER data", what) // asn1's own text is a struct dump
	}
	return fmt.Errorf("invalid %s: %s", what, strings.TrimPrefix(msg, "x509: "))
}
