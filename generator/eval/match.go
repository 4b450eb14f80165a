package eval

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tri is a three-valued truth: a match can be decided true or false, or
// depend on a context key the caller could not observe.
type tri uint8

const (
	no tri = iota
	yes
	unknown
)

func triOf(b bool) tri {
	if b {
		return yes
	}
	return no
}

// and is Kleene conjunction: false wins over unknown.
func (a tri) and(b tri) tri {
	if a == no || b == no {
		return no
	}
	if a == unknown || b == unknown {
		return unknown
	}
	return yes
}

// or is Kleene disjunction: true wins over unknown.
func (a tri) or(b tri) tri {
	if a == yes || b == yes {
		return yes
	}
	if a == unknown || b == unknown {
		return unknown
	}
	return no
}

func (a tri) not() tri {
	switch a {
	case yes:
		return no
	case no:
		return yes
	}
	return unknown
}

// Token kinds of a compiled pattern.
const (
	tokLit  = iota // literal text, compared as is
	tokStar        // * : any run of characters
	tokOne         // ? : exactly one character
	tokVar         // ${key} or ${key, 'default'}: a value from the request context
)

type token struct {
	kind   uint8
	hasDef bool
	s      string // literal text, or the lowercased context key of a variable
	name   string // a variable's key as written
	def    string // default value of a variable
}

// pattern is a string from a policy compiled once at Parse time: literal
// runs, wildcards and policy variables.
type pattern struct {
	raw  string
	toks []token
	vars bool // has tokVar tokens
	wild bool // has tokStar or tokOne tokens

	// Fast paths for patterns without variables, decided at compile time:
	// most actions and ARN segments are a literal, "*" or "prefix*".
	fast   uint8
	lit    string // fastExact, fastPrefix: the literal part
	simple string // fastSimple: the pattern with * and ? as wildcards
}

const (
	fastNone   = iota // variables: walk the tokens
	fastExact         // no wildcard
	fastAny           // "*"
	fastPrefix        // "literal*"
	fastSimple        // wildcards, and no literal * or ? to confuse them with
)

// setFast picks the pattern's fast path.
func (p *pattern) setFast() {
	if p.vars {
		return
	}
	switch {
	case len(p.toks) == 0:
		p.fast = fastExact
	case len(p.toks) == 1 && p.toks[0].kind == tokLit:
		p.fast, p.lit = fastExact, p.toks[0].s
	case len(p.toks) == 1 && p.toks[0].kind == tokStar:
		p.fast = fastAny
	case len(p.toks) == 2 && p.toks[0].kind == tokLit && p.toks[1].kind == tokStar:
		p.fast, p.lit = fastPrefix, p.toks[0].s
	default:
		var b strings.Builder
		for _, t := range p.toks {
			switch t.kind {
			case tokLit:
				if strings.ContainsAny(t.s, "*?") {
					return
				}
				b.WriteString(t.s)
			case tokStar:
				b.WriteByte('*')
			case tokOne:
				b.WriteByte('?')
			}
		}
		p.fast, p.simple = fastSimple, b.String()
	}
}

// matchPlain matches a pattern without variables.
func (p *pattern) matchPlain(s string, fold bool) bool {
	switch p.fast {
	case fastExact:
		if fold {
			return strings.EqualFold(s, p.lit)
		}
		return s == p.lit
	case fastAny:
		return true
	case fastPrefix:
		n := len(p.lit)
		if len(s) < n {
			return fold && !isASCII(s) && globMatch(p.toks, nil, s, fold, false)
		}
		if fold {
			return strings.EqualFold(s[:n], p.lit) || (!isASCII(s) && globMatch(p.toks, nil, s, fold, false))
		}
		return s[:n] == p.lit
	case fastSimple:
		if fold && !isASCII(s) {
			break
		}
		return wildMatch(p.simple, s, fold)
	}
	return globMatch(p.toks, nil, s, fold, false)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// wildMatch is globMatch for a plain string pattern in which every * and ?
// is a wildcard; with fold, s must be ASCII.
func wildMatch(p, s string, fold bool) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) {
			switch c := p[pi]; c {
			case '*':
				pi++
				starP, starS = pi, si
				continue
			case '?':
				_, n := utf8.DecodeRuneInString(s[si:])
				pi, si = pi+1, si+n
				continue
			default:
				d := s[si]
				if c == d || (fold && lowerASCII(c) == lowerASCII(d)) {
					pi, si = pi+1, si+1
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starS:])
		starS += n
		pi, si = starP, starS
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// compilePattern splits s into tokens. With wildcards, * and ? are
// wildcards; without, they are literal characters. With vars (only for
// policies of Version 2012-10-17), ${...} is a policy variable; ${*}, ${?}
// and ${$} always stand for the literal character.
func compilePattern(s string, wildcards, vars bool) pattern {
	p := pattern{raw: s}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			p.toks = append(p.toks, token{kind: tokLit, s: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if vars && c == '$' && i+1 < len(s) && s[i+1] == '{' {
			if end, ok := varEnd(s, i+2); ok {
				inner := s[i+2 : end]
				switch inner {
				case "*", "?", "$":
					lit.WriteString(inner)
				default:
					if tok, ok := parseVar(inner); ok {
						flush()
						p.toks = append(p.toks, tok)
						p.vars = true
					} else {
						lit.WriteString(s[i : end+1])
					}
				}
				i = end + 1
				continue
			}
		}
		if wildcards && (c == '*' || c == '?') {
			flush()
			kind := uint8(tokStar)
			if c == '?' {
				kind = tokOne
			}
			// Consecutive stars are one star.
			if kind == tokStar && len(p.toks) > 0 && p.toks[len(p.toks)-1].kind == tokStar {
				i++
				continue
			}
			p.toks = append(p.toks, token{kind: kind})
			p.wild = true
			i++
			continue
		}
		lit.WriteByte(c)
		i++
	}
	flush()
	p.setFast()
	return p
}

// varEnd finds the } closing a variable whose body starts at i, skipping
// quoted default values, which may contain }.
func varEnd(s string, i int) (int, bool) {
	inQuote := false
	for ; i < len(s); i++ {
		switch s[i] {
		case '\'':
			if inQuote && i+1 < len(s) && s[i+1] == '\'' {
				i++ // '' is an escaped quote inside a default
				continue
			}
			inQuote = !inQuote
		case '}':
			if !inQuote {
				return i, true
			}
		}
	}
	return 0, false
}

// parseVar reads "key" or "key, 'default'". Keys are case-insensitive.
func parseVar(inner string) (token, bool) {
	key, def, hasDef := strings.Cut(inner, ",")
	key = strings.TrimSpace(key)
	if key == "" || strings.ContainsAny(key, " '{}$") {
		return token{}, false
	}
	t := token{kind: tokVar, s: strings.ToLower(key), name: key}
	if hasDef {
		def = strings.TrimSpace(def)
		if len(def) < 2 || def[0] != '\'' || def[len(def)-1] != '\'' {
			return token{}, false
		}
		t.hasDef = true
		t.def = strings.ReplaceAll(def[1:len(def)-1], "''", "'")
	}
	return t, true
}

// maxVars is how many variables one pattern may resolve without
// allocating; more still work, through the slow path.
const maxVars = 8

// resolved holds the values of a pattern's variables for one match.
type resolved struct {
	vals  [maxVars]string
	extra []string
}

func (r *resolved) set(i int, v string) {
	if i < maxVars {
		r.vals[i] = v
		return
	}
	for len(r.extra) <= i-maxVars {
		r.extra = append(r.extra, "")
	}
	r.extra[i-maxVars] = v
}

func (r *resolved) get(i int) string {
	if i < maxVars {
		return r.vals[i]
	}
	return r.extra[i-maxVars]
}

// resolve looks up the pattern's variables. It reports no when a variable
// has no value (the pattern then matches nothing), unknown when one names
// a key the caller could not observe.
func (p *pattern) resolve(env *env, r *resolved) tri {
	out := yes
	n := 0
	for i := range p.toks {
		t := &p.toks[i]
		if t.kind != tokVar {
			continue
		}
		v, st := env.variable(t.s)
		switch st {
		case varUnknown:
			out = unknown
		case varAbsent:
			if !t.hasDef {
				return no
			}
			v = t.def
		}
		r.set(n, v)
		n++
	}
	return out
}

// match matches s against the pattern. An unknown variable makes the
// match unknown unless s could not match whatever its value.
func (p *pattern) match(s string, fold bool, env *env) tri {
	if !p.vars {
		return triOf(p.matchPlain(s, fold))
	}
	var r resolved
	switch p.resolve(env, &r) {
	case no:
		return no
	case unknown:
		// With the unknown variables taken as *, a failure is final.
		if !globMatch(p.toks, &r, s, fold, true) {
			return no
		}
		return unknown
	}
	return triOf(globMatch(p.toks, &r, s, fold, false))
}

// cursor walks a token list character by character.
type cursor struct {
	ti, ci int // token index, byte offset inside the token's text
	vi     int // index of the next variable value
}

// globMatch is wildcard matching with backtracking to the last star. Values
// of variables are literal text. With varsAsStar, variables match like *.
func globMatch(toks []token, r *resolved, s string, fold, varsAsStar bool) bool {
	var p cursor
	si := 0
	starSet := false
	var starP cursor
	starS := 0
	text := func(c *cursor) (string, bool) { // the literal text at c, if any
		t := &toks[c.ti]
		switch t.kind {
		case tokLit:
			return t.s, true
		case tokVar:
			if varsAsStar {
				return "", false
			}
			return r.get(c.vi), true
		}
		return "", false
	}
	// normalize moves c past exhausted literal tokens.
	normalize := func(c *cursor) {
		for c.ti < len(toks) {
			t := &toks[c.ti]
			if t.kind == tokLit || (t.kind == tokVar && !varsAsStar) {
				txt, _ := text(c)
				if c.ci < len(txt) {
					return
				}
				if t.kind == tokVar {
					c.vi++
				}
				c.ti++
				c.ci = 0
				continue
			}
			return
		}
	}
	isStar := func(c *cursor) bool {
		t := &toks[c.ti]
		return t.kind == tokStar || (t.kind == tokVar && varsAsStar)
	}
	advance := func(c *cursor) { // past a star, ? or as-star variable
		if toks[c.ti].kind == tokVar {
			c.vi++
		}
		c.ti++
		c.ci = 0
	}
	for si < len(s) {
		normalize(&p)
		if p.ti < len(toks) {
			if isStar(&p) {
				advance(&p)
				starSet, starP, starS = true, p, si
				continue
			}
			if toks[p.ti].kind == tokOne {
				_, n := utf8.DecodeRuneInString(s[si:])
				si += n
				advance(&p)
				continue
			}
			txt, _ := text(&p)
			pr, pn := utf8.DecodeRuneInString(txt[p.ci:])
			sr, sn := utf8.DecodeRuneInString(s[si:])
			if pr == sr || (fold && foldEq(pr, sr)) {
				p.ci += pn
				si += sn
				continue
			}
		}
		if !starSet {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starS:])
		starS += n
		p, si = starP, starS
	}
	for {
		normalize(&p)
		if p.ti >= len(toks) {
			return true
		}
		if !isStar(&p) {
			return false
		}
		advance(&p)
	}
}

func foldEq(a, b rune) bool {
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		return a == b
	}
	return unicode.ToLower(a) == unicode.ToLower(b) || unicode.ToUpper(a) == unicode.ToUpper(b)
}

// arnPattern is an ARN from a Resource element or an Arn condition,
// matched segment by segment: arn:partition:service:region:account:resource.
// Wildcards in the first five segments stay inside their segment; in the
// resource segment they span / and :.
type arnPattern struct {
	any     bool       // the pattern is "*"
	segs    [6]pattern // when full
	full    bool       // the pattern has all six segments
	whole   pattern    // the pattern as one string, for values that are not ARNs and for short patterns
	hasVars bool
}

// compileARN compiles an ARN pattern. Variables are substituted in the
// resource segment only when varsEverywhere is false: the Resource element
// takes them only after the fifth colon, Arn conditions anywhere.
func compileARN(s string, vars, varsEverywhere bool) arnPattern {
	if s == "*" {
		return arnPattern{any: true, whole: compilePattern(s, true, false)}
	}
	a := arnPattern{whole: compilePattern(s, true, vars && varsEverywhere)}
	// Colons inside a variable do not split segments when variables can
	// be there; elsewhere ${...} is literal text and its colon counts.
	segs := strings.SplitN(s, ":", 6)
	if vars && varsEverywhere {
		segs = splitARNPattern(s)
	}
	if len(segs) == 6 {
		a.full = true
		for i, seg := range segs {
			a.segs[i] = compilePattern(seg, true, vars && (varsEverywhere || i == 5))
			a.hasVars = a.hasVars || a.segs[i].vars
		}
	}
	a.hasVars = a.hasVars || a.whole.vars
	return a
}

// splitARNPattern splits at the first five colons that are not inside a
// policy variable (${aws:username} has a colon of its own).
func splitARNPattern(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s) && len(out) < 5; i++ {
		if s[i] == '$' && i+1 < len(s) && s[i+1] == '{' {
			if end, ok := varEnd(s, i+2); ok {
				i = end
				continue
			}
		}
		if s[i] == ':' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// arnSegments finds the five colons of an ARN value without allocating.
func arnSegments(v string) (idx [5]int, ok bool) {
	n := 0
	for i := 0; i < len(v) && n < 5; i++ {
		if v[i] == ':' {
			idx[n] = i
			n++
		}
	}
	return idx, n == 5 && strings.HasPrefix(v, "arn:")
}

// match matches an ARN value, case-sensitively.
func (a *arnPattern) match(v string, env *env) tri {
	if a.any {
		return yes
	}
	if v == "*" && a.full {
		return triOf(a.coversService(env.service))
	}
	idx, ok := arnSegments(v)
	if !ok || !a.full {
		// Not an ARN, or a pattern with fewer than six segments: the whole
		// string is matched, so a trailing * spans the missing segments.
		return a.whole.match(v, false, env)
	}
	out := yes
	start := 0
	for i := 0; i < 6; i++ {
		end := len(v)
		if i < 5 {
			end = idx[i]
		}
		m := a.segs[i].match(v[start:end], false, env)
		if m == no {
			return no
		}
		out = out.and(m)
		start = end + 1
	}
	return out
}

// undecided appends the variables of p that name keys the caller could
// not observe.
func (p *pattern) undecided(env *env, keys []string) []string {
	for i := range p.toks {
		t := &p.toks[i]
		if t.kind == tokVar {
			if _, st := env.variable(t.s); st == varUnknown {
				keys = append(keys, t.name)
			}
		}
	}
	return keys
}

func (a *arnPattern) undecided(env *env, keys []string) []string {
	if !a.full {
		return a.whole.undecided(env, keys)
	}
	for i := range a.segs {
		keys = a.segs[i].undecided(env, keys)
	}
	return keys
}

// coversService reports whether the pattern covers every resource of the
// action's service ("arn:aws:s3:::*"). Such a pattern also covers the
// service's actions that take no resource (request resource "*"): AWS's
// own examples grant s3:ListAllMyBuckets with "arn:aws:s3:::*".
func (a *arnPattern) coversService(service string) bool {
	if a.segs[0].vars || !a.segs[0].matchPlain("arn", false) {
		return false
	}
	if a.segs[2].vars || !a.segs[2].matchPlain(service, true) {
		return false
	}
	for _, i := range [...]int{3, 4, 5} {
		for _, t := range a.segs[i].toks {
			if t.kind != tokStar {
				return false
			}
		}
	}
	return true
}

// resolvable reports whether every variable of p has a value: AWS treats a
// statement whose variable cannot be resolved as not applying.
func (p *pattern) resolvable(env *env) tri {
	if !p.vars {
		return yes
	}
	out := yes
	for i := range p.toks {
		t := &p.toks[i]
		if t.kind != tokVar {
			continue
		}
		switch _, st := env.variable(t.s); {
		case st == varUnknown:
			out = unknown
		case st == varAbsent && !t.hasDef:
			return no
		}
	}
	return out
}

func (a *arnPattern) resolvable(env *env) tri {
	out := a.whole.resolvable(env)
	if a.full {
		out = yes
		for i := range a.segs {
			if out = out.and(a.segs[i].resolvable(env)); out == no {
				return no
			}
		}
	}
	return out
}

func (a *arnPattern) vars() bool { return a.hasVars }
