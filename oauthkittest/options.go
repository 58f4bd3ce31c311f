package oauthkittest

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/oauthkit/oauthkit/keys"
)

// Option configures NewServer.
type Option func(*options)

type options struct {
	configYAML  []byte
	hasConfig   bool
	clock       func() time.Time
	signer      *keys.Key
	more        []*keys.Key // published beside the signer
	autoApprove string
	logger      *slog.Logger
	errs        []error // reported by NewServer
}

// WithConfigYAML gives the server the clients, users, scopes, token
// settings and keys of a configuration in the `oauthkit serve --config`
// schema (docs/serve.md) instead of the default registrations. Relative key
// paths are resolved against the working directory (the package's
// directory under go test). The issuer and the store are the test
// server's: a configuration that names one is refused.
func WithConfigYAML(yaml []byte) Option {
	return func(o *options) {
		o.configYAML = append([]byte(nil), yaml...)
		o.hasConfig = true
	}
}

// WithClock sets the server's base clock (time.Now by default). Every
// time the server issues and every expiry it checks follow it, plus the
// skew of SetSkew and AdvanceClock. It is called from the server's
// goroutines, so it must be safe for concurrent use.
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now == nil {
			o.errs = append(o.errs, errors.New("WithClock: the clock is nil"))
			return
		}
		o.clock = now
	}
}

// WithKey makes k the signing key (it must have its private half); more
// keys are published in the JWKS beside it, so tokens they signed verify.
// It overrides the configuration's keys and the embedded test key.
func WithKey(k *keys.Key, more ...*keys.Key) Option {
	return func(o *options) {
		if k == nil || !k.IsPrivate() {
			o.errs = append(o.errs, errors.New("WithKey: the signing key must be a private key"))
			return
		}
		o.signer, o.more = k, more
	}
}

// WithKeyPEM is WithKey for a PEM, JWK or JWKS document (as `oauthkit
// keygen` writes them): its first key signs, the others are published.
func WithKeyPEM(data []byte) Option {
	return func(o *options) {
		ks, err := keys.Parse(data)
		if err != nil {
			o.errs = append(o.errs, fmt.Errorf("WithKeyPEM: %w", err))
			return
		}
		WithKey(ks[0], ks[1:]...)(o)
	}
}

// WithAutoApprove makes the authorization endpoint approve every request
// at once for user, without login or consent pages, as `oauthkit serve
// --auto-approve USER` does (a login_hint naming another known user picks
// that one). LoginAs does the same for the next requests only.
func WithAutoApprove(user string) Option {
	return func(o *options) { o.autoApprove = user }
}

// WithLogger gives the server a logger for its request log lines (one per
// request, without secrets); by default they are discarded.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.logger = l
		}
	}
}
