package generator

import (
	"fmt"
	"strings"

	"github.com/iamwatch/iamwatch"
	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

// catalog is the IAM catalog with the parsed ARN formats of the actions
// one generation looks at.
type catalog struct {
	m       *servicemaps.Maps
	formats map[string][]*arnFormat // by canonical action name
}

func newCatalog(m *servicemaps.Maps) (*catalog, error) {
	if m == nil {
		var err error
		if m, err = servicemaps.Load(); err != nil {
			return nil, fmt.Errorf("load the IAM catalog: %w", err)
		}
	}
	return &catalog{m: m, formats: map[string][]*arnFormat{}}, nil
}

// action returns the catalog entry of "prefix:Name", or nil.
func (c *catalog) action(name string) *servicemaps.IAMAction {
	return c.m.Action(name)
}

// canonical spells an action as the catalog does ("s3:GetObject" for
// "S3:getobject"), so that differently spelled uses of one action share a
// line. An unknown action is returned as is; validation reports it.
func (c *catalog) canonical(name string) string {
	prefix, rest, ok := strings.Cut(name, ":")
	if !ok {
		return name
	}
	svc := c.m.IAMService(prefix)
	if svc == nil {
		return name
	}
	a := svc.Action(rest)
	if a == nil {
		return name
	}
	return svc.Prefix + ":" + a.Name
}

// formatsOf returns the parsed ARN formats of every resource type of an
// action, in catalog order.
func (c *catalog) formatsOf(name string) []*arnFormat {
	if fs, ok := c.formats[name]; ok {
		return fs
	}
	var fs []*arnFormat
	prefix, _, _ := strings.Cut(name, ":")
	if svc, a := c.m.IAMService(prefix), c.action(name); svc != nil && a != nil {
		for _, rtName := range a.ResourceTypes {
			rt := svc.ResourceType(rtName)
			if rt == nil {
				continue
			}
			for _, f := range rt.ARNFormats {
				fs = append(fs, parseFormat(f))
			}
		}
	}
	c.formats[name] = fs
	return fs
}

// collapsible reports whether collapse may widen an action's resources.
// It may not for actions that manage permissions, nor for iam:PassRole:
// a wildcard there lets the principal hand any matching role to a service
// or rewrite any matching policy, which is how privileges escalate, so
// those keep the exact ARNs that were observed.
func collapsible(a *servicemaps.IAMAction) bool {
	if a == nil {
		return false
	}
	return a.Level != iamwatch.LevelPermissionsManagement && !strings.EqualFold(a.Name, "PassRole")
}

// conditionKeyType returns the catalog type ("String", "ArrayOfARN"…) of
// a condition key for an action, and whether the key applies to the
// action at all: the action lists it (exactly, or as a template such as
// aws:RequestTag/${TagKey}), or it is a global key present in every
// request. A key that does not apply is absent from the request context,
// and a condition on it would deny the call.
func (c *catalog) conditionKeyType(action, key string) (string, bool) {
	if t, ok := globalKeyType(key); ok {
		return t, true
	}
	a := c.action(action)
	if a == nil {
		return "", false
	}
	var entry string
	for _, k := range a.ConditionKeys {
		if keyMatches(k, key) {
			entry = k
			break
		}
	}
	if entry == "" {
		return "", false
	}
	prefix, _, _ := strings.Cut(action, ":")
	if svc := c.m.IAMService(prefix); svc != nil {
		for _, ck := range svc.ConditionKeys {
			if strings.EqualFold(ck.Name, entry) && ck.Type != "" {
				return ck.Type, true
			}
		}
	}
	return "String", true
}

// globalKeyType returns the type of the global condition keys that every
// request context carries, which the catalog does not list per action.
func globalKeyType(key string) (string, bool) {
	switch strings.ToLower(key) {
	case "aws:requestedregion", "aws:principalaccount", "aws:principaltype":
		return "String", true
	case "aws:principalarn":
		return "ARN", true
	case "aws:securetransport", "aws:viaawsservice":
		return "Bool", true
	}
	return "", false
}

// keyMatches reports whether a catalog key name, which may end in a
// template (${TagKey}, <key>), names key. Condition keys are
// case-insensitive.
func keyMatches(entry, key string) bool {
	i := strings.IndexAny(entry, "$<")
	if i < 0 {
		return strings.EqualFold(entry, key)
	}
	return len(key) > i && strings.EqualFold(entry[:i], key[:i])
}
