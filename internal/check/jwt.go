package check

import (
	"context"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/internal/token"
)

// jwtLeeway is the clock skew tolerated on the time claims.
const jwtLeeway = time.Minute

func jwtChecks() []Check {
	return []Check{
		{ID: "jwt.no-alg-none", Group: "jwt", Level: Must, Ref: "RFC 8725 §3.1",
			Title: "a JWT access token is signed with a public-key algorithm (not none, not HMAC)", run: checkJWTAlg},
		{ID: "jwt.signature", Group: "jwt", Level: Must, Ref: "RFC 9068 §4",
			Title: "a JWT access token verifies with a key of the JWKS", run: checkJWTSignature},
		{ID: "jwt.claims", Group: "jwt", Level: Must, Ref: "RFC 9068 §2.2",
			Title: "a JWT access token has iss (the issuer), exp (future) and aud; with typ at+jwt also sub, client_id, iat, jti", run: checkJWTClaims},
		{ID: "jwt.typ", Group: "jwt", Level: Should, Ref: "RFC 9068 §2.1",
			Title: "a JWT access token declares typ at+jwt", run: checkJWTTyp},
	}
}

// accessJWT is the sample access token decoded, when it is a JWT.
func (e *Env) accessJWT(ctx context.Context) (*token.Decoded, string, Outcome, bool) {
	st, out, ok := e.sampleToken(ctx)
	if !ok {
		return nil, "", out, false
	}
	if strings.Count(st.tr.AccessToken, ".") != 2 {
		return nil, "", skipf("the access token is opaque (not a JWT)"), false
	}
	d, err := token.Decode(st.tr.AccessToken)
	if err != nil {
		return nil, "", failf("the access token looks like a JWT but does not decode: %v", err), false
	}
	return d, st.tr.AccessToken, Outcome{}, true
}

func checkJWTAlg(ctx context.Context, e *Env) Outcome {
	d, _, out, ok := e.accessJWT(ctx)
	if !ok {
		return out
	}
	alg := d.Alg()
	if err := token.CheckAlgName(alg); err != nil {
		if token.KindOf(err) == token.KindAlgorithm && !strings.EqualFold(alg, "none") && !strings.HasPrefix(strings.ToUpper(alg), "HS") {
			return skipf("alg %q is not one this tool verifies", alg)
		}
		return failf("the access token's alg %q: %v", alg, err)
	}
	if len(d.Signature) == 0 {
		return failf("the access token has no signature")
	}
	return pass()
}

func checkJWTSignature(ctx context.Context, e *Env) Outcome {
	d, raw, out, ok := e.accessJWT(ctx)
	if !ok {
		return out
	}
	st, out, ok := e.needJWKS(ctx)
	if !ok {
		return out
	}
	if st.setErr != nil {
		return failf("the JWKS has no usable key: %v", st.setErr)
	}
	if token.CheckAlgName(d.Alg()) != nil || len(d.Signature) == 0 {
		return skipf("the access token is not signed with a public-key algorithm (jwt.no-alg-none)")
	}
	v := &token.Verifier{Keys: st.set, AllowMissingExp: true, Leeway: 24 * time.Hour, Now: e.cfg.Now}
	if _, err := v.Verify(raw); err != nil {
		switch token.KindOf(err) {
		case token.KindSignature, token.KindUnknownKey, token.KindAlgorithm, token.KindMalformed:
			return failf("the access token (alg %q, kid %q) does not verify with the JWKS: %v", d.Alg(), d.KeyID(), err)
		}
	}
	return pass()
}

func checkJWTClaims(ctx context.Context, e *Env) Outcome {
	d, raw, out, ok := e.accessJWT(ctx)
	if !ok {
		return out
	}
	st, out, ok := e.needJWKS(ctx)
	if !ok {
		return out
	}
	// The signature is jwt.signature's: here any key of the set verifies.
	v := &token.Verifier{Keys: st.set, Issuer: e.cfg.Issuer, Leeway: jwtLeeway, Now: e.cfg.Now}
	if _, err := v.Verify(raw); err != nil {
		switch token.KindOf(err) {
		case token.KindSignature, token.KindUnknownKey, token.KindAlgorithm, token.KindMalformed:
			return skipf("the signature does not verify (jwt.signature), so the claims mean nothing")
		}
		return failf("the access token: %v", err)
	}
	want := []string{"aud"}
	if strings.EqualFold(strings.TrimPrefix(strings.ToLower(d.Type()), "application/"), "at+jwt") {
		want = append(want, "sub", "client_id", "iat", "jti")
	}
	var missing []string
	for _, c := range want {
		if _, ok := d.Claims[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return failf("the access token has no %s claim", strings.Join(missing, ", "))
	}
	return pass()
}

func checkJWTTyp(ctx context.Context, e *Env) Outcome {
	d, _, out, ok := e.accessJWT(ctx)
	if !ok {
		return out
	}
	if typ := strings.TrimPrefix(strings.ToLower(d.Type()), "application/"); typ != "at+jwt" {
		return failf("the access token's typ is %q, not at+jwt: it could be confused with an ID token", d.Type())
	}
	return pass()
}
