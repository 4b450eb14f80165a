package grants

import (
	"errors"
	"fmt"
	"strings"
)

// cfnPrincipalTypes are the resource types that define principals, and
// the type of principal each defines.
var cfnPrincipalTypes = map[string]string{
	"AWS::IAM::Role":  TypeRole,
	"AWS::IAM::User":  TypeUser,
	"AWS::IAM::Group": TypeGroup,
}

// cfnResourcePolicies are the resource types that carry a resource-based
// policy, and the property that holds it.
var cfnResourcePolicies = map[string]string{
	"AWS::S3::BucketPolicy":       "PolicyDocument",
	"AWS::SQS::QueuePolicy":       "PolicyDocument",
	"AWS::SQS::QueueInlinePolicy": "PolicyDocument",
	"AWS::SNS::TopicPolicy":       "PolicyDocument",
	"AWS::SNS::TopicInlinePolicy": "PolicyDocument",
	"AWS::KMS::Key":               "KeyPolicy",
	"AWS::ECR::Repository":        "RepositoryPolicyText",
}

// readCloudFormation reads the IAM resources of a template, resolving
// intrinsic functions as far as the template, the parameter values and the
// Reader's account and region decide them.
func (r Reader) readCloudFormation(in *Input, top map[string]any) error {
	resources, ok := top["Resources"].(map[string]any)
	if !ok {
		if top["Resources"] == nil {
			return errors.New("the template has no Resources")
		}
		return fmt.Errorf("the template's Resources is %s, not an object", describe(top["Resources"]))
	}
	t := &cfn{r: r, params: map[string]map[string]any{}, mappings: obj(top["Mappings"]), conds: obj(top["Conditions"]),
		res: map[string]map[string]any{}, condMemo: map[string]condResult{}, nameMemo: map[string]decided{}, busy: map[string]bool{}}
	for name, p := range obj(top["Parameters"]) {
		if pm := obj(p); pm != nil {
			t.params[name] = pm
		} else {
			t.params[name] = map[string]any{}
		}
	}
	for _, name := range sortedKeys(resources) {
		rm := obj(resources[name])
		if rm == nil || str(rm["Type"]) == "" {
			in.warn("", "%s: Resources.%s has no Type; skipped", in.Name, name)
			continue
		}
		t.res[name] = rm
	}
	switch tr := top["Transform"].(type) {
	case string:
		t.transform = []string{tr}
	case []any:
		for _, e := range tr {
			t.transform = append(t.transform, fmt.Sprint(finalize(e)))
		}
	}
	if len(t.transform) > 0 {
		in.warn("", "%s: the template uses the transform %s; resources that it generates are not read", in.Name, strings.Join(t.transform, ", "))
	}
	c := cfnRead{in: in, t: t, ids: map[string]string{}, managedARN: map[string]string{}}
	return c.read()
}

type cfnRead struct {
	in         *Input
	t          *cfn
	ids        map[string]string   // logical ID → principal ID
	managedARN map[string]string   // managed policy ARN text → logical ID
	condNotes  map[string][]string // logical ID → why its Condition is undecided
}

func (c *cfnRead) read() error {
	in, t := c.in, c.t
	c.condNotes = map[string][]string{}
	var order []string
	for _, name := range sortedKeys(t.res) {
		if cond := str(t.res[name]["Condition"]); cond != "" {
			switch r := t.condition(cond); r.v {
			case triFalse:
				continue // the stack will not create it
			case triUnknown:
				c.condNotes[name] = []string{fmt.Sprintf("Resources.%s exists only if condition %s holds, which is %s; assumed it does", name, cond, undecidable(r.reasons))}
			}
		}
		order = append(order, name)
	}
	// Principals and the ARNs of managed policies first: everything else
	// links to them.
	for _, name := range order {
		res := t.res[name]
		typ := str(res["Type"])
		if ptype, ok := cfnPrincipalTypes[typ]; ok {
			p := Principal{Type: ptype, Address: name}
			if n, ok := t.name(name, cfnKinds[typ].nameProp).text(); ok && obj(res["Properties"])[cfnKinds[typ].nameProp] != nil {
				p.Name = n
				if arn, ok := t.resolve(map[string]any{"Fn::GetAtt": []any{name, "Arn"}}, "").text(); ok {
					p.ARN = arn
				}
			}
			c.ids[name] = in.Principals[in.addPrincipal(p)].ID()
		}
		if typ == "AWS::IAM::ManagedPolicy" {
			if arn, ok := scalarText(t.resolve(map[string]any{"Ref": name}, "").v); ok {
				c.managedARN[arn] = name
			}
		}
	}
	for _, name := range order {
		res := t.res[name]
		typ := str(res["Type"])
		props := obj(res["Properties"])
		var err error
		switch typ {
		case "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group":
			err = c.entity(name, props)
		case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy":
			var ids []string
			for _, a := range []struct{ prop, typ string }{{"Roles", TypeRole}, {"Users", TypeUser}, {"Groups", TypeGroup}} {
				ids = append(ids, c.principals(name, a.prop, props[a.prop], a.typ)...)
			}
			if typ == "AWS::IAM::Policy" && len(ids) == 0 {
				in.warn("", "%s: Resources.%s attaches to no role, user or group; left out", in.Name, name)
			}
			for _, id := range ids {
				if err = c.grant(KindIdentity, id, name, "Resources."+name, props["PolicyDocument"]); err != nil {
					break
				}
			}
		case "AWS::IAM::RolePolicy", "AWS::IAM::UserPolicy", "AWS::IAM::GroupPolicy":
			ptype := map[string]string{"AWS::IAM::RolePolicy": TypeRole, "AWS::IAM::UserPolicy": TypeUser, "AWS::IAM::GroupPolicy": TypeGroup}[typ]
			prop := map[string]string{TypeRole: "RoleName", TypeUser: "UserName", TypeGroup: "GroupName"}[ptype]
			for _, id := range c.principals(name, prop, []any{props[prop]}, ptype) {
				if err = c.grant(KindIdentity, id, name, "Resources."+name, props["PolicyDocument"]); err != nil {
					break
				}
			}
		case "AWS::IAM::UserToGroupAddition":
			groups := c.principals(name, "GroupName", []any{props["GroupName"]}, TypeGroup)
			for _, u := range c.principals(name, "Users", props["Users"], TypeUser) {
				c.addGroups(u, groups)
			}
		default:
			if prop, ok := cfnResourcePolicies[typ]; ok && props[prop] != nil {
				err = c.grant(KindResource, "", name, "Resources."+name, props[prop])
			}
		}
		if err != nil {
			return fmt.Errorf("resource %s: %w", name, err)
		}
	}
	// Managed policies attached to no one grant nothing; say so.
	for _, arn := range sortedKeys(c.managedARN) {
		name := c.managedARN[arn]
		attached := false
		for _, g := range in.Grants {
			if g.Source == in.Name+": Resources."+name {
				attached = true
			}
		}
		switch {
		case attached:
		case len(in.Principals) == 0:
			// A template of policies alone: the policies are what to compare.
			if err := c.grant(KindIdentity, "", name, "Resources."+name, obj(t.res[name]["Properties"])["PolicyDocument"]); err != nil {
				return err
			}
		default:
			in.warn("", "%s: Resources.%s (%s) is attached to no role, user or group in the file; left out", in.Name, name, arn)
		}
	}
	return nil
}

// entity reads a role's, user's or group's own policies: Policies,
// ManagedPolicyArns, PermissionsBoundary and a user's Groups.
func (c *cfnRead) entity(name string, props map[string]any) error {
	in, t := c.in, c.t
	id := c.ids[name]
	// Each policy is resolved on its own so that its notes are its own,
	// unless the list itself comes out of an intrinsic function.
	items, literal := props["Policies"].([]any)
	var shared []string
	if !literal && props["Policies"] != nil {
		d := t.resolve(props["Policies"], "Policies")
		items, shared = list(d.v), d.notes
	}
	for i, p := range items {
		src := fmt.Sprintf("Resources.%s.Policies[%d]", name, i)
		notes := shared
		if isIntrinsic(p) {
			d := t.resolve(p, fmt.Sprintf("Policies[%d]", i))
			p, notes = d.v, append(append([]string(nil), shared...), d.notes...)
		}
		if p == nil {
			continue // AWS::NoValue
		}
		pm := obj(p)
		if pm == nil {
			in.warn(id, "%s: %s is %s, not a policy; skipped", in.Name, src, describe(p))
			continue
		}
		if err := c.grantResolved(KindIdentity, id, name, src, pm["PolicyDocument"], notes); err != nil {
			return err
		}
	}
	for _, a := range []struct {
		prop string
		kind Kind
	}{{"ManagedPolicyArns", KindIdentity}, {"PermissionsBoundary", KindBoundary}} {
		v := props[a.prop]
		if v == nil {
			continue
		}
		items, ok := v.([]any)
		if !ok {
			if a.kind == KindBoundary {
				items = []any{v}
			} else {
				d := t.resolve(v, "")
				items = list(d.v)
				for _, n := range d.notes {
					in.warn(id, "%s: Resources.%s.%s: %s", in.Name, name, a.prop, n)
				}
			}
		}
		for i, e := range items {
			if err := c.attach(id, name, fmt.Sprintf("%s[%d]", a.prop, i), e, a.kind); err != nil {
				return err
			}
		}
	}
	if groups, ok := props["Groups"]; ok {
		c.addGroups(id, c.principals(name, "Groups", groups, TypeGroup))
	}
	return nil
}

// attach links the managed policy that e names to principal id.
func (c *cfnRead) attach(id, owner, where string, e any, kind Kind) error {
	in, t := c.in, c.t
	what := "attaches"
	if kind == KindBoundary {
		what = "sets the permissions boundary"
		where = strings.TrimSuffix(where, "[0]")
	}
	if logical, ok := refTarget(e); ok && str(obj(t.res[logical])["Type"]) == "AWS::IAM::ManagedPolicy" {
		return c.grant(kind, id, logical, "Resources."+logical, obj(t.res[logical]["Properties"])["PolicyDocument"])
	}
	d := t.resolve(e, "")
	arn, ok := scalarText(d.v)
	if logical, found := c.managedARN[arn]; ok && found {
		return c.grant(kind, id, logical, "Resources."+logical, obj(t.res[logical]["Properties"])["PolicyDocument"])
	}
	if !ok || len(d.notes) > 0 {
		in.warn(id, "%s: Resources.%s.%s %s %s, which the template leaves undecided (%s); not compared", in.Name, owner, where, what, arn, strings.Join(d.notes, "; "))
		return nil
	}
	in.warn(id, "%s: Resources.%s.%s %s %s, which is not in the template; its content is unknown", in.Name, owner, where, what, arn)
	return nil
}

// isIntrinsic reports whether v is a call of an intrinsic function.
func isIntrinsic(v any) bool {
	m := obj(v)
	if len(m) != 1 {
		return false
	}
	for k := range m {
		return k == "Ref" || strings.HasPrefix(k, "Fn::")
	}
	return false
}

// refTarget returns the logical ID that {"Ref": X} or {"Fn::GetAtt": [X, …]}
// names.
func refTarget(v any) (string, bool) {
	m := obj(v)
	if len(m) != 1 {
		return "", false
	}
	if s, ok := m["Ref"].(string); ok {
		return s, true
	}
	switch a := m["Fn::GetAtt"].(type) {
	case []any:
		if len(a) > 0 {
			return str(a[0]), str(a[0]) != ""
		}
	case string:
		res, _, _ := strings.Cut(a, ".")
		return res, res != ""
	}
	return "", false
}

// principals returns the IDs of the principals that the list v (a
// property of resource owner) names: by Ref to the template's own, or by
// name, which may be one defined elsewhere.
func (c *cfnRead) principals(owner, prop string, v any, typ string) []string {
	in, t := c.in, c.t
	if v == nil {
		return nil
	}
	items, ok := v.([]any)
	if !ok {
		items = list(t.resolve(v, "").v)
	}
	var ids []string
	for i, e := range items {
		if e == nil {
			continue
		}
		if logical, ok := refTarget(e); ok && cfnPrincipalTypes[str(obj(t.res[logical])["Type"])] == typ {
			if id, ok := c.ids[logical]; ok {
				ids = append(ids, id)
			}
			continue
		}
		d := t.resolve(e, "")
		if _, ok := d.v.(noValue); ok || d.v == nil {
			continue
		}
		name, ok := d.text()
		if !ok {
			in.warn("", "%s: Resources.%s.%s[%d]: the %s is left undecided (%s); not compared", in.Name, owner, prop, i, typ, strings.Join(d.notes, "; "))
			continue
		}
		ids = append(ids, in.byName(typ, name))
	}
	return dedupe(ids)
}

func (c *cfnRead) addGroups(user string, groups []string) {
	for i := range c.in.Principals {
		if p := &c.in.Principals[i]; p.ID() == user {
			p.Groups = dedupe(append(p.Groups, groups...))
		}
	}
}

// grant resolves a policy document of resource logical and adds it.
func (c *cfnRead) grant(kind Kind, id, logical, src string, doc any) error {
	return c.grantResolved(kind, id, logical, src, doc, nil)
}

func (c *cfnRead) grantResolved(kind Kind, id, logical, src string, doc any, notes []string) error {
	in := c.in
	d := c.t.resolve(doc, "")
	m, err := policyValue(d.v)
	if err == nil {
		err = checkPolicy(m)
	}
	if err != nil {
		in.warn(id, "%s: %s: %v; not compared", in.Name, src, err)
		return nil
	}
	cond := append(append(append([]string(nil), c.condNotes[logical]...), notes...), d.notes...)
	return in.addGrant(Grant{Kind: kind, Principal: id, Source: in.Name + ": " + src, Conditional: dedupe(cond)}, m)
}

// byName finds a principal by name (or ARN), adding one the input does not
// define: a policy may attach to a role made elsewhere.
func (in *Input) byName(typ, name string) string {
	for _, p := range in.Principals {
		if p.Type == typ && (p.Name == name || p.ARN == name) {
			return p.ID()
		}
	}
	p := Principal{Type: typ, Name: name}
	if strings.HasPrefix(name, "arn:") {
		p.ARN = name
		p.Name = name[strings.LastIndex(name, "/")+1:]
	}
	return in.Principals[in.addPrincipal(p)].ID()
}
