package keys

import (
	"encoding/json"
	"errors"
	"fmt"
)

// ParseVerificationSet parses a JWKS published by a server, for verifying
// its signatures. Real servers publish more than signing keys: symmetric
// keys, encryption keys ("use": "enc"), curves this package does not
// support. Those entries are skipped and described in skipped, instead of
// failing the whole set; a malformed entry of a supported type is still an
// error, and so is a set left with no usable key.
func ParseVerificationSet(data []byte) (ks []*Key, skipped []string, err error) {
	var set JWKS
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, nil, fmt.Errorf("invalid JWKS: %v", jsonError(err))
	}
	if set.Keys == nil {
		return nil, nil, errors.New(`invalid JWKS: no "keys" member`)
	}
	for i, j := range set.Keys {
		if j == nil {
			return nil, nil, fmt.Errorf("JWKS key %d of %d: null instead of a JWK", i+1, len(set.Keys))
		}
		name := fmt.Sprintf("key %d of %d", i+1, len(set.Keys))
		if j.Kid != "" {
			name += fmt.Sprintf(" (kid %q)", j.Kid)
		}
		if j.Use == "enc" {
			skipped = append(skipped, name+`: an encryption key ("use": "enc")`)
			continue
		}
		k, err := j.Key()
		switch {
		case errors.Is(err, ErrSymmetricKey):
			skipped = append(skipped, name+`: a symmetric key (kty "oct")`)
			continue
		case errors.Is(err, ErrUnsupported), errors.Is(err, ErrKeyTooSmall):
			skipped = append(skipped, name+": "+err.Error())
			continue
		case err != nil:
			return nil, nil, fmt.Errorf("JWKS %s: %w", name, err)
		}
		ks = append(ks, k)
	}
	if len(ks) == 0 {
		if len(skipped) > 0 {
			return nil, skipped, fmt.Errorf("%w: the JWKS has no key this tool can verify with (%d skipped: %s)", ErrNotAKey, len(skipped), skipped[0])
		}
		return nil, nil, fmt.Errorf("%w (the JWKS holds no keys)", ErrNotAKey)
	}
	return ks, skipped, nil
}
