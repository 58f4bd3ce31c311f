package provision

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/authserver"
	"github.com/oauthkit/oauthkit/internal/config"
	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/memory"
)

func parse(t *testing.T, yaml string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(yaml), "test.yaml")
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return cfg
}

const first = `
clients:
  - id: web
    secret: a-long-enough-client-secret-for-web
    redirect_uris: [http://127.0.0.1/callback]
    grant_types: [authorization_code, client_credentials]
    scopes: [read]
  - id: batch
    secret_hash: sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
    grant_types: [client_credentials]
  - id: gone
    secret: another-long-enough-client-secret
    grant_types: [client_credentials]
users:
  - username: alice
    password: wonderland
    claims: {email: alice@example.test}
  - username: carol
    password: carol-password
`

// The second file drops the client gone and the user carol.
const second = `
clients:
  - id: web
    secret: a-long-enough-client-secret-for-web
    redirect_uris: [http://127.0.0.1/callback]
    grant_types: [authorization_code]
users:
  - username: alice
    password: wonderland
`

func TestSync(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memory.New()
	hasher := &hashing.Hasher{SecretKey: strings.Repeat("k", hashing.SecretKeySize)}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	hashed := 0
	cheap := func(pw string) (string, error) { hashed++; return "$2b$04$" + pw, nil } // recorded, not verified
	if err := Sync(ctx, st, hasher, parse(t, first), now, Options{HashPassword: cheap}); err != nil {
		t.Fatal(err)
	}
	web, err := st.Clients().Get(ctx, "web")
	if err != nil {
		t.Fatal(err)
	}
	if !hasher.MatchSecret("a-long-enough-client-secret-for-web", web.SecretHash) || !strings.HasPrefix(web.SecretHash, "hmac-sha256:") {
		t.Errorf("web's stored secret %q is not the keyed HMAC of its secret", web.SecretHash)
	}
	if !reflect.DeepEqual(web.GrantTypes, []string{"authorization_code", "client_credentials"}) || !web.CreatedAt.Equal(now) {
		t.Errorf("web = %+v", web)
	}
	batch, err := st.Clients().Get(ctx, "batch")
	if err != nil {
		t.Fatal(err)
	}
	if !hasher.MatchSecret("test", batch.SecretHash) { // sha256("test") is the configured digest
		t.Errorf("batch's secret_hash %q does not match its secret", batch.SecretHash)
	}
	alice, err := st.Users().Get(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if alice.PasswordHash != "$2b$04$wonderland" || alice.Subject != "alice" || alice.Claims["email"] != "alice@example.test" {
		t.Errorf("alice = %+v: the password is not hashed by Options.HashPassword", alice)
	}
	if hashed != 2 {
		t.Errorf("HashPassword called %d times, want 2", hashed)
	}

	// A second sync removes what the file no longer declares.
	if err := Sync(ctx, st, hasher, parse(t, second), now, Options{HashPassword: cheap}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"batch", "gone"} {
		if _, err := st.Clients().Get(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("client %s after the second sync: %v, want not found", id, err)
		}
	}
	if _, err := st.Users().Get(ctx, "carol"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("user carol after the second sync: %v, want not found", err)
	}
	if web, _ := st.Clients().Get(ctx, "web"); !reflect.DeepEqual(web.GrantTypes, []string{"authorization_code"}) {
		t.Errorf("web's grant types were not updated: %v", web.GrantTypes)
	}
}

// Without Options.HashPassword the password is hashed with argon2id, as
// serve has always done.
func TestSyncDefaultPasswordHash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := memory.New()
	if err := Sync(ctx, st, &hashing.Hasher{}, parse(t, second), time.Now(), Options{}); err != nil {
		t.Fatal(err)
	}
	alice, err := st.Users().Get(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(alice.PasswordHash, "$argon2id$") {
		t.Fatalf("hash %q is not argon2id", alice.PasswordHash)
	}
	if ok, err := hashing.VerifyPassword(alice.PasswordHash, "wonderland"); !ok || err != nil {
		t.Errorf("the stored hash does not verify the password: %v %v", ok, err)
	}
}

func TestSyncHashError(t *testing.T) {
	t.Parallel()
	boom := errors.New("no entropy")
	err := Sync(context.Background(), memory.New(), &hashing.Hasher{}, parse(t, second), time.Now(),
		Options{HashPassword: func(string) (string, error) { return "", boom }})
	if !errors.Is(err, boom) {
		t.Fatalf("error %v, want the hasher's", err)
	}
}

func TestSettings(t *testing.T) {
	t.Parallel()
	def := Settings(nil, "http://127.0.0.1:1")
	want := authserver.Settings{Issuer: "http://127.0.0.1:1", Format: authserver.FormatJWT, Profile: authserver.ProfileRFC6749,
		AccessTokenTTL: config.DefaultAccessTokenTTL, RefreshTokenTTL: config.DefaultRefreshTokenTTL,
		CodeTTL: config.DefaultCodeTTL, IDTokenTTL: config.DefaultIDTokenTTL}
	if !reflect.DeepEqual(def, want) {
		t.Errorf("defaults = %+v, want %+v", def, want)
	}
	cfg := parse(t, `
response_profile: apigee
pkce: required
tokens:
  format: opaque
  audience: https://api.example.test
  access_token_ttl: 5m
  refresh_token_ttl: 1h
  code_ttl: 30s
  id_token_ttl: 10m
scopes: {read: Read your data}
`)
	got := Settings(cfg, "http://127.0.0.1:2")
	want = authserver.Settings{Issuer: "http://127.0.0.1:2", Audience: "https://api.example.test",
		Format: authserver.FormatOpaque, Profile: authserver.ProfileApigee, PKCE: authserver.PKCERequired,
		AccessTokenTTL: 5 * time.Minute, RefreshTokenTTL: time.Hour, CodeTTL: 30 * time.Second, IDTokenTTL: 10 * time.Minute,
		ScopeDescriptions: map[string]string{"read": "Read your data"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("settings = %+v, want %+v", got, want)
	}
}
