package dpop

import (
	"encoding/base64"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oauthkit/oauthkit/keys"
)

func signWith(t testing.TB, k *keys.Key, alg, input string) string {
	t.Helper()
	sig, err := jwt.GetSigningMethod(alg).Sign(input, k.Private)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(sig)
}
