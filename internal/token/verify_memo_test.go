package token

import (
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/keys"
)

// A remembered token is checked as a new one would be, except for its
// signature: its claims against the clock and the Verifier's settings, its
// key against the Verifier's keys; and what a caller gets is its own copy.
func TestSignatureMemo(t *testing.T) {
	k := loadTestKeys(t)
	memo := NewSignatureMemo(8)
	tok := mustSign(t, claimsAt(map[string]any{"cnf": map[string]any{"jkt": "abc"}, "scope": "read"}), k.ec256, SignOptions{Alg: "ES256"})
	now := fixedNow
	v := &Verifier{Keys: []*keys.Key{public(k.ec256)}, Issuer: "https://issuer.test", Audience: "api",
		Now: func() time.Time { return now }, Memo: memo}

	first, err := v.Verify(tok)
	if err != nil {
		t.Fatalf("first Verify: %v", err)
	}
	if memo.size() != 1 {
		t.Fatalf("memo holds %d tokens after a verified one, want 1", memo.size())
	}
	first.Claims["scope"] = "changed"
	first.Claims["cnf"].(map[string]any)["jkt"] = "changed"
	second, err := v.Verify(tok)
	if err != nil {
		t.Fatalf("second Verify (remembered): %v", err)
	}
	if second.Claims["scope"] != "read" || second.Claims["cnf"].(map[string]any)["jkt"] != "abc" || second.Alg != "ES256" || second.Key != v.Keys[0] {
		t.Fatalf("remembered token = %v (alg %s): the first caller's changes leaked into it", second.Claims, second.Alg)
	}

	// The second Verify was answered from the memo: what the memo holds is
	// what it returns (white box: the entry is changed behind its back).
	memo.mu.Lock()
	for sum, e := range memo.m {
		e.d.Claims["sub"] = "from-the-memo"
		memo.m[sum] = e
	}
	memo.mu.Unlock()
	if third, err := v.Verify(tok); err != nil || third.Claims["sub"] != "from-the-memo" {
		t.Fatalf("third Verify = %v, %v: not answered from the memo", third.Claims["sub"], err)
	}

	t.Run("claims are checked again", func(t *testing.T) {
		now = fixedNow.Add(time.Hour)
		defer func() { now = fixedNow }()
		if _, err := v.Verify(tok); KindOf(err) != KindExpired {
			t.Fatalf("remembered token after its exp: %v, want an expired error", err)
		}
		other := *v
		other.Audience = "another-api"
		now = fixedNow
		if _, err := other.Verify(tok); KindOf(err) != KindAudience {
			t.Fatalf("remembered token for another audience: %v, want an audience error", err)
		}
		other = *v
		other.Type = "at+jwt"
		if _, err := other.Verify(tok); KindOf(err) != KindType {
			t.Fatalf("remembered token of another typ: %v, want a typ error", err)
		}
	})
	t.Run("a key no longer trusted is not remembered", func(t *testing.T) {
		other := *v
		other.Keys = []*keys.Key{public(k.ec384)}
		if _, err := other.Verify(tok); err == nil {
			t.Fatal("a remembered token verified with a Verifier that no longer has its key")
		}
		other.Keys = []*keys.Key{public(k.ec256)} // the same key, another *Key: verified again
		if _, err := other.Verify(tok); err != nil {
			t.Fatalf("the same key in a new Verifier: %v", err)
		}
	})
	t.Run("a changed byte is another token", func(t *testing.T) {
		forged := tok[:len(tok)-2] + flip(tok[len(tok)-2]) + tok[len(tok)-1:]
		if _, err := v.Verify(forged); KindOf(err) != KindSignature {
			t.Fatalf("forged token: %v, want a signature error", err)
		}
	})
	t.Run("bounded", func(t *testing.T) {
		for i := range 20 {
			tk := mustSign(t, claimsAt(map[string]any{"jti": string(rune('a' + i))}), k.ec256, SignOptions{Alg: "ES256"})
			if _, err := v.Verify(tk); err != nil {
				t.Fatal(err)
			}
		}
		if n := memo.size(); n > 8 {
			t.Fatalf("memo holds %d tokens, more than its bound 8", n)
		}
	})
}

// flip returns another base64url character than c.
func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}
