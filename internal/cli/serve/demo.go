package serve

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/oauthkit/oauthkit/internal/authserver"
	"github.com/oauthkit/oauthkit/internal/fileutil"
	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/store"
)

// The zero-config demo registrations.
const (
	demoClientID       = "oauthkit-demo"
	demoPublicClientID = "oauthkit-demo-public"
	demoUsername       = "demo"
)

// demoScopes: OpenID Connect's openid, profile and email must be asked
// for; a request without scope gets read and write.
func demoScopes() []string { return []string{"openid", "profile", "email", "read", "write"} }

// demoClaims are the claims of the demo user (OpenID Connect Core §5.1).
func demoClaims() map[string]any {
	return map[string]any{"name": "Demo User", "given_name": "Demo", "family_name": "User",
		"email": "demo@example.test", "email_verified": true}
}

// demoCredentials are the generated secrets of the zero-config demo client
// and user. The store holds only their hashes; this file (0600, in the state
// directory) lets a restart print them again.
type demoCredentials struct {
	ClientID       string `json:"client_id"`
	ClientSecret   string `json:"client_secret"`
	PublicClientID string `json:"public_client_id"`
	Username       string `json:"username"`
	Password       string `json:"password"`
	// PasswordHash is the user's stored hash of Password: while the store
	// still holds it, a restart knows the password matches without an
	// argon2id (64 MiB, a few hundred milliseconds).
	PasswordHash string `json:"password_hash,omitempty"`
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ensureDemo makes sure the demo clients and user exist and returns their
// credentials, reusing those saved at path ("" for a throwaway store) when
// the store still matches them.
func ensureDemo(ctx context.Context, st store.Store, hasher *hashing.Hasher, pw *passwordHasher, path string, now time.Time) (*demoCredentials, error) {
	if creds, ok := loadDemo(ctx, st, hasher, pw, path); ok {
		if creds.PasswordHash == "" { // saved by an older oauthkit: keep the hash from now on
			u, err := st.Users().Get(ctx, creds.Username)
			if err != nil {
				return nil, fmt.Errorf("reading the demo user: %w", err)
			}
			creds.PasswordHash = u.PasswordHash
			if err := saveDemo(path, creds); err != nil {
				return nil, err
			}
		}
		return creds, upgradeDemo(ctx, st, creds)
	}
	creds := &demoCredentials{
		ClientID: demoClientID, ClientSecret: randomString(32),
		PublicClientID: demoPublicClientID,
		Username:       demoUsername, Password: randomString(12),
	}
	pwHash, err := pw.hash(creds.Password)
	if err != nil {
		return nil, err
	}
	creds.PasswordHash = pwHash
	loopback := []string{"http://127.0.0.1/callback", "http://[::1]/callback"}
	clients := []store.Client{
		{
			ID: creds.ClientID, SecretHash: hasher.HashSecret(creds.ClientSecret), Name: "oauthkit demo (confidential)",
			RedirectURIs: loopback, Scopes: demoScopes(), AuthMethod: "client_secret_basic", CreatedAt: now,
			GrantTypes: []string{authserver.GrantAuthorizationCode, authserver.GrantRefreshToken,
				authserver.GrantClientCredentials, authserver.GrantPassword},
		},
		{
			ID: creds.PublicClientID, Name: "oauthkit demo (public)", RedirectURIs: loopback, Scopes: demoScopes(),
			AuthMethod: "none", CreatedAt: now,
			GrantTypes: []string{authserver.GrantAuthorizationCode, authserver.GrantRefreshToken},
		},
	}
	for _, c := range clients {
		if err := st.Clients().Put(ctx, c); err != nil {
			return nil, fmt.Errorf("registering the demo client %s: %w", c.ID, err)
		}
	}
	user := store.User{Username: creds.Username, Subject: creds.Username, PasswordHash: pwHash,
		Claims: demoClaims()}
	if err := st.Users().Put(ctx, user); err != nil {
		return nil, fmt.Errorf("registering the demo user: %w", err)
	}
	if path != "" {
		if err := saveDemo(path, creds); err != nil {
			return nil, err
		}
	}
	return creds, nil
}

// saveDemo writes the demo credentials to path (0600, atomically).
func saveDemo(path string, creds *demoCredentials) error {
	data, _ := json.MarshalIndent(creds, "", "  ")
	if err := fileutil.WriteFile(path, append(data, '\n'), 0o600, true); err != nil {
		return fmt.Errorf("saving the demo credentials: %w", err)
	}
	return nil
}

// loadDemo reads saved demo credentials and checks the store still has
// them (a deleted or replaced store means new ones). The password is
// checked by comparing the saved hash with the stored one; only a file
// without a hash, or a stored hash that differs, costs an argon2id.
func loadDemo(ctx context.Context, st store.Store, hasher *hashing.Hasher, pw *passwordHasher, path string) (*demoCredentials, bool) {
	if path == "" {
		return nil, false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	var creds demoCredentials
	if json.Unmarshal(data, &creds) != nil || creds.ClientSecret == "" || creds.Password == "" {
		return nil, false
	}
	c, err := st.Clients().Get(ctx, creds.ClientID)
	if err != nil || !hasher.MatchSecret(creds.ClientSecret, c.SecretHash) {
		return nil, false
	}
	if _, err := st.Clients().Get(ctx, creds.PublicClientID); err != nil {
		return nil, false
	}
	u, err := st.Users().Get(ctx, creds.Username)
	if err != nil {
		return nil, false
	}
	if creds.PasswordHash != "" && subtle.ConstantTimeCompare([]byte(creds.PasswordHash), []byte(u.PasswordHash)) == 1 {
		return &creds, true
	}
	if ok, err := pw.verify(u.PasswordHash, creds.Password); err != nil || !ok {
		return nil, false
	}
	creds.PasswordHash = "" // ensureDemo saves the stored one
	return &creds, true
}

// upgradeDemo gives demo registrations saved by an older oauthkit today's
// scopes and claims (OpenID Connect), keeping their secrets.
func upgradeDemo(ctx context.Context, st store.Store, creds *demoCredentials) error {
	for _, id := range []string{creds.ClientID, creds.PublicClientID} {
		c, err := st.Clients().Get(ctx, id)
		if err != nil {
			return fmt.Errorf("reading the demo client %s: %w", id, err)
		}
		c.Scopes = demoScopes()
		if err := st.Clients().Put(ctx, c); err != nil {
			return fmt.Errorf("updating the demo client %s: %w", id, err)
		}
	}
	u, err := st.Users().Get(ctx, creds.Username)
	if err != nil {
		return fmt.Errorf("reading the demo user: %w", err)
	}
	u.Claims = demoClaims()
	if err := st.Users().Put(ctx, u); err != nil {
		return fmt.Errorf("updating the demo user: %w", err)
	}
	return nil
}
