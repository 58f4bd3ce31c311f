package flow

import (
	"context"
	"fmt"
	"slices"

	"github.com/oauthkit/oauthkit/internal/cli/clientopts"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
)

// resolveResource runs the MCP client's discovery for --resource-metadata:
// the RFC 9728 metadata (from its URL, or from the 401 of the resource's
// URL) names the authorization server, which becomes the issuer; the
// resource becomes a resource indicator (RFC 8707) of the request, and its
// scopes_supported the scope when none was given.
func (o *AuthcodeOptions) resolveResource(ctx context.Context) error {
	if o.ResourceMetadata == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	c := &flow.Client{HTTP: o.HTTPClient(), Now: o.Factory.Now}
	m, err := c.DiscoverResource(ctx, o.ResourceMetadata, o.Insecure)
	if err != nil {
		return clientopts.MapError(err)
	}
	as, err := m.PickAuthorizationServer(o.Issuer)
	if err != nil {
		return cmdutil.Failf("%v", err)
	}
	o.Issuer = as
	if !slices.Contains(o.Resources, m.Resource) {
		o.Resources = append(o.Resources, m.Resource)
	}
	if len(o.Scopes) == 0 {
		o.Scopes = m.ScopesSupported
	}
	fmt.Fprintf(o.Factory.IOStreams.ErrOut, "Protected resource %s (RFC 9728 metadata at %s): authorization server %s\n", m.Resource, m.URL, as)
	return nil
}
