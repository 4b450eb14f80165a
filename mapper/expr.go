package mapper

import (
	"fmt"
	"strings"
)

// expr is a compiled `when` expression: a disjunction of conjunctions of
// terms (see service-maps/curation/README.md).
type expr [][]term

type term struct {
	neg   bool
	name  string
	op    string // "", "=", "^=", "~=", "^~=", "*="
	value string
}

var exprOps = []string{"^~=", "^=", "~=", "*=", "="}

func parseExpr(s string) (expr, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("empty when expression")
	}
	var e expr
	for _, alt := range strings.Split(s, "|") {
		var conj []term
		for _, part := range strings.Split(alt, "&") {
			t, err := parseTerm(strings.TrimSpace(part))
			if err != nil {
				return nil, err
			}
			conj = append(conj, t)
		}
		e = append(e, conj)
	}
	return e, nil
}

func parseTerm(s string) (term, error) {
	var t term
	if rest, ok := strings.CutPrefix(s, "!"); ok {
		t.neg, s = true, strings.TrimSpace(rest)
	}
	best := -1
	for _, op := range exprOps {
		if i := strings.Index(s, op); i > 0 && (best < 0 || i < best) {
			best, t.op = i, op
		}
	}
	if best >= 0 {
		// Prefer the longest operator at the earliest position.
		for _, op := range exprOps {
			if strings.HasPrefix(s[best:], op) {
				t.op = op
				break
			}
		}
		t.name, t.value = strings.TrimSpace(s[:best]), strings.TrimSpace(s[best+len(t.op):])
	} else {
		t.name = s
	}
	if t.name == "" || strings.ContainsAny(t.name, " \t=^~!") || strings.HasSuffix(t.name, "*") && t.op == "*=" {
		return t, fmt.Errorf("bad term %q", s)
	}
	t.name = normalizeName(t.name)
	return t, nil
}

// String writes the expression back in its source form.
func (e expr) String() string {
	alts := make([]string, len(e))
	for i, conj := range e {
		terms := make([]string, len(conj))
		for j, t := range conj {
			s := t.name + t.op + t.value
			if t.neg {
				s = "!" + s
			}
			terms[j] = s
		}
		alts[i] = strings.Join(terms, " & ")
	}
	return strings.Join(alts, " | ")
}

func (e expr) eval(p *Params) bool {
	for _, conj := range e {
		ok := true
		for _, t := range conj {
			if t.eval(p) == t.neg {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func (t term) eval(p *Params) bool {
	for _, v := range p.lookup(t.name) {
		switch t.op {
		case "":
			if v != "" {
				return true
			}
		case "=":
			if v == t.value {
				return true
			}
		case "~=":
			if strings.EqualFold(v, t.value) {
				return true
			}
		case "^=":
			if strings.HasPrefix(v, t.value) {
				return true
			}
		case "^~=":
			v = strings.TrimSpace(v)
			if len(v) >= len(t.value) && strings.EqualFold(v[:len(t.value)], t.value) {
				return true
			}
		case "*=":
			if strings.Contains(v, t.value) {
				return true
			}
		}
	}
	return false
}

// CheckWhen reports whether s is a `when` expression the mapper can
// evaluate: the generator validates curated rules with it.
func CheckWhen(s string) error {
	_, err := parseExpr(s)
	return err
}
