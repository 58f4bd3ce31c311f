package flow

import (
	"errors"
	"net/url"
	"reflect"
	"testing"
)

func TestParseCallbackURL(t *testing.T) {
	tests := []struct {
		in   string
		want url.Values
	}{
		{"http://127.0.0.1/callback?code=c&state=s", url.Values{"code": {"c"}, "state": {"s"}}},
		{"  http://127.0.0.1/callback?code=c&state=s#junk\n", url.Values{"code": {"c"}, "state": {"s"}}},
		{"http://127.0.0.1/cb#access_token=t&state=s", url.Values{"access_token": {"t"}, "state": {"s"}}},
		{"code=c&state=s", url.Values{"code": {"c"}, "state": {"s"}}},
		{"bare-code_123", url.Values{"code": {"bare-code_123"}}},
	}
	for _, tt := range tests {
		got, err := ParseCallbackURL(tt.in)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseCallbackURL(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if _, err := ParseCallbackURL("http://x/?code=%zz"); err == nil {
		t.Error("a bad escape was accepted")
	}
}

func TestCheckCallback(t *testing.T) {
	const iss = "https://as.example"
	chk := CallbackCheck{State: "s", Issuer: iss, RequireIss: true}
	tests := []struct {
		name    string
		v       url.Values
		chk     CallbackCheck
		code    string
		wantIs  error
		wantErr string
	}{
		{"ok", url.Values{"code": {"c"}, "state": {"s"}, "iss": {iss}}, chk, "c", nil, ""},
		{"iss not advertised, absent", url.Values{"code": {"c"}, "state": {"s"}}, CallbackCheck{State: "s", Issuer: iss}, "c", nil, ""},
		{"iss unknown issuer", url.Values{"code": {"c"}, "state": {"s"}, "iss": {"x"}}, CallbackCheck{State: "s"}, "c", nil, ""},
		{"wrong state", url.Values{"code": {"c"}, "state": {"t"}, "iss": {iss}}, chk, "", ErrStateMismatch, ""},
		{"empty expected state", url.Values{"code": {"c"}, "state": {""}}, CallbackCheck{}, "", ErrStateMismatch, ""},
		{"missing iss", url.Values{"code": {"c"}, "state": {"s"}}, chk, "", ErrIssuerMismatch, ""},
		{"other iss", url.Values{"code": {"c"}, "state": {"s"}, "iss": {iss + "/"}}, CallbackCheck{State: "s", Issuer: iss}, "", ErrIssuerMismatch, ""},
		{"repeated code", url.Values{"code": {"c", "d"}, "state": {"s"}, "iss": {iss}}, chk, "", nil, `the authorization response repeats the parameter "code"; refused`},
		{"no code", url.Values{"state": {"s"}, "iss": {iss}}, chk, "", nil, "the authorization response has neither code nor error (RFC 6749 §4.1.2)"},
		{"error", url.Values{"error": {"access_denied"}, "state": {"s"}, "iss": {iss}}, chk, "", nil, "authorization response answered error=access_denied"},
		{"implicit without token", url.Values{"token_type": {"Bearer"}, "state": {"s"}, "iss": {iss}}, CallbackCheck{State: "s", Issuer: iss, Implicit: true}, "", nil, "authorization response answered without an access_token (RFC 6749 §5.1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cb, err := CheckCallback(tt.v, tt.chk, testNow)
			switch {
			case tt.wantIs != nil:
				if !errors.Is(err, tt.wantIs) {
					t.Errorf("err = %v, want %v", err, tt.wantIs)
				}
			case tt.wantErr != "":
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("err = %v, want %q", err, tt.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			case cb.Code != tt.code:
				t.Errorf("code %q", cb.Code)
			}
		})
	}
}
