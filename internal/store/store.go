// Package store defines the storage of the authorization server: one small
// interface per stored thing, the records they hold, and the errors they
// return. Implementations: store/memory (tests, `serve --store memory`) and
// store/sqlite (the embedded default); store/backend opens one from a DSN.
// store/storetest is the behaviour suite every implementation passes.
//
// Rules every implementation follows:
//   - Secrets, tokens and codes arrive already hashed (internal/hashing);
//     the store never sees a raw value (docs/security.md rule 27).
//   - Time is passed in; no implementation reads the clock.
//   - Every state change that grants something (Redeem, Rotate,
//     CreateFamily) is atomic and committed before the call returns
//     (rules 26, 29); exactly one of N concurrent Redeem or Rotate calls
//     for the same value succeeds. So are the other writes; a store that
//     can lose the last commits with a power failure (not with a crash of
//     the process) may do so only for records whose loss fails closed: a
//     new code (CodeStore.Create) or access token (AccessTokenStore.Record)
//     is then unknown, and refused. store/sqlite does (docs/serve.md §9).
//   - Records go in and come out by value: a caller mutating a returned
//     slice or map changes nothing stored. Times come back in UTC with
//     microsecond precision; empty slices and maps come back nil.
package store

import (
	"context"
	"time"
)

// Store bundles the stores of one backend.
type Store interface {
	Clients() ClientStore
	Users() UserStore
	Codes() CodeStore
	RefreshTokens() RefreshTokenStore
	AccessTokens() AccessTokenStore
	Keys() KeyStore
	Replays() ReplayStore
	DeviceCodes() DeviceCodeStore
	PushedRequests() PushedRequestStore
	Sessions() SessionStore
	Consents() ConsentStore

	// Purge deletes at most limit records that expired before the cutoff:
	// authorization codes, device codes, refresh tokens, access tokens,
	// replay keys, pushed requests, browser sessions and waiting requests
	// whose ExpiresAt is before it, then grant families created before it that
	// have no token left. It returns how many records it deleted; a caller
	// repeats it until that is below limit (docs/security.md rule 52).
	Purge(ctx context.Context, before time.Time, limit int) (int, error)

	// Ping reports whether the store can serve reads and commit a write;
	// ErrUnavailable if not.
	Ping(ctx context.Context) error
	// Close releases the store; later calls return ErrUnavailable. Closing
	// twice is harmless.
	Close() error
}

// ClientStore holds registered clients.
type ClientStore interface {
	Get(ctx context.Context, id string) (Client, error) // ErrNotFound
	Put(ctx context.Context, c Client) error            // insert or replace
	Delete(ctx context.Context, id string) error        // ErrNotFound
	List(ctx context.Context) ([]Client, error)         // ordered by ID
}

// UserStore holds users. Subjects are unique: Put of a user whose Subject
// belongs to another username returns ErrConflict.
type UserStore interface {
	Get(ctx context.Context, username string) (User, error)         // ErrNotFound
	GetBySubject(ctx context.Context, subject string) (User, error) // ErrNotFound
	Put(ctx context.Context, u User) error                          // insert or replace
	Delete(ctx context.Context, username string) error              // ErrNotFound
	List(ctx context.Context) ([]User, error)                       // ordered by Username
}

// CodeStore holds authorization codes.
type CodeStore interface {
	// Create stores a new code; ErrConflict if its Hash exists.
	Create(ctx context.Context, c Code) error

	// Redeem marks the code used, atomically, and returns it, if it is
	// unused and unexpired at now (now < ExpiresAt). Otherwise:
	// ErrNotFound; ErrAlreadyUsed with the code (UsedAt and FamilyID set:
	// the caller revokes that family, docs/security.md rule 9) — also when the
	// used code has expired since, as a replay is a replay; ErrExpired with
	// the code when it expired unused (it stays unused). Of N concurrent
	// calls exactly one succeeds and the rest get ErrAlreadyUsed; a loser
	// that arrives before the winner has created its family sees FamilyID
	// "" and so revokes nothing, which keeps the winner's grant (rule 26).
	Redeem(ctx context.Context, hash string, now time.Time) (Code, error)

	// CountLive counts the client's codes that are neither redeemed nor
	// expired at now (the cap on unredeemed codes, docs/security.md rule 52).
	CountLive(ctx context.Context, clientID string, now time.Time) (int, error)

	// RedeemInto is Redeem that, when it succeeds, also creates in the same
	// transaction the grant family fam bound to the code, with its first
	// refresh token (first.Hash "" for none). The store fills fam.CodeHash,
	// ClientID, Subject, Scope, AuthTime and SessionID from the code and
	// CreatedAt with now; the caller gives fam.ID. So the family exists
	// from the moment the code is used: a replay arriving at any time after
	// sees its FamilyID and revokes it (RFC 6749 §4.1.2, docs/security.md
	// rule 44). Errors as Redeem; ErrConflict (nothing stored) if the family
	// ID or the token hash exists.
	RedeemInto(ctx context.Context, hash string, now time.Time, fam Family, first RefreshToken) (Code, error)
}

// RefreshTokenStore holds grant families and their refresh tokens.
type RefreshTokenStore interface {
	// CreateFamily stores a new grant with its first refresh token.
	// first.Hash "" stores the grant alone (a code grant to a client
	// without refresh tokens still needs a family its access tokens can be
	// revoked by). ErrConflict if the family ID, the token hash or the
	// CodeHash (one family per code) exists; ErrNotFound if CodeHash names
	// no stored code.
	CreateFamily(ctx context.Context, f Family, first RefreshToken) error

	// Rotate replaces r.OldHash by r.Next in one transaction and returns
	// the family. The old token must be active and unexpired at r.Now (now <
	// ExpiresAt); it becomes rotated and r.Next is stored as active with
	// RefreshCount+1. Otherwise nothing is stored except as said:
	// ErrNotFound; ErrExpired; ErrRevoked (family revoked); for a rotated
	// token, ErrConcurrentUse (within r.Leeway, see Rotation) or ErrReused
	// after revoking the whole family in the same transaction. Of N
	// concurrent calls with the same token exactly one succeeds. The family
	// is returned with every error but ErrNotFound. With r.Access, the
	// successful rotation also records that access token, in the same
	// transaction (see Rotation.Access).
	Rotate(ctx context.Context, r Rotation) (Family, error)

	// Lookup returns a token and its family; ErrNotFound.
	Lookup(ctx context.Context, hash string) (RefreshToken, Family, error)

	// RevokeFamily revokes the grant: its active refresh tokens become
	// revoked and its access tokens read as revoked. Revoking twice is
	// fine; ErrNotFound for an unknown ID.
	RevokeFamily(ctx context.Context, id string) error
}

// AccessTokenStore records issued access tokens.
type AccessTokenStore interface {
	// Record stores a token; ErrConflict if its ID exists, ErrNotFound if
	// FamilyID names no family.
	Record(ctx context.Context, a AccessToken) error
	// Get returns a token, Revoked set if it or its family was revoked.
	// Expiry is the caller's to check against its clock. ErrNotFound.
	Get(ctx context.Context, id string) (AccessToken, error)
	// Revoke revokes one token; ErrNotFound.
	Revoke(ctx context.Context, id string) error
}

// KeyStore holds the server's signing keys.
type KeyStore interface {
	Add(ctx context.Context, k Key) error                         // ErrConflict if the KID exists
	Get(ctx context.Context, kid string) (Key, error)             // ErrNotFound
	List(ctx context.Context) ([]Key, error)                      // oldest first (CreatedAt, then KID)
	SetActive(ctx context.Context, kid string, active bool) error // ErrNotFound
	Delete(ctx context.Context, kid string) error                 // ErrNotFound; the key is no longer published
}

// ReplayStore remembers single-use values until they expire: the JWT IDs of
// client assertions and DPoP proofs, and the like (docs/security.md).
// Keys are opaque to the store; a caller prefixes them with what they are
// ("assertion:", "dpop:") so two uses never collide.
type ReplayStore interface {
	// Use records key until expiresAt. If the key is recorded and its
	// record has not expired at now (now < expiresAt of the record), it
	// returns ErrReplayed and changes nothing; an expired record is
	// replaced. Of N concurrent calls with one key exactly one succeeds.
	Use(ctx context.Context, key string, now, expiresAt time.Time) error
}

// PushedRequestStore holds pushed authorization requests (RFC 9126) until
// their single use: any replica of the server can answer the /authorize
// that follows the push.
type PushedRequestStore interface {
	// Put stores a pushed request; ErrConflict if its Hash exists.
	Put(ctx context.Context, p PushedRequest) error
	// Take removes the request and returns it, atomically: of N concurrent
	// calls for one hash exactly one gets it, the others ErrNotFound (as
	// for a hash never stored or already taken). A request expired at now
	// (now >= ExpiresAt) is removed too and returned with ErrExpired.
	Take(ctx context.Context, hash string, now time.Time) (PushedRequest, error)
	// CountLive counts the client's pushed requests that have not expired
	// at now (the cap on waiting pushed requests, docs/security.md rule 101).
	CountLive(ctx context.Context, clientID string, now time.Time) (int, error)
}

// SessionStore holds the browser sessions of the login and consent pages
// and the authorization requests waiting in them, so that every server
// sharing the store sees the same sessions (docs/security.md rule 66).
// Sessions are named by the hash of the cookie's value, never the value.
// A session or request is live while now < ExpiresAt; one that is not live
// is never returned and reads as ErrNotFound.
type SessionStore interface {
	// Create stores a new session; ErrConflict if its Hash exists. When
	// limit > 0 and limit or more sessions of its kind (anonymous: Subject
	// ""; signed in: the others) are stored, the ones of that kind with the
	// earliest ExpiresAt go first (with their requests), so that at most
	// limit remain; a session of the other kind is never removed.
	Create(ctx context.Context, s BrowserSession, now time.Time, limit int) error

	// Get returns the live session; ErrNotFound.
	Get(ctx context.Context, hash string, now time.Time) (BrowserSession, error)

	// Touch moves a live session's ExpiresAt to expiresAt (an anonymous
	// session lasts from its last use); ErrNotFound.
	Touch(ctx context.Context, hash string, now, expiresAt time.Time) error

	// Replace swaps the live session oldHash for s in one transaction (a
	// sign-in gives the browser a new session identifier); its waiting
	// requests move to s. ErrNotFound (nothing changed) if oldHash is not
	// live; ErrConflict if s.Hash exists. limit as for Create.
	Replace(ctx context.Context, oldHash string, s BrowserSession, now time.Time, limit int) error

	// Delete removes a session and its requests (logout); removing an
	// unknown session is not an error.
	Delete(ctx context.Context, hash string) error

	// PutPending stores p, or replaces the request with its SessionHash
	// and ID; ErrNotFound if the session is not live. When limit > 0 and
	// the session then holds more than limit live requests, its oldest
	// ones (by CreatedAt) go, never p itself.
	PutPending(ctx context.Context, p PendingRequest, now time.Time, limit int) error

	// GetPending returns a live request of a live session; ErrNotFound.
	GetPending(ctx context.Context, sessionHash, id string, now time.Time) (PendingRequest, error)

	// DeletePending removes a request; removing an unknown one is not an
	// error.
	DeletePending(ctx context.Context, sessionHash, id string) error
}

// ConsentStore remembers the scopes a user has allowed a client, so the
// consent page is shown again only for more scope. Removing the client or
// the user forgets what was allowed to or by them.
type ConsentStore interface {
	// Grant adds scopes to what subject has allowed clientID, atomically
	// (two concurrent grants both count). The caller grants for a client
	// and a user that exist; a store may refuse others (ErrNotFound).
	Grant(ctx context.Context, subject, clientID string, scopes []string, now time.Time) error
	// Scopes returns what subject has allowed clientID, sorted; nil when
	// nothing.
	Scopes(ctx context.Context, subject, clientID string) ([]string, error)
}
