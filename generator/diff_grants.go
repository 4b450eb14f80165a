package generator

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/iamwatch/iamwatch/generator/eval"
)

// diffSets holds the grants parsed, in the two readings Diff evaluates
// them in. In worst, a statement with an open part (a deploy-time
// placeholder, or a part the input only assumed) that allows is left out,
// and one that denies applies as widely as its placeholders could make it;
// in best, the other way round.
type diffSets struct {
	grants []Grant
	orig   []*eval.Policy // as written, per grant
	byName map[string]int // policy name → grant index
	open   bool           // some statement has an open part
	// stmts[i][j] is what is open in statement j+1 of grant i.
	stmts       [][]openPart
	worst, best *eval.Set
	files       []string

	patterns  map[string]*eval.Statement // Action entry → a statement of it alone
	openCache map[string]openMatch       // lowercased action → the open statements that name it
}

// openPart is what a statement leaves open.
type openPart struct {
	open         bool
	placeholders []string // "${AWS::AccountId}"
	notes        []string // the input's notes on it
}

type openMatch struct {
	names, notes []string
	refs         []StatementRef
}

func newDiffSets(grants []Grant) (*diffSets, error) {
	s := &diffSets{grants: grants, byName: map[string]int{}, patterns: map[string]*eval.Statement{}, openCache: map[string]openMatch{}}
	worst, best := &eval.Set{}, &eval.Set{}
	var boundaries []string
	scpLevels := map[int][2][]*eval.Policy{}
	for i, g := range grants {
		p, err := eval.Parse(g.Document)
		if err != nil {
			return nil, fmt.Errorf("read %s: not an IAM policy: %w", g.Source, err)
		}
		name := g.Source
		for n := 2; ; n++ {
			if _, dup := s.byName[name]; !dup {
				break
			}
			name = fmt.Sprintf("%s (%d)", g.Source, n)
		}
		p.Name = name
		s.byName[name] = i
		s.orig = append(s.orig, p)
		if g.File != "" && !slices.Contains(s.files, g.File) {
			s.files = append(s.files, g.File)
		}

		parts := openParts(p, g.Source, g.Conditional)
		s.stmts = append(s.stmts, parts)
		w := &eval.Policy{Name: p.Name, Version: p.Version, ID: p.ID}
		b := &eval.Policy{Name: p.Name, Version: p.Version, ID: p.ID}
		for j, st := range p.Statements {
			if !parts[j].open {
				w.Statements = append(w.Statements, st)
				b.Statements = append(b.Statements, st)
				continue
			}
			s.open = true
			wide, err := widen(p.Version, st)
			if err != nil {
				return nil, fmt.Errorf("read %s: statement #%d: %w", g.Source, st.Index, err)
			}
			if st.Effect == eval.Deny {
				w.Statements = append(w.Statements, wide)
			} else {
				b.Statements = append(b.Statements, wide)
			}
		}

		switch g.Kind {
		case eval.KindBoundary:
			boundaries = append(boundaries, g.Source)
			worst.Boundary, best.Boundary = w, b
		case eval.KindSCP:
			level := max(g.SCPLevel, 1)
			l := scpLevels[level]
			scpLevels[level] = [2][]*eval.Policy{append(l[0], w), append(l[1], b)}
		case eval.KindResource:
			worst.Resource, best.Resource = append(worst.Resource, w), append(best.Resource, b)
		case eval.KindSession:
			worst.Session, best.Session = append(worst.Session, w), append(best.Session, b)
		case eval.KindRCP:
			worst.RCPs, best.RCPs = append(worst.RCPs, w), append(best.RCPs, b)
		case eval.KindIdentity, "":
			worst.Identity, best.Identity = append(worst.Identity, w), append(best.Identity, b)
		default:
			return nil, fmt.Errorf("read %s: unknown kind of grant %q", g.Source, g.Kind)
		}
	}
	if len(boundaries) > 1 {
		return nil, fmt.Errorf("%d permissions boundaries (%s): a principal has at most one", len(boundaries), strings.Join(boundaries, "; "))
	}
	levels := make([]int, 0, len(scpLevels))
	for l := range scpLevels {
		levels = append(levels, l)
	}
	sort.Ints(levels)
	for _, l := range levels {
		worst.SCPs = append(worst.SCPs, scpLevels[l][0])
		best.SCPs = append(best.SCPs, scpLevels[l][1])
	}
	s.worst, s.best = worst, best
	return s, nil
}

// openParts finds what each statement of p leaves open: placeholders in
// its text, and the input's notes that name it ("Statement[2]…"). A note
// that the input assumed something about the whole document ("Fn::If …
// assumed true", a resource Condition) opens every statement.
func openParts(p *eval.Policy, source string, notes []string) []openPart {
	parts := make([]openPart, len(p.Statements))
	var whole []string
	assumed := false
	for _, n := range notes {
		i, ok := noteStatement(n)
		n = source + ": " + n
		if !ok {
			whole = append(whole, n)
			assumed = assumed || strings.Contains(n, "assumed")
			continue
		}
		if i >= 0 && i < len(parts) {
			parts[i].notes = append(parts[i].notes, n)
			parts[i].open = true
		}
	}
	for j, st := range p.Statements {
		parts[j].placeholders = statementPlaceholders(st)
		if len(parts[j].placeholders) > 0 || assumed {
			parts[j].open = true
		}
		if parts[j].open {
			parts[j].notes = append(parts[j].notes, whole...)
		}
	}
	return parts
}

// noteStatement reads the 0-based statement index of a note whose path
// names one: "Statement[2].Resource: …", "Policies[0].PolicyDocument.Statement[1]…".
func noteStatement(note string) (int, bool) {
	path, _, _ := strings.Cut(note, ": ")
	i := strings.Index(path, "Statement[")
	if i < 0 {
		return 0, false
	}
	rest := path[i+len("Statement["):]
	end := strings.IndexByte(rest, ']')
	if end < 0 {
		return 0, false
	}
	n, err := strconv.Atoi(rest[:end])
	return n, err == nil
}

// statementPlaceholders returns the placeholders in a statement's text.
func statementPlaceholders(st *eval.Statement) []string {
	var out []string
	add := func(l []string) {
		for _, v := range l {
			out = append(out, Placeholders(v)...)
		}
	}
	add(st.Action)
	add(st.NotAction)
	add(st.Resource)
	add(st.NotResource)
	for _, pr := range []*eval.Principal{st.Principal, st.NotPrincipal} {
		if pr != nil {
			add(pr.AWS)
			add(pr.Service)
			add(pr.Federated)
			add(pr.CanonicalUser)
		}
	}
	for _, c := range st.Conditions {
		add([]string{c.Key})
		add(c.Values)
	}
	return dedupeStrings(out)
}

// Placeholders returns the "${...}" in s that stand for values known only
// at deploy time, as the grants package keeps them: "${AWS::AccountId}",
// "${DataBucket.Arn}", "${aws_s3_bucket.data.arn}". IAM policy variables
// ("${aws:username}", "${aws:PrincipalTag/team, 'none'}",
// "${token.actions.githubusercontent.com:sub}") and the escapes ${*},
// ${?} and ${$} are not placeholders.
func Placeholders(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return out
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return out
		}
		inner := s[i+2 : i+end]
		if !policyVariable(inner) {
			out = append(out, s[i:i+end+1])
		}
		s = s[i+end+1:]
	}
}

// policyVariable reports whether the inside of a "${...}" reads as an IAM
// policy variable: a condition key "prefix:name", whose prefix is a
// lowercase service prefix or a host name (web identity providers), and
// an optional quoted default.
func policyVariable(inner string) bool {
	switch inner {
	case "*", "?", "$":
		return true
	}
	key, _, _ := strings.Cut(inner, ",")
	key = strings.TrimSpace(key)
	prefix, name, ok := strings.Cut(key, ":")
	if !ok || prefix == "" || name == "" || strings.HasPrefix(name, ":") || strings.ContainsAny(key, " '{}$") {
		return false
	}
	if strings.Contains(prefix, ".") {
		return true
	}
	for _, c := range prefix {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// widen returns st as it reads when each placeholder matches whatever it
// could stand for: a Resource or Principal entry with one becomes "*", a
// NotResource, NotAction or NotPrincipal entry with one goes, and so does
// a condition that names one. Action entries stay: a placeholder there
// matches no action, so that it never lists the whole catalog as granted.
func widen(version string, st *eval.Statement) (*eval.Statement, error) {
	m := map[string]any{"Effect": string(st.Effect)}
	if st.Sid != "" {
		m["Sid"] = st.Sid
	}
	wild := func(l []string) []string {
		out := make([]string, len(l))
		for i, v := range l {
			if len(Placeholders(v)) > 0 {
				v = "*"
			}
			out[i] = v
		}
		return out
	}
	keep := func(l []string) []string {
		out := []string{}
		for _, v := range l {
			if len(Placeholders(v)) == 0 {
				out = append(out, v)
			}
		}
		return out
	}
	if st.Action != nil {
		m["Action"] = st.Action
	}
	if st.NotAction != nil {
		m["NotAction"] = keep(st.NotAction)
	}
	if st.Resource != nil {
		m["Resource"] = wild(st.Resource)
	}
	if st.NotResource != nil {
		m["NotResource"] = keep(st.NotResource)
	}
	if st.Principal != nil {
		if p := principalJSON(st.Principal); len(statementPlaceholders(&eval.Statement{Principal: st.Principal})) > 0 {
			m["Principal"] = "*"
		} else {
			m["Principal"] = p
		}
	}
	if st.NotPrincipal != nil {
		np := *st.NotPrincipal
		np.AWS, np.Service, np.Federated, np.CanonicalUser = keep(np.AWS), keep(np.Service), keep(np.Federated), keep(np.CanonicalUser)
		m["NotPrincipal"] = principalJSON(&np)
	}
	conds := map[string]map[string][]string{}
	for _, c := range st.Conditions {
		if len(Placeholders(c.Key)) > 0 || len(statementPlaceholders(&eval.Statement{Conditions: []eval.Condition{c}})) > 0 {
			continue
		}
		if conds[c.Operator] == nil {
			conds[c.Operator] = map[string][]string{}
		}
		conds[c.Operator][c.Key] = c.Values
	}
	if len(conds) > 0 {
		m["Condition"] = conds
	}
	doc := map[string]any{"Statement": m}
	if version != "" {
		doc["Version"] = version
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	p, err := eval.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("widen placeholders: %w", err)
	}
	w := p.Statements[0]
	w.Index = st.Index
	return w, nil
}

func principalJSON(p *eval.Principal) any {
	if p.All && len(p.AWS) == 0 && len(p.Service) == 0 && len(p.Federated) == 0 && len(p.CanonicalUser) == 0 {
		return "*"
	}
	m := map[string][]string{}
	for k, l := range map[string][]string{"AWS": p.AWS, "Service": p.Service, "Federated": p.Federated, "CanonicalUser": p.CanonicalUser} {
		if l != nil {
			m[k] = l
		}
	}
	if p.All && !slices.Contains(m["AWS"], "*") {
		m["AWS"] = append(m["AWS"], "*")
	}
	return m
}

// ref turns an evaluator's reference into one to a grant's statement.
func (s *diffSets) ref(r eval.Ref) StatementRef {
	out := StatementRef{Kind: r.Kind, Source: r.Policy, Index: r.Index, Sid: r.Sid, Effect: r.Effect}
	if i, ok := s.byName[r.Policy]; ok {
		g := s.grants[i]
		out.Source, out.File = g.Source, g.File
		if r.Index-1 < len(g.Lines) {
			out.Line = g.Lines[r.Index-1]
		}
	}
	return out
}

func (s *diffSets) refs(rs []eval.Ref) []StatementRef {
	out := make([]StatementRef, 0, len(rs))
	for _, r := range rs {
		out = append(out, s.ref(r))
	}
	return out
}

// statement returns the statement, as written, that r names.
func (s *diffSets) statement(r eval.Ref) *eval.Statement {
	i, ok := s.byName[r.Policy]
	if !ok || r.Index < 1 || r.Index > len(s.orig[i].Statements) {
		return nil
	}
	return s.orig[i].Statements[r.Index-1]
}

// granting returns the first Allow statement, identity-based policies
// before resource-based ones, that names the action.
func (s *diffSets) granting(action string) (StatementRef, *eval.Statement) {
	for _, kind := range []eval.Kind{eval.KindIdentity, eval.KindResource} {
		for i, g := range s.grants {
			if g.Kind != kind && !(kind == eval.KindIdentity && g.Kind == "") {
				continue
			}
			for _, st := range s.orig[i].Statements {
				if st.Effect == eval.Allow && st.MatchesAction(action) {
					return s.ref(eval.Ref{Kind: kind, Policy: s.orig[i].Name, Index: st.Index, Sid: st.Sid, Effect: st.Effect}), st
				}
			}
		}
	}
	return StatementRef{}, nil
}

// pattern returns the entry of st's Action that names action.
func (s *diffSets) pattern(st *eval.Statement, action string) string {
	if st.NotAction != nil {
		return "NotAction: " + strings.Join(st.NotAction, ", ")
	}
	for _, a := range st.Action {
		one := s.patterns[a]
		if one == nil {
			doc, _ := json.Marshal(map[string]any{"Statement": map[string]any{"Effect": "Allow", "Action": a, "Resource": "*"}})
			p, err := eval.Parse(doc)
			if err != nil {
				continue
			}
			one = p.Statements[0]
			s.patterns[a] = one
		}
		if one.MatchesAction(action) {
			return a
		}
	}
	return strings.Join(st.Action, ", ")
}

// openFor returns the placeholders, notes and statements of the open
// statements that name the action.
func (s *diffSets) openFor(action string) ([]string, []string, []StatementRef) {
	key := strings.ToLower(action)
	if m, ok := s.openCache[key]; ok {
		return slices.Clone(m.names), slices.Clone(m.notes), slices.Clone(m.refs)
	}
	var m openMatch
	for i := range s.grants {
		for j, st := range s.orig[i].Statements {
			part := s.stmts[i][j]
			if !part.open || !st.MatchesAction(action) {
				continue
			}
			m.names = append(m.names, part.placeholders...)
			m.notes = append(m.notes, part.notes...)
			m.refs = append(m.refs, s.ref(eval.Ref{Kind: s.grants[i].Kind, Policy: s.orig[i].Name, Index: st.Index, Sid: st.Sid, Effect: st.Effect}))
		}
	}
	s.openCache[key] = m
	return slices.Clone(m.names), slices.Clone(m.notes), slices.Clone(m.refs)
}

// quoteJSON encodes s as a JSON string.
func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
