package wizard

import (
	"errors"
	"slices"
	"sort"
	"strings"

	"github.com/oauthkit/oauthkit/internal/flow"
	"github.com/oauthkit/oauthkit/internal/tui/theme"
)

// The grants the wizard runs, in the order it offers them.
var grants = []Option{
	{Value: "authcode", Label: "authcode", Note: "sign in through the browser (code + PKCE)"},
	{Value: "client-credentials", Label: "client-credentials", Note: "the client on its own behalf"},
	{Value: "password", Label: "password", Note: "a username and password (deprecated)"},
	{Value: "implicit", Label: "implicit", Note: "token in the browser redirect (deprecated)"},
	{Value: "refresh", Label: "refresh", Note: "exchange a refresh token"},
}

// FlowAnswers are what the flow wizard asked.
type FlowAnswers struct {
	Profile      string // the profile the answers started from ("" = none)
	Grant        string
	Issuer       string // or TokenURL / AuthorizeURL
	TokenURL     string
	AuthorizeURL string
	ClientID     string
	ClientSecret string // "" = none typed (public client, or the profile's reference)
	Username     string
	Password     string
	RefreshToken string
	Scopes       []string
}

// FlowConfig is what the flow wizard needs from the command.
type FlowConfig struct {
	// Profiles of the profile file, to start from (prefilled answers).
	Profiles map[string]*flow.Profile
	Styles   theme.Styles
	// Command shows the command line the answers stand for (the last
	// question, before running it). Secrets must not be in it.
	Command func(FlowAnswers) string
	// CanRegister, when set, reports whether the issuer offers dynamic
	// client registration (RFC 7591): an empty client ID then means
	// "register a new client", and no secret is asked. It is called when
	// an empty client ID is submitted.
	CanRegister func(issuer string) bool
}

// mayRegister reports whether an empty client ID may stand for a
// registration: an issuer is given and the grant is not refresh (a refresh
// token belongs to the client that got it).
func (cfg FlowConfig) mayRegister(v Values) bool {
	return cfg.CanRegister != nil && strings.TrimSpace(v["issuer"]) != "" && v["grant"] != "refresh"
}

// NewFlow returns the wizard of `oauthkit flow`: profile (when there are
// any), grant, issuer (or the endpoints), client id, secret, the grant's
// own questions, scopes, then the command it will run.
func NewFlow(cfg FlowConfig) Model {
	profile := func(v Values) *flow.Profile { return cfg.Profiles[v["profile"]] }
	fromProfile := func(get func(*flow.Profile) string) func(Values) string {
		return func(v Values) string {
			if p := profile(v); p != nil {
				return get(p)
			}
			return ""
		}
	}
	grantIs := func(gs ...string) func(Values) bool {
		return func(v Values) bool { return !slices.Contains(gs, v["grant"]) }
	}
	browser := func(v Values) bool { return v["grant"] == "authcode" || v["grant"] == "implicit" }
	required := func(what string) func(string, Values) error {
		return func(s string, _ Values) error {
			if strings.TrimSpace(s) == "" {
				return errors.New(what + " is required")
			}
			return nil
		}
	}
	endpoint := func(name string) func(string, Values) error {
		return func(s string, _ Values) error {
			if strings.TrimSpace(s) == "" {
				return errors.New("the " + name + " is required when no issuer is given")
			}
			return flow.CheckURL(name, strings.TrimSpace(s), false)
		}
	}

	var fields []Field
	if len(cfg.Profiles) > 0 {
		fields = append(fields, Field{ID: "profile", Kind: Select, Label: "profile", Title: "Start from a profile?",
			Note: func(Values) string {
				return "its answers are prefilled; what the profile has and is not asked here (parameters, redirect URI, …) is used too"
			},
			Options: func(Values) []Option { return profileOptions(cfg.Profiles) }})
	}
	fields = append(fields,
		Field{ID: "grant", Kind: Select, Label: "grant", Title: "Which grant?", Options: func(Values) []Option { return grants }},
		Field{ID: "issuer", Kind: Text, Label: "issuer", Title: "Issuer URL",
			Note: func(Values) string {
				return "its endpoints are discovered (RFC 8414, then OpenID Connect); leave empty to give the endpoint URLs instead"
			},
			Placeholder: "http://127.0.0.1:8080", Default: fromProfile(func(p *flow.Profile) string { return p.Issuer }),
			Validate: func(s string, _ Values) error {
				if s = strings.TrimSpace(s); s == "" {
					return nil
				}
				return flow.CheckURL("issuer", s, false)
			}},
		Field{ID: "authorize_url", Kind: Text, Label: "authorize URL", Title: "Authorization endpoint URL",
			Skip:    func(v Values) bool { return strings.TrimSpace(v["issuer"]) != "" || !browser(v) },
			Default: fromProfile(func(p *flow.Profile) string { return p.AuthorizeURL }), Validate: endpoint("authorization endpoint")},
		Field{ID: "token_url", Kind: Text, Label: "token URL", Title: "Token endpoint URL",
			Skip:    func(v Values) bool { return strings.TrimSpace(v["issuer"]) != "" || v["grant"] == "implicit" },
			Default: fromProfile(func(p *flow.Profile) string { return p.TokenURL }), Validate: endpoint("token endpoint")},
		Field{ID: "client_id", Kind: Text, Label: "client id", Title: "Client ID",
			Note: func(v Values) string {
				if !cfg.mayRegister(v) {
					return ""
				}
				return "empty: register a new client, if the server offers dynamic registration (RFC 7591)"
			},
			Default: fromProfile(func(p *flow.Profile) string { return p.ClientID }),
			Validate: func(s string, v Values) error {
				if strings.TrimSpace(s) == "" && cfg.mayRegister(v) {
					if cfg.CanRegister(strings.TrimSpace(v["issuer"])) {
						return nil
					}
					return errors.New("the client ID is required: the server offers no dynamic registration (no registration_endpoint)")
				}
				return required("the client ID")(s, v)
			}},
		Field{ID: "client_secret", Kind: Secret, Label: "client secret", Title: "Client secret",
			Skip: func(v Values) bool {
				return v["grant"] == "implicit" || (cfg.mayRegister(v) && strings.TrimSpace(v["client_id"]) == "")
			},
			Note: func(v Values) string {
				if p := profile(v); p != nil && p.ClientSecretFile != "" {
					return "empty: the profile's file " + p.ClientSecretFile
				}
				if p := profile(v); p != nil && p.ClientSecretEnv != "" {
					return "empty: the profile's variable $" + p.ClientSecretEnv
				}
				return "empty for a public client; it is masked here and never printed"
			}},
		Field{ID: "username", Kind: Text, Label: "username", Title: "Username", Skip: grantIs("password"),
			Default: fromProfile(func(p *flow.Profile) string { return p.Username }), Validate: required("the username")},
		Field{ID: "password", Kind: Secret, Label: "password", Title: "Password", Skip: grantIs("password"),
			Validate: required("the password")},
		Field{ID: "refresh_token", Kind: Secret, Label: "refresh token", Title: "Refresh token", Skip: grantIs("refresh"),
			Validate: required("the refresh token")},
		Field{ID: "scopes", Kind: Text, Label: "scopes", Title: "Scopes",
			Note: func(v Values) string {
				if browser(v) {
					return "space-separated; add openid for an ID token (it is verified)"
				}
				return "space-separated; empty for the server's default"
			},
			Placeholder: "openid profile read",
			Default:     fromProfile(func(p *flow.Profile) string { return strings.Join(p.Scopes, " ") })},
		Field{ID: "run", Kind: Select, Title: "Run it?",
			Note: func(v Values) string {
				if cfg.Command == nil {
					return ""
				}
				return "the same as: " + cfg.Command(FlowAnswersOf(v))
			},
			Options: func(Values) []Option {
				return []Option{{Value: "run", Label: "run"}, {Value: "back", Label: "go back and change an answer"}}
			}, Back: "back"},
	)
	return New("oauthkit flow", fields, cfg.Styles)
}

// profileOptions: none, then the profiles by name.
func profileOptions(ps map[string]*flow.Profile) []Option {
	names := make([]string, 0, len(ps))
	for n := range ps {
		names = append(names, n)
	}
	sort.Strings(names)
	opts := []Option{{Value: "", Label: "(none)", Note: "start from scratch"}}
	for _, n := range names {
		note := ps[n].Issuer
		if note == "" {
			note = ps[n].TokenURL
		}
		opts = append(opts, Option{Value: n, Label: n, Note: note})
	}
	return opts
}

// FlowAnswersOf reads the answers of a flow wizard.
func FlowAnswersOf(v Values) FlowAnswers {
	t := func(k string) string { return strings.TrimSpace(v[k]) }
	return FlowAnswers{
		Profile: v["profile"], Grant: v["grant"], Issuer: t("issuer"), TokenURL: t("token_url"), AuthorizeURL: t("authorize_url"),
		ClientID: t("client_id"), ClientSecret: v["client_secret"], Username: t("username"), Password: v["password"],
		RefreshToken: t("refresh_token"), Scopes: strings.Fields(v["scopes"]),
	}
}
