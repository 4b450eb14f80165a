// Package eval evaluates AWS IAM policies offline: it parses policy
// documents and decides a request the way AWS's documented policy
// evaluation logic does — explicit Deny first, then SCPs, resource-based
// policies, identity-based policies, permissions boundaries and session
// policies — and says which statements decided it.
//
// It is pure (no files, network or logging) and imports only the standard
// library. Patterns are compiled by Parse so that Evaluate does not
// allocate for matching.
//
// Where the IAM User Guide leaves room, these readings hold (each has
// cases in testdata/corpus):
//   - a key whose list of values is empty is absent (Null is true);
//   - without ForAllValues or ForAnyValue, a key with several values
//     matches when one of them does, and a negated operator when none does;
//   - a policy variable whose key has no value makes its condition, or
//     its Resource, not apply, negated operators included;
//   - a Resource pattern that covers every resource of a service
//     ("arn:aws:s3:::*") covers that service's actions without resources;
//   - wildcards in principals are literal, except "*" on its own.
package eval

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// Effect is a statement's Effect: Allow or Deny.
type Effect string

// The two effects. AWS compares them case-sensitively.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// The policy language versions. Policy variables are substituted only in
// policies of Version 2012-10-17; in 2008-10-17 (also the default when
// Version is missing) ${...} is literal text.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Policy is a parsed policy document. Statements keep the document's order.
type Policy struct {
	// Name identifies the policy in decisions; Parse leaves it empty for
	// the caller to set (a file name, a policy ARN).
	Name       string
	Version    string // as written; "" when the document has none
	ID         string
	Statements []*Statement
}

// Statement is one statement of a policy. Of Action and NotAction exactly
// one is non-nil; of Resource and NotResource at most one (role trust
// policies have neither); Principal and NotPrincipal likewise.
type Statement struct {
	// Index is the statement's 1-based position in its policy: decisions
	// name it as "statement #Index".
	Index     int
	Sid       string
	Effect    Effect
	Action    []string
	NotAction []string

	Resource    []string
	NotResource []string

	Principal    *Principal
	NotPrincipal *Principal

	// Conditions are sorted by operator then key; all must hold.
	Conditions []Condition

	actions    []pattern
	resources  []arnPattern
	principals []principalEntry
}

// Principal is a Principal or NotPrincipal element. Account IDs in AWS are
// kept as written; they mean arn:aws:iam::ID:root.
type Principal struct {
	All           bool // "*" or {"AWS": "*"}
	AWS           []string
	Service       []string
	Federated     []string
	CanonicalUser []string
}

// Condition is one operator and key of a Condition element with its
// values. Several values are alternatives (OR); for negated operators
// none may match.
type Condition struct {
	Operator string // as written, e.g. "ForAnyValue:StringLikeIfExists"
	Key      string // as written
	Values   []string

	op   opInfo
	key  string // lowercased
	vs   []condValue
	vars bool // some value has a policy variable
}

// ParseError is a problem with a policy document. Statement is the 1-based
// statement index, 0 for the document itself.
type ParseError struct {
	Statement int
	Msg       string
}

func (e *ParseError) Error() string {
	if e.Statement == 0 {
		return e.Msg
	}
	return fmt.Sprintf("statement %d: %s", e.Statement, e.Msg)
}

func docErr(format string, args ...any) error {
	return &ParseError{Msg: fmt.Sprintf(format, args...)}
}

func stErr(i int, format string, args ...any) error {
	return &ParseError{Statement: i, Msg: fmt.Sprintf(format, args...)}
}

// Parse parses a policy document. It takes what AWS takes: Statement as an
// object or an array, single strings where lists are allowed, account IDs
// as principals, and URL-encoded documents as the IAM API returns them. It
// rejects what AWS rejects — an Effect other than Allow or Deny (case
// matters), both Action and NotAction, an unknown condition operator — with
// an error naming the statement.
func Parse(data []byte) (*Policy, error) {
	data = bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if bytes.HasPrefix(data, []byte("%7B")) || bytes.HasPrefix(data, []byte("%7b")) {
		dec, err := url.QueryUnescape(string(data))
		if err != nil {
			return nil, docErr("decode URL-encoded policy: %v", err)
		}
		data = []byte(dec)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, docErr("policy is not a JSON object: %v", err)
	}
	p := &Policy{}
	for _, k := range sortedKeys(top) {
		v := top[k]
		switch k {
		case "Version":
			if err := json.Unmarshal(v, &p.Version); err != nil {
				return nil, docErr("Version: want a string")
			}
		case "Id":
			if err := json.Unmarshal(v, &p.ID); err != nil {
				return nil, docErr("Id: want a string")
			}
		case "Statement":
		default:
			return nil, docErr("unknown element %q (want Version, Id, Statement)", k)
		}
	}
	if p.Version != "" && p.Version != Version2012 && p.Version != Version2008 {
		return nil, docErr("Version %q: want %s or %s", p.Version, Version2012, Version2008)
	}
	raw, ok := top["Statement"]
	if !ok {
		return nil, docErr("no Statement")
	}
	var list []json.RawMessage
	switch firstByte(raw) {
	case '[':
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, docErr("Statement: %v", err)
		}
	case '{':
		list = []json.RawMessage{raw}
	default:
		return nil, docErr("Statement: want an object or an array of objects")
	}
	vars := p.Version == Version2012
	for i, r := range list {
		st, err := parseStatement(i+1, r, vars)
		if err != nil {
			return nil, err
		}
		p.Statements = append(p.Statements, st)
	}
	return p, nil
}

func firstByte(raw json.RawMessage) byte {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

func parseStatement(idx int, raw json.RawMessage, vars bool) (*Statement, error) {
	if firstByte(raw) != '{' {
		return nil, stErr(idx, "want an object")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, stErr(idx, "%v", err)
	}
	st := &Statement{Index: idx}
	var err error
	for _, k := range sortedKeys(m) {
		v := m[k]
		switch k {
		case "Sid":
			if e := json.Unmarshal(v, &st.Sid); e != nil {
				return nil, stErr(idx, "Sid: want a string")
			}
		case "Effect":
			var s string
			if e := json.Unmarshal(v, &s); e != nil {
				return nil, stErr(idx, "Effect: want a string")
			}
			if s != string(Allow) && s != string(Deny) {
				return nil, stErr(idx, "Effect %q: want Allow or Deny", s)
			}
			st.Effect = Effect(s)
		case "Action":
			st.Action, err = stringList(v)
		case "NotAction":
			st.NotAction, err = stringList(v)
		case "Resource":
			st.Resource, err = stringList(v)
		case "NotResource":
			st.NotResource, err = stringList(v)
		case "Principal":
			st.Principal, err = parsePrincipal(v)
		case "NotPrincipal":
			st.NotPrincipal, err = parsePrincipal(v)
		case "Condition":
			st.Conditions, err = parseConditions(v, vars)
		default:
			return nil, stErr(idx, "unknown element %q", k)
		}
		if err != nil {
			return nil, stErr(idx, "%s: %v", k, err)
		}
	}
	switch {
	case st.Effect == "":
		return nil, stErr(idx, "no Effect")
	case st.Action != nil && st.NotAction != nil:
		return nil, stErr(idx, "both Action and NotAction")
	case st.Action == nil && st.NotAction == nil:
		return nil, stErr(idx, "no Action or NotAction")
	case st.Resource != nil && st.NotResource != nil:
		return nil, stErr(idx, "both Resource and NotResource")
	case st.Principal != nil && st.NotPrincipal != nil:
		return nil, stErr(idx, "both Principal and NotPrincipal")
	}
	for _, l := range [][]string{st.Action, st.NotAction} {
		for _, a := range l {
			st.actions = append(st.actions, compilePattern(a, true, false))
		}
	}
	for _, l := range [][]string{st.Resource, st.NotResource} {
		for _, r := range l {
			st.resources = append(st.resources, compileARN(r, vars, false))
		}
	}
	pr := st.Principal
	if pr == nil {
		pr = st.NotPrincipal
	}
	if pr != nil {
		st.principals = compilePrincipal(pr)
	}
	return st, nil
}

// stringList reads a string or an array of strings.
func stringList(raw json.RawMessage) ([]string, error) {
	switch firstByte(raw) {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		return []string{s}, nil
	case '[':
		var l []any
		if err := json.Unmarshal(raw, &l); err != nil {
			return nil, err
		}
		out := make([]string, 0, len(l))
		for _, v := range l {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("want strings, found %s", jsonKind(v))
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("want a string or an array of strings")
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64, json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	}
	return "an object"
}

func parsePrincipal(raw json.RawMessage) (*Principal, error) {
	switch firstByte(raw) {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		if s != "*" {
			return nil, fmt.Errorf("%q: want \"*\" or an object such as {\"AWS\": ...}", s)
		}
		return &Principal{All: true}, nil
	case '{':
	default:
		return nil, fmt.Errorf("want \"*\" or an object such as {\"AWS\": ...}")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	p := &Principal{}
	for _, k := range sortedKeys(m) {
		v := m[k]
		l, err := stringList(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", k, err)
		}
		switch k {
		case "AWS":
			p.AWS = l
			for _, s := range l {
				if s == "*" {
					p.All = true
				}
			}
		case "Service":
			p.Service = l
		case "Federated":
			p.Federated = l
		case "CanonicalUser":
			p.CanonicalUser = l
		default:
			return nil, fmt.Errorf("unknown principal type %q (want AWS, Service, Federated or CanonicalUser)", k)
		}
	}
	return p, nil
}

func parseConditions(raw json.RawMessage, vars bool) ([]Condition, error) {
	if firstByte(raw) != '{' {
		return nil, fmt.Errorf("want an object of operators")
	}
	var ops map[string]json.RawMessage
	if err := json.Unmarshal(raw, &ops); err != nil {
		return nil, err
	}
	var out []Condition
	for _, opName := range sortedKeys(ops) {
		body := ops[opName]
		op, err := parseOperator(opName)
		if err != nil {
			return nil, err
		}
		if firstByte(body) != '{' {
			return nil, fmt.Errorf("%s: want an object of condition keys", opName)
		}
		var keys map[string]json.RawMessage
		d := json.NewDecoder(bytes.NewReader(body))
		d.UseNumber()
		if err := d.Decode(&keys); err != nil {
			return nil, fmt.Errorf("%s: %v", opName, err)
		}
		for _, key := range sortedKeys(keys) {
			v := keys[key]
			vals, err := conditionValues(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %v", opName, key, err)
			}
			c := Condition{Operator: opName, Key: key, Values: vals, op: op, key: strings.ToLower(key)}
			c.compile(vars)
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Operator != out[j].Operator {
			return out[i].Operator < out[j].Operator
		}
		return out[i].Key < out[j].Key
	})
	return out, nil
}

// conditionValues reads a string, boolean or number, or an array of them,
// keeping numbers as written.
func conditionValues(raw json.RawMessage) ([]string, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	one := func(v any) (string, error) {
		switch x := v.(type) {
		case string:
			return x, nil
		case bool:
			if x {
				return "true", nil
			}
			return "false", nil
		case json.Number:
			return x.String(), nil
		}
		return "", fmt.Errorf("want a string, boolean or number, found %s", jsonKind(v))
	}
	if l, ok := v.([]any); ok {
		out := make([]string, 0, len(l))
		for _, e := range l {
			s, err := one(e)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, err := one(v)
	if err != nil {
		return nil, err
	}
	return []string{s}, nil
}

// sortedKeys makes error messages deterministic when a document has more
// than one problem.
func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
