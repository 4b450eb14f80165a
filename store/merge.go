package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
)

// A call's identity across databases is its uid: a UUIDv7 the store makes
// when the record has none, or the Record's own UID (an import keeps the
// one it read). Merging and importing are idempotent because a call whose
// uid the database already has is not added again. Sessions are
// identified by name, principal mappings by access key ID.

// maxUID bounds a given UID: a UUID is 36 bytes, and a front end may
// prefix one with its own namespace ("cloudtrail:").
const maxUID = 128

// checkUID reports whether a Record's UID may be stored: 1 to maxUID
// letters, digits and "-_.:", and nothing the secret redactor would touch,
// since a redacted UID would collide with every other one.
func checkUID(uid string) error {
	if len(uid) == 0 || len(uid) > maxUID {
		return fmt.Errorf("uid must be 1 to %d bytes", maxUID)
	}
	for i := 0; i < len(uid); i++ {
		c := uid[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return fmt.Errorf("uid %q: only letters, digits and -_.: are allowed", uid)
		}
	}
	if _, secret := redact(uid); secret {
		return errors.New("uid looks like a secret")
	}
	return nil
}

// MergeStats counts what a Merge or an Import changed.
type MergeStats struct {
	// Sessions is the number of sessions created; a session the database
	// already had (by name) gains the labels it lacked.
	Sessions int64
	// Calls is the number of calls added, Replaced of them the finished
	// version of a call the database had as pending.
	Calls, Replaced int64
	// Skipped is the number of calls the database already had.
	Skipped int64
	// Principals is the number of access key mappings added or updated.
	Principals int64
}

// Merge adds to db what the iamwatch database at src holds that db lacks:
// its sessions (by name, with the labels db's session of that name lacks;
// the earlier creation time wins), its principal mappings (the more
// recently updated wins), and its calls (by uid) with their labels,
// actions and resources. A call db has as pending is replaced by src's
// finished version of it. Nothing else db holds changes, so merging the
// same database again adds nothing, and merging databases in any order
// gives the same calls.
//
// It runs in one transaction, in SQL, on a connection of its own: a
// million calls take seconds. src is opened read-only; it must have this
// iamwatch's schema (open it read-write once to migrate it). Calls still
// in the journal of a proxy recording into src are not in src yet. Merging
// a database into itself adds nothing.
func (db *DB) Merge(ctx context.Context, src string) (MergeStats, error) {
	st, err := db.merge(ctx, src)
	if err != nil {
		return MergeStats{}, fmt.Errorf("merge %q into %q: %w", src, db.path, err)
	}
	return st, nil
}

func (db *DB) merge(ctx context.Context, src string) (st MergeStats, err error) {
	if db.ro {
		return st, ErrReadOnly
	}
	abs, err := filepath.Abs(src)
	if err != nil {
		return st, err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return st, err
	}
	if self, err := os.Stat(db.path); err == nil && os.SameFile(fi, self) {
		return st, nil
	}
	conn, closeConn, err := db.ownConn(ctx)
	if err != nil {
		return st, db.wrap(err)
	}
	defer closeConn()
	u := url.URL{Scheme: "file", Opaque: (&url.URL{Path: abs}).EscapedPath(), RawQuery: "mode=ro"}
	if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS src`, u.String()); err != nil {
		return st, db.wrap(err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `DETACH DATABASE src`)
	if err := checkSourceSchema(ctx, conn); err != nil {
		return st, err
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return st, db.wrap(err)
	}
	defer func() {
		if err != nil {
			conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	if err := mergeTx(ctx, conn, &st); err != nil {
		return MergeStats{}, db.wrap(err)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return MergeStats{}, db.wrap(err)
	}
	return st, nil
}

// ownConn opens a read-write connection to db's file, apart from the
// writer's, for work done in SQL alone (Merge, and Import's sessions and
// principals). To the writer it is like another process: it adds rows and
// deletes only pending calls, never the interned rows whose IDs the writer
// caches.
func (db *DB) ownConn(ctx context.Context) (*sql.Conn, func(), error) {
	pool, err := sql.Open("sqlite3", dsn(db.path, false, false, ""))
	if err != nil {
		return nil, nil, err
	}
	pool.SetMaxOpenConns(1)
	conn, err := pool.Conn(ctx)
	if err != nil {
		pool.Close()
		return nil, nil, err
	}
	return conn, func() { conn.Close(); pool.Close() }, nil
}

// checkSourceSchema verifies that the attached database src is an
// iamwatch database with the schema this package writes.
func checkSourceSchema(ctx context.Context, conn *sql.Conn) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM src.sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: not an iamwatch database", ErrSchema)
	}
	var v int
	if err := conn.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM src.schema_migrations`).Scan(&v); err != nil {
		return err
	}
	if v < mergeTablesSince {
		return fmt.Errorf("%w: schema version %d, want %d to %d (%w); open it read-write once with this iamwatch to migrate it",
			ErrSchema, v, mergeTablesSince, len(ms), ErrOldSchema)
	}
	if v > len(ms) {
		return fmt.Errorf("%w: schema version %d is newer than this iamwatch knows (%d)", ErrSchema, v, len(ms))
	}
	return nil
}

// mergeTablesSince is the oldest schema version whose tables are this
// version's: migrations after it changed only indexes, which a merge does
// not read. A migration that changes a table the merge reads raises it
// (003 replaced call_uses with use sets).
const mergeTablesSince = 3

// mergeStep is a named statement of a merge.
type mergeStep struct {
	name, sql string
}

// mergeSteps are the statements of a merge, in order. The interning
// tables (actions, resources, conditions, uses) get src's values first;
// temp maps then translate src's row IDs into db's, so that copying the
// calls' uses joins integers. "WHERE true" keeps SQLite from reading an
// upsert's ON CONFLICT as a join's ON.
func mergeSteps() []mergeStep {
	return []mergeStep{
		{"sessions", `INSERT INTO main.sessions (name, created_ns) SELECT name, created_ns FROM src.sessions WHERE true
			ON CONFLICT (name) DO UPDATE SET created_ns = excluded.created_ns WHERE excluded.created_ns < created_ns`},
		{"session labels", `INSERT INTO main.session_labels (session_id, key, value)
			SELECT m.id, l.key, l.value FROM src.session_labels l
			JOIN src.sessions s ON s.id = l.session_id JOIN main.sessions m ON m.name = s.name WHERE true
			ON CONFLICT DO NOTHING`},
		{"principals", `INSERT INTO main.principals (access_key_id, principal_arn, updated_ns)
			SELECT access_key_id, principal_arn, updated_ns FROM src.principals WHERE true
			ON CONFLICT (access_key_id) DO UPDATE SET principal_arn = excluded.principal_arn, updated_ns = excluded.updated_ns
			WHERE excluded.updated_ns > updated_ns`},
		{"actions", `INSERT INTO main.actions (name) SELECT name FROM src.actions WHERE true ON CONFLICT DO NOTHING`},
		{"resources", `INSERT INTO main.resources (arn) SELECT arn FROM src.resources WHERE true ON CONFLICT DO NOTHING`},
		{"conditions", `INSERT INTO main.conditions (json) SELECT json FROM src.conditions WHERE true ON CONFLICT DO NOTHING`},
		{"condition map", `CREATE TEMP TABLE merge_conds (src INTEGER PRIMARY KEY, dst INTEGER NOT NULL)`},
		{"condition map", `INSERT INTO merge_conds SELECT s.id, m.id FROM src.conditions s JOIN main.conditions m ON m.json = s.json`},
		// uses' unique index does not see two NULL condition_ids as equal;
		// IS does.
		{"uses", `INSERT INTO main.uses (action_id, level, exact, possible, reason, condition_id)
			SELECT ma.id, u.level, u.exact, u.possible, u.reason, mc.dst
			FROM src.uses u JOIN src.actions a ON a.id = u.action_id JOIN main.actions ma ON ma.name = a.name
			LEFT JOIN merge_conds mc ON mc.src = u.condition_id
			WHERE NOT EXISTS (SELECT 1 FROM main.uses x WHERE x.action_id = ma.id AND x.level = u.level
				AND x.exact = u.exact AND x.possible = u.possible AND x.reason = u.reason AND x.condition_id IS mc.dst)`},
		{"use map", `CREATE TEMP TABLE merge_uses (src INTEGER PRIMARY KEY, dst INTEGER NOT NULL)`},
		{"use map", `INSERT INTO merge_uses SELECT u.id, x.id
			FROM src.uses u JOIN src.actions a ON a.id = u.action_id JOIN main.actions ma ON ma.name = a.name
			LEFT JOIN merge_conds mc ON mc.src = u.condition_id
			JOIN main.uses x ON x.action_id = ma.id AND x.level = u.level AND x.exact = u.exact
				AND x.possible = u.possible AND x.reason = u.reason AND x.condition_id IS mc.dst`},
		{"resource map", `CREATE TEMP TABLE merge_res (src INTEGER PRIMARY KEY, dst INTEGER NOT NULL)`},
		{"resource map", `INSERT INTO merge_res SELECT s.id, m.id FROM src.resources s JOIN main.resources m ON m.arn = s.arn`},
		// A use set's key names use and resource IDs, so src's sets get
		// keys in db's IDs before they are matched or added.
		{"use set map", `CREATE TEMP TABLE merge_sets (src INTEGER PRIMARY KEY, key TEXT NOT NULL, dst INTEGER)`},
		{"use set map", `INSERT INTO merge_sets (src, key)
			SELECT i.set_id, group_concat(i.seq || ':' || i.rseq || ':' || mu.dst || ':' || coalesce(mr.dst, ''), ','
				ORDER BY i.seq, i.rseq)
			FROM src.use_set_items i JOIN merge_uses mu ON mu.src = i.use_id
			LEFT JOIN merge_res mr ON mr.src = i.resource_id
			GROUP BY i.set_id`},
		{"use sets", `INSERT INTO main.use_sets (key) SELECT key FROM merge_sets WHERE true ON CONFLICT DO NOTHING`},
		{"use set map", `UPDATE merge_sets SET dst = (SELECT m.id FROM main.use_sets m WHERE m.key = merge_sets.key)`},
		{"use set items", `INSERT INTO main.use_set_items (set_id, seq, rseq, use_id, resource_id)
			SELECT ms.dst, i.seq, i.rseq, mu.dst, mr.dst
			FROM merge_sets ms JOIN src.use_set_items i ON i.set_id = ms.src
			JOIN merge_uses mu ON mu.src = i.use_id
			LEFT JOIN merge_res mr ON mr.src = i.resource_id
			WHERE true ON CONFLICT DO NOTHING`},
	}
}

// The statements that copy calls. ?1 is the highest call ID before the
// copy: the rows above it are the calls just added.
const (
	mergeReplace = `DELETE FROM main.calls WHERE pending = 1 AND uid IN (SELECT uid FROM src.calls WHERE pending = 0)`
	mergeCalls   = `INSERT INTO main.calls (uid, session_id, time_ns, source, access_key_id, principal_arn,
			service, service_id, model, protocol, operation, region, account_id, recognized, reason,
			condition_id, pending, status, error_code, latency_ns, use_set_id)
		SELECT c.uid, ms.id, c.time_ns, c.source, c.access_key_id, c.principal_arn,
			c.service, c.service_id, c.model, c.protocol, c.operation, c.region, c.account_id, c.recognized, c.reason,
			mc.dst, c.pending, c.status, c.error_code, c.latency_ns, mset.dst
		FROM src.calls c JOIN src.sessions s ON s.id = c.session_id JOIN main.sessions ms ON ms.name = s.name
		LEFT JOIN merge_conds mc ON mc.src = c.condition_id
		LEFT JOIN merge_sets mset ON mset.src = c.use_set_id
		WHERE NOT EXISTS (SELECT 1 FROM main.calls x WHERE x.uid = c.uid)
		ORDER BY c.id`
	mergeCallLabels = `INSERT INTO main.call_labels (call_id, key, value)
		SELECT m.id, l.key, l.value FROM main.calls m JOIN src.calls c ON c.uid = m.uid
		JOIN src.call_labels l ON l.call_id = c.id WHERE m.id > ?1`
)

func mergeTx(ctx context.Context, conn *sql.Conn, st *MergeStats) error {
	count := func(q string) (int64, error) {
		var n int64
		err := conn.QueryRowContext(ctx, q).Scan(&n)
		return n, err
	}
	exec := func(name, q string, args ...any) (int64, error) {
		res, err := conn.ExecContext(ctx, q, args...)
		if err != nil {
			return 0, fmt.Errorf("merge %s: %w", name, err)
		}
		return res.RowsAffected()
	}
	before, err := count(`SELECT count(*) FROM main.sessions`)
	if err != nil {
		return err
	}
	// The temp tables live as long as the connection, which Merge closes.
	for _, s := range mergeSteps() {
		n, err := exec(s.name, s.sql)
		if err != nil {
			return err
		}
		if s.name == "principals" {
			st.Principals = n
		}
	}
	after, err := count(`SELECT count(*) FROM main.sessions`)
	if err != nil {
		return err
	}
	st.Sessions = after - before
	if st.Replaced, err = exec("pending calls", mergeReplace); err != nil {
		return err
	}
	maxID, err := count(`SELECT coalesce(max(id), 0) FROM main.calls`)
	if err != nil {
		return err
	}
	if st.Calls, err = exec("calls", mergeCalls); err != nil {
		return err
	}
	total, err := count(`SELECT count(*) FROM src.calls`)
	if err != nil {
		return err
	}
	st.Skipped = total - st.Calls
	_, err = exec("call labels", mergeCallLabels, maxID)
	return err
}
