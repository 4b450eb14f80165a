package mapper

import (
	"sort"
	"strings"

	"github.com/iamwatch/iamwatch"
)

// MapNamed maps a call known by its service and operation names instead of
// a request: CSM's Service and Api, or CloudTrail's eventSource and
// eventName. The service may be any name Map's index knows (service ID,
// model, alias, endpoint prefix, signing name) or an event source host
// ("monitoring.amazonaws.com"); an operation name with a trailing API
// version ("CreateFunction20150331", "UpdateFunctionCode20150331v2") is the
// operation without it.
//
// With obs.Params (a JSON object) the parameters fill resource templates
// and decide rules as a request's would; without them resources are "*",
// and what a rule would add is only possible. arns are ARNs the record says
// the call touched (CloudTrail's resources[]): a resource the parameters
// leave partly unknown becomes the ARNs that fit it.
func (ix *Index) MapNamed(obs *iamwatch.Observation, arns []string) iamwatch.Call {
	call := iamwatch.Call{Service: obs.Service, Region: obs.Region, AccountID: obs.AccountID, Operation: obs.API}
	cands := ix.namedServices(obs.Service)
	if len(cands) == 0 {
		call.Reason = "unknown service " + quote(obs.Service)
		return call
	}
	op := ix.namedOperation(cands, obs.API)
	if op == nil {
		call.Reason = "unknown operation " + quote(obs.API) + " of " + cands[0].ServiceID
		call.Service = cands[0].SigningName
		return call
	}
	s := op.svc
	call.Recognized = true
	call.Service, call.ServiceID, call.Model, call.Operation = s.SigningName, s.ServiceID, s.Model, op.Name
	if obs.Params == nil && len(arns) == 0 {
		call.Actions = ix.actions(op, &tctx{region: obs.Region, account: obs.AccountID, params: newParams(nil, nil)}, false)
		call.Conditions = ix.regionConditions(call.Region)
		return call
	}
	p := getParams(nil, nil)
	addNamedParams(p, obs.Params, op)
	c := &tctx{partition: partitionOf(call.Region), region: call.Region, account: call.AccountID, params: p}
	call.Actions = ix.actions(op, c, true)
	putParams(p)
	if len(arns) > 0 {
		ix.bindARNs(call.Actions, arns)
	}
	call.Conditions = ix.regionConditions(call.Region)
	return call
}

// namedServices returns the services a name may stand for, the one whose
// model is the name first: "rds.amazonaws.com" is RDS, DocDB and Neptune,
// which share their endpoint prefix and operation names.
func (ix *Index) namedServices(name string) []*service {
	if s := ix.lookupService(name); s != nil {
		return []*service{s}
	}
	h := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
	if ss := ix.byHost[h]; len(ss) > 0 {
		return ss
	}
	short := h
	for _, suf := range dnsSuffixes {
		if cut, ok := strings.CutSuffix(h, "."+suf); ok {
			short = cut
			break
		}
	}
	if short == "" {
		return nil
	}
	var ss []*service
	switch {
	case len(ix.byPrefix[short]) > 0:
		ss = ix.byPrefix[short]
	case len(ix.bySigning[short]) > 0:
		ss = ix.bySigning[short]
	default:
		ss = ix.byAlias[foldName(short)]
	}
	if len(ss) < 2 {
		return ss
	}
	out := append([]*service(nil), ss...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Model == short && out[j].Model != short })
	return out
}

// namedOperation finds the operation called name in the candidate services,
// then without a version suffix, then in the other services of the same
// IAM prefix: CloudTrail logs S3 Control's calls with eventSource
// s3.amazonaws.com.
func (ix *Index) namedOperation(cands []*service, name string) *operation {
	names := []string{name}
	if bare := stripVersion(name); bare != "" {
		names = append(names, bare)
	}
	find := func(ss []*service) *operation {
		for _, n := range names {
			for _, s := range ss {
				if op := s.compile().opsFold[strings.ToLower(n)]; op != nil {
					return op
				}
			}
		}
		return nil
	}
	if op := find(cands); op != nil {
		return op
	}
	prefix := cands[0].IAMPrefix
	if prefix == "" {
		return nil
	}
	var siblings []*service
	for _, s := range ix.services {
		if s.IAMPrefix == prefix && !containsService(cands, s) {
			siblings = append(siblings, s)
		}
	}
	return find(siblings)
}

func containsService(ss []*service, s *service) bool {
	for _, v := range ss {
		if v == s {
			return true
		}
	}
	return false
}

// stripVersion returns name without the API version CloudTrail appends to
// some event names (the Lambda Developer Guide: "GetFunction" may appear
// as "GetFunction20150331"): a date of eight digits, optionally separated
// by "_" or "-", then optionally "v" and digits. It returns "" when name
// has no such suffix.
func stripVersion(name string) string {
	s := name
	if i := strings.LastIndexByte(s, 'v'); i > 0 && isDigits(s[i+1:]) {
		s = s[:i]
	}
	j, digits := len(s), 0
	for j > 0 {
		c := s[j-1]
		if c >= '0' && c <= '9' {
			digits++
		} else if c != '_' && c != '-' {
			break
		}
		j--
	}
	if digits != 8 || j == 0 || j == len(s) {
		return ""
	}
	return s[:j]
}

// addNamedParams adds the members of a JSON object of request parameters
// to p under every name a template or rule may use for them: the name as
// logged, with each segment's first letter upper-cased ("queueUrl" is
// "QueueUrl"), and, for the first segment, the model member whose name or
// wire name it is, case aside ("x-amz-server-side-encryption" is
// "ServerSideEncryption"; "bucketName" is "Bucket"). EC2's
// "instancesSet.items.instanceId" is also "InstanceId", its query name.
func addNamedParams(p *Params, js []byte, op *operation) {
	if len(js) == 0 {
		return
	}
	raw := newParams(nil, nil)
	raw.flattenJSON(js)
	paths := make([]string, 0, len(raw.vals))
	inner := map[string]bool{} // paths of objects: their values are member names
	for k := range raw.vals {
		paths = append(paths, k)
		for i := strings.IndexByte(k, '.'); i >= 0; i = nextDot(k, i) {
			inner[k[:i]] = true
		}
	}
	sort.Strings(paths)
	for _, path := range paths {
		var names []string
		if inner[path] {
			// An object's value list is its member names, for the keys
			// filter: under its own name only, never under a member
			// alias, where a name would pass for a value
			// ("resourcesSet.items" is not a ResourceId).
			names = []string{path}
			if up := upperPath(path); up != path {
				names = append(names, up)
			}
		} else {
			names = paramNames(path, op)
		}
		for _, name := range names {
			for _, v := range raw.vals[path] {
				p.add(name, v)
			}
		}
	}
}

// upperPath upper-cases the first letter of each segment of path.
func upperPath(path string) string {
	segs := strings.Split(path, ".")
	for i, s := range segs {
		segs[i] = upperFirst(s)
	}
	return strings.Join(segs, ".")
}

// nextDot returns the index of the next '.' in s after i, or -1.
func nextDot(s string, i int) int {
	if j := strings.IndexByte(s[i+1:], '.'); j >= 0 {
		return i + 1 + j
	}
	return -1
}

// paramNames lists the names a logged parameter path is known by.
func paramNames(path string, op *operation) []string {
	segs := strings.Split(path, ".")
	variants := [][]string{segs}
	if ec2 := ec2Variants(segs); ec2 != nil {
		variants = append(variants, ec2...)
	}
	var out []string
	add := func(parts []string) {
		n := strings.Join(parts, ".")
		for _, have := range out {
			if have == n {
				return
			}
		}
		out = append(out, n)
	}
	for _, v := range variants {
		if len(v) == 0 {
			continue
		}
		add(v)
		up := make([]string, len(v))
		for i, s := range v {
			up[i] = upperFirst(s)
		}
		add(up)
		for _, m := range memberNames(op, v[0]) {
			add(append([]string{m}, up[1:]...))
		}
	}
	return out
}

// ec2Variants returns the forms of a path in EC2's logged shape, where a
// list is {"xSet": {"items": [...]}}: without the items level and with the
// list named "x" ("tagSpecificationSet.items.tags" is "tagSpecification.tags"),
// and without the list level ("instancesSet.items.instanceId" is
// "instanceId", as the query's "InstanceId.N"). Nil when there is none.
func ec2Variants(segs []string) [][]string {
	has := false
	for i, s := range segs {
		if s == "items" && i > 0 && strings.HasSuffix(segs[i-1], "Set") {
			has = true
		}
	}
	if !has {
		return nil
	}
	var named, dropped []string
	for i, s := range segs {
		setList := strings.HasSuffix(s, "Set") && i+1 < len(segs) && segs[i+1] == "items"
		switch {
		case s == "items" && i > 0 && strings.HasSuffix(segs[i-1], "Set"):
		case setList:
			named = append(named, strings.TrimSuffix(s, "Set"))
		default:
			named = append(named, s)
			dropped = append(dropped, s)
		}
	}
	return [][]string{named, dropped}
}

// memberNames returns the model name and wire name of the operation's
// member that seg names, ignoring case, or whose name is seg without a
// trailing "Name" (S3's "bucketName" for Bucket).
func memberNames(op *operation, seg string) []string {
	if op == nil || seg == "" {
		return nil
	}
	for _, try := range []string{seg, trimSuffixFold(seg, "Name")} {
		if try == "" {
			continue
		}
		for _, m := range op.Members {
			if strings.EqualFold(m.Name, try) || strings.EqualFold(m.Wire, try) {
				if m.Wire != "" && m.Wire != m.Name && !strings.ContainsRune(m.Wire, '-') {
					return []string{m.Name, m.Wire}
				}
				return []string{m.Name}
			}
		}
	}
	return nil
}

func trimSuffixFold(s, suffix string) string {
	if len(s) > len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix) {
		return s[:len(s)-len(suffix)]
	}
	return ""
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// maxBindARN bounds the ARNs bindARNs compares: an ARN is at most 2048
// characters.
const maxBindARN = 2048

// bindARNs replaces each resource that the parameters left partly unknown
// (a "*" part, or "*" for an action that has resource types) by the ARNs
// of arns that fit it. An action whose every such resource was bound
// becomes exact.
func (ix *Index) bindARNs(out []iamwatch.ActionUse, arns []string) {
	for i := range out {
		u := &out[i]
		if u.Exact {
			continue
		}
		var res []string
		bound, all := false, true
		for _, r := range u.Resources {
			if !strings.Contains(r, "*") {
				res = append(res, r)
				continue
			}
			pats := []string{r}
			if r == "*" {
				pats = ix.formatPatterns(u.Action)
			}
			var hits []string
			for _, a := range arns {
				if len(a) > maxBindARN || !strings.HasPrefix(a, "arn:") {
					continue
				}
				for _, p := range pats {
					if arnFits(p, a) {
						hits = append(hits, a)
						break
					}
				}
			}
			if len(hits) == 0 {
				res = append(res, r)
				all = false
				continue
			}
			res = append(res, hits...)
			bound = true
		}
		if bound {
			res = dedupe(res)
			sort.Strings(res)
			u.Resources, u.Exact = res, all
		}
	}
}

// formatPatterns returns the ARN formats of an action's resource types
// with every placeholder a "*".
func (ix *Index) formatPatterns(action string) []string {
	prefix, _, _ := strings.Cut(action, ":")
	cat, svc := ix.maps.Action(action), ix.maps.IAMService(prefix)
	if cat == nil || svc == nil {
		return nil
	}
	var out []string
	for _, name := range cat.ResourceTypes {
		rt := svc.ResourceType(name)
		if rt == nil {
			continue
		}
		for _, f := range rt.ARNFormats {
			var b strings.Builder
			for f != "" {
				i := strings.Index(f, "${")
				if i < 0 {
					b.WriteString(f)
					break
				}
				j := strings.IndexByte(f[i:], '}')
				if j < 0 {
					b.WriteString(f)
					break
				}
				b.WriteString(f[:i])
				b.WriteByte('*')
				f = f[i+j+1:]
			}
			out = append(out, b.String())
		}
	}
	return out
}

// arnFits reports whether arn fits pattern, whose "*" stands for one
// unknown part: any run of characters without ":" or "/", except that a
// final "/*" stands for the rest of the ARN (an S3 key, an IAM path and
// name). "?" stands for one character. So "arn:aws:s3:::*" fits a bucket
// ARN but not an object's, and "arn:aws:s3:::b/*" fits every object of b.
func arnFits(pattern, arn string) bool {
	if strings.HasSuffix(pattern, "/*") {
		head := pattern[:len(pattern)-1] // ends with "/"
		for i := 1; i < len(arn); i++ {
			if arn[i-1] == '/' && globPart(head, arn[:i]) {
				return true
			}
		}
		return false
	}
	return globPart(pattern, arn)
}

// globPart matches a pattern of "*" (no ":" or "/") and "?" against s. The
// pattern has few stars, so backtracking stays cheap; each star only
// spans one ARN part.
func globPart(p, s string) bool {
	for p != "" {
		switch p[0] {
		case '*':
			p = p[1:]
			for i := 0; i <= len(s); i++ {
				if globPart(p, s[i:]) {
					return true
				}
				if i < len(s) && (s[i] == ':' || s[i] == '/') {
					return false
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
		default:
			if s == "" || s[0] != p[0] {
				return false
			}
		}
		p, s = p[1:], s[1:]
	}
	return s == ""
}
