package grants

import (
	"errors"
	"fmt"
)

// readPolicy reads a bare policy document, or what `aws iam
// get-role-policy` (and its user and group kin) or `aws iam
// get-policy-version` print around one.
func (r Reader) readPolicy(in *Input, top map[string]any) error {
	kind := r.Kind
	if kind == "" {
		kind = KindIdentity
	}
	g := Grant{Kind: kind, Source: in.Name}
	var doc any = top
	switch {
	case top["PolicyDocument"] != nil:
		doc = top["PolicyDocument"]
		// get-role-policy names the principal the inline policy is in.
		for _, t := range []struct{ key, typ string }{{"RoleName", TypeRole}, {"UserName", TypeUser}, {"GroupName", TypeGroup}} {
			if name, ok := top[t.key].(string); ok && name != "" {
				i := in.addPrincipal(Principal{Type: t.typ, Name: name})
				g.Principal = in.Principals[i].ID()
			}
		}
		if name, ok := top["PolicyName"].(string); ok && name != "" {
			g.Source += ": inline policy " + name
		}
	case top["PolicyVersion"] != nil:
		v, ok := top["PolicyVersion"].(map[string]any)
		if !ok {
			return errors.New("field PolicyVersion is not an object")
		}
		doc = v["Document"]
		if id, ok := v["VersionId"].(string); ok {
			g.Source += ": version " + id
			if def, _ := v["IsDefaultVersion"].(bool); !def {
				in.warn("", "%s: version %s is not the policy's default version", in.Name, id)
			}
		}
	}
	m, err := policyValue(doc)
	if err != nil {
		return err
	}
	if err := checkPolicy(m); err != nil {
		return err
	}
	return in.addGrant(g, m)
}

// checkPolicy rejects an object that cannot be a policy document.
func checkPolicy(doc map[string]any) error {
	switch st := doc["Statement"].(type) {
	case map[string]any:
		return nil
	case []any:
		for i, s := range st {
			if _, ok := s.(map[string]any); !ok {
				return fmt.Errorf("policy document: Statement[%d] is %s, not an object", i, describe(s))
			}
		}
		return nil
	case nil:
		return errors.New("policy document has no Statement")
	default:
		return fmt.Errorf("policy document: Statement is %s", describe(st))
	}
}
