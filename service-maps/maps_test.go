package servicemaps_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

func TestLoadEmbedded(t *testing.T) {
	m, err := servicemaps.Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(m.Services) == 0 || len(m.IAM) == 0 {
		t.Fatalf("Load: %d services, %d IAM services", len(m.Services), len(m.IAM))
	}
	if len(m.Sources) == 0 {
		t.Error("no sources recorded")
	}
	if m.Action("s3:getobject") == nil {
		t.Error(`Action("s3:getobject") = nil, want the catalog entry`)
	}
}

// TestActionsInCatalog checks that every action the maps name is in the
// catalog, so that a policy never names an action IAM does not know.
func TestActionsInCatalog(t *testing.T) {
	m, err := servicemaps.Load()
	if err != nil {
		t.Fatal(err)
	}
	check := func(where string, a servicemaps.ActionTemplate) {
		t.Helper()
		if m.Action(a.Action) == nil {
			t.Errorf("%s: action %q is not in the catalog", where, a.Action)
		}
		for _, r := range a.Resources {
			if !strings.HasPrefix(r, "arn:") && !strings.HasPrefix(r, "${") && r != "*" {
				t.Errorf("%s: %s: resource template %q is neither an ARN nor a member", where, a.Action, r)
			}
		}
	}
	for _, s := range m.Services {
		for _, o := range s.Ops {
			where := s.Model + "." + o.Name
			for _, a := range o.Actions {
				check(where, a)
			}
			for _, a := range o.Possible {
				check(where, a)
			}
			for _, r := range o.Rules {
				for _, a := range r.Add {
					check(where, a)
				}
			}
		}
	}
}

func TestRoundTrip(t *testing.T) {
	data, err := os.ReadFile("maps.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, servicemaps.Embedded()) {
		t.Fatal("maps.txt differs from the embedded artifact")
	}
	m, err := servicemaps.Decode(data)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	again, err := servicemaps.Encode(m)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	if !bytes.Equal(data, again) {
		a, b := string(data), string(again)
		i := 0
		for i < len(a) && i < len(b) && a[i] == b[i] {
			i++
		}
		lo := strings.LastIndexByte(a[:i], '\n') + 1
		t.Fatalf("maps.txt does not round-trip; first difference at byte %d, line %q", i, a[lo:min(len(a), lo+200)])
	}
}

// TestRequiredResourceTypes checks operations whose action AWS authorizes
// against a resource of each of several required types: the maps grant on
// all of them, with "*" for what the request does not name, so that a
// policy made from them is not denied.
func TestRequiredResourceTypes(t *testing.T) {
	m, err := servicemaps.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		model, op, action string
		want              []string
	}{
		{"glue", "GetTable", "glue:GetTable", []string{
			"arn:${Partition}:glue:${Region}:${Account}:catalog",
			"arn:${Partition}:glue:${Region}:${Account}:database/${DatabaseName}",
			"arn:${Partition}:glue:${Region}:${Account}:table/${DatabaseName}/${Name}",
		}},
		{"sagemaker", "CreateEndpoint", "sagemaker:CreateEndpoint", []string{
			"arn:${Partition}:sagemaker:${Region}:${Account}:endpoint/${EndpointName}",
			"arn:${Partition}:sagemaker:${Region}:${Account}:endpoint-config/${EndpointConfigName}",
		}},
		{"appconfig", "StartDeployment", "appconfig:StartDeployment", []string{
			"arn:${Partition}:appconfig:${Region}:${Account}:application/${ApplicationId}",
			"arn:${Partition}:appconfig:${Region}:${Account}:application/${ApplicationId}/environment/${EnvironmentId}",
			"arn:${Partition}:appconfig:${Region}:${Account}:application/${ApplicationId}/configurationprofile/${ConfigurationProfileId}",
			"arn:${Partition}:appconfig:${Region}:${Account}:deploymentstrategy/${DeploymentStrategyId}",
		}},
	} {
		var op *servicemaps.Operation
		for _, s := range m.Services {
			if s.Model != tt.model {
				continue
			}
			for _, o := range s.Ops {
				if o.Name == tt.op {
					op = o
				}
			}
		}
		if op == nil {
			t.Errorf("no operation %s.%s", tt.model, tt.op)
			continue
		}
		var got []string
		for _, a := range op.Actions {
			if a.Action == tt.action {
				got = a.Resources
			}
		}
		for _, w := range tt.want {
			found := false
			for _, g := range got {
				found = found || g == w
			}
			if !found {
				t.Errorf("%s.%s: %s lacks %s; has %v", tt.model, tt.op, tt.action, w, got)
			}
		}
	}
}
