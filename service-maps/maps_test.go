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
