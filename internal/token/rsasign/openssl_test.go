//go:build openssl && cgo

package rsasign

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"runtime"
	"strings"
	"testing"
	"weak"
)

func TestDefaultIsOpenSSL(t *testing.T) {
	name := Default.Name()
	if _, ok := Default.(OpenSSLSigner); !ok || !strings.HasPrefix(name, "openssl 3.") || !strings.HasSuffix(name, " (cgo)") {
		t.Fatalf("Default is %T named %q, want the OpenSSL 3 signer", Default, name)
	}
}

// TestLoadDER: OpenSSL takes a PKCS#1 RSAPrivateKey and refuses anything
// else with an error, not a crash.
func TestLoadDER(t *testing.T) {
	priv := testKey(t, "rsa")
	der := x509.MarshalPKCS1PrivateKey(priv)
	p, err := loadDER(bytes.Clone(der), false)
	if err != nil {
		t.Fatalf("a valid key: %v", err)
	}
	freeKey(p)
	pkcs8, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string][]byte{
		"empty":          nil,
		"garbage":        []byte("not a key at all"),
		"truncated":      der[:len(der)/2],
		"trailing bytes": append(bytes.Clone(der), 0, 0),
		"public key":     x509.MarshalPKCS1PublicKey(&priv.PublicKey),
		"pkcs8 wrapper":  append(pkcs8[:len(pkcs8):len(pkcs8)], 1),
	}
	for name, in := range bad {
		if p, err := loadDER(in, false); err == nil {
			freeKey(p)
			t.Errorf("%s: loaded, want an error", name)
		} else if !strings.HasPrefix(err.Error(), "rsasign: ") {
			t.Errorf("%s: error %q", name, err)
		}
	}
}

// TestLoadWipesDER: the DER copy of the private key is cleared once OpenSSL
// has it.
func TestLoadWipesDER(t *testing.T) {
	der := x509.MarshalPKCS1PrivateKey(testKey(t, "rsa"))
	p, err := loadDER(der, true)
	if err != nil {
		t.Fatal(err)
	}
	freeKey(p)
	if !bytes.Equal(der, make([]byte, len(der))) {
		t.Fatal("the DER of the private key was left in memory")
	}
}

// TestKeyCache: a key is handed to OpenSSL once, and its EVP_PKEY freed
// once the Go key is garbage.
func TestKeyCache(t *testing.T) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	a, err := evpKeyOf(priv)
	if err != nil {
		t.Fatal(err)
	}
	b, err := evpKeyOf(priv)
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Fatal("the same key was loaded twice")
	}
	wp := weak.Make(priv)
	sig, err := Default.Sign(priv, crypto.SHA256, false, []byte("m"))
	if err != nil {
		t.Fatal(err)
	}
	verify(t, &priv.PublicKey, "RS256", []byte("m"), sig)
	priv = nil
	// The cleanup runs on its own goroutine after a collection.
	for range 100 {
		runtime.GC()
		if _, ok := keyCache.Load(wp); !ok {
			return
		}
		runtime.Gosched()
	}
	t.Fatal("the EVP_PKEY of a collected key is still cached")
}

func TestNilKey(t *testing.T) {
	if _, err := Default.Sign(nil, crypto.SHA256, false, []byte("m")); err == nil {
		t.Fatal("signed with a nil key")
	}
}

// FuzzLoadDER hands arbitrary bytes to OpenSSL's key loader: an error or
// a key, never a crash; a key it takes must sign what crypto/rsa verifies
// with the key Go parses from the same bytes.
func FuzzLoadDER(f *testing.F) {
	priv := testKey(f, "rsa")
	der := x509.MarshalPKCS1PrivateKey(priv)
	f.Add(der)
	f.Add(der[:100])
	f.Add(x509.MarshalPKCS1PublicKey(&priv.PublicKey))
	f.Add([]byte{0x30, 0x82, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, in []byte) {
		p, err := loadDER(in, false)
		if err != nil {
			return
		}
		defer freeKey(p)
		goKey, err := x509.ParsePKCS1PrivateKey(in)
		if err != nil || goKey.N.BitLen() < 2048 {
			return // OpenSSL is more lenient; the server only hands it Go-made DER
		}
		msg := []byte("fuzz")
		sig, err := signWith(p, crypto.SHA256, false, msg)
		if err != nil {
			return
		}
		verify(t, &goKey.PublicKey, "RS256", msg, sig)
	})
}
