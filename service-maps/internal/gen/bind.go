package main

import (
	"regexp"
	"sort"
	"strings"

	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

var placeholderRE = regexp.MustCompile(`\$\{([^}]+)\}`)

// contextPlaceholders are filled from the call's context, not the request.
var contextPlaceholders = map[string]bool{"Partition": true, "Region": true, "Account": true}

// placeholderSynonyms are ARN placeholders whose request member no naming
// rule finds.
var placeholderSynonyms = map[string][]string{
	"ObjectName":  {"Key"},
	"KeyPairName": {"KeyName"}, // EC2 key pairs
}

// binder fills the ARN formats of an operation's actions from its input.
type binder struct {
	members  []inputMember
	byName   map[string]inputMember
	bindings map[string]string // curated: [type:]placeholder -> template
	// formats are curated ARN formats that replace the catalog's for a
	// resource type, keyed "prefix:type" (prefix in lower case).
	formats map[string][]string
	// op is the operation's name, when known: its subject's plain "name"
	// or "id" member names the resource type the operation is named for.
	op string
}

func newBinder(members []inputMember, bindings map[string]string) *binder {
	b := &binder{members: members, byName: map[string]inputMember{}, bindings: bindings}
	for _, m := range members {
		b.byName[m.Name] = m
	}
	return b
}

// hasRefs reports whether the operation has every member a curated
// binding names; a service-wide binding applies only where it can.
func (b *binder) hasRefs(tmpl string) bool {
	for _, ref := range placeholderRE.FindAllStringSubmatch(tmpl, -1) {
		name, _, _ := strings.Cut(ref[1], "|")
		name, _, _ = strings.Cut(name, ".")
		if _, ok := b.byName[name]; !ok && !contextPlaceholders[name] {
			return false
		}
	}
	return true
}

// curated returns the curated binding of placeholder ph in a format of
// resource type rt that the operation has the members for: the one keyed
// "rt:ph" first, then the one keyed ph.
func (b *binder) curated(ph, rt string) (string, bool) {
	for _, key := range [...]string{rt + ":" + ph, ph} {
		if tmpl, ok := b.bindings[key]; ok && b.hasRefs(tmpl) {
			return tmpl, true
		}
	}
	return "", false
}

// boundFormat is one ARN format filled in.
type boundFormat struct {
	template string
	members  []string // request members it uses
	required int      // how many of them are required
	// wild: a placeholder became "*" because the only member of its
	// resource type carries the other kind of value (a name for an ID).
	wild bool
}

// arnMember returns the member that carries a whole ARN of resource type rt:
// <ResourceType>Arn, or a generic ResourceArn/Arn member.
func (b *binder) arnMember(rt string) (inputMember, bool) {
	nrt := norm(rt)
	for _, m := range b.members {
		if !m.Scalar {
			continue
		}
		nm := norm(m.Name)
		if nm == nrt+"arn" {
			return m, true
		}
	}
	// A longer name ending in the type's: agentRuntimeArn for "runtime".
	for _, m := range b.members {
		if m.Scalar && strings.HasSuffix(norm(m.Name), nrt+"arn") {
			return m, true
		}
	}
	for _, m := range b.members {
		if !m.Scalar {
			continue
		}
		switch norm(m.Name) {
		case "resourcearn", "arn":
			return m, true
		}
	}
	return inputMember{}, false
}

// member finds the input member that fills placeholder ph of a format of
// resource type rt, and the template expression for it.
func (b *binder) member(ph, rt string) (inputMember, string, bool) {
	use := func(m inputMember) (inputMember, string, bool) {
		if m.NameOrARN {
			return m, "${" + m.Name + "|name}", true
		}
		return m, "${" + m.Name + "}", true
	}
	get := func(name string) (inputMember, bool) {
		m, ok := b.byName[name]
		return m, ok && m.Scalar && !m.ARN
	}
	if m, ok := get(ph); ok {
		return use(m)
	}
	for _, suf := range []string{"Name", "Id"} {
		if m, ok := get(ph + suf); ok {
			return use(m)
		}
	}
	for _, suf := range []string{"Name", "Id"} {
		if stem, ok := strings.CutSuffix(ph, suf); ok && stem != "" {
			if m, ok := get(stem); ok {
				return use(m)
			}
		}
	}
	for _, syn := range placeholderSynonyms[ph] {
		if m, ok := get(syn); ok {
			return use(m)
		}
	}
	nph := norm(ph)
	for _, m := range b.members {
		if m.Scalar && !m.ARN && norm(m.Name) == nph {
			return use(m)
		}
	}
	// A list of identifiers, one resource each: FleetId <- FleetIds,
	// HostId <- HostIds, SpotFleetRequestId <- SpotFleetRequestIds.
	for _, m := range b.members {
		if m.Elems == "" || m.ARN {
			continue
		}
		one := singular(m.Name)
		if one == m.Name {
			continue
		}
		if one == ph || one == ph+"Id" || one == ph+"Name" || norm(one) == nph {
			return m, m.Elems, true
		}
	}
	// A queue-style URL whose last segment is the name: QueueName <- QueueUrl.
	if stem, ok := strings.CutSuffix(ph, "Name"); ok {
		if m, ok := get(stem + "Url"); ok {
			return m, "${" + m.Name + "|last}", true
		}
	}
	// The resource type's own name: RoleNameWithPath <- RoleName, and
	// TopicName <- topic (iot-data Publish). A member that carries the
	// other kind of value does not fill the placeholder: an ARN that ends
	// in an ID is not named by a name (EC2 launch-template/${LaunchTemplateId}
	// from LaunchTemplateName), nor one that ends in a name by an ID. The
	// part becomes "*": the resource type is known, its name or ID is not.
	// A member whose pattern takes a name or an ARN is an identifier of
	// either kind, whatever its name says.
	nrt := norm(rt)
	conflict := false
	// The placeholder must stand for a name or an ID (RoleName,
	// RoleNameWithPath, TopicName, DeploymentConfigurationName), not
	// another part of the ARN: an Organizations policy's ${PolicyType} is
	// not its PolicyId, a CodeArtifact package's ${PackageFormat} not its
	// package, an App Runner configuration's ${Revision} not its name.
	ownID := strings.HasPrefix(nph, nrt) && valueKind(ph) != ""
	for _, suf := range []string{"", "name", "id"} {
		ownID = ownID || nph == nrt+suf
	}
	// A bare ${Id} or ${Name} is the resource type's own identifier:
	// Route 53's hostedzone/${Id} from HostedZoneId, healthcheck/${Id}
	// from HealthCheckId. Only a member of the same kind fills it: a
	// bare placeholder says too little to make a wildcard of its type
	// from a member of the other kind (Lightsail's KeyPair/${Id} is no
	// resource of CreateInstances' keyPairName).
	bare := nph == "id" || nph == "name"
	if bare {
		// Where a member carries the resource's whole ARN, that member
		// names it (network-firewall's FirewallArn or FirewallName).
		if _, ok := b.arnMember(rt); !ok {
			ownID = true
		}
	}
	for _, suf := range []string{"name", "id", ""} {
		for _, m := range b.members {
			if ownID && m.Scalar && !m.ARN && norm(m.Name) == nrt+suf {
				if bare && kindsConflict(ph, m.Name) {
					continue
				}
				if !m.NameOrARN && kindsConflict(ph, m.Name) {
					conflict = true
					continue
				}
				return use(m)
			}
		}
	}
	if conflict {
		return inputMember{}, "*", true
	}
	// A plain "name" or "id" member is the identifier of the resource the
	// operation is named for, the last word of its name: EKS
	// DescribeCluster's name is the cluster's (${ClusterName}), Glue
	// GetTable's Name the table's (${TableName}). PutDeliverySource names
	// a delivery source, not a delivery.
	if b.op != "" && nrt != "" && strings.HasSuffix(norm(b.op), nrt) {
		for _, suf := range []string{"name", "id"} {
			if nph != nrt+suf {
				continue
			}
			for _, m := range b.members {
				if m.Scalar && !m.ARN && norm(m.Name) == suf {
					return use(m)
				}
			}
		}
	}
	return inputMember{}, "", false
}

// valueKind says whether a placeholder or member name stands for a name
// ("name"), an ID ("id") or either ("").
func valueKind(s string) string {
	s = strings.TrimSuffix(s, "WithPath")
	s = strings.TrimSuffix(s, "s")
	switch {
	case s == "name" || strings.HasSuffix(s, "Name"):
		return "name"
	case s == "id" || strings.HasSuffix(s, "Id") || strings.HasSuffix(s, "ID"):
		return "id"
	}
	return ""
}

// kindsConflict reports a name filling an ID or an ID filling a name.
func kindsConflict(placeholder, member string) bool {
	p, m := valueKind(placeholder), valueKind(member)
	return p != "" && m != "" && p != m
}

// bindFormat fills one ARN format, or reports that a placeholder has no
// member.
func (b *binder) bindFormat(format, rt string) (boundFormat, bool) {
	var bf boundFormat
	used := map[string]bool{}
	var nameOrARN, urlMember string
	ok := true
	// First pass: the request placeholders.
	exprs := map[string]string{}
	for _, m := range placeholderRE.FindAllStringSubmatch(format, -1) {
		ph := m[1]
		if contextPlaceholders[ph] {
			continue
		}
		if tmpl, curated := b.curated(ph, rt); curated {
			exprs[ph] = tmpl
			for _, ref := range placeholderRE.FindAllStringSubmatch(tmpl, -1) {
				name, _, _ := strings.Cut(ref[1], "|")
				name, _, _ = strings.Cut(name, ".")
				if !contextPlaceholders[name] && !used[name] {
					used[name] = true
					bf.members = append(bf.members, name)
					if b.byName[name].Required {
						bf.required++
					}
				}
			}
			continue
		}
		mb, expr, found := b.member(ph, rt)
		if !found {
			ok = false
			break
		}
		exprs[ph] = expr
		if expr == "*" {
			bf.wild = true
			continue
		}
		if strings.HasSuffix(expr, "|name}") && nameOrARN == "" {
			nameOrARN = mb.Name
		}
		if strings.HasSuffix(expr, "|last}") && urlMember == "" {
			urlMember = mb.Name
		}
		if !used[mb.Name] {
			used[mb.Name] = true
			bf.members = append(bf.members, mb.Name)
			if mb.Required {
				bf.required++
			}
		}
	}
	if !ok {
		return boundFormat{}, false
	}
	// A curated Region or Account binding applies where the format uses
	// its member: a stack's account is that of the stack ID in StackName.
	usesMembers := func(tmpl string) bool {
		refs := placeholderRE.FindAllStringSubmatch(tmpl, -1)
		for _, ref := range refs {
			name, _, _ := strings.Cut(ref[1], "|")
			name, _, _ = strings.Cut(name, ".")
			if !contains(bf.members, name) {
				return false
			}
		}
		return len(refs) > 0
	}
	bf.template = placeholderRE.ReplaceAllStringFunc(format, func(s string) string {
		ph := s[2 : len(s)-1]
		if tmpl, ok := b.bindings[ph]; ok && contextPlaceholders[ph] && ph != "Partition" && usesMembers(tmpl) {
			return tmpl
		}
		switch {
		case ph == "Account" && urlMember != "":
			return "${" + urlMember + "|account}"
		case ph == "Account" && nameOrARN != "":
			return "${" + nameOrARN + "|account}"
		case ph == "Region" && nameOrARN != "":
			return "${" + nameOrARN + "|region}"
		case contextPlaceholders[ph]:
			return s
		}
		return exprs[ph]
	})
	return bf, true
}

// boundSet is what bind found for one action: the templates to use, and
// optionally richer templates to add when optional members are present.
type boundSet struct {
	Templates []string
	// Types are the resource types Templates name.
	Types []string
	// When lists optional members whose presence makes Extra apply.
	When  []string
	Extra []string
}

// bind returns the resource templates of action a (service prefix) for
// operation op: the formats of the resource types whose every placeholder
// binds. Formats that use only required members come first, then those
// using the most members; remaining ties go to the resource types whose
// name is closest to the operation's. A format that also uses optional
// members becomes Extra. With onlyRequired, formats that need an optional
// member are not used at all. No templates means the action's resources
// cannot be named from the request.
func (b *binder) bind(ci *catalogIndex, prefix, op, uri string, a *servicemaps.IAMAction, onlyRequired bool) boundSet {
	type cand struct {
		boundFormat
		rt  string
		sim float64
	}
	var cands, wild, partial []cand
	for _, rtName := range a.ResourceTypes {
		rt := ci.resourceType(prefix, rtName)
		if rt == nil {
			continue
		}
		formats := rt.ARNFormats
		if f, ok := b.formats[strings.ToLower(prefix)+":"+rtName]; ok {
			formats = f
		}
		for _, f := range formats {
			// Closeness to the operation: its name against the type's, and
			// for REST APIs the literal path words of the ARN against the URI's.
			sim := similarity(op, singular(rt.Name)) + pathSimilarity(f, uri)
			bf, ok := b.bindFormat(f, rt.Name)
			if ok && len(bf.members) > 0 {
				cands = append(cands, cand{bf, rt.Name, sim})
				continue
			}
			if m, ok := b.arnMember(rt.Name); ok {
				bf := boundFormat{template: "${" + m.Name + "}", members: []string{m.Name}}
				if m.Required {
					bf.required = 1
				}
				cands = append(cands, cand{bf, rt.Name, sim})
				continue
			}
			if ok && bf.wild {
				wild = append(wild, cand{bf, rt.Name, sim})
				continue
			}
			if !ok && strings.Contains(norm(op), norm(singular(rt.Name))) {
				// Some parts named, the rest not (an EKS node group's
				// ARN ends in an ID the request does not carry), of a
				// type the operation is named after: a type that only
				// shares a member (a custom engine version's Engine,
				// for RestoreDBInstanceToPointInTime) is not guessed.
				if bf, ok := b.bindFormat(b.reduce(f, rt.Name), rt.Name); ok && len(bf.members) > 0 {
					bf.wild = true
					partial = append(partial, cand{bf, rt.Name, sim})
				}
			}
		}
	}
	allReq := func(c cand) bool { return c.required == len(c.members) }
	if onlyRequired {
		keepReq := func(cs []cand) []cand {
			var keep []cand
			for _, c := range cs {
				if allReq(c) {
					keep = append(keep, c)
				}
			}
			return keep
		}
		cands, partial = keepReq(cands), keepReq(partial)
	}
	if len(cands) == 0 {
		// Only a type with a "*" for its name or ID: better than "*".
		cands = wild
	}
	if len(cands) == 0 {
		// Only a type of which the request names some parts: the
		// others are "*", still narrower than "*" itself.
		cands = partial
	}
	if len(cands) == 0 {
		return boundSet{}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		ci, cj := cands[i], cands[j]
		if allReq(ci) != allReq(cj) {
			return allReq(ci)
		}
		if len(ci.members) != len(cj.members) {
			return len(ci.members) > len(cj.members)
		}
		return ci.sim > cj.sim
	})
	top := cands[0]
	var out boundSet
	for _, c := range cands {
		if allReq(c) != allReq(top) || len(c.members) != len(top.members) || c.sim != top.sim {
			break
		}
		if !contains(out.Templates, c.template) {
			out.Templates = append(out.Templates, c.template)
		}
		if !contains(out.Types, c.rt) {
			out.Types = append(out.Types, c.rt)
		}
	}
	if !allReq(top) {
		return out
	}
	// A richer format that adds optional members to the chosen one, e.g.
	// a table's index when IndexName is given.
	base := map[string]bool{}
	for _, m := range top.members {
		base[m] = true
	}
	var best *cand
	for i := range cands {
		c := &cands[i]
		if allReq(*c) || len(c.members) <= len(top.members) || c.sim < top.sim {
			continue
		}
		superset := true
		for m := range base {
			if !contains(c.members, m) {
				superset = false
			}
		}
		if superset && (best == nil || len(c.members) > len(best.members)) {
			best = c
		}
	}
	if best != nil {
		for _, m := range best.members {
			if !base[m] {
				out.When = append(out.When, m)
			}
		}
		for _, c := range cands {
			if len(c.members) == len(best.members) && c.required == best.required && !contains(out.Extra, c.template) && sameSet(c.members, best.members) {
				out.Extra = append(out.Extra, c.template)
			}
		}
	}
	return out
}

// typeTemplate returns a template for resource type rtName of prefix: its
// first ARN format whose every placeholder binds, or else the first
// format with "*" for what the request does not name (a table's name
// where only its database is given). "" when the type is unknown.
func (b *binder) typeTemplate(ci *catalogIndex, prefix, rtName string) string {
	rt := ci.resourceType(prefix, rtName)
	if rt == nil {
		return ""
	}
	formats := rt.ARNFormats
	if f, ok := b.formats[strings.ToLower(prefix)+":"+rtName]; ok {
		formats = f
	}
	for _, f := range formats {
		if bf, ok := b.bindFormat(f, rt.Name); ok {
			return bf.template
		}
	}
	for _, f := range formats {
		if bf, ok := b.bindFormat(b.reduce(f, rt.Name), rt.Name); ok {
			return bf.template
		}
	}
	return ""
}

// reduce replaces the placeholders of format that no request member fills
// with "*".
func (b *binder) reduce(format, rt string) string {
	return placeholderRE.ReplaceAllStringFunc(format, func(s string) string {
		ph := s[2 : len(s)-1]
		if contextPlaceholders[ph] {
			return s
		}
		if _, curated := b.curated(ph, rt); curated {
			return s
		}
		if _, _, found := b.member(ph, rt); found {
			return s
		}
		return "*"
	})
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !contains(b, x) {
			return false
		}
	}
	return true
}

var (
	pathWordRE = regexp.MustCompile(`[a-z0-9]+`)
	uriLabelRE = regexp.MustCompile(`\{[^}]*\}`)
)

// pathSimilarity is the share of the literal words of an ARN format's
// resource part (after the fifth colon, placeholders removed) that the
// operation's URI path also has.
func pathSimilarity(format, uri string) float64 {
	if uri == "" {
		return 0
	}
	parts := strings.SplitN(format, ":", 6)
	if len(parts) < 6 {
		return 0
	}
	res := placeholderRE.ReplaceAllString(parts[5], "")
	path, _, _ := strings.Cut(uri, "?")
	path = uriLabelRE.ReplaceAllString(path, "")
	inURI := map[string]bool{}
	for _, w := range pathWordRE.FindAllString(strings.ToLower(path), -1) {
		inURI[singular(w)] = true
	}
	ws := pathWordRE.FindAllString(strings.ToLower(res), -1)
	if len(ws) == 0 {
		return 0
	}
	n := 0
	for _, w := range ws {
		if inURI[singular(w)] {
			n++
		}
	}
	return float64(n) / float64(len(ws))
}

// singular drops a plural "s" from a resource type name.
func singular(s string) string {
	if strings.HasSuffix(s, "ies") {
		return strings.TrimSuffix(s, "ies") + "y"
	}
	if strings.HasSuffix(s, "s") && !strings.HasSuffix(s, "ss") {
		return strings.TrimSuffix(s, "s")
	}
	return s
}
