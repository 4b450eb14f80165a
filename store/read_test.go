package store

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/iamwatch/iamwatch"
)

// fill stores calls for the filter tests:
//
//	dev:  labels env=dev;  calls 0..4 at t0+i min, key AKIA1 (mapped to alice), call label team=a on even calls
//	prod: labels env=prod; calls 5..9 at t0+i min, key AKIA2, own principal bob; call 9 label env=dev
func fill(t *testing.T, db *DB) time.Time {
	t.Helper()
	ctx := t.Context()
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	if _, err := db.Session(ctx, "dev", map[string]string{"env": "dev"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Session(ctx, "prod", map[string]string{"env": "prod", "owner": "ops"}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetPrincipal(ctx, "AKIA1", "arn:aws:iam::1:user/alice"); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		rec := record("dev", i)
		rec.Time = t0.Add(time.Duration(i) * time.Minute)
		rec.AccessKeyID = "AKIA1"
		if i%2 == 0 {
			rec.Labels = map[string]string{"team": "a"}
		}
		if i >= 5 {
			rec.Session = "prod"
			rec.AccessKeyID = "AKIA2"
			rec.PrincipalARN = "arn:aws:iam::1:user/bob"
			rec.Labels = nil
		}
		if i == 9 {
			rec.Labels = map[string]string{"env": "dev"}
		}
		if err := db.Add(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	return t0
}

func TestCallsFilter(t *testing.T) {
	db := openTest(t, Options{})
	t0 := fill(t, db)
	tests := []struct {
		name string
		f    Filter
		want []int // which calls, by their minute after t0
	}{
		{"all", Filter{}, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"one session", Filter{Sessions: []string{"prod"}}, []int{5, 6, 7, 8, 9}},
		{"two sessions", Filter{Sessions: []string{"prod", "dev"}}, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"since", Filter{Since: t0.Add(7 * time.Minute)}, []int{7, 8, 9}},
		{"until", Filter{Until: t0.Add(2 * time.Minute)}, []int{0, 1}},
		{"since and until", Filter{Since: t0.Add(3 * time.Minute), Until: t0.Add(6 * time.Minute)}, []int{3, 4, 5}},
		{"mapped principal", Filter{Principal: "arn:aws:iam::1:user/alice"}, []int{0, 1, 2, 3, 4}},
		{"own principal", Filter{Principal: "arn:aws:iam::1:user/bob"}, []int{5, 6, 7, 8, 9}},
		{"unknown principal", Filter{Principal: "arn:aws:iam::1:user/eve"}, nil},
		{"call label", Filter{Labels: map[string]string{"team": "a"}}, []int{0, 2, 4}},
		{"session label", Filter{Labels: map[string]string{"owner": "ops"}}, []int{5, 6, 7, 8, 9}},
		{"call label overrides session label", Filter{Labels: map[string]string{"env": "dev"}}, []int{0, 1, 2, 3, 4, 9}},
		{"labels and session", Filter{Sessions: []string{"dev"}, Labels: map[string]string{"env": "dev", "team": "a"}}, []int{0, 2, 4}},
		{"everything", Filter{Sessions: []string{"dev"}, Since: t0.Add(time.Minute), Principal: "arn:aws:iam::1:user/alice",
			Labels: map[string]string{"team": "a"}}, []int{2, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls, err := db.Calls(t.Context(), tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, c := range calls {
				got = append(got, int(c.Time.Sub(t0)/time.Minute))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("calls %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCallsReportMappedPrincipalAndMergedLabels(t *testing.T) {
	db := openTest(t, Options{})
	fill(t, db)
	calls, err := db.Calls(t.Context(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		i         int
		principal string
		labels    map[string]string
	}{
		{0, "arn:aws:iam::1:user/alice", map[string]string{"env": "dev", "team": "a"}},
		{1, "arn:aws:iam::1:user/alice", map[string]string{"env": "dev"}},
		{5, "arn:aws:iam::1:user/bob", map[string]string{"env": "prod", "owner": "ops"}},
		{9, "arn:aws:iam::1:user/bob", map[string]string{"env": "dev", "owner": "ops"}},
	}
	for _, tt := range tests {
		c := calls[tt.i]
		if c.PrincipalARN != tt.principal || !reflect.DeepEqual(c.Labels, tt.labels) {
			t.Errorf("call %d: principal %q labels %v, want %q %v", tt.i, c.PrincipalARN, c.Labels, tt.principal, tt.labels)
		}
	}
	// Forgetting the mapping forgets the principal.
	if err := db.SetPrincipal(t.Context(), "AKIA1", ""); err != nil {
		t.Fatal(err)
	}
	calls, _ = db.Calls(t.Context(), Filter{Sessions: []string{"dev"}})
	if calls[0].PrincipalARN != "" {
		t.Errorf("after unmapping: principal %q", calls[0].PrincipalARN)
	}
}

func TestUnknownSession(t *testing.T) {
	db := openTest(t, Options{})
	fill(t, db)
	f := Filter{Sessions: []string{"dev", "nope"}}
	_, err := db.Calls(t.Context(), f)
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("Calls: %v, want ErrNotFound", err)
	}
	if err := db.EachUse(t.Context(), f, func(Use) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Errorf("EachUse: %v, want ErrNotFound", err)
	}
}

func TestSessions(t *testing.T) {
	now := time.Date(2025, 6, 1, 9, 30, 0, 0, time.UTC)
	db := openTest(t, Options{Now: func() time.Time { return now }})
	t0 := fill(t, db)
	if _, err := db.Session(t.Context(), "dev", map[string]string{"owner": "me"}); err != nil {
		t.Fatal(err)
	}
	// An empty name makes one from the time, unique.
	for _, want := range []string{"20250601-093000", "20250601-093000-2"} {
		got, err := db.Session(t.Context(), "", nil)
		if err != nil || got != want {
			t.Errorf("Session(\"\") = %q, %v; want %q", got, err, want)
		}
	}
	got, err := db.Sessions(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []SessionInfo{
		{Name: "dev", Created: now, Labels: map[string]string{"env": "dev", "owner": "me"}, Calls: 5, First: t0, Last: t0.Add(4 * time.Minute)},
		{Name: "prod", Created: now, Labels: map[string]string{"env": "prod", "owner": "ops"}, Calls: 5, First: t0.Add(5 * time.Minute), Last: t0.Add(9 * time.Minute)},
		{Name: "20250601-093000", Created: now},
		{Name: "20250601-093000-2", Created: now},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("\n got %+v\nwant %+v", got, want)
	}
}

func TestEachCallStops(t *testing.T) {
	db := openTest(t, Options{})
	fill(t, db)
	stop := errors.New("stop")
	n := 0
	err := db.EachCall(t.Context(), Filter{}, func(*iamwatch.Record) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if err != stop || n != 3 {
		t.Errorf("err %v after %d calls, want stop after 3", err, n)
	}
}

// TestEachUseMatchesCalls checks the SQL aggregation against the same
// aggregation done over Calls.
func TestEachUseMatchesCalls(t *testing.T) {
	db := openTest(t, Options{})
	fill(t, db)
	rec := &iamwatch.Record{Session: "dev", Call: iamwatch.Call{
		Conditions: map[string][]string{"aws:RequestedRegion": {"eu-west-1"}},
		Actions: []iamwatch.ActionUse{
			{Action: "s3:ListAllMyBuckets"},
			{Action: "iam:PassRole", Resources: []string{"arn:aws:iam::1:role/r"},
				Conditions: map[string][]string{"iam:PassedToService": {"lambda.amazonaws.com"}}},
		},
	}}
	for range 2 {
		if err := db.Add(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, f := range []Filter{{}, {Sessions: []string{"prod"}}, {Labels: map[string]string{"team": "a"}}} {
		t.Run(fmt.Sprint(f), func(t *testing.T) {
			calls, err := db.Calls(t.Context(), f)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]Use{}
			for _, c := range calls {
				for _, a := range c.Actions {
					res := a.Resources
					if len(res) == 0 {
						res = []string{""}
					}
					for _, r := range res {
						u := Use{Action: a.Action, Resource: r, Level: a.Level, Exact: a.Exact, Possible: a.Possible,
							Conditions: mergeConditions(c.Conditions, a.Conditions)}
						k := fmt.Sprint(u)
						w := want[k]
						if w.Count == 0 {
							w = u
							w.First = c.Time
						}
						w.Count++
						w.Last = c.Time
						want[k] = w
					}
				}
			}
			var wantList []Use
			for _, u := range want {
				wantList = append(wantList, u)
			}
			sort.Slice(wantList, func(i, j int) bool {
				return wantList[i].Action+"\x00"+wantList[i].Resource < wantList[j].Action+"\x00"+wantList[j].Resource
			})
			var got []Use
			if err := db.EachUse(t.Context(), f, func(u Use) error { got = append(got, u); return nil }); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, wantList) {
				t.Errorf("\n got %+v\nwant %+v", got, wantList)
			}
			if !slices.ContainsFunc(got, func(u Use) bool { return u.Count > 1 }) && len(f.Sessions) == 0 && len(f.Labels) == 0 {
				t.Error("no use was aggregated")
			}
		})
	}
}

// TestQueryPlans guards the plans the large reads rely on: EachCall's
// three queries stream every call in ID order without sorting, and
// EachUse counts calls by use set before it reads any set's items.
func TestQueryPlans(t *testing.T) {
	db := openTest(t, Options{})
	fill(t, db)
	plan := func(q string, args []any) string {
		t.Helper()
		rows, err := db.rd.Query("EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var b strings.Builder
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			b.WriteString(detail + "\n")
		}
		return b.String()
	}
	qs, args := callQueries(Filter{}, false)
	for i, q := range qs {
		if p := plan(q, args); strings.Contains(p, "ORDER BY") {
			t.Errorf("calls query %d sorts:\n%s", i, p)
		}
	}
	// Filtered reads work whatever the plan.
	for _, f := range []Filter{{Sessions: []string{"dev"}}, {Since: time.Unix(1, 0)},
		{Principal: "arn:aws:iam::1:user/alice"}, {Labels: map[string]string{"team": "a"}}} {
		qs, args := callQueries(f, false)
		for _, q := range qs {
			plan(q, args)
		}
	}
	for _, f := range []Filter{{}, {Since: time.Unix(1, 0), Until: time.Unix(2, 0)}, {Sessions: []string{"dev"}}} {
		q, args := usesQuery(f)
		p := plan(q, args)
		// The calls are grouped by use set before any set is read.
		rest := p
		for _, step := range []string{" c", "GROUP BY", "SCAN s", "SEARCH i USING PRIMARY KEY (set_id=?)"} {
			i := strings.Index(rest, step)
			if i < 0 {
				t.Errorf("%+v: uses query does not group calls by use set first:\n%s", f, p)
				break
			}
			rest = rest[i+len(step):]
		}
	}
}
