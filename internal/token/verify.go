package token

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oauthkit/oauthkit/keys"
)

// Verifier checks compact JWTs against a set of public keys. The zero value
// of each option is the strict choice.
type Verifier struct {
	// Keys verify signatures; the token's kid selects one (by Key.KeyID).
	// When no key has that kid, the keys without a kid of their own (a PEM
	// key, a JWK without "kid") are tried. Without a kid in the token, every
	// key the token's alg is allowed for is tried.
	// Keys whose "use" is set to something other than "sig" are ignored.
	Keys []*keys.Key
	// Algs pins the accepted algorithms. Empty: each key accepts only its
	// own Algorithm(). A key with an "alg" of its own accepts only that one.
	// "none" and HMAC are never accepted.
	Algs []string
	// Issuer, when set, must equal the iss claim.
	Issuer string
	// Audience, when set, must be (or be one of) the aud claim.
	Audience string
	// Type, when set, must match the header typ (case-insensitive, an
	// "application/" prefix ignored), e.g. "at+jwt" for RFC 9068 tokens.
	Type string
	// Leeway tolerates clock skew when checking exp, nbf and iat.
	Leeway time.Duration
	// AllowMissingExp accepts tokens without an exp claim.
	AllowMissingExp bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Memo, when set, remembers tokens whose signature verified
	// (verify_memo.go); their claims are still checked at every Verify.
	Memo *SignatureMemo
}

// Verified is a token whose signature and claims were checked.
type Verified struct {
	*Decoded
	// Key is the key whose signature matched; Alg the algorithm used.
	Key *keys.Key
	Alg string
}

// Verify decodes token and checks, in this order: structure, algorithm, key,
// signature, then the claims (exp, nbf, iat, iss, aud) and typ. Nothing in
// the claims is looked at before the signature verifies, so a token both
// expired and badly signed is reported as badly signed.
//
// A rejected token yields an *Error (see Kind); a misconfigured Verifier
// yields another error.
func (v *Verifier) Verify(token string) (*Verified, error) {
	if err := v.check(); err != nil {
		return nil, err
	}
	var sum [sha256.Size]byte
	if v.Memo != nil {
		sum = sha256.Sum256([]byte(token))
		if verified, err := v.remembered(sum); verified != nil || err != nil {
			return verified, err
		}
	}
	d, err := Decode(token)
	if err != nil {
		return nil, err
	}
	alg, candidates, err := v.selectKeys(d)
	if err != nil {
		return nil, err
	}
	key, err := verifySignature(d, alg, candidates)
	if err != nil {
		return nil, err
	}
	if v.Memo != nil {
		v.Memo.put(sum, memoEntry{d: d.clone(), key: key, alg: alg})
	}
	if err := v.checkClaims(d); err != nil {
		return nil, err
	}
	return &Verified{Decoded: d, Key: key, Alg: alg}, nil
}

// check validates the Verifier's own configuration.
func (v *Verifier) check() error {
	if len(v.Keys) == 0 {
		return errors.New("token verifier has no keys")
	}
	for _, k := range v.Keys {
		if k == nil || k.Public == nil {
			return errors.New("token verifier has an empty key")
		}
	}
	for _, a := range v.Algs {
		if err := CheckAlgName(a); err != nil {
			return fmt.Errorf("token verifier: %w", err)
		}
	}
	if v.Leeway < 0 {
		return fmt.Errorf("token verifier: negative leeway %s", v.Leeway)
	}
	return nil
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

// allowedAlgs lists the algorithms k may verify.
func (v *Verifier) allowedAlgs(k *keys.Key) []string {
	if k.Use != "" && k.Use != "sig" {
		return nil
	}
	fits := func(a string) bool {
		return CheckAlgName(a) == nil && keys.CheckAlg(k.Public, a) == nil
	}
	if len(v.Algs) == 0 {
		if a := k.Algorithm(); fits(a) {
			return []string{a}
		}
		return nil
	}
	var out []string
	for _, a := range v.Algs {
		if (k.Alg == "" || a == k.Alg) && fits(a) {
			out = append(out, a)
		}
	}
	return out
}

// selectKeys checks the header's alg and kid and returns the keys to try.
func (v *Verifier) selectKeys(d *Decoded) (string, []*keys.Key, error) {
	algVal, present := d.Header["alg"]
	alg, isString := algVal.(string)
	if !present || !isString {
		return "", nil, newError(KindMalformed, "header has no alg (or it is not a string)")
	}
	if err := CheckAlgName(alg); err != nil {
		return "", nil, err
	}
	if crit, ok := d.Header["crit"]; ok {
		return "", nil, newError(KindMalformed, "header lists critical extensions %v, none of which are understood", crit)
	}
	kidVal, hasKID := d.Header["kid"]
	kid, isString := kidVal.(string)
	if hasKID && !isString {
		return "", nil, newError(KindMalformed, "header kid is %s, not a string", jsonTypeName(kidVal))
	}
	pool := v.Keys
	if hasKID {
		pool = keysWithID(v.Keys, kid)
		if len(pool) == 0 {
			return "", nil, newError(KindUnknownKey, "no key has kid %q (known: %s)", kid, quoteList(v.keyIDs(), 5))
		}
	}
	var candidates []*keys.Key
	var allowed []string
	for _, k := range pool {
		algs := v.allowedAlgs(k)
		if slices.Contains(algs, alg) {
			candidates = append(candidates, k)
		}
		for _, a := range algs {
			if !slices.Contains(allowed, a) {
				allowed = append(allowed, a)
			}
		}
	}
	if len(candidates) == 0 {
		where := describePool(pool)
		if len(allowed) == 0 {
			return "", nil, newError(KindAlgorithm, "alg %s is not allowed %s (no algorithm is: check the key's use and alg)", alg, where)
		}
		return "", nil, newError(KindAlgorithm, "alg %s is not allowed %s (allowed: %s)", alg, where, strings.Join(allowed, ", "))
	}
	return alg, candidates, nil
}

// describePool names the keys an alg was checked against by their own kid
// (a JWK's, else the RFC 7638 thumbprint) and type, not by the token's kid:
// `for the EC P-256 key "kid"`, `for the 2 keys RSA 2048-bit "a", EC P-256 "b"`.
func describePool(pool []*keys.Key) string {
	if len(pool) == 1 {
		return fmt.Sprintf("for the %s key %q", keys.Describe(pool[0].Public), pool[0].KeyID())
	}
	const most = 5
	var names []string
	for i, k := range pool {
		if i == most {
			names = append(names, fmt.Sprintf("and %d more", len(pool)-most))
			break
		}
		names = append(names, fmt.Sprintf("%s %q", keys.Describe(k.Public), k.KeyID()))
	}
	return fmt.Sprintf("for the %d keys %s", len(pool), strings.Join(names, ", "))
}

// keysWithID returns the keys whose KeyID is kid; when there are none, the
// keys that declare no kid of their own (a bare PEM or JWK: the token's kid
// cannot contradict them, and the signature still has to verify).
func keysWithID(ks []*keys.Key, kid string) []*keys.Key {
	var byID, anonymous []*keys.Key
	for _, k := range ks {
		switch {
		case k.KeyID() == kid:
			byID = append(byID, k)
		case k.KID == "":
			anonymous = append(anonymous, k)
		}
	}
	if len(byID) > 0 {
		return byID
	}
	return anonymous
}

func (v *Verifier) keyIDs() []string {
	ids := make([]string, 0, len(v.Keys))
	for _, k := range v.Keys {
		ids = append(ids, k.KeyID())
	}
	return ids
}

// verifySignature returns the first candidate whose signature verifies.
func verifySignature(d *Decoded, alg string, candidates []*keys.Key) (*keys.Key, error) {
	method := jwt.GetSigningMethod(alg)
	if method == nil {
		return nil, newError(KindAlgorithm, "alg %q is not supported", alg)
	}
	if len(d.Signature) == 0 {
		return nil, newError(KindSignature, "token signature is empty")
	}
	for _, k := range candidates {
		if method.Verify(d.SigningInput, d.Signature, k.Public) == nil {
			return k, nil
		}
	}
	if kid := d.KeyID(); kid != "" {
		return nil, newError(KindSignature, "token signature is invalid (alg %s, kid %q)", alg, kid)
	}
	return nil, newError(KindSignature, "token signature is invalid (alg %s; no kid, %d key(s) tried)", alg, len(candidates))
}

// checkClaims checks the time claims, then iss, aud and typ.
func (v *Verifier) checkClaims(d *Decoded) error {
	now := v.now()
	leewayNote := ""
	if v.Leeway > 0 {
		leewayNote = fmt.Sprintf(", beyond the %s leeway", v.Leeway)
	}
	exp, hasExp, err := NumericDate(d.Claims, "exp")
	if err != nil {
		return err
	}
	switch {
	case !hasExp && !v.AllowMissingExp:
		return newError(KindMissingExp, "token has no exp (expiration) claim, and one is required")
	case hasExp && !now.Before(exp.Add(v.Leeway)):
		return newError(KindExpired, "token expired at %s%s", FormatTime(exp, now), leewayNote)
	}
	nbf, hasNbf, err := NumericDate(d.Claims, "nbf")
	if err != nil {
		return err
	}
	if hasNbf && now.Add(v.Leeway).Before(nbf) {
		return newError(KindNotYetValid, "token is not valid before %s%s", FormatTime(nbf, now), leewayNote)
	}
	iat, hasIat, err := NumericDate(d.Claims, "iat")
	if err != nil {
		return err
	}
	if hasIat && now.Add(v.Leeway).Before(iat) {
		return newError(KindNotYetValid, "token was issued in the future, at %s%s", FormatTime(iat, now), leewayNote)
	}
	if err := v.checkIssuer(d.Claims); err != nil {
		return err
	}
	if err := v.checkAudience(d.Claims); err != nil {
		return err
	}
	return v.checkType(d)
}

func (v *Verifier) checkIssuer(claims map[string]any) error {
	if v.Issuer == "" {
		return nil
	}
	raw, ok := claims["iss"]
	if !ok {
		return newError(KindIssuer, "token has no iss claim, expected %q", v.Issuer)
	}
	iss, isString := raw.(string)
	if !isString {
		return newError(KindIssuer, "token iss claim is %s, expected the string %q", jsonTypeName(raw), v.Issuer)
	}
	if iss != v.Issuer {
		return newError(KindIssuer, "token issuer %q is not the expected %q", iss, v.Issuer)
	}
	return nil
}

func (v *Verifier) checkAudience(claims map[string]any) error {
	if v.Audience == "" {
		return nil
	}
	aud, ok, err := Audience(claims)
	if err != nil {
		return newError(KindAudience, "%s", err)
	}
	if !ok {
		return newError(KindAudience, "token has no aud claim, expected %q", v.Audience)
	}
	if !slices.Contains(aud, v.Audience) {
		return newError(KindAudience, "token audience [%s] does not include the expected %q", quoteList(aud, 5), v.Audience)
	}
	return nil
}

func (v *Verifier) checkType(d *Decoded) error {
	if v.Type == "" {
		return nil
	}
	typ := d.Type()
	norm := func(s string) string {
		s = strings.ToLower(s)
		return strings.TrimPrefix(s, "application/")
	}
	if norm(typ) != norm(v.Type) {
		if typ == "" {
			return newError(KindType, "token header has no typ, expected %q", v.Type)
		}
		return newError(KindType, "token typ %q is not the expected %q", typ, v.Type)
	}
	return nil
}
