//go:build openssl && cgo

package version

const signerPattern = `openssl 3\.[0-9]+\.[0-9]+ \(cgo\)`
