package token

import (
	"fmt"
	"slices"
	"strings"
)

// SupportedAlgs lists the JWS algorithms oauthkit signs and verifies with:
// public-key algorithms only, never "none" nor HMAC.
func SupportedAlgs() []string { return slices.Clone(supportedAlgs[:]) }

// supportedAlgs is the one list of SupportedAlgs, read without a copy by
// CheckAlgName on every token signed or verified.
var supportedAlgs = [...]string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// CheckAlgName refuses "none", HMAC and unknown algorithm names with a
// one-line reason; it accepts the names SupportedAlgs lists.
func CheckAlgName(alg string) error {
	for _, a := range supportedAlgs {
		if alg == a {
			return nil
		}
	}
	switch up := strings.ToUpper(alg); {
	case up == "NONE":
		return newError(KindAlgorithm, "alg %q is refused: unsigned tokens are never accepted", alg)
	case strings.HasPrefix(up, "HS"):
		return newError(KindAlgorithm, "alg %q is refused: HMAC (shared-secret) algorithms are not accepted, only public-key ones (%s)", alg, strings.Join(SupportedAlgs(), ", "))
	case alg == "":
		return newError(KindMalformed, "header has no alg")
	}
	return newError(KindAlgorithm, "alg %q is not supported (supported: %s)", alg, strings.Join(SupportedAlgs(), ", "))
}

// quoteList renders at most max strings quoted and comma-separated.
func quoteList(ss []string, max int) string {
	var b strings.Builder
	for i, s := range ss {
		if i == max {
			fmt.Fprintf(&b, ", … (%d more)", len(ss)-max)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", s)
	}
	return b.String()
}
