package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/clientauth"
)

func TestLoadExample(t *testing.T) {
	t.Parallel()
	cfg, err := Load("../../testdata/oauthkit.example.yaml")
	if err != nil {
		t.Fatalf("the example does not load: %v", err)
	}
	abs, _ := filepath.Abs("../../testdata")
	checks := []struct {
		name      string
		got, want any
	}{
		{"issuer", cfg.Issuer, "http://127.0.0.1:8080"},
		{"store", cfg.Store, Store{Driver: "sqlite", Path: "./oauthkit.db"}},
		{"resolved key", cfg.Resolve(cfg.Keys[0]), filepath.Join(abs, "keys/oauthkit.key.pem")},
		{"profile", cfg.ResponseProfile, ProfileRFC6749},
		{"pkce", cfg.PKCE, PKCEPublic},
		{"tokens", cfg.Tokens, Tokens{Format: FormatJWT, Audience: "https://api.example.test",
			AccessTokenTTL: 30 * time.Minute, RefreshTokenTTL: 8 * time.Hour, CodeTTL: time.Minute, IDTokenTTL: time.Hour,
			Hashing: Hashing{Algorithm: HashSHA256}}},
		{"scopes", cfg.Scopes, map[string]string{"read": "Read your data", "write": "Change your data"}},
		{"client ids", []string{cfg.Clients[0].ID, cfg.Clients[1].ID, cfg.Clients[2].ID}, []string{"web", "batch", "cli"}},
		{"web grants", cfg.Clients[0].GrantTypes, []GrantType{"authorization_code", "refresh_token", "client_credentials", "password", "implicit"}},
		{"web post-logout URIs", cfg.Clients[0].PostLogoutRedirectURIs, []string{"https://app.example.test/signed-out"}},
		{"web claims", cfg.Clients[0].Claims, map[string]any{"tenant": "acme"}},
		{"web method", cfg.Clients[0].AuthMethod, clientauth.MethodBasic},
		{"batch name defaults to id", cfg.Clients[1].Name, "batch"},
		{"batch method", cfg.Clients[1].AuthMethod, clientauth.MethodPost},
		{"cli is public", cfg.Clients[2].Public(), true},
		{"cli method", cfg.Clients[2].AuthMethod, clientauth.MethodNone},
		{"cli default grants", cfg.Clients[2].GrantTypes, []GrantType{GrantAuthorizationCode, GrantRefreshToken}},
		{"web secret", cfg.Clients[0].SecretMatches("s3cret"), true},
		{"web wrong secret", cfg.Clients[0].SecretMatches("s3cret2"), false},
		{"batch hashed secret", cfg.Clients[1].SecretMatches("batch-s3cret"), true},
		{"batch wrong secret", cfg.Clients[1].SecretMatches("s3cret"), false},
		{"public client matches nothing", cfg.Clients[2].SecretMatches(""), false},
		{"alice", cfg.Users[0].Password, "wonderland"},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
	// The hashes in the example verify against the passwords in its comments.
	for _, u := range []struct {
		i  int
		pw string
	}{{1, "looking-glass"}, {2, "cheshire"}} {
		ok, err := VerifyPassword(cfg.Users[u.i].PasswordHash, u.pw)
		if !ok || err != nil {
			t.Errorf("%s: VerifyPassword = %v, %v", cfg.Users[u.i].Username, ok, err)
		}
	}
}

func TestDefaults(t *testing.T) {
	cfg, err := Parse([]byte("clients:\n  - id: c\n    redirect_uris: [https://a.test/cb]\n"), "min.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{File: "min.yaml", ResponseProfile: ProfileRFC6749, PKCE: PKCEPublic,
		Tokens: Tokens{Format: FormatJWT, AccessTokenTTL: 30 * time.Minute, RefreshTokenTTL: 8 * time.Hour,
			CodeTTL: time.Minute, IDTokenTTL: time.Hour, Hashing: Hashing{Algorithm: HashSHA256}},
		Clients: []Client{{ID: "c", Name: "c", RedirectURIs: []string{"https://a.test/cb"}, AuthMethod: clientauth.MethodNone,
			GrantTypes: []GrantType{GrantAuthorizationCode, GrantRefreshToken}, TokenResponse: TokenResponseJSON}},
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("Parse =\n%#v\nwant\n%#v", cfg, want)
	}
	empty, err := Parse(nil, "empty.yaml")
	if err != nil || empty.Tokens.CodeTTL != time.Minute || len(empty.Clients) != 0 {
		t.Errorf("empty file: %+v, %v", empty, err)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(filepath.Join(dir, "nope.yaml")); err == nil || err.Error() != filepath.Join(dir, "nope.yaml")+": no such file or directory" {
		t.Errorf("missing file: %v", err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, make([]byte, 1<<20+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(big); err == nil || err.Error() != big+": is larger than 1 MiB" {
		t.Errorf("big file: %v", err)
	}
}

func TestErrorsType(t *testing.T) {
	_, err := Parse([]byte("pkce: x\nresponse_profile: y\n"), "c.yaml")
	var es Errors
	if !errors.As(err, &es) || len(es) != 2 {
		t.Fatalf("err = %#v, want 2 Errors", err)
	}
	want := `c.yaml:1: pkce: "x" is not one of required, public, optional (and 1 more problem)`
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
	if es[1].Line != 2 || es[1].Path != "response_profile" {
		t.Errorf("second error = %+v", es[1])
	}
}

func TestParseErrors(t *testing.T) {
	const client = "clients:\n  - id: web\n    secret: s\n    redirect_uris: [https://a.test/cb]\n"
	tests := []struct {
		name, yaml, want string
	}{
		// YAML itself
		{"syntax", "issuer: [\n", "c.yaml:1: did not find expected node content"},
		{"unknown key", "isuer: http://x\n", `c.yaml:1: isuer: unknown key`},
		{"unknown nested key", "tokens:\n  code_tll: 1m\n", "c.yaml:2: tokens.code_tll: unknown key"},
		{"unknown client key", client + "    redirect_uri: https://a.test/cb\n", "c.yaml:5: clients[0].redirect_uri: unknown key"},
		{"type", "keys: keys/a.pem\n", `c.yaml:1: keys: want a list, got "keys/a.pem"`},
		{"type in list", "clients:\n  - id: a\n    grant_types: {x: 1}\n", "c.yaml:3: clients[0].grant_types: want a list, got a mapping"},
		{"duplicate key", "pkce: public\npkce: required\n", `c.yaml:2: mapping key "pkce" already defined at line 1`},
		{"two documents", "pkce: public\n---\npkce: required\n", "c.yaml:2: holds more than one YAML document"},
		{"not a mapping", "- a\n- b\n", "c.yaml:1: must be a mapping of keys"},
		// top level
		{"issuer relative", "issuer: /oauth\n", `c.yaml:1: issuer: "/oauth" is not an absolute http or https URL`},
		{"issuer scheme", "issuer: ftp://a.test\n", `issuer: "ftp://a.test" is not an absolute http or https URL`},
		{"issuer query", "issuer: https://a.test/?x=1\n", `c.yaml:1: issuer: "https://a.test/?x=1" must not have a query (RFC 8414 §2)`},
		{"issuer fragment", "issuer: https://a.test/#x\n", `issuer: "https://a.test/#x" must not have a fragment (RFC 8414 §2)`},
		{"store", "store: mysql://db\n", `c.yaml:1: store: "mysql://db" is not "memory", "sqlite:PATH" or "postgres://…"`},
		{"store sqlite no path", "store: 'sqlite:'\n", `store: "sqlite:" needs a file path`},
		{"empty key path", "keys: ['']\n", "c.yaml:1: keys[0]: is empty"},
		{"duplicate key path", "keys:\n  - a.pem\n  - a.pem\n", `c.yaml:3: keys[1]: "a.pem" is already listed at keys[0]`},
		{"profile", "response_profile: oracle\n", `response_profile: "oracle" is not one of rfc6749, apigee`},
		{"pkce", "pkce: always\n", `c.yaml:1: pkce: "always" is not one of required, public, optional`},
		{"format", "tokens: {format: paseto}\n", `tokens.format: "paseto" is not one of jwt, opaque`},
		{"duration", "tokens:\n  access_token_ttl: 30\n", `c.yaml:2: tokens.access_token_ttl: "30" is not a duration (write it with a unit: 60s, 30m, 8h)`},
		{"duration zero", "tokens:\n  code_ttl: 0s\n", `c.yaml:2: tokens.code_ttl: must be greater than zero, got "0s"`},
		{"duration negative", "tokens:\n  refresh_token_ttl: -1h\n", `tokens.refresh_token_ttl: must be greater than zero, got "-1h"`},
		{"hashing", "tokens:\n  hashing: {algorithm: md5}\n", `c.yaml:2: tokens.hashing.algorithm: "md5" is not one of sha1, sha256, sha384, sha512, plain`},
		{"fallback", "tokens:\n  hashing:\n    fallback_algorithm: SHA1\n", `c.yaml:3: tokens.hashing.fallback_algorithm: "SHA1" is not one of`},
		{"scope name", "scopes:\n  \"read all\": x\n", `c.yaml:2: scopes["read all"]: "read all" is not a valid scope`},
		// clients
		{"client id missing", "clients:\n  - name: x\n    redirect_uris: [https://a.test/cb]\n", "c.yaml:2: clients[0].id: is required"},
		{"client id chars", "clients:\n  - id: \"caf\u00e9\"\n    redirect_uris: [https://a.test/cb]\n", `clients[0].id: "café" may hold only printable ASCII (RFC 6749 Appendix A.1)`},
		{"client id duplicate", client + "  - id: web\n    redirect_uris: [https://a.test/cb]\n", `c.yaml:5: clients[1].id: "web" is already used by clients[0]`},
		{"secret and hash", client + "    secret_hash: sha256:00\n", "c.yaml:5: clients[0].secret_hash: give secret or secret_hash, not both"},
		{"empty secret", "clients:\n  - id: a\n    secret: ''\n    grant_types: [client_credentials]\n", "c.yaml:3: clients[0].secret: is empty; remove it for a public client"},
		{"secret hash no colon", "clients:\n  - id: a\n    secret_hash: abc\n    grant_types: [client_credentials]\n", `c.yaml:3: clients[0].secret_hash: "abc" is not "<alg>:<hex digest>"`},
		{"secret hash alg", "clients:\n  - id: a\n    secret_hash: md5:00\n    grant_types: [client_credentials]\n", `clients[0].secret_hash: algorithm "md5" is not one of sha1, sha256, sha384, sha512`},
		{"secret hash length", "clients:\n  - id: a\n    secret_hash: sha256:abcd\n    grant_types: [client_credentials]\n", "clients[0].secret_hash: a sha256 digest is 64 hex digits, got 4"},
		{"secret hash hex", "clients:\n  - id: a\n    secret_hash: sha1:" + strings.Repeat("zz", 20) + "\n    grant_types: [client_credentials]\n", "clients[0].secret_hash: the sha1 digest is not hexadecimal"},
		{"none with secret", client + "    auth_method: none\n", `c.yaml:5: clients[0].auth_method: is "none" (a public client) but the client has a secret`},
		{"basic without secret", "clients:\n  - id: a\n    redirect_uris: [https://a.test/cb]\n    auth_method: client_secret_basic\n", `c.yaml:4: clients[0].auth_method: "client_secret_basic" needs a secret or secret_hash`},
		{"auth method", client + "    auth_method: private_key_jwt\n", `clients[0].auth_method: "private_key_jwt" is not one of client_secret_basic, client_secret_post, none`},
		{"grant unknown", client + "    grant_types: [authorization_code, device_code]\n", `c.yaml:5: clients[0].grant_types[1]: "device_code" is not one of authorization_code, refresh_token, client_credentials, password, implicit`},
		{"grant twice", client + "    grant_types: [password, password]\n", `clients[0].grant_types[1]: "password" is listed twice`},
		{"client_credentials public", "clients:\n  - id: a\n    grant_types: [client_credentials]\n", "c.yaml:3: clients[0].grant_types[0]: client_credentials needs a confidential client with a secret (RFC 6749 §4.4)"},
		{"redirect required", "clients:\n  - id: a\n    secret: s\n", "c.yaml:2: clients[0].redirect_uris: at least one is required for the authorization_code grant"},
		{"redirect required implicit", "clients:\n  - id: a\n    grant_types: [implicit]\n", "clients[0].redirect_uris: at least one is required for the implicit grant"},
		{"redirect fragment", "clients:\n  - id: a\n    redirect_uris:\n      - https://a.test/ok\n      - https://a.test/cb#x\n", `c.yaml:5: clients[0].redirect_uris[1]: "https://a.test/cb#x" has a fragment`},
		{"redirect http", client + "  - id: b\n    redirect_uris: [http://app.example.test/cb]\n", `c.yaml:6: clients[1].redirect_uris[0]: "http://app.example.test/cb" uses plain http to a host that is not loopback`},
		{"redirect duplicate", "clients:\n  - id: a\n    redirect_uris: [https://a.test/cb, https://a.test/cb]\n", `clients[0].redirect_uris[1]: "https://a.test/cb" is already listed at [0]`},
		{"post-logout fragment", client + "    post_logout_redirect_uris: [https://a.test/bye#x]\n", `c.yaml:5: clients[0].post_logout_redirect_uris[0]: "https://a.test/bye#x" has a fragment`},
		{"post-logout http", client + "    post_logout_redirect_uris: [http://app.example.test/bye]\n", `clients[0].post_logout_redirect_uris[0]: "http://app.example.test/bye" uses plain http to a host that is not loopback`},
		{"post-logout wildcard", client + "    post_logout_redirect_uris: ['https://*.a.test/bye']\n", `clients[0].post_logout_redirect_uris[0]: "https://*.a.test/bye"`},
		{"post-logout duplicate", client + "    post_logout_redirect_uris: [https://a.test/bye, https://a.test/bye]\n", `clients[0].post_logout_redirect_uris[1]: "https://a.test/bye" is already listed at [0]`},
		{"reserved claim sid", client + "    claims: {sid: x}\n", `c.yaml:5: clients[0].claims.sid: "sid" is set by the server`},
		{"reserved claim at_hash", "users:\n  - username: a\n    password: x\n    claims: {at_hash: x}\n", `users[0].claims.at_hash: "at_hash" is set by the server`},
		{"client scope", client + "    scopes: [read, 'a\"b']\n", `c.yaml:5: clients[0].scopes[1]: "a\"b" is not a valid scope`},
		{"token response", client + "    token_response: xml\n", `clients[0].token_response: "xml" is not one of json, raw_jwt`},
		{"raw_jwt opaque", "tokens: {format: opaque}\n" + client + "    token_response: raw_jwt\n", `c.yaml:6: clients[0].token_response: raw_jwt needs tokens.format jwt, not "opaque"`},
		{"signing alg HMAC", client + "    access_token_signing_alg: HS256\n", `c.yaml:5: clients[0].access_token_signing_alg: alg "HS256" is refused: HMAC`},
		{"signing alg unknown", client + "    access_token_signing_alg: ES257\n", `clients[0].access_token_signing_alg: alg "ES257" is not supported`},
		{"signing alg opaque", "tokens: {format: opaque}\n" + client + "    access_token_signing_alg: ES256\n", `c.yaml:6: clients[0].access_token_signing_alg: needs tokens.format jwt: "opaque" access tokens are not signed`},
		{"signing alg store key", client + "    access_token_signing_alg: ES256\n", `c.yaml:5: clients[0].access_token_signing_alg: ES256 needs a private key of that algorithm in keys (the store's RSA key signs RS256 only); make one with oauthkit keygen`},
		{"reserved claim", client + "    claims: {tenant: a, sub: root}\n", `c.yaml:5: clients[0].claims.sub: "sub" is set by the server and cannot be configured`},
		// users
		{"username missing", "users:\n  - password: x\n", "c.yaml:2: users[0].username: is required"},
		{"username duplicate", "users:\n  - {username: a, password: x}\n  - {username: a, password: y}\n", `c.yaml:3: users[1].username: "a" is already used by users[0]`},
		{"password and hash", "users:\n  - username: a\n    password: x\n    password_hash: y\n", "c.yaml:4: users[0].password_hash: give password or password_hash, not both"},
		{"no password", "users:\n  - username: a\n", "c.yaml:2: users[0]: needs a password or a password_hash"},
		{"empty password", "users:\n  - username: a\n    password: ''\n", "c.yaml:3: users[0].password: is empty"},
		{"hash unknown", "users:\n  - username: a\n    password_hash: '{SHA}abc'\n", `c.yaml:3: users[0].password_hash: is neither bcrypt`},
		{"hash bcrypt short", "users:\n  - username: a\n    password_hash: '$2b$10$abc'\n", "users[0].password_hash: bcrypt hash must be $2b$NN$ followed by 53 characters"},
		{"hash argon2 version", "users:\n  - username: a\n    password_hash: '$argon2id$v=16$m=65536,t=3,p=4$c2FsdHNhbHQ$" + strings.Repeat("A", 43) + "'\n", `users[0].password_hash: argon2id hash: version "v=16" is not v=19`},
		{"user reserved claim", "users:\n  - username: a\n    password: x\n    claims:\n      iss: me\n", `c.yaml:5: users[0].claims.iss: "iss" is set by the server`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse([]byte(tt.yaml), "c.yaml")
			if err == nil {
				t.Fatalf("Parse accepted it: %+v", cfg)
			}
			if cfg != nil {
				t.Errorf("a config was returned with the error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error\n  %s\ndoes not contain\n  %s", err, tt.want)
			}
			if strings.Contains(err.Error(), "more problem") {
				t.Errorf("more than one problem reported: %v", err)
			}
		})
	}
}
