package config

import (
	"reflect"
	"testing"
)

// A PostgreSQL URL is a store: kept as written, checked when serve opens it.
func TestStorePostgres(t *testing.T) {
	for _, url := range []string{
		"postgres://oauthkit@db.internal:5432/oauthkit?sslmode=verify-full",
		"postgresql://oauthkit@127.0.0.1/oauthkit?sslmode=disable",
	} {
		cfg, err := Parse([]byte("store: "+url+"\n"), "c.yaml")
		if err != nil {
			t.Fatalf("store: %s: %v", url, err)
		}
		if want := (Store{Driver: "postgres", URL: url}); !reflect.DeepEqual(cfg.Store, want) {
			t.Errorf("store: %s = %#v, want %#v", url, cfg.Store, want)
		}
	}
}
