package config

import (
	"slices"
	"testing"
)

// The device grant is configured as device_code or by its URN, and stored
// as the URN, the grant_type a client sends (RFC 8628 §3.4). A public
// client may use it and needs no redirect URI.
func TestDeviceCodeGrant(t *testing.T) {
	for _, name := range []string{"device_code", "urn:ietf:params:oauth:grant-type:device_code"} {
		t.Run(name, func(t *testing.T) {
			cfg, err := Parse([]byte("clients:\n  - id: tv\n    grant_types: ["+name+", refresh_token]\n"), "c.yaml")
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got := cfg.Clients[0].GrantTypes
			want := []GrantType{"urn:ietf:params:oauth:grant-type:device_code", GrantRefreshToken}
			if !slices.Equal(got, want) {
				t.Fatalf("grant_types = %q, want %q", got, want)
			}
			if !cfg.Clients[0].AllowsGrant(GrantDeviceCode) {
				t.Fatal("AllowsGrant(GrantDeviceCode) = false")
			}
		})
	}
}
