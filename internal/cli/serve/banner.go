package serve

import (
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"

	"github.com/oauthkit/oauthkit/internal/authserver"
	"github.com/oauthkit/oauthkit/internal/config"
	"github.com/oauthkit/oauthkit/keys"
)

type bannerInfo struct {
	issuer, store, keySource string
	listen                   string // the bound address when the issuer names another ("" = the issuer's)
	signer                   *keys.Key
	demo                     *demoCredentials
	demoPath                 string
	config                   *config.Config
	controlTokenPath         string // --control: the token's file ("" without --control)
	registration             string // the registration endpoint's line ("" when off)
}

// printBanner tells a person what is running and how to use it: issuer,
// endpoints, demo credentials and a copy-paste curl line per grant.
func printBanner(w io.Writer, b bannerInfo) {
	iss := b.issuer
	fmt.Fprintf(w, "oauthkit serve: issuer %s\n", iss)
	if b.listen != "" {
		fmt.Fprintf(w, "  listening on: %s (the issuer is kept as configured)\n", b.listen)
	}
	fmt.Fprintf(w, "  store:        %s\n", b.store)
	fmt.Fprintf(w, "  signing key:  %s kid=%s (%s)\n", b.signer.Algorithm(), b.signer.KeyID(), b.keySource)
	if b.config != nil {
		fmt.Fprintf(w, "  config:       %s (%s, %s)\n", b.config.File,
			plural(len(b.config.Clients), "client", "clients"), plural(len(b.config.Users), "user", "users"))
	}
	fmt.Fprintln(w, "endpoints:")
	for _, e := range [][2]string{
		{"authorization", "/authorize"}, {"token", "/token"}, {"introspection", "/introspect"}, {"revocation", "/revoke"},
		{"par", "/par"},
		{"jwks", "/jwks.json"}, {"userinfo", "/userinfo"}, {"protected", "/protected"},
		{"resource md", "/.well-known/oauth-protected-resource/protected"},
		{"metadata", "/.well-known/oauth-authorization-server"}, {"openid config", "/.well-known/openid-configuration"},
		{"end session", "/authorize/logout"}, {"health", "/healthz"},
	} {
		fmt.Fprintf(w, "  %-14s %s%s\n", e[0], iss, e[1])
	}
	if b.config != nil && slices.ContainsFunc(b.config.Clients, func(c config.Client) bool { return c.AllowsGrant(config.GrantDeviceCode) }) {
		fmt.Fprintf(w, "  %-14s %s%s\n", "device auth", iss, authserver.PathDeviceAuthorization) // RFC 8628 §3.1
		fmt.Fprintf(w, "  %-14s %s%s\n", "device page", iss, authserver.PathVerification)        // verification_uri
	}
	if b.controlTokenPath != "" {
		fmt.Fprintf(w, "  %-14s %s%s (token in %s; see oauthkit ctl)\n", "control API", iss, strings.TrimSuffix(authserver.ControlPathPrefix, "/"), b.controlTokenPath)
	}
	if b.registration != "" {
		fmt.Fprintln(w, b.registration)
	}
	if b.demo == nil {
		fmt.Fprintln(w, "ready; press Ctrl-C to stop")
		return
	}
	d := b.demo
	fmt.Fprintln(w, "demo credentials (zero-config mode):")
	fmt.Fprintf(w, "  confidential client  %s  secret %s\n", d.ClientID, d.ClientSecret)
	fmt.Fprintf(w, "  public client        %s  (no secret; redirect http://127.0.0.1/callback, any port)\n", d.PublicClientID)
	fmt.Fprintf(w, "  user                 %s  password %s\n", d.Username, d.Password)
	if b.demoPath != "" {
		fmt.Fprintf(w, "  (saved in %s, mode 0600)\n", b.demoPath)
	}
	fmt.Fprintln(w, "try:")
	for _, line := range curlLines(iss, d) {
		fmt.Fprintf(w, "  %s\n", line)
	}
	fmt.Fprintln(w, "ready; press Ctrl-C to stop")
}

// curlLines returns one working curl command per enabled grant of the demo
// client, then one for the protected resource. The refresh line reads the
// refresh token that the password line saved.
func curlLines(iss string, d *demoCredentials) []string {
	basic := "-u " + shellQuote(d.ClientID+":"+d.ClientSecret)
	return []string{
		"# client_credentials",
		"curl -s " + basic + " -d grant_type=client_credentials -d scope=read " + iss + "/token",
		"# password (saves the response to token.json)",
		"curl -s " + basic + " -d grant_type=password -d username=" + shellQuote(d.Username) + " -d password=" + shellQuote(d.Password) + " " + iss + "/token | tee token.json",
		"# refresh_token (rotates: the old refresh token dies)",
		"curl -s " + basic + " -d grant_type=refresh_token --data-urlencode \"refresh_token=$(jq -r .refresh_token token.json)\" " + iss + "/token",
		"# the protected resource",
		"curl -s -H \"Authorization: Bearer $(jq -r .access_token token.json)\" " + iss + "/protected",
		"# authorization code: open this in a browser, sign in, allow; the code is in the address bar it lands on",
		iss + "/authorize?response_type=code&client_id=" + url.QueryEscape(d.ClientID) +
			"&redirect_uri=" + url.QueryEscape(demoCallback) + "&scope=read&state=demo",
		"# ...then exchange it (within 60 s)",
		"curl -s " + basic + " -d grant_type=authorization_code -d redirect_uri=" + demoCallback + " -d code=CODE " + iss + "/token",
	}
}

// demoCallback is the redirect URI the banner's authorization URL uses: the
// demo clients register http://127.0.0.1/callback, and any port of a
// loopback IP matches it. Nothing needs to listen there.
const demoCallback = "http://127.0.0.1:9000/callback"

// plural is "1 client", "0 clients", "2 clients".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
