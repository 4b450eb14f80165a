package store

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// migration is one embedded schema change, migrations/NNN_name.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in order. Versions start at 1
// and have no gaps, so that "version N applied" means all of 1..N are.
func migrations() ([]migration, error) {
	return parseMigrations(migrationFS, "migrations")
}

func parseMigrations(fsys fs.FS, dir string) ([]migration, error) {
	ents, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range ents {
		name := e.Name()
		base, ok := strings.CutSuffix(name, ".sql")
		if !ok {
			continue
		}
		num, label, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 || len(num) != 3 || label == "" {
			return nil, fmt.Errorf("migration %s: name is not NNN_name.sql", name)
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %03d", m.name, i+1)
		}
	}
	return ms, nil
}

const createMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT    NOT NULL,
	applied_ns INTEGER NOT NULL
)`

// migrate applies the migrations conn's database lacks, each in its own
// IMMEDIATE transaction so that two processes opening one new database
// apply each migration once: the second waits for the first's write lock,
// then finds the version recorded.
func migrate(ctx context.Context, conn *sql.Conn, now time.Time) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	current, err := schemaVersion(ctx, conn)
	if err != nil {
		return err
	}
	if current > len(ms) {
		return fmt.Errorf("%w: schema version %d is newer than this iamwatch knows (%d)", ErrSchema, current, len(ms))
	}
	for _, m := range ms[current:] {
		if err := apply(ctx, conn, m, now); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}

// schemaVersion returns the highest applied migration, 0 for a new database.
func schemaVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&v)
	if err != nil || v == 0 {
		return 0, err
	}
	err = q.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

func apply(ctx context.Context, conn *sql.Conn, m migration, now time.Time) (err error) {
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	if _, err := conn.ExecContext(ctx, createMigrations); err != nil {
		return err
	}
	var done int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&done); err != nil {
		return err
	}
	if done == 0 {
		if _, err := conn.ExecContext(ctx, m.sql); err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_ns) VALUES (?, ?, ?)`, m.version, m.name, now.UnixNano()); err != nil {
			return err
		}
		// user_version mirrors the schema version for tools like sqlite3.
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
			return err
		}
	}
	_, err = conn.ExecContext(ctx, "COMMIT")
	return err
}

// checkSchema verifies, for a read-only database, that its schema is the
// one this package reads.
func (db *DB) checkSchema(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	v, err := schemaVersion(ctx, db.rd)
	if err != nil {
		return db.wrap(err)
	}
	if v < len(ms) {
		return fmt.Errorf("%w: schema version %d, want %d (%w); open the database read-write once to migrate it",
			ErrSchema, v, len(ms), ErrOldSchema)
	}
	if v != len(ms) {
		return fmt.Errorf("%w: schema version %d is newer than this iamwatch knows (%d)", ErrSchema, v, len(ms))
	}
	return nil
}
