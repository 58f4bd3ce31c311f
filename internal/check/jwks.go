package check

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/oauthkit/oauthkit/keys"
)

// jwksState is the server's JWKS, fetched once.
type jwksState struct {
	fetchErr error
	raw      keys.JWKS
	// set is what keys.ParseVerificationSet makes of it; setErr its error.
	set     []*keys.Key
	skipped []string
	setErr  error
	// evidence is the log of fetching it.
	evidence string
}

// loadJWKS fetches jwks_uri once.
func (e *Env) loadJWKS(ctx context.Context) *jwksState {
	if e.jwks != nil {
		e.reuse(e.jwks.evidence)
		return e.jwks
	}
	st := &jwksState{}
	e.jwks = st
	start := e.log.Len()
	defer func() { st.evidence = e.log.String()[start:] }()
	if e.md == nil || e.md.JWKSURI == "" {
		st.fetchErr = errors.New("no jwks_uri")
		return st
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.md.JWKSURI, nil)
	if err != nil {
		st.fetchErr = err
		return st
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	a, err := e.send(req)
	switch {
	case err != nil:
		st.fetchErr = fmt.Errorf("GET %s: %v", e.md.JWKSURI, err)
	case a.status != http.StatusOK:
		st.fetchErr = fmt.Errorf("GET %s answered HTTP %d", e.md.JWKSURI, a.status)
	default:
		if err := json.Unmarshal(a.body, &st.raw); err != nil || st.raw.Keys == nil {
			st.fetchErr = fmt.Errorf("GET %s answered something that is not a JWK Set ({\"keys\": [...]})", e.md.JWKSURI)
			return st
		}
		st.set, st.skipped, st.setErr = keys.ParseVerificationSet(a.body)
	}
	return st
}

// needJWKS is the skip of a check that needs the JWKS.
func (e *Env) needJWKS(ctx context.Context) (*jwksState, Outcome, bool) {
	if out, ok := e.needMetadata(); !ok {
		return nil, out, false
	}
	st := e.loadJWKS(ctx)
	if st.fetchErr != nil {
		return nil, skipf("no JWKS: %v", st.fetchErr), false
	}
	return st, Outcome{}, true
}

func jwksChecks() []Check {
	return []Check{
		{ID: "jwks.parse", Group: "jwks", Level: Must, Ref: "RFC 7517 §5",
			Title: "every signing key of the JWKS parses", run: checkJWKSParse},
		{ID: "jwks.no-private", Group: "jwks", Level: Must, Ref: "RFC 7517 §9.2",
			Title: "the JWKS holds no private or symmetric key material", run: checkJWKSNoPrivate},
		{ID: "jwks.rsa-2048", Group: "jwks", Level: Must, Ref: "RFC 7518 §3.3",
			Title: "RSA keys are at least 2048 bits", run: checkJWKSRSASize},
		{ID: "jwks.unique-kid", Group: "jwks", Level: Should, Ref: "RFC 7517 §4.5",
			Title: "keys have distinct kid values", run: checkJWKSUniqueKid},
		{ID: "jwks.use-alg", Group: "jwks", Level: Must, Ref: "RFC 7517 §4.2, §4.4",
			Title: "use is sig or enc, and alg fits the key type", run: checkJWKSUseAlg},
	}
}

func checkJWKSParse(ctx context.Context, e *Env) Outcome {
	st, out, ok := e.needJWKS(ctx)
	if !ok {
		return out
	}
	if st.setErr != nil {
		return failf("%v", st.setErr)
	}
	if len(st.skipped) > 0 {
		return passf("%d signing key(s); left out: %s", len(st.set), strings.Join(st.skipped, "; "))
	}
	return pass()
}

func checkJWKSNoPrivate(ctx context.Context, e *Env) Outcome {
	st, out, ok := e.needJWKS(ctx)
	if !ok {
		return out
	}
	var bad []string
	for i, j := range st.raw.Keys {
		if j != nil && j.IsPrivate() {
			bad = append(bad, keyName(i, j))
		}
	}
	if len(bad) > 0 {
		return failf("private or secret members published: %s", describeList(bad))
	}
	return pass()
}

func checkJWKSRSASize(ctx context.Context, e *Env) Outcome {
	st, out, ok := e.needJWKS(ctx)
	if !ok {
		return out
	}
	var small []string
	rsa := 0
	for i, j := range st.raw.Keys {
		if j == nil || j.Kty != "RSA" {
			continue
		}
		rsa++
		if _, err := j.Key(); errors.Is(err, keys.ErrKeyTooSmall) {
			small = append(small, keyName(i, j)+": "+err.Error())
		}
	}
	if rsa == 0 {
		return skipf("the JWKS has no RSA key")
	}
	if len(small) > 0 {
		return failf("%s", describeList(small))
	}
	return pass()
}

func checkJWKSUniqueKid(ctx context.Context, e *Env) Outcome {
	st, out, ok := e.needJWKS(ctx)
	if !ok {
		return out
	}
	seen := map[string]int{}
	var dup []string
	for _, j := range st.raw.Keys {
		if j == nil {
			continue
		}
		if j.Kid == "" && len(st.raw.Keys) > 1 {
			dup = append(dup, "a key without kid")
			continue
		}
		seen[j.Kid]++
		if seen[j.Kid] == 2 {
			dup = append(dup, fmt.Sprintf("kid %q twice", j.Kid))
		}
	}
	if len(dup) > 0 {
		return failf("%s: a verifier cannot tell the keys apart", describeList(dup))
	}
	return pass()
}

func checkJWKSUseAlg(ctx context.Context, e *Env) Outcome {
	st, out, ok := e.needJWKS(ctx)
	if !ok {
		return out
	}
	var bad []string
	for i, j := range st.raw.Keys {
		if j == nil {
			continue
		}
		if j.Use != "" && j.Use != "sig" && j.Use != "enc" {
			bad = append(bad, fmt.Sprintf("%s: use %q", keyName(i, j), j.Use))
		}
		if j.Alg == "" || j.Use == "enc" {
			continue
		}
		if j.Alg == "none" || strings.HasPrefix(j.Alg, "HS") {
			bad = append(bad, fmt.Sprintf("%s: alg %q is not a public-key signature algorithm", keyName(i, j), j.Alg))
			continue
		}
		k, err := j.Key()
		if err != nil {
			continue // jwks.parse and jwks.rsa-2048 report it
		}
		if err := keys.CheckAlg(k.Public, j.Alg); err != nil {
			bad = append(bad, keyName(i, j)+": "+err.Error())
		}
	}
	if len(bad) > 0 {
		return failf("%s", describeList(bad))
	}
	return pass()
}

func keyName(i int, j *keys.JWK) string {
	if j.Kid != "" {
		return fmt.Sprintf("key %d (kid %q)", i+1, j.Kid)
	}
	return fmt.Sprintf("key %d", i+1)
}
