package serve

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/oauthkit/oauthkit/internal/authserver"
	"github.com/oauthkit/oauthkit/internal/config"
	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/keys"
)

// syncConfig makes the store's clients and users exactly those of the
// configuration: declared ones are written (secrets and passwords hashed),
// others removed, so a client or user deleted from the file loses its grants.
func syncConfig(ctx context.Context, st store.Store, hasher *hashing.Hasher, pw *passwordHasher, cfg *config.Config, now time.Time) error {
	want := map[string]bool{}
	for _, c := range cfg.Clients {
		want[c.ID] = true
		sc := store.Client{
			ID: c.ID, Name: c.Name, RedirectURIs: c.RedirectURIs, Scopes: c.Scopes,
			PostLogoutRedirectURIs: c.PostLogoutRedirectURIs,
			AuthMethod:             string(c.AuthMethod), AutoApprove: c.AutoApprove, SkipConsent: c.SkipConsent,
			TokenResponse: string(c.TokenResponse), Claims: c.Claims, CreatedAt: now,
		}
		for _, g := range c.GrantTypes {
			sc.GrantTypes = append(sc.GrantTypes, string(g))
		}
		switch {
		case c.Secret != "":
			sc.SecretHash = hasher.HashSecret(c.Secret)
		case c.SecretHash != nil:
			sc.SecretHash = string(c.SecretHash.Algorithm) + ":" + hex.EncodeToString(c.SecretHash.Digest)
		case !c.Public():
			return fmt.Errorf("client %s: %w", c.ID, errNoSecret)
		}
		if err := st.Clients().Put(ctx, sc); err != nil {
			return fmt.Errorf("registering client %s: %w", c.ID, err)
		}
	}
	existing, err := st.Clients().List(ctx)
	if err != nil {
		return err
	}
	for _, c := range existing {
		if !want[c.ID] {
			if err := st.Clients().Delete(ctx, c.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
	}
	wantUsers := map[string]bool{}
	for _, u := range cfg.Users {
		wantUsers[u.Username] = true
		hash := u.PasswordHash
		if u.Password != "" {
			if hash, err = pw.hash(u.Password); err != nil {
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
		if !wantUsers[u.Username] {
			if err := st.Users().Delete(ctx, u.Username); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
	}
	return nil
}

// loadKeyFiles returns the key set of the given files: the first key signs,
// all are published. It warns about private key files others can read
// (docs/security.md rule 28).
func loadKeyFiles(files []string, warn io.Writer) (*authserver.KeySet, string, error) {
	var all []*keys.Key
	for _, f := range files {
		ks, err := keys.ParseFile(f)
		if err != nil {
			// ParseFile's errors already name the file.
			return nil, "", fmt.Errorf("signing key: %w", err)
		}
		if info, err := os.Stat(f); err == nil && info.Mode().Perm()&0o077 != 0 && ks[0].IsPrivate() {
			fmt.Fprintf(warn, "warning: private key %s is readable by others (mode %04o); chmod 600 it\n", f, info.Mode().Perm())
		}
		all = append(all, ks...)
	}
	if !all[0].IsPrivate() {
		return nil, "", fmt.Errorf("signing key %s: the first key signs, so it must be a private key", files[0])
	}
	set, err := authserver.NewKeySet(all[0], all[1:]...)
	return set, "key file " + files[0], err
}

// loadStoreKeys returns the store's keys, else a new RSA 2048 key saved in
// the store.
func loadStoreKeys(ctx context.Context, st store.Store, now time.Time) (*authserver.KeySet, string, error) {
	stored, err := st.Keys().List(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("reading the signing keys from the store: %w", err)
	}
	var signer *keys.Key
	var others []*keys.Key
	for _, sk := range stored {
		parsed, err := keys.Parse(sk.PrivatePEM)
		if err != nil {
			return nil, "", fmt.Errorf("stored key %s: %w", sk.KID, err)
		}
		k := parsed[0]
		k.KID, k.Alg = sk.KID, sk.Alg
		if sk.Active && signer == nil {
			signer = k
		} else {
			others = append(others, k)
		}
	}
	source := "store"
	if signer == nil {
		k, err := keys.Generate(keys.Spec{Type: "rsa", Bits: 2048})
		if err != nil {
			return nil, "", err
		}
		pemBytes, err := keys.EncodePKCS8(k.Private)
		if err != nil {
			return nil, "", err
		}
		kid := k.KeyID()
		k.KID, k.Alg = kid, k.Algorithm()
		if err := st.Keys().Add(ctx, store.Key{KID: kid, Alg: k.Alg, PrivatePEM: pemBytes, CreatedAt: now, Active: true}); err != nil {
			return nil, "", fmt.Errorf("saving the new signing key: %w", err)
		}
		signer, source = k, "store (new RSA 2048 key)"
	}
	set, err := authserver.NewKeySet(signer, others...)
	return set, source, err
}
