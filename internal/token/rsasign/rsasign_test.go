package rsasign

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/oauthkit/oauthkit/keys"
)

// These tests run on both builds: with -tags openssl they check the cgo
// signer against Go's crypto/rsa, without it the Go signer.

// testKey reads ../testdata/NAME.pem, an RSA private key.
func testKey(t testing.TB, name string) *rsa.PrivateKey {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", name+".pem"))
	if err != nil {
		t.Fatal(err)
	}
	ks, err := keys.Parse(data)
	if err != nil || len(ks) != 1 {
		t.Fatalf("parse %s: %v", name, err)
	}
	priv, ok := ks[0].Private.(*rsa.PrivateKey)
	if !ok {
		t.Fatalf("%s is a %T, not an RSA private key", name, ks[0].Private)
	}
	return priv
}

var algs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}

// verify checks sig over msg with Go's crypto/rsa, as a relying party would.
func verify(t testing.TB, pub *rsa.PublicKey, alg string, msg, sig []byte) {
	t.Helper()
	hash, pss, _ := ForAlg(alg)
	h := hash.New()
	h.Write(msg)
	digest := h.Sum(nil)
	var err error
	if pss {
		// RFC 7518 §3.5: the salt is as long as the hash; refuse any other.
		err = rsa.VerifyPSS(pub, hash, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	} else {
		err = rsa.VerifyPKCS1v15(pub, hash, digest, sig)
	}
	if err != nil {
		t.Fatalf("%s signature of %q does not verify with crypto/rsa: %v", alg, msg, err)
	}
}

func TestDefaultSignsEveryRSAAlg(t *testing.T) {
	for _, name := range []string{"rsa", "rsa2"} {
		priv := testKey(t, name)
		for _, alg := range algs {
			t.Run(name+"/"+alg, func(t *testing.T) {
				hash, pss, ok := ForAlg(alg)
				if !ok {
					t.Fatalf("ForAlg(%s) not ok", alg)
				}
				msg := []byte("eyJhbGciOiJ" + alg + "In0.eyJzdWIiOiJhbGljZSJ9")
				sig, err := Default.Sign(priv, hash, pss, msg)
				if err != nil {
					t.Fatalf("%s: %v", Default.Name(), err)
				}
				if len(sig) != priv.Size() {
					t.Fatalf("signature of %d bytes, want %d", len(sig), priv.Size())
				}
				verify(t, &priv.PublicKey, alg, msg, sig)
				if pss {
					return
				}
				// PKCS#1 v1.5 is deterministic: byte for byte Go's signature.
				want, err := GoSigner{}.Sign(priv, hash, false, msg)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(sig, want) {
					t.Fatalf("%s differs from crypto/rsa's signature", Default.Name())
				}
			})
		}
	}
}

func TestPSSIsRandomized(t *testing.T) {
	priv := testKey(t, "rsa")
	a, err := Default.Sign(priv, crypto.SHA256, true, []byte("m"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Default.Sign(priv, crypto.SHA256, true, []byte("m"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, b) {
		t.Fatal("two PS256 signatures of one message are equal: the salt is not random")
	}
}

func TestRefusesOtherHashes(t *testing.T) {
	priv := testKey(t, "rsa")
	for _, h := range []crypto.Hash{crypto.SHA1, crypto.MD5, crypto.SHA3_256, 0} {
		_, err := Default.Sign(priv, h, false, []byte("m"))
		if err == nil || !strings.Contains(err.Error(), "not used by JWS") {
			t.Fatalf("hash %v: err %v, want a refusal", h, err)
		}
	}
	if _, _, ok := ForAlg("ES256"); ok {
		t.Fatal("ForAlg(ES256) ok")
	}
}

func TestEmptyMessage(t *testing.T) {
	priv := testKey(t, "rsa")
	sig, err := Default.Sign(priv, crypto.SHA256, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	verify(t, &priv.PublicKey, "RS256", nil, sig)
}

// TestConcurrentSigning signs from many goroutines at once with two keys
// (run it under -race): every signature verifies.
func TestConcurrentSigning(t *testing.T) {
	privs := []*rsa.PrivateKey{testKey(t, "rsa"), testKey(t, "rsa2")}
	const workers, each = 16, 8
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				priv := privs[(w+i)%2]
				alg := algs[(w*each+i)%len(algs)]
				hash, pss, _ := ForAlg(alg)
				msg := fmt.Appendf(nil, "worker %d message %d", w, i)
				sig, err := Default.Sign(priv, hash, pss, msg)
				if err != nil {
					errs <- err
					continue
				}
				digest := hash.New()
				digest.Write(msg)
				if pss {
					err = rsa.VerifyPSS(&priv.PublicKey, hash, digest.Sum(nil), sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
				} else {
					err = rsa.VerifyPKCS1v15(&priv.PublicKey, hash, digest.Sum(nil), sig)
				}
				if err != nil {
					errs <- fmt.Errorf("worker %d %s: %w", w, alg, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// FuzzSign signs arbitrary messages with every RSA alg; each signature must
// verify with crypto/rsa, and a PKCS#1 v1.5 one must equal Go's.
func FuzzSign(f *testing.F) {
	f.Add([]byte("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0"), uint8(0))
	f.Add([]byte{}, uint8(3))
	f.Add(bytes.Repeat([]byte{0}, 4096), uint8(5))
	f.Add([]byte("\xff\xfe"), uint8(2))
	priv := testKey(f, "rsa")
	f.Fuzz(func(t *testing.T, msg []byte, which uint8) {
		alg := algs[int(which)%len(algs)]
		hash, pss, _ := ForAlg(alg)
		sig, err := Default.Sign(priv, hash, pss, msg)
		if err != nil {
			t.Fatal(err)
		}
		verify(t, &priv.PublicKey, alg, msg, sig)
		if !pss {
			want, _ := GoSigner{}.Sign(priv, hash, false, msg)
			if !bytes.Equal(sig, want) {
				t.Fatalf("%s differs from crypto/rsa", alg)
			}
		}
	})
}

// Signing speed of this build's signer. cpu-ns/op is the CPU time per
// signature (1e9 / cpu-ns/op is signatures per second per core), which a
// busy shared machine disturbs less than ns/op:
//
//	go test -run='^$' -bench=Sign -cpu=1,2 ./internal/token/rsasign/
//	go test -run='^$' -bench=Sign -cpu=1,2 -tags openssl ./internal/token/rsasign/
func BenchmarkSignRS256(b *testing.B) {
	priv := testKey(b, "rsa")
	msg := bytes.Repeat([]byte("a"), 600)
	if _, err := Default.Sign(priv, crypto.SHA256, false, msg); err != nil { // loads the key
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu := processCPU()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := Default.Sign(priv, crypto.SHA256, false, msg); err != nil {
				b.Error(err)
				return
			}
		}
	})
	if used := processCPU() - cpu; used > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}
