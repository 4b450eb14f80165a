package main

import (
	"strings"
	"unicode"

	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

// reasonListed is the reason of a possible action that comes from the
// reference's AuthorizedActions.
const reasonListed = "AWS lists it as an authorized action of this operation"

// catalogIndex answers "is prefix:Name an action?" with the canonical case.
type catalogIndex struct {
	services map[string]*servicemaps.IAMService           // lower-case prefix
	actions  map[string]map[string]*servicemaps.IAMAction // lower-case prefix, name
	rts      map[string]map[string]*servicemaps.ResourceType
}

func newCatalogIndex(iam []*servicemaps.IAMService) *catalogIndex {
	ci := &catalogIndex{
		services: map[string]*servicemaps.IAMService{},
		actions:  map[string]map[string]*servicemaps.IAMAction{},
		rts:      map[string]map[string]*servicemaps.ResourceType{},
	}
	for _, s := range iam {
		p := strings.ToLower(s.Prefix)
		ci.services[p] = s
		ci.actions[p] = map[string]*servicemaps.IAMAction{}
		for _, a := range s.Actions {
			ci.actions[p][strings.ToLower(a.Name)] = a
		}
		ci.rts[p] = map[string]*servicemaps.ResourceType{}
		for _, rt := range s.ResourceTypes {
			ci.rts[p][rt.Name] = rt
		}
	}
	return ci
}

// action returns the canonical "prefix:Name", its catalog entry and
// service, or ok false when the catalog has no such action.
func (ci *catalogIndex) action(action string) (string, *servicemaps.IAMAction, *servicemaps.IAMService, bool) {
	prefix, name, ok := strings.Cut(action, ":")
	if !ok {
		return "", nil, nil, false
	}
	p := strings.ToLower(prefix)
	a := ci.actions[p][strings.ToLower(name)]
	if a == nil {
		return "", nil, nil, false
	}
	s := ci.services[p]
	return s.Prefix + ":" + a.Name, a, s, true
}

// resourceType returns resource type name of service prefix, or nil.
func (ci *catalogIndex) resourceType(prefix, name string) *servicemaps.ResourceType {
	return ci.rts[strings.ToLower(prefix)][name]
}

// hasPrefix reports whether the catalog has the service prefix.
func (ci *catalogIndex) hasPrefix(prefix string) bool {
	return ci.services[strings.ToLower(prefix)] != nil
}

// words splits a CamelCase name into lower-case words.
func words(s string) []string {
	var out []string
	rs := []rune(s)
	start := 0
	for i := 1; i <= len(rs); i++ {
		if i == len(rs) || unicode.IsUpper(rs[i]) && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]) ||
			i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1])) {
			if i > start {
				out = append(out, strings.ToLower(string(rs[start:i])))
			}
			start = i
		}
	}
	return out
}

// similarity is the Dice coefficient of two names' word sets, plurals
// folded.
func similarity(a, b string) float64 {
	wa, wb := words(a), words(b)
	for i := range wa {
		wa[i] = singular(wa[i])
	}
	for i := range wb {
		wb[i] = singular(wb[i])
	}
	if len(wa)+len(wb) == 0 {
		return 0
	}
	set := map[string]bool{}
	for _, w := range wa {
		set[w] = true
	}
	common := 0
	for _, w := range wb {
		if set[w] {
			common++
			delete(set, w)
		}
	}
	return 2 * float64(common) / float64(len(wa)+len(wb))
}

// sarActions splits the reference's authorized actions of operation op into
// the required one and the possible rest. Actions missing from the catalog
// are dropped.
func sarActions(ci *catalogIndex, iamPrefix, op string, listed []string) (required string, possible []string) {
	var valid []string
	for _, a := range listed {
		if canon, _, _, ok := ci.action(a); ok && !contains(valid, canon) {
			valid = append(valid, canon)
		}
	}
	if len(valid) == 0 {
		return "", nil
	}
	best, bestScore := -1, -1.0
	for i, a := range valid {
		prefix, name, _ := strings.Cut(a, ":")
		score := similarity(op, name)
		if strings.EqualFold(name, op) {
			score = 10
		}
		if strings.EqualFold(prefix, iamPrefix) {
			score += 5
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	required = valid[best]
	for i, a := range valid {
		if i != best {
			possible = append(possible, a)
		}
	}
	return required, possible
}

// renames are the operation names whose action has another name and that no
// rule below derives.
var renames = map[string]map[string]string{
	"s3": {
		"ListObjectsV2": "ListBucket",
		"ListObjects":   "ListBucket",
		"HeadObject":    "GetObject",
		"HeadBucket":    "ListBucket",
	},
}

// nameActions maps an operation the reference does not list: prefix:Op when
// the catalog has it, else the one catalog action a rename rule finds.
func nameActions(ci *catalogIndex, iamPrefix, op string) (string, bool) {
	if iamPrefix == "" {
		return "", false
	}
	if canon, _, _, ok := ci.action(iamPrefix + ":" + op); ok {
		return canon, true
	}
	found := map[string]bool{}
	try := func(name string) {
		if canon, _, _, ok := ci.action(iamPrefix + ":" + name); ok {
			found[canon] = true
		}
	}
	if r, ok := renames[iamPrefix][op]; ok {
		try(r)
	}
	if len(found) == 1 {
		return sortedKeys(found)[0], true
	}
	for _, name := range renameCandidates(op) {
		try(name)
	}
	if len(found) == 1 {
		return sortedKeys(found)[0], true
	}
	return "", false
}

// renameCandidates lists other names an operation's action may have:
// singular/plural, Describe/Get/List swaps, a version suffix dropped, and
// a batch operation's single-item action (BatchIsAuthorized is authorized
// as IsAuthorized).
func renameCandidates(op string) []string {
	stems := []string{op}
	for _, suf := range []string{"V2", "V3", "V4"} {
		if s, ok := strings.CutSuffix(op, suf); ok {
			stems = append(stems, s)
		}
	}
	if s, ok := strings.CutPrefix(op, "Batch"); ok && s != "" && s[0] >= 'A' && s[0] <= 'Z' {
		stems = append(stems, s)
	}
	var out []string
	for _, s := range stems {
		forms := []string{s}
		switch {
		case strings.HasSuffix(s, "ies"):
			forms = append(forms, strings.TrimSuffix(s, "ies")+"y")
		case strings.HasSuffix(s, "ses"):
			forms = append(forms, strings.TrimSuffix(s, "es"), strings.TrimSuffix(s, "s"))
		case strings.HasSuffix(s, "s"):
			forms = append(forms, strings.TrimSuffix(s, "s"))
		case strings.HasSuffix(s, "y"):
			forms = append(forms, strings.TrimSuffix(s, "y")+"ies")
		default:
			forms = append(forms, s+"s")
		}
		for _, f := range forms {
			out = append(out, f)
			for _, pair := range [][2]string{{"Describe", "Get"}, {"Get", "Describe"}, {"List", "Describe"}, {"Describe", "List"}} {
				if rest, ok := strings.CutPrefix(f, pair[0]); ok {
					out = append(out, pair[1]+rest)
				}
			}
		}
	}
	return out
}
