package grants

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// tfRes is one resource instance of a Terraform plan or state.
type tfRes struct {
	addr    string // absolute instance address: module.app[0].aws_iam_role.this
	modInst string // module instance path: module.app[0], "" in the root module
	mode    string // managed or data
	typ     string
	values  map[string]any
	unknown any            // the change's after_unknown: which values apply decides
	exprs   map[string]any // the configuration's expressions for the resource
}

// tfPlan reads the JSON that `terraform show -json` prints for a plan or a
// state. Values come from planned_values (or a state's values); where a
// value is unknown until apply, the configuration's references say where it
// would come from, which links attachments to the roles and policies they
// name and leads to aws_iam_policy_document data sources that can be
// rendered from their arguments.
type tfPlan struct {
	in       *Input
	res      map[string]*tfRes
	order    []*tfRes
	modules  map[string]bool           // module instance paths
	cfgMods  map[string]map[string]any // configuration module path → module object
	byAddr   map[string]int            // principal resource address → index in in.Principals
	byARN    map[string]*tfRes         // managed policies whose ARN is known
	attached map[string]bool           // managed policy addresses attached to someone
	docs     map[string]tfDoc
}

type tfDoc struct {
	doc   map[string]any
	notes []string
	err   error
}

func readTerraform(in *Input, top map[string]any) error {
	if v := str(top["format_version"]); v != "" {
		major, _, _ := strings.Cut(v, ".")
		if major != "0" && major != "1" {
			return fmt.Errorf("format_version %s is not supported (want 1.x)", v)
		}
	}
	t := &tfPlan{in: in, res: map[string]*tfRes{}, modules: map[string]bool{"": true}, cfgMods: map[string]map[string]any{},
		byAddr: map[string]int{}, byARN: map[string]*tfRes{}, attached: map[string]bool{}, docs: map[string]tfDoc{}}
	values := obj(top["planned_values"])
	if values == nil {
		values = obj(top["values"]) // a state
	}
	if values == nil && obj(top["prior_state"]) == nil {
		return errors.New("neither planned_values nor values")
	}
	t.walkValues(obj(values["root_module"]), false)
	// Data sources read while planning are in the prior state only.
	t.walkValues(obj(obj(obj(top["prior_state"])["values"])["root_module"]), true)
	for _, c := range list(top["resource_changes"]) {
		cm := obj(c)
		addr, change := str(cm["address"]), obj(cm["change"])
		if addr == "" || str(cm["deposed"]) != "" {
			continue // a deposed object: on its way out
		}
		r := t.res[addr]
		if r == nil {
			// Not in planned_values (a data source read during apply, in
			// some versions): the change's after value is the same thing.
			// An object without one is being deleted.
			vals := obj(change["after"])
			if vals == nil {
				continue
			}
			r = &tfRes{addr: addr, modInst: str(cm["module_address"]), mode: str(cm["mode"]), typ: str(cm["type"]), values: vals}
			t.res[addr] = r
		}
		r.unknown = change["after_unknown"]
	}
	t.walkConfig(obj(obj(top["configuration"])["root_module"]), "")
	exprs := map[string]map[string]any{} // configuration address → expressions
	for _, path := range sortedKeys(t.cfgMods) {
		for _, cr := range list(t.cfgMods[path]["resources"]) {
			crm := obj(cr)
			exprs[join(path, str(crm["address"]))] = obj(crm["expressions"])
		}
	}
	for _, r := range t.res {
		// Instances share their resource's configuration: strip the keys.
		r.exprs = exprs[stripKeys(r.addr)]
		t.order = append(t.order, r)
	}
	sort.Slice(t.order, func(i, j int) bool { return t.order[i].addr < t.order[j].addr })
	return t.read()
}

func (t *tfPlan) walkValues(m map[string]any, dataOnly bool) {
	if m == nil {
		return
	}
	mod := str(m["address"])
	t.modules[mod] = true
	for _, r := range list(m["resources"]) {
		rm := obj(r)
		addr := str(rm["address"])
		if addr == "" || t.res[addr] != nil || dataOnly && str(rm["mode"]) != "data" {
			continue
		}
		vals := obj(rm["values"])
		if vals == nil {
			vals = map[string]any{}
		}
		t.res[addr] = &tfRes{addr: addr, modInst: mod, mode: str(rm["mode"]), typ: str(rm["type"]), values: vals}
	}
	for _, c := range list(m["child_modules"]) {
		t.walkValues(obj(c), dataOnly)
	}
}

func (t *tfPlan) walkConfig(m map[string]any, path string) {
	if m == nil || t.cfgMods[path] != nil {
		return
	}
	t.cfgMods[path] = m
	for _, name := range sortedKeys(obj(m["module_calls"])) {
		t.walkConfig(obj(obj(obj(m["module_calls"])[name])["module"]), join(path, "module."+name))
	}
}

func (t *tfPlan) read() error {
	in := t.in
	for _, r := range t.order {
		typ, ok := map[string]string{"aws_iam_role": TypeRole, "aws_iam_user": TypeUser, "aws_iam_group": TypeGroup}[r.typ]
		if ok && r.mode == "managed" {
			p := Principal{Type: typ, Name: str(r.values["name"]), ARN: str(r.values["arn"]), Address: r.addr}
			t.byAddr[r.addr] = in.addPrincipal(p)
		}
		if r.typ == "aws_iam_policy" && str(r.values["arn"]) != "" {
			t.byARN[str(r.values["arn"])] = r
		}
	}
	for _, r := range t.order {
		if r.mode != "managed" {
			continue
		}
		var err error
		switch r.typ {
		case "aws_iam_role", "aws_iam_user":
			err = t.entity(r)
		case "aws_iam_role_policy":
			err = t.inline(r, "role", TypeRole)
		case "aws_iam_user_policy":
			err = t.inline(r, "user", TypeUser)
		case "aws_iam_group_policy":
			err = t.inline(r, "group", TypeGroup)
		case "aws_iam_role_policy_attachment":
			err = t.attachment(r, "role", TypeRole)
		case "aws_iam_user_policy_attachment":
			err = t.attachment(r, "user", TypeUser)
		case "aws_iam_group_policy_attachment":
			err = t.attachment(r, "group", TypeGroup)
		case "aws_iam_policy_attachment":
			for _, a := range []struct{ attr, typ string }{{"roles", TypeRole}, {"users", TypeUser}, {"groups", TypeGroup}} {
				if err = t.attachment(r, a.attr, a.typ); err != nil {
					break
				}
			}
		case "aws_iam_user_group_membership":
			t.membership(r, "user", "groups")
		case "aws_iam_group_membership":
			t.membership(r, "users", "group")
		default:
			if attr, ok := tfResourcePolicies[r.typ]; ok {
				err = t.resourcePolicy(r, attr)
			}
		}
		if err != nil {
			return fmt.Errorf("%s: %w", r.addr, err)
		}
	}
	// A policy attached to no one grants nothing, unless the plan has no
	// principal at all: then the policy itself is what to compare.
	for _, r := range t.order {
		if r.typ != "aws_iam_policy" || r.mode != "managed" || t.attached[r.addr] {
			continue
		}
		if len(in.Principals) > 0 {
			in.warn("", "%s: %s is attached to no role, user or group in the file; left out", in.Name, r.addr)
			continue
		}
		if err := t.grant(KindIdentity, "", r); err != nil {
			return err
		}
	}
	return nil
}

// tfResourcePolicies are the resource types that carry a resource-based
// policy, and the attribute that holds it.
var tfResourcePolicies = map[string]string{
	"aws_s3_bucket_policy":      "policy",
	"aws_sqs_queue_policy":      "policy",
	"aws_sns_topic_policy":      "policy",
	"aws_ecr_repository_policy": "policy",
	"aws_kms_key":               "policy",
	"aws_s3_bucket":             "policy",
	"aws_sqs_queue":             "policy",
	"aws_sns_topic":             "policy",
}

// entity reads a role's or user's own policies: inline_policy blocks,
// managed_policy_arns and permissions_boundary.
func (t *tfPlan) entity(r *tfRes) error {
	in := t.in
	id := in.Principals[t.byAddr[r.addr]].ID()
	n := len(list(r.values["inline_policy"]))
	if unknownAt(r.unknown, "inline_policy") {
		// A set with an unknown element is unknown as a whole; the
		// configuration still has one expression block per policy.
		n = max(n, len(list(r.exprs["inline_policy"])))
	}
	for i := 0; i < n; i++ {
		name := str(valueAt(r.values, "inline_policy", i, "name"))
		if name == "" {
			name = str(exprAt(r.exprs, "inline_policy", i, "name")["constant_value"])
		}
		if str(valueAt(r.values, "inline_policy", i, "policy")) == "" && !unknownAt(r.unknown, "inline_policy", i, "policy") {
			continue // the empty block the provider keeps when there is none
		}
		doc, notes, err := t.doc(r, "inline_policy", i, "policy")
		src := fmt.Sprintf("%s: %s, inline policy %s", in.Name, r.addr, orIndex(name, "inline_policy", i))
		if err != nil {
			in.warn(id, "%s: %v; not compared", src, err)
			continue
		}
		if err := in.addGrant(Grant{Kind: KindIdentity, Principal: id, Source: src, Conditional: notes}, doc); err != nil {
			return err
		}
	}
	if err := t.attachPolicies(r, "managed_policy_arns", KindIdentity, []string{id}); err != nil {
		return err
	}
	return t.attachPolicies(r, "permissions_boundary", KindBoundary, []string{id})
}

// inline reads aws_iam_role_policy and its user and group kin.
func (t *tfPlan) inline(r *tfRes, attr, typ string) error {
	in := t.in
	ids := t.targets(r, attr, typ)
	if len(ids) == 0 {
		in.warn("", "%s: %s: the %s it belongs to is unknown until apply and cannot be traced in the configuration; not compared", in.Name, r.addr, typ)
		return nil
	}
	doc, notes, err := t.doc(r, "policy")
	if err != nil {
		for _, id := range ids {
			in.warn(id, "%s: %s: %v; not compared", in.Name, r.addr, err)
		}
		return nil
	}
	for _, id := range ids {
		if err := in.addGrant(Grant{Kind: KindIdentity, Principal: id, Source: in.Name + ": " + r.addr, Conditional: notes}, doc); err != nil {
			return err
		}
	}
	return nil
}

// attachment reads a policy attachment: the principals in attr get the
// policy in policy_arn.
func (t *tfPlan) attachment(r *tfRes, attr, typ string) error {
	if !t.configured(r, attr) {
		return nil // aws_iam_policy_attachment without users, say
	}
	ids := t.targets(r, attr, typ)
	if len(ids) == 0 {
		t.in.warn("", "%s: %s: the %s it attaches to is unknown until apply and cannot be traced in the configuration; not compared", t.in.Name, r.addr, typ)
		return nil
	}
	return t.attachPolicies(r, "policy_arn", KindIdentity, ids)
}

// membership records aws_iam_user_group_membership and
// aws_iam_group_membership.
func (t *tfPlan) membership(r *tfRes, userAttr, groupAttr string) {
	users := t.targets(r, userAttr, TypeUser)
	groups := t.targets(r, groupAttr, TypeGroup)
	for i := range t.in.Principals {
		p := &t.in.Principals[i]
		for _, u := range users {
			if p.ID() == u {
				p.Groups = dedupe(append(p.Groups, groups...))
			}
		}
	}
}

func (t *tfPlan) resourcePolicy(r *tfRes, attr string) error {
	if !t.configured(r, attr) {
		return nil // a bucket, queue or key without a policy of its own
	}
	doc, notes, err := t.doc(r, attr)
	if err != nil {
		t.in.warn("", "%s: %s: %v; not compared", t.in.Name, r.addr, err)
		return nil
	}
	return t.in.addGrant(Grant{Kind: KindResource, Source: t.in.Name + ": " + r.addr, Conditional: notes}, doc)
}

// attachPolicies gives the principals ids the managed policies that
// attribute attr of r names by ARN.
func (t *tfPlan) attachPolicies(r *tfRes, attr string, kind Kind, ids []string) error {
	in := t.in
	what := "attaches"
	if kind == KindBoundary {
		what = "sets the permissions boundary"
	}
	if !t.configured(r, attr) {
		return nil
	}
	var known []string
	unknown := unknownAt(r.unknown, attr)
	switch v := r.values[attr].(type) {
	case string:
		known = append(known, v)
	case []any:
		for i, e := range v {
			if s := str(e); s != "" {
				known = append(known, s)
			} else if unknownAt(r.unknown, attr, i) || e == nil {
				unknown = true
			}
		}
	}
	if av, ok := r.unknown.(map[string]any); ok {
		if l, ok := av[attr].([]any); ok {
			for i := range l {
				if unknownAt(r.unknown, attr, i) {
					unknown = true
				}
			}
		}
	}
	var found []*tfRes
	for _, arn := range known {
		if arn == "" {
			continue
		}
		if p := t.byARN[arn]; p != nil {
			found = append(found, p)
			continue
		}
		for _, id := range ids {
			in.warn(id, "%s: %s %s %s, which is not in the file; its content is unknown", in.Name, r.addr, what, arn)
		}
	}
	if unknown {
		var traced bool
		for _, p := range t.follow(r.modInst, refsOf(exprAt(r.exprs, attr)), 0) {
			if p.typ == "aws_iam_policy" {
				found = append(found, p)
				traced = true
			}
		}
		if !traced {
			for _, id := range ids {
				in.warn(id, "%s: %s: %s is unknown until apply and cannot be traced to a policy in the file; not compared", in.Name, r.addr, attr)
			}
		}
	}
	for _, p := range found {
		t.attached[p.addr] = true
		for _, id := range ids {
			if err := t.grant(kind, id, p); err != nil {
				return err
			}
		}
	}
	return nil
}

// grant adds managed policy p for principal id.
func (t *tfPlan) grant(kind Kind, id string, p *tfRes) error {
	src := t.in.Name + ": " + p.addr
	doc, notes, err := t.doc(p, "policy")
	if err != nil {
		t.in.warn(id, "%s: %v; not compared", src, err)
		return nil
	}
	return t.in.addGrant(Grant{Kind: kind, Principal: id, Source: src, Conditional: notes}, doc)
}

// configured reports whether attribute attr of r is set: known and not
// empty, or unknown until apply and written in the configuration. An
// unknown attribute the configuration leaves out is one the provider
// computes (a role's managed_policy_arns, from its attachments), not one
// that hides a policy.
func (t *tfPlan) configured(r *tfRes, attr string) bool {
	if unknownAt(r.unknown, attr) || r.values[attr] == nil && hasUnknownIn(r.unknown, attr) {
		return r.exprs == nil || r.exprs[attr] != nil
	}
	switch v := r.values[attr].(type) {
	case string:
		return v != ""
	case []any:
		return len(v) > 0
	}
	return false
}

func hasUnknownIn(u any, attr string) bool {
	for _, e := range list(obj(u)[attr]) {
		if b, _ := e.(bool); b {
			return true
		}
	}
	return false
}

// targets returns the IDs of the principals of type typ that attribute
// attr of r names: by value when known, else by reference. A name that the
// plan does not define becomes a principal of its own, defined elsewhere.
func (t *tfPlan) targets(r *tfRes, attr, typ string) []string {
	in := t.in
	var ids []string
	unknown := unknownAt(r.unknown, attr)
	var names []string
	switch v := r.values[attr].(type) {
	case string:
		names = append(names, v)
	case []any:
		for i, e := range v {
			if s := str(e); s != "" {
				names = append(names, s)
			} else if e == nil || unknownAt(r.unknown, attr, i) {
				unknown = true
			}
		}
	case nil:
		unknown = true
	}
	for _, name := range names {
		if name == "" {
			continue
		}
		ids = append(ids, in.byName(typ, name))
	}
	if unknown {
		for _, p := range t.follow(r.modInst, refsOf(exprAt(r.exprs, attr)), 0) {
			if i, ok := t.byAddr[p.addr]; ok && in.Principals[i].Type == typ {
				ids = append(ids, in.Principals[i].ID())
			}
		}
	}
	return dedupe(ids)
}

// doc reads the policy document at path in r's values. When the value is
// unknown until apply, it follows the configuration to an
// aws_iam_policy_document data source and renders that instead.
func (t *tfPlan) doc(r *tfRes, path ...any) (map[string]any, []string, error) {
	key := fmt.Sprint(r.addr, path)
	if d, ok := t.docs[key]; ok {
		return d.doc, d.notes, d.err
	}
	t.docs[key] = tfDoc{err: errors.New("policy refers to itself")}
	doc, notes, err := t.readDoc(r, path)
	if err == nil {
		err = checkPolicy(doc)
	}
	t.docs[key] = tfDoc{doc, notes, err}
	return doc, notes, err
}

func (t *tfPlan) readDoc(r *tfRes, path []any) (map[string]any, []string, error) {
	attr := fmt.Sprint(path[len(path)-1])
	if !unknownAt(r.unknown, path...) {
		s := str(valueAt(r.values, path...))
		if s == "" {
			return nil, nil, fmt.Errorf("%s is empty", attr)
		}
		doc, err := policyValue(s)
		return doc, nil, err
	}
	expr := exprAt(r.exprs, path...)
	if s := str(expr["constant_value"]); s != "" {
		doc, err := policyValue(s)
		return doc, nil, err
	}
	refs := refsOf(expr)
	for _, d := range t.follow(r.modInst, refs, 0) {
		if d.typ != "aws_iam_policy_document" || d.mode != "data" {
			continue
		}
		doc, notes, err := t.render(d)
		if err != nil {
			return nil, nil, err
		}
		lead := fmt.Sprintf("%s is unknown until apply; rendered from %s", attr, d.addr)
		return doc, append([]string{lead}, notes...), nil
	}
	if len(refs) == 0 {
		return nil, nil, fmt.Errorf("%s is unknown until apply", attr)
	}
	return nil, nil, fmt.Errorf("%s is unknown until apply (it depends on %s)", attr, strings.Join(mostSpecific(refs), ", "))
}

// render builds the JSON an aws_iam_policy_document data source will
// produce, from its arguments, when its json attribute is not known yet.
func (t *tfPlan) render(d *tfRes) (map[string]any, []string, error) {
	if !unknownAt(d.unknown, "json") {
		if s := str(d.values["json"]); s != "" {
			doc, err := policyValue(s)
			return doc, nil, err
		}
	}
	var notes []string
	doc := map[string]any{"Version": "2012-10-17"}
	if v := str(d.values["version"]); v != "" {
		doc["Version"] = v
	}
	if v := str(d.values["policy_id"]); v != "" {
		doc["Id"] = v
	}
	var stmts []any
	merge := func(s map[string]any, replace bool) {
		if sid := str(s["Sid"]); sid != "" && replace {
			for i, old := range stmts {
				if str(obj(old)["Sid"]) == sid {
					stmts[i] = s
					return
				}
			}
		}
		stmts = append(stmts, s)
	}
	mergeDocs := func(attr string) error {
		for i, e := range list(d.values[attr]) {
			s := str(e)
			if s == "" {
				if e == nil || unknownAt(d.unknown, attr, i) {
					notes = append(notes, fmt.Sprintf("%s %s[%d] is unknown until apply; left out", d.addr, attr, i))
				}
				continue
			}
			sd, err := policyValue(s)
			if err != nil {
				return fmt.Errorf("%s %s[%d]: %w", d.addr, attr, i, err)
			}
			for _, st := range statements(sd) {
				merge(st, true)
			}
		}
		if unknownAt(d.unknown, attr) {
			notes = append(notes, fmt.Sprintf("%s %s is unknown until apply; left out", d.addr, attr))
		}
		return nil
	}
	if err := mergeDocs("source_policy_documents"); err != nil {
		return nil, nil, err
	}
	for i, s := range list(d.values["statement"]) {
		st, n := t.renderStatement(d, i, obj(s))
		notes = append(notes, n...)
		merge(st, true)
	}
	if err := mergeDocs("override_policy_documents"); err != nil {
		return nil, nil, err
	}
	if stmts == nil {
		stmts = []any{}
	}
	doc["Statement"] = stmts
	return doc, notes, nil
}

func statements(doc map[string]any) []map[string]any {
	switch s := doc["Statement"].(type) {
	case map[string]any:
		return []map[string]any{s}
	case []any:
		var out []map[string]any
		for _, e := range s {
			if m := obj(e); m != nil {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

func (t *tfPlan) renderStatement(d *tfRes, i int, s map[string]any) (map[string]any, []string) {
	var notes []string
	out := map[string]any{"Effect": "Allow"}
	if v := str(s["sid"]); v != "" {
		out["Sid"] = v
	}
	if v := str(s["effect"]); v != "" {
		out["Effect"] = v
	}
	// strs reads a list of strings, putting a placeholder for each element
	// apply decides.
	strs := func(path ...any) []string {
		full := append([]any{"statement", i}, path...)
		ph := func() string {
			refs := mostSpecific(refsOf(exprAt(d.exprs, full...)))
			text := "${unknown}"
			if len(refs) > 0 {
				text = "${" + refs[0] + "}"
			}
			notes = append(notes, fmt.Sprintf("%s %s: unknown until apply; kept as %s", d.addr, pathString(full), text))
			return text
		}
		if unknownAt(d.unknown, full...) {
			return []string{ph()}
		}
		var out []string
		for j, e := range list(valueAt(d.values, full...)) {
			switch {
			case str(e) != "":
				out = append(out, str(e))
			case e == nil || unknownAt(d.unknown, append(full, j)...):
				out = append(out, ph())
			}
		}
		return out
	}
	for _, f := range []struct{ attr, key string }{{"actions", "Action"}, {"not_actions", "NotAction"}, {"resources", "Resource"}, {"not_resources", "NotResource"}} {
		if v := strs(f.attr); len(v) > 0 {
			out[f.key] = oneOrMany(v)
		}
	}
	for _, f := range []struct{ attr, key string }{{"principals", "Principal"}, {"not_principals", "NotPrincipal"}} {
		ps := map[string][]string{}
		for j, p := range list(s[f.attr]) {
			typ := str(obj(p)["type"])
			ps[typ] = append(ps[typ], strs(f.attr, j, "identifiers")...)
		}
		if len(ps) == 0 {
			continue
		}
		if ids := ps["*"]; len(ps) == 1 && len(ids) == 1 && ids[0] == "*" {
			out[f.key] = "*"
			continue
		}
		m := map[string]any{}
		for typ, ids := range ps {
			m[typ] = oneOrMany(ids)
		}
		out[f.key] = m
	}
	conds := map[string]map[string][]string{}
	for j, c := range list(s["condition"]) {
		cm := obj(c)
		test, variable := str(cm["test"]), str(cm["variable"])
		if conds[test] == nil {
			conds[test] = map[string][]string{}
		}
		conds[test][variable] = append(conds[test][variable], strs("condition", j, "values")...)
	}
	if len(conds) > 0 {
		m := map[string]any{}
		for test, byVar := range conds {
			vm := map[string]any{}
			for variable, vals := range byVar {
				vm[variable] = oneOrMany(vals)
			}
			m[test] = vm
		}
		out["Condition"] = m
	}
	return out, notes
}

func oneOrMany(v []string) any {
	if len(v) == 1 {
		return v[0]
	}
	out := make([]any, len(v))
	for i, s := range v {
		out[i] = s
	}
	return out
}

const maxFollow = 16

// follow returns the resource instances that references made in module
// instance modInst lead to, through input variables and module outputs.
func (t *tfPlan) follow(modInst string, refs []string, depth int) []*tfRes {
	var out []*tfRes
	t.followInto(modInst, refs, depth, map[string]bool{}, map[string]bool{}, &out)
	return out
}

// followInto adds to out what refs lead to; visited holds the references
// already followed, so that a configuration whose modules pass values back
// and forth costs each reference once.
func (t *tfPlan) followInto(modInst string, refs []string, depth int, visited, seen map[string]bool, out *[]*tfRes) {
	if depth > maxFollow {
		return
	}
	add := func(rs ...*tfRes) {
		for _, r := range rs {
			if !seen[r.addr] {
				seen[r.addr] = true
				*out = append(*out, r)
			}
		}
	}
	for _, ref := range refs {
		if visited[modInst+"\x00"+ref] {
			continue
		}
		visited[modInst+"\x00"+ref] = true
		seg := splitAddr(ref)
		if len(seg) < 2 {
			continue
		}
		switch seg[0] {
		case "var":
			// An input variable: what the parent module passes in.
			i := strings.LastIndex(modInst, "module.")
			if i < 0 {
				continue
			}
			parent := strings.TrimSuffix(modInst[:i], ".")
			call := stripKeys(strings.TrimPrefix(modInst[i:], "module."))
			callCfg := obj(obj(obj(t.cfgMods[stripKeys(parent)])["module_calls"])[call])
			expr := obj(obj(callCfg["expressions"])[stripKeys(seg[1])])
			t.followInto(parent, refsOf(expr), depth+1, visited, seen, out)
		case "module":
			if len(seg) < 3 {
				continue
			}
			var child string
			base := join(modInst, "module."+stripKeys(seg[1]))
			if seg[1] != stripKeys(seg[1]) {
				child = join(modInst, "module."+seg[1])
			} else {
				var found []string
				for m := range t.modules {
					if m == base || strings.HasPrefix(m, base+"[") {
						found = append(found, m)
					}
				}
				if len(found) != 1 {
					continue // a module with several instances: no way to pick
				}
				child = found[0]
			}
			output := obj(obj(t.cfgMods[stripKeys(child)]["outputs"])[stripKeys(seg[2])])
			t.followInto(child, refsOf(obj(output["expression"])), depth+1, visited, seen, out)
		case "local", "each", "count", "path", "self", "terraform":
			continue
		default:
			local := seg[0] + "." + seg[1]
			if seg[0] == "data" {
				if len(seg) < 3 {
					continue
				}
				local = "data." + seg[1] + "." + seg[2]
			}
			if r := t.res[join(modInst, local)]; r != nil {
				add(r)
				continue
			}
			if local != stripKeys(local) {
				continue
			}
			var found []*tfRes
			for addr, r := range t.res {
				if strings.HasPrefix(addr, join(modInst, local)+"[") {
					found = append(found, r)
				}
			}
			if len(found) == 1 {
				add(found[0])
			}
		}
	}
}

// mostSpecific drops references that another one in the list extends
// ("aws_s3_bucket.b" beside "aws_s3_bucket.b.arn").
func mostSpecific(refs []string) []string {
	var out []string
	for _, r := range refs {
		implied := false
		for _, o := range refs {
			if o != r && (strings.HasPrefix(o, r+".") || strings.HasPrefix(o, r+"[")) {
				implied = true
			}
		}
		if !implied {
			out = append(out, r)
		}
	}
	return dedupe(out)
}

func refsOf(expr map[string]any) []string {
	var out []string
	for _, r := range list(expr["references"]) {
		if s := str(r); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// exprAt walks the configuration's block expressions: attributes are
// expression objects, nested blocks lists of block expressions.
func exprAt(exprs map[string]any, path ...any) map[string]any {
	return obj(valueAt(exprs, path...))
}

// valueAt walks maps by string keys and lists by int indexes.
func valueAt(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			v = obj(v)[k]
		case int:
			l := list(v)
			if k < 0 || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// unknownAt reports whether after_unknown marks path, or a value that
// contains it, as decided only by apply.
func unknownAt(u any, path ...any) bool {
	for _, p := range path {
		if b, _ := u.(bool); b {
			return true
		}
		u = valueAt(u, p)
	}
	b, _ := u.(bool)
	return b
}

func pathString(path []any) string {
	var b strings.Builder
	for _, p := range path {
		switch k := p.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", k)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, k)
		}
	}
	return b.String()
}

// splitAddr splits a Terraform address or reference at the dots that are
// not inside an index: module.a["x.y"].aws_iam_role.r → module, a["x.y"],
// aws_iam_role, r.
func splitAddr(s string) []string {
	var out []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '.' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// stripKeys removes instance keys from an address: module.a[0].x.y["k"] →
// module.a.x.y, the form the configuration uses.
func stripKeys(s string) string {
	var b strings.Builder
	depth, quoted := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quoted && c == '\\':
			i++
		case c == '"' && depth > 0:
			quoted = !quoted
		case quoted:
		case c == '[':
			depth++
		case c == ']' && depth > 0:
			depth--
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func join(prefix, s string) string {
	if prefix == "" {
		return s
	}
	return prefix + "." + s
}

// obj returns v as an object, or nil.
func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
