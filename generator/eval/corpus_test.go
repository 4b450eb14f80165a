package eval

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// The evaluation corpus, testdata/corpus/*.json: scenarios (a policy set
// and a default request) with cases (request overrides, the expected
// decision and a why note citing the AWS documentation). TestCorpus runs
// it through Evaluate; TestCrossCheck through an independent evaluator.

type corpusFile struct {
	Doc       string           `json:"doc"`
	Scenarios []corpusScenario `json:"scenarios"`
}

type namedPolicy struct {
	Name   string          `json:"name"`
	Policy json.RawMessage `json:"policy"`
}

type corpusScenario struct {
	Name                  string          `json:"name"`
	Why                   string          `json:"why"`
	Identity              []namedPolicy   `json:"identity"`
	Boundary              *namedPolicy    `json:"boundary"`
	SCPs                  [][]namedPolicy `json:"scps"`
	RCPs                  []namedPolicy   `json:"rcps"`
	Resource              []namedPolicy   `json:"resource"`
	Session               []namedPolicy   `json:"session"`
	RequireResourcePolicy bool            `json:"require_resource_policy"`
	corpusRequest
	Cases []corpusCase `json:"cases"`
}

// corpusRequest fields override the scenario's when set in a case.
type corpusRequest struct {
	Principal        *string              `json:"principal"`
	PrincipalAccount *string              `json:"principal_account"`
	Anonymous        *bool                `json:"anonymous"`
	Action           *string              `json:"action"`
	ResourceARN      *string              `json:"resource_arn"`
	ResourceAccount  *string              `json:"resource_account"`
	Context          map[string]strOrList `json:"context"`
	Unknown          []string             `json:"unknown"`
}

type corpusCase struct {
	Name string `json:"name"`
	Why  string `json:"why"`
	corpusRequest
	Expect   Decision  `json:"expect"`
	Possible *Decision `json:"possible"`
	// Statements, when given, are the deciding statements, each as
	// "kind:policy#index" ("scp:Deny@2#1" for SCP level 2).
	Statements []string `json:"statements"`
	Missing    string   `json:"missing"`
}

// strOrList is a context value: a string or a list of strings.
type strOrList []string

func (s *strOrList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = []string{one}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	*s = list
	return nil
}

// flatCase is one corpus case resolved: what both evaluators receive.
type flatCase struct {
	ID                    string              `json:"id"`
	Why                   string              `json:"why"`
	Identity              []namedPolicy       `json:"identity"`
	Boundary              *namedPolicy        `json:"boundary"`
	SCPs                  [][]namedPolicy     `json:"scps"`
	RCPs                  []namedPolicy       `json:"rcps"`
	Resource              []namedPolicy       `json:"resource"`
	Session               []namedPolicy       `json:"session"`
	RequireResourcePolicy bool                `json:"require_resource_policy"`
	Principal             string              `json:"principal"`
	PrincipalAccount      string              `json:"principal_account"`
	Anonymous             bool                `json:"anonymous"`
	Action                string              `json:"action"`
	ResourceARN           string              `json:"resource_arn"`
	ResourceAccount       string              `json:"resource_account"`
	Context               map[string][]string `json:"context"`
	Unknown               []string            `json:"unknown"`
	// PolicyKeys are the condition keys and variables the policies use, so
	// that the cross-check can say which of them are known.
	PolicyKeys []string `json:"policy_keys"`

	expect     Decision
	possible   Decision
	statements []string
	missing    string
}

func loadCorpus(t testing.TB) []flatCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	var out []flatCase
	seen := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cf corpusFile
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cf); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		stem := strings.TrimSuffix(filepath.Base(f), ".json")
		for _, sc := range cf.Scenarios {
			for _, c := range sc.Cases {
				fc := flatCase{
					ID: stem + "/" + sc.Name + "/" + c.Name, Identity: sc.Identity, Boundary: sc.Boundary,
					SCPs: sc.SCPs, RCPs: sc.RCPs, Resource: sc.Resource, Session: sc.Session,
					RequireResourcePolicy: sc.RequireResourcePolicy,
					expect:                c.Expect, possible: c.Expect, statements: c.Statements, missing: c.Missing,
				}
				if c.Possible != nil {
					fc.possible = *c.Possible
				}
				fc.Why = strings.TrimSpace(strings.Join([]string{sc.Why, c.Why}, " "))
				if fc.Why == "" {
					t.Errorf("%s: no why note", fc.ID)
				}
				applyRequest(&fc, sc.corpusRequest)
				applyRequest(&fc, c.corpusRequest)
				if seen[fc.ID] {
					t.Errorf("%s: duplicate case name", fc.ID)
				}
				seen[fc.ID] = true
				out = append(out, fc)
			}
		}
	}
	return out
}

func applyRequest(fc *flatCase, r corpusRequest) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&fc.Principal, r.Principal)
	set(&fc.PrincipalAccount, r.PrincipalAccount)
	set(&fc.Action, r.Action)
	set(&fc.ResourceARN, r.ResourceARN)
	set(&fc.ResourceAccount, r.ResourceAccount)
	if r.Anonymous != nil {
		fc.Anonymous = *r.Anonymous
	}
	if r.Context != nil {
		fc.Context = map[string][]string{}
		for k, v := range r.Context {
			fc.Context[k] = v
		}
	}
	if r.Unknown != nil {
		fc.Unknown = r.Unknown
	}
}

// build parses the case's policies into a Set and makes its Request.
func (fc *flatCase) build() (*Set, Request, error) {
	parse := func(np namedPolicy) (*Policy, error) {
		p, err := Parse(np.Policy)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", np.Name, err)
		}
		p.Name = np.Name
		return p, nil
	}
	list := func(nps []namedPolicy) ([]*Policy, error) {
		var out []*Policy
		for _, np := range nps {
			p, err := parse(np)
			if err != nil {
				return nil, err
			}
			out = append(out, p)
		}
		return out, nil
	}
	s := &Set{RequireResourcePolicy: fc.RequireResourcePolicy}
	var err error
	if s.Identity, err = list(fc.Identity); err != nil {
		return nil, Request{}, err
	}
	if fc.Boundary != nil {
		if s.Boundary, err = parse(*fc.Boundary); err != nil {
			return nil, Request{}, err
		}
	}
	for _, level := range fc.SCPs {
		l, err := list(level)
		if err != nil {
			return nil, Request{}, err
		}
		s.SCPs = append(s.SCPs, l)
	}
	if s.RCPs, err = list(fc.RCPs); err != nil {
		return nil, Request{}, err
	}
	if s.Resource, err = list(fc.Resource); err != nil {
		return nil, Request{}, err
	}
	if s.Session, err = list(fc.Session); err != nil {
		return nil, Request{}, err
	}
	r := Request{
		Principal: fc.Principal, PrincipalAccount: fc.PrincipalAccount, Anonymous: fc.Anonymous,
		Action: fc.Action, Resource: fc.ResourceARN, ResourceAccount: fc.ResourceAccount,
		Context: fc.Context, Unknown: fc.Unknown,
	}
	return s, r, nil
}

// policyKeys lists the condition keys and variables of every policy.
func (s *Set) policyKeys() []string {
	seen := map[string]bool{}
	var out []string
	add := func(k string) {
		if !seen[strings.ToLower(k)] {
			seen[strings.ToLower(k)] = true
			out = append(out, k)
		}
	}
	addPattern := func(p *pattern) {
		for _, t := range p.toks {
			if t.kind == tokVar {
				add(t.name)
			}
		}
	}
	var all []*Policy
	all = append(all, s.Identity...)
	all = append(all, s.Boundary)
	for _, l := range s.SCPs {
		all = append(all, l...)
	}
	all = append(all, s.RCPs...)
	all = append(all, s.Resource...)
	all = append(all, s.Session...)
	for _, p := range all {
		if p == nil {
			continue
		}
		for _, st := range p.Statements {
			for i := range st.resources {
				for j := range st.resources[i].segs {
					addPattern(&st.resources[i].segs[j])
				}
				addPattern(&st.resources[i].whole)
			}
			for _, c := range st.Conditions {
				add(c.Key)
				for i := range c.vs {
					addPattern(&c.vs[i].pat)
					for j := range c.vs[i].arn.segs {
						addPattern(&c.vs[i].arn.segs[j])
					}
					addPattern(&c.vs[i].arn.whole)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func refString(r Ref) string {
	if r.Kind == KindSCP {
		return fmt.Sprintf("%s:%s@%d#%d", r.Kind, r.Policy, r.Level, r.Index)
	}
	return fmt.Sprintf("%s:%s#%d", r.Kind, r.Policy, r.Index)
}

func TestCorpus(t *testing.T) {
	cases := loadCorpus(t)
	if len(cases) < 300 && os.Getenv("EVAL_CORPUS_PARTIAL") == "" {
		t.Errorf("corpus has %d cases, want at least 300", len(cases))
	}
	for _, fc := range cases {
		t.Run(fc.ID, func(t *testing.T) {
			s, r, err := fc.build()
			if err != nil {
				t.Fatal(err)
			}
			res := s.Evaluate(r)
			if res.Decision != fc.expect || res.Possible != fc.possible {
				t.Fatalf("got %s (possible %s, undecided %v, statements %v, pending %v), want %s (possible %s)\nwhy: %s",
					res.Decision, res.Possible, res.Undecided, res.Statements, res.Pending, fc.expect, fc.possible, fc.Why)
			}
			if res.Conditional != (fc.expect != fc.possible) {
				t.Errorf("Conditional = %v", res.Conditional)
			}
			if res.Conditional && len(res.Undecided) == 0 {
				t.Errorf("conditional result names no undecided key")
			}
			if res.Decision != ImplicitlyDenied && len(res.Statements) == 0 && !strings.HasSuffix(r.Principal, ":root") {
				t.Errorf("%s names no deciding statement", res.Decision)
			}
			if fc.statements != nil {
				var got []string
				for _, ref := range res.Statements {
					got = append(got, refString(ref))
				}
				if !reflect.DeepEqual(got, fc.statements) {
					t.Errorf("statements = %q, want %q", got, fc.statements)
				}
			}
			if fc.missing != "" && string(res.Missing) != fc.missing {
				t.Errorf("missing = %q, want %q (%s)", res.Missing, fc.missing, res.Reason())
			}
		})
	}
}

// TestCorpusCoversOperators keeps the corpus honest: every condition
// operator of the grammar, and its set and IfExists forms, has cases.
func TestCorpusCoversOperators(t *testing.T) {
	all := []string{
		"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
		"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals",
		"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
		"Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
	}
	seen := map[string]bool{}
	for _, fc := range loadCorpus(t) {
		s, _, err := fc.build()
		if err != nil {
			t.Fatal(err)
		}
		var ps []*Policy
		ps = append(append(append(ps, s.Identity...), s.Resource...), s.Session...)
		ps = append(append(ps, s.RCPs...), s.Boundary)
		for _, l := range s.SCPs {
			ps = append(ps, l...)
		}
		for _, p := range ps {
			if p == nil {
				continue
			}
			for _, st := range p.Statements {
				for _, c := range st.Conditions {
					name := strings.ToLower(c.Operator)
					seen[name] = true
					if c.op.ifExists {
						seen["ifexists"] = true
					}
					switch c.op.set {
					case setAll:
						seen["forallvalues"] = true
					case setAny:
						seen["foranyvalue"] = true
					}
				}
			}
		}
	}
	for _, op := range append(all, "IfExists", "ForAllValues", "ForAnyValue") {
		if !seen[strings.ToLower(op)] {
			t.Errorf("no corpus case uses %s", op)
		}
	}
}
