package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/iamwatch/iamwatch"
)

// TestJournalBeginFinish: with a journal, Begin returns at once with a
// provisional ID and Finish stores the whole call, keeping Begin's session
// and time.
func TestJournalBeginFinish(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, Options{Journal: true})
	begun := record("s", 1)
	id, err := db.Begin(ctx, begun)
	if err != nil || id >= 0 {
		t.Fatalf("Begin = %d, %v; want a provisional (negative) ID", id, err)
	}
	done := record("other-session-ignored", 2)
	done.Status, done.ErrorCode = 403, "AccessDenied"
	if err := db.Finish(ctx, id, done); err != nil {
		t.Fatal(err)
	}
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	calls, err := db.Calls(ctx, Filter{})
	if err != nil || len(calls) != 1 {
		t.Fatalf("Calls = %d, %v", len(calls), err)
	}
	c := calls[0]
	if c.Session != "s" || !c.Time.Equal(begun.Time) || c.Pending || c.Status != 403 || c.ErrorCode != "AccessDenied" {
		t.Errorf("stored %+v", c)
	}
	if err := db.Finish(ctx, id, done); err == nil {
		t.Error("a second Finish of the same call succeeded")
	}
}

// TestJournalReplay: a process that died leaves its begun calls in the
// journal; the next Open stores those the database lacks, as pending, skips
// those it has, and ignores a torn last line.
func TestJournalReplay(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "iamwatch.db")
	db, err := Options{Journal: true}.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	idA, err := db.Begin(ctx, record("s", 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Begin(ctx, record("s", 2)); err != nil {
		t.Fatal(err)
	}
	finished := record("s", 1)
	finished.Status = 200
	if err := db.Finish(ctx, idA, finished); err != nil {
		t.Fatal(err)
	}
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	// What a killed process leaves: the journal with both calls (plus a
	// torn line), and a database with only the finished one.
	jpath := fmt.Sprintf("%s.journal.%d", path, os.Getpid())
	saved, err := os.ReadFile(jpath)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(jpath); !os.IsNotExist(err) {
		t.Errorf("a clean Close left the journal: %v", err)
	}
	// A dead process's journal (no process has this pid) and a live
	// one's (our parent's) must be told apart.
	dead := path + ".journal.999999999"
	if err := os.WriteFile(dead, append(saved, []byte(`{"uid":"torn","sess`)...), 0o600); err != nil {
		t.Fatal(err)
	}
	live := fmt.Sprintf("%s.journal.%d", path, os.Getppid())
	if err := os.WriteFile(live, saved, 0o600); err != nil {
		t.Fatal(err)
	}
	// The clean Close stored the unfinished call as pending; remove it to
	// be in the state a SIGKILL leaves.
	raw, err := sql.Open("sqlite3", dsn(path, false, false, ""))
	if err != nil {
		t.Fatal(err)
	}
	tables, err := raw.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%call_id%'`)
	if err != nil {
		t.Fatal(err)
	}
	var dependents []string
	for tables.Next() {
		var name string
		tables.Scan(&name)
		dependents = append(dependents, name)
	}
	tables.Close()
	for _, name := range dependents {
		if _, err := raw.Exec(`DELETE FROM ` + name + ` WHERE call_id IN (SELECT id FROM calls WHERE pending)`); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if _, err := raw.Exec(`DELETE FROM calls WHERE pending`); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	db3 := openAt(t, path, Options{Journal: true})
	calls, err := db3.Calls(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 2 {
		t.Fatalf("%d calls after replay, want 2 (the finished one once, the begun one pending)", len(calls))
	}
	var pending, done int
	for _, c := range calls {
		if c.Pending {
			pending++
		} else if c.Status == 200 {
			done++
		}
	}
	if pending != 1 || done != 1 {
		t.Errorf("pending %d, finished %d; want 1 and 1", pending, done)
	}
	if fi, err := os.Stat(jpath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("journal after replay: %v %v", fi, err)
	}
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("the dead process's journal was not removed: %v", err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("a live process's journal was touched: %v", err)
	}
}

// TestAppendJRow holds the journal's hand-written encoding to what
// encoding/json reads back.
func TestAppendJRow(t *testing.T) {
	db := openTest(t, Options{})
	rec := record("s <&> \u2028", 7)
	rec.Labels = map[string]string{"test": "TestX", "job": "ci\n1"}
	rec.Conditions = map[string][]string{"aws:RequestedRegion": {"us-east-1"}}
	rec.Actions = append(rec.Actions, iamwatch.ActionUse{Action: "iam:PassRole", Possible: true, Exact: true,
		Reason: "when \"Role\" is given", Resources: []string{"arn:aws:iam::1:role/r", "*"},
		Conditions: map[string][]string{"iam:PassedToService": {"lambda.amazonaws.com"}}})
	rec.Recognized = true
	for _, r := range []*row{mustRow(t, db, rec), {uid: "u", session: "s"}} {
		line := appendJRow(nil, r)
		if line[len(line)-1] != '\n' {
			t.Fatalf("no newline: %q", line)
		}
		var got, want jrow
		if err := json.Unmarshal(line, &got); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		ref, err := json.Marshal(toJRow(r))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(ref, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
		}
	}
}

// toJRow is the journal's row the reflective way.
func toJRow(r *row) jrow {
	j := jrow{UID: r.uid, Session: r.session, TimeNS: r.timeNS, Source: r.source, AccessKey: r.accessKeyID,
		Principal: r.principal, Service: r.service, ServiceID: r.serviceID, Model: r.model, Protocol: r.protocol,
		Operation: r.operation, Region: r.region, Account: r.account, Reason: r.reason, Recognized: r.recognized,
		Conditions: r.conditions, Labels: r.labels}
	for _, a := range r.actions {
		j.Actions = append(j.Actions, jaction{Action: a.action, Level: a.level, Reason: a.reason, Exact: a.exact,
			Possible: a.possible, Conditions: a.conditions, Resources: a.resources})
	}
	return j
}

func mustRow(t *testing.T, db *DB, rec *iamwatch.Record) *row {
	t.Helper()
	r, err := db.row(rec)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestJournalParallelBegins: Begins from many goroutines each leave their
// whole line in the journal once they have returned, in the mapped file
// where the system maps it, followed only by the zeros it grew by.
func TestJournalParallelBegins(t *testing.T) {
	db := openTest(t, Options{Journal: true})
	ctx := context.Background()
	const goroutines, each = 32, 50
	inParallel(t, goroutines, func(g int) error {
		for i := range each {
			if _, err := db.Begin(ctx, record("s", g*each+i)); err != nil {
				return err
			}
		}
		return nil
	})
	rows, err := readJournal(db.j.path)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range rows {
		seen[r.uid] = true
	}
	if len(rows) != goroutines*each || len(seen) != goroutines*each {
		t.Errorf("journal holds %d lines, %d distinct calls; want %d", len(rows), len(seen), goroutines*each)
	}
	data, err := os.ReadFile(db.j.path)
	if err != nil {
		t.Fatal(err)
	}
	db.j.mu.Lock()
	size, alloc, mapped := db.j.size, db.j.alloc, db.j.m != nil
	db.j.mu.Unlock()
	if runtime.GOOS != "windows" && !mapped {
		t.Error("the journal is not mapped")
	}
	if int64(len(data)) != alloc || alloc%journalChunk != 0 || size > alloc {
		t.Errorf("file of %d bytes, %d allocated, %d of lines", len(data), alloc, size)
	}
	if n := bytes.Count(data[:size], []byte("\n")); n != goroutines*each {
		t.Errorf("%d lines before the padding, want %d", n, goroutines*each)
	}
	if bytes.ContainsFunc(data[size:], func(r rune) bool { return r != 0 }) {
		t.Error("the padding after the lines is not all zeros")
	}
}

// TestJournalGrowFailure: a journal that cannot grow (a full disk) fails
// the Begin that needed the room and nothing else: the lines already
// written stay whole, and the next Begin that finds room is journaled.
func TestJournalGrowFailure(t *testing.T) {
	db := openTest(t, Options{Journal: true})
	ctx := context.Background()
	if _, err := db.Begin(ctx, record("s", 1)); err != nil {
		t.Fatal(err)
	}
	db.j.mu.Lock()
	good, alloc := db.j.f, db.j.alloc
	bad, err := os.Open(db.j.path) // read-only: growing fails
	if err != nil {
		t.Fatal(err)
	}
	db.j.f, db.j.alloc = bad, db.j.size // no room left
	db.j.mu.Unlock()
	if _, err := db.Begin(ctx, record("s", 2)); err == nil {
		t.Fatal("Begin succeeded on a journal that could not grow")
	}
	db.j.mu.Lock()
	db.j.f, db.j.alloc = good, alloc
	db.j.mu.Unlock()
	bad.Close()
	if _, err := db.Begin(ctx, record("s", 3)); err != nil {
		t.Fatalf("Begin after a failed growth: %v", err)
	}
	rows, err := readJournal(db.j.path)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, r := range rows {
		got = append(got, r.timeNS-record("s", 0).Time.UnixNano())
	}
	if !slices.Equal(got, []int64{1, 3}) {
		t.Errorf("journal holds calls %v, want [1 3]", got)
	}
}

// TestReadJournalSkipsTorn: a line a dying process left half copied (with
// zeros where its bytes never arrived) is skipped, and the lines around it
// are read.
func TestReadJournalSkipsTorn(t *testing.T) {
	db := openTest(t, Options{})
	r1, r2 := mustRow(t, db, record("s", 1)), mustRow(t, db, record("s", 2))
	db.withUID(r1)
	db.withUID(r2)
	one, two := appendJRow(nil, r1), appendJRow(nil, r2)
	torn := append([]byte(nil), two...)
	clear(torn[5:20])
	var data []byte
	data = append(data, one...)
	data = append(data, torn...)
	data = append(data, two...)
	data = append(data, make([]byte, 300)...)
	path := filepath.Join(t.TempDir(), "journal")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	rows, err := readJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("read %d rows, want 2", len(rows))
	}
}

// TestJournalReusesRetiredFile: a rotated journal whose calls are
// committed is zeroed and kept, mapped, as the spare, and the next
// rotation takes it up instead of creating a file; Close removes it, and
// Open removes a dead process's.
func TestJournalReusesRetiredFile(t *testing.T) {
	if !journalMaps(t) {
		t.Skip("journals are not mapped here: no spare is kept")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "iamwatch.db")
	db := openAt(t, path, Options{Journal: true})
	db.j.maxSize = 4 << 10
	n := 0
	call := func() {
		t.Helper()
		id, err := db.Begin(ctx, record("s", n))
		n++
		if err == nil {
			err = db.End(ctx, id, Outcome{Status: 200})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	rotateOnce := func() {
		t.Helper()
		db.j.mu.Lock()
		before := db.j.rotations
		db.j.mu.Unlock()
		for {
			call()
			db.j.mu.Lock()
			done := db.j.rotations > before
			db.j.mu.Unlock()
			if done {
				break
			}
		}
		db.j.rotated.Wait()
	}
	rotateOnce()
	db.j.spareMu.Lock()
	spare := db.j.spare
	db.j.spareMu.Unlock()
	if spare == nil {
		t.Fatal("no spare after a rotation whose calls were committed")
	}
	if rows, err := readJournal(path + ".journal." + strconv.Itoa(os.Getpid()) + ".spare"); err != nil || len(rows) > 0 {
		t.Fatalf("the spare holds %d calls (%v), want none", len(rows), err)
	}
	spareMap := &spare.m[0]
	rotateOnce()
	db.j.mu.Lock()
	reused := &db.j.m[0] == spareMap
	db.j.mu.Unlock()
	if !reused {
		t.Error("the second rotation did not take up the spare's mapping")
	}
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if calls, err := db.Calls(ctx, Filter{}); err != nil || len(calls) != n {
		t.Fatalf("%d calls stored (%v), want %d", len(calls), err, n)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(path + ".journal.*"); len(left) > 0 {
		t.Errorf("journal files left after Close: %v", left)
	}

	// A dead process's spare goes with the next Open, replaying nothing.
	dead := path + ".journal.999999999.spare"
	if err := os.WriteFile(dead, make([]byte, 8<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	db2 := openAt(t, path, Options{Journal: true})
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("a dead process's spare journal is still there: %v", err)
	}
	if calls, err := db2.Calls(ctx, Filter{}); err != nil || len(calls) != n {
		t.Errorf("%d calls after reopening (%v), want %d", len(calls), err, n)
	}
}

// journalMaps reports whether journals are mapped into memory here.
func journalMaps(t *testing.T) bool {
	f, err := os.CreateTemp(t.TempDir(), "map")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := mapJournal(f, journalMaxSize)
	if m == nil {
		return false
	}
	unmapJournal(m)
	return true
}

// TestJournalRotation: a journal past its size is renamed and a new one
// started with the calls in flight, without waiting for the database; the
// renamed file goes once its calls are committed. Whatever a process dies
// with (rotated files included) is replayed once per call.
func TestJournalRotation(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "iamwatch.db")
	db := openAt(t, path, Options{Journal: true})
	db.j.maxSize = 4 << 10
	open, err := db.Begin(ctx, record("s", 0)) // in flight throughout
	if err != nil {
		t.Fatal(err)
	}
	const goroutines, each = 8, 40
	inParallel(t, goroutines, func(g int) error {
		for i := range each {
			id, err := db.Begin(ctx, record("s", 1+g*each+i))
			if err == nil {
				err = db.End(ctx, id, Outcome{Status: 200})
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	db.j.mu.Lock()
	rotations := db.j.rotations
	db.j.mu.Unlock()
	if rotations < 3 {
		t.Fatalf("%d rotations; the test wants several", rotations)
	}
	db.j.rotated.Wait()
	left, _ := filepath.Glob(db.j.path + ".*")
	for _, p := range left {
		if p != db.j.path+".spare" {
			t.Errorf("rotated journal left after its calls were committed: %s", p)
		} else if rows, err := readJournal(p); err != nil || len(rows) > 0 {
			t.Errorf("the spare journal holds %d calls (%v), want none", len(rows), err)
		}
	}
	rows, err := readJournal(db.j.path)
	if err != nil {
		t.Fatal(err)
	}
	var inflight int
	for _, r := range rows {
		if r.uid == db.j.inflight[open].uid {
			inflight++
		}
	}
	if inflight != 1 {
		t.Errorf("the call in flight is in the new journal %d times, want 1", inflight)
	}
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	calls, err := db.Calls(ctx, Filter{})
	if err != nil || len(calls) != goroutines*each {
		t.Fatalf("%d calls stored (%v), want %d", len(calls), err, goroutines*each)
	}

	// A process that died between a rotation and the removal of the old
	// file leaves both; each call is stored once.
	saved, err := os.ReadFile(db.j.path)
	if err != nil {
		t.Fatal(err)
	}
	late := mustRow(t, db, record("s", 9999))
	db.withUID(late)
	if err := db.Close(); err != nil { // stores the call in flight, pending
		t.Fatal(err)
	}
	dead := path + ".journal.999999999"
	if err := os.WriteFile(dead+".1", append(append([]byte(nil), saved...), appendJRow(nil, late)...), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dead, saved, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dead+".bak", saved, 0o600); err != nil { // not a journal
		t.Fatal(err)
	}
	db2 := openAt(t, path, Options{Journal: true})
	calls, err = db2.Calls(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	// The finished calls, the one in flight, and the late one.
	if want := goroutines*each + 2; len(calls) != want {
		t.Errorf("%d calls after replay, want %d", len(calls), want)
	}
	for _, p := range []string{dead, dead + ".1"} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s not removed after replay: %v", p, err)
		}
	}
	if _, err := os.Stat(dead + ".bak"); err != nil {
		t.Errorf("a file that is not a journal was touched: %v", err)
	}
}

// TestStaleJournalRewrite: a PATH.journal.PID.tmp that an earlier iamwatch
// left when it died mid-rewrite is removed at Open (the journal beside it
// still holds its calls); a live process's is left alone.
func TestStaleJournalRewrite(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "iamwatch.db")
	dead := path + ".journal.999999999.tmp" // no process has this pid
	live := fmt.Sprintf("%s.journal.%d.tmp", path, os.Getppid())
	for _, p := range []string{dead, live} {
		if err := os.WriteFile(p, []byte(`{"uid":"x","sess`), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	db, err := Options{Journal: true}.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("a dead process's journal rewrite is still there: %v", err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("a live process's journal rewrite was touched: %v", err)
	}
}

// inParallel runs fn(0) … fn(n-1) on n goroutines and fails t with the
// first error any of them returned.
func inParallel(t *testing.T, n int, fn func(g int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for g := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(g); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// TestJournalRotationSizeGrows: when the calls in flight alone fill half
// the rotation size, it doubles (up to journalMaxSize), so that they do
// not rotate the journal again at once.
func TestJournalRotationSizeGrows(t *testing.T) {
	ctx := context.Background()
	db := openAt(t, filepath.Join(t.TempDir(), "iamwatch.db"), Options{Journal: true})
	db.j.maxSize = 4 << 10
	var ids []int64
	for i := 0; ; i++ {
		id, err := db.Begin(ctx, record("s", i)) // all stay in flight
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		db.j.mu.Lock()
		rotations, size := db.j.rotations, db.j.maxSize
		db.j.mu.Unlock()
		if rotations > 0 {
			if size != 8<<10 {
				t.Fatalf("rotation size %d after a rotation that kept a full journal's calls, want %d", size, 8<<10)
			}
			break
		}
	}
	for _, id := range ids {
		if err := db.End(ctx, id, Outcome{Status: 200}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if calls, err := db.Calls(ctx, Filter{}); err != nil || len(calls) != len(ids) {
		t.Fatalf("%d calls stored (%v), want %d", len(calls), err, len(ids))
	}
}
