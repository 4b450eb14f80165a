package generator

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/generator/eval"
	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

// Grant is one policy document of the configuration Diff compares the
// observed calls with, in the role it plays for the principal.
type Grant struct {
	// Kind is eval.KindIdentity, KindBoundary, KindSCP or KindResource.
	Kind eval.Kind
	// SCPLevel is an SCP's level in the organization, 1 for the root; 0
	// counts as 1.
	SCPLevel int
	// Source names the document for people: "policy.json",
	// "plan.json: aws_iam_role_policy.app". Two grants should not share it.
	Source string
	// File is the file the document was read from, as the user gave it.
	File string
	// Document is the policy document, JSON.
	Document []byte
	// Conditional lists the parts of the document its input left
	// undecided, as the grants package notes them ("Statement[0].Resource:
	// AWS::AccountId is not known").
	Conditional []string
	// Lines are the 1-based lines of the document's statements in File,
	// when known (see StatementLines); 0 means unknown.
	Lines []int
}

// DiffOptions tune Diff. The zero value evaluates for an unknown caller
// against the embedded catalog.
type DiffOptions struct {
	// Principal is the caller's ARN for every request: a role (standing
	// for its sessions), a user, a role session. Empty means unknown: a
	// resource-based policy that names principals then decides nothing
	// for certain.
	Principal string
	// Maps is the IAM catalog; nil means servicemaps.Load(). Policy.Maps
	// defaults to it.
	Maps *servicemaps.Maps
	// Policy are the options of the suggested policy.
	Policy Options
}

// DiffReport compares what calls needed with what a configuration grants.
type DiffReport struct {
	// Principal is DiffOptions.Principal.
	Principal string
	// Files are the files of the grants, in order of first appearance.
	Files []string
	// Observed is the number of distinct action and resource pairs the
	// calls needed.
	Observed int
	// Missing are the observed permissions the grants deny for certain.
	Missing []Verdict
	// Conditional are the observed permissions whose verdict depends on
	// what the inputs leave open: request context that was not observed,
	// values only known at deploy time. They are never counted as allowed.
	Conditional []Verdict
	// Unused are the actions the grants allow that no call used.
	Unused []Unused
	// TooBroad are grants on "*" or a wildcard that observed calls used
	// on specific resources only.
	TooBroad []TooBroad
	// Suggested is the minimal policy that keeps every observed call
	// working; nil leaves it out of the rendered report.
	Suggested *Policy
	// Warnings are things the reader should know: what the inputs could
	// not say, what was left out.
	Warnings []string
}

// StatementRef names a statement of a grant.
type StatementRef struct {
	Kind   eval.Kind
	Source string // the grant's Source
	File   string
	Line   int // 0 when unknown
	Index  int // 1-based
	Sid    string
	Effect eval.Effect
}

func (r StatementRef) String() string {
	var b strings.Builder
	switch r.Kind {
	case eval.KindSCP:
		b.WriteString("SCP")
	case eval.KindBoundary:
		b.WriteString("permissions boundary")
	case eval.KindResource:
		b.WriteString("resource policy")
	default:
		b.WriteString("identity policy")
	}
	fmt.Fprintf(&b, " %q statement #%d", r.Source, r.Index)
	if r.Sid != "" {
		fmt.Fprintf(&b, " (Sid %s)", r.Sid)
	}
	return b.String()
}

// Verdict is the outcome for one observed action on one resource.
type Verdict struct {
	Action   string
	Resource string // an ARN, or "*" for an action without resources
	Level    iamwatch.AccessLevel
	// Decision is the least permissive outcome, Possible the most
	// permissive; they differ for a conditional verdict.
	Decision eval.Decision
	Possible eval.Decision
	// Reason says in one line why.
	Reason string
	// Statements are the Deny statements that block the request, or for a
	// conditional verdict the statements it depends on.
	Statements []StatementRef
	// Undecided are the request context keys and deploy-time placeholders
	// the verdict depends on, sorted.
	Undecided []string
	// Notes are what the inputs said about the undecided parts.
	Notes []string
}

// Unused is an action the grants allow and no observed call used.
type Unused struct {
	Action string
	Level  iamwatch.AccessLevel // "" when the catalog does not say
	// Resource is what the granting statement allows it on.
	Resource string
	// Pattern is the Action entry that grants it ("s3:Get*"), or
	// "NotAction: …".
	Pattern   string
	Statement StatementRef
	Reason    string
}

// TooBroad is a grant wider than the resources calls used it on.
type TooBroad struct {
	Action string
	// Resource is the granted pattern: "*", "arn:aws:s3:::bucket/*", or
	// "NotResource: …".
	Resource string
	// Observed are the resources the calls used, which is all the
	// statement needs to grant.
	Observed  []string
	Statement StatementRef
	Reason    string
}

// High reports whether an access level is one the report highlights:
// Write and Permissions management change things, the latter who may do
// them.
func High(l iamwatch.AccessLevel) bool {
	return l == iamwatch.LevelWrite || l == iamwatch.LevelPermissionsManagement
}

// levelRank orders access levels by how much they matter in an unused
// list: most dangerous first.
func levelRank(l iamwatch.AccessLevel) int {
	switch l {
	case iamwatch.LevelPermissionsManagement:
		return 0
	case iamwatch.LevelWrite:
		return 1
	case iamwatch.LevelTagging:
		return 2
	case iamwatch.LevelRead:
		return 3
	case iamwatch.LevelList:
		return 4
	}
	return 5
}

// FailOn selects the findings that make a diff fail (exit code 3).
type FailOn string

// The FailOn values.
const (
	FailMissing     FailOn = "missing"     // missing permissions
	FailConditional FailOn = "conditional" // missing or conditional
	FailUnused      FailOn = "unused"      // unused actions
	FailAny         FailOn = "any"         // any finding: missing, conditional, unused or too broad
	FailNone        FailOn = "none"        // never
)

// FailOns returns the FailOn values.
func FailOns() []FailOn {
	return []FailOn{FailMissing, FailConditional, FailUnused, FailAny, FailNone}
}

// Fails reports whether the report has a finding that on selects.
func (r *DiffReport) Fails(on FailOn) bool {
	switch on {
	case FailMissing:
		return len(r.Missing) > 0
	case FailConditional:
		return len(r.Missing)+len(r.Conditional) > 0
	case FailUnused:
		return len(r.Unused) > 0
	case FailAny:
		return len(r.Missing)+len(r.Conditional)+len(r.Unused)+len(r.TooBroad) > 0
	}
	return false
}

// Diff compares the action uses of observed calls with what grants allow.
//
// Each required use (possible ones too with o.Policy.IncludePossible) is
// evaluated once per resource, as a request by o.Principal with the use's
// condition values as request context. Keys nobody observed — global keys
// such as aws:SourceIp or aws:PrincipalTag/*, and the action's own keys
// that the mapper does not read from requests — are unknown, so a
// condition on them makes the verdict conditional instead of deciding it.
// A "*" that stands for a resource nobody saw is, as for Generate, one of
// the resources other uses of the action named.
//
// A "${...}" in a document that is not an IAM policy variable
// ("${AWS::AccountId}", "${aws_s3_bucket.data.arn}") stands for a value
// only known at deploy time. Such a statement is read both ways: as
// matching nothing, and as matching whatever its placeholders could be
// (a placeholder in Action excepted: it matches no action). A request
// that only the second reading allows, or that only a Deny with
// placeholders denies, is conditional; so is one whose grant the input
// notes as assumed ("Fn::If … assumed true").
//
// Unused actions are those the grants could allow (eval's
// AllowableActions over the whole catalog) that no use named, possible
// uses included. Diff is pure and deterministic.
func Diff(uses []iamwatch.ActionUse, grants []Grant, o DiffOptions) (*DiffReport, error) {
	m := o.Maps
	if m == nil {
		var err error
		if m, err = servicemaps.Load(); err != nil {
			return nil, fmt.Errorf("load the IAM catalog: %w", err)
		}
	}
	sets, err := newDiffSets(grants)
	if err != nil {
		return nil, err
	}
	d := &differ{m: m, sets: sets, principal: o.Principal,
		unknownCache: map[string][]string{}, coverCache: map[string]*eval.Set{}, coverMemo: map[string]bool{},
		observedRes: map[string]map[string]bool{}}
	d.ctxKeys, d.absent = principalContext(o.Principal)
	rep := &DiffReport{Principal: o.Principal, Files: sets.files}

	// Evaluate each distinct request once: a million calls are a few
	// thousand distinct uses.
	type pairKey struct{ action, resource string }
	type pairState struct {
		rank    int // 0 allowed, 1 conditional, 2 missing
		verdict Verdict
	}
	pairs := map[pairKey]*pairState{}
	var order []pairKey
	seen := map[string]bool{}
	observed := map[string]bool{} // lowercased actions any use named
	broad := map[string]*TooBroad{}
	// named are the actions some use named resources of. A "*" that only
	// stands for a resource nobody saw (a CSM record, a request that did
	// not name it) is then one of those, as the generator reads it.
	named := map[string]bool{}
	for _, u := range uses {
		for _, res := range resourcesOf(u) {
			if res != "*" {
				named[strings.ToLower(u.Action)] = true
			}
		}
	}
	unseen := func(u iamwatch.ActionUse, res string) bool {
		return res == "*" && !u.Exact
	}
	needed := func(u iamwatch.ActionUse) bool { return !u.Possible || o.Policy.IncludePossible }
	for _, u := range uses {
		la := strings.ToLower(u.Action)
		observed[la] = true
		if !needed(u) {
			continue
		}
		for _, res := range resourcesOf(u) {
			if unseen(u, res) && named[la] {
				continue
			}
			if d.observedRes[la] == nil {
				d.observedRes[la] = map[string]bool{}
			}
			d.observedRes[la][res] = true
		}
	}
	for _, u := range uses {
		if !needed(u) {
			continue
		}
		for _, res := range resourcesOf(u) {
			lk := pairKey{strings.ToLower(u.Action), res}
			if unseen(u, res) && named[lk.action] {
				continue // the named resources decide
			}
			key := requestKey(u, res)
			if seen[key] {
				continue
			}
			seen[key] = true
			v, rank, allowedBy := d.evaluate(u, res)
			if rank == 0 && len(allowedBy) > 0 && res != "*" {
				d.tooBroad(u, res, allowedBy, broad)
			}
			st := pairs[lk]
			if st == nil {
				st = &pairState{rank: -1}
				pairs[lk] = st
				order = append(order, lk)
			}
			if rank > st.rank {
				st.rank, st.verdict = rank, v
			}
		}
	}
	for _, k := range order {
		st := pairs[k]
		rep.Observed++
		switch st.rank {
		case 1:
			rep.Conditional = append(rep.Conditional, st.verdict)
		case 2:
			rep.Missing = append(rep.Missing, st.verdict)
		}
	}
	sortVerdicts(rep.Missing)
	sortVerdicts(rep.Conditional)
	for _, tb := range broad {
		sort.Strings(tb.Observed)
		tb.Reason = fmt.Sprintf("granted on %s; the calls used it on %d specific resource(s) only", tb.Resource, len(tb.Observed))
		rep.TooBroad = append(rep.TooBroad, *tb)
	}
	sort.Slice(rep.TooBroad, func(i, j int) bool {
		a, b := rep.TooBroad[i], rep.TooBroad[j]
		if a.Action != b.Action {
			return a.Action < b.Action
		}
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		return refKey(a.Statement) < refKey(b.Statement)
	})
	rep.Unused = d.unused(observed)

	po := o.Policy
	if po.Maps == nil {
		po.Maps = m
	}
	p, err := FromUses(uses, po)
	if err != nil {
		return nil, fmt.Errorf("suggest a policy: %w", err)
	}
	rep.Suggested = &p
	return rep, nil
}

// resourcesOf returns the resources of a use; "*" for none.
func resourcesOf(u iamwatch.ActionUse) []string {
	if len(u.Resources) == 0 {
		return []string{"*"}
	}
	out := make([]string, 0, len(u.Resources))
	for _, r := range u.Resources {
		if r == "" {
			r = "*"
		}
		out = append(out, r)
	}
	return out
}

// requestKey identifies the request a use makes on one resource.
func requestKey(u iamwatch.ActionUse, res string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(u.Action))
	b.WriteByte(0)
	b.WriteString(res)
	b.WriteByte(0)
	if u.Possible {
		b.WriteByte('?')
	}
	if u.Exact {
		b.WriteByte('=')
	}
	for _, k := range slices.Sorted(maps.Keys(u.Conditions)) {
		b.WriteByte(1)
		b.WriteString(k)
		for _, v := range u.Conditions[k] {
			b.WriteByte(2)
			b.WriteString(v)
		}
	}
	return b.String()
}

func sortVerdicts(vs []Verdict) {
	sort.Slice(vs, func(i, j int) bool {
		if vs[i].Action != vs[j].Action {
			return vs[i].Action < vs[j].Action
		}
		return vs[i].Resource < vs[j].Resource
	})
}

func refKey(r StatementRef) string {
	return fmt.Sprintf("%s\x00%s\x00%06d", r.Kind, r.Source, r.Index)
}

// differ holds what one Diff evaluates with.
type differ struct {
	m         *servicemaps.Maps
	sets      *diffSets
	principal string
	ctxKeys   map[string][]string // context that the principal decides
	absent    map[string]bool     // keys the principal leaves absent, lowercased

	unknownCache map[string][]string
	derived      map[string]bool // action and condition key the maps fill, lowercased
	coverCache   map[string]*eval.Set
	coverMemo    map[string]bool
	// observedRes are the resources required uses named, by lowercased
	// action.
	observedRes map[string]map[string]bool
}

// principalContext returns the global keys the caller's ARN decides: the
// values it gives, and the keys it leaves absent (lowercased).
func principalContext(arn string) (map[string][]string, map[string]bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[4] == "" {
		return nil, nil
	}
	ctx := map[string][]string{"aws:PrincipalAccount": {parts[4]}}
	var absent map[string]bool
	res := parts[5]
	switch {
	case parts[2] == "iam" && strings.HasPrefix(res, "role/"):
		ctx["aws:PrincipalArn"] = []string{arn}
		ctx["aws:PrincipalType"] = []string{"AssumedRole"}
		absent = map[string]bool{"aws:username": true} // only IAM users have one
	case parts[2] == "sts" && strings.HasPrefix(res, "assumed-role/"):
		// aws:PrincipalArn of a role session is the role's ARN, whose
		// path the session ARN does not carry: leave it unknown.
		ctx["aws:PrincipalType"] = []string{"AssumedRole"}
		absent = map[string]bool{"aws:username": true}
	case parts[2] == "iam" && strings.HasPrefix(res, "user/"):
		ctx["aws:PrincipalArn"] = []string{arn}
		ctx["aws:PrincipalType"] = []string{"User"}
		ctx["aws:username"] = []string{res[strings.LastIndexByte(res, '/')+1:]}
	case parts[2] == "iam" && res == "root":
		ctx["aws:PrincipalArn"] = []string{arn}
		ctx["aws:PrincipalType"] = []string{"Account"}
	}
	return ctx, absent
}

// unobservable are the global condition keys a request may carry that no
// recorded call tells: conditions on them stay undecided. Entries ending
// in * cover a family.
var unobservable = [...]string{
	"aws:CalledVia*", "aws:CurrentTime", "aws:EpochTime", "aws:Ec2InstanceSource*",
	"aws:FederatedProvider", "aws:MultiFactorAuthAge", "aws:MultiFactorAuthPresent",
	"aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalIsAWSService", "aws:PrincipalOrgID",
	"aws:PrincipalOrgPaths", "aws:PrincipalServiceName", "aws:PrincipalServiceNamesList",
	"aws:PrincipalTag/*", "aws:PrincipalType", "aws:Referer", "aws:RequestedRegion",
	"aws:ResourceAccount", "aws:ResourceOrgID", "aws:ResourceOrgPaths", "aws:ResourceTag/*",
	"aws:SecureTransport", "aws:SourceAccount", "aws:SourceArn", "aws:SourceIdentity",
	"aws:SourceIp", "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:SourceVpc", "aws:SourceVpce",
	"aws:TokenIssueTime", "aws:UserAgent", "aws:userid", "aws:username", "aws:ViaAWSService",
	"aws:VpcSourceIp",
}

// unknownKeys returns the keys of a request that nobody observed: the
// global ones above and the action's own, less those ctx holds.
func (d *differ) unknownKeys(u iamwatch.ActionUse, ctx map[string][]string) []string {
	known := slices.Sorted(maps.Keys(ctx))
	cacheKey := strings.ToLower(u.Action) + "\x00" + strings.Join(known, "\x00")
	if u.Exact {
		cacheKey += "\x00="
	}
	if out, ok := d.unknownCache[cacheKey]; ok {
		return out
	}
	var candidates []string
	for _, k := range unobservable {
		if !d.absent[strings.ToLower(k)] {
			candidates = append(candidates, k)
		}
	}
	if a := d.m.Action(u.Action); a != nil {
		for _, k := range a.ConditionKeys {
			if i := strings.IndexAny(k, "$<"); i >= 0 {
				k = k[:i] + "*"
			}
			// The mapper reads the request's tags and the keys its maps
			// derive: an exact use that pinned none had none.
			if u.Exact && (strings.EqualFold(k, "aws:RequestTag/*") || strings.EqualFold(k, "aws:TagKeys") || d.derives(u.Action, k)) {
				continue
			}
			candidates = append(candidates, k)
		}
	}
	var out []string
	for _, c := range candidates {
		if !coversAny(c, known) && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	d.unknownCache[cacheKey] = out
	return out
}

// derives reports whether the service maps fill the condition key for
// the action from the request, as the mapper does.
func (d *differ) derives(action, key string) bool {
	if d.derived == nil {
		d.derived = map[string]bool{}
		add := func(ts []servicemaps.ActionTemplate) {
			for _, t := range ts {
				for _, c := range t.Conditions {
					d.derived[strings.ToLower(t.Action)+"\x00"+strings.ToLower(c.Key)] = true
				}
			}
		}
		for _, svc := range d.m.Services {
			for _, op := range svc.Ops {
				add(op.Actions)
				add(op.Possible)
				for _, r := range op.Rules {
					add(r.Add)
				}
			}
		}
	}
	return d.derived[strings.ToLower(action)+"\x00"+strings.ToLower(key)]
}

// coversAny reports whether the unknown-key entry c names one of keys.
func coversAny(c string, keys []string) bool {
	for _, k := range keys {
		if p, ok := strings.CutSuffix(c, "*"); ok {
			if len(k) >= len(p) && strings.EqualFold(k[:len(p)], p) {
				return true
			}
		} else if strings.EqualFold(c, k) {
			return true
		}
	}
	return false
}

// request builds the request a use makes on one resource.
func (d *differ) request(u iamwatch.ActionUse, res string) eval.Request {
	ctx := u.Conditions
	if len(d.ctxKeys) > 0 {
		ctx = make(map[string][]string, len(u.Conditions)+len(d.ctxKeys))
		for k, v := range d.ctxKeys {
			ctx[k] = v
		}
		for k, v := range u.Conditions {
			ctx[k] = v
		}
	}
	req := eval.Request{Principal: d.principal, Action: u.Action, Resource: res, Context: ctx, Unknown: d.unknownKeys(u, ctx)}
	// An ARN whose account the call did not tell ("*") is taken to be in
	// the caller's account, the common case, rather than another one.
	if parts := strings.SplitN(res, ":", 6); len(parts) == 6 && strings.ContainsAny(parts[4], "*?") {
		if acct := d.ctxKeys["aws:PrincipalAccount"]; len(acct) == 1 {
			req.ResourceAccount = acct[0]
		}
	}
	return req
}

// evaluate decides one request under both readings of the grants. rank is
// 0 allowed, 1 conditional, 2 missing; allowedBy are the Allow statements
// of an allowed request.
func (d *differ) evaluate(u iamwatch.ActionUse, res string) (Verdict, int, []eval.Ref) {
	req := d.request(u, res)
	v := Verdict{Action: u.Action, Resource: res}
	if a := d.m.Action(u.Action); a != nil {
		v.Level = a.Level
		v.Action = canonicalAction(d.m, u.Action)
	}
	worst := d.sets.worst.Evaluate(req)
	if worst.Decision == eval.Allowed {
		return v, 0, worst.Statements
	}
	best := worst
	if d.sets.open {
		best = d.sets.best.Evaluate(req)
	}
	if best.Possible != eval.Allowed {
		// Denied however the open parts turn out.
		v.Decision, v.Possible = best.Possible, best.Possible
		v.Statements = d.sets.refs(best.Statements)
		if res == "*" && !u.Exact && best.Possible == eval.ImplicitlyDenied && len(d.sets.best.AllowableActions([]string{u.Action})) > 0 {
			// The calls did not say which resource; the grants allow the
			// action on some.
			v.Reason = "the recorded calls did not name the resource, and the policies allow the action only on some resources"
			v.Statements, v.Possible = nil, eval.Allowed
			return v, 1, nil
		}
		switch {
		case best.Possible == eval.ExplicitlyDenied:
			v.Reason = "denied by " + joinRefs(v.Statements)
		case best.Decision == eval.ImplicitlyDenied:
			v.Reason = best.Reason()
		default:
			v.Reason = "no policy allows the request"
		}
		return v, 2, nil
	}
	// Allowed one way, not the other.
	v.Decision, v.Possible = worst.Decision, eval.Allowed
	keys := append(slices.Clone(worst.Undecided), best.Undecided...)
	pending := append(d.sets.refs(worst.Pending), d.sets.refs(best.Pending)...)
	ph, notes, phRefs := d.sets.openFor(u.Action)
	keys = append(keys, ph...)
	pending = append(pending, phRefs...)
	v.Undecided = dedupeFold(keys)
	v.Statements = dedupeRefs(pending)
	v.Notes = dedupeStrings(notes)
	switch {
	case len(v.Undecided) > 0:
		v.Reason = "depends on " + strings.Join(v.Undecided, ", ")
	case len(v.Notes) > 0:
		v.Reason = "depends on what the input assumed"
	default:
		v.Reason = "depends on values the inputs leave open"
	}
	if len(v.Statements) > 0 {
		v.Reason += ": " + joinRefs(v.Statements)
	}
	return v, 1, nil
}

func canonicalAction(m *servicemaps.Maps, name string) string {
	prefix, rest, ok := strings.Cut(name, ":")
	if !ok {
		return name
	}
	svc := m.IAMService(prefix)
	if svc == nil {
		return name
	}
	if a := svc.Action(rest); a != nil {
		return svc.Prefix + ":" + a.Name
	}
	return name
}

func joinRefs(refs []StatementRef) string {
	s := make([]string, len(refs))
	for i, r := range refs {
		s[i] = r.String()
	}
	return strings.Join(s, "; ")
}

func dedupeRefs(refs []StatementRef) []StatementRef {
	sort.SliceStable(refs, func(i, j int) bool { return refKey(refs[i]) < refKey(refs[j]) })
	out := refs[:0]
	for i, r := range refs {
		if i == 0 || refKey(r) != refKey(refs[i-1]) {
			out = append(out, r)
		}
	}
	return out
}

func dedupeFold(s []string) []string {
	sort.Slice(s, func(i, j int) bool { return strings.ToLower(s[i]) < strings.ToLower(s[j]) })
	out := s[:0]
	for i, v := range s {
		if i == 0 || !strings.EqualFold(v, s[i-1]) {
			out = append(out, v)
		}
	}
	return out
}

func dedupeStrings(s []string) []string {
	sort.Strings(s)
	return slices.Compact(s)
}

// tooBroad records the statements that allowed a request on a specific
// resource through "*" or a wildcard, with no entry naming the resource.
func (d *differ) tooBroad(u iamwatch.ActionUse, res string, allowedBy []eval.Ref, broad map[string]*TooBroad) {
	action := canonicalAction(d.m, u.Action)
	for _, ref := range allowedBy {
		// Boundaries, SCPs and session policies cap; only identity-based
		// and resource-based policies grant.
		if ref.Kind != eval.KindIdentity && ref.Kind != eval.KindResource {
			continue
		}
		st := d.sets.statement(ref)
		if st == nil || st.Effect != eval.Allow {
			continue
		}
		var pattern string
		switch {
		case st.NotResource != nil:
			pattern = "NotResource: " + strings.Join(st.NotResource, ", ")
		case st.Resource == nil:
			continue // a trust policy: no resources to tighten
		default:
			exact := false
			for _, r := range st.Resource {
				if !d.covers(r, u, res) {
					continue
				}
				if d.observedRes[strings.ToLower(u.Action)][r] {
					// The pattern is itself what a call named (an ARN
					// with an account the call did not tell).
					exact = true
					break
				}
				if r == res || !strings.ContainsAny(r, "*?") && !strings.Contains(r, "${") {
					exact = true
					break
				}
				if pattern == "" {
					pattern = r
				}
			}
			if exact || pattern == "" {
				continue
			}
		}
		sref := d.sets.ref(ref)
		key := refKey(sref) + "\x00" + action + "\x00" + pattern
		tb := broad[key]
		if tb == nil {
			tb = &TooBroad{Action: action, Resource: pattern, Statement: sref}
			broad[key] = tb
		}
		if !slices.Contains(tb.Observed, res) {
			tb.Observed = append(tb.Observed, res)
		}
	}
}

// covers reports whether one Resource entry may match the request.
func (d *differ) covers(pattern string, u iamwatch.ActionUse, res string) bool {
	memo := pattern + "\x00" + requestKey(u, res)
	if v, ok := d.coverMemo[memo]; ok {
		return v
	}
	s := d.coverCache[pattern]
	if s == nil {
		doc := fmt.Sprintf(`{"Version":%q,"Statement":{"Effect":"Allow","Action":"*","Resource":%s}}`, eval.Version2012, quoteJSON(pattern))
		p, err := eval.Parse([]byte(doc))
		if err != nil {
			d.coverMemo[memo] = false
			return false
		}
		s = &eval.Set{Identity: []*eval.Policy{p}}
		d.coverCache[pattern] = s
	}
	v := s.Evaluate(d.request(u, res)).Possible == eval.Allowed
	d.coverMemo[memo] = v
	return v
}

// unused lists the actions the grants could allow that no use named.
func (d *differ) unused(observed map[string]bool) []Unused {
	var catalog []string
	for _, svc := range d.m.IAM {
		for _, a := range svc.Actions {
			catalog = append(catalog, svc.Prefix+":"+a.Name)
		}
	}
	var out []Unused
	for _, name := range d.sets.best.AllowableActions(catalog) {
		if observed[strings.ToLower(name)] {
			continue
		}
		u := Unused{Action: name}
		if a := d.m.Action(name); a != nil {
			u.Level = a.Level
		}
		ref, st := d.sets.granting(name)
		if st != nil {
			u.Statement = ref
			u.Pattern = d.sets.pattern(st, name)
			switch {
			case st.NotResource != nil:
				u.Resource = "NotResource: " + strings.Join(st.NotResource, ", ")
			case st.Resource != nil:
				u.Resource = strings.Join(st.Resource, ", ")
			}
			u.Reason = fmt.Sprintf("granted by %s through %q; no call used it", ref, u.Pattern)
		}
		out = append(out, u)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if ri, rj := levelRank(out[i].Level), levelRank(out[j].Level); ri != rj {
			return ri < rj
		}
		return out[i].Action < out[j].Action
	})
	return out
}
