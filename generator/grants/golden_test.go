package grants_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamwatch/iamwatch/generator/grants"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// goldenCases read each input in testdata with a Reader and compare what
// comes out with NAME.golden.json.
var goldenCases = []struct {
	input, golden string
	reader        grants.Reader
}{
	{input: "policy.json", golden: "policy.golden.json"},
	{input: "policy.yaml", golden: "policy-yaml.golden.json"},
	{input: "get-role-policy.json", golden: "get-role-policy.golden.json"},
	{input: "authz.json", golden: "authz.golden.json"},
	{input: "plan.json", golden: "plan.golden.json"},
	{input: "state.json", golden: "state.golden.json"},
	{input: "template.yaml", golden: "template-yaml.golden.json"},
	{input: "template.yaml", golden: "template-yaml-known.golden.json",
		reader: grants.Reader{AccountID: "111122223333", Region: "eu-west-1", Parameters: map[string]string{"AlertTopicArn": "arn:aws:sns:eu-west-1:111122223333:alerts"}}},
	{input: "template.json", golden: "template-json.golden.json",
		reader: grants.Reader{AccountID: "444455556666", Region: "us-east-2", Partition: "aws"}},
}

type goldenInput struct {
	Format     grants.Format              `json:"format"`
	Principals []grants.Principal         `json:"principals"`
	Grants     []goldenGrant              `json:"grants"`
	Warnings   []string                   `json:"warnings"`
	Selections map[string]goldenSelection `json:"selections"`
}

type goldenGrant struct {
	Kind        grants.Kind     `json:"kind"`
	Principal   string          `json:"principal,omitempty"`
	Source      string          `json:"source"`
	Document    json.RawMessage `json:"document"`
	Conditional []string        `json:"conditional,omitempty"`
}

// goldenSelection is what For returns for one principal: the grants by
// source, and the warnings.
type goldenSelection struct {
	Grants   []string `json:"grants,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
	Error    string   `json:"error,omitempty"`
}

func toGolden(t *testing.T, in *grants.Input) goldenInput {
	t.Helper()
	g := goldenInput{Format: in.Format, Principals: in.Principals, Grants: []goldenGrant{}, Warnings: in.Warnings,
		Selections: map[string]goldenSelection{}}
	for _, gr := range in.Grants {
		g.Grants = append(g.Grants, goldenGrant{gr.Kind, gr.Principal, gr.Source, gr.Document, gr.Conditional})
	}
	choices := []string{""}
	for _, p := range in.Principals {
		choices = append(choices, p.ID())
	}
	for _, c := range choices {
		sel, err := in.For(c)
		var gs goldenSelection
		if err != nil {
			gs.Error = err.Error()
		}
		for _, gr := range sel.Grants {
			gs.Grants = append(gs.Grants, string(gr.Kind)+": "+gr.Source)
		}
		gs.Warnings = sel.Warnings
		key := c
		if key == "" {
			key = "(none)"
		}
		g.Selections[key] = gs
	}
	return g
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.golden, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tc.input))
			if err != nil {
				t.Fatal(err)
			}
			in, err := tc.reader.Read(tc.input, data)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			checkInput(t, in)
			got, err := json.MarshalIndent(toGolden(t, in), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", tc.golden)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from what Read makes now; run `go test ./generator/grants -run TestGolden -update` and review the diff\ngot:\n%s", path, got)
			}
		})
	}
}

// TestEveryInputHasAGolden keeps the fixtures and the cases in step.
func TestEveryInputHasAGolden(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range goldenCases {
		covered[tc.input] = true
	}
	for _, name := range inputFiles(t) {
		if !covered[filepath.Base(name)] {
			t.Errorf("%s has no golden case", name)
		}
	}
}

// inputFiles lists testdata's inputs: everything but the golden files.
func inputFiles(tb testing.TB) []string {
	tb.Helper()
	var out []string
	entries, err := os.ReadDir("testdata")
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".golden.json") {
			continue
		}
		out = append(out, filepath.Join("testdata", e.Name()))
	}
	return out
}

// checkInput asserts what holds for every Input: documents are compact
// canonical JSON objects with a Statement, grants name known principals,
// and every principal can be chosen.
func checkInput(t *testing.T, in *grants.Input) {
	t.Helper()
	ids := map[string]bool{}
	for _, p := range in.Principals {
		if ids[p.ID()] {
			t.Errorf("principal %s listed twice", p.ID())
		}
		ids[p.ID()] = true
		switch p.Type {
		case grants.TypeRole, grants.TypeUser, grants.TypeGroup:
		default:
			t.Errorf("principal %s has type %q", p.ID(), p.Type)
		}
	}
	for _, p := range in.Principals {
		for _, g := range p.Groups {
			if !ids[g] {
				t.Errorf("principal %s is in unknown group %s", p.ID(), g)
			}
		}
	}
	for _, g := range in.Grants {
		switch g.Kind {
		case grants.KindIdentity, grants.KindBoundary, grants.KindResource, grants.KindSCP:
		default:
			t.Errorf("%s: kind %q", g.Source, g.Kind)
		}
		if g.Principal != "" && !ids[g.Principal] {
			t.Errorf("%s: principal %s is not among the principals", g.Source, g.Principal)
		}
		if g.Kind == grants.KindResource && g.Principal != "" {
			t.Errorf("%s: a resource policy belongs to no principal, got %s", g.Source, g.Principal)
		}
		var doc map[string]any
		if err := json.Unmarshal(g.Document, &doc); err != nil {
			t.Errorf("%s: document is not a JSON object: %v", g.Source, err)
			continue
		}
		if doc["Statement"] == nil {
			t.Errorf("%s: document has no Statement", g.Source)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, g.Document); err != nil || !bytes.Equal(compact.Bytes(), g.Document) {
			t.Errorf("%s: document is not compact: %s", g.Source, g.Document)
		}
		if !strings.HasPrefix(g.Source, in.Name) {
			t.Errorf("source %q does not start with the file name %q", g.Source, in.Name)
		}
	}
	if len(in.Principals) == 0 {
		if _, err := in.For(""); err != nil {
			t.Errorf("For(\"\") on an input without principals: %v", err)
		}
	}
	for _, p := range in.Principals {
		sel, err := in.For(p.ID())
		if err != nil {
			t.Errorf("For(%s): %v", p.ID(), err)
			continue
		}
		if sel.Principal == nil || sel.Principal.ID() != p.ID() {
			t.Errorf("For(%s) chose %v", p.ID(), sel.Principal)
		}
	}
}
