package keygen

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/fileutil"
	"github.com/oauthkit/oauthkit/keys"
)

// Result is what keygen reports (-o json).
type Result struct {
	KID   string `json:"kid"`
	Alg   string `json:"alg"`
	Type  string `json:"type"`
	Bits  int    `json:"bits,omitempty"`
	Curve string `json:"curve,omitempty"`
	Files Files  `json:"files"`
}

// Files are the paths written.
type Files struct {
	PrivateKey string `json:"private_key"`
	PublicKey  string `json:"public_key"`
	JWK        string `json:"jwk"`
	JWKS       string `json:"jwks,omitempty"`
	PrivateJWK string `json:"private_jwk,omitempty"`
}

func run(o *Options) error {
	key, err := keys.Generate(o.spec())
	if err != nil {
		return cmdutil.Failf("%v", err)
	}
	key.KID, key.Alg, key.Use = o.KID, o.Alg, "sig"
	if o.Layout == LayoutTencent {
		key.Use = ""
	}

	files, res, err := o.files(key)
	if err != nil {
		return cmdutil.Failf("%v", err)
	}
	created, err := ensureDir(o.OutDir)
	if err != nil {
		return cmdutil.Failf("creating --out-dir %s: %v", o.OutDir, err)
	}
	if err := fileutil.WriteSet(files, o.Force); err != nil {
		removeDirs(created)
		return cmdutil.Failf("%v", err)
	}
	return o.report(res)
}

// files builds the file set and the result for key.
func (o *Options) files(key *keys.Key) ([]fileutil.File, *Result, error) {
	typ, bits, curve := keys.Info(key.Public)
	res := &Result{KID: key.KeyID(), Alg: key.Algorithm(), Type: typ}
	switch typ {
	case keys.TypeRSA:
		res.Bits = bits
	case keys.TypeEC:
		res.Curve = curve
	}

	var privPEM []byte
	var err error
	if o.PKCS1 {
		privPEM, err = keys.EncodePKCS1(key.Private)
	} else {
		privPEM, err = keys.EncodePKCS8(key.Private)
	}
	if err != nil {
		return nil, nil, err
	}
	pubPEM, err := keys.EncodePublicPEM(key.Public)
	if err != nil {
		return nil, nil, err
	}
	path := func(name string) string { return filepath.Join(o.OutDir, name) }

	if o.Layout == LayoutTencent {
		bare, err := keys.CanonicalJWK(key.Public)
		if err != nil {
			return nil, nil, err
		}
		res.Files = Files{PrivateKey: path("priv_pem"), PublicKey: path("public_pem"), JWK: path("public")}
		return []fileutil.File{
			{Path: res.Files.PrivateKey, Data: privPEM, Mode: 0o600},
			{Path: res.Files.PublicKey, Data: pubPEM, Mode: 0o644},
			{Path: res.Files.JWK, Data: append(bare, '\n'), Mode: 0o644},
		}, res, nil
	}

	pubJWK, err := key.PublicJWK()
	if err != nil {
		return nil, nil, err
	}
	jwk, err := indentJSON(pubJWK)
	if err != nil {
		return nil, nil, err
	}
	jwks, err := indentJSON(keys.JWKS{Keys: []*keys.JWK{pubJWK}})
	if err != nil {
		return nil, nil, err
	}
	res.Files = Files{
		PrivateKey: path(o.Name + ".key.pem"), PublicKey: path(o.Name + ".pub.pem"),
		JWK: path(o.Name + ".jwk.json"), JWKS: path(o.Name + ".jwks.json"),
	}
	files := []fileutil.File{
		{Path: res.Files.PrivateKey, Data: privPEM, Mode: 0o600},
		{Path: res.Files.PublicKey, Data: pubPEM, Mode: 0o644},
		{Path: res.Files.JWK, Data: jwk, Mode: 0o644},
		{Path: res.Files.JWKS, Data: jwks, Mode: 0o644},
	}
	if o.PrivateJWK {
		privJWK, err := key.PrivateJWK()
		if err != nil {
			return nil, nil, err
		}
		data, err := indentJSON(privJWK)
		if err != nil {
			return nil, nil, err
		}
		res.Files.PrivateJWK = path(o.Name + ".private.jwk.json")
		files = append(files, fileutil.File{Path: res.Files.PrivateJWK, Data: data, Mode: 0o600})
	}
	return files, res, nil
}

func indentJSON(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// report prints the summary on stderr, or the JSON result on stdout.
func (o *Options) report(res *Result) error {
	ios := o.Factory.IOStreams
	if o.Output == "json" {
		return cmdutil.WriteJSON(ios.Out, res)
	}
	format := "PKCS#8"
	if o.PKCS1 {
		format = "PKCS#1"
	}
	w := ios.ErrOut
	fmt.Fprintf(w, "Generated an %s key pair\n", o.keyLabel())
	fmt.Fprintf(w, "  kid:          %s\n", res.KID)
	fmt.Fprintf(w, "  alg:          %s\n", res.Alg)
	fmt.Fprintf(w, "  private key:  %s (%s, mode 0600)\n", res.Files.PrivateKey, format)
	fmt.Fprintf(w, "  public key:   %s\n", res.Files.PublicKey)
	fmt.Fprintf(w, "  public JWK:   %s\n", res.Files.JWK)
	if res.Files.JWKS != "" {
		fmt.Fprintf(w, "  JWKS:         %s\n", res.Files.JWKS)
	}
	if res.Files.PrivateJWK != "" {
		fmt.Fprintf(w, "  private JWK:  %s (mode 0600)\n", res.Files.PrivateJWK)
	}
	return nil
}

// ensureDir creates dir (mode 0700) and its missing parents, returning the
// directories it created, deepest first.
func ensureDir(dir string) ([]string, error) {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err == nil {
			if !fi.IsDir() {
				return nil, fmt.Errorf("%s is not a directory", d)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return nil, err
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if len(missing) == 0 {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, pe.Err
		}
		return nil, err
	}
	return missing, nil
}

// removeDirs removes the (empty) directories ensureDir created.
func removeDirs(dirs []string) {
	for _, d := range dirs {
		os.Remove(d)
	}
}
