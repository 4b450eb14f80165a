package generator

import "strings"

// arnFormat is an ARN format of the catalog, such as
// "arn:${Partition}:s3:::${BucketName}/${ObjectName}", split into literal
// text and ${...} placeholders.
type arnFormat struct {
	raw   string
	parts []formatPart
	// leaf is the index of the placeholder that ends the format and names
	// the resource itself (ObjectName, IndexName, TableName), or -1 when
	// the format ends in literal text or the placeholder is in the
	// partition, service, region or account field.
	leaf int
	// contained reports that another placeholder of the resource part
	// precedes leaf: the resource lives in a container (an object in a
	// bucket, an index in a table), whose name collapse keeps.
	contained bool
}

type formatPart struct {
	lit  string // literal text, when name is ""
	name string // placeholder name, without ${ }
	// field reports a placeholder in one of the colon-separated fields
	// before the resource part (partition, region, account), which never
	// contains a colon.
	field bool
}

// parseFormat splits an ARN format. An unterminated "${" is literal.
func parseFormat(f string) *arnFormat {
	af := &arnFormat{raw: f, leaf: -1}
	colons := 0
	rest := f
	for rest != "" {
		i := strings.Index(rest, "${")
		j := -1
		if i >= 0 {
			j = strings.IndexByte(rest[i:], '}')
		}
		if i < 0 || j < 0 {
			af.parts = append(af.parts, formatPart{lit: rest})
			break
		}
		if i > 0 {
			af.parts = append(af.parts, formatPart{lit: rest[:i]})
			colons += strings.Count(rest[:i], ":")
		}
		af.parts = append(af.parts, formatPart{name: rest[i+2 : i+j], field: colons < 5})
		rest = rest[i+j+1:]
	}
	if n := len(af.parts); n > 0 && af.parts[n-1].name != "" && !af.parts[n-1].field {
		af.leaf = n - 1
		for _, p := range af.parts[:n-1] {
			if p.name != "" && !p.field {
				af.contained = true
			}
		}
	}
	return af
}

// match matches arn against the format and returns the placeholders'
// values. A placeholder matches one or more characters (no colon in the
// fields before the resource part; see validValue for the shape of
// partition, region and account, which may be empty); earlier placeholders take the
// shortest value that lets the rest match, so that in
// "${BucketName}/${ObjectName}" the bucket ends at the first slash.
//
// The IAM wildcards "*" and "?" in arn can only be taken by placeholders,
// never stand for literal text of the format: a wildcard ARN matches only
// when every ARN it stands for is an ARN of this format, so a wildcard
// cannot reach into another resource type.
func (f *arnFormat) match(arn string) ([]string, bool) {
	m := matcher{f: f, arn: arn, vals: make([]string, 0, len(f.parts))}
	if !m.rec(0, 0) {
		return nil, false
	}
	return m.vals, true
}

// matcher is one match of an ARN against a format: a depth-first search
// over where each placeholder ends, remembering the (part, position)
// pairs that failed so that no input takes more than parts × length
// steps. Most ARNs match without a failure, so the memo is made lazily.
type matcher struct {
	f      *arnFormat
	arn    string
	vals   []string
	failed []bool
}

func (m *matcher) fail(i, pos int) bool {
	n := len(m.arn) + 1
	if m.failed == nil {
		m.failed = make([]bool, len(m.f.parts)*n)
	}
	m.failed[i*n+pos] = true
	return false
}

func (m *matcher) rec(i, pos int) bool {
	parts, arn := m.f.parts, m.arn
	if i == len(parts) {
		return pos == len(arn)
	}
	if m.failed != nil && m.failed[i*(len(arn)+1)+pos] {
		return false
	}
	p := parts[i]
	if p.name == "" {
		if strings.HasPrefix(arn[pos:], p.lit) && m.rec(i+1, pos+len(p.lit)) {
			return true
		}
		return m.fail(i, pos)
	}
	// The value ends where the next literal starts, or at the end of the
	// ARN for the last part; only adjacent placeholders need every end.
	limit := len(arn)
	if p.field {
		if k := strings.IndexByte(arn[pos:], ':'); k >= 0 {
			limit = pos + k
		}
	}
	// AWS-owned resources (public SSM parameters, managed policies)
	// leave the region or account empty.
	end := pos + 1
	if p.name == "Region" || p.name == "Account" {
		end = pos
	}
	for end <= limit {
		next := end + 1
		switch {
		case i+1 == len(parts):
			end, next = len(arn), len(arn)+1
			if end > limit {
				return m.fail(i, pos)
			}
		case parts[i+1].name == "":
			k := strings.Index(arn[end:], parts[i+1].lit)
			if k < 0 || end+k > limit {
				return m.fail(i, pos)
			}
			end += k
			next = end + 1
		}
		if validValue(p.name, arn[pos:end]) {
			m.vals = append(m.vals, arn[pos:end])
			if m.rec(i+1, end) {
				return true
			}
			m.vals = m.vals[:len(m.vals)-1]
		}
		end = next
	}
	return m.fail(i, pos)
}

// validValue reports whether v can be the value of the placeholder called
// name. Partition, region and account have a fixed shape, so an ARN that
// puts other text there is no ARN of the format even if the colons line up;
// wildcards may stand in for any part of them.
func validValue(name, v string) bool {
	var ok func(c byte) bool
	switch name {
	case "Partition":
		ok = func(c byte) bool { return c >= 'a' && c <= 'z' || c == '-' }
	case "Region":
		ok = func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' }
	case "Account":
		if v == "aws" {
			return true // AWS managed policies: arn:aws:iam::aws:policy/…
		}
		if len(v) != 12 && v != "" && !hasWildcard(v) {
			return false
		}
		ok = func(c byte) bool { return c >= '0' && c <= '9' }
	default:
		return true
	}
	for i := 0; i < len(v); i++ {
		if !ok(v[i]) && v[i] != '*' && v[i] != '?' {
			return false
		}
	}
	return true
}

// hasWildcard reports whether an ARN uses IAM's wildcards.
func hasWildcard(arn string) bool {
	return strings.ContainsAny(arn, "*?")
}

// globMatch reports whether pattern, with IAM's "*" and "?", matches s.
// Unlike IAM, neither wildcard matches a colon: callers use it to drop
// ARNs a wildcard already grants, where a narrower match only keeps a
// redundant ARN, never drops a needed one. Without colons to cross, the
// fields between colons match one by one.
func globMatch(pattern, s string) bool {
	pf, sf := strings.Split(pattern, ":"), strings.Split(s, ":")
	if len(pf) != len(sf) {
		return false
	}
	for i := range pf {
		if !globField(pf[i], sf[i]) {
			return false
		}
	}
	return true
}

// globField matches a pattern against a string, both without colons: the
// classic backtracking to the last star, which is exact for "*" and "?".
func globField(pattern, s string) bool {
	px, sx := 0, 0
	starP, starS := -1, 0
	for sx < len(s) {
		switch {
		case px < len(pattern) && pattern[px] == '*':
			starP, starS = px, sx
			px++
		case px < len(pattern) && (pattern[px] == '?' || pattern[px] == s[sx]):
			px++
			sx++
		case starP >= 0:
			starS++
			px, sx = starP+1, starS
		default:
			return false
		}
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}
