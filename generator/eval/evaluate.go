package eval

import (
	"fmt"
	"sort"
	"strings"
)

// Decision is the outcome of an evaluation. The zero value is
// ImplicitlyDenied: nothing is allowed unless a policy says so.
type Decision uint8

// The three outcomes of AWS's policy evaluation logic.
const (
	ImplicitlyDenied Decision = iota
	Allowed
	ExplicitlyDenied
)

func (d Decision) String() string {
	switch d {
	case Allowed:
		return "Allowed"
	case ExplicitlyDenied:
		return "ExplicitlyDenied"
	}
	return "ImplicitlyDenied"
}

// MarshalText makes a Decision its name in JSON.
func (d Decision) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a Decision's name.
func (d *Decision) UnmarshalText(b []byte) error {
	switch string(b) {
	case "Allowed":
		*d = Allowed
	case "ExplicitlyDenied":
		*d = ExplicitlyDenied
	case "ImplicitlyDenied":
		*d = ImplicitlyDenied
	default:
		return fmt.Errorf("decision %q: want Allowed, ExplicitlyDenied or ImplicitlyDenied", b)
	}
	return nil
}

// Kind is the kind of policy a statement belongs to.
type Kind string

// The policy kinds of a Set.
const (
	KindIdentity Kind = "identity"
	KindBoundary Kind = "boundary"
	KindSCP      Kind = "scp"
	KindRCP      Kind = "rcp"
	KindResource Kind = "resource"
	KindSession  Kind = "session"
)

// Set is every policy that applies to a request. Evaluate only reads it
// and its policies, so one Set may serve concurrent evaluations.
type Set struct {
	// Identity holds the caller's identity-based policies: inline and
	// managed, its own and its groups'.
	Identity []*Policy
	// Boundary is the caller's permissions boundary. nil means none; a
	// policy without statements is a boundary that allows nothing.
	Boundary *Policy
	// SCPs are the service control policies over the caller's account, one
	// level per entry: the organization root first, then each OU, then the
	// account. Every level must allow the request. nil means the account is
	// not governed by SCPs (no organization, or the management account).
	SCPs [][]*Policy
	// RCPs are the resource control policies over the resource's account.
	// Only their Deny statements matter: AWS attaches RCPFullAWSAccess to
	// every level and it cannot be detached, so an Allow is always there.
	RCPs []*Policy
	// Resource holds the resource's resource-based policies (bucket policy,
	// key policy, trust policy…).
	Resource []*Policy
	// Session holds the session policies passed when the caller's session
	// was created; empty means none.
	Session []*Policy
	// RequireResourcePolicy marks resources whose resource-based policy
	// must allow the request itself — AWS KMS key policies and IAM role
	// trust policies — so that identity-based policies alone do not
	// suffice, even in the same account.
	RequireResourcePolicy bool
}

// Request is one request to evaluate. Its Context is the whole request
// context: a key it does not hold is absent, which is decidable (Null is
// true, …IfExists holds). Keys the caller could not observe go in Unknown
// instead; conditions on them make the result conditional.
type Request struct {
	// Principal is the caller's ARN: an IAM user, a role session
	// (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION), a role ARN standing
	// for any of its sessions, a federated user, the account root, or a
	// service principal such as "s3.amazonaws.com". Empty means unknown:
	// whether a resource-based policy names the caller is then undecided.
	Principal string
	// PrincipalAccount defaults to the account of Principal.
	PrincipalAccount string
	// Anonymous marks an unsigned request: only resource-based policies
	// with Principal "*" can allow it.
	Anonymous bool
	// Action is "service:Action"; matched case-insensitively.
	Action string
	// Resource is the resource's ARN, or "*" for actions without resources.
	Resource string
	// ResourceAccount defaults to the account in Resource, then to the
	// caller's account (S3 ARNs carry no account).
	ResourceAccount string
	// Context maps condition keys to their values. Keys are matched
	// case-insensitively (all-lowercase keys are fastest); values as the
	// operator says. A key with no values is absent.
	Context map[string][]string
	// Unknown lists keys whose presence and value the caller could not
	// observe. An entry ending in * covers every key with that prefix
	// ("aws:ResourceTag/*").
	Unknown []string
}

// Ref names a statement that decided, or could decide, a request.
type Ref struct {
	Kind   Kind
	Policy string
	// Level is the SCP level (1 = the organization root), 0 for other kinds.
	Level  int
	Index  int // 1-based statement index
	Sid    string
	Effect Effect
}

func (r Ref) String() string {
	var b strings.Builder
	switch r.Kind {
	case KindSCP:
		fmt.Fprintf(&b, "SCP level %d policy %q", r.Level, r.Policy)
	case KindRCP:
		fmt.Fprintf(&b, "RCP %q", r.Policy)
	case KindBoundary:
		fmt.Fprintf(&b, "permissions boundary %q", r.Policy)
	case KindResource:
		fmt.Fprintf(&b, "resource policy %q", r.Policy)
	case KindSession:
		fmt.Fprintf(&b, "session policy %q", r.Policy)
	default:
		fmt.Fprintf(&b, "identity policy %q", r.Policy)
	}
	fmt.Fprintf(&b, " statement #%d", r.Index)
	if r.Sid != "" {
		fmt.Fprintf(&b, " (Sid %s)", r.Sid)
	}
	fmt.Fprintf(&b, ": %s", r.Effect)
	return b.String()
}

// Result is the decision on a request and what made it.
type Result struct {
	// Decision holds whatever values the Unknown keys have when
	// Conditional is false. When Conditional is true it is the least
	// permissive outcome, so Allowed always means allowed.
	Decision Decision
	// Possible is the most permissive outcome; it differs from Decision
	// only when Conditional. Each undecided statement is taken as free to
	// go either way, so Possible may be optimistic when two statements
	// test the same unknown key.
	Possible Decision
	// Conditional reports that the outcome depends on keys in Undecided.
	Conditional bool
	// Undecided lists the unknown keys the outcome depends on, sorted.
	Undecided []string
	// Statements decided Decision: the Deny statements that matched, or the
	// Allow statements that granted the request. Empty for an implicit
	// deny: Missing says which policy kind did not allow.
	Statements []Ref
	// Pending are the statements whose match depends on Undecided keys.
	Pending []Ref
	// Missing is the policy kind whose lack of an Allow made the request
	// implicitly denied; MissingLevel is its SCP level.
	Missing      Kind
	MissingLevel int
}

// Reason explains in one line a decision that no statement shows: an
// implicit deny, or the account root user's allow. It is empty otherwise.
func (r Result) Reason() string {
	if r.Decision == Allowed && len(r.Statements) == 0 {
		return "the account root user has full access"
	}
	if r.Decision != ImplicitlyDenied {
		return ""
	}
	switch r.Missing {
	case KindSCP:
		return fmt.Sprintf("no SCP at level %d allows the request", r.MissingLevel)
	case KindBoundary:
		return "the permissions boundary does not allow the request"
	case KindSession:
		return "no session policy allows the request"
	case KindResource:
		return "no resource-based policy allows the request"
	}
	return "no identity-based policy allows the request"
}

// env is the request context as matching sees it.
type env struct {
	ctx     map[string][]string // the caller's context
	lowered map[string][]string // ctx with lowercased keys, made on the first miss
	checked bool                // ctx was found to have only lowercase keys
	unknown []string
	service string // the action's service prefix
}

// Key states.
const (
	keyPresent = iota
	keyUnknown
)

// Variable states.
const (
	varOK = iota
	varAbsent
	varUnknown
)

func newEnv(r *Request) env {
	e := env{ctx: r.Context, unknown: r.Unknown}
	e.service, _, _ = strings.Cut(r.Action, ":")
	return e
}

// lookup finds a lowercased key. Policy keys are lowercased at Parse time,
// so a context with lowercase keys is read directly; any other spelling
// costs one lowercased copy per evaluation, made on the first miss.
func (e *env) lookup(key string) []string {
	if v, ok := e.ctx[key]; ok || e.checked {
		return v
	}
	if e.lowered == nil {
		for k := range e.ctx {
			if !isLower(k) {
				e.lowered = make(map[string][]string, len(e.ctx))
				for k, v := range e.ctx {
					lk := strings.ToLower(k)
					e.lowered[lk] = append(e.lowered[lk], v...)
				}
				break
			}
		}
		if e.lowered == nil {
			e.checked = true
			return nil
		}
	}
	return e.lowered[key]
}

func isLower(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return false
		}
	}
	return true
}

func (e *env) isUnknown(key string) bool {
	for _, u := range e.unknown {
		if n := len(u) - 1; n >= 0 && u[n] == '*' {
			if len(key) >= n && strings.EqualFold(key[:n], u[:n]) {
				return true
			}
		} else if strings.EqualFold(u, key) {
			return true
		}
	}
	return false
}

// values returns the values of a lowercased key.
func (e *env) values(key string) ([]string, int) {
	if len(e.unknown) > 0 && e.isUnknown(key) {
		return nil, keyUnknown
	}
	return e.lookup(key), keyPresent
}

// variable returns the value a policy variable takes. Only single-valued
// keys can be variables: a key with several values has none.
func (e *env) variable(key string) (string, int) {
	v, st := e.values(key)
	switch {
	case st == keyUnknown:
		return "", varUnknown
	case len(v) == 1:
		return v[0], varOK
	}
	return "", varAbsent
}

// MatchesAction reports whether the statement's Action (or NotAction)
// covers action, case-insensitively and with wildcards.
func (st *Statement) MatchesAction(action string) bool {
	m := false
	for i := range st.actions {
		if st.actions[i].matchPlain(action, true) {
			m = true
			break
		}
	}
	return m != (st.NotAction != nil)
}

// matchResource is the Resource or NotResource test; a statement with
// neither (a trust policy) covers every resource.
func (st *Statement) matchResource(res string, env *env) tri {
	if st.Resource == nil && st.NotResource == nil {
		return yes
	}
	m := no
	for i := range st.resources {
		r := &st.resources[i]
		if r.vars() {
			// An unresolvable variable makes the statement not apply, even
			// through NotResource; one that names an unknown key may.
			switch r.resolvable(env) {
			case no:
				return no
			case unknown:
				if st.NotResource != nil {
					m = m.or(unknown)
				}
			}
		}
		if m = m.or(r.match(res, env)); m == yes {
			break
		}
	}
	if st.NotResource != nil {
		return m.not()
	}
	return m
}

// matchPrincipal is the Principal or NotPrincipal test of a resource-based
// policy, with how the caller is named. A statement that names nobody (an
// invalid resource policy) is read conservatively: its Deny applies to
// everyone, its Allow to no one.
func (st *Statement) matchPrincipal(c *caller) (tri, uint8) {
	if st.Principal == nil && st.NotPrincipal == nil {
		if st.Effect == Deny {
			return yes, grantDirect
		}
		return no, grantNone
	}
	m, grant := no, uint8(grantNone)
	for i := range st.principals {
		em, eg := st.principals[i].match(c)
		switch {
		case em == yes && (m != yes || eg > grant):
			m, grant = yes, eg
		case em == unknown && m == no:
			m, grant = unknown, eg
		}
	}
	if st.NotPrincipal != nil {
		return m.not(), grantDirect
	}
	return m, grant
}

// match decides whether the statement applies to the request.
func (st *Statement) match(kind Kind, r *Request, c *caller, env *env) (tri, uint8) {
	if !st.MatchesAction(r.Action) {
		return no, grantNone
	}
	m := st.matchResource(r.Resource, env)
	if m == no {
		return no, grantNone
	}
	grant := uint8(grantDirect)
	if kind == KindResource || kind == KindRCP {
		var pm tri
		pm, grant = st.matchPrincipal(c)
		if m = m.and(pm); m == no {
			return no, grantNone
		}
	}
	for i := range st.Conditions {
		if m = m.and(st.Conditions[i].eval(env)); m == no {
			return no, grantNone
		}
	}
	return m, grant
}

func (st *Statement) undecided(kind Kind, c *caller, env *env, keys []string) []string {
	for i := range st.resources {
		keys = st.resources[i].undecided(env, keys)
	}
	if (kind == KindResource || kind == KindRCP) && c.kind == callerUnknown {
		keys = append(keys, "aws:PrincipalArn")
	}
	for i := range st.Conditions {
		keys = st.Conditions[i].undecided(env, keys)
	}
	return keys
}

// Gates: the groups of statements the evaluation logic combines.
const (
	gDeny = iota
	gIdentity
	gBoundary
	gSession
	gSCP
	gResDirect
	gResRole
	gResAccount
)

type hit struct {
	gate  uint8
	m     tri
	kind  Kind
	level int
	pol   *Policy
	st    *Statement
}

func (h *hit) ref() Ref {
	return Ref{Kind: h.kind, Policy: h.pol.Name, Level: h.level, Index: h.st.Index, Sid: h.st.Sid, Effect: h.st.Effect}
}

// evaluation is the state of one Evaluate call. It lives on the stack:
// hits and SCP levels fill fixed arrays first and spill to the heap only
// for unusually large sets.
type evaluation struct {
	set    *Set
	req    Request
	caller caller
	env    env
	gates  [gResAccount + 1]tri
	same   bool

	hits     [24]hit
	nhits    int
	moreHits []hit
	scp      [8]tri
	nscp     int
	moreSCP  []tri
}

func (ev *evaluation) addHit(h hit) {
	if ev.nhits < len(ev.hits) {
		ev.hits[ev.nhits] = h
	} else {
		ev.moreHits = append(ev.moreHits, h)
	}
	ev.nhits++
}

func (ev *evaluation) hit(i int) *hit {
	if i < len(ev.hits) {
		return &ev.hits[i]
	}
	return &ev.moreHits[i-len(ev.hits)]
}

func (ev *evaluation) addSCP(t tri) {
	if ev.nscp < len(ev.scp) {
		ev.scp[ev.nscp] = t
	} else {
		ev.moreSCP = append(ev.moreSCP, t)
	}
	ev.nscp++
}

func (ev *evaluation) scpLevel(i int) tri {
	if i < len(ev.scp) {
		return ev.scp[i]
	}
	return ev.moreSCP[i-len(ev.scp)]
}

// Evaluate decides the request as AWS's documented policy evaluation logic
// does (IAM User Guide, "Policy evaluation logic" and "Cross-account
// policy evaluation logic"):
//
//   - a matching Deny in any policy denies explicitly;
//   - every SCP level must allow;
//   - in the same account an Allow in an identity-based policy (within the
//     boundary and session policies) or in a resource-based policy that
//     names the caller suffices — a resource-based policy naming a role is
//     still limited by the boundary and session policies, one naming the
//     account delegates to the identity-based policies;
//   - across accounts both the caller's side and the resource-based policy
//     must allow.
func (s *Set) Evaluate(r Request) Result {
	var ev evaluation
	ev.set, ev.req = s, r
	ev.caller = parseCaller(&ev.req)
	ev.env = newEnv(&ev.req)
	ev.run()
	worst, wMissing, wLevel := ev.decide(false)
	best, _, _ := ev.decide(true)
	res := Result{Decision: worst, Possible: best, Conditional: worst != best}
	if worst == ImplicitlyDenied {
		res.Missing, res.MissingLevel = wMissing, wLevel
	}
	res.Statements = ev.deciding(worst, false)
	if res.Conditional {
		var keys []string
		for i := 0; i < ev.nhits; i++ {
			h := ev.hit(i)
			if h.m == unknown {
				res.Pending = append(res.Pending, h.ref())
				keys = h.st.undecided(h.kind, &ev.caller, &ev.env, keys)
			}
		}
		res.Undecided = dedupe(keys)
	}
	return res
}

func dedupe(keys []string) []string {
	sort.Slice(keys, func(i, j int) bool { return strings.ToLower(keys[i]) < strings.ToLower(keys[j]) })
	out := keys[:0]
	for i, k := range keys {
		if i == 0 || !strings.EqualFold(k, keys[i-1]) {
			out = append(out, k)
		}
	}
	return out
}

func (ev *evaluation) run() {
	s, r := ev.set, &ev.req
	resAccount := r.ResourceAccount
	if resAccount == "" {
		if a, ok := splitARN(r.Resource); ok {
			resAccount = a.account
		}
	}
	ev.same = resAccount == "" || ev.caller.account == "" || resAccount == ev.caller.account
	ev.gates[gBoundary] = yes
	if s.Boundary != nil {
		ev.gates[gBoundary] = no
	}
	ev.gates[gSession] = yes
	if len(s.Session) > 0 {
		ev.gates[gSession] = no
	}
	for _, p := range s.Identity {
		ev.policy(KindIdentity, 0, p, gIdentity)
	}
	if s.Boundary != nil {
		ev.policy(KindBoundary, 0, s.Boundary, gBoundary)
	}
	for _, p := range s.Session {
		ev.policy(KindSession, 0, p, gSession)
	}
	for i, level := range s.SCPs {
		ev.gates[gSCP] = no
		for _, p := range level {
			ev.policy(KindSCP, i+1, p, gSCP)
		}
		ev.addSCP(ev.gates[gSCP])
	}
	for _, p := range s.RCPs {
		ev.policy(KindRCP, 0, p, gDeny)
	}
	for _, p := range s.Resource {
		ev.policy(KindResource, 0, p, gResDirect)
	}
}

// policy evaluates every statement of p; Allow statements feed gate.
func (ev *evaluation) policy(kind Kind, level int, p *Policy, gate uint8) {
	if p == nil {
		return
	}
	for _, st := range p.Statements {
		if st.Effect == Allow && kind == KindRCP {
			continue
		}
		m, grant := st.match(kind, &ev.req, &ev.caller, &ev.env)
		if m == no {
			continue
		}
		g := gate
		switch {
		case st.Effect == Deny:
			g = gDeny
		case kind == KindResource:
			switch grant {
			case grantRole:
				g = gResRole
			case grantAccount:
				g = gResAccount
			}
		}
		ev.gates[g] = ev.gates[g].or(m)
		ev.addHit(hit{gate: g, m: m, kind: kind, level: level, pol: p, st: st})
	}
}

// holds resolves a tri for an Allow gate (deny=false) or the Deny gate,
// taking unknowns in favour of access when best.
func holds(t tri, best, deny bool) bool {
	if t == unknown {
		return best != deny
	}
	return t == yes
}

// decide applies the evaluation logic with unknowns resolved one way.
func (ev *evaluation) decide(best bool) (Decision, Kind, int) {
	s, c := ev.set, &ev.caller
	if holds(ev.gates[gDeny], best, true) {
		return ExplicitlyDenied, "", 0
	}
	allow := func(g int) bool { return holds(ev.gates[g], best, false) }
	direct, role, acct := allow(gResDirect), allow(gResRole), allow(gResAccount)
	switch c.kind {
	case callerAnonymous:
		// No identity, boundary, session or SCP: only a resource-based
		// policy that names everyone can allow.
		if direct {
			return Allowed, "", 0
		}
		return ImplicitlyDenied, KindResource, 0
	case callerService:
		if direct || role || acct {
			return Allowed, "", 0
		}
		return ImplicitlyDenied, KindResource, 0
	}
	for i := 0; i < ev.nscp; i++ {
		if !holds(ev.scpLevel(i), best, false) {
			return ImplicitlyDenied, KindSCP, i + 1
		}
	}
	root := c.kind == callerRoot
	idOK := root || allow(gIdentity)
	bOK := root || allow(gBoundary)
	// A federated user session from GetFederationToken has no permissions
	// without a session policy; a role session without one keeps its role's.
	sOK := allow(gSession) && (len(s.Session) > 0 || c.kind != callerFederated)
	side := idOK && bOK && sOK
	var ok bool
	switch {
	case !ev.same:
		ok = side && (direct || role || acct)
	case s.RequireResourcePolicy:
		ok = direct || (role && bOK && sOK) || (acct && side)
	default:
		ok = side || direct || (role && bOK && sOK)
	}
	if ok {
		return Allowed, "", 0
	}
	resGrant := direct || role || acct
	switch {
	case (s.RequireResourcePolicy || !ev.same) && !resGrant:
		return ImplicitlyDenied, KindResource, 0
	case !idOK && !(ev.same && role && !s.RequireResourcePolicy):
		return ImplicitlyDenied, KindIdentity, 0
	case !bOK:
		return ImplicitlyDenied, KindBoundary, 0
	case !sOK:
		return ImplicitlyDenied, KindSession, 0
	}
	return ImplicitlyDenied, KindResource, 0
}

// deciding lists the statements behind decision d.
func (ev *evaluation) deciding(d Decision, best bool) []Ref {
	if d == ImplicitlyDenied {
		return nil
	}
	want := func(h *hit) bool {
		return (h.gate == gDeny) == (d == ExplicitlyDenied) && holds(h.m, best, h.gate == gDeny)
	}
	n := 0
	for i := 0; i < ev.nhits; i++ {
		if want(ev.hit(i)) {
			n++
		}
	}
	out := make([]Ref, 0, n)
	for i := 0; i < ev.nhits; i++ {
		if h := ev.hit(i); want(h) {
			out = append(out, h.ref())
		}
	}
	return out
}
