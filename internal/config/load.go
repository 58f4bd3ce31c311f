package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/oauthkit/oauthkit/internal/yamlline"
)

// maxFileSize bounds a configuration file.
const maxFileSize = 1 << 20

// The file as written: durations are strings until validated.
type fileConfig struct {
	Issuer          string            `yaml:"issuer"`
	Store           string            `yaml:"store"`
	Keys            []string          `yaml:"keys"`
	ResponseProfile string            `yaml:"response_profile"`
	PKCE            string            `yaml:"pkce"`
	Tokens          fileTokens        `yaml:"tokens"`
	TokenExchange   fileExchange      `yaml:"token_exchange"`
	Scopes          map[string]string `yaml:"scopes"`
	Clients         []fileClient      `yaml:"clients"`
	Users           []fileUser        `yaml:"users"`
	Registration    fileRegistration  `yaml:"registration"`
	// Resources and PAR (RFC 8707, RFC 9126): config/resources.go.
	Resources                          []fileResource `yaml:"resources"`
	RequirePushedAuthorizationRequests bool           `yaml:"require_pushed_authorization_requests"`
}

type fileTokens struct {
	Format          string      `yaml:"format"`
	Audience        string      `yaml:"audience"`
	AccessTokenTTL  string      `yaml:"access_token_ttl"`
	RefreshTokenTTL string      `yaml:"refresh_token_ttl"`
	CodeTTL         string      `yaml:"code_ttl"`
	IDTokenTTL      string      `yaml:"id_token_ttl"`
	Hashing         fileHashing `yaml:"hashing"`
}

type fileHashing struct {
	Algorithm         string `yaml:"algorithm"`
	FallbackAlgorithm string `yaml:"fallback_algorithm"`
}

type fileClient struct {
	ID           string   `yaml:"id"`
	Secret       *string  `yaml:"secret"`
	SecretHash   *string  `yaml:"secret_hash"`
	Name         string   `yaml:"name"`
	RedirectURIs []string `yaml:"redirect_uris"`
	// PostLogoutRedirectURIs: RP-initiated logout (OpenID Connect).
	PostLogoutRedirectURIs []string       `yaml:"post_logout_redirect_uris"`
	GrantTypes             []string       `yaml:"grant_types"`
	Scopes                 []string       `yaml:"scopes"`
	AuthMethod             string         `yaml:"auth_method"`
	AutoApprove            bool           `yaml:"auto_approve"`
	SkipConsent            bool           `yaml:"skip_consent"`
	TokenResponse          string         `yaml:"token_response"`
	Claims                 map[string]any `yaml:"claims"`
	AccessTokenSigningAlg  string         `yaml:"access_token_signing_alg"`
	DPoPBoundAccessTokens  bool           `yaml:"dpop_bound_access_tokens"`
	// Resources and PAR (RFC 8707, RFC 9126): config/resources.go.
	Resources                          []string `yaml:"resources"`
	RequirePushedAuthorizationRequests bool     `yaml:"require_pushed_authorization_requests"`
	// JWT client authentication and the JWT bearer grant (RFC 7523,
	// jwtauth.go): the client's public keys and its pinned algorithm.
	JWKS                        any    `yaml:"jwks"`
	JWKSFile                    string `yaml:"jwks_file"`
	JWKSURI                     string `yaml:"jwks_uri"`
	TokenEndpointAuthSigningAlg string `yaml:"token_endpoint_auth_signing_alg"`
	// TokenExchange: RFC 8693 settings of the client.
	TokenExchange fileClientExchange `yaml:"token_exchange"`
}

type fileClientExchange struct {
	Audiences []string `yaml:"audiences"`
}

type fileUser struct {
	Username     string         `yaml:"username"`
	Password     *string        `yaml:"password"`
	PasswordHash *string        `yaml:"password_hash"`
	Claims       map[string]any `yaml:"claims"`
}

// Load reads, parses and validates the configuration file at path. Relative
// paths inside it are resolved against its directory by Config.Resolve.
// Errors are of type Errors, as for Parse.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Errors{{File: path, Msg: pathErr(err)}}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, Errors{{File: path, Msg: pathErr(err)}}
	}
	if len(data) > maxFileSize {
		return nil, Errors{{File: path, Msg: "is larger than 1 MiB"}}
	}
	cfg, err := Parse(data, path)
	if err != nil {
		return nil, err
	}
	if cfg.Dir, err = filepath.Abs(filepath.Dir(path)); err != nil {
		return nil, Errors{{File: path, Msg: err.Error()}}
	}
	return cfg, nil
}

// Parse parses and validates a configuration; name is used in errors. The
// error is of type Errors: every problem with the file, the line, the key
// path and what is wrong.
func Parse(data []byte, name string) (*Config, error) {
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil && !errors.Is(err, io.EOF) {
		e := yamlError(name, err, nil)
		e.Line = yamlline.ProblemLine(data, e.Line) // yaml.v3 names the block's first line
		return nil, Errors{e}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, Errors{{File: name, Line: extra.Line, Msg: "holds more than one YAML document"}}
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}

	var fc fileConfig
	var typeErrs Errors
	if root.Kind != 0 {
		if doc.Kind != yaml.MappingNode {
			return nil, Errors{{File: name, Line: doc.Line, Msg: "must be a mapping of keys (issuer, clients, …)"}}
		}
		strict := yaml.NewDecoder(bytes.NewReader(data))
		strict.KnownFields(true)
		if err := strict.Decode(&fc); err != nil {
			var te *yaml.TypeError
			if !errors.As(err, &te) {
				return nil, Errors{yamlError(name, err, doc)}
			}
			// Unknown keys and values of the wrong type: yaml.v3 decodes
			// everything else, so the checks below still run and one pass
			// reports every problem of the file.
			for _, msg := range te.Errors {
				typeErrs = append(typeErrs, yamlError(name, errors.New(msg), doc))
			}
		}
	}
	v := &validator{file: name, dir: filepath.Dir(name), doc: doc, errs: typeErrs, broken: brokenParents(typeErrs)}
	cfg := v.config(&fc)
	if len(v.errs) > 0 {
		return nil, v.errs
	}
	cfg.File = name
	cfg.Warnings = v.warnings
	return cfg, nil
}

var (
	unknownKeyRe  = regexp.MustCompile(`^field (.+) not found in type `)
	cannotUnmarRe = regexp.MustCompile("^cannot unmarshal !!(\\w+) (?:`(.*)` )?into (.+)$")
)

// yamlError turns a yaml.v3 message into an Error with a line and, when
// the node can be found, a key path.
func yamlError(file string, err error, doc *yaml.Node) *Error {
	msg := err.Error()
	line, text, ok := yamlline.Reported(msg)
	if !ok {
		return &Error{File: file, Msg: strings.TrimPrefix(msg, "yaml: ")}
	}
	e := &Error{File: file, Line: line, Msg: text}
	if k := unknownKeyRe.FindStringSubmatch(text); k != nil {
		e.Msg = fmt.Sprintf("unknown key %q", k[1])
		if p, ok := findKey(doc, nil, line, k[1]); ok {
			e.Path, e.Msg = p.String(), "unknown key"
		}
		return e
	}
	if c := cannotUnmarRe.FindStringSubmatch(text); c != nil {
		e.Msg = fmt.Sprintf("want %s, got %s", describeType(c[3]), describeTag(c[1], c[2]))
		if p, ok := findValueAt(doc, nil, line); ok {
			e.Path = p.String()
		}
	}
	return e
}

func describeType(goType string) string {
	switch {
	case goType == "string" || goType == "*string":
		return "a string"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	default:
		return "a mapping"
	}
}

func describeTag(tag, value string) string {
	switch tag {
	case "seq":
		return "a list"
	case "map":
		return "a mapping"
	}
	if value != "" {
		return strconv.Quote(value)
	}
	return "a " + tag
}

// findKey finds the mapping key called name on line; it returns its path.
func findKey(n *yaml.Node, p keyPath, line int, name string) (keyPath, bool) {
	if n == nil {
		return nil, false
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Line == line && k.Value == name {
				return p.key(k.Value), true
			}
			if r, ok := findKey(v, p.key(k.Value), line, name); ok {
				return r, true
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if r, ok := findKey(c, p.idx(i), line, name); ok {
				return r, true
			}
		}
	}
	return nil, false
}

// findValueAt returns the path of the first value node on line.
func findValueAt(n *yaml.Node, p keyPath, line int) (keyPath, bool) {
	if n == nil {
		return nil, false
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if v.Line == line && v.Kind != yaml.AliasNode {
				return p.key(k.Value), true
			}
			if r, ok := findValueAt(v, p.key(k.Value), line); ok {
				return r, true
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if c.Line == line {
				return p.idx(i), true
			}
			if r, ok := findValueAt(c, p.idx(i), line); ok {
				return r, true
			}
		}
	}
	return nil, false
}

// lineOf returns the line of the deepest node along p.
func lineOf(doc *yaml.Node, p keyPath) int {
	n, line := doc, 0
	if n != nil {
		line = n.Line
	}
	for _, seg := range p {
		if n == nil {
			break
		}
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		var next *yaml.Node
		switch s := seg.(type) {
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == s {
						line, next = n.Content[i].Line, n.Content[i+1]
						break
					}
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && s < len(n.Content) {
				next = n.Content[s]
				line = next.Line
			}
		}
		n = next
	}
	return line
}

func pathErr(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
