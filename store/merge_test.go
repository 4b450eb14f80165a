package store

import (
	"bufio"
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/iamwatch/iamwatch"
)

func TestCheckUID(t *testing.T) {
	tests := []struct {
		name, uid string
		ok        bool
	}{
		{"uuid", "0194a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", true},
		{"namespaced", "cloudtrail:EXAMPLE-1_2.3", true},
		{"empty", "", false},
		{"too long", strings.Repeat("a", maxUID+1), false},
		{"space", "a b", false},
		{"slash", "a/b", false},
		{"newline", "a\nb", false},
		{"secret-looking", "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEYab", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := checkUID(tt.uid); (err == nil) != tt.ok {
				t.Errorf("checkUID(%q) = %v, want ok %v", tt.uid, err, tt.ok)
			}
		})
	}
	db := openTest(t, Options{})
	if err := db.Add(t.Context(), &iamwatch.Record{UID: "a b", Session: "s"}); err == nil {
		t.Error("Add accepted a UID with a space")
	}
}

// runner records what a CI runner would: sessions with labels, a principal,
// finished and pending calls with labels of their own.
func runner(t *testing.T, name string, t0 time.Time) string {
	t.Helper()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), name+".db")
	db, err := Options{Now: func() time.Time { return t0 }}.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Session(ctx, name, map[string]string{"runner": name}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Session(ctx, "shared", map[string]string{"branch": "main", "from": name}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Session(ctx, "empty-"+name, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.SetPrincipal(ctx, "AKIA"+strings.ToUpper(name), "arn:aws:iam::1:role/"+name); err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		rec := record(name, i)
		rec.Time = t0.Add(time.Duration(i) * time.Second)
		rec.AccessKeyID = "AKIA" + strings.ToUpper(name)
		rec.Labels = map[string]string{"test": "Test" + name}
		if i%2 == 1 {
			rec.Session = "shared"
		}
		if i == 5 {
			rec.Pending, rec.Status = true, 0
		}
		if i == 4 {
			rec.Conditions = nil
			rec.Actions = append(rec.Actions, iamwatch.ActionUse{Action: "kms:Decrypt", Level: iamwatch.LevelWrite,
				Resources: []string{"arn:aws:kms:us-east-1:1:key/" + name}})
		}
		if err := db.Add(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// dump returns db's export, its calls as read (principals resolved,
// labels merged) and the row count of every table.
func dump(t *testing.T, db *DB) (string, []iamwatch.Record, map[string]int64) {
	t.Helper()
	var buf bytes.Buffer
	enc := NewEncoder(&buf)
	if err := db.Export(t.Context(), Filter{}, enc.Encode); err != nil {
		t.Fatal(err)
	}
	calls, err := db.Calls(t.Context(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	for _, table := range []string{"sessions", "session_labels", "principals", "conditions", "actions", "resources",
		"uses", "calls", "call_labels", "call_uses", "use_sets", "use_set_items"} {
		var n int64
		if err := db.rd.QueryRowContext(t.Context(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		counts[table] = n
	}
	return buf.String(), calls, counts
}

func TestMergeIsIdempotent(t *testing.T) {
	ctx := t.Context()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	a := runner(t, "a", t0)
	b := runner(t, "b", t0.Add(time.Hour))
	c := openTest(t, Options{})

	for _, src := range []string{a, b} {
		st, err := c.Merge(ctx, src)
		if err != nil {
			t.Fatal(err)
		}
		want := MergeStats{Sessions: 3, Calls: 6, Principals: 1}
		if src == b {
			want.Sessions = 2 // "shared" exists
		}
		if st != want {
			t.Errorf("first merge of %s: %+v, want %+v", filepath.Base(src), st, want)
		}
	}
	export1, calls1, counts1 := dump(t, c)
	if counts1["calls"] != 12 || counts1["sessions"] != 5 || counts1["principals"] != 2 {
		t.Fatalf("after the first merge: %v", counts1)
	}

	// The merged calls are the runners' calls, field for field.
	var want []iamwatch.Record
	for _, src := range []string{a, b} {
		db := openAt(t, src, Options{ReadOnly: true})
		calls, err := db.Calls(ctx, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, calls...)
	}
	if len(calls1) != len(want) {
		t.Fatalf("merged %d calls, want %d", len(calls1), len(want))
	}
	for i := range want {
		got := calls1[i]
		got.ID = want[i].ID
		if want[i].Session == "shared" {
			// The shared session keeps the labels of the first merged.
			want[i].Labels["from"] = "a"
		}
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("call %d:\n got %+v\nwant %+v", i, got, want[i])
		}
	}

	// Again: nothing changes.
	for _, src := range []string{a, b} {
		st, err := c.Merge(ctx, src)
		if err != nil {
			t.Fatal(err)
		}
		if st != (MergeStats{Skipped: 6}) {
			t.Errorf("second merge of %s: %+v, want only 6 skipped", filepath.Base(src), st)
		}
	}
	export2, _, counts2 := dump(t, c)
	if export2 != export1 || !reflect.DeepEqual(counts2, counts1) {
		t.Errorf("the second merge changed the database:\n%v\n%v\n%s\n%s", counts1, counts2, export1, export2)
	}

	// C into itself, by path and as a copy: nothing changes.
	if st, err := c.Merge(ctx, c.Path()); err != nil || st != (MergeStats{}) {
		t.Errorf("merge into itself: %+v, %v", st, err)
	}
	cp := filepath.Join(t.TempDir(), "copy.db")
	raw, err := sql.Open("sqlite3", c.Path())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(ctx, "VACUUM INTO ?", cp); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if st, err := c.Merge(ctx, cp); err != nil || st != (MergeStats{Skipped: 12}) {
		t.Errorf("merge of a copy: %+v, %v", st, err)
	}
	export3, _, counts3 := dump(t, c)
	if export3 != export1 || !reflect.DeepEqual(counts3, counts1) {
		t.Errorf("merging a copy changed the database:\n%v\n%v", counts1, counts3)
	}

	// The other order gives the same calls.
	d := openTest(t, Options{})
	for _, src := range []string{b, a} {
		if _, err := d.Merge(ctx, src); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := callUIDs(t, d), callUIDs(t, c); !reflect.DeepEqual(got, want) {
		t.Errorf("merging b then a: calls %v, want %v", got, want)
	}
	// Interned rows stay unique, NULL conditions included.
	var dups int
	err = c.rd.QueryRowContext(ctx, `SELECT count(*) - (SELECT count(*) FROM (SELECT DISTINCT action_id, level, exact,
		possible, reason, coalesce(condition_id, -1) FROM uses)) FROM uses`).Scan(&dups)
	if err != nil || dups != 0 {
		t.Errorf("uses has %d duplicates (%v)", dups, err)
	}
}

func callUIDs(t *testing.T, db *DB) []string {
	t.Helper()
	calls, err := db.Calls(t.Context(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range calls {
		out = append(out, c.UID)
	}
	sort.Strings(out)
	return out
}

func TestMergeReplacesPendingWithFinished(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	pending := record("s", 1)
	pending.UID, pending.Pending, pending.Status = "0194a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", true, 0
	pending.Labels = map[string]string{"begun": "yes"}
	finished := *pending
	finished.Pending, finished.Status, finished.ErrorCode = false, 403, "AccessDenied"
	finished.Actions = finished.Actions[:1]
	finished.Labels = map[string]string{"begun": "yes", "outcome": "denied"}

	write := func(name string, rec *iamwatch.Record) string {
		path := filepath.Join(dir, name)
		db := openAt(t, path, Options{})
		if err := db.Add(ctx, rec); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		return path
	}
	a, b := write("a.db", pending), write("b.db", &finished)
	c := openTest(t, Options{})
	if st, err := c.Merge(ctx, a); err != nil || st.Calls != 1 {
		t.Fatalf("merge a: %+v, %v", st, err)
	}
	if st, err := c.Merge(ctx, b); err != nil || st != (MergeStats{Calls: 1, Replaced: 1}) {
		t.Fatalf("merge b: %+v, %v", st, err)
	}
	// The pending version no longer replaces the finished one.
	if st, err := c.Merge(ctx, a); err != nil || st != (MergeStats{Skipped: 1}) {
		t.Fatalf("merge a again: %+v, %v", st, err)
	}
	calls, err := c.Calls(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	want := finished
	if len(calls) == 1 {
		want.ID = calls[0].ID
	}
	if len(calls) != 1 || !reflect.DeepEqual(calls[0], want) {
		t.Errorf("after merging:\n got %+v\nwant %+v", calls, want)
	}
}

func TestMergeRefusesOtherFiles(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	c := openTest(t, Options{})

	other := filepath.Join(dir, "other.db")
	odb, err := sql.Open("sqlite3", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := odb.Exec(`CREATE TABLE t (x)`); err != nil {
		t.Fatal(err)
	}
	odb.Close()
	newer := filepath.Join(dir, "newer.db")
	ndb := openAt(t, newer, Options{})
	if _, err := ndb.rd.Exec("SELECT 1"); err != nil {
		t.Fatal(err)
	}
	ndb.Close()
	ndb2, _ := sql.Open("sqlite3", newer)
	if _, err := ndb2.Exec(`INSERT INTO schema_migrations (version, name, applied_ns) VALUES (999, '999_future', 0)`); err != nil {
		t.Fatal(err)
	}
	ndb2.Close()
	text := filepath.Join(dir, "text.db")
	os.WriteFile(text, []byte(strings.Repeat("not a database\n", 100)), 0o600)

	tests := []struct {
		name, path string
		schema     bool // ErrSchema
	}{
		{"missing", filepath.Join(dir, "missing.db"), false},
		{"not iamwatch", other, true},
		{"newer schema", newer, true},
		{"not sqlite", text, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := c.Merge(ctx, tt.path)
			if err == nil {
				t.Fatalf("merged %s: %+v", tt.path, st)
			}
			if errors.Is(err, ErrSchema) != tt.schema {
				t.Errorf("error %v: ErrSchema %v, want %v", err, !tt.schema, tt.schema)
			}
			if !strings.Contains(err.Error(), tt.path) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
	ro := openAt(t, c.Path(), Options{ReadOnly: true})
	if _, err := ro.Merge(ctx, other); !errors.Is(err, ErrReadOnly) {
		t.Errorf("merge into a read-only handle: %v", err)
	}
}

// TestMergeWhileRecording merges into a database whose writer keeps
// recording: both commit, and the writer's cached IDs stay right.
func TestMergeWhileRecording(t *testing.T) {
	ctx := t.Context()
	a := runner(t, "a", time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC))
	c := openTest(t, Options{})
	done := make(chan error, 1)
	go func() {
		for i := range 200 {
			if err := c.Add(ctx, record("a", i)); err != nil {
				done <- err
				return
			}
		}
		done <- c.Flush(ctx)
	}()
	if _, err := c.Merge(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	calls, err := c.Calls(ctx, Filter{Sessions: []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 203 {
		t.Errorf("session a has %d calls, want 203", len(calls))
	}
	for _, r := range calls {
		if len(r.Actions) == 0 {
			t.Fatalf("call %s lost its actions", r.UID)
		}
	}
}

// BenchmarkMerge1M merges a database of a million calls into an empty
// one.
func BenchmarkMerge1M(b *testing.B) {
	src := bigDB(b)
	done := measure(b)
	defer done()
	for b.Loop() {
		b.StopTimer()
		dst, err := Open(b.Context(), filepath.Join(b.TempDir(), "dst.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		st, err := dst.Merge(b.Context(), src)
		if err != nil || st.Calls != bigN {
			b.Fatalf("merge: %+v, %v", st, err)
		}
		b.StopTimer()
		dst.Close()
		b.StartTimer()
	}
}

// BenchmarkExportImport1M exports a million calls as JSON Lines and
// imports them into an empty database.
func BenchmarkExportImport1M(b *testing.B) {
	src, err := Options{ReadOnly: true}.Open(b.Context(), bigDB(b))
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	done := measure(b)
	defer done()
	for b.Loop() {
		b.StopTimer()
		dst, err := Open(b.Context(), filepath.Join(b.TempDir(), "dst.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		pr, pw := io.Pipe()
		go func() {
			bw := bufio.NewWriterSize(pw, 1<<16)
			err := src.Export(b.Context(), Filter{}, NewEncoder(bw).Encode)
			if err == nil {
				err = bw.Flush()
			}
			pw.CloseWithError(err)
		}()
		st, err := dst.Import(b.Context(), NewDecoder(pr).Items())
		if err != nil || st.Calls != bigN {
			b.Fatalf("import: %+v, %v", st, err)
		}
		b.StopTimer()
		dst.Close()
		b.StartTimer()
	}
}

// TestMigrateToUseSets opens testdata/v2.db, which iamwatch wrote at
// schema version 2 (calls with call_uses rows: repeated, pending, finished
// with other uses, without actions or resources, with conditions and
// labels). Merging it unmigrated is refused; opened read-write it migrates
// to use sets, and then reads back, exports and merges exactly like a new
// database given the same writes.
func TestMigrateToUseSets(t *testing.T) {
	ctx := t.Context()
	fixture, err := os.ReadFile(filepath.Join("testdata", "v2.db"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "v2.db")
	if err := os.WriteFile(path, fixture, 0o600); err != nil {
		t.Fatal(err)
	}

	c := openTest(t, Options{})
	if _, err := c.Merge(ctx, path); !errors.Is(err, ErrSchema) || !strings.Contains(err.Error(), "schema version 2") {
		t.Errorf("merge of a version-2 database: %v, want ErrSchema naming version 2", err)
	}

	migrated := openAt(t, path, Options{})
	fresh := openTest(t, Options{})
	writeV2Calls(t, fresh)

	gotExport, gotCalls, gotCounts := dump(t, migrated)
	wantExport, wantCalls, wantCounts := dump(t, fresh)
	// The sessions' creation times are the fixture's. Fresh has a use set
	// more: the one its finished call began with, which the fixture's
	// call_uses did not keep.
	gotExport, wantExport = withoutSessions(gotExport), withoutSessions(wantExport)
	wantCounts["use_sets"]--
	wantCounts["use_set_items"] -= 2
	if gotExport != wantExport {
		t.Errorf("export after migration:\n%s\nwant\n%s", gotExport, wantExport)
	}
	if !reflect.DeepEqual(gotCalls, wantCalls) {
		t.Errorf("calls after migration:\n%+v\nwant\n%+v", gotCalls, wantCalls)
	}
	if !reflect.DeepEqual(gotCounts, wantCounts) {
		t.Errorf("row counts after migration: %v, want %v", gotCounts, wantCounts)
	}
	if gotCounts["use_sets"] != 7 || gotCounts["calls"] != 17 {
		t.Errorf("row counts after migration: %v, want 17 calls in 7 use sets", gotCounts)
	}
	uses := func(db *DB) []Use {
		var us []Use
		if err := db.EachUse(ctx, Filter{}, func(u Use) error { us = append(us, u); return nil }); err != nil {
			t.Fatal(err)
		}
		return us
	}
	if got, want := uses(migrated), uses(fresh); !reflect.DeepEqual(got, want) || len(got) == 0 {
		t.Errorf("uses after migration:\n%+v\nwant\n%+v", got, want)
	}

	// The migrated database merges, and its calls keep their uses.
	if err := migrated.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := c.Merge(ctx, path)
	if err != nil || st.Calls != 17 {
		t.Fatalf("merge of the migrated database: %+v, %v", st, err)
	}
	if got, want := uses(c), uses(fresh); !reflect.DeepEqual(got, want) {
		t.Errorf("uses after merge:\n%+v\nwant\n%+v", got, want)
	}
}

// withoutSessions drops the session lines of an export.
func withoutSessions(export string) string {
	var b strings.Builder
	for line := range strings.Lines(export) {
		if !strings.Contains(line, `"type":"session"`) {
			b.WriteString(line)
		}
	}
	return b.String()
}

// writeV2Calls makes in db the writes that made testdata/v2.db.
func writeV2Calls(t *testing.T, db *DB) {
	t.Helper()
	ctx := t.Context()
	for _, r := range v2Records() {
		if err := db.Add(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	r := record("s3", 7)
	r.UID = "0194-v2-finished"
	id, err := db.Begin(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	r2 := record("s3", 8)
	r2.Status = 403
	r2.ErrorCode = "AccessDenied"
	if err := db.Finish(ctx, id, r2); err != nil {
		t.Fatal(err)
	}
	p := record("s3", 9)
	p.UID = "0194-v2-pending"
	if _, err := db.Begin(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

// v2Records are the calls testdata/v2.db was given with Add: four use sets
// repeated three times, with labels on some, a call without actions, and
// two alike whose actions name no resource.
func v2Records() []*iamwatch.Record {
	var recs []*iamwatch.Record
	for i := range 12 {
		r := record("s1", i%4)
		r.UID = fmt.Sprintf("0194-v2-%02d", i)
		r.Time = time.Date(2025, 1, 2, 3, 4, 5+i, 0, time.UTC)
		if i%5 == 0 {
			r.Labels = map[string]string{"step": fmt.Sprint(i)}
		}
		recs = append(recs, r)
	}
	bare := record("s2", 0)
	bare.UID = "0194-v2-bare"
	bare.Actions = nil
	bare.Recognized = false
	bare.Operation = "Unknown"
	nores := record("s2", 1)
	nores.UID = "0194-v2-nores"
	nores.Conditions = nil
	nores.Actions = []iamwatch.ActionUse{{Action: "sts:GetCallerIdentity", Level: iamwatch.LevelRead, Exact: true},
		{Action: "s3:ListAllMyBuckets", Level: iamwatch.LevelList, Exact: true,
			Conditions: map[string][]string{"s3:x": {"y"}}}}
	nores2 := *nores
	nores2.UID = "0194-v2-nores-2"
	return append(recs, bare, nores, &nores2)
}
