// Package pgtest gives a test a fresh PostgreSQL database of its own on the
// server of $OAUTHKIT_TEST_PG_DSN (default DefaultDSN), dropped when the test
// ends. When the server cannot be reached the test fails under CI=true and
// is skipped, loudly, elsewhere.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DSNEnv names the variable holding the DSN of the server tests may create
// databases on (a postgres:// URL of a user allowed to CREATE DATABASE).
const DSNEnv = "OAUTHKIT_TEST_PG_DSN"

// DefaultDSN is the server tests use without $OAUTHKIT_TEST_PG_DSN: the
// local PostgreSQL of .ci/run.
const DefaultDSN = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Prefix starts the name of every database this package creates.
const Prefix = "oauthkit_test_"

// ServerDSN is $OAUTHKIT_TEST_PG_DSN, else DefaultDSN.
func ServerDSN() string {
	if s := os.Getenv(DSNEnv); s != "" {
		return s
	}
	return DefaultDSN
}

// Missing ends a test that needs PostgreSQL when it is not there: FAILED
// under CI=true, else SKIPPED (both say so in capitals).
func Missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("*** PostgreSQL test FAILED (CI=true): %s ***", why)
	}
	t.Skipf("*** PostgreSQL test SKIPPED: %s (start PostgreSQL or set $%s) ***", why, DSNEnv)
}

// Admin connects to the server's administrative database (ServerDSN), or
// ends the test through Missing. The connection is closed when the test
// ends.
func Admin(t testing.TB) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, ServerDSN())
	if err != nil {
		Missing(t, fmt.Sprintf("cannot connect to %s: %v", Redact(ServerDSN()), err))
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// Database creates an empty database named Prefix + 16 random hex digits
// and returns its name and a DSN for it (ServerDSN with the database
// replaced). When the test ends the database is dropped, whatever is still
// connected to it (DROP DATABASE … WITH (FORCE)).
func Database(t testing.TB) (name, dsn string) {
	t.Helper()
	admin := Admin(t)
	u, err := url.Parse(ServerDSN())
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("$%s must be a postgres:// URL, got %s", DSNEnv, Redact(ServerDSN()))
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	name = Prefix + hex.EncodeToString(b)
	ctx := context.Background()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return name, u.String()
}

// Redact is dsn with its password, if any, replaced by "xxxxx".
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable DSN)"
	}
	return u.Redacted()
}
