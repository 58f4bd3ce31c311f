//go:build openssl

package servetest

// BuildTags are the build tags of the binary under test: the suite's own,
// so `go test -tags openssl ./...` tests the OpenSSL signer's binary end
// to end.
const BuildTags = "openssl"
