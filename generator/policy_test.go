package generator

import (
	"errors"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/iamwatch/iamwatch"
)

func use(action string, resources ...string) iamwatch.ActionUse {
	return iamwatch.ActionUse{Action: action, Resources: resources, Exact: true}
}

func calls(uses ...iamwatch.ActionUse) []iamwatch.Call {
	out := make([]iamwatch.Call, len(uses))
	for i, u := range uses {
		out[i] = iamwatch.Call{Actions: []iamwatch.ActionUse{u}}
	}
	return out
}

func mustGenerate(t *testing.T, cs []iamwatch.Call, o Options) Policy {
	t.Helper()
	p, err := Generate(cs, o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestGenerateGroupsAndUnseenStar(t *testing.T) {
	cs := []iamwatch.Call{
		{Actions: []iamwatch.ActionUse{use("s3:GetObject", "arn:aws:s3:::b/k")}},
		// A CSM record of the same action: "*" only because nothing was seen.
		{Actions: []iamwatch.ActionUse{{Action: "s3:GetObject", Resources: []string{"*"}}}},
		{Actions: []iamwatch.ActionUse{use("s3:PutObject", "arn:aws:s3:::b/k")}},
		{Actions: []iamwatch.ActionUse{{Action: "sqs:SendMessage", Resources: []string{"*"}}}},
		{Actions: []iamwatch.ActionUse{use("s3:ListAllMyBuckets", "*")}},
		{Actions: []iamwatch.ActionUse{{Action: "kms:Decrypt", Resources: []string{"*"}, Possible: true}}},
		// Unrecognized: no actions, nothing to grant.
		{Recognized: false, Reason: "unknown host"},
	}
	p := mustGenerate(t, cs, Options{})
	var got [][2][]string
	for _, s := range p.Statement {
		got = append(got, [2][]string{s.Action, s.Resource})
	}
	want := [][2][]string{
		{{"s3:GetObject", "s3:PutObject"}, {"arn:aws:s3:::b/k"}},
		{{"s3:ListAllMyBuckets", "sqs:SendMessage"}, {"*"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if p2 := mustGenerate(t, cs, Options{}); !reflect.DeepEqual(p, p2) {
		t.Error("Generate is not deterministic")
	}
	if p.Statement[0].Sid == "" || p.Statement[0].Sid == p.Statement[1].Sid || !regexp.MustCompile(`^[A-Za-z0-9]+$`).MatchString(p.Statement[0].Sid) {
		t.Errorf("Sids %q %q", p.Statement[0].Sid, p.Statement[1].Sid)
	}
	withPossible := mustGenerate(t, cs, Options{IncludePossible: true})
	if got := withPossible.Statement[0].Action; !reflect.DeepEqual(got, []string{"kms:Decrypt", "s3:ListAllMyBuckets", "sqs:SendMessage"}) {
		t.Errorf("IncludePossible: %v", got)
	}
	empty := mustGenerate(t, nil, Options{})
	if js, _ := empty.JSON(); string(js) != "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": []\n}\n" {
		t.Errorf("empty policy: %s", js)
	}
}

// TestGenerateOrderIndependent: the same calls in any order give the same
// bytes, and Sids depend on content only.
func TestGenerateOrderIndependent(t *testing.T) {
	cs := mapRequests(t, "../cmd/iamwatch/demo/*.http")
	o := Options{Conditions: true, IncludePossible: true}
	want, _ := mustGenerate(t, cs, o).JSON()
	rev := slices.Clone(cs)
	slices.Reverse(rev)
	if got, _ := mustGenerate(t, rev, o).JSON(); string(got) != string(want) {
		t.Errorf("reversed calls give another policy:\n%s\nwant\n%s", got, want)
	}
	// A statement's Sid survives other statements coming and going.
	p := mustGenerate(t, cs, o)
	q := mustGenerate(t, cs[:len(cs)-1], o)
	sids := map[string]bool{}
	for _, s := range p.Statement {
		sids[s.Sid] = true
	}
	kept := 0
	for _, s := range q.Statement {
		if sids[s.Sid] {
			kept++
		}
	}
	if kept == 0 {
		t.Error("no Sid survived dropping one call")
	}
}

func TestGenerateCanonicalSpelling(t *testing.T) {
	p := mustGenerate(t, calls(use("S3:getobject", "arn:aws:s3:::b/k"), use("s3:GetObject", "arn:aws:s3:::b/l")), Options{})
	if len(p.Statement) != 1 || !reflect.DeepEqual(p.Statement[0].Action, []string{"s3:GetObject"}) ||
		!reflect.DeepEqual(p.Statement[0].Resource, []string{"arn:aws:s3:::b/k", "arn:aws:s3:::b/l"}) {
		t.Errorf("got %+v", p.Statement)
	}
}

// TestGenerateMappedRequests generates a policy, every option on, for each
// of the hundreds of requests real SDKs sent in the mapper's fixtures: the
// catalog must accept every action and ARN the mapper makes.
func TestGenerateMappedRequests(t *testing.T) {
	cs := mapRequests(t, "../mapper/testdata/requests/*/*/*.http")
	if len(cs) < 500 {
		t.Fatalf("only %d requests", len(cs))
	}
	for _, mode := range []ResourceMode{ResourcesExact, ResourcesCollapse, ResourcesService} {
		o := Options{IncludePossible: true, Conditions: true, Resources: mode, CollapseThreshold: 1}
		for _, c := range cs {
			if _, err := Generate([]iamwatch.Call{c}, o); err != nil {
				t.Errorf("%s %s (%s): %v", c.Service, c.Operation, mode, err)
			}
		}
		p, err := Generate(cs, o)
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		assertAllowsCalls(t, p, cs, o)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name     string
		stmt     Statement
		problems []string // substrings, one per expected problem; none: valid
	}{
		{"exact ARNs", Statement{Action: []string{"s3:GetObject", "s3:PutObject"}, Resource: []string{"arn:aws:s3:::b/k/l"}}, nil},
		{"star", Statement{Action: []string{"s3:GetObject", "sts:GetCallerIdentity"}, Resource: []string{"*"}}, nil},
		{"object wildcard", Statement{Action: []string{"s3:GetObject"}, Resource: []string{"arn:aws:s3:::b/*", "arn:aws:s3:::b/dir/*"}}, nil},
		{"account wildcard", Statement{Action: []string{"kms:Decrypt"}, Resource: []string{"arn:aws:kms:us-east-1:*:key/*"}}, nil},
		{"index wildcard", Statement{Action: []string{"dynamodb:Query"}, Resource: []string{"arn:aws:dynamodb:us-east-1:123456789012:table/t/index/*"}}, nil},
		{"other partition", Statement{Action: []string{"s3:GetObject"}, Resource: []string{"arn:aws-cn:s3:::b/k"}}, nil},
		{"case-insensitive action", Statement{Action: []string{"S3:getObject"}, Resource: []string{"arn:aws:s3:::b/k"}}, nil},
		{"unknown action", Statement{Action: []string{"s3:GetObjekt"}, Resource: []string{"*"}}, []string{`"s3:GetObjekt" is not in the IAM catalog`}},
		{"unknown service", Statement{Action: []string{"nosuch:Thing"}, Resource: []string{"*"}}, []string{"not in the IAM catalog"}},
		{"ARN on an action without resource types", Statement{Action: []string{"s3:ListAllMyBuckets"}, Resource: []string{"arn:aws:s3:::b"}},
			[]string{`takes no resource type, so it needs "*"`}},
		{"wrong resource type", Statement{Action: []string{"s3:GetObject"}, Resource: []string{"arn:aws:sqs:us-east-1:123456789012:q"}},
			[]string{"matches no ARN format of s3:GetObject's resource types (accesspointobject, object)"}},
		{"bucket for an object action", Statement{Action: []string{"s3:GetObject"}, Resource: []string{"arn:aws:s3:::b"}}, []string{"matches no ARN format"}},
		// As a glob, arn:aws:s3:::* also matches buckets: not within the
		// object format.
		{"wildcard over buckets", Statement{Action: []string{"s3:GetObject"}, Resource: []string{"arn:aws:s3:::*"}}, []string{"matches no ARN format"}},
		{"wildcard over the service", Statement{Action: []string{"sqs:SendMessage"}, Resource: []string{"arn:aws:*"}}, []string{"matches no ARN format"}},
		{"wildcard for a literal", Statement{Action: []string{"dynamodb:Query"}, Resource: []string{"arn:aws:dynamodb:us-east-1:123456789012:*/t"}}, []string{"matches no ARN format"}},
		{"colon in the region", Statement{Action: []string{"sqs:SendMessage"}, Resource: []string{"arn:aws:sqs:us:east:1:123456789012:q"}}, []string{"matches no ARN format"}},
		{"two problems", Statement{Action: []string{"nosuch:A", "s3:GetObject"}, Resource: []string{"arn:aws:s3:::b"}},
			[]string{"nosuch:A", "matches no ARN format"}},
		{"effect", Statement{Effect: "Deny", Action: []string{"s3:GetObject"}, Resource: []string{"*"}}, []string{`effect "Deny" is not Allow`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.stmt
			if s.Effect == "" {
				s.Effect = "Allow"
			}
			s.Sid = Sid(s)
			err := Validate(Policy{Version: Version, Statement: []Statement{s}}, nil)
			if len(tc.problems) == 0 {
				if err != nil {
					t.Errorf("unexpected error: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want ErrInvalid", err)
			}
			for _, p := range tc.problems {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error %q does not say %q", err, p)
				}
			}
			if n := strings.Count(err.Error(), "statement "); n != len(tc.problems) {
				t.Errorf("%d problems reported, want %d: %v", n, len(tc.problems), err)
			}
		})
	}
}

// TestGenerateRejectsWhatTheCatalogDoesNot: the generator returns the
// violation instead of a policy.
func TestGenerateRejectsWhatTheCatalogDoesNot(t *testing.T) {
	for _, u := range []iamwatch.ActionUse{
		use("s3:NoSuchAction", "*"),
		use("sqs:SendMessage", "arn:aws:s3:::b/k"),
		use("sts:GetCallerIdentity", "arn:aws:iam::123456789012:role/r"),
	} {
		p, err := Generate(calls(u), Options{})
		if !errors.Is(err, ErrInvalid) || p.Statement != nil {
			t.Errorf("%v: got %v, %v", u, p, err)
		}
	}
	if _, err := Generate(nil, Options{Resources: "everything"}); err == nil || !strings.Contains(err.Error(), `unknown resource mode "everything"`) {
		t.Errorf("unknown mode: %v", err)
	}
}

func TestConditions(t *testing.T) {
	region := func(r string) map[string][]string { return map[string][]string{"aws:RequestedRegion": {r}} }
	withConds := func(u iamwatch.ActionUse, c map[string][]string) iamwatch.ActionUse {
		u.Conditions = c
		return u
	}
	passRole := func(svc string) iamwatch.ActionUse {
		return withConds(use("iam:PassRole", "arn:aws:iam::123456789012:role/r"), map[string][]string{"iam:PassedToService": {svc}})
	}
	type cond = map[string]map[string][]string
	for _, tc := range []struct {
		name  string
		calls []iamwatch.Call
		want  []cond // per statement
	}{
		{"pinned by every use", []iamwatch.Call{
			{Actions: []iamwatch.ActionUse{passRole("lambda.amazonaws.com")}, Conditions: region("us-east-1")},
			{Actions: []iamwatch.ActionUse{passRole("ec2.amazonaws.com")}, Conditions: region("eu-west-1")},
		}, []cond{{"StringEquals": {"aws:RequestedRegion": {"eu-west-1", "us-east-1"}, "iam:PassedToService": {"ec2.amazonaws.com", "lambda.amazonaws.com"}}}}},
		{"left open by one use", []iamwatch.Call{
			{Actions: []iamwatch.ActionUse{passRole("lambda.amazonaws.com")}, Conditions: region("us-east-1")},
			{Actions: []iamwatch.ActionUse{use("iam:PassRole", "arn:aws:iam::123456789012:role/r")}},
		}, []cond{nil}},
		{"unsupported key dropped", []iamwatch.Call{
			{Actions: []iamwatch.ActionUse{withConds(use("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:q"), map[string][]string{"s3:prefix": {"a/"}})}},
		}, []cond{nil}},
		{"types", []iamwatch.Call{{Actions: []iamwatch.ActionUse{withConds(use("s3:ListBucket", "arn:aws:s3:::b"),
			map[string][]string{"s3:prefix": {"a/"}, "s3:max-keys": {"10"}, "s3:AccessGrantsInstanceArn": {"arn:aws:s3:us-east-1:123456789012:access-grants/default"}})}}},
			[]cond{{"StringEquals": {"s3:prefix": {"a/"}}, "NumericEquals": {"s3:max-keys": {"10"}},
				"ArnEquals": {"s3:AccessGrantsInstanceArn": {"arn:aws:s3:us-east-1:123456789012:access-grants/default"}}}}},
		{"multi-valued and templated keys", []iamwatch.Call{{Actions: []iamwatch.ActionUse{withConds(use("dynamodb:CreateTable", "arn:aws:dynamodb:us-east-1:123456789012:table/t"),
			map[string][]string{"aws:TagKeys": {"team", "env"}, "aws:RequestTag/team": {"a"}})}}},
			[]cond{{"ForAllValues:StringEquals": {"aws:TagKeys": {"env", "team"}}, "StringEquals": {"aws:RequestTag/team": {"a"}}}}},
		{"grouped by conditions", []iamwatch.Call{
			{Actions: []iamwatch.ActionUse{use("s3:GetObject", "arn:aws:s3:::b/k")}, Conditions: region("us-east-1")},
			{Actions: []iamwatch.ActionUse{use("s3:PutObject", "arn:aws:s3:::b/k")}, Conditions: region("eu-west-1")},
		}, []cond{{"StringEquals": {"aws:RequestedRegion": {"us-east-1"}}}, {"StringEquals": {"aws:RequestedRegion": {"eu-west-1"}}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := Options{Conditions: true}
			p := mustGenerate(t, tc.calls, o)
			var got []cond
			for _, s := range p.Statement {
				got = append(got, s.Condition)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			assertAllowsCalls(t, p, tc.calls, o)
			if p := mustGenerate(t, tc.calls, Options{}); slices.ContainsFunc(p.Statement, func(s Statement) bool { return s.Condition != nil }) {
				t.Error("conditions without Options.Conditions")
			}
		})
	}
}

func TestCollapse(t *testing.T) {
	n := func(format string, count int) []string {
		var out []string
		for i := range count {
			out = append(out, strings.ReplaceAll(format, "N", string(rune('a'+i))))
		}
		return out
	}
	for _, tc := range []struct {
		name      string
		action    string
		resources []string
		threshold int
		want      []string
	}{
		{"objects in a directory", "s3:GetObject", n("arn:aws:s3:::b/logs/2026/N.gz", 6), 5, []string{"arn:aws:s3:::b/logs/2026/*"}},
		{"at the threshold", "s3:GetObject", n("arn:aws:s3:::b/logs/N.gz", 5), 5, n("arn:aws:s3:::b/logs/N.gz", 5)},
		{"top of a bucket", "s3:GetObject", n("arn:aws:s3:::b/N", 3), 2, []string{"arn:aws:s3:::b/*"}},
		{"level by level", "s3:GetObject", slices.Concat(n("arn:aws:s3:::b/x/N/1", 3), n("arn:aws:s3:::b/x/N/2", 3), n("arn:aws:s3:::b/x/N/3", 3)), 2,
			[]string{"arn:aws:s3:::b/x/*"}},
		{"covered ARNs dropped", "s3:GetObject", append(n("arn:aws:s3:::b/d/N", 3), "arn:aws:s3:::b/d/e/deep"), 2, []string{"arn:aws:s3:::b/d/*"}},
		{"never over buckets", "s3:ListBucket", n("arn:aws:s3:::bucket-N", 6), 2, n("arn:aws:s3:::bucket-N", 6)},
		{"never over tables", "dynamodb:GetItem", n("arn:aws:dynamodb:us-east-1:123456789012:table/N", 6), 2, n("arn:aws:dynamodb:us-east-1:123456789012:table/N", 6)},
		{"indexes of a table", "dynamodb:Query", n("arn:aws:dynamodb:us-east-1:123456789012:table/t/index/N", 3), 2,
			[]string{"arn:aws:dynamodb:us-east-1:123456789012:table/t/index/*"}},
		{"never over accounts or regions", "sqs:SendMessage", []string{"arn:aws:sqs:us-east-1:111111111111:q", "arn:aws:sqs:us-east-1:222222222222:q",
			"arn:aws:sqs:eu-west-1:111111111111:q", "arn:aws:sqs:eu-west-1:222222222222:q"}, 1, nil},
		{"PassRole stays exact", "iam:PassRole", n("arn:aws:iam::123456789012:role/svc/N", 6), 2, n("arn:aws:iam::123456789012:role/svc/N", 6)},
		{"role paths", "iam:GetRole", n("arn:aws:iam::123456789012:role/svc/N", 3), 2, []string{"arn:aws:iam::123456789012:role/svc/*"}},
		{"log streams within their group", "logs:PutLogEvents", n("arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:N", 3), 2,
			[]string{"arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:*"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var cs []iamwatch.Call
			for _, r := range tc.resources {
				cs = append(cs, calls(use(tc.action, r))...)
			}
			o := Options{Resources: ResourcesCollapse, CollapseThreshold: tc.threshold}
			p := mustGenerate(t, cs, o)
			want := tc.want
			if want == nil {
				want = slices.Sorted(slices.Values(tc.resources))
			}
			if len(p.Statement) != 1 || !reflect.DeepEqual(p.Statement[0].Resource, want) {
				t.Errorf("got %+v, want %v", p.Statement, want)
			}
			assertAllowsCalls(t, p, cs, o)
		})
	}
}

func TestServiceMode(t *testing.T) {
	cs := calls(use("s3:GetObject", "arn:aws:s3:::b/k"), use("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:q"))
	p := mustGenerate(t, cs, Options{Resources: ResourcesService})
	if len(p.Statement) != 1 || !reflect.DeepEqual(p.Statement[0].Resource, []string{"*"}) ||
		!reflect.DeepEqual(p.Statement[0].Action, []string{"s3:GetObject", "sqs:SendMessage"}) {
		t.Errorf("got %+v", p.Statement)
	}
}

// assertAllowsCalls checks that p allows every action each call needs,
// on each resource it named, in the call's condition context: a generated
// policy must never deny a call it was generated from. Its matching is
// IAM's for the operators the generator writes.
func assertAllowsCalls(t *testing.T, p Policy, cs []iamwatch.Call, o Options) {
	t.Helper()
	seen := map[string]bool{} // actions with a resource other than an unseen "*"
	for _, c := range cs {
		for _, u := range c.Actions {
			for _, r := range u.Resources {
				if r != "*" || u.Exact {
					seen[strings.ToLower(u.Action)] = true
				}
			}
		}
	}
	for _, c := range cs {
		for _, u := range c.Actions {
			if u.Possible && !o.IncludePossible {
				continue
			}
			ctx := mergeConditions(c.Conditions, u.Conditions)
			for _, r := range u.Resources {
				if r == "*" && !u.Exact && seen[strings.ToLower(u.Action)] {
					continue // yields to the resources other calls named
				}
				if !allows(p, u.Action, r, ctx) {
					t.Errorf("policy denies %s on %s with %v", u.Action, r, ctx)
				}
			}
		}
	}
}

func allows(p Policy, action, resource string, ctx map[string][]string) bool {
	for _, s := range p.Statement {
		if s.Effect != "Allow" || !slices.ContainsFunc(s.Action, func(a string) bool { return strings.EqualFold(a, action) }) {
			continue
		}
		// globField is IAM's matching when nothing stops a wildcard at a
		// colon.
		if !slices.ContainsFunc(s.Resource, func(r string) bool { return globField(r, resource) }) {
			continue
		}
		if conditionsHold(s.Condition, ctx) {
			return true
		}
	}
	return false
}

func conditionsHold(c map[string]map[string][]string, ctx map[string][]string) bool {
	for op, keys := range c {
		for k, allowed := range keys {
			var vals []string
			for ck, v := range ctx {
				if strings.EqualFold(ck, k) {
					vals = v
				}
			}
			if strings.HasPrefix(op, "ForAllValues:") {
				if !allIn(vals, allowed) {
					return false
				}
				continue
			}
			if len(vals) == 0 || !allIn(vals, allowed) {
				return false
			}
		}
	}
	return true
}

func allIn(vals, allowed []string) bool {
	for _, v := range vals {
		if !slices.Contains(allowed, v) {
			return false
		}
	}
	return true
}

// grants lists what p allows as action, resource and condition triples.
func grants(p Policy) map[string]bool {
	out := map[string]bool{}
	for _, s := range p.Statement {
		for _, a := range s.Action {
			for _, r := range s.Resource {
				out[a+" "+r+" "+conditionKey(s.Condition)] = true
			}
		}
	}
	return out
}

func TestMergeConditionsLeavesInputs(t *testing.T) {
	a := map[string][]string{"k": {"1"}}
	b := map[string][]string{"k": {"2"}, "j": {"3"}}
	got := mergeConditions(a, b)
	if !reflect.DeepEqual(got, map[string][]string{"k": {"1", "2"}, "j": {"3"}}) || len(a["k"]) != 1 || len(a) != 1 {
		t.Errorf("got %v, a is now %v", got, a)
	}
	if !reflect.DeepEqual(slices.Sorted(maps.Keys(b)), []string{"j", "k"}) {
		t.Errorf("b changed: %v", b)
	}
}
