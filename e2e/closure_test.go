package e2e

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/generator"
	"github.com/iamwatch/iamwatch/generator/eval"
	"github.com/iamwatch/iamwatch/store"
)

// TestClosure replays the client scenario under the policy iamwatch
// generates for it, as the evaluator decides: each real client (AWS CLI,
// boto3, aws-sdk-go-v2, the JavaScript SDK) runs its operations through
// `iamwatch run` into a store; the generator (default options) writes one
// policy from every recorded call; then every call's required actions on
// every resource it named are evaluated with that policy as the caller's
// identity-based policy. None may be denied, and taking away any one
// statement must deny at least one call.
func TestClosure(t *testing.T) {
	st := newStub(t)
	clients := []struct {
		name    string
		require func(*testing.T)
		env     func() []string
		cmdline func() []string
	}{
		{"awscli", requireAWSCLI, nil, func() []string {
			return []string{python3, filepath.Join("cli", "batch.py"), filepath.Join("cli", "mitm.txt")}
		}},
		{"boto3", requireBoto3, nil, func() []string { return []string{python3, filepath.Join("py", "ops.py"), "mitm"} }},
		{"go", requireGoClient, nil, func() []string { return []string{goClientBin} }},
		{"js", requireNodeSDK, func() []string {
			if v := os.Getenv("NODE_EXTRA_CA_CERTS"); v != "" {
				return []string{"NODE_EXTRA_CA_CERTS=" + v}
			}
			return nil
		}, func() []string { return []string{"node", filepath.Join("js", "ops.mjs")} }},
	}
	var (
		mu      sync.Mutex
		records []iamwatch.Record
		uses    []iamwatch.ActionUse
		ran     []string
	)
	t.Run("record", func(t *testing.T) {
		for _, c := range clients {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				c.require(t)
				var extra []string
				if c.env != nil {
					extra = c.env()
				}
				e := newEnv(t, extra...)
				r := e.run(t, "closure-"+c.name, []string{"--upstream", st.URL, "--account-id", acct}, c.cmdline()...)
				if r.code != 0 {
					t.Fatalf("iamwatch run exited %d; stderr:\n%s", r.code, r.stderr)
				}
				recs, us := readStore(t, r.db)
				if len(recs) == 0 {
					t.Fatal("no calls recorded")
				}
				mu.Lock()
				defer mu.Unlock()
				records = append(records, recs...)
				uses = append(uses, us...)
				ran = append(ran, c.name)
			})
		}
	})
	if t.Failed() || len(ran) == 0 {
		t.Skipf("no client recorded calls (%v)", ran)
	}
	slices.Sort(ran)
	policy, err := generator.FromUses(uses, generator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := policy.JSON()
	if err != nil {
		t.Fatal(err)
	}
	full, err := eval.Parse(doc)
	if err != nil {
		t.Fatalf("the generated policy does not parse: %v\n%s", err, doc)
	}
	reqs := recordedRequests(records)
	decide := func(p *eval.Policy, r eval.Request) eval.Result {
		set := eval.Set{Identity: []*eval.Policy{p}}
		return set.Evaluate(r)
	}
	for _, r := range reqs {
		if res := decide(full, r); res.Decision != eval.Allowed {
			t.Errorf("denied under the generated policy: %s on %s (%v: %s)", r.Action, r.Resource, res.Decision, res.Reason())
		}
	}
	for i, s := range full.Statements {
		without := &eval.Policy{Version: full.Version, Statements: slices.Delete(slices.Clone(full.Statements), i, i+1)}
		needed := false
		for _, r := range reqs {
			if s.MatchesAction(r.Action) && decide(without, r).Decision != eval.Allowed {
				needed = true
				break
			}
		}
		if !needed {
			t.Errorf("without statement %d (Sid %s: %v on %v) no call is denied: it is not needed", i+1, s.Sid, s.Action, s.Resource)
		}
	}
	t.Logf("clients %v: %d recorded calls, %d action-resource requests, %d statements; all allowed, each statement needed",
		ran, len(records), len(reqs), len(full.Statements))
	if len(ran) < len(clients) && !t.Failed() {
		t.Logf("%d of %d clients ran; the others were skipped", len(ran), len(clients))
	}
}

// readStore reads a recorded database back: its calls, and its action
// uses as `iamwatch policy` reads them.
func readStore(t *testing.T, path string) ([]iamwatch.Record, []iamwatch.ActionUse) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := store.Options{ReadOnly: true}.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	recs, err := db.Calls(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var uses []iamwatch.ActionUse
	err = db.EachUse(ctx, store.Filter{}, func(u store.Use) error {
		res := u.Resource
		if res == "" {
			res = "*"
		}
		uses = append(uses, iamwatch.ActionUse{Action: u.Action, Level: u.Level, Resources: []string{res},
			Exact: u.Exact, Possible: u.Possible, Conditions: u.Conditions})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return recs, uses
}

// recordedRequests are the requests the recorded calls made: each
// required action on each resource, in the call's context. A "*" that only
// stands for a resource nobody saw (the CSM record of a call the proxy
// also recorded) is the proxy record's resource, as the generator reads
// it, and is left out when some call named the action's resources.
func recordedRequests(records []iamwatch.Record) []eval.Request {
	named := map[string]bool{}
	for _, r := range records {
		for _, a := range r.RequiredActions() {
			for _, res := range a.Resources {
				if res != "*" {
					named[strings.ToLower(a.Action)] = true
				}
			}
		}
	}
	seen := map[string]bool{}
	var out []eval.Request
	for _, r := range records {
		if !r.Recognized || r.Pending {
			continue
		}
		for _, a := range r.RequiredActions() {
			res := a.Resources
			if len(res) == 0 {
				res = []string{"*"}
			}
			for _, x := range res {
				if x == "*" && !a.Exact && named[strings.ToLower(a.Action)] {
					continue
				}
				key := r.PrincipalARN + "\x00" + a.Action + "\x00" + x
				if seen[key] {
					continue
				}
				seen[key] = true
				ctx := map[string][]string{}
				for k, v := range r.Conditions {
					ctx[k] = v
				}
				for k, v := range a.Conditions {
					ctx[k] = v
				}
				out = append(out, eval.Request{Principal: r.PrincipalARN, Action: a.Action, Resource: x, Context: ctx})
			}
		}
	}
	return out
}
