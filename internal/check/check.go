// Package check is a conformance self-test of an OAuth 2.0 / OpenID Connect
// authorization server: a catalogue of checks, each with an ID, a title, the
// section of the RFC or OpenID specification it tests and a level (MUST or
// SHOULD), run one after the other against a live server with the client's
// credentials. It knows nothing about the command line.
//
// Safety: a check sends at most MaxRequestsPerCheck requests, never guesses
// secrets or tokens, and every token obtained during a run is revoked at the
// end when the server has a revocation endpoint.
package check

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// MaxRequestsPerCheck bounds the HTTP requests (and --login runs) of one
// check; a request beyond it is not sent and the check is skipped.
const MaxRequestsPerCheck = 64

// Result is the outcome of one check.
type Result string

// The results.
const (
	Pass Result = "pass"
	Fail Result = "fail"
	Skip Result = "skip"
)

// Level is how strong the rule a check tests is (RFC 2119).
type Level string

// The levels. A SHOULD not met is a warning (result pass, Warning set)
// unless the run is strict.
const (
	Must   Level = "MUST"
	Should Level = "SHOULD"
)

// Check is one entry of the catalogue.
type Check struct {
	ID    string // group.name, e.g. "token.unknown-grant"
	Group string
	Title string
	Ref   string // e.g. "RFC 6749 §5.2"
	Level Level
	run   func(context.Context, *Env) Outcome
}

// Outcome is what a check's run decided.
type Outcome struct {
	Result Result
	Reason string
}

func pass() Outcome { return Outcome{Result: Pass} }

func passf(format string, a ...any) Outcome {
	return Outcome{Result: Pass, Reason: fmt.Sprintf(format, a...)}
}

func failf(format string, a ...any) Outcome {
	return Outcome{Result: Fail, Reason: fmt.Sprintf(format, a...)}
}

func skipf(format string, a ...any) Outcome {
	return Outcome{Result: Skip, Reason: fmt.Sprintf(format, a...)}
}

// Report is the result of one check in a run.
type Report struct {
	ID     string `json:"id"`
	Group  string `json:"group"`
	Title  string `json:"title"`
	Ref    string `json:"ref"`
	Level  Level  `json:"level"`
	Result Result `json:"result"`
	// Reason says why a check failed or was skipped.
	Reason string `json:"reason,omitempty"`
	// Warning: a SHOULD not met in a run that is not strict.
	Warning string `json:"warning,omitempty"`
	// Evidence is the HTTP exchanges of the check, secrets masked.
	Evidence string `json:"evidence,omitempty"`
	// Requests is how many requests the check sent.
	Requests int `json:"requests"`
}

// Catalogue returns every check, in the order they run.
func Catalogue() []Check {
	var all []Check
	for _, g := range [][]Check{discoveryChecks(), jwksChecks(), tokenChecks(), jwtChecks(), authzChecks(),
		refreshChecks(), introspectRevokeChecks(), oidcChecks()} {
		all = append(all, g...)
	}
	return all
}

// Groups returns the group names, in catalogue order.
func Groups() []string {
	var out []string
	for _, c := range Catalogue() {
		if !slices.Contains(out, c.Group) {
			out = append(out, c.Group)
		}
	}
	return out
}

// Select returns the checks that only (IDs or groups; empty: all) names
// and skip does not. An unknown name is an error.
func Select(only, skip []string) ([]Check, error) {
	all := Catalogue()
	known := func(name string) bool {
		return slices.ContainsFunc(all, func(c Check) bool { return c.ID == name || c.Group == name })
	}
	for _, n := range slices.Concat(only, skip) {
		if !known(n) {
			return nil, fmt.Errorf("no check or group %q (groups: %s; see docs/check.md for the IDs)", n, strings.Join(Groups(), ", "))
		}
	}
	match := func(c Check, names []string) bool {
		return slices.Contains(names, c.ID) || slices.Contains(names, c.Group)
	}
	var out []Check
	for _, c := range all {
		if (len(only) == 0 || match(c, only)) && !match(c, skip) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--only and --skip leave no check to run")
	}
	return out, nil
}

// Failed reports whether any report failed.
func Failed(reports []Report) bool {
	return slices.ContainsFunc(reports, func(r Report) bool { return r.Result == Fail })
}

// Count returns how many reports have each result.
func Count(reports []Report) (pass, fail, skip int) {
	for _, r := range reports {
		switch r.Result {
		case Pass:
			pass++
		case Fail:
			fail++
		case Skip:
			skip++
		}
	}
	return
}

// Plan is what a run states before it starts (on standard error): the
// clients and grants it will use, and its bounds.
func Plan(cfg Config, checks []Check) []string {
	kind := "confidential, " + string(cfg.Client.AuthMethod)
	if cfg.Client.Public() {
		kind = "public"
	}
	lines := []string{fmt.Sprintf("oauthkit check: %d checks against %s as client %s (%s)", len(checks), cfg.Issuer, cfg.Client.ID, kind)}
	grants := []string{}
	if !cfg.Client.Public() {
		grants = append(grants, "client_credentials")
	}
	if cfg.RedirectURI != "" {
		how := "followed without a browser"
		if cfg.Login != nil {
			how += ", else through --login"
		}
		grants = append(grants, fmt.Sprintf("authorization_code with PKCE to %s (%s)", cfg.RedirectURI, how), "refresh_token")
	}
	if len(grants) == 0 {
		grants = append(grants, "none")
	}
	lines = append(lines, "grants it may use: "+strings.Join(grants, ", "))
	var others []string
	if cfg.Public != nil {
		others = append(others, "public client "+cfg.Public.ID)
	}
	if cfg.Other != nil {
		others = append(others, "second client "+cfg.Other.ID)
	}
	if len(others) > 0 {
		lines = append(lines, "also: "+strings.Join(others, ", "))
	}
	lines = append(lines, fmt.Sprintf("at most %d requests per check, no guessing; every token obtained is revoked at the end", MaxRequestsPerCheck))
	return lines
}
