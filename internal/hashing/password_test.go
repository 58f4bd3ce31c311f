package hashing

import (
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// bcryptHash makes a bcrypt hash at the lowest cost (keeps tests fast).
func bcryptHash(pw string) (string, error) {
	b, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	return string(b), err
}

func TestHashPassword(t *testing.T) {
	t.Parallel()
	h, err := HashPassword("wonderland")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=4$") {
		t.Errorf("hash %q is not argon2id PHC with the RFC 9106 parameters", h)
	}
	if err := CheckPasswordHash(h); err != nil {
		t.Errorf("CheckPasswordHash(own hash) = %v", err)
	}
	if ok, err := VerifyPassword(h, "wonderland"); !ok || err != nil {
		t.Errorf("VerifyPassword(right password) = %v, %v", ok, err)
	}
	// The rest with cheap parameters: the code path is the same.
	cheap, _ := hashArgon2id("wonderland", 64, 1, 1)
	cheap2, _ := hashArgon2id("wonderland", 64, 1, 1)
	if cheap == cheap2 {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	for _, tt := range []struct {
		pw   string
		want bool
	}{{"wonderland", true}, {"Wonderland", false}, {"wonderland ", false}, {"", false}} {
		if ok, err := VerifyPassword(cheap, tt.pw); ok != tt.want || err != nil {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", tt.pw, ok, err, tt.want)
		}
	}
}

func TestVerifyPassword(t *testing.T) {
	t.Parallel()
	// The argon2id vector of the reference implementation's test suite
	// (password "password", salt "somesalt", t=2, m=65536, p=1).
	const ref = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
	bc, err := bcryptHash("looking-glass")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		hash, pw string
		want     bool
		err      string
	}{
		{ref, "password", true, ""},
		{ref, "passwore", false, ""},
		{bc, "looking-glass", true, ""},
		{bc, "looking-glasS", false, ""},
		{strings.Replace(bc, "$2a$", "$2b$", 1), "looking-glass", true, ""},
		{"plain", "plain", false, "neither bcrypt"},
		{"$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", "password", false, "neither bcrypt"},
		{"$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ", "password", false, "wrong number of $-separated fields"},
		{"$2b$10$short", "x", false, "bcrypt hash"},
	}
	for _, tt := range tests {
		ok, err := VerifyPassword(tt.hash, tt.pw)
		if ok != tt.want || (tt.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("VerifyPassword(%.30q, %q) = %v, %v; want %v, %q", tt.hash, tt.pw, ok, err, tt.want, tt.err)
		}
	}
}

func TestCheckPasswordHash(t *testing.T) {
	const salt, key = "c29tZXNhbHQ", "CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
	argon := func(params string) string { return "$argon2id$v=19$" + params + "$" + salt + "$" + key }
	bcryptTail := strings.Repeat("a", 53)
	tests := []struct{ hash, want string }{
		{argon("m=65536,t=2,p=1"), ""},
		{"$2b$10$" + bcryptTail, ""},
		{"$2y$04$" + bcryptTail, ""},
		{argon("m=65536,t=2"), `parameters "m=65536,t=2" are not m=…,t=…,p=…`},
		{argon("t=2,m=65536,p=1"), "are not m=…,t=…,p=…"},
		{argon("m=65536,t=0,p=1"), "t=0 is not between 1 and 64"},
		{argon("m=65536,t=2,p=0"), "p=0 is not between 1 and 255"},
		{argon("m=4194304,t=2,p=1"), "m=4194304 is not between 8*p and 1048576 KiB"},
		{argon("m=8,t=2,p=4"), "m=8 is not between 8*p"},
		{"$argon2id$v=19$m=65536,t=2,p=1$c2Fs$" + key, "the salt is not unpadded base64 of at least 8 bytes"},
		{"$argon2id$v=19$m=65536,t=2,p=1$" + salt + "$" + key + "=", "the hash is not unpadded base64"},
		{"$argon2id$v=19$m=65536,t=2,p=1$" + salt + "$AAAA", "the hash is not unpadded base64 of 16 to 128 bytes"},
		{"$2b$10$" + bcryptTail[:52], "bcrypt hash must be $2b$NN$ followed by 53 characters"},
		{"$2b$10$" + bcryptTail[:52] + "!", "bcrypt hash must be"},
		{"$2b$99$" + bcryptTail, "bcrypt hash: cost 99 is outside allowed"},
		{"sha256:abcd", "is neither bcrypt"},
	}
	for _, tt := range tests {
		err := CheckPasswordHash(tt.hash)
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("CheckPasswordHash(%q) = %v, want %q", tt.hash, err, tt.want)
		}
	}
}
