// Package generator turns mapped calls into IAM policies. It is pure: no
// I/O, deterministic output.
package generator

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strings"

	"github.com/iamwatch/iamwatch"
)

// Policy is an IAM policy document.
type Policy struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement of a policy.
type Statement struct {
	Sid       string                         `json:"Sid,omitempty"`
	Effect    string                         `json:"Effect"`
	Action    []string                       `json:"Action"`
	Resource  []string                       `json:"Resource"`
	Condition map[string]map[string][]string `json:"Condition,omitempty"`
}

// Options tune Generate.
type Options struct {
	// IncludePossible adds the actions a call may need, not only the
	// required ones.
	IncludePossible bool
}

// Generate returns the smallest policy that allows every required action
// of calls on the resources they touched. Actions that share the same set
// of resources share a statement. Unrecognized calls contribute nothing.
//
// A "*" that only stands for resources nobody saw (a CSM record, or a
// request that did not name its resource) yields to the specific resources
// other calls of the same action named.
func Generate(calls []iamwatch.Call, o Options) Policy {
	var uses []iamwatch.ActionUse
	for _, c := range calls {
		uses = append(uses, c.Actions...)
	}
	return FromUses(uses, o)
}

// FromUses is Generate over action uses already taken out of their calls.
func FromUses(uses []iamwatch.ActionUse, o Options) Policy {
	res := map[string]map[string]bool{} // action -> resources
	unseen := map[string]bool{}         // action -> it has an inexact "*"
	for _, a := range uses {
		if a.Possible && !o.IncludePossible {
			continue
		}
		set := res[a.Action]
		if set == nil {
			set = map[string]bool{}
			res[a.Action] = set
		}
		for _, r := range a.Resources {
			if r == "*" && !a.Exact {
				unseen[a.Action] = true
				continue
			}
			set[r] = true
		}
	}
	for action := range unseen {
		if len(res[action]) == 0 {
			res[action]["*"] = true
		}
	}
	groups := map[string][]string{} // resource-set key -> actions
	sets := map[string][]string{}
	for action, set := range res {
		if set["*"] {
			set = map[string]bool{"*": true}
		}
		list := make([]string, 0, len(set))
		for r := range set {
			list = append(list, r)
		}
		sort.Strings(list)
		key := strings.Join(list, "\n")
		groups[key] = append(groups[key], action)
		sets[key] = list
	}
	p := Policy{Version: "2012-10-17", Statement: []Statement{}}
	for key, actions := range groups {
		sort.Strings(actions)
		p.Statement = append(p.Statement, Statement{Effect: "Allow", Action: actions, Resource: sets[key]})
	}
	sort.Slice(p.Statement, func(i, j int) bool {
		return p.Statement[i].Action[0] < p.Statement[j].Action[0]
	})
	for i := range p.Statement {
		p.Statement[i].Sid = sid(p.Statement[i])
	}
	return p
}

// sid derives a stable statement ID from the statement's content.
func sid(s Statement) string {
	h := sha256.New()
	for _, a := range s.Action {
		h.Write([]byte(a + "\n"))
	}
	h.Write([]byte{0})
	for _, r := range s.Resource {
		h.Write([]byte(r + "\n"))
	}
	prefix, _, _ := strings.Cut(s.Action[0], ":")
	var b strings.Builder
	for _, c := range prefix {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	name := b.String()
	if name != "" {
		name = strings.ToUpper(name[:1]) + name[1:]
	}
	return name + strings.ToUpper(hex.EncodeToString(h.Sum(nil))[:8])
}

// JSON renders p as an indented policy document.
func (p Policy) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
