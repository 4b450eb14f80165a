package mapper_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/mapper"
	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// golden is the mapped call, as recorded in NAME.golden.json.
type golden struct {
	Service    string              `json:"service"`
	ServiceID  string              `json:"service_id"`
	Model      string              `json:"model"`
	Protocol   string              `json:"protocol"`
	Operation  string              `json:"operation"`
	Region     string              `json:"region"`
	Account    string              `json:"account,omitempty"`
	Reason     string              `json:"reason,omitempty"`
	Actions    []goldenAction      `json:"actions"`
	Conditions map[string][]string `json:"conditions,omitempty"`
}

type goldenAction struct {
	Action     string              `json:"action"`
	Level      string              `json:"level,omitempty"`
	Resources  []string            `json:"resources"`
	Exact      bool                `json:"exact"`
	Possible   bool                `json:"possible,omitempty"`
	Reason     string              `json:"reason,omitempty"`
	Conditions map[string][]string `json:"conditions,omitempty"`
}

func toGolden(c iamwatch.Call) golden {
	g := golden{Service: c.Service, ServiceID: c.ServiceID, Model: c.Model, Protocol: c.Protocol, Operation: c.Operation,
		Region: c.Region, Account: c.AccountID, Reason: c.Reason, Conditions: c.Conditions, Actions: []goldenAction{}}
	for _, a := range c.Actions {
		g.Actions = append(g.Actions, goldenAction{Action: a.Action, Level: string(a.Level), Resources: a.Resources,
			Exact: a.Exact, Possible: a.Possible, Reason: a.Reason, Conditions: a.Conditions})
	}
	return g
}

// TestCorpus maps every request that a real SDK produced and checks it
// against what that SDK says it sent (service and operation), against the
// IAM catalog (every action exists, every ARN fits one of the action's
// resource types), and against the golden file.
func TestCorpus(t *testing.T) {
	ix := index(t)
	m := ix.Maps()
	raw := rawFixtures(t)
	if len(raw) == 0 {
		t.Skip("no fixtures in testdata/requests")
	}
	names := make([]string, 0, len(raw))
	for n := range raw {
		names = append(names, n)
	}
	sort.Strings(names)
	var recognized, rightOp int
	for _, name := range names {
		base := strings.TrimSuffix(name, ".http")
		var meta fixtureMeta
		if b, err := os.ReadFile(base + ".json"); err == nil {
			if err := json.Unmarshal(b, &meta); err != nil {
				t.Fatalf("%s.json: %v", base, err)
			}
		}
		scheme := meta.Scheme
		if scheme == "" {
			scheme = "https"
		}
		obs, err := mapper.ParseRaw(raw[name], scheme)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		call := ix.Map(obs)
		if call.Recognized {
			recognized++
		}
		if call.Operation == meta.Operation {
			rightOp++
		}
		t.Run(strings.TrimPrefix(base, "testdata/requests/"), func(t *testing.T) {
			if !call.Recognized {
				t.Errorf("not recognized: %s", call.Reason)
			}
			if meta.Operation != "" && call.Operation != meta.Operation {
				t.Errorf("operation %q, the SDK sent %q", call.Operation, meta.Operation)
			}
			for _, a := range call.Actions {
				checkCatalog(t, m, a)
			}
			got, err := json.MarshalIndent(toGolden(call), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := base + ".golden.json"
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./mapper -run TestCorpus -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("mapped call differs from %s:\n got: %s\nwant: %s", path, got, want)
			}
		})
	}
	t.Logf("corpus: %d fixtures, %d recognized, %d with the SDK's operation", len(names), recognized, rightOp)
}

var placeholderRE = regexp.MustCompile(`\$\{[^}]*\}`)

// checkCatalog asserts that a is a catalog action and that each resource
// fits one of its resource types' ARN formats.
func checkCatalog(t *testing.T, m *servicemaps.Maps, a iamwatch.ActionUse) {
	t.Helper()
	cat := m.Action(a.Action)
	if cat == nil {
		t.Errorf("action %s is not in the IAM catalog", a.Action)
		return
	}
	prefix, _, _ := strings.Cut(a.Action, ":")
	svc := m.IAMService(prefix)
	for _, r := range a.Resources {
		if r == "*" {
			continue
		}
		if !fitsAny(svc, cat, r) {
			t.Errorf("%s resource %q fits none of its resource types %v", a.Action, r, cat.ResourceTypes)
		}
	}
}

func fitsAny(svc *servicemaps.IAMService, cat *servicemaps.IAMAction, arn string) bool {
	for _, name := range cat.ResourceTypes {
		rt := svc.ResourceType(name)
		if rt == nil {
			continue
		}
		for _, f := range rt.ARNFormats {
			if formatRE(f).MatchString(arn) {
				return true
			}
		}
	}
	return false
}

var formatCache = map[string]*regexp.Regexp{}

func formatRE(f string) *regexp.Regexp {
	if re, ok := formatCache[f]; ok {
		return re
	}
	parts := placeholderRE.Split(f, -1)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	re := regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
	formatCache[f] = re
	return re
}
