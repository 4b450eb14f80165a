package mapper

import (
	"fmt"
	"net/url"
	"strings"
)

// template is a compiled resource or condition template: literal text and
// ${var|filter} references (see service-maps/curation/README.md).
type template []tpart

type tpart struct {
	lit    string
	name   string // variable, when lit is empty
	filter string
	isVar  bool
}

// maxExpansion caps the resources one template yields from list values.
const maxExpansion = 64

var knownFilters = map[string]bool{
	"": true, "name": true, "last": true, "account": true, "region": true, "arn": true,
	"keys": true, "trimslash": true, "copysource": true, "copysourcebucket": true, "lower": true,
	"path": true, "queueurl": true, "nopath": true,
}

func parseTemplate(s string) (template, error) {
	var t template
	for s != "" {
		i := strings.Index(s, "${")
		if i < 0 {
			t = append(t, tpart{lit: s})
			break
		}
		if i > 0 {
			t = append(t, tpart{lit: s[:i]})
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return nil, fmt.Errorf("unclosed ${ in %q", s)
		}
		ref := s[i+2 : i+j]
		name, filter, _ := strings.Cut(ref, "|")
		if name == "" {
			return nil, fmt.Errorf("empty variable in %q", s)
		}
		if !knownFilters[filter] {
			return nil, fmt.Errorf("unknown filter %q in %q", filter, s)
		}
		t = append(t, tpart{name: name, filter: filter, isVar: true})
		s = s[i+j+1:]
	}
	return t, nil
}

// context is what a template may use besides the request's parameters.
type tctx struct {
	partition, region, account string
	path                       string // unescaped request path
	params                     *Params
}

// expand fills t. It returns no values when a filter rules the template
// out (an "arn" filter on a non-ARN), and exact=false when a parameter was
// missing and its part became "*".
func (t template) expand(c *tctx) (out []string, exact bool) {
	// Fast path: every variable has at most one value.
	var b strings.Builder
	exact = true
	for _, p := range t {
		if !p.isVar {
			b.WriteString(p.lit)
			continue
		}
		var v string
		switch p.name {
		case "Partition":
			v = c.partition
		case "Region":
			v = c.region
		case "Account":
			v = c.account
		case "@path":
			v = c.path
		default:
			vals := c.params.lookup(p.name)
			if len(vals) > 1 {
				return t.expandAll(c)
			}
			if len(vals) == 1 {
				v = vals[0]
			}
			if v == "" {
				exact = false
			}
		}
		if v == "" {
			b.WriteByte('*')
			continue
		}
		f, ok := applyFilter(p.filter, v, c)
		if !ok {
			return nil, exact
		}
		b.WriteString(f)
	}
	return []string{b.String()}, exact
}

// expandAll expands a template whose variables have several values into
// one result per combination.
func (t template) expandAll(c *tctx) (out []string, exact bool) {
	exact = true
	results := []string{""}
	for _, p := range t {
		if !p.isVar {
			for i := range results {
				results[i] += p.lit
			}
			continue
		}
		vals := c.values(p.name)
		if len(vals) == 0 {
			// An unknown context value (the account, say) widens the
			// resource but does not make the request's own naming inexact.
			vals = []string{"*"}
			if !isContextVar(p.name) {
				exact = false
			}
		}
		var fv []string
		for _, v := range vals {
			if v == "*" {
				fv = append(fv, v)
				continue
			}
			if f, ok := applyFilter(p.filter, v, c); ok {
				fv = append(fv, f)
			}
		}
		if len(fv) == 0 {
			return nil, exact
		}
		next := make([]string, 0, len(results)*len(fv))
		for _, r := range results {
			for _, v := range fv {
				if len(next) >= maxExpansion {
					break
				}
				next = append(next, r+v)
			}
		}
		results = next
	}
	return dedupe(results), exact
}

func isContextVar(name string) bool {
	return name == "Partition" || name == "Region" || name == "Account"
}

func (c *tctx) values(name string) []string {
	switch name {
	case "Partition":
		return []string{c.partition}
	case "Region":
		if c.region == "" {
			return nil
		}
		return []string{c.region}
	case "Account":
		if c.account == "" {
			return nil
		}
		return []string{c.account}
	case "@path":
		return []string{c.path}
	}
	return c.params.lookup(name)
}

func applyFilter(f, v string, c *tctx) (string, bool) {
	switch f {
	case "":
		return v, true
	case "name":
		return resourceName(v), true
	case "last":
		v = strings.TrimSuffix(v, "/")
		if i := strings.LastIndexByte(v, '/'); i >= 0 {
			return v[i+1:], true
		}
		return v, true
	case "queueurl":
		// An SQS queue URL's last segment, or a queue ARN's name.
		if strings.HasPrefix(v, "arn:") {
			return resourceName(v), true
		}
		return applyFilter("last", v, c)
	case "account":
		if a := arnField(v, 4); a != "" {
			return a, true
		}
		if u, err := url.Parse(v); err == nil && u.Host != "" {
			if segs := splitPath(u.Path); len(segs) > 0 && isAccountID(segs[0]) {
				return segs[0], true
			}
		}
		if isAccountID(v) {
			return v, true
		}
		if c.account == "" {
			return "*", true
		}
		return c.account, true
	case "region":
		if r := arnField(v, 3); r != "" {
			return r, true
		}
		if u, err := url.Parse(v); err == nil && u.Host != "" {
			if hi := parseHost(u.Host); hi.Region != "" {
				return hi.Region, true
			}
		}
		if c.region == "" {
			return "*", true
		}
		return c.region, true
	case "arn":
		return v, strings.HasPrefix(v, "arn:")
	case "keys":
		return v, true
	case "trimslash", "nopath":
		return strings.TrimPrefix(v, "/"), true
	case "lower":
		return strings.ToLower(v), true
	case "path":
		return c.path, true
	case "copysource", "copysourcebucket":
		// "/bucket/key?versionId=v", URL-encoded, or an access point ARN.
		if i := strings.Index(v, "?versionId="); i >= 0 {
			v = v[:i]
		}
		if u, err := url.PathUnescape(v); err == nil {
			v = u
		}
		v = strings.TrimPrefix(v, "/")
		if f == "copysourcebucket" {
			b, _, _ := strings.Cut(v, "/")
			return b, true
		}
		return v, true
	}
	return v, true
}

// resourceName returns the name of an ARN's resource ("function:fn:1" →
// "fn", "role/path/r" → "r"), or v itself when it is not an ARN.
func resourceName(v string) string {
	if !strings.HasPrefix(v, "arn:") {
		return v
	}
	parts := strings.SplitN(v, ":", 6)
	if len(parts) < 6 {
		return v
	}
	res := parts[5]
	if i := strings.LastIndexByte(res, '/'); i >= 0 {
		return res[i+1:]
	}
	if typ, rest, ok := strings.Cut(res, ":"); ok && typ != "" {
		name, _, _ := strings.Cut(rest, ":")
		return name
	}
	return res
}

// arnField returns field i (0 = "arn") of an ARN, or "".
func arnField(v string, i int) string {
	if !strings.HasPrefix(v, "arn:") {
		return ""
	}
	parts := strings.SplitN(v, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[i]
}

func dedupe(s []string) []string {
	if len(s) < 2 {
		return s
	}
	seen := make(map[string]bool, len(s))
	out := s[:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
