package eval

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Operator families.
const (
	famString = iota
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famArn
	famNull
)

// Comparisons within a family.
const (
	cmpEq = iota
	cmpLt
	cmpLe
	cmpGt
	cmpGe
	cmpLike
)

// Set qualifiers.
const (
	setNone = iota
	setAll  // ForAllValues
	setAny  // ForAnyValue
)

type opInfo struct {
	fam      uint8
	cmp      uint8
	set      uint8
	negated  bool // StringNotEquals, NotIpAddress, ArnNotLike…: true when no value matches
	fold     bool // …IgnoreCase
	ifExists bool
}

// lookupOp knows the condition operators of the IAM policy grammar by
// lowercased name: operator names are matched case-insensitively.
func lookupOp(name string) (opInfo, bool) {
	switch name {
	case "stringequals":
		return opInfo{fam: famString, cmp: cmpEq}, true
	case "stringnotequals":
		return opInfo{fam: famString, cmp: cmpEq, negated: true}, true
	case "stringequalsignorecase":
		return opInfo{fam: famString, cmp: cmpEq, fold: true}, true
	case "stringnotequalsignorecase":
		return opInfo{fam: famString, cmp: cmpEq, fold: true, negated: true}, true
	case "stringlike":
		return opInfo{fam: famString, cmp: cmpLike}, true
	case "stringnotlike":
		return opInfo{fam: famString, cmp: cmpLike, negated: true}, true
	case "numericequals":
		return opInfo{fam: famNumeric, cmp: cmpEq}, true
	case "numericnotequals":
		return opInfo{fam: famNumeric, cmp: cmpEq, negated: true}, true
	case "numericlessthan":
		return opInfo{fam: famNumeric, cmp: cmpLt}, true
	case "numericlessthanequals":
		return opInfo{fam: famNumeric, cmp: cmpLe}, true
	case "numericgreaterthan":
		return opInfo{fam: famNumeric, cmp: cmpGt}, true
	case "numericgreaterthanequals":
		return opInfo{fam: famNumeric, cmp: cmpGe}, true
	case "dateequals":
		return opInfo{fam: famDate, cmp: cmpEq}, true
	case "datenotequals":
		return opInfo{fam: famDate, cmp: cmpEq, negated: true}, true
	case "datelessthan":
		return opInfo{fam: famDate, cmp: cmpLt}, true
	case "datelessthanequals":
		return opInfo{fam: famDate, cmp: cmpLe}, true
	case "dategreaterthan":
		return opInfo{fam: famDate, cmp: cmpGt}, true
	case "dategreaterthanequals":
		return opInfo{fam: famDate, cmp: cmpGe}, true
	case "bool":
		return opInfo{fam: famBool, cmp: cmpEq}, true
	case "binaryequals":
		return opInfo{fam: famBinary, cmp: cmpEq}, true
	case "ipaddress":
		return opInfo{fam: famIP, cmp: cmpEq}, true
	case "notipaddress":
		return opInfo{fam: famIP, cmp: cmpEq, negated: true}, true
	case "arnequals":
		return opInfo{fam: famArn, cmp: cmpLike}, true
	case "arnlike":
		return opInfo{fam: famArn, cmp: cmpLike}, true
	case "arnnotequals":
		return opInfo{fam: famArn, cmp: cmpLike, negated: true}, true
	case "arnnotlike":
		return opInfo{fam: famArn, cmp: cmpLike, negated: true}, true
	case "null":
		return opInfo{fam: famNull}, true
	}
	return opInfo{}, false
}

func parseOperator(name string) (opInfo, error) {
	s := strings.ToLower(name)
	var set uint8
	switch {
	case strings.HasPrefix(s, "forallvalues:"):
		set, s = setAll, s[len("forallvalues:"):]
	case strings.HasPrefix(s, "foranyvalue:"):
		set, s = setAny, s[len("foranyvalue:"):]
	}
	ifExists := false
	if strings.HasSuffix(s, "ifexists") {
		ifExists, s = true, strings.TrimSuffix(s, "ifexists")
	}
	op, ok := lookupOp(s)
	if !ok {
		return opInfo{}, fmt.Errorf("unknown condition operator %q", name)
	}
	if op.fam == famNull && (ifExists || set != setNone) {
		return opInfo{}, fmt.Errorf("condition operator %q: Null takes neither IfExists nor a set qualifier", name)
	}
	op.set, op.ifExists = set, ifExists
	return op, nil
}

// condValue is one policy value of a condition, parsed for its family.
// A value that does not parse (a date that is not a date) matches nothing.
type condValue struct {
	valid bool
	pat   pattern    // string and Bool values (variables allowed)
	arn   arnPattern // Arn values
	num   float64
	t     time.Time
	bin   []byte
	ip    netip.Prefix
	null  bool // Null: true means "the key is absent"
}

func (c *Condition) compile(vars bool) {
	c.vs = make([]condValue, len(c.Values))
	for i, s := range c.Values {
		v := &c.vs[i]
		switch c.op.fam {
		case famString:
			v.pat, v.valid = compilePattern(s, c.op.cmp == cmpLike, vars), true
			c.vars = c.vars || v.pat.vars
		case famBool:
			v.pat, v.valid = compilePattern(s, false, vars), true
			c.vars = c.vars || v.pat.vars
		case famArn:
			v.arn, v.valid = compileARN(s, vars, true), true
			c.vars = c.vars || v.arn.whole.vars
		case famNumeric:
			v.num, v.valid = parseNumber(s)
		case famDate:
			v.t, v.valid = parseDate(s)
		case famBinary:
			b, err := base64.StdEncoding.DecodeString(s)
			v.bin, v.valid = b, err == nil
		case famIP:
			v.ip, v.valid = parseCIDR(s)
		case famNull:
			switch strings.ToLower(s) {
			case "true":
				v.null, v.valid = true, true
			case "false":
				v.valid = true
			}
		}
	}
}

func parseNumber(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f, err == nil && !math.IsNaN(f)
}

// parseDate reads an ISO 8601 date or an epoch time in seconds.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if isEpoch(s) {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return time.Time{}, false
		}
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
	}
	// The W3C profile of ISO 8601 that IAM documents, then the same
	// without a zone (read as UTC).
	layouts := [...]string{
		time.RFC3339Nano,
		"2006-01-02T15:04Z07:00",
		"2006-01-02T15:04:05.999999999",
		"2006-01-02T15:04:05",
		"2006-01-02T15:04",
		"2006-01-02",
		"2006-01",
		"2006",
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// isEpoch reports digits with at most one dot: an ISO year ("2024") is
// four digits and is read as a year, everything else numeric as epoch
// seconds.
func isEpoch(s string) bool {
	if len(s) == 4 {
		return false
	}
	dot := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
		case c == '.' && !dot && i > 0:
			dot = true
		case c == '-' && i == 0 && len(s) > 1:
		default:
			return false
		}
	}
	return true
}

func parseCIDR(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

func parseBool(s string) (bool, bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

// eval decides the condition against the request context.
func (c *Condition) eval(env *env) tri {
	vals, st := env.values(c.key)
	if st == keyUnknown {
		return unknown
	}
	present := len(vals) > 0
	if c.op.fam == famNull {
		out := no
		for i := range c.vs {
			v := &c.vs[i]
			if v.valid && v.null != present {
				out = yes
			}
		}
		return out
	}
	if !present {
		// An absent key (or one with no values) matches nothing: positive
		// operators are false and negated ones true. IfExists makes any
		// operator true, ForAllValues is true over the empty set and
		// ForAnyValue false.
		switch {
		case c.op.ifExists:
			return yes
		case c.op.set == setAll:
			return yes
		case c.op.set == setAny:
			return no
		}
		return triOf(c.op.negated)
	}
	// A value whose policy variable has no value makes the statement
	// invalid (IAM User Guide, "Policy variables"): the condition fails
	// whatever the operator, negated or not.
	if c.vars {
		for i := range c.vs {
			r := c.vs[i].pat.resolvable(env)
			if c.op.fam == famArn {
				r = c.vs[i].arn.resolvable(env)
			}
			if r == no {
				return no
			}
		}
	}
	switch c.op.set {
	case setAll:
		out := yes
		for _, v := range vals {
			m := c.anyMatch(v, env)
			if c.op.negated {
				m = m.not()
			}
			if out = out.and(m); out == no {
				return no
			}
		}
		return out
	case setAny:
		out := no
		for _, v := range vals {
			m := c.anyMatch(v, env)
			if c.op.negated {
				m = m.not()
			}
			if out = out.or(m); out == yes {
				return yes
			}
		}
		return out
	}
	// Without a set qualifier a key with several values matches when one of
	// them does; a negated operator when none does.
	out := no
	for _, v := range vals {
		if out = out.or(c.anyMatch(v, env)); out == yes {
			break
		}
	}
	if c.op.negated {
		return out.not()
	}
	return out
}

// anyMatch reports whether the request value v matches one of the policy
// values under the operator's positive comparison.
func (c *Condition) anyMatch(v string, env *env) tri {
	out := no
	switch c.op.fam {
	case famString:
		for i := range c.vs {
			if out = out.or(c.vs[i].pat.match(v, c.op.fold, env)); out == yes {
				return yes
			}
		}
	case famArn:
		for i := range c.vs {
			if out = out.or(c.vs[i].arn.match(v, env)); out == yes {
				return yes
			}
		}
	case famBool:
		rb, ok := parseBool(v)
		if !ok {
			return no
		}
		for i := range c.vs {
			out = out.or(c.vs[i].boolMatch(rb, env))
			if out == yes {
				return yes
			}
		}
	case famNumeric:
		f, ok := parseNumber(v)
		if !ok {
			return no
		}
		for i := range c.vs {
			if c.vs[i].valid && compareFloat(f, c.vs[i].num, c.op.cmp) {
				return yes
			}
		}
	case famDate:
		t, ok := parseDate(v)
		if !ok {
			return no
		}
		for i := range c.vs {
			if c.vs[i].valid && compareTime(t, c.vs[i].t, c.op.cmp) {
				return yes
			}
		}
	case famBinary:
		b, err := base64.StdEncoding.DecodeString(v)
		for i := range c.vs {
			pv := &c.vs[i]
			if !pv.valid {
				continue
			}
			if (err == nil && bytes.Equal(b, pv.bin)) || v == c.Values[i] {
				return yes
			}
		}
	case famIP:
		a, err := netip.ParseAddr(strings.TrimSpace(v))
		if err != nil {
			// A request value written as a range matches when it is inside.
			p, ok := parseCIDR(v)
			if !ok {
				return no
			}
			for i := range c.vs {
				pv := &c.vs[i]
				if pv.valid && pv.ip.Bits() <= p.Bits() && pv.ip.Contains(p.Addr()) {
					return yes
				}
			}
			return no
		}
		a = a.Unmap()
		for i := range c.vs {
			if c.vs[i].valid && c.vs[i].ip.Contains(a) {
				return yes
			}
		}
	}
	return out
}

func (v *condValue) boolMatch(rb bool, env *env) tri {
	if !v.pat.vars {
		pb, ok := parseBool(v.pat.raw)
		return triOf(ok && pb == rb)
	}
	// A Bool value may be a policy variable: compare both spellings.
	m := v.pat.match("true", true, env)
	if !rb {
		m = v.pat.match("false", true, env)
	}
	return m
}

func compareFloat(req, pol float64, cmp uint8) bool {
	switch cmp {
	case cmpEq:
		return req == pol
	case cmpLt:
		return req < pol
	case cmpLe:
		return req <= pol
	case cmpGt:
		return req > pol
	case cmpGe:
		return req >= pol
	}
	return false
}

func compareTime(req, pol time.Time, cmp uint8) bool {
	switch cmp {
	case cmpEq:
		return req.Equal(pol)
	case cmpLt:
		return req.Before(pol)
	case cmpLe:
		return !req.After(pol)
	case cmpGt:
		return req.After(pol)
	case cmpGe:
		return !req.Before(pol)
	}
	return false
}

// undecided appends the keys that make the condition unknown.
func (c *Condition) undecided(env *env, keys []string) []string {
	if _, st := env.values(c.key); st == keyUnknown {
		return append(keys, c.Key)
	}
	for i := range c.vs {
		keys = c.vs[i].pat.undecided(env, keys)
		keys = c.vs[i].arn.undecided(env, keys)
	}
	return keys
}
