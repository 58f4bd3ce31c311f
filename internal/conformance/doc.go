// Package conformance is the black-box conformance suite of oauthkit: its
// tests build the real `oauthkit` binary, start `oauthkit serve` with test
// configurations and speak only HTTP to it, one named test per rule of
// SECURITY.md (TestRuleNN_…). See docs/security.md for the rule table and
// how to run it. The package has no non-test code.
package conformance
