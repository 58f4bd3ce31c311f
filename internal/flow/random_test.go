package flow

import (
	"regexp"
	"testing"
)

// The expected value was computed independently:
// printf %s VERIFIER | openssl dgst -sha256 -binary | basenc --base64url (minus the '=').
func TestS256Challenge(t *testing.T) {
	if got := S256Challenge("dBjftJeZ4CVP-mJ92K9oN3wP5G7fQd1m4Zg8oTb6XyQ"); got != "Y2pxHBRIkpa9R9_21rKNnZm-1-huR1NbauwPh0Ur48I" {
		t.Errorf("S256Challenge = %q", got)
	}
}

func TestFreshValues(t *testing.T) {
	unreserved := regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
	seen := map[string]bool{}
	for i := 0; i < 50; i++ {
		for _, v := range []string{NewState(), NewCodeVerifier()} {
			if !unreserved.MatchString(v) {
				t.Fatalf("%q is not 43 unreserved characters", v)
			}
			if seen[v] {
				t.Fatalf("%q repeated", v)
			}
			seen[v] = true
			if err := CheckCodeVerifier(v); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestCheckCodeVerifier(t *testing.T) {
	tests := []struct {
		v, wantErr string
	}{
		{"dBjftJeZ4CVP-mJ92K9oN3wP5G7fQd1m4Zg8oTb6XyQ", ""},
		{"short", "code_verifier must be 43 to 128 characters (RFC 7636 §4.1), got 5"},
		{"dBjftJeZ4CVP-mJ92K9oN3wP5G7fQd1m4Zg8oTb6Xy+", "code_verifier has a character outside [A-Za-z0-9-._~] at byte 42 (RFC 7636 §4.1)"},
	}
	for _, tt := range tests {
		err := CheckCodeVerifier(tt.v)
		if (err == nil && tt.wantErr != "") || (err != nil && err.Error() != tt.wantErr) {
			t.Errorf("CheckCodeVerifier(%q) = %v, want %q", tt.v, err, tt.wantErr)
		}
	}
}
