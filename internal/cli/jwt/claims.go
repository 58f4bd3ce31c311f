package jwt

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
)

// readClaims parses --claims: a JSON object given inline (a bad one is a
// usage error) or read from @FILE / @- (a bad one is a failure). Numbers
// keep their precision.
func readClaims(opts *SignOptions) (map[string]any, error) {
	if opts.Claims == "" {
		return map[string]any{}, nil
	}
	if path, ok := strings.CutPrefix(opts.Claims, "@"); ok {
		data, err := cmdutil.ReadInput(opts.Factory, path)
		if err != nil {
			return nil, err
		}
		claims, err := parseClaims(data)
		if err != nil {
			name := path
			if path == "-" {
				name = "standard input"
			}
			return nil, cmdutil.Failf("claims in %s: %v", name, err)
		}
		return claims, nil
	}
	claims, err := parseClaims([]byte(opts.Claims))
	if err != nil {
		return nil, cmdutil.UsageErrorf("--claims: %v", err)
	}
	return claims, nil
}

func parseClaims(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if err == io.EOF {
			return nil, errors.New("empty, expected a JSON object")
		}
		return nil, errors.New("not valid JSON: " + err.Error())
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON object")
	}
	return obj, nil
}
