package postgres

import (
	"context"
	"embed"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/oauthkit/oauthkit/internal/store/internal/schema"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one schema step: migrations/NNNN_name.sql.
type migration = schema.Migration

// migrateLockKey is the advisory lock (pg_advisory_lock) held while the
// schema is brought up to date: replicas opening one database at once
// migrate it one after the other, and all but the first find nothing to do.
// Advisory locks belong to one database, so other databases on the server
// do not wait for it. The value is the first 8 bytes of SHA-256("oauthkit
// schema migrations"); any fixed number would do.
const migrateLockKey int64 = 0x1d0f6a3c5e2b4a71

func migrations() ([]migration, error) {
	return schema.Load(migrationFiles, "migrations")
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER     NOT NULL PRIMARY KEY,
    name       TEXT        NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`

// migrate applies the migrations the database lacks, each in its own
// transaction that also records it in schema_migrations, holding the
// advisory lock on one connection the whole time. A database whose schema
// is newer than this binary knows is refused. If the connection is lost,
// the server releases the lock with it.
func (d *DB) migrate(ctx context.Context) error {
	all, err := migrations()
	if err != nil {
		return err
	}
	conn, err := d.pool.Acquire(ctx)
	if err != nil {
		return d.fail(ctx, "migrate: connect", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrateLockKey); err != nil {
		return d.fail(ctx, "migrate: lock", err)
	}
	defer func() {
		if _, err := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLockKey); err != nil {
			conn.Conn().Close(context.WithoutCancel(ctx)) // closing the session releases the lock
		}
	}()
	if _, err := conn.Exec(ctx, createMigrationsTable); err != nil {
		return d.fail(ctx, "migrate: create schema_migrations", err)
	}
	applied := map[int]bool{}
	rows, err := conn.Query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return d.fail(ctx, "migrate: read schema_migrations", err)
	}
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return d.fail(ctx, "migrate: read schema_migrations", err)
	}
	latest := all[len(all)-1].Version
	for _, v := range versions {
		if int(v) > latest {
			return fmt.Errorf("its schema version %d is newer than this oauthkit knows (%d); upgrade oauthkit", v, latest)
		}
		applied[int(v)] = true
	}
	for _, m := range all {
		if applied[m.Version] {
			continue
		}
		err := pgx.BeginTxFunc(ctx, conn, pgx.TxOptions{}, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name)
			return err
		})
		if err != nil {
			return d.fail(ctx, "migrate to version "+strconv.Itoa(m.Version), err)
		}
	}
	return nil
}
