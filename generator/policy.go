// Package generator turns mapped calls into IAM policies. It is pure: no
// I/O, deterministic output.
//
// Generate and FromUses build one policy document from the actions calls
// used; Split cuts a document into the fewest that fit an IAM size limit;
// Render writes documents as JSON, YAML, Terraform or CloudFormation.
// Every policy they return has passed Validate against the IAM catalog: an
// action the catalog does not know, or a resource no ARN format of its
// action allows, is a bug somewhere upstream and comes back as an error
// (ErrInvalid) instead of a policy that AWS would reject or that would
// deny an observed call.
package generator

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/iamwatch/iamwatch"
	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

// Version is the policy language version of every generated document.
const Version = "2012-10-17"

// Policy is an IAM policy document. Its JSON encoding is the document AWS
// takes.
type Policy struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement of a policy. Generated statements always
// allow, and list Action and Resource sorted.
type Statement struct {
	Sid      string   `json:"Sid,omitempty"`
	Effect   string   `json:"Effect"`
	Action   []string `json:"Action"`
	Resource []string `json:"Resource"`
	// Condition maps an operator ("StringEquals") to condition keys and
	// the values any of which satisfies the key.
	Condition map[string]map[string][]string `json:"Condition,omitempty"`
}

// ResourceMode says how precisely statements name resources.
type ResourceMode string

// The resource modes. The zero ResourceMode is ResourcesExact.
const (
	// ResourcesExact lists every resource ARN calls named.
	ResourcesExact ResourceMode = "exact"
	// ResourcesCollapse replaces more than CollapseThreshold sibling ARNs
	// by a wildcard over their common path, never wider than the
	// container they are in (an S3 bucket, a DynamoDB table) and never
	// over an account, region, service or partition.
	ResourcesCollapse ResourceMode = "collapse"
	// ResourcesService grants every action on "*", as iamlive does.
	ResourcesService ResourceMode = "service"
)

// DefaultCollapseThreshold is the CollapseThreshold a zero Options uses.
const DefaultCollapseThreshold = 5

// Options tune Generate. The zero Options lists exact resources, without
// conditions and without possible actions, against the embedded catalog.
type Options struct {
	// IncludePossible adds the actions a call may need, not only the
	// required ones.
	IncludePossible bool
	// Resources is the resource mode; "" means ResourcesExact.
	Resources ResourceMode
	// CollapseThreshold is how many sibling ARNs ResourcesCollapse keeps
	// before it replaces them by a wildcard; 0 means
	// DefaultCollapseThreshold.
	CollapseThreshold int
	// Conditions adds the condition keys every observed use of an action
	// pinned to the same values (see conditions.go).
	Conditions bool
	// Maps is the IAM catalog to check the policy against; nil means
	// servicemaps.Load().
	Maps *servicemaps.Maps
}

// ErrInvalid reports a generated policy that the catalog contradicts: an
// unknown action, or a resource that no ARN format of its action allows.
// It is a bug in iamwatch (the mapper, the maps or the generator), never a
// property of the calls.
var ErrInvalid = errors.New("invalid policy")

// Generate returns the smallest policy that allows every action of calls
// on the resources they touched. Actions that share the same resources
// (and, with Options.Conditions, the same conditions) share a statement.
// Unrecognized calls contribute nothing. A call's Conditions apply to each
// of its actions.
//
// A "*" that only stands for resources nobody saw (a CSM record, or a
// request that did not name its resource) yields to the specific resources
// other calls of the same action named.
func Generate(calls []iamwatch.Call, o Options) (Policy, error) {
	var uses []iamwatch.ActionUse
	for _, c := range calls {
		for _, a := range c.Actions {
			if len(c.Conditions) > 0 {
				a.Conditions = mergeConditions(c.Conditions, a.Conditions)
			}
			uses = append(uses, a)
		}
	}
	return FromUses(uses, o)
}

// FromUses is Generate over action uses already taken out of their calls,
// with the calls' conditions merged into each use's (as the store's
// EachUse returns them). Uses may repeat: a million calls may be handed
// over as the few thousand distinct uses they made.
func FromUses(uses []iamwatch.ActionUse, o Options) (Policy, error) {
	cat, err := newCatalog(o.Maps)
	if err != nil {
		return Policy{}, err
	}
	switch o.Resources {
	case "", ResourcesExact, ResourcesCollapse, ResourcesService:
	default:
		return Policy{}, fmt.Errorf("generate policy: unknown resource mode %q", o.Resources)
	}
	threshold := o.CollapseThreshold
	if threshold <= 0 {
		threshold = DefaultCollapseThreshold
	}

	acts := map[string]*actionAcc{}
	for _, u := range uses {
		if u.Possible && !o.IncludePossible {
			continue
		}
		name := cat.canonical(u.Action)
		acc := acts[name]
		if acc == nil {
			acc = &actionAcc{resources: map[string]bool{}, conds: map[string]*condAcc{}}
			acts[name] = acc
		}
		acc.add(u)
	}

	type group struct {
		resources []string
		cond      map[string]map[string][]string
		actions   []string
	}
	groups := map[string]*group{}
	for _, name := range slices.Sorted(maps.Keys(acts)) {
		acc := acts[name]
		res := acc.resourceList()
		switch {
		case o.Resources == ResourcesService || slices.Contains(res, "*"):
			res = []string{"*"}
		case o.Resources == ResourcesCollapse && collapsible(cat.action(name)):
			res = collapse(res, cat.formatsOf(name), threshold)
		}
		res = dropCovered(res)
		var cond map[string]map[string][]string
		if o.Conditions {
			cond = acc.conditions(cat, name)
		}
		key := strings.Join(res, "\n") + "\x00" + conditionKey(cond)
		g := groups[key]
		if g == nil {
			g = &group{resources: res, cond: cond}
			groups[key] = g
		}
		g.actions = append(g.actions, name)
	}

	p := Policy{Version: Version, Statement: []Statement{}}
	for _, g := range groups {
		sort.Strings(g.actions)
		p.Statement = append(p.Statement, Statement{Effect: "Allow", Action: g.actions, Resource: g.resources, Condition: g.cond})
	}
	sortStatements(p.Statement)
	if err := validate(p, cat); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// actionAcc gathers what the uses of one action have in common.
type actionAcc struct {
	resources map[string]bool
	// unseen reports a "*" that only stands for a resource nobody saw.
	unseen bool
	uses   int
	conds  map[string]*condAcc
}

// condAcc counts the uses that pinned a condition key, and their values.
type condAcc struct {
	uses   int
	values map[string]bool
}

func (acc *actionAcc) add(u iamwatch.ActionUse) {
	for _, r := range u.Resources {
		if r == "*" && !u.Exact {
			acc.unseen = true
			continue
		}
		if r != "" {
			acc.resources[r] = true
		}
	}
	if len(u.Resources) == 0 {
		acc.unseen = true
	}
	acc.uses++
	for k, vs := range u.Conditions {
		if len(vs) == 0 {
			continue
		}
		c := acc.conds[k]
		if c == nil {
			c = &condAcc{values: map[string]bool{}}
			acc.conds[k] = c
		}
		c.uses++
		for _, v := range vs {
			c.values[v] = true
		}
	}
}

// resourceList returns the action's resources, sorted; "*" when nothing
// more specific was seen.
func (acc *actionAcc) resourceList() []string {
	if len(acc.resources) == 0 {
		return []string{"*"}
	}
	return slices.Sorted(maps.Keys(acc.resources))
}

// sortStatements orders statements by their first action, then their
// resources and conditions, and gives each its Sid.
func sortStatements(ss []Statement) {
	sort.Slice(ss, func(i, j int) bool {
		if ss[i].Action[0] != ss[j].Action[0] {
			return ss[i].Action[0] < ss[j].Action[0]
		}
		return statementKey(ss[i]) < statementKey(ss[j])
	})
	for i := range ss {
		ss[i].Sid = Sid(ss[i])
	}
}

func statementKey(s Statement) string {
	return strings.Join(s.Resource, "\n") + "\x00" + conditionKey(s.Condition) + "\x00" + strings.Join(s.Action, "\n")
}

// conditionKey is a canonical string of a condition block.
func conditionKey(c map[string]map[string][]string) string {
	if len(c) == 0 {
		return ""
	}
	var b strings.Builder
	for _, op := range slices.Sorted(maps.Keys(c)) {
		for _, k := range slices.Sorted(maps.Keys(c[op])) {
			b.WriteString(op + "\x01" + k + "\x01" + strings.Join(c[op][k], "\x02") + "\x03")
		}
	}
	return b.String()
}

// Sid returns the statement ID generated statements carry: the service
// prefix of its actions, capitalized ("MultiService" when they span
// several services), and eight hex digits of a hash of the statement's
// actions, resources and conditions. Equal content
// gives equal Sids across runs, and any change of content a new one.
func Sid(s Statement) string {
	h := sha256.New()
	for _, a := range s.Action {
		h.Write([]byte(a + "\n"))
	}
	h.Write([]byte{0})
	for _, r := range s.Resource {
		h.Write([]byte(r + "\n"))
	}
	h.Write([]byte{0})
	h.Write([]byte(conditionKey(s.Condition)))
	var prefix string
	for i, a := range s.Action {
		p, _, _ := strings.Cut(a, ":")
		if i > 0 && !strings.EqualFold(p, prefix) {
			prefix = "MultiService"
			break
		}
		prefix = p
	}
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

// JSON renders p as an indented policy document, ending in a newline.
func (p Policy) JSON() ([]byte, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		return nil, fmt.Errorf("encode policy: %w", err)
	}
	return []byte(b.String()), nil
}

// mergeConditions returns the union of a and b, without changing either.
func mergeConditions(a, b map[string][]string) map[string][]string {
	if len(b) == 0 {
		return a
	}
	out := make(map[string][]string, len(a)+len(b))
	for k, vs := range a {
		out[k] = vs
	}
	for k, vs := range b {
		for _, v := range vs {
			if !slices.Contains(out[k], v) {
				out[k] = append(slices.Clip(out[k]), v)
			}
		}
	}
	return out
}
