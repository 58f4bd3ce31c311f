package authserver

import (
	"slices"

	"github.com/oauthkit/oauthkit/internal/clientauth"
	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/token"
)

// assertionMetadata adds the JWS algorithms of client assertions (RFC 8414
// §2 token_endpoint_auth_signing_alg_values_supported and its
// introspection and revocation variants) when a client uses
// private_key_jwt or client_secret_jwt: the public-key algorithms for the
// one, HS256/384/512 for the other, or the clients' pinned ones.
func assertionMetadata(md map[string]any, clients []store.Client) {
	algs := map[string]bool{}
	for _, c := range clients {
		switch clientauth.Method(c.AuthMethod) {
		case clientauth.MethodPrivateKeyJWT:
			add(algs, c.Ext.AssertionAlg, token.SupportedAlgs())
		case clientauth.MethodSecretJWT:
			add(algs, c.Ext.AssertionAlg, clientauth.HMACAlgs())
		}
	}
	if len(algs) == 0 {
		return
	}
	list := sortedKeys(algs)
	for _, name := range []string{"token_endpoint", "introspection_endpoint", "revocation_endpoint"} {
		md[name+"_auth_signing_alg_values_supported"] = slices.Clone(list)
	}
}

func add(set map[string]bool, pinned string, all []string) {
	if pinned != "" {
		set[pinned] = true
		return
	}
	for _, a := range all {
		set[a] = true
	}
}
