package servicemaps

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	"github.com/iamwatch/iamwatch"
)

// The artifact is a line-oriented text file, so that a regeneration shows up
// in review as a readable diff. Each line is a record kind followed by
// tab-separated fields; records nest by order (an "op" belongs to the "svc"
// before it, an "m" to the "op" before it, and so on):
//
//	iamwatch-maps  VERSION
//	src  NAME  VERSION
//	svc  MODEL  SERVICE-ID  SIGNING-NAME  ENDPOINT-PREFIX  PROTOCOLS  TARGET-PREFIX  JSON-VERSION  API-VERSION  IAM-PREFIX  GLOBAL-ENDPOINT  ALIASES  ORIGIN  HOSTS
//	op   NAME  METHOD  URI  HOST-PREFIX  SOURCE  FLAGS  [ORIGIN]   (SOURCE: r reference, c curated, n name, u unsigned; FLAGS: d deprecated, u see below;
//	                                                             ORIGIN: the newer source of an operation merged into an older model)
//	m    NAME  LOCATION  WIRE  REQUIRED(0|1)
//	a    ACTION  RESOURCES  CONDITIONS  REASON   (required)
//	p    ACTION  RESOURCES  CONDITIONS  REASON   (possible; an empty REASON is DefaultPossibleReason)
//	r    WHEN  REASON  REMOVE
//	ra   ACTION  RESOURCES  CONDITIONS  REASON   (added by the rule before it)
//	ref  OPERATIONS                              (reference operations with authorized actions)
//	refmiss  PREFIX  SDK  OPERATION              (one not covered by a wire binding)
//	iam  PREFIX  NAME
//	rt   NAME  ARN-FORMATS
//	ck   NAME  TYPE  S|X                         (S: the service's own key; X: only named by actions)
//	ac   NAME  LEVEL  RESOURCE-TYPES  CONDITION-KEY-INDEXES
//
// Lists inside a field are separated by spaces (resources, conditions as
// KEY=VALUE) or commas (protocols, aliases, names, indexes). Access levels
// are abbreviated L, R, W, P, T.
//
// Six shorthands keep the artifact small (format 2):
//   - empty fields at the end of op, a, p, ra and r records are left out;
//   - an ACTION of "=" is the operation's own action: the service's
//     IAM-PREFIX, ":", the operation's NAME;
//   - each {LABEL} or {LABEL+} of the URI implies a required uri member
//     whose wire name is LABEL and whose name is LABEL, or, with the op
//     FLAG u, LABEL with its first letter upper-cased (chime's {accountId}
//     is AccountId): no m record, unless an m record names that wire name;
//   - a resource template that is exactly an ARN format of the catalog
//     service of its action is written @RESOURCE-TYPE, or
//     @RESOURCE-TYPE#N for the type's Nth format;
//   - any other resource template that starts with the regional ARN prefix
//     of its action's service, arn:${Partition}:PREFIX:${Region}:${Account}:,
//     is written ~ and the rest;
//   - the RESOURCE-TYPES of an ac record are indexes of the service's rt
//     records (0 is the first), like its condition keys.
// Decode also reads format 1, which has none of them.

const formatVersion = "2"

// trimmed are the records whose trailing empty fields Encode leaves out,
// with how many fields Decode pads them back to.
var trimmed = map[string]int{"op": 8, "a": 5, "p": 5, "ra": 5, "r": 4}

// ownAction is the ACTION field of an action template that names the
// operation's own action.
const ownAction = "="

// upperFirst upper-cases the first letter of an ASCII name.
func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// impliedURIMembers returns which members of o its URI implies, and
// whether they are named with the first letter upper-cased (FLAG u): for
// each label, the one uri member with that wire name, if it is required
// and named like the label (or, with upper, like upperFirst(label)).
func impliedURIMembers(o *Operation) (implied map[int]bool, upper bool) {
	labels := uriLabels(o.URI)
	if len(labels) == 0 {
		return nil, false
	}
	pick := func(upper bool) map[int]bool {
		out := map[int]bool{}
		for _, l := range labels {
			idx, n := -1, 0
			for i, mb := range o.Members {
				if mb.Location == "uri" && mb.Wire == l {
					idx, n = i, n+1
				}
			}
			name := l
			if upper {
				name = upperFirst(l)
			}
			if n == 1 && o.Members[idx].Required && o.Members[idx].Name == name {
				out[idx] = true
			}
		}
		return out
	}
	same, up := pick(false), pick(true)
	if len(up) > len(same) {
		return up, true
	}
	return same, false
}

// uriLabels returns the distinct {labels} of a URI template, in order,
// without a greedy "+".
func uriLabels(uri string) []string {
	var out []string
	for {
		i := strings.IndexByte(uri, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(uri[i:], '}')
		if j < 0 {
			return out
		}
		label := strings.TrimSuffix(uri[i+1:i+j], "+")
		uri = uri[i+j+1:]
		if label == "" {
			continue
		}
		dup := false
		for _, l := range out {
			if l == label {
				dup = true
			}
		}
		if !dup {
			out = append(out, label)
		}
	}
}

var sourceCode = map[string]string{"reference": "r", "curated": "c", "name": "n", "unsigned": "u"}
var codeSource = map[string]string{"r": "reference", "c": "curated", "n": "name", "u": "unsigned"}

var levelCode = map[iamwatch.AccessLevel]string{
	iamwatch.LevelList: "L", iamwatch.LevelRead: "R", iamwatch.LevelWrite: "W",
	iamwatch.LevelPermissionsManagement: "P", iamwatch.LevelTagging: "T",
}

var codeLevel = map[string]iamwatch.AccessLevel{
	"L": iamwatch.LevelList, "R": iamwatch.LevelRead, "W": iamwatch.LevelWrite,
	"P": iamwatch.LevelPermissionsManagement, "T": iamwatch.LevelTagging,
}

// Encode writes m in the artifact format. It sorts m first.
func Encode(m *Maps) ([]byte, error) {
	m.Sort()
	var b bytes.Buffer
	line := func(fields ...string) error {
		if _, ok := trimmed[fields[0]]; ok {
			for len(fields) > 2 && fields[len(fields)-1] == "" {
				fields = fields[:len(fields)-1]
			}
		}
		for i, f := range fields {
			if strings.ContainsAny(f, "\t\n\r") {
				return fmt.Errorf("field %q of %q record has a tab or newline", f, fields[0])
			}
			if i > 0 {
				b.WriteByte('\t')
			}
			b.WriteString(f)
		}
		b.WriteByte('\n')
		return nil
	}
	var err error
	must := func(e error) {
		if err == nil {
			err = e
		}
	}
	must(line("iamwatch-maps", formatVersion))
	for _, s := range m.Sources {
		must(line("src", s.Name, s.Version))
	}
	// ARN formats of the catalog, for the @RESOURCE-TYPE shorthand.
	formatRef := map[string]map[string]string{} // lower-case prefix -> format -> @ref
	for _, s := range m.IAM {
		refs := map[string]string{}
		for _, rt := range s.ResourceTypes {
			for i, f := range rt.ARNFormats {
				if _, dup := refs[f]; dup {
					continue
				}
				if i == 0 {
					refs[f] = "@" + rt.Name
				} else {
					refs[f] = "@" + rt.Name + "#" + strconv.Itoa(i+1)
				}
			}
		}
		formatRef[strings.ToLower(s.Prefix)] = refs
	}
	tmpl := func(kind string, s *Service, o *Operation, a ActionTemplate) {
		if kind == "p" && a.Reason == DefaultPossibleReason {
			a.Reason = ""
		}

		conds := make([]string, len(a.Conditions))
		for i, c := range a.Conditions {
			if strings.ContainsAny(c.Key+c.Value, " =") && strings.Contains(c.Key, "=") {
				must(fmt.Errorf("condition key %q has '='", c.Key))
			}
			if strings.Contains(c.Value, " ") || strings.Contains(c.Key, " ") {
				must(fmt.Errorf("condition %s=%s has a space", c.Key, c.Value))
			}
			conds[i] = c.Key + "=" + c.Value
		}
		prefix, _, _ := strings.Cut(a.Action, ":")
		refs := formatRef[strings.ToLower(prefix)]
		res := make([]string, len(a.Resources))
		for i, r := range a.Resources {
			if strings.Contains(r, " ") {
				must(fmt.Errorf("resource template %q has a space", r))
			}
			if strings.HasPrefix(r, "@") || strings.HasPrefix(r, "~") {
				must(fmt.Errorf("resource template %q starts with a shorthand", r))
			}
			res[i] = r
			if ref, ok := refs[r]; ok {
				res[i] = ref
			} else if rest, ok := strings.CutPrefix(r, arnPrefix(prefix)); ok && prefix != "" {
				res[i] = "~" + rest
			}
		}
		a.Resources = res
		if s.IAMPrefix != "" && a.Action == s.IAMPrefix+":"+o.Name {
			a.Action = ownAction
		} else if a.Action == ownAction {
			must(fmt.Errorf("action %q of %s.%s is the own-action shorthand", a.Action, s.Model, o.Name))
		}
		must(line(kind, a.Action, strings.Join(a.Resources, " "), strings.Join(conds, " "), a.Reason))
	}
	for _, s := range m.Services {
		must(line("svc", s.Model, s.ServiceID, s.SigningName, s.EndpointPrefix, strings.Join(s.Protocols, ","),
			s.TargetPrefix, s.JSONVersion, s.APIVersion, s.IAMPrefix, s.GlobalEndpoint, strings.Join(s.Aliases, ","), s.Origin, strings.Join(s.Hosts, ",")))
		for _, o := range s.Ops {
			flags := ""
			if o.Deprecated {
				flags = "d"
			}
			implied, upper := impliedURIMembers(o)
			if upper {
				flags += "u"
			}
			src := o.Source
			if abbr, ok := sourceCode[src]; ok {
				src = abbr
			}
			if o.Origin != "" {
				must(line("op", o.Name, o.Method, o.URI, o.HostPrefix, src, flags, o.Origin))
			} else {
				must(line("op", o.Name, o.Method, o.URI, o.HostPrefix, src, flags))
			}
			for i, mb := range o.Members {
				if implied[i] {
					continue
				}
				req := "0"
				if mb.Required {
					req = "1"
				}
				must(line("m", mb.Name, mb.Location, mb.Wire, req))
			}
			for _, a := range o.Actions {
				tmpl("a", s, o, a)
			}
			for _, a := range o.Possible {
				tmpl("p", s, o, a)
			}
			for _, r := range o.Rules {
				must(line("r", r.When, r.Reason, strings.Join(r.Remove, ",")))
				for _, a := range r.Add {
					tmpl("ra", s, o, a)
				}
			}
		}
	}
	if m.Reference.Operations > 0 {
		must(line("ref", strconv.Itoa(m.Reference.Operations)))
		miss := append([]ReferenceOp(nil), m.Reference.Missed...)
		sort.Slice(miss, func(i, j int) bool {
			a, b := miss[i], miss[j]
			if a.Prefix != b.Prefix {
				return a.Prefix < b.Prefix
			}
			if a.Operation != b.Operation {
				return a.Operation < b.Operation
			}
			return a.SDK < b.SDK
		})
		for _, o := range miss {
			must(line("refmiss", o.Prefix, o.SDK, o.Operation))
		}
	}
	for _, s := range m.IAM {
		must(line("iam", s.Prefix, s.Name))
		for _, rt := range s.ResourceTypes {
			must(line(append([]string{"rt", rt.Name}, rt.ARNFormats...)...))
		}
		// One key table per service: its own keys, then keys only actions name.
		idx := map[string]int{}
		var table []string
		for _, k := range s.ConditionKeys {
			if _, dup := idx[k.Name]; dup {
				continue
			}
			idx[k.Name] = len(table)
			table = append(table, k.Name)
			must(line("ck", k.Name, k.Type, "S"))
		}
		var extra []string
		seen := map[string]bool{}
		for _, a := range s.Actions {
			for _, k := range a.ConditionKeys {
				if _, ok := idx[k]; !ok && !seen[k] {
					seen[k] = true
					extra = append(extra, k)
				}
			}
		}
		sort.Strings(extra)
		for _, k := range extra {
			idx[k] = len(table)
			table = append(table, k)
			must(line("ck", k, "", "X"))
		}
		rtIdx := map[string]int{}
		for i, rt := range s.ResourceTypes {
			if _, dup := rtIdx[rt.Name]; !dup {
				rtIdx[rt.Name] = i
			}
		}
		for _, a := range s.Actions {
			code, ok := levelCode[a.Level]
			if !ok {
				must(fmt.Errorf("action %s:%s has unknown access level %q", s.Prefix, a.Name, a.Level))
			}
			ks := make([]string, len(a.ConditionKeys))
			for i, k := range a.ConditionKeys {
				ks[i] = strconv.Itoa(idx[k])
			}
			rts := make([]string, len(a.ResourceTypes))
			for i, rt := range a.ResourceTypes {
				if j, ok := rtIdx[rt]; ok {
					rts[i] = strconv.Itoa(j)
				} else if _, err := strconv.Atoi(rt); err == nil || rt == "" {
					must(fmt.Errorf("action %s:%s names resource type %q, which is not one of the service's", s.Prefix, a.Name, rt))
				} else {
					rts[i] = rt // not in the service's table: by name
				}
			}
			must(line("ac", a.Name, code, strings.Join(rts, ","), strings.Join(ks, ",")))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("encode service maps: %w", err)
	}
	return b.Bytes(), nil
}

// Decode parses an artifact written by Encode.
func Decode(data []byte) (*Maps, error) {
	return decode(string(data))
}

// decode parses the artifact. Every field is a substring of text, so
// decoding allocates structures, not strings.
func decode(text string) (*Maps, error) {
	m := &Maps{}
	var (
		svc   *Service
		op    *Operation
		rule  *Rule
		iam   *IAMService
		table []string
	)
	lineNo := 0
	fail := func(format string, args ...any) (*Maps, error) {
		return nil, fmt.Errorf("decode service maps: line %d: %s", lineNo, fmt.Sprintf(format, args...))
	}
	var (
		f       = make([]string, 0, 32)
		opSlab  []Operation
		actSlab []IAMAction
		version string
		implied int // how many members at the front of op's are implied by its URI
		slab    []byte
		arena   = func(parts ...string) string {
			// Strings the text does not hold (own actions, upper-cased
			// member names) share a buffer rather than each a string.
			n := 0
			for _, p := range parts {
				n += len(p)
			}
			if cap(slab)-len(slab) < n {
				slab = make([]byte, 0, max(n, 64<<10))
			}
			start := len(slab)
			for _, p := range parts {
				slab = append(slab, p...)
			}
			return unsafe.String(&slab[start], n)
		}
	)
	for len(text) > 0 {
		lineNo++
		var ln string
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			ln, text = text[:i], text[i+1:]
		} else {
			ln, text = text, ""
		}
		if len(ln) == 0 {
			continue
		}
		f = f[:0]
		for {
			i := strings.IndexByte(ln, '\t')
			if i < 0 {
				f = append(f, ln)
				break
			}
			f = append(f, ln[:i])
			ln = ln[i+1:]
		}
		if n, ok := trimmed[f[0]]; ok && version != "1" {
			for len(f) < n {
				f = append(f, "")
			}
		}
		switch f[0] {
		case "iamwatch-maps":
			if len(f) < 2 || f[1] != formatVersion && f[1] != "1" {
				return fail("unsupported format %q (want %s)", strings.Join(f[1:], " "), formatVersion)
			}
			version = f[1]
		case "src":
			if len(f) < 3 {
				return fail("short src record")
			}
			m.Sources = append(m.Sources, Source{Name: f[1], Version: f[2]})
		case "svc":
			if len(f) < 14 {
				return fail("short svc record")
			}
			svc = &Service{Model: f[1], ServiceID: f[2], SigningName: f[3], EndpointPrefix: f[4],
				Protocols: splitList(f[5], ","), TargetPrefix: f[6], JSONVersion: f[7], APIVersion: f[8],
				IAMPrefix: f[9], GlobalEndpoint: f[10], Aliases: splitList(f[11], ","), Origin: f[12], Hosts: splitList(f[13], ",")}
			m.Services = append(m.Services, svc)
			op, rule = nil, nil
		case "op":
			if svc == nil || len(f) < 6 {
				return fail("op record outside a service or short")
			}
			if len(opSlab) == cap(opSlab) {
				opSlab = make([]Operation, 0, 1024)
			}
			src := f[5]
			if full, ok := codeSource[src]; ok {
				src = full
			}
			opSlab = append(opSlab, Operation{Name: f[1], Method: f[2], URI: f[3], HostPrefix: f[4], Source: src,
				Deprecated: len(f) > 6 && strings.Contains(f[6], "d")})
			if len(f) > 7 {
				opSlab[len(opSlab)-1].Origin = f[7]
			}
			op = &opSlab[len(opSlab)-1]
			implied = 0
			if version != "1" {
				upper := len(f) > 6 && strings.Contains(f[6], "u")
				for _, l := range uriLabels(op.URI) {
					name := l
					if upper && l[0] >= 'a' && l[0] <= 'z' {
						name = arena(string(l[0]-'a'+'A'), l[1:])
					}
					op.Members = append(op.Members, Member{Name: name, Location: "uri", Wire: l, Required: true})
				}
				implied = len(op.Members)
			}
			svc.Ops = append(svc.Ops, op)
			rule = nil
		case "m":
			if op == nil || len(f) < 5 {
				return fail("m record outside an operation or short")
			}
			if f[2] == "uri" {
				// An explicit uri member replaces the one its label implied.
				for i := 0; i < implied; i++ {
					if op.Members[i].Wire == f[3] {
						op.Members = append(op.Members[:i], op.Members[i+1:]...)
						implied--
						break
					}
				}
			}
			op.Members = append(op.Members, Member{Name: f[1], Location: f[2], Wire: f[3], Required: f[4] == "1"})
		case "a", "p", "ra":
			if op == nil || len(f) < 5 {
				return fail("%s record outside an operation or short", f[0])
			}
			a := ActionTemplate{Action: f[1], Resources: splitList(f[2], " "), Reason: f[4]}
			if a.Action == ownAction && version != "1" {
				if svc.IAMPrefix == "" {
					return fail("own action %q in a service without an IAM prefix", ownAction)
				}
				a.Action = arena(svc.IAMPrefix, ":", op.Name)
			}
			for _, c := range splitList(f[3], " ") {
				k, v, _ := strings.Cut(c, "=")
				a.Conditions = append(a.Conditions, Condition{Key: k, Value: v})
			}
			switch f[0] {
			case "a":
				op.Actions = append(op.Actions, a)
			case "p":
				if a.Reason == "" {
					a.Reason = DefaultPossibleReason
				}
				op.Possible = append(op.Possible, a)
			default:
				if rule == nil {
					return fail("ra record without a rule")
				}
				rule.Add = append(rule.Add, a)
			}
		case "r":
			if op == nil || len(f) < 4 {
				return fail("r record outside an operation or short")
			}
			op.Rules = append(op.Rules, Rule{When: f[1], Reason: f[2], Remove: splitList(f[3], ",")})
			rule = &op.Rules[len(op.Rules)-1]
		case "ref":
			n, err := strconv.Atoi(f[len(f)-1])
			if len(f) < 2 || err != nil {
				return fail("bad ref record")
			}
			m.Reference.Operations = n
		case "refmiss":
			if len(f) < 4 {
				return fail("short refmiss record")
			}
			m.Reference.Missed = append(m.Reference.Missed, ReferenceOp{Prefix: f[1], SDK: f[2], Operation: f[3]})
		case "iam":
			if len(f) < 3 {
				return fail("short iam record")
			}
			iam = &IAMService{Prefix: f[1], Name: f[2]}
			m.IAM = append(m.IAM, iam)
			table = table[:0]
			svc, op, rule = nil, nil, nil
		case "rt":
			if iam == nil || len(f) < 2 {
				return fail("rt record outside an IAM service")
			}
			iam.ResourceTypes = append(iam.ResourceTypes, &ResourceType{Name: f[1], ARNFormats: append([]string(nil), f[2:]...)})
		case "ck":
			if iam == nil || len(f) < 4 {
				return fail("ck record outside an IAM service or short")
			}
			table = append(table, f[1])
			if f[3] == "S" {
				iam.ConditionKeys = append(iam.ConditionKeys, &ConditionKey{Name: f[1], Type: f[2]})
			}
		case "ac":
			if iam == nil || len(f) < 5 {
				return fail("ac record outside an IAM service or short")
			}
			lvl, ok := codeLevel[f[2]]
			if !ok {
				return fail("unknown access level %q", f[2])
			}
			if len(actSlab) == cap(actSlab) {
				actSlab = make([]IAMAction, 0, 1024)
			}
			actSlab = append(actSlab, IAMAction{Name: f[1], Level: lvl, ResourceTypes: splitList(f[3], ",")})
			a := &actSlab[len(actSlab)-1]
			if version != "1" {
				for i, rt := range a.ResourceTypes {
					if j, err := strconv.Atoi(rt); err == nil {
						if j < 0 || j >= len(iam.ResourceTypes) {
							return fail("bad resource type index %q", rt)
						}
						a.ResourceTypes[i] = iam.ResourceTypes[j].Name
					}
				}
			}
			if f[4] != "" {
				a.ConditionKeys = make([]string, 0, strings.Count(f[4], ",")+1)
			}
			for s := f[4]; s != ""; {
				var k string
				k, s, _ = strings.Cut(s, ",")
				i, err := strconv.Atoi(k)
				if err != nil || i < 0 || i >= len(table) {
					return fail("bad condition key index %q", k)
				}
				a.ConditionKeys = append(a.ConditionKeys, table[i])
			}
			iam.Actions = append(iam.Actions, a)
		default:
			return fail("unknown record %q", f[0])
		}
	}
	if len(m.Services) == 0 && len(m.IAM) == 0 {
		return nil, fmt.Errorf("decode service maps: no data")
	}
	m.index()
	if err := resolveFormatRefs(m); err != nil {
		return nil, fmt.Errorf("decode service maps: %w", err)
	}
	return m, nil
}

// arnPrefix is the regional ARN prefix of an action prefix's resources.
func arnPrefix(prefix string) string {
	return "arn:${Partition}:" + prefix + ":${Region}:${Account}:"
}

// resolveFormatRefs expands the @RESOURCE-TYPE[#N] and ~ resource
// templates, once the catalog is read.
func resolveFormatRefs(m *Maps) error {
	var slab []byte
	fix := func(list []ActionTemplate) error {
		for _, a := range list {
			for i, r := range a.Resources {
				if rest, ok := strings.CutPrefix(r, "~"); ok {
					prefix, _, _ := strings.Cut(a.Action, ":")
					full := arnPrefix(prefix)
					n := len(full) + len(rest)
					if cap(slab)-len(slab) < n {
						slab = make([]byte, 0, max(n, 64<<10))
					}
					start := len(slab)
					slab = append(append(slab, full...), rest...)
					a.Resources[i] = unsafe.String(&slab[start], n)
					continue
				}
				if !strings.HasPrefix(r, "@") {
					continue
				}
				name, nth, _ := strings.Cut(r[1:], "#")
				n := 1
				if nth != "" {
					var err error
					if n, err = strconv.Atoi(nth); err != nil || n < 2 {
						return fmt.Errorf("action %s: bad resource reference %q", a.Action, r)
					}
				}
				prefix, _, _ := strings.Cut(a.Action, ":")
				var rt *ResourceType
				if s := m.IAMService(prefix); s != nil {
					rt = s.ResourceType(name)
				}
				if rt == nil || n > len(rt.ARNFormats) {
					return fmt.Errorf("action %s: resource reference %q names no ARN format of the catalog", a.Action, r)
				}
				a.Resources[i] = rt.ARNFormats[n-1]
			}
		}
		return nil
	}
	for _, s := range m.Services {
		for _, o := range s.Ops {
			if err := fix(o.Actions); err != nil {
				return err
			}
			if err := fix(o.Possible); err != nil {
				return err
			}
			for _, r := range o.Rules {
				if err := fix(r.Add); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func splitList(s, sep string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, sep)
}
