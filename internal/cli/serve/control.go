package serve

import (
	"os"
	"path/filepath"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/control"
)

// checkControlFlags reads --control-token-file before anything is
// created: a missing, empty or unreadable file is a usage error (exit 2).
func (p *prepared) checkControlFlags() error {
	o := p.opts
	if o.ControlTokenFile == "" {
		return nil
	}
	if !o.Control {
		return cmdutil.UsageErrorf("--control-token-file needs --control")
	}
	tok, err := control.ReadTokenFile(o.ControlTokenFile)
	if err != nil {
		if os.IsNotExist(err) || os.IsPermission(err) {
			return cmdutil.UnreadableInput(err)
		}
		return cmdutil.UsageErrorf("--control-token-file: %v", err)
	}
	p.controlToken, p.controlTokenPath = tok, o.ControlTokenFile
	return nil
}

// ensureControlToken, for --control without --control-token-file, keeps
// the token in the state directory's control-token file (0600; the
// directory 0700), also with a memory store: ctl finds it there.
func (p *prepared) ensureControlToken() error {
	if !p.opts.Control || p.controlToken != "" {
		return nil
	}
	dir := p.opts.StateDir
	if dir == "" {
		var err error
		if dir, err = stateDir(p.f.Getenv); err != nil {
			return cmdutil.Failf("%v", err)
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return cmdutil.Failf("creating the state directory for the control token: %v", err)
	}
	if err := checkStateDir(dir, p.f.IOStreams.ErrOut); err != nil {
		return cmdutil.Failf("%v", err)
	}
	path, tok, err := control.EnsureTokenFile(dir)
	if err != nil {
		return cmdutil.Failf("the control token: %v", err)
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs // the banner names it for ctl, which may run elsewhere
	}
	p.controlToken, p.controlTokenPath = tok, path
	return nil
}

// DefaultControlTokenFile is where `serve --control` keeps its token when
// neither --control-token-file nor --state-dir is given: `oauthkit ctl`
// reads it from there by default.
func DefaultControlTokenFile(getenv func(string) string) (string, error) {
	dir, err := stateDir(getenv)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, control.TokenFileName), nil
}
