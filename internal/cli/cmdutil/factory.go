package cmdutil

import (
	"net/http"
	"time"

	"github.com/oauthkit/oauthkit/internal/iostreams"
)

// Factory gives commands their dependencies, so tests can replace them.
type Factory struct {
	IOStreams *iostreams.IOStreams
	// Now is the clock; never call time.Now directly in a command.
	Now func() time.Time
	// HTTPClient returns the client for outgoing requests.
	HTTPClient func() *http.Client
	// Getenv reads the environment (tests replace it).
	Getenv func(string) string
}

// NewFactory returns the production factory.
func NewFactory(ios *iostreams.IOStreams, getenv func(string) string) *Factory {
	return &Factory{
		IOStreams: ios,
		Now:       time.Now,
		HTTPClient: func() *http.Client {
			return &http.Client{Timeout: 30 * time.Second}
		},
		Getenv: getenv,
	}
}
