package flow

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/oauthkit/oauthkit/internal/cli/clientopts"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/fileutil"
	"github.com/oauthkit/oauthkit/internal/flow"
	"github.com/oauthkit/oauthkit/internal/tui/wizard"
)

// wizardDiscoverTimeout bounds the wizard's look at an issuer's metadata.
const wizardDiscoverTimeout = 10 * time.Second

// wizardRegistration lets the wizard register a client (RFC 7591) when the
// client ID is left empty and the issuer advertises a
// registration_endpoint. Discovery results are kept per issuer.
type wizardRegistration struct {
	f         *cmdutil.Factory
	mu        sync.Mutex
	endpoints map[string]string // issuer → registration_endpoint ("" none)
	done      *flow.Registration
	tokenFile string // where the registration access token was written
}

// offered reports whether issuer advertises a registration endpoint.
func (r *wizardRegistration) offered(issuer string) bool {
	return r.endpoint(issuer) != ""
}

func (r *wizardRegistration) endpoint(issuer string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ep, ok := r.endpoints[issuer]; ok {
		return ep
	}
	if r.endpoints == nil {
		r.endpoints = map[string]string{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), wizardDiscoverTimeout)
	defer cancel()
	c := &flow.Client{HTTP: r.f.HTTPClient(), Now: r.f.Now}
	ep := ""
	if md, err := c.Discover(ctx, issuer, false); err == nil {
		ep = md.RegistrationEndpoint
	}
	r.endpoints[issuer] = ep
	return ep
}

// register registers a client for the answers' grant and fills in its ID
// and secret. The registration access token goes to a 0600 file in dir
// (the profile folder), so the client can be managed with `oauthkit
// client` once saved as a profile.
func (r *wizardRegistration) register(ctx context.Context, a *wizard.FlowAnswers, dir string) error {
	ep := r.endpoint(a.Issuer)
	if ep == "" {
		return cmdutil.UsageErrorf("the client ID is required: %s offers no dynamic registration", a.Issuer)
	}
	m := flow.ClientMetadata{ClientName: "oauthkit flow " + a.Grant, Scope: strings.Join(a.Scopes, " ")}
	switch a.Grant {
	case "authcode":
		m.RedirectURIs, m.GrantTypes, m.TokenEndpointAuthMethod = []string{"http://127.0.0.1/callback"}, []string{"authorization_code", "refresh_token"}, "none"
	case "implicit":
		m.RedirectURIs, m.GrantTypes, m.TokenEndpointAuthMethod = []string{"http://127.0.0.1/callback"}, []string{"implicit"}, "none"
	case "password":
		m.GrantTypes, m.TokenEndpointAuthMethod = []string{"password", "refresh_token"}, "client_secret_basic"
	default:
		m.GrantTypes, m.TokenEndpointAuthMethod = []string{"client_credentials"}, "client_secret_basic"
	}
	ctx, cancel := context.WithTimeout(ctx, wizardDiscoverTimeout)
	defer cancel()
	c := &flow.Client{HTTP: r.f.HTTPClient(), Now: r.f.Now}
	reg, err := c.Register(ctx, ep, "", m, false)
	if err != nil {
		return clientopts.MapError(err)
	}
	errOut := r.f.IOStreams.ErrOut
	fmt.Fprintf(errOut, "registered client %s at %s (RFC 7591)\n", reg.ClientID, ep)
	if reg.RegistrationAccessToken != "" && dir != "" {
		file := filepath.Join(dir, reg.ClientID+".registration-token")
		err := os.MkdirAll(dir, 0o700)
		if err == nil {
			err = fileutil.WriteFile(file, []byte(reg.RegistrationAccessToken+"\n"), 0o600, false)
		}
		if err == nil {
			r.tokenFile = file
			fmt.Fprintf(errOut, "its registration access token is in %s (mode 0600)\n", file)
		} else {
			fmt.Fprintf(errOut, "warning: the registration access token was not kept: %v\n", err)
		}
	}
	a.ClientID, a.ClientSecret = reg.ClientID, reg.ClientSecret
	r.done = reg
	return nil
}

// profileBase is the profile a save starts from: base, plus where the
// registered client is managed.
func (r *wizardRegistration) profileBase(base *flow.Profile) *flow.Profile {
	if r == nil || r.done == nil {
		return base
	}
	p := &flow.Profile{}
	if base != nil {
		cp := *base
		p = &cp
	}
	p.RegistrationClientURI, p.RegistrationTokenFile = r.done.RegistrationClientURI, r.tokenFile
	return p
}
