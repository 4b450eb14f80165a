package mapper

import (
	"bytes"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/iamwatch/iamwatch"
)

// Protocol names, as in the API models.
const (
	ProtoJSON     = "json"
	ProtoRESTJSON = "rest-json"
	ProtoRESTXML  = "rest-xml"
	ProtoQuery    = "query"
	ProtoEC2      = "ec2"
	ProtoCBOR     = "smithy-rpc-v2-cbor"
)

// request is an observation being identified.
type request struct {
	obs         *iamwatch.Observation
	method      string
	query       url.Values
	form        url.Values // query/ec2 form body
	sig         signature
	host        hostInfo
	path        string // escaped path, S3 virtual-hosted buckets moved into it
	contentType string
	hostLead    int // how many host labels come before the endpoint prefix
}

// Map identifies the operation of obs and the IAM actions it needs. It never
// fails: a call it cannot identify comes back with Recognized false and the
// reason.
func (ix *Index) Map(obs *iamwatch.Observation) iamwatch.Call {
	if obs.Method == "" && obs.API != "" {
		return ix.MapNamed(obs, nil)
	}
	r := &request{obs: obs, method: strings.ToUpper(obs.Method), path: obs.Path}
	if r.path == "" {
		r.path = "/"
	}
	// The call's parameters, and the query and form they are read from,
	// use storage from a pool.
	p := getParams(obs.Header, nil)
	if obs.RawQuery != "" {
		// A malformed pair is skipped; the rest still count.
		r.query, _ = p.parseQuery(p.queryMap(), obs.RawQuery)
		p.query = r.query
	}
	r.sig = parseSignature(obs.Header, r.query)
	r.host = parseHost(obs.Host)
	r.contentType = strings.ToLower(headerValue(obs.Header, "Content-Type"))

	call := iamwatch.Call{Service: r.sig.Service, Region: firstNonEmpty(r.sig.Region, r.host.Region, obs.Region)}
	if call.Service == "" && len(r.host.Labels) > 0 {
		call.Service = r.host.Labels[len(r.host.Labels)-1]
	}
	var labelBuf [4]labelValue
	op, proto, labels, why := ix.identify(r, p, labelBuf[:0])
	if op == nil {
		putParams(p)
		call.Reason = why
		call.AccountID = firstNonEmpty(obs.AccountID, r.host.AccountID)
		return call
	}
	s := op.svc
	call.Recognized = true
	call.Service = firstNonEmpty(r.sig.Service, s.SigningName)
	call.ServiceID, call.Model, call.Protocol, call.Operation = s.ServiceID, s.Model, proto, op.Name
	if call.Region == "" && (s.GlobalEndpoint != "" || len(s.Hosts) > 0) {
		call.Region = "us-east-1"
	}
	ix.params(p, r, op, proto, labels)
	call.AccountID = firstNonEmpty(obs.AccountID, r.host.AccountID)
	ctx := &tctx{
		partition: firstNonEmpty(r.host.Partition, partitionOf(call.Region)),
		region:    call.Region,
		account:   call.AccountID,
		path:      unescapePath(obs.Path),
		params:    p,
	}
	call.Actions = ix.actions(op, ctx, true)
	putParams(p)
	call.Conditions = ix.regionConditions(call.Region)
	return call
}

// regionConditions returns the call-wide condition values of a region,
// shared between calls (Call.Conditions is read-only).
func (ix *Index) regionConditions(region string) map[string][]string {
	if region == "" {
		return nil
	}
	if m, ok := ix.regionConds.Load(region); ok {
		return m.(map[string][]string)
	}
	m, _ := ix.regionConds.LoadOrStore(region, map[string][]string{"aws:RequestedRegion": {region}})
	return m.(map[string][]string)
}

// identify finds the operation and, for a REST operation, appends its URI
// labels to labels. A form body is parsed into p's storage. It returns the
// reason when it cannot.
func (ix *Index) identify(r *request, p *Params, labels []labelValue) (*operation, string, []labelValue, string) {
	cands := ix.candidates(r)
	h := r.obs.Header

	// json: X-Amz-Target names the operation.
	if target := headerValue(h, "X-Amz-Target"); target != "" {
		i := strings.LastIndexByte(target, '.')
		if i <= 0 {
			return nil, "", nil, "malformed X-Amz-Target " + quote(target)
		}
		prefix, name := target[:i], target[i+1:]
		// The candidates the prefix fits first, then any service of the
		// prefix.
		for _, s := range cands {
			if targetFits(s.TargetPrefix, prefix) {
				if op := s.compile().ops[name]; op != nil {
					return op, ProtoJSON, nil, ""
				}
			}
		}
		for _, s := range ix.byTarget[prefix] {
			if op := s.compile().ops[name]; op != nil {
				return op, ProtoJSON, nil, ""
			}
		}
		return nil, "", nil, "unknown operation " + quote(target)
	}

	// rpc-v2-cbor: /service/{ServiceShape}/operation/{Operation}.
	if svcName, opName, ok := cborPath(r.path); ok && (strings.EqualFold(h.Get("Smithy-Protocol"), "rpc-v2-cbor") || strings.Contains(r.contentType, "cbor")) {
		for _, s := range cands {
			if op := s.compile().ops[opName]; op != nil {
				return op, ProtoCBOR, nil, ""
			}
		}
		return nil, "", nil, "unknown rpc-v2-cbor operation " + quote(svcName+"."+opName)
	}

	// query and ec2: Action= in the form body or the query string.
	action := r.query.Get("Action")
	if action == "" && strings.HasPrefix(r.contentType, "application/x-www-form-urlencoded") {
		if f, failed := p.parseQuery(p.formMap(), string(r.obs.Body)); !failed || len(f) > 0 {
			r.form = f
			action = f.Get("Action")
		}
	}
	if action != "" {
		version := firstNonEmpty(r.query.Get("Version"), r.form.Get("Version"))
		var found *operation
		for _, s := range cands {
			op := s.compile().ops[action]
			if op == nil {
				continue
			}
			if version == "" || s.APIVersion == version {
				found = op
				break
			}
			if found == nil {
				found = op
			}
		}
		if found != nil {
			proto := ProtoQuery
			if found.svc.protocol[ProtoEC2] {
				proto = ProtoEC2
			}
			return found, proto, nil, ""
		}
		if len(cands) == 0 {
			return nil, "", nil, "unknown service for " + quote(r.obs.Host)
		}
		return nil, "", nil, "unknown operation " + quote(action) + " of " + cands[0].ServiceID
	}

	// rest-json and rest-xml: method, path template, static query, required
	// members.
	if len(cands) == 0 {
		return nil, "", nil, "unknown service for host " + quote(r.obs.Host) + " and signing name " + quote(r.sig.Service)
	}
	// Most paths have a few segments: split them into a buffer on the
	// stack.
	var segBuf [16]string
	segs, tail := appendPathSegments(segBuf[:0], r.path)
	if xid := r.query.Get("x-id"); xid != "" {
		for _, s := range cands {
			if op := s.compile().ops[xid]; op != nil && strings.EqualFold(op.Method, r.method) {
				for _, rt := range s.routes[r.method] {
					if rt.op == op {
						labels, _, _ = rt.match(labels, r.method, segs, tail, r.query, h)
						return op, restProto(s), labels, ""
					}
				}
				return op, restProto(s), nil, ""
			}
		}
	}
	var (
		best       *route
		bestLabels []labelValue
		excluded   []*route // scored, but their labels did not fit
	)
	for {
		var bestScore routeScore
		best = nil
		for _, s := range cands {
			for _, rt := range s.compile().routes[r.method] {
				score, ok := rt.score(r.method, segs, r.query, h)
				if ok && (best == nil || score.better(bestScore)) && !slices.Contains(excluded, rt) {
					best, bestScore = rt, score
				}
			}
		}
		if best == nil {
			break
		}
		var ok bool
		if bestLabels, ok = best.labels(labels, segs, tail); ok {
			break
		}
		excluded = append(excluded, best)
	}
	if best == nil {
		return nil, "", nil, "no operation of " + cands[0].ServiceID + " matches " + r.method + " " + r.path
	}
	if r.host.S3Kind == "express-control" && best.op.Name == "ListBuckets" {
		// The directory-bucket control endpoint's GET / lists directory
		// buckets; only the host tells it from ListBuckets when the SDK
		// sends no x-id.
		if op := best.op.svc.compile().ops["ListDirectoryBuckets"]; op != nil {
			return op, restProto(op.svc), bestLabels, ""
		}
	}
	return best.op, restProto(best.op.svc), bestLabels, ""
}

func restProto(s *service) string {
	if s.protocol[ProtoRESTXML] {
		return ProtoRESTXML
	}
	return ProtoRESTJSON
}

// targetFits reports whether an X-Amz-Target prefix names a service's
// target prefix: the whole of it, or its last dotted part.
func targetFits(servicePrefix, prefix string) bool {
	if servicePrefix == prefix {
		return true
	}
	n := len(servicePrefix) - len(prefix)
	return n > 0 && servicePrefix[n-1] == '.' && servicePrefix[n:] == prefix
}

// cborPath parses "/service/{svc}/operation/{op}", which may follow a path
// prefix of a custom endpoint.
func cborPath(p string) (svc, op string, ok bool) {
	i := strings.LastIndex(p, "/service/")
	if i < 0 {
		return "", "", false
	}
	rest := p[i+len("/service/"):]
	svc, rest, ok = strings.Cut(rest, "/operation/")
	if !ok || svc == "" || rest == "" || strings.Contains(rest, "/") {
		return "", "", false
	}
	return svc, rest, true
}

// candidates lists the services a request may be for, best first, and
// moves an S3 virtual-hosted bucket into the path.
func (ix *Index) candidates(r *request) []*service {
	var bySig []*service
	if s := r.sig.Service; s != "" {
		bySig = ix.bySigning[s]
		if len(bySig) == 0 {
			bySig = ix.byAlias[foldName(s)]
		}
	}
	var byHost []*service
	hi := r.host
	switch hi.S3Kind {
	case "":
		if ss := ix.byHost[hi.Name]; len(ss) > 0 {
			byHost = ss
		} else {
			for k := 0; k < len(hi.Labels); k++ {
				if ss := lookupJoined(ix.byPrefix, hi.Labels[k:]); len(ss) > 0 {
					byHost, r.hostLead = ss, k
					break
				}
			}
		}
	case "control":
		byHost = ix.servicesOf("s3control")
	case "express-control":
		byHost = ix.servicesOf("s3")
	default:
		byHost = ix.servicesOf("s3")
		switch {
		case hi.S3Kind == "accesspoint" || hi.S3Kind == "object-lambda":
			svc := "s3"
			if hi.S3Kind == "object-lambda" {
				svc = "s3-object-lambda"
			}
			arn := "arn:" + firstNonEmpty(hi.Partition, partitionOf(hi.Region)) + ":" + svc + ":" + hi.Region + ":" + hi.AccountID + ":accesspoint/" + hi.S3Name
			r.path = "/" + url.PathEscape(arn) + pathOrEmpty(r.path)
		case hi.S3Bucket != "":
			r.path = "/" + url.PathEscape(hi.S3Bucket) + pathOrEmpty(r.path)
		}
	}
	if r.sig.Service == "s3-outposts" && strings.HasPrefix(r.path, "/v20180820/") {
		// S3 Control's API on Outposts: signed for s3-outposts, sent to
		// the s3-outposts host.
		return ix.servicesOf("s3control")
	}
	switch {
	case len(bySig) == 0:
		return byHost
	case len(byHost) == 0:
		return bySig
	}
	// The services of both lists, in bySig's order, or bySig when none
	// is in both. Neither list holds a service twice, so when every
	// service of bySig is in byHost, that is bySig itself: only a partial
	// overlap needs a new list.
	n := 0
	for _, s := range bySig {
		if slices.Contains(byHost, s) {
			n++
		}
	}
	switch n {
	case 0, len(bySig):
		return bySig
	case 1:
		for _, s := range bySig {
			if slices.Contains(byHost, s) {
				return s.alone
			}
		}
	}
	both := make([]*service, 0, n)
	for _, s := range bySig {
		if slices.Contains(byHost, s) {
			both = append(both, s)
		}
	}
	return both
}

// lookupJoined looks up labels joined with dots in idx without building
// the joined string on the heap.
func lookupJoined(idx map[string][]*service, labels []string) []*service {
	if len(labels) == 1 {
		return idx[labels[0]]
	}
	var buf [128]byte
	b := buf[:0]
	for i, l := range labels {
		if i > 0 {
			b = append(b, '.')
		}
		b = append(b, l...)
	}
	return idx[string(b)]
}

// servicesOf returns the service of a model alone, as a shared list that
// callers must not modify.
func (ix *Index) servicesOf(model string) []*service {
	if s := ix.byModel[model]; s != nil {
		return s.alone
	}
	return nil
}

func pathOrEmpty(p string) string {
	if p == "/" {
		return ""
	}
	return p
}

// params gathers the request's parameters for the operation into p.
func (ix *Index) params(p *Params, r *request, op *operation, proto string, labels []labelValue) {
	h := r.obs.Header
	for _, l := range labels {
		name := l.label
		if m, ok := op.uri[name]; ok {
			name = m
		}
		p.add(name, l.value)
	}
	if len(r.query) > 0 {
		for _, b := range op.queryList {
			for _, v := range r.query[b.wire] {
				p.add(b.member, v)
			}
		}
	}
	if len(h) > 0 {
		for _, b := range op.headerList {
			for _, v := range h[b.wire] {
				p.add(b.member, v)
			}
		}
	}
	if strings.Contains(op.HostPrefix, "{") && r.hostLead > 0 {
		open, close := strings.IndexByte(op.HostPrefix, '{'), strings.IndexByte(op.HostPrefix, '}')
		if close > open {
			p.add(op.HostPrefix[open+1:close], r.host.Labels[0])
		}
	}
	if r.host.AccountID != "" && len(p.Get("AccountId")) == 0 {
		p.add("AccountId", r.host.AccountID)
	}
	if (proto == ProtoQuery || proto == ProtoEC2) && len(r.obs.Body) == 0 {
		p.parseFormBody(r.query)
	}
	if len(r.obs.Body) > 0 {
		p.deferBody(r.obs.Body, r.form, r.contentType, op, proto)
	}
}

// parseBody adds the body's members to p, by the operation's protocol.
func parseBody(p *Params, body []byte, form url.Values, contentType string, op *operation, proto string) {
	switch {
	case proto == ProtoQuery || proto == ProtoEC2:
		if form == nil {
			form, _ = url.ParseQuery(string(body))
		}
		p.parseFormBody(form)
	case proto == ProtoCBOR:
		p.parseCBORBody(body)
	case proto == ProtoJSON:
		p.parseJSONBody(body)
	case proto == ProtoRESTJSON && (strings.Contains(contentType, "json") || bytes.HasPrefix(bytes.TrimSpace(body), []byte("{"))):
		p.parseJSONBody(body)
	case proto == ProtoRESTXML && (strings.Contains(contentType, "xml") || contentType == "") && bytes.HasPrefix(bytes.TrimSpace(body), []byte("<")):
		p.parseXMLBody(body)
	}
	// Body members renamed on the wire ("Attribute" for Attributes, XML
	// "Object" for Objects) are also found under their member names, with
	// everything below them.
	if len(op.body) > 0 {
		var buf [8][2]string
		add := buf[:0]
		for k := range p.vals {
			for wire, name := range op.body {
				if wire == name {
					continue
				}
				if k == wire {
					add = append(add, [2]string{k, name})
				} else if rest, ok := strings.CutPrefix(k, wire+"."); ok {
					add = append(add, [2]string{k, name + "." + rest})
				}
			}
		}
		for _, a := range add {
			p.vals[a[1]] = append(p.vals[a[1]], p.vals[a[0]]...)
		}
	}
}

// actions applies the operation's rules and fills its templates.
func (ix *Index) actions(op *operation, c *tctx, withParams bool) []iamwatch.ActionUse {
	type pending struct {
		a      *compiledAction
		reason string
	}
	var reqBuf [8]pending
	req := reqBuf[:0]
	for _, a := range op.actions {
		req = append(req, pending{a: a})
	}
	if withParams {
		for _, rule := range op.rules {
			if !rule.when.eval(c.params) {
				continue
			}
			if len(rule.remove) > 0 {
				kept := req[:0]
				for _, pa := range req {
					if !containsFold(rule.remove, pa.a.action) {
						kept = append(kept, pa)
					}
				}
				req = kept
			}
			for _, a := range rule.add {
				req = append(req, pending{a: a, reason: rule.reason})
			}
		}
	}
	out := make([]iamwatch.ActionUse, 0, len(req)+len(op.possible))
	// The actions' resource lists are windows on one array, each with
	// room for its templates' values (or "*") and capped there, so that
	// appending to one never writes into another.
	var slab []string
	if withParams {
		n := 0
		for _, pa := range req {
			n += max(1, len(pa.a.resources))
		}
		for _, a := range op.possible {
			n += max(1, len(a.resources))
		}
		slab = make([]string, 0, n)
	}
	find := func(action string) int {
		for i := range out {
			if strings.EqualFold(out[i].Action, action) {
				return i
			}
		}
		return -1
	}
	emit := func(a *compiledAction, possible bool, reason string) {
		var res []string
		if k := max(1, len(a.resources)); cap(slab)-len(slab) >= k {
			res, slab = slab[len(slab):len(slab):len(slab)+k], slab[:len(slab)+k]
		}
		u := ix.fill(a, c, withParams, res)
		u.Possible, u.Reason = possible, firstNonEmpty(reason, a.reason)
		if i := find(u.Action); i >= 0 {
			prev := &out[i]
			if prev.Possible && !possible {
				prev.Possible, prev.Reason = false, u.Reason
			}
			prev.Resources = dedupe(append(prev.Resources, u.Resources...))
			prev.Exact = prev.Exact && u.Exact
			for k, v := range u.Conditions {
				if prev.Conditions == nil {
					prev.Conditions = map[string][]string{}
				}
				prev.Conditions[k] = dedupe(append(prev.Conditions[k], v...))
			}
			return
		}
		out = append(out, u)
	}
	for _, pa := range req {
		emit(pa.a, false, pa.reason)
	}
	for _, a := range op.possible {
		if find(a.action) >= 0 {
			continue
		}
		emit(a, true, "")
	}
	if !withParams {
		// Without parameters (CSM) no rule can be decided: what the rules
		// would add is possible, with the rule's condition as the reason.
		for _, rule := range op.rules {
			for _, a := range rule.add {
				if find(a.action) < 0 {
					emit(a, true, "when "+rule.when.String()+": "+rule.reason)
				}
			}
		}
	}
	if withParams && op.svc.Model == "s3" {
		out = adjustS3(ix.maps, out, c)
	}
	for i := range out {
		if len(out[i].Resources) > 1 {
			sort.Strings(out[i].Resources)
		}
	}
	return out
}

// fill applies an action's templates. With parameters, its resources are
// appended to res, which has room for them when the caller provides it.
func (ix *Index) fill(a *compiledAction, c *tctx, withParams bool, res []string) iamwatch.ActionUse {
	u := iamwatch.ActionUse{Action: a.action, Exact: true}
	cat := a.cat
	if cat != nil {
		u.Level = cat.Level
	}
	if !withParams {
		u.Resources, u.Exact = []string{"*"}, cat == nil || len(cat.ResourceTypes) == 0
		return u
	}
	u.Resources = res
	if res == nil && len(a.resources) > 0 {
		u.Resources = make([]string, 0, len(a.resources))
	}
	for _, t := range a.resources {
		var exact bool
		u.Resources, exact = t.appendExpand(u.Resources, c)
		u.Exact = u.Exact && exact
	}
	if len(u.Resources) == 0 {
		u.Resources = append(u.Resources, "*")
		// "*" is exact only for actions without resource types.
		u.Exact = cat != nil && len(cat.ResourceTypes) == 0
	}
	u.Resources = dedupe(u.Resources)
	if a.requestTags {
		if keys, vals := requestTags(c.params); len(keys) > 0 {
			if u.Conditions == nil {
				u.Conditions = map[string][]string{}
			}
			for i, k := range keys {
				u.Conditions["aws:RequestTag/"+k] = []string{vals[i]}
			}
			u.Conditions["aws:TagKeys"] = keys
		}
	}
	for _, cond := range a.conditions {
		have := u.Conditions[cond.key]
		vals, exact := cond.value.appendExpand(have, c)
		if !exact || len(vals) == len(have) {
			continue
		}
		if u.Conditions == nil {
			u.Conditions = map[string][]string{}
		}
		u.Conditions[cond.key] = dedupe(vals)
	}
	return u
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func quote(s string) string {
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return "\"" + s + "\""
}

func unescapePath(p string) string {
	if u, err := url.PathUnescape(p); err == nil {
		return u
	}
	return p
}
