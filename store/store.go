// Package store keeps recorded AWS calls in a SQLite database: sessions,
// calls, the IAM actions and resources each call needs, labels, and a map
// from access key IDs to principals.
//
// # Files
//
// Open creates the database's directory with mode 0700 when it is missing
// (an existing directory is left alone, with a warning when group or others
// may read it) and keeps the database and its -wal and -shm files at mode
// 0600. The schema is created and upgraded by the SQL migrations embedded
// from migrations/NNN_name.sql, each applied once, in order, in its own
// IMMEDIATE transaction, and recorded in schema_migrations (and
// user_version). A database with a newer schema is refused (ErrSchema).
//
// Every connection is opened with the same PRAGMAs in its DSN: WAL, a
// busy timeout, foreign keys on, synchronous=NORMAL; and without a mutex of
// its own (SQLite's multi-thread mode), since database/sql never lets two
// goroutines use one connection at a time. Readers never block
// the writer, and several iamwatch processes can record into one database:
// a writer that finds it locked waits for the busy timeout, then retries
// its batch a few times before reporting ErrBusy.
//
// # Writes and durability
//
// All writes go through one goroutine that commits them in groups: it takes
// every write queued while the previous group was committing (at most
// maxBatch) and commits them in one transaction. A write somebody waits for
// (Begin without a journal, Session, Flush) commits at once; a small group
// of queued writes nobody waits for lingers up to lingerTime for more, so
// that under load one commit serves many. A write that
// fails on its own (a Finish for an unknown call) is left out and reported;
// the others commit.
//
// Begin, Session and SetPrincipal return once their transaction has
// committed. Finish and Add return once the write is queued (the queue
// blocks when full, and never drops a write); Flush and Close return once
// everything queued before them has committed, and report the errors of
// queued writes that failed since the last Flush.
//
// The guarantee is therefore: once Begin has returned, the call is in the
// database, marked pending, with whatever the record already said (give
// Begin the Call mapped from the request, and its actions are stored before
// the request goes upstream); once Flush or Close has returned, so is
// everything Finish and Add were given before. A call whose Finish was
// queued but not yet committed when the process died stays pending, with
// Begin's actions. "In the database" means committed to the write-ahead
// log with synchronous=NORMAL: it survives the iamwatch process being
// killed at any instant (SIGKILL, a panic, the OOM killer), and the
// database is never corrupted, but a power cut or kernel crash may lose
// the commits since the last checkpoint. synchronous=FULL would survive
// those too, at the price of an fsync per commit: measured on a 2-core VM,
// that tripled Begin's latency (about 0.25 ms to 0.8 ms), which the proxy
// pays before every upstream request; recording what an application did is
// not worth a disk flush per call.
//
// With Options.Journal (what the proxy uses), Begin instead appends the
// call to a per-process journal file, mapped into memory, and returns
// once the line is in the file's pages: the call survives the process being killed just the same, the
// next Open replays it (pending) if it never reached the database, and
// Finish writes each call to the database once. See journal.go.
//
// # Secrets
//
// Records carry no credentials beyond the access key ID, but as a last line
// of defence every string the store writes is checked for what looks like a
// secret access key, a session token or a SigV4 signature, and the
// secret-looking part is replaced by [REDACTED] (and a warning logged,
// without the value) before it is written.
//
// # Reading
//
// Sessions lists sessions; Calls and EachCall return full records; EachUse
// aggregates the calls a Filter selects into distinct action uses, which is
// what a policy needs: it groups integer rows in SQL, so a million calls
// take about a second and a few tens of megabytes.
package store

import (
	"cmp"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/mattn/go-sqlite3"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// busyTimeout is how long a connection waits for another connection or
// process to release a lock before SQLite reports SQLITE_BUSY.
const busyTimeout = 10 * time.Second

// Errors the store reports; check them with errors.Is.
var (
	// ErrClosed is returned by every method once Close has been called.
	ErrClosed = errors.New("store is closed")
	// ErrReadOnly is returned when the database cannot be written or
	// opened for writing: its file or directory is read-only (or not the
	// user's), or it was opened ReadOnly.
	ErrReadOnly = errors.New("database is read-only")
	// ErrFull is returned when the disk (or the database's size limit)
	// is full.
	ErrFull = errors.New("database or disk is full")
	// ErrBusy is returned when another process kept the database locked
	// for longer than the store waits and retries.
	ErrBusy = errors.New("database is locked by another connection")
	// ErrNotFound is returned for an unknown call ID or session name.
	ErrNotFound = errors.New("not found")
	// ErrSchema is returned when the database was created by a newer
	// iamwatch, or needs migrating but was opened read-only.
	ErrSchema = errors.New("unsupported database schema")
	// ErrOldSchema is returned, with ErrSchema, when a database opened
	// read-only needs migrating: opening it read-write once migrates it.
	ErrOldSchema = errors.New("written by an older iamwatch")
)

// Options are the optional settings of a database; the zero value is
// ready to use. Open(ctx, path) is Options{}.Open(ctx, path).
type Options struct {
	// Logger receives warnings: a directory others may read, a value
	// redacted because it looked like a secret, a queued write that
	// failed. Nil discards them.
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// ReadOnly opens the database for reading only (SQLite's mode=ro):
	// nothing is created, migrated or chmod-ed, and every write returns
	// ErrReadOnly.
	ReadOnly bool

	// Journal makes Begin append to a journal file beside the database
	// instead of waiting for a commit (see journal.go): the call survives
	// the process being killed all the same, and the database is written
	// once per call, at Finish.
	Journal bool

	// OnError, when set, is called with the error of every queued write
	// (Finish, Add) that fails, from the writer's goroutine, instead of
	// the store logging it: a caller that reports store failures itself
	// (rate-limited, counted) avoids a log line per failed write. It must
	// return quickly. Flush still reports the errors.
	OnError func(error)

	// MaxPageCount caps the database's size in pages (SQLite's
	// max_page_count); writes past it fail with ErrFull. Zero means no
	// cap beyond SQLite's own.
	MaxPageCount int

	// maxPages, when set, caps the database's size in pages, so that
	// tests can fill the "disk".
	maxPages int
	// synchronous overrides synchronous=NORMAL, for benchmarks.
	synchronous string
}

// DB is an open iamwatch database. Its methods are safe for concurrent use.
type DB struct {
	path    string
	log     *slog.Logger
	onError func(error)
	now     func() time.Time
	ro      bool
	rd      *sql.DB // read pool
	wr      *sql.DB // the writer's pool: one connection, used by w alone
	w       *writer
	j       *journal // with Options.Journal
	closed  sync.Once
	cerr    error
}

// Open opens the database at path, creating it and its directory when
// missing, and migrates its schema.
func Open(ctx context.Context, path string) (*DB, error) {
	return Options{}.Open(ctx, path)
}

// Open opens the database at path with the options o.
func (o Options) Open(ctx context.Context, path string) (*DB, error) {
	db, err := o.open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("open store %q: %w", path, err)
	}
	return db, nil
}

func (o Options) open(ctx context.Context, path string) (*DB, error) {
	if path == "" || path == ":memory:" {
		return nil, errors.New("a database file path is required")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	db := &DB{path: abs, log: o.Logger, now: o.Now, ro: o.ReadOnly, onError: o.OnError}
	if o.MaxPageCount > 0 {
		o.maxPages = o.MaxPageCount
	}
	if db.log == nil {
		db.log = slog.New(slog.DiscardHandler)
	}
	if db.now == nil {
		db.now = time.Now
	}
	if db.ro {
		if _, err := os.Stat(abs); err != nil {
			return nil, err
		}
	} else if err := db.prepareFiles(); err != nil {
		return nil, err
	}

	if db.rd, err = sql.Open("sqlite3", dsn(abs, true, db.ro, o.synchronous)); err != nil {
		return nil, err
	}
	n := max(4, runtime.GOMAXPROCS(0))
	db.rd.SetMaxOpenConns(n)
	db.rd.SetMaxIdleConns(n)
	if db.ro {
		if err := db.checkSchema(ctx); err != nil {
			db.rd.Close()
			return nil, err
		}
		return db, nil
	}

	if db.wr, err = sql.Open("sqlite3", dsn(abs, false, false, o.synchronous)); err != nil {
		db.rd.Close()
		return nil, err
	}
	db.wr.SetMaxOpenConns(1)
	db.wr.SetMaxIdleConns(1)
	fail := func(err error) (*DB, error) {
		db.wr.Close()
		db.rd.Close()
		return nil, db.wrap(err)
	}
	conn, err := db.connect(ctx)
	if err != nil {
		return fail(err)
	}
	db.fixModes()
	if o.maxPages > 0 {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", o.maxPages)); err != nil {
			conn.Close()
			return fail(err)
		}
	}
	// A checkpoint every 16 MiB of WAL rather than SQLite's 4 MiB: each
	// one copies the pages the WAL holds into the database and syncs both
	// files, and the calls tables' last pages change in every commit, so
	// rarer checkpoints copy them fewer times. BenchmarkAdd -cpu 1, three
	// alternating runs each: 16.0-19.9 -> 14.5-16.3 µs a call, mostly
	// time the writer spent waiting for the disk.
	if _, err := conn.ExecContext(ctx, "PRAGMA wal_autocheckpoint = 4096"); err != nil {
		conn.Close()
		return fail(err)
	}
	db.w, err = newWriter(ctx, db, conn)
	if err != nil {
		conn.Close()
		return fail(err)
	}
	if o.Journal {
		if err := db.openJournal(ctx); err != nil {
			db.w.close()
			return fail(err)
		}
	}
	return db, nil
}

// connect returns the writer's connection, with the schema migrated. Two
// processes opening one new database at once can find it locked without
// waiting (a connection switching it to WAL and another's migration
// deadlock, and SQLite fails one at once), so a busy error is retried,
// after a random pause, for about busyTimeout.
func (db *DB) connect(ctx context.Context) (*sql.Conn, error) {
	deadline := time.Now().Add(busyTimeout)
	for {
		conn, err := db.wr.Conn(ctx)
		if err == nil {
			if err = migrate(ctx, conn, db.now()); err == nil {
				return conn, nil
			}
			conn.Close()
		}
		if !isBusy(err) || time.Now().After(deadline) {
			return nil, err
		}
		select {
		case <-time.After(time.Duration(10+rand.IntN(40)) * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// dsn returns the go-sqlite3 data source name for path. The PRAGMAs in it
// are applied to every connection the pool opens.
func dsn(path string, read, ro bool, sync string) string {
	q := url.Values{}
	if ro {
		q.Set("mode", "ro")
	}
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", fmt.Sprint(busyTimeout.Milliseconds()))
	q.Set("_foreign_keys", "on")
	q.Set("_synchronous", cmp.Or(sync, "NORMAL"))
	q.Set("_mutex", "no")
	if read {
		// The read pool never writes; make SQLite hold it to that.
		q.Set("_query_only", "on")
	}
	u := url.URL{Scheme: "file", Opaque: (&url.URL{Path: path}).EscapedPath(), RawQuery: q.Encode()}
	return u.String()
}

// prepareFiles creates the database's directory (0700) and file (0600)
// when they are missing.
func (db *DB) prepareFiles() error {
	dir := filepath.Dir(db.path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	case fi.Mode().Perm()&0o077 != 0:
		db.log.Warn("store: the database directory is accessible to other users", "dir", dir, "mode", fi.Mode().Perm().String())
	}
	f, err := os.OpenFile(db.path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS) {
			return fmt.Errorf("%w: %w", ErrReadOnly, err)
		}
		return err
	}
	f.Close()
	// SQLite creates the -wal and -shm files (and the journal) beside the
	// database; in a directory it cannot write it fails with a bare
	// "unable to open database file".
	probe, err := os.CreateTemp(dir, ".iamwatch-probe-*")
	if err != nil {
		if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS) {
			return fmt.Errorf("%w: directory %s: %w", ErrReadOnly, dir, err)
		}
		return err
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// fixModes makes the database and its -wal and -shm files 0600. SQLite
// gives the -wal and -shm files the mode of the database file, so this
// only matters for a database someone else created or chmod-ed.
func (db *DB) fixModes() {
	for _, p := range []string{db.path, db.path + "-wal", db.path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() == 0o600 {
			continue
		}
		if err := os.Chmod(p, 0o600); err != nil {
			db.log.Warn("store: cannot make a database file private", "file", p, "err", err)
		}
	}
}

// Path returns the absolute path of the database file.
func (db *DB) Path() string { return db.path }

// Close commits every queued write, then closes the database. It reports
// the errors of queued writes that failed since the last Flush. Closing
// twice is harmless.
func (db *DB) Close() error {
	db.closed.Do(func() {
		// The readers go first, so that the writer's connection is the
		// last: closing it checkpoints the log into the database file.
		var errs []error
		if db.j != nil {
			errs = append(errs, db.closeJournal(context.Background()))
		}
		errs = append(errs, db.wrap(db.rd.Close()))
		if db.w != nil {
			errs = append(errs, db.w.close())
		}
		if db.wr != nil {
			errs = append(errs, db.wrap(db.wr.Close()))
		}
		if db.wr != nil {
			// The last connection's close checkpointed the log; the
			// files it left must still be private.
			db.fixModes()
		}
		if err := errors.Join(errs...); err != nil {
			db.cerr = fmt.Errorf("close store %q: %w", db.path, err)
		}
	})
	return db.cerr
}

// wrap maps SQLite's read-only, full and busy errors to the package's
// sentinels, keeping SQLite's error in the chain too.
func (db *DB) wrap(err error) error {
	if err == nil {
		return nil
	}
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return err
	}
	denied := se.SystemErrno == syscall.EACCES || se.SystemErrno == syscall.EPERM || se.SystemErrno == syscall.EROFS
	switch {
	case se.Code == sqlite3.ErrReadonly,
		denied && (se.Code == sqlite3.ErrCantOpen || se.Code == sqlite3.ErrIoErr):
		return kindError{ErrReadOnly, err}
	case se.Code == sqlite3.ErrFull:
		return kindError{ErrFull, err}
	case se.Code == sqlite3.ErrBusy, se.Code == sqlite3.ErrLocked:
		return kindError{ErrBusy, err}
	}
	return err
}

// kindError is an error of SQLite's that is also one of the package's
// sentinels. It reads as SQLite's message alone.
type kindError struct{ kind, err error }

func (e kindError) Error() string   { return e.err.Error() }
func (e kindError) Unwrap() []error { return []error{e.kind, e.err} }

// isBusy reports whether err is SQLite's SQLITE_BUSY or SQLITE_LOCKED.
func isBusy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}
