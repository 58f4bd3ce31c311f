package keys

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// maxFileSize bounds what ParseFile reads.
const maxFileSize = 1 << 20

// Parse reads every key in data: one or more PEM blocks, a JWK, or a JWKS
// ({"keys": [...]}). It fails on the first key that is malformed, symmetric,
// of an unsupported type or too small, and when data holds no key at all.
func Parse(data []byte) ([]*Key, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("%w (the input is empty)", ErrNotAKey)
	}
	if trimmed[0] == '{' {
		return parseJSON(trimmed)
	}
	if bytes.Contains(trimmed, []byte("-----BEGIN ")) {
		return parsePEM(trimmed)
	}
	return nil, ErrNotAKey
}

// ParseFile reads the file at path (at most 1 MiB) and parses it with Parse.
// Errors name the file.
func ParseFile(path string) ([]*Key, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("%s is larger than 1 MiB", path)
	}
	ks, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ks, nil
}
