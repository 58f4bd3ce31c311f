package storetest

import (
	"testing"

	"github.com/oauthkit/oauthkit/internal/store"
)

// testTokenExchangeExt: a client's token exchange audiences (RFC 8693,
// ClientExtensions.TokenExchangeAudiences) come back as put, in order;
// an empty list comes back nil; a replaced client drops them.
func testTokenExchangeExt(t *testing.T, open Opener) {
	s := fresh(t, open)
	in := store.Client{ID: "gateway", GrantTypes: []string{"urn:ietf:params:oauth:grant-type:token-exchange"},
		Ext: store.ClientExtensions{TokenExchangeAudiences: []string{"https://api-b.example", "https://api-a.example"}}}
	must(t, s.Clients().Put(ctx(t), in))
	got, err := s.Clients().Get(ctx(t), "gateway")
	must(t, err)
	wantEqual(t, "audiences", got.Ext.TokenExchangeAudiences, []string{"https://api-b.example", "https://api-a.example"})
	in.Ext.TokenExchangeAudiences[0] = "https://evil.example"
	again, err := s.Clients().Get(ctx(t), "gateway")
	must(t, err)
	wantEqual(t, "audiences after the caller changed its copy", again.Ext.TokenExchangeAudiences, []string{"https://api-b.example", "https://api-a.example"})
	must(t, s.Clients().Put(ctx(t), store.Client{ID: "gateway", Ext: store.ClientExtensions{TokenExchangeAudiences: []string{}}}))
	got, err = s.Clients().Get(ctx(t), "gateway")
	must(t, err)
	if got.Ext.TokenExchangeAudiences != nil {
		t.Errorf("audiences after a replace with an empty list: %#v, want nil", got.Ext.TokenExchangeAudiences)
	}
}
