// Package mapper turns what a capture front end saw into the AWS operation
// and the IAM permissions it needs. It is pure: no network, files or global
// state; everything it knows comes from the service maps it is given.
package mapper

import (
	"fmt"
	"net/textproto"
	"slices"
	"strings"
	"sync"

	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

// Index is the service maps compiled for fast lookup. It is safe for
// concurrent use once built.
type Index struct {
	maps      *servicemaps.Maps
	services  []*service
	bySigning map[string][]*service
	byPrefix  map[string][]*service // endpoint prefix
	byTarget  map[string][]*service // X-Amz-Target prefix
	byAlias   map[string][]*service // folded names: model, service ID, aliases
	byHost    map[string][]*service // exact hostnames
	byModel   map[string]*service

	regionConds sync.Map // region -> shared, read-only call conditions
}

type service struct {
	*servicemaps.Service
	maps     *servicemaps.Maps
	protocol map[string]bool
	alone    []*service // the service alone, a window on Index.services

	// Operations are compiled on first use: a process talks to a few of
	// the hundreds of services.
	once    sync.Once
	err     error
	ops     map[string]*operation
	opsFold map[string]*operation
	routes  map[string][]*route // by method
}

// compile builds the service's operations once. A service whose maps do not
// compile has no operations, and Index.Validate reports why.
func (s *service) compile() *service {
	s.once.Do(func() {
		ops := make(map[string]*operation, len(s.Ops))
		fold := make(map[string]*operation, len(s.Ops))
		routes := map[string][]*route{}
		for _, mo := range s.Ops {
			op, err := compileOperation(s, mo)
			if err != nil {
				s.err = fmt.Errorf("compile %s %s: %w", s.Model, mo.Name, err)
				return
			}
			ops[mo.Name] = op
			fold[strings.ToLower(mo.Name)] = op
			if r := compileRoute(op); r != nil {
				routes[r.method] = append(routes[r.method], r)
			}
		}
		s.ops, s.opsFold, s.routes = ops, fold, routes
	})
	return s
}

// Validate compiles every service's operations and returns the first error.
func (ix *Index) Validate() error {
	for _, s := range ix.services {
		if s.compile().err != nil {
			return s.err
		}
	}
	return nil
}

type operation struct {
	*servicemaps.Operation
	svc      *service
	uri      map[string]string // label -> member (identity, kept for clarity)
	query    map[string]string // wire -> member
	header   map[string]string // canonical wire -> member
	body     map[string]string // wire -> member, for renamed body members
	actions  []*compiledAction
	possible []*compiledAction
	rules    []*compiledRule

	// queryList and headerList are query and header as lists sorted by
	// wire name, for each request to walk without a map iterator;
	// headerList's wire names are as http.Header.Values would
	// canonicalize them.
	queryList  []wireMember
	headerList []wireMember
}

type wireMember struct {
	wire, member string
}

type compiledAction struct {
	action string // canonical case when the catalog has it
	cat    *servicemaps.IAMAction
	// requestTags: the action takes aws:RequestTag/${TagKey}, so the
	// request's tags are condition values.
	requestTags bool
	resources   []template
	conditions  []compiledCondition
	reason      string
}

type compiledCondition struct {
	key   string
	value template
}

type compiledRule struct {
	when   expr
	reason string
	add    []*compiledAction
	remove []string
}

// NewIndex indexes m. Operations compile on first use; Validate compiles
// them all.
func NewIndex(m *servicemaps.Maps) (*Index, error) {
	ix := &Index{
		maps:      m,
		bySigning: map[string][]*service{},
		byPrefix:  map[string][]*service{},
		byTarget:  map[string][]*service{},
		byAlias:   map[string][]*service{},
		byHost:    map[string][]*service{},
		byModel:   map[string]*service{},
	}
	for _, ms := range m.Services {
		s := &service{Service: ms, maps: m, protocol: make(map[string]bool, len(ms.Protocols))}
		for _, p := range ms.Protocols {
			s.protocol[p] = true
		}
		ix.services = append(ix.services, s)
		ix.byModel[ms.Model] = s
		add := func(idx map[string][]*service, key string) {
			if key == "" {
				return
			}
			for _, have := range idx[key] {
				if have == s {
					return
				}
			}
			idx[key] = append(idx[key], s)
		}
		add(ix.bySigning, ms.SigningName)
		add(ix.byPrefix, strings.ToLower(ms.EndpointPrefix))
		add(ix.byTarget, ms.TargetPrefix)
		// Newer SDKs send the short form of a namespaced target prefix:
		// "CloudTrail_20131101" for "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101".
		if i := strings.LastIndexByte(ms.TargetPrefix, '.'); i >= 0 {
			add(ix.byTarget, ms.TargetPrefix[i+1:])
		}
		for _, a := range append([]string{ms.Model, ms.ServiceID, ms.EndpointPrefix, ms.SigningName}, ms.Aliases...) {
			add(ix.byAlias, foldName(a))
		}
		for _, h := range ms.Hosts {
			add(ix.byHost, strings.ToLower(h))
		}
	}
	for i, s := range ix.services {
		s.alone = ix.services[i : i+1 : i+1]
	}
	// Services that share an endpoint and their operations' names cannot
	// be told apart on the wire: RDS, DocumentDB and Neptune all answer
	// DescribeDBInstances at rds.REGION.amazonaws.com, signed for rds, with
	// the same API version. The service that owns the name, whose model is
	// called like its signing name or endpoint prefix, comes first: its
	// curated resources (RDS's) then apply, and the actions are the same.
	for _, idx := range []map[string][]*service{ix.bySigning, ix.byPrefix, ix.byHost} {
		for _, ss := range idx {
			if len(ss) > 1 {
				slices.SortStableFunc(ss, func(a, b *service) int {
					switch oa, ob := a.ownsName(), b.ownsName(); {
					case oa && !ob:
						return -1
					case ob && !oa:
						return 1
					}
					return 0
				})
			}
		}
	}
	return ix, nil
}

// ownsName reports whether the service's model is named like its signing
// name or endpoint prefix.
func (s *service) ownsName() bool {
	return strings.EqualFold(s.Model, s.SigningName) || strings.EqualFold(s.Model, s.EndpointPrefix)
}

// foldName folds a service name for alias lookup: lower case, no spaces,
// dashes or underscores.
func foldName(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if c == ' ' || c == '-' || c == '_' {
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

func compileOperation(s *service, mo *servicemaps.Operation) (*operation, error) {
	op := &operation{Operation: mo, svc: s}
	for _, m := range mo.Members {
		switch m.Location {
		case "uri":
			if op.uri == nil {
				op.uri = map[string]string{}
			}
			op.uri[m.Wire] = m.Name
		case "querystring":
			if op.query == nil {
				op.query = map[string]string{}
			}
			op.query[m.Wire] = m.Name
		case "header":
			if op.header == nil {
				op.header = map[string]string{}
			}
			op.header[canonicalHeader(m.Wire)] = m.Name
		case "body":
			if op.body == nil {
				op.body = map[string]string{}
			}
			op.body[m.Wire] = m.Name
		}
	}
	for wire, name := range op.query {
		op.queryList = append(op.queryList, wireMember{wire: wire, member: name})
	}
	for wire, name := range op.header {
		op.headerList = append(op.headerList, wireMember{wire: textproto.CanonicalMIMEHeaderKey(wire), member: name})
	}
	byWire := func(a, b wireMember) int { return strings.Compare(a.wire, b.wire) }
	slices.SortFunc(op.queryList, byWire)
	slices.SortFunc(op.headerList, byWire)
	var err error
	compileList := func(list []servicemaps.ActionTemplate) []*compiledAction {
		out := make([]*compiledAction, 0, len(list))
		for _, a := range list {
			ca, e := compileAction(s.maps, a)
			if e != nil && err == nil {
				err = e
			}
			out = append(out, ca)
		}
		return out
	}
	op.actions = compileList(mo.Actions)
	op.possible = compileList(mo.Possible)
	for _, r := range mo.Rules {
		w, e := parseExpr(r.When)
		if e != nil {
			return nil, fmt.Errorf("rule %q: %w", r.When, e)
		}
		op.rules = append(op.rules, &compiledRule{when: w, reason: r.Reason, add: compileList(r.Add), remove: r.Remove})
	}
	return op, err
}

func compileAction(m *servicemaps.Maps, a servicemaps.ActionTemplate) (*compiledAction, error) {
	ca := &compiledAction{action: a.Action, reason: a.Reason}
	if cat := m.Action(a.Action); cat != nil {
		ca.cat = cat
		if p, _, ok := strings.Cut(a.Action, ":"); ok {
			ca.action = p + ":" + cat.Name
		}
		for _, k := range cat.ConditionKeys {
			if k == "aws:RequestTag/${TagKey}" || k == "aws:TagKeys" {
				ca.requestTags = true
			}
		}
	}
	for _, r := range a.Resources {
		t, err := parseTemplate(r)
		if err != nil {
			return ca, fmt.Errorf("action %s: %w", a.Action, err)
		}
		ca.resources = append(ca.resources, t)
	}
	for _, c := range a.Conditions {
		t, err := parseTemplate(c.Value)
		if err != nil {
			return ca, fmt.Errorf("action %s condition %s: %w", a.Action, c.Key, err)
		}
		ca.conditions = append(ca.conditions, compiledCondition{key: c.Key, value: t})
	}
	return ca, nil
}

// Maps returns the maps the index was built from.
func (ix *Index) Maps() *servicemaps.Maps { return ix.maps }

// Operation returns the binding of an operation, by model (or any service
// alias) and operation name (case-insensitive), for `maps explain`.
func (ix *Index) Operation(model, name string) (*servicemaps.Service, *servicemaps.Operation) {
	s := ix.lookupService(model)
	if s == nil {
		return nil, nil
	}
	if op := s.compile().opsFold[strings.ToLower(name)]; op != nil {
		return s.Service, op.Operation
	}
	return s.Service, nil
}

// lookupService finds a service by model name or any alias.
func (ix *Index) lookupService(name string) *service {
	if s := ix.byModel[name]; s != nil {
		return s
	}
	if ss := ix.byAlias[foldName(name)]; len(ss) > 0 {
		return ss[0]
	}
	return nil
}

func canonicalHeader(s string) string {
	// http.CanonicalHeaderKey, without importing net/http here twice.
	b := []byte(strings.ToLower(s))
	upper := true
	for i, c := range b {
		if upper && 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		upper = c == '-'
	}
	return string(b)
}
