package serve

import (
	"context"
	"fmt"
	"time"

	"github.com/oauthkit/oauthkit/internal/authserver"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/config"
	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/provision"
	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/backend"
)

// prepared is what setup hands to serve: checked input, an open store with
// the clients, users and signing keys in it. Nothing listens yet.
type prepared struct {
	opts      *Options
	f         *cmdutil.Factory
	cfg       *config.Config // nil without --config
	st        store.Store
	dsn       string
	hasher    *hashing.Hasher
	passwords *passwordHasher
	keySet    *authserver.KeySet
	keySource string
	demo      *demoCredentials // zero-config mode only
	demoPath  string
	issuer    string // --issuer or the configuration's, checked; "" = from the bound address
	started   time.Time

	controlToken     string // --control: the control API's token
	controlTokenPath string // …and the file it is kept in

	registration authserver.RegistrationSettings // dynamic client registration (RFC 7591)
}

// setup checks everything that needs no store first (a bad --addr,
// --issuer, configuration or key file must not leave a state directory
// behind), then opens the store and fills it.
func setup(ctx context.Context, opts *Options) (*prepared, error) {
	p := &prepared{opts: opts, f: opts.Factory, passwords: opts.passwords}
	if p.passwords == nil {
		p.passwords = defaultPasswords
	}
	errOut := p.f.IOStreams.ErrOut
	if err := checkAddr(opts.Addr); err != nil {
		return nil, err
	}
	var err error
	if opts.ConfigFile != "" {
		if p.cfg, err = config.Load(opts.ConfigFile); err != nil {
			return nil, cmdutil.UsageErrorf("%s", configProblems(err))
		}
	}
	if p.issuer, err = explicitIssuer(opts.Issuer, p.cfg); err != nil {
		return nil, err
	}
	if err := p.checkControlFlags(); err != nil {
		return nil, err
	}
	if err := p.checkRegistrationFlags(); err != nil {
		return nil, err
	}
	keyFiles := opts.KeyFiles
	if len(keyFiles) == 0 && p.cfg != nil {
		for _, k := range p.cfg.Keys {
			keyFiles = append(keyFiles, p.cfg.Resolve(k))
		}
	}
	if len(keyFiles) > 0 {
		if p.keySet, p.keySource, err = provision.KeyFiles(keyFiles, errOut); err != nil {
			return nil, cmdutil.InputError(err) // an unreadable key file: exit 2, as for every input file
		}
	}
	p.hasher = &hashing.Hasher{}
	if p.cfg != nil {
		if p.hasher, err = hashing.New(string(p.cfg.Tokens.Hashing.Algorithm), string(p.cfg.Tokens.Hashing.Fallback)); err != nil {
			return nil, cmdutil.UsageErrorf("%s: tokens.hashing: %v", p.cfg.File, err)
		}
	}

	if p.dsn, p.demoPath, err = storeDSN(opts, p.cfg, p.f.Getenv, errOut); err != nil {
		return nil, err
	}
	if p.st, err = backend.Open(ctx, p.dsn); err != nil {
		return nil, cmdutil.Failf("opening the store %s: %v", backend.Redact(p.dsn), err)
	}
	keyPath, err := p.secretKeyPath()
	if err != nil {
		p.st.Close()
		return nil, err
	}
	if p.hasher.SecretKey, err = hashing.LoadSecretKey(keyPath); err != nil {
		p.st.Close()
		return nil, cmdutil.Failf("%v", err)
	}
	if err := p.fill(ctx); err != nil {
		p.st.Close()
		return nil, err
	}
	if err := p.ensureControlToken(); err != nil {
		p.st.Close()
		return nil, err
	}
	return p, nil
}

// fill writes the configuration's (or the demo) clients and users into the
// store, loads or creates the signing key and checks --auto-approve.
func (p *prepared) fill(ctx context.Context) error {
	p.started = p.f.Now()
	var err error
	if p.cfg != nil {
		for _, w := range p.cfg.Warnings {
			fmt.Fprintln(p.f.IOStreams.ErrOut, "oauthkit: warning:", w)
		}
		if err := provision.Sync(ctx, p.st, p.hasher, p.cfg, p.started, provision.Options{HashPassword: p.passwords.hash}); err != nil {
			return cmdutil.Failf("loading %s into the store: %v", p.cfg.File, err)
		}
	} else if p.demo, err = ensureDemo(ctx, p.st, p.hasher, p.passwords, p.demoPath, p.started); err != nil {
		return cmdutil.Failf("%v", err)
	}
	if p.keySet == nil {
		if p.keySet, p.keySource, err = loadStoreKeys(ctx, p.st, p.f.Now); err != nil {
			return cmdutil.Failf("%v", err)
		}
	}
	if p.opts.AutoApprove != "" {
		return checkAutoApproveUser(ctx, p.st, p.opts.AutoApprove)
	}
	return nil
}
