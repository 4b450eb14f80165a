package generator

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"gopkg.in/yaml.v3"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/mapper"
	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// goldenCase is a file of testdata/cases: calls in, options, and the size
// limit to split at (0: no split).
type goldenCase struct {
	Comment string `json:"comment"`
	Options struct {
		IncludePossible bool         `json:"include_possible"`
		Resources       ResourceMode `json:"resources"`
		Threshold       int          `json:"threshold"`
		Conditions      bool         `json:"conditions"`
	} `json:"options"`
	Limit int             `json:"limit"`
	Calls []iamwatch.Call `json:"calls"`
}

func (c goldenCase) options() Options {
	return Options{IncludePossible: c.Options.IncludePossible, Resources: c.Options.Resources,
		CollapseThreshold: c.Options.Threshold, Conditions: c.Options.Conditions}
}

// loadCases returns the cases of testdata/cases, and "demo": the requests
// real AWS SDKs sent in the README's demo, mapped.
func loadCases(t *testing.T) map[string]goldenCase {
	t.Helper()
	cases := map[string]goldenCase{}
	files, err := filepath.Glob("testdata/cases/*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c goldenCase
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		cases[strings.TrimSuffix(filepath.Base(f), ".json")] = c
	}
	demo := goldenCase{Calls: mapRequests(t, "../cmd/iamwatch/demo/*.http")}
	demo.Options.Conditions = true
	cases["demo"] = demo
	return cases
}

// mapRequests maps the raw HTTP requests the glob names.
func mapRequests(t testing.TB, glob string) []iamwatch.Call {
	t.Helper()
	m, err := servicemaps.Load()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := mapper.NewIndex(m)
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(glob)
	if err != nil || len(files) == 0 {
		t.Fatalf("no requests match %s (%v)", glob, err)
	}
	var calls []iamwatch.Call
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		obs, err := mapper.ParseRaw(data, "https")
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		obs.AccountID = "123456789012"
		calls = append(calls, ix.Map(obs))
	}
	return calls
}

// TestGolden renders each case in every format and compares with
// testdata/golden (go test -run TestGolden -update rewrites them). Beyond
// the bytes, it checks what the formats promise: the policy allows every
// observed call, Terraform output is what terraform fmt makes of it, and
// YAML and CloudFormation read back as the JSON document.
func TestGolden(t *testing.T) {
	for name, c := range loadCases(t) {
		t.Run(name, func(t *testing.T) {
			p, err := Generate(c.Calls, c.options())
			if err != nil {
				t.Fatal(err)
			}
			assertAllowsCalls(t, p, c.Calls, c.options())
			policies := []Policy{p}
			if c.Limit > 0 {
				if policies, err = Split(p, c.Limit); err != nil {
					t.Fatal(err)
				}
				if len(policies) < 2 {
					t.Fatalf("split case fits in one policy (%d characters)", p.Size())
				}
				assertSplit(t, p, policies, c.Limit)
			}
			for _, f := range Formats() {
				out, err := Render(f, "", policies...)
				if err != nil {
					t.Fatal(err)
				}
				golden(t, filepath.Join("testdata/golden", name+extension(f)), out)
				checkFormat(t, f, out, policies)
			}
		})
	}
}

func extension(f Format) string {
	switch f {
	case FormatTerraform:
		return ".tf"
	case FormatCloudFormation:
		return ".cfn.yaml"
	}
	return "." + string(f)
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestGolden -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from what the generator writes now; got:\n%s", path, got)
	}
}

// checkFormat checks out, in format f, against the policies it renders.
func checkFormat(t *testing.T, f Format, out []byte, policies []Policy) {
	t.Helper()
	var want []any
	for _, p := range policies {
		js, err := p.JSON()
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(js, &doc); err != nil {
			t.Fatal(err)
		}
		want = append(want, doc)
	}
	switch f {
	case FormatJSON:
		dec := json.NewDecoder(bytes.NewReader(out))
		var got []any
		for dec.More() {
			var doc any
			if err := dec.Decode(&doc); err != nil {
				t.Fatal(err)
			}
			got = append(got, doc)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("JSON stream is not the documents")
		}
	case FormatYAML:
		dec := yaml.NewDecoder(bytes.NewReader(out))
		var got []any
		for {
			var doc any
			if err := dec.Decode(&doc); err != nil {
				break
			}
			got = append(got, doc)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("YAML does not read back as the JSON documents:\ngot  %v\nwant %v", got, want)
		}
	case FormatCloudFormation:
		var tmpl struct {
			Version   string `yaml:"AWSTemplateFormatVersion"`
			Resources map[string]struct {
				Type       string `yaml:"Type"`
				Properties struct {
					PolicyDocument any `yaml:"PolicyDocument"`
				} `yaml:"Properties"`
			} `yaml:"Resources"`
			Outputs map[string]struct {
				Value yaml.Node `yaml:"Value"`
			} `yaml:"Outputs"`
		}
		if err := yaml.Unmarshal(out, &tmpl); err != nil {
			t.Fatal(err)
		}
		if tmpl.Version != "2010-09-09" || len(tmpl.Resources) != len(policies) || len(tmpl.Outputs) != len(policies) {
			t.Fatalf("template: %+v", tmpl)
		}
		for i, doc := range want {
			id := "IamwatchPolicy"
			if len(policies) > 1 {
				id += string(rune('1' + i))
			}
			r := tmpl.Resources[id]
			if r.Type != "AWS::IAM::ManagedPolicy" || !reflect.DeepEqual(r.Properties.PolicyDocument, doc) {
				t.Errorf("resource %s: %+v", id, r)
			}
			if v := tmpl.Outputs[id+"Arn"].Value; v.Tag != "!Ref" || v.Value != id {
				t.Errorf("output %sArn: %s %s", id, v.Tag, v.Value)
			}
		}
	case FormatTerraform:
		if formatted := hclwrite.Format(out); !bytes.Equal(formatted, out) {
			t.Errorf("terraform fmt would change the output to:\n%s", formatted)
		}
		if strings.Count(string(out), "data \"aws_iam_policy_document\"") != len(policies) {
			t.Errorf("not one data source per policy")
		}
	}
}

// TestTerraformFmt runs the real `terraform fmt` over the golden
// Terraform files when terraform is installed. hclwrite.Format, which
// terraform fmt is built on, checks the same in every run (TestGolden);
// this is a cross-check, so it skips without terraform.
func TestTerraformFmt(t *testing.T) {
	tf, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("terraform is not installed")
	}
	files, err := filepath.Glob("testdata/golden/*.tf")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden .tf files (%v)", err)
	}
	for _, f := range files {
		cmd := exec.Command(tf, "fmt", "-check", "-diff", "-no-color", f)
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE=/dev/null", "CHECKPOINT_DISABLE=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("terraform fmt -check %s: %v\n%s", f, err, out)
		}
	}
}
