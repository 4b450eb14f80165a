package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"time"

	"github.com/iamwatch/iamwatch"
)

// Item is one thing an export holds: exactly one of Session, Principal
// and Call is set.
type Item struct {
	// Session is a session's name, creation time and labels (its call
	// count and times are not exported).
	Session *SessionInfo
	// Principal maps an access key ID to its principal.
	Principal *Principal
	// Call is a call as stored: its UID, its own principal ARN (not
	// the one the principals map gives it) and its own labels (not its
	// session's).
	Call *iamwatch.Record
}

// Principal is a mapping from an access key ID to the principal that owns
// it, as SetPrincipal recorded it.
type Principal struct {
	AccessKeyID  string
	PrincipalARN string
	Updated      time.Time
}

// Export calls fn with everything f selects, from one consistent snapshot:
// first the sessions (oldest first), then the principal mappings (by
// access key ID), then the calls (in the order they were stored). The
// sessions are those of the selected calls, plus every session f names,
// or every session when f is the zero Filter; the principals are those of
// the selected calls' access keys, or every one for the zero Filter.
// Import reads it back. An error from fn stops the export and is
// returned as is.
func (db *DB) Export(ctx context.Context, f Filter, fn func(Item) error) error {
	return iterate(db, "export", fn, func(g func(Item) error) error { return db.export(ctx, f, g) })
}

func (db *DB) export(ctx context.Context, f Filter, fn func(Item) error) error {
	tx, err := db.rd.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := checkSessions(ctx, tx, f.Sessions); err != nil {
		return err
	}
	sess, err := sessionLabels(ctx, tx)
	if err != nil {
		return err
	}
	where, args := f.where()
	sq := `SELECT s.id, s.created_ns FROM sessions s ORDER BY s.created_ns, s.id`
	pq := `SELECT access_key_id, principal_arn, updated_ns FROM principals ORDER BY access_key_id`
	var sargs []any
	if !f.empty() {
		named := "0"
		if len(f.Sessions) > 0 {
			named = "s.name IN (" + placeholders(len(f.Sessions)) + ")"
			for _, n := range f.Sessions {
				sargs = append(sargs, n)
			}
		}
		sq = `SELECT s.id, s.created_ns FROM sessions s WHERE ` + named + `
			OR EXISTS (SELECT 1 FROM calls c WHERE c.session_id = s.id AND ` + where + `)
			ORDER BY s.created_ns, s.id`
		sargs = append(sargs, args...)
		pq = `SELECT access_key_id, principal_arn, updated_ns FROM principals
			WHERE access_key_id IN (SELECT c.access_key_id FROM calls c WHERE ` + where + `)
			ORDER BY access_key_id`
	}
	rows, err := tx.QueryContext(ctx, sq, sargs...)
	if err != nil {
		return err
	}
	var list []SessionInfo
	for rows.Next() {
		var id, created int64
		if err := rows.Scan(&id, &created); err != nil {
			rows.Close()
			return err
		}
		list = append(list, SessionInfo{Name: sess[id].name, Created: unixTime(created), Labels: sess[id].labels})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range list {
		if err := fn(Item{Session: &list[i]}); err != nil {
			return err
		}
	}

	rows, err = tx.QueryContext(ctx, pq, args...)
	if err != nil {
		return err
	}
	var prins []Principal
	for rows.Next() {
		var p Principal
		var updated int64
		if err := rows.Scan(&p.AccessKeyID, &p.PrincipalARN, &updated); err != nil {
			rows.Close()
			return err
		}
		p.Updated = unixTime(updated)
		prins = append(prins, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range prins {
		if err := fn(Item{Principal: &prins[i]}); err != nil {
			return err
		}
	}

	return eachCallTx(ctx, tx, f, true, func(r *iamwatch.Record) error {
		r.ID = 0 // a row ID means nothing in another database
		return fn(Item{Call: r})
	})
}

// Import adds items to db, with
// Merge's rules: a call db has (by UID) is skipped, unless db has it
// pending and the item is finished; a session (by name) gains the labels
// it lacks and keeps the earlier creation time; a principal mapping
// updated later wins. Importing the same items again adds nothing. Every
// string goes through the same checks and redaction as Add's; an item
// without a UID gets a new one. A call whose session is not among the
// items is created in a session of that name.
//
// The items are first written to a scratch database (in a private
// temporary directory, removed afterwards), which is then merged into db
// in one transaction: an import that fails halfway changes nothing.
func (db *DB) Import(ctx context.Context, items iter.Seq2[Item, error]) (MergeStats, error) {
	st, err := db.importItems(ctx, items)
	if err != nil {
		return MergeStats{}, fmt.Errorf("import into %q: %w", db.path, err)
	}
	return st, nil
}

func (db *DB) importItems(ctx context.Context, items iter.Seq2[Item, error]) (MergeStats, error) {
	if db.ro {
		return MergeStats{}, ErrReadOnly
	}
	dir, err := os.MkdirTemp("", "iamwatch-import-")
	if err != nil {
		return MergeStats{}, err
	}
	defer os.RemoveAll(dir)
	scratch, err := Options{Logger: db.log, Now: db.now}.Open(ctx, filepath.Join(dir, "import.db"))
	if err != nil {
		return MergeStats{}, err
	}
	defer scratch.Close()
	if err := scratch.fill(ctx, items); err != nil {
		return MergeStats{}, err
	}
	// Closing checkpoints the scratch database's log into its file.
	if err := scratch.Close(); err != nil {
		return MergeStats{}, err
	}
	return db.merge(ctx, scratch.path)
}

// fill writes the items to db, a scratch database: calls through Add,
// then the sessions and principals in SQL, since they carry times that
// Session and SetPrincipal would set to now.
func (db *DB) fill(ctx context.Context, items iter.Seq2[Item, error]) error {
	var sessions []SessionInfo
	var prins []Principal
	for it, err := range items {
		if err != nil {
			return err
		}
		switch {
		case it.Session != nil:
			if it.Session.Name == "" {
				return errors.New("session without a name")
			}
			if err := checkName(it.Session.Name); err != nil {
				return fmt.Errorf("session %q: %w", it.Session.Name, err)
			}
			sessions = append(sessions, *it.Session)
		case it.Principal != nil:
			if it.Principal.AccessKeyID == "" {
				return fmt.Errorf("principal %q: empty access key ID", it.Principal.PrincipalARN)
			}
			prins = append(prins, *it.Principal)
		case it.Call != nil:
			if err := db.Add(ctx, it.Call); err != nil {
				return err
			}
		}
	}
	if err := db.Flush(ctx); err != nil {
		return err
	}
	conn, closeConn, err := db.ownConn(ctx)
	if err != nil {
		return err
	}
	defer closeConn()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, s := range sessions {
		name, _ := db.redact(s.Name, "session")
		if err := upsertSession(ctx, tx, name, s.Created.UnixNano(), db.labels(s.Labels, "session label")); err != nil {
			return fmt.Errorf("session %q: %w", name, err)
		}
	}
	for _, p := range prins {
		akid, _ := db.redact(p.AccessKeyID, "access key ID")
		arn, _ := db.redact(p.PrincipalARN, "principal ARN")
		_, err := tx.ExecContext(ctx, `INSERT INTO principals (access_key_id, principal_arn, updated_ns) VALUES (?, ?, ?)
			ON CONFLICT (access_key_id) DO UPDATE SET principal_arn = excluded.principal_arn, updated_ns = excluded.updated_ns
			WHERE excluded.updated_ns >= updated_ns`, akid, arn, p.Updated.UnixNano())
		if err != nil {
			return fmt.Errorf("principal of %s: %w", akid, err)
		}
	}
	return tx.Commit()
}

// upsertSession creates a session with its creation time and labels, or
// sets them on the existing one: in the scratch database, the items are
// the truth (Merge then applies its own rules).
func upsertSession(ctx context.Context, tx *sql.Tx, name string, createdNS int64, labels [][2]string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (name, created_ns) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET created_ns = excluded.created_ns`, name, createdNS)
	if err != nil {
		return err
	}
	for _, l := range labels {
		_, err := tx.ExecContext(ctx, `INSERT INTO session_labels (session_id, key, value)
			SELECT id, ?, ? FROM sessions WHERE name = ?
			ON CONFLICT (session_id, key) DO UPDATE SET value = excluded.value`, l[0], l[1], name)
		if err != nil {
			return err
		}
	}
	return nil
}
