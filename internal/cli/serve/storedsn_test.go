package serve

import (
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/internal/config"
)

func TestStoreDSN(t *testing.T) {
	dir := t.TempDir()
	getenv := func(k string) string {
		if k == "XDG_STATE_HOME" {
			return dir
		}
		return ""
	}
	state := filepath.Join(dir, "oauthkit")
	cfgA := &config.Config{File: filepath.Join(dir, "a.yaml")}
	cfgB := &config.Config{File: filepath.Join(dir, "b.yaml")}
	withStore := &config.Config{File: filepath.Join(dir, "c.yaml"), Dir: dir, Store: config.Store{Driver: "sqlite", Path: "c.db"}}

	tests := []struct {
		name         string
		opts         Options
		cfg          *config.Config
		dsn, demo    string
		dsnHasPrefix bool
	}{
		{"zero-config", Options{}, nil, "sqlite:" + filepath.Join(state, "oauthkit.db"), filepath.Join(state, "demo-credentials.json"), false},
		{"--store memory", Options{Store: "memory"}, nil, "memory", "", false},
		{"--store sqlite", Options{Store: "sqlite:/x/y.db"}, nil, "sqlite:/x/y.db", "/x/y.db.demo.json", false},
		{"config store", Options{}, withStore, "sqlite:" + filepath.Join(dir, "c.db"), "", false},
		{"flag beats config", Options{Store: "memory"}, withStore, "memory", "", false},
		{"config without store", Options{}, cfgA, "sqlite:" + filepath.Join(state, "config-"), "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dsn, demo, err := storeDSN(&tt.opts, tt.cfg, getenv, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if tt.dsnHasPrefix && !strings.HasPrefix(dsn, tt.dsn) || !tt.dsnHasPrefix && dsn != tt.dsn {
				t.Errorf("dsn %q, want %q", dsn, tt.dsn)
			}
			if demo != tt.demo {
				t.Errorf("demo path %q, want %q", demo, tt.demo)
			}
		})
	}
	// Two configurations without a store never share one, nor zero-config's.
	a, _, _ := storeDSN(&Options{}, cfgA, getenv, io.Discard)
	b, _, _ := storeDSN(&Options{}, cfgB, getenv, io.Discard)
	if a == b || strings.HasSuffix(a, "oauthkit.db") {
		t.Fatalf("stores %q and %q", a, b)
	}
}
