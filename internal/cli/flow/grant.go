package flow

import (
	"context"
	"errors"
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
	if err := checkRefreshTokenOut(o); err != nil {
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
	var issued *flow.IssuedError
	if err != nil && tr != nil && errors.As(err, &issued) {
		// The server issued these (and may have retired the refresh token
		// that got them): write them where asked, then fail.
		return errors.Join(clientopts.MapError(err), emitToken(o, tr))
	}
	if err != nil {
		o.InvalidClientHint(c, err)
		return clientopts.MapError(err)
	}
	return emitToken(o, tr)
}
