package clientopts

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/oauthkit/oauthkit/internal/cli/cmdutil"
	"github.com/oauthkit/oauthkit/internal/clientauth"
	"github.com/oauthkit/oauthkit/internal/flow"
	"github.com/oauthkit/oauthkit/internal/token"
	"github.com/oauthkit/oauthkit/keys"
)

// addClientKeyFlags registers the flags of JWT client authentication
// (RFC 7523 §2.2): the private key of private_key_jwt and the kid and alg
// of the assertions.
func addClientKeyFlags(cmd *cobra.Command, o *CommonOptions) {
	fl := cmd.Flags()
	fl.StringVar(&o.ClientKey, "client-key", "", "private key file (PEM or JWK) of private_key_jwt")
	fl.StringVar(&o.ClientKeyID, "client-key-id", "", "kid of the assertions (default: the JWK's; none for PEM)")
	fl.StringVar(&o.ClientKeyAlg, "client-key-alg", "", "alg of the assertions (default: the key's, or HS256)")
	_ = cmd.RegisterFlagCompletionFunc("client-key-alg", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return append(token.SupportedAlgs(), clientauth.HMACAlgs()...), cobra.ShellCompDirectiveNoFileComp
	})
}

// checkClientKeyFlags refuses combinations that cannot work (exit 2).
func (o *CommonOptions) checkClientKeyFlags() error {
	m := flow.AuthMethod(o.AuthMethod)
	jwtFlag := o.ClientKey != "" || o.ClientKeyID != "" || o.ClientKeyAlg != ""
	switch {
	case m == flow.AuthPrivateKeyJWT && o.ClientKey == "":
		return cmdutil.UsageErrorf("--auth-method private_key_jwt needs --client-key FILE, the client's private key")
	case m == flow.AuthSecretJWT && (o.ClientKey != "" || o.ClientKeyID != ""):
		return cmdutil.UsageErrorf("--auth-method client_secret_jwt signs with the client secret: --client-key and --client-key-id do not apply")
	case m == flow.AuthSecretJWT && o.ClientKeyAlg != "" && !slices.Contains(clientauth.HMACAlgs(), o.ClientKeyAlg):
		return cmdutil.UsageErrorf("--client-key-alg %s: client_secret_jwt uses %s", o.ClientKeyAlg, strings.Join(clientauth.HMACAlgs(), ", "))
	case o.ClientKeySignsRequests && m != flow.AuthPrivateKeyJWT && m != flow.AuthSecretJWT && o.changedAny("client-key-id", "client-key-alg"):
		return cmdutil.UsageErrorf("--client-key-id and --client-key-alg need --auth-method private_key_jwt (or client_secret_jwt for --client-key-alg); the request object takes the key's own")
	case jwtFlag && !o.ClientKeySignsRequests && m != flow.AuthPrivateKeyJWT && m != flow.AuthSecretJWT && o.changedAny("client-key", "client-key-id", "client-key-alg"):
		return cmdutil.UsageErrorf("--client-key, --client-key-id and --client-key-alg need --auth-method private_key_jwt (or client_secret_jwt for --client-key-alg)")
	}
	return nil
}

func (o *CommonOptions) changedAny(names ...string) bool {
	for _, n := range names {
		if o.Changed(n) {
			return true
		}
	}
	return false
}

// assertionKey loads --client-key: one private key; --client-key-alg
// must fit it.
func (o *CommonOptions) assertionKey() (clientauth.AssertionKey, error) {
	ks, err := keys.ParseFile(o.ClientKey)
	if err != nil {
		return clientauth.AssertionKey{}, cmdutil.Failf("--client-key %s: %v", o.ClientKey, err)
	}
	var priv []*keys.Key
	for _, k := range ks {
		if k.IsPrivate() {
			priv = append(priv, k)
		}
	}
	switch {
	case len(priv) == 0:
		return clientauth.AssertionKey{}, cmdutil.Failf("--client-key %s holds no private key: private_key_jwt signs with the private half", o.ClientKey)
	case len(priv) > 1:
		return clientauth.AssertionKey{}, cmdutil.Failf("--client-key %s holds %d private keys; give a file with one", o.ClientKey, len(priv))
	}
	k := priv[0]
	if o.ClientKeyAlg != "" {
		if err := token.CheckAlgName(o.ClientKeyAlg); err != nil {
			return clientauth.AssertionKey{}, cmdutil.UsageErrorf("--client-key-alg: %v", err)
		}
		if err := keys.CheckAlg(k.Public, o.ClientKeyAlg); err != nil {
			return clientauth.AssertionKey{}, cmdutil.UsageErrorf("--client-key-alg %s does not fit the key in %s: %v", o.ClientKeyAlg, o.ClientKey, err)
		}
	}
	return clientauth.AssertionKey{Key: k, Alg: o.ClientKeyAlg, KeyID: o.ClientKeyID}, nil
}
