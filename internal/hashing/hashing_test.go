package hashing

import (
	"slices"
	"strings"
	"testing"
)

// Known answers from FIPS 180-2 Appendix B ("abc") and the empty message.
const (
	sha1ABC    = "a9993e364706816aba3e25717850c26c9cd0d89d"
	sha256ABC  = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	sha384ABC  = "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"
	sha512ABC  = "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
	sha256None = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

func TestHashKnownVectors(t *testing.T) {
	tests := []struct {
		alg, value, want string
	}{
		{"sha1", "abc", "sha1:" + sha1ABC},
		{"sha256", "abc", "sha256:" + sha256ABC},
		{"sha384", "abc", "sha384:" + sha384ABC},
		{"sha512", "abc", "sha512:" + sha512ABC},
		{"plain", "abc", "plain:abc"},
		{"SHA256", "abc", "sha256:" + sha256ABC}, // Apigee spelling
		{" Sha512 ", "abc", "sha512:" + sha512ABC},
		{"", "abc", "sha256:" + sha256ABC}, // default
		{"sha256", "", "sha256:" + sha256None},
		{"plain", "", "plain:"},
		{"plain", "a:b c", "plain:a:b c"},
	}
	for _, tt := range tests {
		t.Run(tt.alg+"/"+tt.value, func(t *testing.T) {
			h, err := New(tt.alg, "")
			if err != nil {
				t.Fatalf("New(%q): %v", tt.alg, err)
			}
			if got := h.Hash(tt.value); got != tt.want {
				t.Errorf("Hash(%q) = %q, want %q", tt.value, got, tt.want)
			}
		})
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		alg, fallback string
		want          Hasher
		wantErr       string
	}{
		{alg: "", fallback: "", want: Hasher{Algorithm: "sha256"}},
		{alg: "SHA512", fallback: "SHA1", want: Hasher{Algorithm: "sha512", Fallback: "sha1"}},
		{alg: "sha256", fallback: "SHA256", want: Hasher{Algorithm: "sha256"}}, // same as primary: dropped
		{alg: "sha256", fallback: "plain", want: Hasher{Algorithm: "sha256", Fallback: "plain"}},
		{alg: "md5", wantErr: `unknown hash algorithm "md5" (want sha1, sha256, sha384, sha512 or plain)`},
		{alg: "sha256", fallback: "sha3", wantErr: `fallback: unknown hash algorithm "sha3" (want sha1, sha256, sha384, sha512 or plain)`},
		{alg: "sha-256", wantErr: `unknown hash algorithm "sha-256" (want sha1, sha256, sha384, sha512 or plain)`},
	}
	for _, tt := range tests {
		t.Run(tt.alg+"+"+tt.fallback, func(t *testing.T) {
			h, err := New(tt.alg, tt.fallback)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("New(%q, %q) error = %v, want %q", tt.alg, tt.fallback, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("New(%q, %q): %v", tt.alg, tt.fallback, err)
			}
			if *h != tt.want {
				t.Errorf("New(%q, %q) = %+v, want %+v", tt.alg, tt.fallback, *h, tt.want)
			}
		})
	}
}

func TestCandidates(t *testing.T) {
	tests := []struct {
		name string
		h    *Hasher
		want []string
	}{
		{"primary only", mustNew(t, "sha256", ""), []string{"sha256:" + sha256ABC}},
		{"primary then fallback", mustNew(t, "sha512", "sha1"), []string{"sha512:" + sha512ABC, "sha1:" + sha1ABC}},
		{"plain fallback", mustNew(t, "sha384", "plain"), []string{"sha384:" + sha384ABC, "plain:abc"}},
		{"zero value", &Hasher{}, []string{"sha256:" + sha256ABC}},
		{"nil", nil, []string{"sha256:" + sha256ABC}},
		{"unknown names fall back to the default", &Hasher{Algorithm: "md5", Fallback: "md4"}, []string{"sha256:" + sha256ABC}},
		{"fallback equal to primary", &Hasher{Algorithm: "sha1", Fallback: "SHA1"}, []string{"sha1:" + sha1ABC}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.h.Candidates("abc"); !slices.Equal(got, tt.want) {
				t.Errorf("Candidates = %q, want %q", got, tt.want)
			}
		})
	}
}

// A change of algorithm keeps old values working: what the old hasher
// stored is found by the new one through its fallback, and only then.
func TestAlgorithmChangeKeepsOldValues(t *testing.T) {
	old := mustNew(t, "sha1", "")
	stored := old.Hash("refresh-token-value")

	migrated := mustNew(t, "sha256", "sha1")
	if !slices.Contains(migrated.Candidates("refresh-token-value"), stored) {
		t.Fatalf("migrated hasher does not find %q among %q", stored, migrated.Candidates("refresh-token-value"))
	}
	if !migrated.Match("refresh-token-value", stored) {
		t.Error("Match with fallback = false, want true")
	}
	strict := mustNew(t, "sha256", "")
	if strict.Match("refresh-token-value", stored) {
		t.Error("Match without fallback = true, want false")
	}
}

func TestMatch(t *testing.T) {
	h := mustNew(t, "sha256", "plain")
	tests := []struct {
		value, stored string
		want          bool
	}{
		{"abc", "sha256:" + sha256ABC, true},
		{"abc", "plain:abc", true},
		{"abd", "sha256:" + sha256ABC, false},
		{"abc", "sha256:" + strings.ToUpper(sha256ABC), false},
		{"abc", sha256ABC, false}, // no prefix
		{"abc", "sha1:" + sha1ABC, false},
		{"abc", "", false},
		{"", "plain:", true},
	}
	for _, tt := range tests {
		if got := h.Match(tt.value, tt.stored); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.value, tt.stored, got, tt.want)
		}
	}
}

func mustNew(t *testing.T, alg, fallback string) *Hasher {
	t.Helper()
	h, err := New(alg, fallback)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// FuzzHasher checks, for any algorithm name and value, that New either
// refuses the name or gives a Hasher whose stored form is deterministic,
// carries its algorithm as prefix and matches the value and nothing else.
func FuzzHasher(f *testing.F) {
	f.Add("sha256", "", "token")
	f.Add("SHA1", "sha512", "")
	f.Add("plain", "sha384", "a:b")
	f.Add("md5", "", "x")
	f.Fuzz(func(t *testing.T, alg, fallback, value string) {
		h, err := New(alg, fallback)
		if err != nil {
			return
		}
		stored := h.Hash(value)
		if stored != h.Hash(value) {
			t.Fatalf("Hash not deterministic for %q", value)
		}
		if !strings.HasPrefix(stored, h.Algorithm+":") {
			t.Fatalf("Hash(%q) = %q lacks prefix %q", value, stored, h.Algorithm+":")
		}
		if h.Algorithm != Plain && strings.Contains(stored, value) && len(value) > 8 {
			t.Fatalf("Hash(%q) = %q contains the raw value", value, stored)
		}
		if !h.Match(value, stored) {
			t.Fatalf("Match(%q, Hash) = false", value)
		}
		if h.Match(value+"x", stored) {
			t.Fatalf("Match(%q, Hash(%q)) = true", value+"x", value)
		}
		if c := h.Candidates(value); c[0] != stored || len(c) > 2 {
			t.Fatalf("Candidates(%q) = %q", value, c)
		}
	})
}
