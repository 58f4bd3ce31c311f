package flow

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/oauthkit/oauthkit/internal/cli/clientopts"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/fileutil"
	"github.com/oauthkit/oauthkit/internal/flow"
)

// stepOne is what --print-url prints (and --save keeps).
type stepOne struct {
	AuthorizationURL string `json:"authorization_url"`
	RedirectURI      string `json:"redirect_uri"`
	State            string `json:"state,omitempty"`
	CodeVerifier     string `json:"code_verifier,omitempty"`
	Nonce            string `json:"nonce,omitempty"`
}

// twoStepRedirect is the redirect URI of the two-step mode. Nothing listens
// on it: the person copies the URL the browser was sent to. Without
// --redirect-uri it is http://HOST[:PORT]/PATH (no port unless
// --callback-port: loopback IP redirects match any port, RFC 8252 §7.3).
func (o *AuthcodeOptions) twoStepRedirect() (string, error) {
	if o.RedirectURI != "" {
		return o.RedirectURI, nil
	}
	host := strings.Trim(o.CallbackHost, "[]")
	switch strings.ToLower(host) {
	case "", "127.0.0.1", "localhost", "::1":
	default:
		return "", cmdutil.UsageErrorf("--callback-host %q is not one of 127.0.0.1, localhost, [::1]", o.CallbackHost)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if o.CallbackPort != 0 {
		host = net.JoinHostPort(strings.Trim(host, "[]"), strconv.Itoa(o.CallbackPort))
	}
	path := o.CallbackPath
	if path == "" {
		path = "/callback"
	}
	return "http://" + host + path, nil
}

func runPrintURL(o *AuthcodeOptions) error {
	sctx, stop := clientopts.SignalContext()
	defer stop()
	if err := o.resolveResource(sctx); err != nil {
		return err
	}
	c, err := o.ClientWithin(sctx)
	if err != nil {
		return err
	}
	req := o.authRequest()
	if req.RedirectURI, err = o.twoStepRedirect(); err != nil {
		return err
	}
	if err := clientopts.RequireIDTokenVerification(c, req.Grant.Scopes, req.ResponseType); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(sctx, o.Timeout)
	defer cancel()
	authURL, err := c.AuthorizationURLFor(ctx, req, o.Factory.IOStreams.ErrOut) // pushed with --par (RFC 9126)
	if err != nil {
		return clientopts.MapError(err)
	}
	step := stepOne{AuthorizationURL: authURL, RedirectURI: req.RedirectURI, State: req.State, CodeVerifier: req.CodeVerifier, Nonce: req.Nonce}
	ios := o.Factory.IOStreams
	if o.Save != "" {
		data, _ := json.MarshalIndent(step, "", "  ")
		if err := fileutil.WriteFile(o.Save, append(data, '\n'), 0o600, true); err != nil {
			return cmdutil.Failf("%v", err)
		}
		fmt.Fprintf(ios.ErrOut, "state and code_verifier saved in %s (mode 0600); finish with --exchange CALLBACK_URL --save %s\n", o.Save, o.Save)
		step = stepOne{AuthorizationURL: authURL, RedirectURI: req.RedirectURI}
	}
	fmt.Fprintf(ios.ErrOut, "Open this URL in a browser, then pass the URL it is sent to to --exchange:\n\n%s\n\n", authURL)
	return cmdutil.WriteJSON(ios.Out, step)
}

func runExchange(o *AuthcodeOptions) error {
	state, verifier, nonce, redirect := o.State, o.CodeVerifier, o.Nonce, ""
	if o.Save != "" {
		data, err := cmdutil.ReadInput(o.Factory, o.Save)
		if err != nil {
			return err
		}
		var saved stepOne
		if err := json.Unmarshal(data, &saved); err != nil {
			return cmdutil.Failf("%s is not a file written by --print-url --save: %v", o.Save, err)
		}
		if state == "" {
			state = saved.State
		}
		if verifier == "" {
			verifier = saved.CodeVerifier
		}
		if nonce == "" {
			nonce = saved.Nonce
		}
		redirect = saved.RedirectURI
	}
	if redirect == "" {
		r, err := o.twoStepRedirect()
		if err != nil {
			return err
		}
		redirect = r
	} else if o.RedirectURI != "" {
		redirect = o.RedirectURI
	}
	if verifier == "" && !o.NoPKCE {
		return cmdutil.UsageErrorf("--exchange needs the code_verifier of step 1: --code-verifier V or --save FILE (or --no-pkce if step 1 used it)")
	}
	callback, err := cmdutil.ReadValueArg(o.Factory, o.Exchange)
	if err != nil {
		return err
	}
	values, err := flow.ParseCallbackURL(callback)
	if err != nil {
		return cmdutil.UsageErrorf("--exchange: %v", err)
	}
	sctx, stop := clientopts.SignalContext()
	defer stop()
	c, err := o.ClientWithin(sctx)
	if err != nil {
		return err
	}
	if nonce != "" { // step 1 asked for openid
		if err := clientopts.RequireIDTokenVerification(c, []string{"openid"}, "code"); err != nil {
			return err
		}
	}
	code := values.Get("code")
	if bare := len(values) == 1 && !strings.ContainsAny(callback, "=?#"); bare {
		fmt.Fprintln(o.Factory.IOStreams.ErrOut, "note: a bare code was given, so its state could not be checked; pass the whole callback URL to have it checked")
	} else {
		if state == "" {
			return cmdutil.UsageErrorf("--exchange with a callback URL needs the state of step 1: --state S or --save FILE")
		}
		cb, err := flow.CheckCallback(values, flow.CallbackCheck{State: state, Issuer: c.Endpoints.Issuer, RequireIss: c.Endpoints.IssParameter}, o.Factory.Now())
		if err != nil {
			return clientopts.MapError(err)
		}
		code = cb.Code
	}
	ctx, cancel := context.WithTimeout(sctx, o.Timeout)
	defer cancel()
	g := o.Grant()
	tr, err := c.ExchangeCode(ctx, code, redirect, verifier, g)
	if err != nil {
		o.InvalidClientHint(c, err)
		return clientopts.MapError(err)
	}
	expect := flow.IDTokenExpect{Rule: flow.NonceSent, Nonce: nonce}
	if nonce == "" {
		expect.Rule = flow.NonceUnknown
	}
	if err := c.VerifyIDToken(ctx, tr, expect); err != nil {
		return clientopts.MapError(err)
	}
	clientopts.OfflineAccessHint(&o.CommonOptions, g, tr)
	return emitToken(&o.CommonOptions, tr)
}
