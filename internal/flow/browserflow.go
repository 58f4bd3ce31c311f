package flow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sync/atomic"
	"time"
)

// BrowserFlow is an authorization code (or implicit) run through the
// loopback catcher.
type BrowserFlow struct {
	Catcher CatcherConfig
	// Request: ResponseType, State, Nonce, CodeVerifier, ResponseMode and
	// Grant; RedirectURI is the catcher's.
	Request AuthRequest
	// Opener opens the browser; nil means the URL is only printed.
	Opener Opener
	// Headless: no browser; oauthkit follows the redirects itself.
	Headless bool
	// Timeout bounds the wait for the authorization response.
	Timeout time.Duration
	// Status receives the URL to open and progress (standard error).
	Status io.Writer
	// Listening, if set, is called with the catcher once it listens (tests).
	Listening func(*Catcher)
	// Progress, if set, receives the steps as they happen (a progress
	// view); it may be called from several goroutines and must not block.
	// Status is written as without it.
	Progress func(Event)
}

// Run listens, prints (and opens) the authorization URL, waits for one
// response, checks it and, for a code, redeems it. An ID token in the
// result is verified (VerifyIDToken), its nonce against Request.Nonce.
func (c *Client) Run(ctx context.Context, f BrowserFlow) (*TokenResponse, error) {
	implicit := f.Request.ResponseType != "code"
	now := c.Now
	chk := CallbackCheck{State: f.Request.State, Issuer: c.Endpoints.Issuer, RequireIss: c.Endpoints.IssParameter,
		Implicit: implicit, IDTokenOnly: f.Request.ResponseType == "id_token"}
	cfg := f.Catcher
	cfg.Implicit = implicit
	cfg.Validate = func(v url.Values) (*Callback, error) { return CheckCallback(v, chk, now()) }
	catcher, err := Listen(cfg)
	if err != nil {
		return nil, err
	}
	defer catcher.Close()
	if f.Listening != nil {
		f.Listening(catcher)
	}
	req := f.Request
	req.RedirectURI = catcher.RedirectURI()
	f.report(Event{Step: StepListening, URL: req.RedirectURI})
	authURL, err := c.AuthorizationURLFor(ctx, req, f.Status)
	if err != nil {
		return nil, err
	}
	f.report(Event{Step: StepAuthorizationURL, URL: authURL})
	if f.Headless {
		fmt.Fprintf(f.Status, "Following the authorization URL without a browser (--headless; oauthkit waits on %s):\n\n%s\n\n", req.RedirectURI, authURL)
	} else {
		fmt.Fprintf(f.Status, "Open this URL in a browser to authorize (oauthkit waits on %s):\n\n%s\n\n", req.RedirectURI, authURL)
	}

	waitCtx, cancel := context.WithTimeout(ctx, f.Timeout)
	defer cancel()
	side := make(chan error, 1)
	var headlessAt atomic.Pointer[string]
	switch {
	case f.Headless:
		f.report(Event{Step: StepHeadless})
		go func() { side <- c.followHeadless(waitCtx, authURL, req.RedirectURI, &headlessAt) }()
	case f.Opener != nil:
		go func() {
			if err := f.Opener.Open(authURL); err != nil {
				f.report(Event{Step: StepBrowserFailed, Err: err})
				side <- fmt.Errorf("could not open a browser (%v); open this URL yourself: %s", err, authURL)
				return
			}
			f.report(Event{Step: StepBrowserOpened})
		}()
	}
	if f.Progress != nil {
		f.report(Event{Step: StepWaiting, Deadline: now().Add(f.Timeout)})
	}
	results := make(chan catcherResult, 1)
	go func() { cb, err := catcher.Wait(waitCtx); results <- catcherResult{cb, err} }()
	var cb *Callback
	for cb == nil {
		select {
		case r := <-results:
			if r.err != nil {
				if at := headlessAt.Load(); at != nil && side != nil && errors.Is(r.err, context.DeadlineExceeded) {
					// still waiting for the server's page, not for the redirect
					return nil, &TimeoutError{Op: headlessWaitOp(*at)}
				}
				return nil, waitError(ctx, r.err)
			}
			cb = r.cb
		case serr := <-side:
			switch {
			case serr != nil && f.Headless:
				return nil, serr
			case serr != nil:
				fmt.Fprintf(f.Status, "warning: %v\n", serr)
			}
			side = nil // a nil channel never delivers again
		}
	}
	f.report(Event{Step: StepCallback})
	tr := cb.Token
	if !implicit {
		var err error
		if tr, err = c.ExchangeCode(ctx, cb.Code, req.RedirectURI, req.CodeVerifier, req.Grant); err != nil {
			return nil, err
		}
		f.report(Event{Step: StepExchanged})
	}
	expect := IDTokenExpect{Rule: NonceSent, Nonce: req.Nonce, RequireAtHash: req.ResponseType == "id_token token"}
	if err := c.VerifyIDToken(ctx, tr, expect); err != nil {
		return nil, err
	}
	return tr, nil
}

// waitError maps the end of the wait to cancelled or timed out; any other
// error (a refused response) passes through.
func waitError(parent context.Context, err error) error {
	switch {
	case parent.Err() != nil && errors.Is(err, context.Canceled):
		return ErrCancelled
	case errors.Is(err, context.DeadlineExceeded):
		return &TimeoutError{Op: "waiting for the authorization response on the loopback redirect"}
	}
	return err
}
