package store

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/iamwatch/iamwatch"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// exportFixture fills db with one of everything an export carries, with
// fixed UIDs and times, so that its export is deterministic.
func exportFixture(t *testing.T, db *DB) {
	t.Helper()
	ctx := t.Context()
	if _, err := db.Session(ctx, "ci-1", map[string]string{"ci": "true", "branch": "main"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Session(ctx, "empty", nil); err != nil {
		t.Fatal(err)
	}
	if err := db.SetPrincipal(ctx, "AKIAIOSFODNN7EXAMPLE", "arn:aws:iam::123456789012:role/ci"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetPrincipal(ctx, "AKIAOTHER", "arn:aws:iam::123456789012:user/other"); err != nil {
		t.Fatal(err)
	}
	recs := []*iamwatch.Record{record("ci-1", 1), record("ci-1", 2), record("other", 3), {
		UID: "0194a1b2-c3d4-7e5f-8a9b-000000000004", Session: "ci-1", Time: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
		Source: iamwatch.SourceCSM, AccessKeyID: "AKIAOTHER", Labels: map[string]string{"test": "TestPassRole"},
		Call: iamwatch.Call{Service: "iam", Operation: "PassRole?", Reason: "no such operation <&>",
			Actions: []iamwatch.ActionUse{{Action: "iam:PassRole", Level: iamwatch.LevelWrite,
				Resources:  []string{"arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b"},
				Conditions: map[string][]string{"iam:PassedToService": {"lambda.amazonaws.com"}}}}},
		Pending: true,
	}}
	recs[0].Labels = map[string]string{"test": "TestGet"}
	recs[1].Status, recs[1].ErrorCode, recs[1].Latency = 403, "AccessDenied", 1234567*time.Nanosecond
	recs[1].PrincipalARN = "arn:aws:iam::123456789012:user/own"
	for i, r := range recs[:3] {
		r.UID = "0194a1b2-c3d4-7e5f-8a9b-00000000000" + string(rune('1'+i))
	}
	for _, r := range recs {
		if err := db.Add(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

func export(t *testing.T, db *DB, f Filter) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := db.Export(t.Context(), f, NewEncoder(&buf).Encode); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func importBytes(t *testing.T, db *DB, b []byte) MergeStats {
	t.Helper()
	st, err := db.Import(t.Context(), NewDecoder(bytes.NewReader(b)).Items())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestExportGolden(t *testing.T) {
	clock := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	db := openTest(t, Options{Now: func() time.Time { clock = clock.Add(time.Second); return clock }})
	exportFixture(t, db)
	got := export(t, db, Filter{})
	golden := filepath.Join("testdata", "export.jsonl")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("export differs from %s (go test -run TestExportGolden -update):\n%s", golden, got)
	}
}

func TestExportImportRoundTrip(t *testing.T) {
	src := openTest(t, Options{})
	exportFixture(t, src)
	fill(t, src) // more sessions, labels and a mapped principal
	first := export(t, src, Filter{})

	dst := openTest(t, Options{})
	st := importBytes(t, dst, first)
	if st.Calls != 14 || st.Sessions != 5 || st.Principals != 3 {
		t.Errorf("import: %+v", st)
	}
	second := export(t, dst, Filter{})
	if !bytes.Equal(first, second) {
		t.Errorf("export → import → export changed the bytes:\n%s\n---\n%s", first, second)
	}
	// Reads agree too: principals resolve and labels merge as in src.
	want, _ := src.Calls(t.Context(), Filter{})
	got, _ := dst.Calls(t.Context(), Filter{})
	for i := range want {
		want[i].ID = 0
		if i < len(got) {
			got[i].ID = 0
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("calls after the round trip:\n got %+v\nwant %+v", got, want)
	}
	// Importing again adds nothing.
	if st := importBytes(t, dst, first); st != (MergeStats{Skipped: 14}) {
		t.Errorf("second import: %+v", st)
	}
	if third := export(t, dst, Filter{}); !bytes.Equal(first, third) {
		t.Errorf("the second import changed the export")
	}
}

func TestExportFilter(t *testing.T) {
	db := openTest(t, Options{})
	exportFixture(t, db)
	tests := []struct {
		name string
		f    Filter
		want []string // the lines' first distinguishing field
	}{
		{"session", Filter{Sessions: []string{"empty"}}, []string{`"name":"empty"`}},
		{"label", Filter{Labels: map[string]string{"test": "TestPassRole"}}, []string{`"name":"ci-1"`,
			`"access_key_id":"AKIAOTHER"`, `"uid":"0194a1b2-c3d4-7e5f-8a9b-000000000004"`}},
		{"session with calls", Filter{Sessions: []string{"other"}}, []string{`"name":"other"`,
			`"access_key_id":"AKIAIOSFODNN7EXAMPLE"`, `"uid":"0194a1b2-c3d4-7e5f-8a9b-000000000003"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := strings.Split(strings.TrimSpace(string(export(t, db, tt.f))), "\n")
			if len(lines) != len(tt.want) {
				t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(tt.want), strings.Join(lines, "\n"))
			}
			for i, w := range tt.want {
				if !strings.Contains(lines[i], w) {
					t.Errorf("line %d lacks %s:\n%s", i+1, w, lines[i])
				}
			}
		})
	}
	if err := db.Export(t.Context(), Filter{Sessions: []string{"nope"}}, func(Item) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown session: %v", err)
	}
}

func TestImportIsAllOrNothing(t *testing.T) {
	db := openTest(t, Options{})
	good := `{"schema_version":1,"type":"call","uid":"u-1","time":"2026-01-02T03:04:05Z","session":"s","access_key_id":"","region":"","service":"s3","operation":"ListBuckets","recognized":true,"actions":[],"status":200,"error_code":"","latency_ns":0,"source":"proxy"}`
	bad := strings.Replace(good, `"uid":"u-1"`, `"uid":"u 2"`, 1)
	if _, err := db.Import(t.Context(), NewDecoder(strings.NewReader(good+"\n"+bad+"\n")).Items()); err == nil {
		t.Fatal("imported a call with a bad uid")
	}
	calls, err := db.Calls(t.Context(), Filter{})
	if err != nil || len(calls) != 0 {
		t.Errorf("a failed import left %d calls (%v)", len(calls), err)
	}
	if st := importBytes(t, db, []byte(good)); st.Calls != 1 {
		t.Errorf("import: %+v", st)
	}
}

func TestImportRedacts(t *testing.T) {
	db := openTest(t, Options{})
	secret := "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	in := `{"schema_version":1,"type":"session","name":"s","created":"2026-01-02T03:04:05Z","labels":{"k":"` + secret + `"}}
{"schema_version":1,"type":"call","uid":"u-1","time":"2026-01-02T03:04:05Z","session":"s","access_key_id":"","region":"","service":"s3","operation":"x","recognized":false,"reason":"` + secret + `","actions":[],"status":0,"error_code":"","latency_ns":0,"source":"proxy"}`
	importBytes(t, db, []byte(in))
	if out := export(t, db, Filter{}); bytes.Contains(out, []byte(secret)) || !bytes.Contains(out, []byte(redacted)) {
		t.Errorf("the import stored a secret:\n%s", out)
	}
}

func TestDecodeErrors(t *testing.T) {
	call := `"type":"call","uid":"u","time":"2026-01-02T03:04:05Z","session":"s"`
	tests := []struct {
		name, line, want string
	}{
		{"not json", `{`, "unexpected end"},
		{"no version", `{"type":"call"}`, "no schema_version"},
		{"newer version", `{"schema_version":2,"type":"call"}`, "newer than this iamwatch reads"},
		{"no type", `{"schema_version":1}`, "no type"},
		{"unknown type", `{"schema_version":1,"type":"x"}`, `unknown type "x"`},
		{"unknown field", `{"schema_version":1,` + call + `,"extra":1}`, `unknown field "extra"`},
		{"no uid", `{"schema_version":1,"type":"call","time":"2026-01-02T03:04:05Z","session":"s"}`, "without a uid"},
		{"bad time", `{"schema_version":1,"type":"call","uid":"u","time":"yesterday","session":"s"}`, "time:"},
		{"negative latency", `{"schema_version":1,` + call + `,"latency_ns":-1}`, "negative latency_ns"},
		{"unnamed action", `{"schema_version":1,` + call + `,"actions":[{"level":"Read"}]}`, "action without a name"},
		{"session without name", `{"schema_version":1,"type":"session","created":"2026-01-02T03:04:05Z"}`, "without a name"},
		{"principal without key", `{"schema_version":1,"type":"principal","updated":"2026-01-02T03:04:05Z"}`, "without an access_key_id"},
		{"two values", `{"schema_version":1,` + call + `} {}`, "after top-level value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDecoder(strings.NewReader("\n" + tt.line + "\n"))
			_, err := d.Decode()
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "line 2: ") {
				t.Errorf("got %v, want line 2: …%s…", err, tt.want)
			}
		})
	}
	// A line longer than the limit is an error, not a hang or a crash.
	long := `{"schema_version":1,"type":"session","name":"` + strings.Repeat("a", maxJSONLLine) + `"}`
	if _, err := NewDecoder(strings.NewReader(long)).Decode(); err == nil {
		t.Error("decoded a line over the limit")
	}
	if _, err := NewDecoder(strings.NewReader("\n\n")).Decode(); err != io.EOF {
		t.Errorf("blank input: %v, want io.EOF", err)
	}
}

// FuzzDecodeJSONL checks that the decoder never panics, and that what it
// accepts encodes and decodes back to the same item.
func FuzzDecodeJSONL(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "export.jsonl"))
	if err != nil {
		f.Fatal(err)
	}
	for _, line := range strings.Split(string(seed), "\n") {
		f.Add([]byte(line))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d := NewDecoder(bytes.NewReader(b))
		for {
			it, err := d.Decode()
			if err != nil {
				return
			}
			var buf bytes.Buffer
			if err := NewEncoder(&buf).Encode(it); err != nil {
				t.Fatalf("encode %+v: %v", it, err)
			}
			again, err := NewDecoder(&buf).Decode()
			if err != nil {
				t.Fatalf("decode %s: %v", buf.Bytes(), err)
			}
			if !reflect.DeepEqual(normalize(again), normalize(it)) {
				t.Fatalf("round trip changed the item:\n%+v\n%+v", it, again)
			}
		}
	})
}

// normalize makes empty maps and slices nil, which JSON cannot tell apart
// once omitempty leaves them out.
func normalize(it Item) Item {
	if it.Session != nil && len(it.Session.Labels) == 0 {
		s := *it.Session
		s.Labels = nil
		it.Session = &s
	}
	if r := it.Call; r != nil {
		c := *r
		if len(c.Labels) == 0 {
			c.Labels = nil
		}
		if len(c.Conditions) == 0 {
			c.Conditions = nil
		}
		c.Actions = nil
		for _, a := range r.Actions {
			if len(a.Resources) == 0 {
				a.Resources = nil
			}
			if len(a.Conditions) == 0 {
				a.Conditions = nil
			}
			c.Actions = append(c.Actions, a)
		}
		it.Call = &c
	}
	return it
}
