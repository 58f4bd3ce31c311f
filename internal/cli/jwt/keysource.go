package jwt

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/netutil"
	"github.com/oauthkit/oauthkit/keys"
)

// maxJWKSBody bounds a fetched JWKS.
const maxJWKSBody = 1 << 20

// loadVerifyKeys reads the keys of --key or --jwks.
func loadVerifyKeys(opts *VerifyOptions) ([]*keys.Key, error) {
	src := opts.KeyFile
	if src == "" {
		src = opts.JWKS
		if i := strings.Index(src, "://"); i > 0 {
			return fetchJWKS(opts, src)
		}
	}
	if opts.KeyFile == "" {
		// --jwks FILE: a server's published set, read like a fetched one.
		data, err := cmdutil.ReadInput(opts.Factory, src)
		if err != nil {
			return nil, err
		}
		var probe struct {
			Keys json.RawMessage `json:"keys"`
		}
		if json.Unmarshal(data, &probe) == nil && probe.Keys != nil {
			return verificationSet(opts, data, src)
		}
		ks, err := keys.Parse(data) // a PEM or a single JWK also works
		if err != nil {
			return nil, cmdutil.Failf("%s: %v", src, err)
		}
		return ks, nil
	}
	ks, err := keys.ParseFile(src)
	if err != nil {
		return nil, cmdutil.InputError(err)
	}
	return ks, nil
}

// verificationSet parses a JWKS (from a file or a URL) for verifying,
// skipping the entries that cannot sign (encryption, symmetric or
// unsupported keys) with a note on standard error for each.
func verificationSet(opts *VerifyOptions, data []byte, from string) ([]*keys.Key, error) {
	ks, skipped, err := keys.ParseVerificationSet(data)
	if err != nil {
		return nil, cmdutil.Failf("the JWKS from %s: %v", from, err)
	}
	for _, s := range skipped {
		fmt.Fprintf(opts.Factory.IOStreams.ErrOut, "note: the JWKS from %s: skipping %s\n", from, s)
	}
	return ks, nil
}

// errRedirectRefused marks a redirect to plain http that policy refuses.
type errRedirectRefused struct{ to string }

func (e *errRedirectRefused) Error() string {
	return fmt.Sprintf("refusing a redirect to plain http %s (use --insecure to allow it)", e.to)
}

// fetchJWKS GETs a JWKS over HTTP(S) within opts.Timeout.
func fetchJWKS(opts *VerifyOptions, raw string) ([]*keys.Key, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, cmdutil.UsageErrorf("--jwks %q is not a valid URL", raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !opts.Insecure && !netutil.IsLoopbackHost(u.Hostname()) {
			return nil, cmdutil.UsageErrorf("refusing to fetch the JWKS over plain http from %s: use https://, or --insecure to allow it", u.Host)
		}
	default:
		return nil, cmdutil.UsageErrorf("--jwks URL scheme %q is not supported: use https:// (or a file)", u.Scheme)
	}
	f := opts.Factory
	client := *f.HTTPClient()
	client.Timeout = opts.Timeout
	if opts.Insecure {
		fmt.Fprintln(f.IOStreams.ErrOut, "warning: --insecure: TLS certificates are not checked and plain http is allowed; the JWKS may not be genuine")
		if t, ok := transportOf(&client); ok {
			t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // explicit --insecure
			client.Transport = t
		}
	}
	client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return errors.New("stopped after 5 redirects")
		}
		if req.URL.Scheme != "https" && !opts.Insecure && !netutil.IsLoopbackHost(req.URL.Hostname()) {
			return &errRedirectRefused{to: req.URL.Redacted()}
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, cmdutil.UsageErrorf("--jwks %q: %v", raw, err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fetchError(u, err, opts)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, cmdutil.Failf("fetching the JWKS from %s: HTTP %s", u.Redacted(), resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBody+1))
	if err != nil {
		return nil, fetchError(u, err, opts)
	}
	if len(body) > maxJWKSBody {
		return nil, cmdutil.Failf("the JWKS from %s is larger than 1 MiB", u.Redacted())
	}
	if !json.Valid(body) {
		return nil, cmdutil.Failf("the JWKS from %s is not JSON (Content-Type %q)", u.Redacted(), resp.Header.Get("Content-Type"))
	}
	return verificationSet(opts, body, u.Redacted())
}

// fetchError classifies a failed request: policy (1), time-out (5) or
// network (4).
func fetchError(u *url.URL, err error, opts *VerifyOptions) error {
	var refused *errRedirectRefused
	if errors.As(err, &refused) {
		return cmdutil.Failf("fetching the JWKS from %s: %v", u.Redacted(), refused)
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return cmdutil.TimeoutError(fmt.Errorf("fetching the JWKS from %s: no answer within %s (--timeout)", u.Redacted(), opts.Timeout))
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return cmdutil.NetworkError(fmt.Errorf("fetching the JWKS from %s: %v", u.Redacted(), err))
}

// transportOf returns a copy of client's transport to modify, when it is
// (or defaults to) an *http.Transport.
func transportOf(c *http.Client) (*http.Transport, bool) {
	switch t := c.Transport.(type) {
	case nil:
		if dt, ok := http.DefaultTransport.(*http.Transport); ok {
			return dt.Clone(), true
		}
	case *http.Transport:
		return t.Clone(), true
	}
	return nil, false
}
