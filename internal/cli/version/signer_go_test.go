//go:build !openssl || !cgo

package version

const signerPattern = `go crypto/rsa`
