package config

import (
	"testing"
)

func TestSecretHash(t *testing.T) {
	// sha256("batch-s3cret"), computed with sha256sum
	h, err := ParseSecretHash("SHA256:d83e5b8ddd268c7866672f5092b3549522f98e5ddba989098ba6404405a00fdf")
	if err != nil {
		t.Fatal(err)
	}
	if h.Algorithm != HashSHA256 || !h.Matches("batch-s3cret") || h.Matches("batch-s3cret ") {
		t.Errorf("hash %+v does not match as it should", h)
	}
	// sha1("abc") and sha512("abc") from FIPS 180-2
	sha1, _ := ParseSecretHash("sha1:a9993e364706816aba3e25717850c26c9cd0d89d")
	if sha1 == nil || !sha1.Matches("abc") {
		t.Error("sha1 FIPS vector does not match")
	}
	sha512, _ := ParseSecretHash("sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
	if sha512 == nil || !sha512.Matches("abc") {
		t.Error("sha512 FIPS vector does not match")
	}
}
