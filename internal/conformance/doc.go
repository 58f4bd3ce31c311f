// Package conformance is the black-box conformance suite of oauthkit: its
// tests build the real `oauthkit` binary, start `oauthkit serve` with test
// configurations and speak only HTTP to it, one named test per rule of
// docs/security.md (TestRuleNN_…), where the rule table is, with
// how to run the suite. The package has no non-test code.
package conformance
