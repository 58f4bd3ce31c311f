//go:build !openssl

package servetest

// BuildTags are the build tags of the binary under test: the suite's own
// (none here; tags_openssl.go for `go test -tags openssl`).
const BuildTags = ""
