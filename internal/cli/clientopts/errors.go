package clientopts

import (
	"context"
	"errors"
	"os"
	"os/signal"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/flow"
)

// SignalContext is cancelled by Ctrl-C (exit 130).
func SignalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt)
}

// MapError turns flow errors into exit codes (docs of `oauthkit help exit-codes`).
func MapError(err error) error {
	var (
		ee *cmdutil.ExitError
		ie *flow.IDTokenError
		oe *flow.OAuthError
		ne *flow.NetworkError
		te *flow.TimeoutError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ee):
		return err
	case errors.Is(err, flow.ErrCancelled):
		return cmdutil.ErrCancelled
	case errors.As(err, &oe), errors.As(err, &ie):
		return cmdutil.OAuthError(err)
	case errors.As(err, &te):
		return cmdutil.TimeoutError(err)
	case errors.As(err, &ne):
		return cmdutil.NetworkError(err)
	}
	return cmdutil.Failf("%v", err)
}
