//go:build openssl && cgo

package rsasign

/*
#cgo LDFLAGS: -lcrypto
#include <stdlib.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

// The digests are fetched once: an EVP_MD from EVP_sha256() would be
// fetched again, under a lock, by every EVP_DigestSignInit.
static EVP_MD *oauthkit_mds[3];

static int oauthkit_init(void) {
	oauthkit_mds[0] = EVP_MD_fetch(NULL, "SHA2-256", NULL);
	oauthkit_mds[1] = EVP_MD_fetch(NULL, "SHA2-384", NULL);
	oauthkit_mds[2] = EVP_MD_fetch(NULL, "SHA2-512", NULL);
	return oauthkit_mds[0] && oauthkit_mds[1] && oauthkit_mds[2];
}

// oauthkit_last_error empties this thread's error queue and returns the
// most recent code, 0 if none.
static unsigned long oauthkit_last_error(void) {
	unsigned long e, last = 0;
	while ((e = ERR_get_error()) != 0) last = e;
	return last;
}

// oauthkit_load parses a PKCS#1 RSAPrivateKey DER; it fails unless the
// whole input is one key.
static EVP_PKEY *oauthkit_load(const unsigned char *der, long len, unsigned long *err) {
	const unsigned char *p = der;
	ERR_clear_error();
	EVP_PKEY *k = d2i_PrivateKey(EVP_PKEY_RSA, NULL, &p, len);
	if (k != NULL && p != der + len) {
		EVP_PKEY_free(k);
		k = NULL;
	}
	*err = k == NULL ? oauthkit_last_error() : 0;
	return k;
}

// oauthkit_sign signs msg: md 0, 1, 2 for SHA-256, -384, -512; PSS with a
// salt as long as the digest when pss. sig has room for EVP_PKEY_get_size.
// Returns 0, or an OpenSSL error code (1 when OpenSSL gave none).
static unsigned long oauthkit_sign(EVP_PKEY *key, int md, int pss, const unsigned char *msg, size_t msglen,
		unsigned char *sig, size_t *siglen) {
	unsigned long err = 0;
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	ERR_clear_error();
	if (ctx == NULL) goto fail;
	if (EVP_DigestSignInit(ctx, &pctx, oauthkit_mds[md], NULL, key) != 1) goto fail;
	if (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
			EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)) goto fail;
	if (EVP_DigestSign(ctx, sig, siglen, msg, msglen) != 1) goto fail;
	EVP_MD_CTX_free(ctx);
	return 0;
fail:
	err = oauthkit_last_error();
	EVP_MD_CTX_free(ctx);
	return err ? err : 1;
}

static int oauthkit_size(EVP_PKEY *key) { return EVP_PKEY_get_size(key); }
*/
import "C"

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"unsafe"
	"weak"
)

func defaultSigner() Signer { return OpenSSLSigner{} }

// OpenSSLSigner signs through the system's libcrypto (EVP_DigestSign). Each
// private key is handed to OpenSSL once, as PKCS#1 DER, and its EVP_PKEY
// kept for as long as the Go key lives.
type OpenSSLSigner struct{}

var initOnce = sync.OnceValue(func() error {
	if C.oauthkit_init() != 1 {
		return errors.New("rsasign: OpenSSL has no SHA-2 digests (is a provider missing?)")
	}
	return nil
})

// Name implements Signer.
func (OpenSSLSigner) Name() string {
	return "openssl " + C.GoString(C.OpenSSL_version(C.OPENSSL_VERSION_STRING)) + " (cgo)"
}

// Sign implements Signer.
func (OpenSSLSigner) Sign(priv *rsa.PrivateKey, hash crypto.Hash, pss bool, msg []byte) ([]byte, error) {
	if err := checkHash(hash); err != nil {
		return nil, err
	}
	key, err := evpKeyOf(priv)
	if err != nil {
		return nil, err
	}
	sig, err := signWith(key.p, hash, pss, msg)
	// priv owns key.p (its cleanup frees it): keep priv alive past the call.
	runtime.KeepAlive(priv)
	return sig, err
}

// signWith signs msg with an EVP_PKEY.
func signWith(key *C.EVP_PKEY, hash crypto.Hash, pss bool, msg []byte) ([]byte, error) {
	md, err := mdIndex(hash)
	if err != nil {
		return nil, err
	}
	if err := initOnce(); err != nil {
		return nil, err
	}
	size := int(C.oauthkit_size(key))
	if size <= 0 {
		return nil, errors.New("rsasign: OpenSSL reports no signature size for the key")
	}
	sig := make([]byte, size)
	n := C.size_t(len(sig))
	var msgp *C.uchar
	if len(msg) > 0 {
		msgp = (*C.uchar)(unsafe.Pointer(&msg[0]))
	}
	code := C.oauthkit_sign(key, C.int(md), boolInt(pss), msgp, C.size_t(len(msg)),
		(*C.uchar)(unsafe.Pointer(&sig[0])), &n)
	if code != 0 {
		return nil, opensslError("signing", code)
	}
	return sig[:n], nil
}

func mdIndex(hash crypto.Hash) (int, error) {
	if err := checkHash(hash); err != nil {
		return 0, err
	}
	switch hash {
	case crypto.SHA384:
		return 1, nil
	case crypto.SHA512:
		return 2, nil
	}
	return 0, nil
}

func boolInt(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// evpKey is an OpenSSL copy of a Go private key.
type evpKey struct{ p *C.EVP_PKEY }

// keyCache maps a live *rsa.PrivateKey (weakly, so the map does not keep it
// alive) to its evpKey; the key's cleanup removes the entry and frees it.
var keyCache sync.Map // weak.Pointer[rsa.PrivateKey] -> *evpKey

func evpKeyOf(priv *rsa.PrivateKey) (*evpKey, error) {
	if priv == nil {
		return nil, errors.New("rsasign: no private key")
	}
	wp := weak.Make(priv)
	if v, ok := keyCache.Load(wp); ok {
		return v.(*evpKey), nil
	}
	p, err := loadDER(x509.MarshalPKCS1PrivateKey(priv), true)
	if err != nil {
		return nil, err
	}
	k := &evpKey{p: p}
	if v, loaded := keyCache.LoadOrStore(wp, k); loaded {
		freeKey(p)
		return v.(*evpKey), nil
	}
	runtime.AddCleanup(priv, func(wp weak.Pointer[rsa.PrivateKey]) {
		if v, ok := keyCache.LoadAndDelete(wp); ok {
			freeKey(v.(*evpKey).p)
		}
	}, wp)
	return k, nil
}

// loadDER hands a PKCS#1 RSAPrivateKey DER to OpenSSL; wipe clears der
// afterwards (it holds the private key).
func loadDER(der []byte, wipe bool) (*C.EVP_PKEY, error) {
	if wipe {
		defer clear(der)
	}
	if len(der) == 0 {
		return nil, errors.New("rsasign: empty key")
	}
	var code C.ulong
	p := C.oauthkit_load((*C.uchar)(unsafe.Pointer(&der[0])), C.long(len(der)), &code)
	if p == nil {
		return nil, opensslError("loading the RSA key", code)
	}
	return p, nil
}

func freeKey(p *C.EVP_PKEY) { C.EVP_PKEY_free(p) }

func opensslError(what string, code C.ulong) error {
	if code <= 1 {
		return fmt.Errorf("rsasign: OpenSSL failed %s", what)
	}
	var buf [256]C.char
	C.ERR_error_string_n(code, &buf[0], C.size_t(len(buf)))
	return fmt.Errorf("rsasign: OpenSSL failed %s: %s", what, C.GoString(&buf[0]))
}
