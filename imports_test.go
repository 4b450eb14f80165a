package iamwatch_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportRules enforces the layout: the shared vocabulary imports only
// the standard library; mapper and generator are pure and know nothing of
// capture or storage; proxy and store know only the vocabulary; only cmd
// wires them together.
func TestImportRules(t *testing.T) {
	const mod = "github.com/iamwatch/iamwatch"
	rules := []struct {
		pkg     string
		allowed []string // module-internal packages it may depend on
		thirdOK []string // third-party module prefixes it may depend on
	}{
		{pkg: mod, allowed: nil},
		{pkg: mod + "/service-maps", allowed: []string{mod}},
		{pkg: mod + "/mapper", allowed: []string{mod, mod + "/service-maps"}, thirdOK: []string{"github.com/aws/smithy-go"}},
		{pkg: mod + "/generator", allowed: []string{mod, mod + "/service-maps", mod + "/mapper", mod + "/generator/eval"}},
		{pkg: mod + "/generator/report", allowed: []string{mod}},
		{pkg: mod + "/generator/eval", allowed: []string{mod}},
		{pkg: mod + "/generator/grants", allowed: []string{mod}, thirdOK: []string{"gopkg.in/yaml.v3"}},
		{pkg: mod + "/proxy", allowed: []string{mod, mod + "/proxy/csm"}, thirdOK: []string{"github.com/elazarl/goproxy", "golang.org/x/"}},
		{pkg: mod + "/proxy/csm", allowed: []string{mod}},
		{pkg: mod + "/internal/baremitm", allowed: nil, thirdOK: []string{"github.com/elazarl/goproxy", "golang.org/x/"}},
		{pkg: mod + "/proxy/cloudtrail", allowed: []string{mod}},
		{pkg: mod + "/store", allowed: []string{mod}, thirdOK: []string{"github.com/mattn/go-sqlite3"}},
	}
	for _, r := range rules {
		t.Run(r.pkg, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", r.pkg).Output()
			if err != nil {
				t.Fatalf("go list %s: %v", r.pkg, err)
			}
			for _, dep := range strings.Fields(string(out)) {
				if dep == r.pkg {
					continue
				}
				if strings.HasPrefix(dep, mod) {
					if !contains(r.allowed, dep) {
						t.Errorf("%s must not depend on %s", r.pkg, dep)
					}
					continue
				}
				ok := false
				for _, p := range r.thirdOK {
					if strings.HasPrefix(dep, p) {
						ok = true
					}
				}
				if !ok {
					t.Errorf("%s must not depend on third-party %s", r.pkg, dep)
				}
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
