package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/iamwatch/iamwatch"
)

// openTest opens a new database in a temporary directory and closes it
// when the test ends.
func openTest(t testing.TB, o Options) *DB {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "iamwatch.db"), o)
}

func openAt(t testing.TB, path string, o Options) *DB {
	t.Helper()
	db, err := o.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return db
}

// storedCalls flushes db and returns every call it stores.
func storedCalls(t testing.TB, db *DB) []iamwatch.Record {
	t.Helper()
	ctx := context.Background()
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	calls, err := db.Calls(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return calls
}

// record returns a mapped S3 GetObject call in session.
func record(session string, i int) *iamwatch.Record {
	return &iamwatch.Record{
		Session:     session,
		Time:        time.Date(2025, 1, 2, 3, 4, 5, i, time.UTC),
		Source:      iamwatch.SourceProxy,
		AccessKeyID: "AKIAIOSFODNN7EXAMPLE",
		Call: iamwatch.Call{
			Service:    "s3",
			ServiceID:  "S3",
			Model:      "s3",
			Protocol:   "rest-xml",
			Operation:  "GetObject",
			Region:     "us-east-1",
			AccountID:  "123456789012",
			Recognized: true,
			Conditions: map[string][]string{"aws:RequestedRegion": {"us-east-1"}},
			Actions: []iamwatch.ActionUse{
				{
					Action:    "s3:GetObject",
					Level:     iamwatch.LevelRead,
					Resources: []string{fmt.Sprintf("arn:aws:s3:::bucket/key-%d", i%10)},
					Exact:     true,
				},
				{
					Action:    "s3:GetObjectVersion",
					Level:     iamwatch.LevelRead,
					Resources: []string{"arn:aws:s3:::bucket/*"},
					Possible:  true,
					Reason:    "when versionId is sent",
				},
			},
		},
		Status:  200,
		Latency: 12 * time.Millisecond,
	}
}

func TestDSNPragmasOnEveryConnection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iamwatch.db")
	openAt(t, path, Options{}) // creates and migrates
	tests := []struct {
		name      string
		dsn       string
		queryOnly int
	}{
		{"read pool", dsn(path, true, false, ""), 1},
		{"write pool", dsn(path, false, false, ""), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool, err := sql.Open("sqlite3", tt.dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer pool.Close()
			// Hold three connections at once so that they are three
			// different ones.
			const n = 3
			var conns []*sql.Conn
			for range n {
				c, err := pool.Conn(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				conns = append(conns, c)
			}
			if got := pool.Stats().OpenConnections; got != n {
				t.Fatalf("open connections = %d, want %d", got, n)
			}
			for i, c := range conns {
				for _, p := range []struct {
					pragma string
					want   string
				}{
					{"journal_mode", "wal"},
					{"foreign_keys", "1"},
					{"busy_timeout", fmt.Sprint(busyTimeout.Milliseconds())},
					{"synchronous", "1"}, // NORMAL
					{"query_only", fmt.Sprint(tt.queryOnly)},
				} {
					var got string
					if err := c.QueryRowContext(t.Context(), "PRAGMA "+p.pragma).Scan(&got); err != nil {
						t.Fatal(err)
					}
					if got != p.want {
						t.Errorf("connection %d: PRAGMA %s = %s, want %s", i, p.pragma, got, p.want)
					}
				}
			}
		})
	}
}

func TestDSNEscapesPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a dir?with#odd&chars")
	db := openAt(t, filepath.Join(dir, "x.db"), Options{})
	if _, err := db.Session(t.Context(), "s", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.db")); err != nil {
		t.Fatal(err)
	}
}

func TestFileModes(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(t *testing.T, dir, path string)
		dirMode  os.FileMode
		warnings int
	}{
		{
			name:    "missing directory is created 0700",
			setup:   func(t *testing.T, dir, path string) {},
			dirMode: 0o700,
		},
		{
			name: "existing open directory is left alone, with a warning",
			setup: func(t *testing.T, dir, path string) {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				os.Chmod(dir, 0o755) // whatever the umask
			},
			dirMode:  0o755,
			warnings: 1,
		},
		{
			name: "existing world-readable database is made 0600",
			setup: func(t *testing.T, dir, path string) {
				if err := os.MkdirAll(dir, 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, nil, 0o644); err != nil {
					t.Fatal(err)
				}
				os.Chmod(path, 0o644)
			},
			dirMode: 0o700,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "home", ".iamwatch")
			path := filepath.Join(dir, "iamwatch.db")
			tt.setup(t, dir, path)
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			db, err := Options{Logger: log}.Open(t.Context(), path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Begin(t.Context(), record("s", 1)); err != nil {
				t.Fatal(err)
			}
			check := func(p string, want os.FileMode) {
				t.Helper()
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if got := fi.Mode().Perm(); got != want {
					t.Errorf("%s: mode %v, want %v", filepath.Base(p), got, want)
				}
			}
			check(dir, tt.dirMode)
			for _, p := range []string{path, path + "-wal", path + "-shm"} {
				check(p, 0o600)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			check(path, 0o600)
			if got := strings.Count(logs.String(), "level=WARN"); got != tt.warnings {
				t.Errorf("%d warnings, want %d:\n%s", got, tt.warnings, logs.String())
			}
		})
	}
}

func TestParseMigrations(t *testing.T) {
	tests := []struct {
		name    string
		files   []string
		want    []int
		wantErr string
	}{
		{"in order", []string{"002_b.sql", "001_a.sql", "README.md"}, []int{1, 2}, ""},
		{"gap", []string{"001_a.sql", "003_c.sql"}, nil, "expected version 002"},
		{"duplicate", []string{"001_a.sql", "001_b.sql"}, nil, "expected version 002"},
		{"bad name", []string{"1_a.sql"}, nil, "NNN_name.sql"},
		{"no label", []string{"001.sql"}, nil, "NNN_name.sql"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for _, f := range tt.files {
				fsys["m/"+f] = &fstest.MapFile{Data: []byte("SELECT 1;")}
			}
			ms, err := parseMigrations(fsys, "m")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, m := range ms {
				got = append(got, m.version)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("versions %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEmbeddedMigrations(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 {
		t.Fatal("no migrations embedded")
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	ms, _ := migrations()
	path := filepath.Join(t.TempDir(), "iamwatch.db")
	for i := range 3 {
		db, err := Open(t.Context(), path)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		var n, uv int
		if err := db.rd.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if err := db.rd.QueryRow(`PRAGMA user_version`).Scan(&uv); err != nil {
			t.Fatal(err)
		}
		if n != len(ms) || uv != len(ms) {
			t.Errorf("open %d: %d migrations recorded, user_version %d; want %d", i, n, uv, len(ms))
		}
		db.Close()
	}
}

func TestConcurrentOpenOfNewDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iamwatch.db")
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			db, err := Open(t.Context(), path)
			if err == nil {
				_, err = db.Begin(t.Context(), record("s", i))
				err = errors.Join(err, db.Close())
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iamwatch.db")
	db := openAt(t, path, Options{})
	db.Close()
	raw, err := sql.Open("sqlite3", dsn(path, false, false, ""))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO schema_migrations VALUES (999, '999_future', 0)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	for _, o := range []Options{{}, {ReadOnly: true}} {
		_, err = o.Open(t.Context(), path)
		if !errors.Is(err, ErrSchema) || !strings.Contains(err.Error(), path) {
			t.Errorf("ReadOnly=%v: err = %v, want ErrSchema naming the path", o.ReadOnly, err)
		}
	}
}

func TestReadOnlyOption(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iamwatch.db")
	rw := openAt(t, path, Options{})
	if err := rw.Add(t.Context(), record("s", 1)); err != nil {
		t.Fatal(err)
	}
	if err := rw.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}

	ro := openAt(t, path, Options{ReadOnly: true})
	calls, err := ro.Calls(t.Context(), Filter{})
	if err != nil || len(calls) != 1 {
		t.Fatalf("read-only Calls: %d calls, %v", len(calls), err)
	}
	writes := map[string]func() error{
		"Begin":        func() error { _, err := ro.Begin(t.Context(), record("s", 2)); return err },
		"Finish":       func() error { return ro.Finish(t.Context(), 1, record("s", 2)) },
		"Add":          func() error { return ro.Add(t.Context(), record("s", 2)) },
		"Session":      func() error { _, err := ro.Session(t.Context(), "x", nil); return err },
		"SetPrincipal": func() error { return ro.SetPrincipal(t.Context(), "AKIA", "arn") },
		"Flush":        func() error { return ro.Flush(t.Context()) },
	}
	for name, write := range writes {
		if err := write(); !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: err = %v, want ErrReadOnly naming the path", name, err)
		}
	}

	if _, err := (Options{ReadOnly: true}).Open(t.Context(), filepath.Join(t.TempDir(), "missing.db")); err == nil {
		t.Error("read-only open of a missing database succeeded")
	}
}

// TestReadOnlyFile opens, read-write, a database its user may not write.
// Root may write anything, so as root the check runs in a child process
// as nobody.
func TestReadOnlyFile(t *testing.T) {
	tests := []struct {
		name              string
		fileMode, dirMode os.FileMode
	}{
		{"read-only file and directory", 0o400, 0o500},
		{"read-only file", 0o400, 0o700},
		{"read-only directory", 0o600, 0o500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, err := os.MkdirTemp("", "iamwatch-store-ro-")
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(base, "home")
			path := filepath.Join(dir, "iamwatch.db")
			t.Cleanup(func() {
				os.Chmod(dir, 0o700)
				os.RemoveAll(base)
			})
			db := openAt(t, path, Options{})
			if _, err := db.Begin(t.Context(), record("s", 1)); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			os.Chmod(path, tt.fileMode)
			os.Chmod(dir, tt.dirMode)

			var got string
			if os.Geteuid() != 0 {
				got = readOnlyCheck(path)
			} else {
				got = readOnlyCheckAsNobody(t, base, dir, path)
			}
			if want := "read-only=true path=true"; !strings.HasPrefix(got, want) {
				t.Errorf("got %q, want %q", got, want)
			}
			t.Log(got)
		})
	}
}

// readOnlyCheck opens path read-write, tries to write, and reports whether
// the error is ErrReadOnly and names the path.
func readOnlyCheck(path string) string {
	db, err := Open(context.Background(), path)
	if err == nil {
		_, err = db.Begin(context.Background(), record("s", 2))
		db.Close()
	}
	return fmt.Sprintf("read-only=%t path=%t err=%v", errors.Is(err, ErrReadOnly),
		err != nil && strings.Contains(err.Error(), path), err)
}

func readOnlyCheckAsNobody(t *testing.T, base, dir, path string) string {
	t.Helper()
	const nobody = 65534
	bin := filepath.Join(base, "store.test")
	b, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{base, bin} {
		os.Chmod(p, 0o755)
	}
	for _, p := range []string{dir, path} {
		if err := os.Chown(p, nobody, nobody); err != nil {
			t.Skipf("cannot chown to nobody: %v", err)
		}
	}
	cmd := helperCmd(t, "readonly", path)
	cmd.Path, cmd.Args[0] = bin, bin
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("cannot run as nobody: %v", err)
	}
	return strings.TrimSpace(string(out))
}

func TestDiskFull(t *testing.T) {
	db := openTest(t, Options{maxPages: 64})
	big := record("s", 0)
	big.Reason = strings.Repeat("x", 4000)
	var err error
	for i := 0; i < 1000 && err == nil; i++ {
		_, err = db.Begin(t.Context(), big)
	}
	if !errors.Is(err, ErrFull) || !strings.Contains(err.Error(), db.Path()) {
		t.Fatalf("err = %v, want ErrFull naming the path", err)
	}
	// Queued writes report it at Flush; the store keeps working.
	if err := db.Add(t.Context(), big); err != nil {
		t.Fatal(err)
	}
	if err := db.Flush(t.Context()); !errors.Is(err, ErrFull) {
		t.Errorf("Flush: err = %v, want ErrFull", err)
	}
	if _, err := db.Sessions(t.Context()); err != nil {
		t.Errorf("reading a full database: %v", err)
	}
	if err := db.Flush(t.Context()); err != nil {
		t.Errorf("second Flush: %v, want the error reported once", err)
	}
}

func TestClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iamwatch.db")
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	id, err := db.Begin(t.Context(), record("s", 1))
	if err != nil {
		t.Fatal(err)
	}
	done := record("s", 1)
	done.Status = 404
	done.ErrorCode = "NoSuchKey"
	if err := db.Finish(t.Context(), id, done); err != nil {
		t.Fatal(err)
	}
	for range 100 {
		if err := db.Add(t.Context(), record("s", 2)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := db.Begin(t.Context(), record("s", 3)); !errors.Is(err, ErrClosed) {
		t.Errorf("Begin after Close: %v, want ErrClosed", err)
	}
	if err := db.Add(t.Context(), record("s", 3)); !errors.Is(err, ErrClosed) {
		t.Errorf("Add after Close: %v, want ErrClosed", err)
	}

	// Close committed the queued Finish and Adds.
	db = openAt(t, path, Options{})
	calls, err := db.Calls(t.Context(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 101 || calls[0].Pending || calls[0].ErrorCode != "NoSuchKey" {
		t.Errorf("after Close: %d calls, first %+v", len(calls), calls[0])
	}
}

func TestBadInput(t *testing.T) {
	db := openTest(t, Options{})
	ctx := t.Context()
	tests := []struct {
		name string
		err  func() error
	}{
		{"nil record", func() error { _, err := db.Begin(ctx, nil); return err }},
		{"no session", func() error { _, err := db.Begin(ctx, &iamwatch.Record{}); return err }},
		{"control character", func() error { return db.Add(ctx, &iamwatch.Record{Session: "a\nb"}) }},
		{"long name", func() error { _, err := db.Session(ctx, strings.Repeat("n", 300), nil); return err }},
		{"empty access key", func() error { return db.SetPrincipal(ctx, "", "arn:aws:iam::1:user/u") }},
		{"memory database", func() error { _, err := Open(ctx, ":memory:"); return err }},
		{"empty path", func() error { _, err := Open(ctx, ""); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.err(); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestCanceledContext(t *testing.T) {
	db := openTest(t, Options{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := db.Begin(ctx, record("s", 1)); !errors.Is(err, context.Canceled) {
		t.Errorf("Begin: %v, want context.Canceled", err)
	}
	if _, err := db.Calls(ctx, Filter{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Calls: %v, want context.Canceled", err)
	}
}

// TestSQLiteDoesNotCountAllocations: the package turns SQLite's allocation
// statistics off before any connection opens (see sqliteconfig.go), so that
// the writer does not take a process-wide lock for every allocation.
func TestSQLiteDoesNotCountAllocations(t *testing.T) {
	db := openTest(t, Options{})
	if _, err := db.Session(context.Background(), "s", nil); err != nil {
		t.Fatal(err)
	}
	if n := sqliteMemoryUsed(); n != 0 {
		t.Errorf("SQLite counts %d bytes allocated: its allocation statistics are on", n)
	}
}
