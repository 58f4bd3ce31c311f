package flow

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// ValidProfileName reports whether name can name a profile: 1 to 64
// letters, digits, '.', '_' or '-', starting with a letter or digit. Such a
// name is a plain YAML key, a --profile argument and part of the names of
// the profile's secret files.
func ValidProfileName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// Profile is one named set of client settings in the profile file
// ($XDG_CONFIG_HOME/oauthkit/config.yaml). Secrets are never stored in it,
// only where to find them: client_secret_file or client_secret_env.
type Profile struct {
	Issuer           string            `yaml:"issuer,omitempty"`
	AuthorizeURL     string            `yaml:"authorize_url,omitempty"`
	TokenURL         string            `yaml:"token_url,omitempty"`
	IntrospectURL    string            `yaml:"introspect_url,omitempty"`
	RevokeURL        string            `yaml:"revoke_url,omitempty"`
	JWKSURL          string            `yaml:"jwks_url,omitempty"`
	UserinfoURL      string            `yaml:"userinfo_url,omitempty"`
	ClientID         string            `yaml:"client_id,omitempty"`
	ClientSecretFile string            `yaml:"client_secret_file,omitempty"`
	ClientSecretEnv  string            `yaml:"client_secret_env,omitempty"`
	AuthMethod       string            `yaml:"auth_method,omitempty"`
	Scopes           []string          `yaml:"scopes,omitempty"`
	Audience         string            `yaml:"audience,omitempty"`
	Resources        []string          `yaml:"resources,omitempty"`
	Params           map[string]string `yaml:"params,omitempty"`
	RedirectURI      string            `yaml:"redirect_uri,omitempty"`
	CallbackHost     string            `yaml:"callback_host,omitempty"`
	CallbackPort     int               `yaml:"callback_port,omitempty"`
	CallbackPath     string            `yaml:"callback_path,omitempty"`
	Username         string            `yaml:"username,omitempty"`
	PasswordFile     string            `yaml:"password_file,omitempty"`
	// DPoPKey is the path of the private key DPoP proofs are signed with
	// (--dpop-key); the key itself never goes in the file.
	DPoPKey string `yaml:"dpop_key,omitempty"`

	// RegistrationClientURI and RegistrationTokenFile: where a client
	// registered with `oauthkit client register` is managed (RFC 7592),
	// and the file holding its registration access token.
	RegistrationClientURI string `yaml:"registration_client_uri,omitempty"`
	RegistrationTokenFile string `yaml:"registration_token_file,omitempty"`

	// ClientKeyFile is the private key of private_key_jwt (a path, never
	// the key), ClientKeyID and ClientKeyAlg its kid and alg overrides.
	ClientKeyFile string `yaml:"client_key_file,omitempty"`
	ClientKeyID   string `yaml:"client_key_id,omitempty"`
	ClientKeyAlg  string `yaml:"client_key_alg,omitempty"`

	// Refused keys: secrets do not belong in the file.
	ClientSecret yaml.Node `yaml:"client_secret,omitempty"`
	Password     yaml.Node `yaml:"password,omitempty"`
	ClientKey    yaml.Node `yaml:"client_key,omitempty"`
	RefreshToken yaml.Node `yaml:"refresh_token,omitempty"`
}

// ProfileFile is the whole file.
type ProfileFile struct {
	Profiles map[string]*Profile `yaml:"profiles,omitempty"`
}

// ProfilePath is $XDG_CONFIG_HOME/oauthkit/config.yaml, falling back to
// $HOME/.config/oauthkit/config.yaml.
func ProfilePath(getenv func(string) string) (string, error) {
	if dir := getenv("XDG_CONFIG_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "oauthkit", "config.yaml"), nil
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, ".config", "oauthkit", "config.yaml"), nil
	}
	return "", errors.New("neither XDG_CONFIG_HOME nor HOME is set: cannot find the profile file")
}

// ParseProfiles parses a profile file strictly: one YAML document, no
// unknown keys, no secrets.
func ParseProfiles(name string, data []byte) (*ProfileFile, error) {
	nodes := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := nodes.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return &ProfileFile{}, nil
		}
		return nil, yamlErrorText(name, data, err)
	}
	var extra yaml.Node
	if err := nodes.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s:%d: only one YAML document is allowed", name, extra.Line)
	}
	if err := checkProfileKeys(name, &root); err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var pf ProfileFile
	if err := dec.Decode(&pf); err != nil && !errors.Is(err, io.EOF) {
		return nil, yamlErrorText(name, data, err)
	}
	for pname, p := range pf.Profiles {
		if p == nil {
			return nil, fmt.Errorf("%s: profile %q is empty", name, pname)
		}
		for _, s := range []struct {
			key  string
			node *yaml.Node
			hint string
		}{
			{"client_secret", &p.ClientSecret, "client_secret_file or client_secret_env"},
			{"password", &p.Password, "password_file or OAUTHKIT_PASSWORD"},
			{"client_key", &p.ClientKey, "client_key_file"},
			{"refresh_token", &p.RefreshToken, "--refresh-token-file"},
		} {
			if s.node.Kind != 0 {
				return nil, fmt.Errorf("%s:%d: profiles.%s.%s: secrets are not kept in the profile file; use %s", name, s.node.Line, pname, s.key, s.hint)
			}
		}
		if p.AuthMethod != "" {
			if _, err := ParseAuthMethod(p.AuthMethod); err != nil {
				return nil, fmt.Errorf("%s: profiles.%s.auth_method: %v", name, pname, err)
			}
		}
		if p.ClientSecretFile != "" && p.ClientSecretEnv != "" {
			return nil, fmt.Errorf("%s: profiles.%s: give client_secret_file or client_secret_env, not both", name, pname)
		}
	}
	return &pf, nil
}

// LoadProfile reads the profile file and returns the named profile.
// Relative file paths in it are made relative to the file's directory.
func LoadProfile(path, name string) (*Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("--profile %s: the profile file %s does not exist", name, path)
		}
		return nil, fmt.Errorf("--profile %s: %v", name, err)
	}
	if len(data) > maxBody {
		return nil, fmt.Errorf("%s is larger than 1 MiB", path)
	}
	pf, err := ParseProfiles(path, data)
	if err != nil {
		return nil, err
	}
	p, ok := pf.Profiles[name]
	if !ok {
		return nil, fmt.Errorf("--profile %s: no such profile in %s", name, path)
	}
	dir := filepath.Dir(path)
	for _, f := range []*string{&p.ClientSecretFile, &p.PasswordFile, &p.RegistrationTokenFile, &p.ClientKeyFile} {
		if *f != "" && *f != "-" && !filepath.IsAbs(*f) {
			*f = filepath.Join(dir, *f)
		}
	}
	return p, nil
}
