package main

import (
	"context"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/spf13/cobra"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/mapper"
	servicemaps "github.com/iamwatch/iamwatch/service-maps"
	"github.com/iamwatch/iamwatch/store"
)

// scriptCmds are the testscript commands the CLI's scripts use besides
// iamwatch itself.
func scriptCmds() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"seed-calls": seedCalls,
	}
}

// seedCalls records calls into $IAMWATCH_HOME/iamwatch.db through the
// store, as a capture would:
//
//	seed-calls [-session NAME] [-principal ARN] [-ago DURATION] [-status N -error CODE] demo|FILE...
//
// "demo" maps the requests of `iamwatch demo` (real SDK requests). A FILE
// has a call per line: ACTION RESOURCE [KEY=VALUE...], where a "?" before
// the action marks it possible, a "~" before the resource inexact (what a
// CSM record gives), and KEY=VALUE pairs are the use's condition values
// (aws:RequestedRegion=us-east-1; repeat a key for several values).
func seedCalls(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! seed-calls")
	}
	fset := flag.NewFlagSet("seed-calls", flag.ContinueOnError)
	session := fset.String("session", "seeded", "session name")
	principal := fset.String("principal", "", "principal ARN of the calls")
	ago := fset.Duration("ago", 0, "how long ago the calls happened")
	status := fset.Int("status", 200, "HTTP status of the calls")
	errorCode := fset.String("error", "", "AWS error code of the calls")
	if err := fset.Parse(args); err != nil {
		ts.Fatalf("seed-calls: %v", err)
	}
	var calls []iamwatch.Call
	for _, arg := range fset.Args() {
		if arg == "demo" {
			calls = append(calls, demoCalls(ts)...)
			continue
		}
		calls = append(calls, parseCallLines(ts, ts.ReadFile(arg))...)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(ts.Getenv("IAMWATCH_HOME"), "iamwatch.db"))
	ts.Check(err)
	when := time.Now().Add(-*ago)
	for i, c := range calls {
		rec := &iamwatch.Record{Session: *session, Time: when.Add(time.Duration(i) * time.Millisecond), Source: iamwatch.SourceProxy,
			AccessKeyID: "AKIAIOSFODNN7EXAMPLE", PrincipalARN: *principal, Call: c, Status: *status, ErrorCode: *errorCode}
		ts.Check(db.Add(ctx, rec))
	}
	ts.Check(db.Close())
}

func demoCalls(ts *testscript.TestScript) []iamwatch.Call {
	m, err := servicemaps.Load()
	ts.Check(err)
	ix, err := mapper.NewIndex(m)
	ts.Check(err)
	names, err := fs.Glob(demoRequests, "demo/*.http")
	ts.Check(err)
	sort.Strings(names)
	var calls []iamwatch.Call
	for _, name := range names {
		data, err := demoRequests.ReadFile(name)
		ts.Check(err)
		obs, err := mapper.ParseRaw(data, "https")
		ts.Check(err)
		obs.AccountID = "123456789012"
		calls = append(calls, ix.Map(obs))
	}
	return calls
}

func parseCallLines(ts *testscript.TestScript, text string) []iamwatch.Call {
	var calls []iamwatch.Call
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if len(f) < 2 {
			ts.Fatalf("seed-calls: %q is not ACTION RESOURCE [KEY=VALUE...]", line)
		}
		u := iamwatch.ActionUse{Action: f[0], Resources: []string{f[1]}, Exact: true}
		if a, ok := strings.CutPrefix(u.Action, "?"); ok {
			u.Action, u.Possible = a, true
		}
		if r, ok := strings.CutPrefix(f[1], "~"); ok {
			u.Resources, u.Exact = []string{r}, false
		}
		for _, kv := range f[2:] {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				ts.Fatalf("seed-calls: %q is not KEY=VALUE", kv)
			}
			if u.Conditions == nil {
				u.Conditions = map[string][]string{}
			}
			u.Conditions[k] = append(u.Conditions[k], v)
		}
		prefix, _, _ := strings.Cut(u.Action, ":")
		calls = append(calls, iamwatch.Call{Service: prefix, Recognized: true, Actions: []iamwatch.ActionUse{u}})
	}
	return calls
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 6144: "6,144", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestPolicyConfigFile: the policy command's settings come from the
// config file and the environment like every other key.
func TestPolicyConfigFile(t *testing.T) {
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, "config.yaml"), []byte("format: yaml\nresources: service\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("IAMWATCH_HOME", home)
	t.Setenv("IAMWATCH_LIMIT", "inline-user")
	var stdout, stderr strings.Builder
	a := &app{stdout: &stdout, stderr: &stderr, v: newViper()}
	root := a.rootCommand()
	root.SetArgs([]string{"policy", "--all", "--conditions"})
	var got policyOptions
	for _, c := range root.Commands() {
		if c.Name() == "policy" {
			c.RunE = func(*cobra.Command, []string) error {
				var err error
				got, err = a.policyOptions()
				return err
			}
		}
	}
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.format != "yaml" || got.gen.Resources != "service" || got.limitName != "inline-user" || got.limit != 2048 ||
		!got.gen.Conditions || !got.all || got.gen.CollapseThreshold != 5 {
		t.Errorf("options %+v", got)
	}
}
