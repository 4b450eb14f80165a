package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/iamwatch/iamwatch"
)

func TestBeginFinishRoundTrip(t *testing.T) {
	db := openTest(t, Options{})
	ctx := t.Context()

	begun := record("s", 1)
	begun.Labels = map[string]string{"test": "TestX"}
	begun.Status, begun.Latency = 0, 0
	id, err := db.Begin(ctx, begun)
	if err != nil {
		t.Fatal(err)
	}
	// Begin has committed: another handle sees the pending call.
	other := openAt(t, db.Path(), Options{ReadOnly: true})
	calls, err := other.Calls(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	want := *begun
	want.ID, want.Pending = id, true
	if len(calls) == 1 {
		want.UID = calls[0].UID // made by the store
	}
	if len(calls) != 1 || want.UID == "" || !reflect.DeepEqual(calls[0], want) {
		t.Fatalf("after Begin:\n got %+v\nwant %+v", calls, want)
	}

	done := record("s", 1)
	done.Session = "ignored"
	done.Time = time.Time{}
	done.Source = iamwatch.SourceCSM
	done.PrincipalARN = "arn:aws:iam::123456789012:user/alice"
	done.Labels = map[string]string{"outcome": "denied"}
	done.Status, done.ErrorCode = 403, "AccessDenied"
	done.Actions = done.Actions[:1]
	if err := db.Finish(ctx, id, done); err != nil {
		t.Fatal(err)
	}
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	calls, err = other.Calls(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	uid := want.UID
	want = *done
	want.ID, want.UID, want.Session, want.Time, want.Source = id, uid, "s", begun.Time, iamwatch.SourceProxy
	want.Labels = map[string]string{"test": "TestX", "outcome": "denied"}
	if len(calls) != 1 || !reflect.DeepEqual(calls[0], want) {
		t.Fatalf("after Finish:\n got %+v\nwant %+v", calls, want)
	}

	// A Finish that changes only the call's conditions rewrites its uses.
	moved := *done
	moved.Conditions = map[string][]string{"aws:RequestedRegion": {"eu-west-1"}}
	if err := db.Finish(ctx, id, &moved); err != nil {
		t.Fatal(err)
	}
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var regions []string
	err = other.EachUse(ctx, Filter{}, func(u Use) error {
		regions = append(regions, u.Conditions["aws:RequestedRegion"]...)
		return nil
	})
	if err != nil || !reflect.DeepEqual(regions, []string{"eu-west-1"}) {
		t.Errorf("uses after moving the call: regions %v, %v", regions, err)
	}
}

func TestAddKeepsEverything(t *testing.T) {
	db := openTest(t, Options{Now: func() time.Time { return time.Unix(100, 0) }})
	tests := []struct {
		name string
		rec  iamwatch.Record
	}{
		{"mapped", *record("s", 1)},
		{"unrecognized", iamwatch.Record{Session: "s", Time: time.Unix(5, 0).UTC(), Source: iamwatch.SourceCSM,
			Call: iamwatch.Call{Reason: "unknown host"}, Pending: true}},
		{"no resources", iamwatch.Record{Session: "s", Time: time.Unix(6, 0).UTC(),
			Call: iamwatch.Call{Operation: "ListBuckets", Actions: []iamwatch.ActionUse{{Action: "s3:ListAllMyBuckets"}}}}},
		{"conditions per action", iamwatch.Record{Session: "s", Time: time.Unix(7, 0).UTC(),
			Call: iamwatch.Call{Actions: []iamwatch.ActionUse{{Action: "iam:PassRole",
				Resources:  []string{"arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b"},
				Conditions: map[string][]string{"iam:PassedToService": {"lambda.amazonaws.com"}}}}}}},
		{"given uid", iamwatch.Record{UID: "cloudtrail:4f1c-22.a_b", Session: "s", Time: time.Unix(8, 0).UTC()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := db.Add(t.Context(), &tt.rec); err != nil {
				t.Fatal(err)
			}
			if err := db.Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
			calls, err := db.Calls(t.Context(), Filter{})
			if err != nil {
				t.Fatal(err)
			}
			got := calls[len(calls)-1]
			want := tt.rec
			want.ID = got.ID
			if want.UID == "" {
				want.UID = got.UID // made by the store
			}
			if got.UID == "" || !reflect.DeepEqual(got, want) {
				t.Errorf("\n got %+v\nwant %+v", got, want)
			}
		})
	}
	// A zero Time means Now.
	if err := db.Add(t.Context(), &iamwatch.Record{Session: "s"}); err != nil {
		t.Fatal(err)
	}
	if err := db.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	calls, _ := db.Calls(t.Context(), Filter{})
	if got := calls[len(calls)-1].Time; !got.Equal(time.Unix(100, 0)) {
		t.Errorf("zero Time stored as %v, want Now", got)
	}
}

func TestFailedWriteIsReportedAndIsolated(t *testing.T) {
	db := openTest(t, Options{})
	ctx := t.Context()
	// Queue good and bad writes together so that they share batches.
	for i := range 50 {
		if err := db.Add(ctx, record("s", i)); err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			if err := db.Finish(ctx, 1_000_000+int64(i), record("s", i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	err := db.Flush(ctx)
	if !errors.Is(err, ErrNotFound) || strings.Count(err.Error(), "finish call 10000") != 5 {
		t.Errorf("Flush: %v, want 5 ErrNotFound", err)
	}
	if err := db.Flush(ctx); err != nil {
		t.Errorf("second Flush: %v", err)
	}
	calls, err := db.Calls(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 50 {
		t.Errorf("%d calls stored, want 50", len(calls))
	}
}

func TestManyFailuresAreSummarized(t *testing.T) {
	db := openTest(t, Options{})
	for i := range maxErrs + 5 {
		db.Finish(t.Context(), int64(1000+i), record("s", i))
	}
	err := db.Flush(t.Context())
	if err == nil || !strings.Contains(err.Error(), "and 5 more failed writes") {
		t.Errorf("Flush: %v", err)
	}
}

func TestConcurrentWritersAndReaders(t *testing.T) {
	db := openTest(t, Options{})
	ctx := t.Context()
	const writers, perWriter = 8, 100
	var wg sync.WaitGroup
	errs := make(chan error, writers+2)
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				rec := record(fmt.Sprint("s", w%3), i)
				id, err := db.Begin(ctx, rec)
				if err != nil {
					errs <- err
					return
				}
				if err := db.Finish(ctx, id, rec); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	readers.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := db.Sessions(ctx); err != nil {
				errs <- err
				return
			}
			if err := db.EachUse(ctx, Filter{}, func(Use) error { return nil }); err != nil {
				errs <- err
				return
			}
		}
	})
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	calls := storedCalls(t, db)
	if len(calls) != writers*perWriter {
		t.Fatalf("%d calls, want %d", len(calls), writers*perWriter)
	}
	for _, c := range calls {
		if c.Pending || c.Status != 200 || len(c.Actions) != 2 {
			t.Fatalf("call not finished: %+v", c)
		}
	}
}

// TestTwoHandlesOneFile writes through two DBs on one file at once, as
// two iamwatch processes would.
func TestTwoHandlesOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iamwatch.db")
	dbs := []*DB{openAt(t, path, Options{}), openAt(t, path, Options{})}
	const per = 300
	var wg sync.WaitGroup
	ids := make([][]int64, len(dbs))
	errs := make([]error, len(dbs))
	for d, db := range dbs {
		wg.Go(func() {
			for i := range per {
				rec := record(fmt.Sprint("handle", d), i)
				rec.Actions[0].Resources = []string{fmt.Sprintf("arn:aws:s3:::b%d/%d", d, i)} // new resources race
				id, err := db.Begin(t.Context(), rec)
				if err != nil {
					errs[d] = err
					return
				}
				ids[d] = append(ids[d], id)
				if err := db.Finish(t.Context(), id, rec); err != nil {
					errs[d] = err
					return
				}
			}
			errs[d] = db.Flush(t.Context())
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	for _, l := range ids {
		for _, id := range l {
			if seen[id] {
				t.Fatalf("ID %d returned twice", id)
			}
			seen[id] = true
		}
	}
	calls, err := dbs[0].Calls(t.Context(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 2*per {
		t.Errorf("%d calls, want %d", len(calls), 2*per)
	}
	uses := 0
	dbs[1].EachUse(t.Context(), Filter{}, func(u Use) error {
		if u.Action == "s3:GetObject" {
			uses++
		}
		return nil
	})
	if uses != 2*per {
		t.Errorf("%d distinct GetObject resources, want %d", uses, 2*per)
	}
}

// The helper process: when IAMWATCH_STORE_HELPER is set, TestHelperProcess
// runs one of these against the database in IAMWATCH_STORE_DB.
var helpers = map[string]func(ctx context.Context, db *DB, out *bufio.Writer) error{
	// write adds calls as fast as it can, then flushes.
	"write": func(ctx context.Context, db *DB, out *bufio.Writer) error {
		n, _ := strconv.Atoi(os.Getenv("IAMWATCH_STORE_N"))
		for i := range n {
			rec := record("child", i)
			id, err := db.Begin(ctx, rec)
			if err != nil {
				return err
			}
			if err := db.Finish(ctx, id, rec); err != nil {
				return err
			}
		}
		return db.Flush(ctx)
	},
	// begin prints "begun ID" once each Begin returns and "finished ID"
	// once a Flush after its Finish returns, forever, to be killed.
	"begin": func(ctx context.Context, db *DB, out *bufio.Writer) error {
		for i := 0; ; i++ {
			rec := record("killed", i)
			id, err := db.Begin(ctx, rec)
			if err != nil {
				return err
			}
			fmt.Fprintln(out, "begun", id, i)
			out.Flush()
			rec.Status = 201
			if err := db.Finish(ctx, id, rec); err != nil {
				return err
			}
			if i%2 == 0 {
				if err := db.Flush(ctx); err != nil {
					return err
				}
				fmt.Fprintln(out, "finished", id, i)
				out.Flush()
			}
		}
	},
}

func TestHelperProcess(t *testing.T) {
	name := os.Getenv("IAMWATCH_STORE_HELPER")
	if name == "" {
		t.Skip("helper process only")
	}
	if name == "readonly" {
		fmt.Println(readOnlyCheck(os.Getenv("IAMWATCH_STORE_DB")))
		return
	}
	db, err := Options{Journal: os.Getenv("IAMWATCH_STORE_JOURNAL") != ""}.Open(context.Background(), os.Getenv("IAMWATCH_STORE_DB"))
	if err != nil {
		t.Fatal(err)
	}
	out := bufio.NewWriter(os.Stdout)
	if err := helpers[name](context.Background(), db, out); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func helperCmd(t *testing.T, name, path string, env ...string) *exec.Cmd {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), "IAMWATCH_STORE_HELPER="+name, "IAMWATCH_STORE_DB="+path)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	return cmd
}

// TestTwoProcesses writes from this process and a child process into one
// database at once.
func TestTwoProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iamwatch.db")
	db := openAt(t, path, Options{})
	const n = 500
	cmd := helperCmd(t, "write", path, fmt.Sprint("IAMWATCH_STORE_N=", n))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		rec := record("parent", i)
		id, err := db.Begin(t.Context(), rec)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Finish(t.Context(), id, rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	sessions, err := db.Sessions(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, s := range sessions {
		got[s.Name] = s.Calls
	}
	if want := map[string]int64{"parent": n, "child": n}; !reflect.DeepEqual(got, want) {
		t.Errorf("calls per session %v, want %v", got, want)
	}
}

// TestSIGKILLKeepsCommittedCalls kills a writing process at a random
// moment and checks that every call Begin returned for is stored, and
// every call flushed after Finish is stored finished.
func TestSIGKILLKeepsCommittedCalls(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iamwatch.db")
	cmd := helperCmd(t, "begin", path)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	begun, finished := map[int64]bool{}, map[int64]bool{}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && len(begun) < 300 {
		f := strings.Fields(sc.Text())
		if len(f) != 3 {
			t.Fatalf("child said %q", sc.Text())
		}
		what := f[0]
		n, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			t.Fatalf("child said %q", sc.Text())
		}
		switch what {
		case "begun":
			begun[n] = true
		case "finished":
			finished[n] = true
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if len(begun) < 300 {
		t.Fatalf("child printed %d calls", len(begun))
	}

	db := openAt(t, path, Options{})
	calls, err := db.Calls(t.Context(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[int64]iamwatch.Record{}
	for _, c := range calls {
		stored[c.ID] = c
	}
	for id := range begun {
		if _, ok := stored[id]; !ok {
			t.Errorf("call %d: Begin returned but the call is not stored", id)
		}
	}
	for id := range finished {
		if c := stored[id]; c.Pending || c.Status != 201 {
			t.Errorf("call %d: flushed after Finish but stored as %+v", id, c)
		}
	}
	t.Logf("%d calls begun, %d flushed finished, %d stored", len(begun), len(finished), len(calls))
}

// TestSIGKILLJournal is TestSIGKILLKeepsCommittedCalls with the journal:
// Begin returns before any commit, and the next Open replays what the
// killed process had begun.
func TestSIGKILLJournal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iamwatch.db")
	cmd := helperCmd(t, "begin", path, "IAMWATCH_STORE_JOURNAL=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	begun, finished := map[int]bool{}, map[int]bool{}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && len(begun) < 300 {
		f := strings.Fields(sc.Text())
		if len(f) != 3 {
			t.Fatalf("child said %q", sc.Text())
		}
		i, err := strconv.Atoi(f[2])
		if err != nil {
			t.Fatalf("child said %q", sc.Text())
		}
		switch f[0] {
		case "begun":
			begun[i] = true
		case "finished":
			finished[i] = true
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if len(begun) < 300 {
		t.Fatalf("child printed %d calls", len(begun))
	}
	db := openAt(t, path, Options{Journal: true})
	calls, err := db.Calls(t.Context(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[int]iamwatch.Record{}
	for _, c := range calls {
		i := c.Time.Nanosecond() // record(session, i) puts i in the nanoseconds
		if _, dup := stored[i]; dup {
			t.Errorf("call %d stored twice", i)
		}
		stored[i] = c
	}
	for i := range begun {
		if _, ok := stored[i]; !ok {
			t.Errorf("call %d: Begin returned but the call is not stored", i)
		}
	}
	for i := range finished {
		if c := stored[i]; c.Pending || c.Status != 201 {
			t.Errorf("call %d: flushed after Finish but stored as %+v", i, c)
		}
	}
	t.Logf("%d calls begun, %d flushed finished, %d stored", len(begun), len(finished), len(calls))
}

// TestEnd: End records a call's outcome and keeps everything else Begin
// recorded, with and without the journal; an unknown call is reported, and
// an error code that looks like a secret is redacted like every string.
func TestEnd(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"database", Options{}},
		{"journal", Options{Journal: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openTest(t, tc.opts)
			ctx := t.Context()
			begun := record("s", 1)
			begun.Labels = map[string]string{"test": "TestEnd"}
			begun.Status, begun.ErrorCode, begun.Latency = 0, "", 0
			id, err := db.Begin(ctx, begun)
			if err != nil {
				t.Fatal(err)
			}
			out := Outcome{Status: 403, ErrorCode: "AccessDenied", Latency: 42 * time.Millisecond}
			if err := db.End(ctx, id, out); err != nil {
				t.Fatal(err)
			}
			if err := db.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			calls, err := db.Calls(ctx, Filter{})
			if err != nil || len(calls) != 1 {
				t.Fatalf("Calls = %d, %v", len(calls), err)
			}
			want := *begun
			want.ID, want.UID = calls[0].ID, calls[0].UID
			want.Status, want.ErrorCode, want.Latency = out.Status, out.ErrorCode, out.Latency
			if !reflect.DeepEqual(calls[0], want) {
				t.Fatalf("after End:\n got %+v\nwant %+v", calls[0], want)
			}
			var uses int
			if err := db.EachUse(ctx, Filter{}, func(Use) error { uses++; return nil }); err != nil || uses == 0 {
				t.Errorf("uses after End: %d, %v", uses, err)
			}

			// An unknown call: the journal knows at once, the database
			// when the write is committed.
			err = db.End(ctx, id-1000, out)
			if err == nil {
				err = db.Flush(ctx)
			}
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("End of an unknown call: %v, want ErrNotFound", err)
			}

			secret := record("s", 2)
			id, err = db.Begin(ctx, secret)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.End(ctx, id, Outcome{Status: 400, ErrorCode: "x-amz-security-token=FwoGZXIvYXdzEJr"}); err != nil {
				t.Fatal(err)
			}
			if err := db.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			calls, err = db.Calls(ctx, Filter{})
			if err != nil || len(calls) != 2 {
				t.Fatalf("Calls = %d, %v", len(calls), err)
			}
			if got := calls[1].ErrorCode; got != "[REDACTED]" {
				t.Errorf("error code stored as %q", got)
			}
		})
	}
}

// TestConditionsJSON: condition sets are stored as JSON with keys sorted
// and values redacted, one key or several.
func TestConditionsJSON(t *testing.T) {
	db := openTest(t, Options{})
	secret := "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	for _, tt := range []struct {
		m    map[string][]string
		want string
	}{
		{nil, ""},
		{map[string][]string{"aws:RequestedRegion": {"us-east-1"}}, `{"aws:RequestedRegion":["us-east-1"]}`},
		{map[string][]string{"s3:x": {"a", "b\"c"}}, `{"s3:x":["a","b\"c"]}`},
		{map[string][]string{"s3:x": {}}, `{"s3:x":[]}`},
		{map[string][]string{"k": {secret}}, `{"k":["[REDACTED]"]}`},
		{map[string][]string{"b": {"2"}, "a": {"1"}}, `{"a":["1"],"b":["2"]}`},
		{map[string][]string{"k": {"x-amz-security-token=1"}, "j": {secret}}, `{"j":["[REDACTED]"],"k":["[REDACTED]"]}`},
		// Two keys redacted to one, with a key between them: one member.
		{map[string][]string{"aws:RequestTag/sessiontoken": {"1"}, "aws:RequestTag/sf": {"2"}, "aws:RequestTag/signature=x": {"3"}},
			`{"aws:RequestTag/[REDACTED]":["1","3"],"aws:RequestTag/sf":["2"]}`},
	} {
		if got := db.conditions(tt.m); got != tt.want {
			t.Errorf("conditions(%v) = %s, want %s", tt.m, got, tt.want)
		}
	}
}
