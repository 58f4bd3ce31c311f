package flow

import (
	"context"
	"time"

	"github.com/oauthkit/oauthkit/internal/cli/clientopts"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
)

// defaultRequestTimeout bounds a grant that needs no browser.
const defaultRequestTimeout = 30 * time.Second

// defaultBrowserTimeout bounds the wait for the browser to come back.
const defaultBrowserTimeout = 5 * time.Minute

// prepare checks -o and the common flags.
func prepare(o *clientopts.CommonOptions) error {
	if err := cmdutil.CheckOutput(o.Output, clientopts.TokenFormats...); err != nil {
		return err
	}
	return o.Prepare()
}

// runGrant builds the client, runs one token request under --timeout and
// Ctrl-C, and prints the answer.
func runGrant(o *clientopts.CommonOptions, do func(context.Context, *flow.Client) (*flow.TokenResponse, error)) error {
	sctx, stop := clientopts.SignalContext()
	defer stop()
	ctx, cancel := context.WithTimeout(sctx, o.Timeout)
	defer cancel()
	c, err := o.Client(ctx)
	if err != nil {
		return clientopts.MapError(err)
	}
	tr, err := do(ctx, c)
	if err != nil {
		return clientopts.MapError(err)
	}
	return WriteToken(o.Factory.IOStreams.Out, o.Output, tr)
}
