package grants

import (
	"fmt"
)

// managed is a customer- or AWS-managed policy's default version.
type managed struct {
	version string
	doc     map[string]any
}

// readAuthz reads the output of `aws iam get-account-authorization-details`
// (or the raw GetAccountAuthorizationDetails response, whose documents are
// URL-encoded strings). Trust policies (AssumeRolePolicyDocument) grant
// nothing to the role itself and are skipped.
func readAuthz(in *Input, top map[string]any) error {
	if t, _ := top["IsTruncated"].(bool); t {
		in.warn("", "%s: the listing is truncated (IsTruncated); roles, users or policies on later pages are missing", in.Name)
	}
	policies := map[string]managed{}
	for i, p := range list(top["Policies"]) {
		pm, ok := p.(map[string]any)
		if !ok {
			return fmt.Errorf("entry %d of Policies is %s, not an object", i, describe(p))
		}
		arn := str(pm["Arn"])
		if arn == "" {
			in.warn("", "%s: Policies[%d] has no Arn; skipped", in.Name, i)
			continue
		}
		m, err := defaultVersion(pm)
		if err != nil {
			in.warn("", "%s: policy %s: %v", in.Name, arn, err)
			continue
		}
		policies[arn] = m
	}

	a := authz{in: in, policies: policies}
	groupIDs := map[string]string{} // group name → principal ID
	var groups []map[string]any
	for i, g := range list(top["GroupDetailList"]) {
		gm, ok := g.(map[string]any)
		if !ok {
			return fmt.Errorf("entry %d of GroupDetailList is %s, not an object", i, describe(g))
		}
		groups = append(groups, gm)
	}
	// Roles, then users, then groups: the order people choose from.
	for i, r := range list(top["RoleDetailList"]) {
		rm, ok := r.(map[string]any)
		if !ok {
			return fmt.Errorf("entry %d of RoleDetailList is %s, not an object", i, describe(r))
		}
		p := Principal{Type: TypeRole, Name: str(rm["RoleName"]), ARN: str(rm["Arn"])}
		if err := a.entity(p, rm, "RolePolicyList"); err != nil {
			return err
		}
	}
	var users []map[string]any
	for i, u := range list(top["UserDetailList"]) {
		um, ok := u.(map[string]any)
		if !ok {
			return fmt.Errorf("entry %d of UserDetailList is %s, not an object", i, describe(u))
		}
		users = append(users, um)
	}
	userAt := map[int]int{}
	for i, um := range users {
		p := Principal{Type: TypeUser, Name: str(um["UserName"]), ARN: str(um["Arn"])}
		userAt[i] = in.addPrincipal(p)
	}
	for _, gm := range groups {
		p := Principal{Type: TypeGroup, Name: str(gm["GroupName"]), ARN: str(gm["Arn"])}
		groupIDs[p.Name] = p.ID()
		if err := a.entity(p, gm, "GroupPolicyList"); err != nil {
			return err
		}
	}
	for i, um := range users {
		p := &in.Principals[userAt[i]]
		for _, gn := range list(um["GroupList"]) {
			name := str(gn)
			if id, ok := groupIDs[name]; ok {
				p.Groups = append(p.Groups, id)
				continue
			}
			in.warn(p.ID(), "%s: user %s is in group %s, which is not in the file; the group's policies are unknown", in.Name, p.Name, name)
		}
		if err := a.entity(*p, um, "UserPolicyList"); err != nil {
			return err
		}
	}
	return nil
}

type authz struct {
	in       *Input
	policies map[string]managed
}

// entity records a role, user or group and the grants attached to it.
func (a authz) entity(p Principal, m map[string]any, inlineKey string) error {
	in := a.in
	if p.Name == "" && p.ARN == "" {
		in.warn("", "%s: a %s without name or ARN; skipped", in.Name, p.Type)
		return nil
	}
	id := in.Principals[in.addPrincipal(p)].ID()
	who := fmt.Sprintf("%s: %s %s", in.Name, p.Type, p.Name)
	for i, ip := range list(m[inlineKey]) {
		im, _ := ip.(map[string]any)
		name := str(im["PolicyName"])
		doc, err := policyValue(im["PolicyDocument"])
		if err == nil {
			err = checkPolicy(doc)
		}
		if err != nil {
			in.warn(id, "%s, inline policy %s: %v; skipped", who, orIndex(name, inlineKey, i), err)
			continue
		}
		if err := in.addGrant(Grant{Kind: KindIdentity, Principal: id, Source: who + ", inline policy " + orIndex(name, inlineKey, i)}, doc); err != nil {
			return err
		}
	}
	for _, ap := range list(m["AttachedManagedPolicies"]) {
		am, _ := ap.(map[string]any)
		if err := a.attach(id, who, KindIdentity, str(am["PolicyArn"])); err != nil {
			return err
		}
	}
	if pb, ok := m["PermissionsBoundary"].(map[string]any); ok {
		if err := a.attach(id, who, KindBoundary, str(pb["PermissionsBoundaryArn"])); err != nil {
			return err
		}
	}
	return nil
}

func (a authz) attach(id, who string, kind Kind, arn string) error {
	if arn == "" {
		return nil
	}
	what := "attached"
	if kind == KindBoundary {
		what = "permissions boundary"
	}
	mp, ok := a.policies[arn]
	if !ok {
		a.in.warn(id, "%s: %s policy %s is not in the file; its content is unknown", who, what, arn)
		return nil
	}
	src := fmt.Sprintf("%s, %s %s", who, what, arn)
	if mp.version != "" {
		src += " (" + mp.version + ")"
	}
	return a.in.addGrant(Grant{Kind: kind, Principal: id, Source: src}, mp.doc)
}

// defaultVersion returns the policy version IAM enforces.
func defaultVersion(pm map[string]any) (managed, error) {
	want := str(pm["DefaultVersionId"])
	versions := list(pm["PolicyVersionList"])
	var pick map[string]any
	for _, v := range versions {
		vm, _ := v.(map[string]any)
		if def, _ := vm["IsDefaultVersion"].(bool); def {
			pick = vm
			break
		}
	}
	if pick == nil && want != "" {
		for _, v := range versions {
			if vm, _ := v.(map[string]any); str(vm["VersionId"]) == want {
				pick = vm
			}
		}
	}
	if pick == nil {
		return managed{}, fmt.Errorf("no default version among %d listed", len(versions))
	}
	doc, err := policyValue(pick["Document"])
	if err == nil {
		err = checkPolicy(doc)
	}
	if err != nil {
		return managed{}, fmt.Errorf("version %s: %w", str(pick["VersionId"]), err)
	}
	return managed{version: str(pick["VersionId"]), doc: doc}, nil
}

func orIndex(name, list string, i int) string {
	if name != "" {
		return name
	}
	return fmt.Sprintf("%s[%d]", list, i)
}

// list returns v as a list, or nil.
func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// str returns v as a string, or "".
func str(v any) string {
	s, _ := v.(string)
	return s
}
