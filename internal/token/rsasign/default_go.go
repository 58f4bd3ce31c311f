//go:build !openssl || !cgo

package rsasign

func defaultSigner() Signer { return GoSigner{} }
