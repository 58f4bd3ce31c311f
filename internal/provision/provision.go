// Package provision turns a validated configuration (internal/config) into
// what a server runs with: the clients and users it declares, written into
// a store, and the server settings. `oauthkit serve` and the oauthkittest
// harness both use it, so a configuration means the same in both.
package provision

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/oauthkit/oauthkit/internal/authserver"
	"github.com/oauthkit/oauthkit/internal/clientauth"
	"github.com/oauthkit/oauthkit/internal/config"
	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/store"
)

// ErrNoSecret: a confidential client has no usable secret (cannot happen
// after config validation).
var ErrNoSecret = errors.New("client has neither secret nor secret_hash")

// Options tune Sync.
type Options struct {
	// HashPassword hashes a user's plain password from the configuration;
	// nil means hashing.HashPassword (argon2id, 64 MiB). The test harness
	// passes a cheaper one: its users live in memory for one test.
	HashPassword func(password string) (string, error)
}

// Sync makes the store's clients and users exactly those of the
// configuration: declared ones are written (secrets and passwords hashed),
// others removed, so a client or user deleted from the file loses its
// grants. Clients registered dynamically (RFC 7591) are not the file's and
// stay (docs/security.md rule 108), unless the file declares one of the
// same ID, which then replaces it.
func Sync(ctx context.Context, st store.Store, hasher *hashing.Hasher, cfg *config.Config, now time.Time, o Options) error {
	if o.HashPassword == nil {
		o.HashPassword = hashing.HashPassword
	}
	if err := syncClients(ctx, st, hasher, cfg, now); err != nil {
		return err
	}
	return syncUsers(ctx, st, cfg, o.HashPassword)
}

func syncClients(ctx context.Context, st store.Store, hasher *hashing.Hasher, cfg *config.Config, now time.Time) error {
	want := map[string]bool{}
	for _, c := range cfg.Clients {
		want[c.ID] = true
		sc := store.Client{
			ID: c.ID, Name: c.Name, RedirectURIs: c.RedirectURIs, Scopes: c.Scopes,
			PostLogoutRedirectURIs: c.PostLogoutRedirectURIs,
			AuthMethod:             string(c.AuthMethod), AutoApprove: c.AutoApprove, SkipConsent: c.SkipConsent,
			TokenResponse: string(c.TokenResponse), Claims: c.Claims, CreatedAt: now,
		}
		sc.Ext.DPoPBoundAccessTokens = c.DPoPBoundAccessTokens // RFC 9449 §5.2
		sc.Ext.TokenExchangeAudiences = c.TokenExchangeAudiences
		sc.Ext.Resources, sc.Ext.RequirePushedAuthorizationRequests = c.Resources, c.RequirePAR
		for _, g := range c.GrantTypes {
			sc.GrantTypes = append(sc.GrantTypes, string(g))
		}
		switch {
		case c.Secret != "":
			sc.SecretHash = hasher.HashSecret(c.Secret)
		case c.SecretHash != nil:
			sc.SecretHash = string(c.SecretHash.Algorithm) + ":" + hex.EncodeToString(c.SecretHash.Digest)
		case !c.Public() && c.AuthMethod != clientauth.MethodPrivateKeyJWT:
			return fmt.Errorf("client %s: %w", c.ID, ErrNoSecret)
		}
		sc.Ext.JWKS, sc.Ext.JWKSURI, sc.Ext.AssertionAlg = c.JWKS, c.JWKSURI, c.AssertionAlg
		if err := st.Clients().Put(ctx, sc); err != nil {
			return fmt.Errorf("registering client %s: %w", c.ID, err)
		}
	}
	existing, err := st.Clients().List(ctx)
	if err != nil {
		return err
	}
	for _, c := range existing {
		if !want[c.ID] && !c.Ext.Registered {
			if err := st.Clients().Delete(ctx, c.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
	}
	return nil
}

func syncUsers(ctx context.Context, st store.Store, cfg *config.Config, hashPassword func(string) (string, error)) error {
	want := map[string]bool{}
	for _, u := range cfg.Users {
		want[u.Username] = true
		hash := u.PasswordHash
		if u.Password != "" {
			var err error
			if hash, err = hashPassword(u.Password); err != nil {
				return err
			}
		}
		if err := st.Users().Put(ctx, store.User{Username: u.Username, Subject: u.Username, PasswordHash: hash, Claims: u.Claims}); err != nil {
			return fmt.Errorf("registering user %s: %w", u.Username, err)
		}
	}
	users, err := st.Users().List(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		if !want[u.Username] {
			if err := st.Users().Delete(ctx, u.Username); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
	}
	return nil
}

// Settings maps the configuration (nil: the defaults) to the server
// settings for issuer.
func Settings(cfg *config.Config, issuer string) authserver.Settings {
	s := authserver.Settings{
		Issuer: issuer,
		Format: authserver.FormatJWT, Profile: authserver.ProfileRFC6749,
		AccessTokenTTL: config.DefaultAccessTokenTTL, RefreshTokenTTL: config.DefaultRefreshTokenTTL,
		CodeTTL: config.DefaultCodeTTL, IDTokenTTL: config.DefaultIDTokenTTL,
	}
	if cfg == nil {
		return s
	}
	s.Audience = cfg.Tokens.Audience
	s.Format = cfg.Tokens.Format
	s.Profile = cfg.ResponseProfile
	s.AccessTokenTTL, s.RefreshTokenTTL, s.CodeTTL = cfg.Tokens.AccessTokenTTL, cfg.Tokens.RefreshTokenTTL, cfg.Tokens.CodeTTL
	s.IDTokenTTL = cfg.Tokens.IDTokenTTL
	s.ScopeDescriptions = cfg.Scopes
	s.PKCE = cfg.PKCE
	s.AccessTokenAlgs = cfg.AccessTokenAlgs()
	// The initial access token is read by the caller (a file or the
	// environment, never the configuration itself).
	if cfg.Registration.Mode != config.RegistrationOff {
		s.Registration = authserver.RegistrationSettings{Mode: cfg.Registration.Mode,
			RatePerMinute: cfg.Registration.RatePerMinute, MaxClients: cfg.Registration.MaxClients}
	}
	for _, ti := range cfg.TokenExchange.TrustedIssuers {
		s.TrustedIssuers = append(s.TrustedIssuers, authserver.TrustedIssuer{Issuer: ti.Issuer, Keys: ti.Keys})
	}
	s.RequirePAR = cfg.RequirePAR
	for _, r := range cfg.Resources {
		s.Resources = append(s.Resources, authserver.Resource{ID: r.ID, Name: r.Name, Scopes: r.Scopes})
	}
	s.AssertionSecrets = cfg.AssertionSecrets()
	return s
}
