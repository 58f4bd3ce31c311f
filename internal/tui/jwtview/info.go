// Package jwtview is the screen of `oauthkit jwt inspect`: a JWT's header
// and claims, time claims as dates and relative times, a live expiry
// countdown and, when keys were given, the verification result. The same
// information renders as plain text for pipes and NO_COLOR.
package jwtview

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/oauthkit/oauthkit/internal/token"
)

// Entry is one member of the header or the claims.
type Entry struct {
	Name string
	// Value is the member's JSON text, compacted (strings keep their quotes).
	Value string
	// Time is set for a time claim (exp, nbf, iat, auth_time) holding a
	// NumericDate; TimeErr when such a claim is not one.
	Time    time.Time
	HasTime bool
	TimeErr string
}

// Verification is the outcome of checking the token against keys.
type Verification struct {
	// Checked: keys were given (--key/--jwks) and the check ran.
	Checked bool
	OK      bool
	// Detail: "RS256 signature by key K" when OK, else the reason.
	Detail string
}

// Info is everything the screen shows about one token.
type Info struct {
	Alg, KeyID, Type string
	Header, Claims   []Entry
	// Exp is the exp claim, when it is a NumericDate.
	Exp    time.Time
	HasExp bool
	Verify Verification
}

// timeClaims are the claims shown as dates.
var timeClaims = map[string]bool{"exp": true, "nbf": true, "iat": true, "auth_time": true}

// FromDecoded builds the Info of a decoded token (members in token order).
func FromDecoded(d *token.Decoded) (Info, error) {
	info := Info{Alg: d.Alg(), KeyID: d.KeyID(), Type: d.Type()}
	var err error
	if info.Header, err = members(d.RawHeader); err != nil {
		return Info{}, fmt.Errorf("header: %w", err)
	}
	if info.Claims, err = ClaimEntries(d.RawClaims); err != nil {
		return Info{}, fmt.Errorf("claims: %w", err)
	}
	for _, e := range info.Claims {
		if e.Name == "exp" && e.HasTime {
			info.Exp, info.HasExp = e.Time, true
		}
	}
	return info, nil
}

// ClaimEntries lists the members of a JSON claims object in order, the
// time claims (exp, nbf, iat, auth_time) with their time.
func ClaimEntries(raw []byte) ([]Entry, error) {
	es, err := members(raw)
	if err != nil {
		return nil, err
	}
	var claims map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil {
		return nil, err
	}
	for i := range es {
		e := &es[i]
		if !timeClaims[e.Name] {
			continue
		}
		t, ok, terr := token.NumericDate(claims, e.Name)
		switch {
		case terr != nil:
			e.TimeErr = terr.Error()
		case ok:
			e.Time, e.HasTime = t, true
		}
	}
	return es, nil
}

// members lists the members of a JSON object in order, values compacted.
func members(raw []byte) ([]Entry, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	var out []Entry
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, v); err != nil {
			return nil, err
		}
		out = append(out, Entry{Name: name, Value: buf.String()})
	}
	return out, nil
}
