package sqlite

import (
	"context"
	"embed"
	"fmt"
	"strconv"

	"github.com/oauthkit/oauthkit/internal/store/internal/schema"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one schema step: migrations/NNNN_name.sql.
type migration = schema.Migration

// migrations returns the embedded migrations in version order.
func migrations() ([]migration, error) {
	return schema.Load(migrationFiles, "migrations")
}

// migrate applies the migrations the file lacks, each in its own write
// transaction that also records it in schema_migrations. It only reads
// when nothing is pending, so a read-only file opens for reading.
func (d *DB) migrate(ctx context.Context) error {
	all, err := migrations()
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	applied, err := d.appliedVersions(ctx)
	if err != nil {
		return err
	}
	latest := all[len(all)-1].Version
	for v := range applied {
		if v > latest {
			return fmt.Errorf("open store %s: its schema version %d is newer than this oauthkit knows (%d); upgrade oauthkit", d.path, v, latest)
		}
	}
	for _, m := range all {
		if applied[m.Version] {
			continue
		}
		err := d.write(ctx, "migrate store to version "+strconv.Itoa(m.Version), func(ctx context.Context, tx *wtx) error {
			if _, err := tx.ExecContext(ctx, createMigrationsTable); err != nil {
				return err
			}
			// Another process may have applied it since we looked.
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil || n > 0 {
				return err
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, m.Version, m.Name)
			return err
		})
		if err != nil {
			return fmt.Errorf("open store %s: %w", d.path, err)
		}
	}
	return nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
)`

// appliedVersions reads schema_migrations; none when the table is missing.
func (d *DB) appliedVersions(ctx context.Context) (map[int]bool, error) {
	applied := map[int]bool{}
	var tables int
	err := d.w.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&tables)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", d.path, d.fail("read schema", err, nil))
	}
	if tables == 0 {
		return applied, nil
	}
	rows, err := d.w.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", d.path, d.fail("read schema", err, nil))
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		applied[v] = true
	}
	return applied, rows.Err()
}
