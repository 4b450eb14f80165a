package generator

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/generator/eval"
	"github.com/iamwatch/iamwatch/mapper"
	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

// closureRequest is one action a recorded call needed on one resource.
type closureRequest struct {
	action, resource string
}

// closureRequests returns what calls need, required actions × resources.
// A "*" that only stands for a resource nobody saw (a CSM record, a
// request that did not name it) is left out when other calls named the
// action's resources: the generator lets those stand for it.
func closureRequests(calls []iamwatch.Call) []closureRequest {
	named := map[string]bool{}
	for _, c := range calls {
		for _, a := range c.RequiredActions() {
			for _, r := range a.Resources {
				if r != "*" {
					named[strings.ToLower(a.Action)] = true
				}
			}
		}
	}
	seen := map[closureRequest]bool{}
	var out []closureRequest
	for _, c := range calls {
		for _, a := range c.RequiredActions() {
			res := a.Resources
			if len(res) == 0 {
				res = []string{"*"}
			}
			for _, r := range res {
				if r == "*" && !a.Exact && named[strings.ToLower(a.Action)] {
					continue
				}
				k := closureRequest{a.Action, r}
				if !seen[k] {
					seen[k] = true
					out = append(out, k)
				}
			}
		}
	}
	return out
}

// checkClosure is the closure property of a generated policy: under it
// as the caller's only identity-based policy, as the evaluator decides,
// no request is denied; without any one of its statements, some request
// is.
func checkClosure(t *testing.T, p Policy, reqs []closureRequest) {
	t.Helper()
	doc, err := p.JSON()
	if err != nil {
		t.Fatal(err)
	}
	full, err := eval.Parse(doc)
	if err != nil {
		t.Fatalf("the generated policy does not parse: %v", err)
	}
	decide := func(pol *eval.Policy, r closureRequest) eval.Result {
		set := eval.Set{Identity: []*eval.Policy{pol}}
		return set.Evaluate(eval.Request{Action: r.action, Resource: r.resource})
	}
	denied := 0
	for _, r := range reqs {
		if res := decide(full, r); res.Decision != eval.Allowed {
			denied++
			t.Errorf("%s on %s: %v (%s)", r.action, r.resource, res.Decision, res.Reason())
		}
	}
	if denied > 0 {
		t.Fatalf("%d of %d requests denied under the generated policy", denied, len(reqs))
	}
	for i, st := range full.Statements {
		without := &eval.Policy{Version: full.Version, Statements: slices.Delete(slices.Clone(full.Statements), i, i+1)}
		needed := false
		for _, r := range reqs {
			if st.MatchesAction(r.action) && decide(without, r).Decision != eval.Allowed {
				needed = true
				break
			}
		}
		if !needed {
			t.Errorf("statement %d (Sid %s, %v on %v) can go: no request needs it", i+1, st.Sid, st.Action, st.Resource)
		}
	}
	t.Logf("%d requests allowed by %d statements, each needed", len(reqs), len(full.Statements))
}

// TestClosureCorpus is the closure test over every request a real SDK
// produced in the mapper's corpus, mapped with mapper.Index: the policy
// Generate writes (default options) allows every one of them, and every
// statement of it is needed. Diff against that policy finds nothing.
func TestClosureCorpus(t *testing.T) {
	m, err := servicemaps.Load()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := mapper.NewIndex(m)
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join("..", "mapper", "testdata", "requests")
	var files []string
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".http") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	if len(files) < 100 {
		t.Fatalf("%d fixtures under %s; the corpus is missing", len(files), root)
	}
	var calls []iamwatch.Call
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var meta struct {
			Scheme string `json:"scheme"`
		}
		if b, err := os.ReadFile(strings.TrimSuffix(f, ".http") + ".json"); err == nil {
			if err := json.Unmarshal(b, &meta); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
		}
		if meta.Scheme == "" {
			meta.Scheme = "https"
		}
		obs, err := mapper.ParseRaw(raw, meta.Scheme)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if c := ix.Map(obs); c.Recognized {
			calls = append(calls, c)
		}
	}
	p, err := Generate(calls, Options{Maps: m})
	if err != nil {
		t.Fatal(err)
	}
	reqs := closureRequests(calls)
	t.Logf("%d fixtures, %d recognized calls", len(files), len(calls))
	checkClosure(t, p, reqs)

	var uses []iamwatch.ActionUse
	for _, c := range calls {
		for _, a := range c.Actions {
			a.Conditions = mergeConditions(c.Conditions, a.Conditions)
			uses = append(uses, a)
		}
	}
	doc, err := p.JSON()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Diff(uses, []Grant{{Kind: eval.KindIdentity, Source: "generated.json", Document: doc}}, DiffOptions{Maps: m})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range rep.Missing {
		t.Errorf("diff against the generated policy: missing %s on %s: %s", v.Action, v.Resource, v.Reason)
	}
	for _, v := range rep.Conditional {
		t.Errorf("diff against the generated policy: conditional %s on %s: %s", v.Action, v.Resource, v.Reason)
	}
	for _, u := range rep.Unused {
		t.Errorf("diff against the generated policy: unused %s", u.Action)
	}
	for _, b := range rep.TooBroad {
		t.Errorf("diff against the generated policy: %s too broad on %s (%v, %s)", b.Action, b.Resource, b.Observed, b.Statement)
	}
}
