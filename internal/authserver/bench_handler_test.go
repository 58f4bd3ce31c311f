package authserver_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/authserver"
	"github.com/oauthkit/oauthkit/internal/hashing"
	"github.com/oauthkit/oauthkit/internal/store"
	"github.com/oauthkit/oauthkit/internal/store/memory"
	"github.com/oauthkit/oauthkit/keys"
)

// The server's share of a client_credentials request, without TCP or an
// HTTP client: the handler stack called in process, one goroutine, the
// request arriving on the issuer's address (so the Host check runs). Its
// allocations are the server's alone.
//
//	go test -run='^$' -bench='^BenchmarkTokenHandler$' -benchmem ./internal/authserver/
func BenchmarkTokenHandler(b *testing.B) {
	for _, spec := range []keys.Spec{{Type: keys.TypeEC}, {Type: keys.TypeEd25519}} {
		b.Run(spec.Type, func(b *testing.B) {
			key, err := keys.Generate(spec)
			if err != nil {
				b.Fatal(err)
			}
			ks, err := authserver.NewKeySet(key)
			if err != nil {
				b.Fatal(err)
			}
			st, h := memory.New(), &hashing.Hasher{}
			if err := st.Clients().Put(context.Background(), store.Client{ID: "bench", AuthMethod: "client_secret_basic",
				SecretHash: h.Hash(benchSecret), Scopes: []string{"read", "write"}, CreatedAt: time.Now(),
				GrantTypes: []string{authserver.GrantClientCredentials}}); err != nil {
				b.Fatal(err)
			}
			srv, err := authserver.New(authserver.Settings{Issuer: "http://127.0.0.1:8080", AccessTokenTTL: 30 * time.Minute,
				RefreshTokenTTL: 8 * time.Hour, CodeTTL: time.Minute},
				authserver.Options{Store: st, Hasher: h, Keys: ks, Now: time.Now, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				b.Fatal(err)
			}
			handler := srv.Handler()
			ctx := context.WithValue(context.Background(), http.LocalAddrContextKey, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080})
			const body = "grant_type=client_credentials&scope=read"
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequestWithContext(ctx, http.MethodPost, "http://127.0.0.1:8080/token", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.SetBasicAuth("bench", benchSecret)
				rec := httptest.NewRecorder()
				handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
