package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/iamwatch/iamwatch"
	"github.com/mattn/go-sqlite3"
)

// TestWriterInsertsCallsThroughCAPI: the writer finds the driver's sqlite3
// handle (a driver upgrade that hides it fails here, not silently slower),
// and calls inserted through the C API read back as those inserted
// through the driver.
func TestWriterInsertsCallsThroughCAPI(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	fast := openAt(t, filepath.Join(dir, "c.db"), Options{})
	if fast.w.callAddC == nil {
		t.Fatal("the writer inserts calls through the driver: no sqlite3 handle found")
	}
	slow := openAt(t, filepath.Join(dir, "driver.db"), Options{})
	slow.w.conn.Raw(func(any) error { slow.w.callAddC.close(); return nil })
	slow.w.callAddC = nil

	recs := []*iamwatch.Record{record("s", 1), record("s", 2), record("other", 3)}
	recs[1].Pending, recs[1].Status, recs[1].ErrorCode = false, 403, "AccessDenied"
	recs[1].Reason, recs[1].Recognized = "", true
	recs[2].AccessKeyID, recs[2].Region, recs[2].Actions = "", "", nil
	recs[2].Conditions = map[string][]string{"aws:RequestedRegion": {"eu-west-1"}}
	recs[2].Labels = map[string]string{"test": "x"}
	for i, r := range recs {
		r.UID = "0190b3a4-0000-7000-8000-00000000000" + string(rune('1'+i))
	}
	var got [2][]iamwatch.Record
	for i, db := range []*DB{fast, slow} {
		for _, r := range append(recs, recs[0]) { // the last one again: a replay, ignored
			if err := db.Add(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		got[i] = storedCalls(t, db)
	}
	if len(got[0]) != len(recs) {
		t.Fatalf("%d calls stored, want %d", len(got[0]), len(recs))
	}
	if !reflect.DeepEqual(got[0], got[1]) {
		t.Errorf("through the C API:\n%+v\nthrough the driver:\n%+v", got[0], got[1])
	}
}

// TestCStmt: parameters of each kind, the empty string bound as text (not
// NULL), a failed execution reported with SQLite's code and the statement
// usable after it.
func TestCStmt(t *testing.T) {
	ctx := context.Background()
	sdb, err := sql.Open("sqlite3", filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	conn, err := sdb.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER NOT NULL CHECK (a > 0),
		b TEXT NOT NULL, c INTEGER)`); err != nil {
		t.Fatal(err)
	}
	err = conn.Raw(func(dc any) error {
		c, err := prepareC(dc, `INSERT INTO t (a, b, c) VALUES (?, ?, ?)`)
		if err != nil {
			return err
		}
		defer c.close()
		exec := func(a int64, b string, cv sql.NullInt64) (int64, int, error) {
			c.argInt(a)
			c.argText(b)
			c.argNullInt(cv)
			return c.exec()
		}
		if id, n, err := exec(1, "x", sql.NullInt64{Int64: 7, Valid: true}); err != nil || id != 1 || n != 1 {
			t.Errorf("first insert: id %d, %d changed, %v", id, n, err)
		}
		_, _, err = exec(0, "y", sql.NullInt64{})
		var se sqlite3.Error
		if !errors.As(err, &se) || se.Code != sqlite3.ErrConstraint || se.ExtendedCode != sqlite3.ErrConstraintCheck ||
			!strings.Contains(err.Error(), "CHECK constraint failed") {
			t.Errorf("insert breaking the CHECK: %v (%#v), want a CHECK constraint error", err, se)
		}
		if id, n, err := exec(2, "", sql.NullInt64{}); err != nil || id != 2 || n != 1 {
			t.Errorf("insert after a failure: id %d, %d changed, %v", id, n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := conn.QueryContext(ctx, `SELECT a, b, typeof(b), c FROM t ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var a int64
		var b, typ string
		var c sql.NullInt64
		if err := rows.Scan(&a, &b, &typ, &c); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d %q %s %v", a, b, typ, c))
	}
	want := []string{`1 "x" text {7 true}`, `2 "" text {0 false}`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}
}
