package serve

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/oauthkit/oauthkit/internal/authserver"
	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/config"
)

// RegistrationTokenEnv holds the initial access token of `serve
// --registration token` when no file names it.
const RegistrationTokenEnv = "OAUTHKIT_REGISTRATION_TOKEN"

// minInitialTokenLength: a shorter initial access token is refused; it is
// a bearer credential (docs/security.md rule 104).
const minInitialTokenLength = 16

// checkRegistrationFlags settles dynamic client registration (RFC 7591):
// --registration over the configuration's mode, the initial access token of
// token mode from --registration-token-file, the configuration's
// initial_access_token_file or OAUTHKIT_REGISTRATION_TOKEN. Nothing is
// read from the command line itself.
func (p *prepared) checkRegistrationFlags() error {
	o := p.opts
	r := authserver.RegistrationSettings{RatePerMinute: config.DefaultRegistrationRate, MaxClients: config.DefaultRegistrationMaxClients}
	file := o.RegistrationTokenFile
	if p.cfg != nil {
		if c := p.cfg.Registration; c.Mode != config.RegistrationOff {
			r.Mode, r.RatePerMinute, r.MaxClients = c.Mode, c.RatePerMinute, c.MaxClients
		}
		if file == "" && p.cfg.Registration.InitialAccessTokenFile != "" {
			file = p.cfg.Resolve(p.cfg.Registration.InitialAccessTokenFile)
		}
	}
	switch o.Registration {
	case "":
	case config.RegistrationOpen, config.RegistrationToken:
		r.Mode = o.Registration
	default:
		return cmdutil.UsageErrorf("--registration %q is not one of open, token", o.Registration)
	}
	if o.RegistrationTokenFile != "" && r.Mode != config.RegistrationToken {
		return cmdutil.UsageErrorf("--registration-token-file needs --registration token")
	}
	if r.Mode == config.RegistrationToken {
		tok, err := initialAccessToken(file, p.f.Getenv(RegistrationTokenEnv))
		if err != nil {
			return err
		}
		r.InitialAccessToken = tok
	}
	p.registration = r
	return nil
}

// initialAccessToken reads the token from file, else takes env.
func initialAccessToken(file, env string) (string, error) {
	tok, from := strings.TrimSpace(env), RegistrationTokenEnv
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return "", cmdutil.UnreadableInput(err)
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, 4097))
		if err != nil {
			return "", cmdutil.UnreadableInput(err)
		}
		if len(data) > 4096 {
			return "", cmdutil.UsageErrorf("the initial access token file %s is larger than 4096 bytes", file)
		}
		tok, from = strings.TrimRight(string(data), "\r\n"), file
	}
	switch {
	case file == "" && tok == "":
		return "", cmdutil.UsageErrorf("registration mode token needs the initial access token: --registration-token-file FILE, registration.initial_access_token_file or %s", RegistrationTokenEnv)
	case len(tok) < minInitialTokenLength:
		return "", cmdutil.UsageErrorf("the initial access token (%s) is shorter than %d characters; use a long random one (docs/security.md rule 104)", from, minInitialTokenLength)
	case strings.ContainsFunc(tok, func(r rune) bool { return r <= ' ' || r > '~' }):
		return "", cmdutil.UsageErrorf("the initial access token (%s) must be one line of printable ASCII without spaces", from)
	}
	return tok, nil
}

// registrationBannerLine names the registration endpoint for the banner.
func registrationBannerLine(r authserver.RegistrationSettings, issuer string) string {
	if r.Mode == "" {
		return ""
	}
	return fmt.Sprintf("  %-14s %s%s (%s; at most %d requests a minute per address, %d clients)",
		"registration", issuer, authserver.PathRegister, r.Mode, r.RatePerMinute, r.MaxClients)
}
