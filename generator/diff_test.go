package generator

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/generator/eval"
	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

func obsUse(action, resource string, conds ...string) iamwatch.ActionUse {
	u := iamwatch.ActionUse{Action: action, Resources: []string{resource}, Exact: true}
	for _, kv := range conds {
		k, v, _ := strings.Cut(kv, "=")
		if u.Conditions == nil {
			u.Conditions = map[string][]string{}
		}
		u.Conditions[k] = append(u.Conditions[k], v)
	}
	return u
}

func identity(doc string) Grant {
	return Grant{Kind: eval.KindIdentity, Source: "p.json", File: "p.json", Document: []byte(doc)}
}

func mustDiff(t *testing.T, uses []iamwatch.ActionUse, grants []Grant, principal string) *DiffReport {
	t.Helper()
	m, err := servicemaps.Load()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Diff(uses, grants, DiffOptions{Maps: m, Principal: principal})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func verdictKeys(vs []Verdict) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, v.Action+" "+v.Resource)
	}
	return out
}

// TestDiffVerdicts checks how each observed use is judged: allowed,
// missing (with what blocks it) or conditional (with what it depends on),
// and that an open part of a document never makes a call allowed.
func TestDiffVerdicts(t *testing.T) {
	const obj = "arn:aws:s3:::data/a.csv"
	tests := []struct {
		name        string
		grants      []Grant
		uses        []iamwatch.ActionUse
		missing     []string
		conditional []string
		reason      string   // a substring of the first finding's reason
		undecided   []string // of the first conditional
		principal   string   // default: a role
	}{
		{
			name:   "allowed exactly",
			grants: []Grant{identity(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/a.csv"}}`)},
			uses:   []iamwatch.ActionUse{obsUse("s3:GetObject", obj)},
		},
		{
			name:    "implicitly denied",
			grants:  []Grant{identity(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*"}}`)},
			uses:    []iamwatch.ActionUse{obsUse("s3:GetObject", obj)},
			missing: []string{"s3:GetObject " + obj},
			reason:  "no identity-based policy allows the request",
		},
		{
			name: "explicitly denied",
			grants: []Grant{identity(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},
				{"Sid":"NoWrite","Effect":"Deny","Action":"s3:Put*","Resource":"*"}]}`)},
			uses:    []iamwatch.ActionUse{obsUse("s3:PutObject", obj), obsUse("s3:GetObject", obj)},
			missing: []string{"s3:PutObject " + obj},
			reason:  `denied by identity policy "p.json" statement #2 (Sid NoWrite)`,
		},
		{
			name:    "action spelled in another case is the same action",
			grants:  []Grant{identity(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"S3:getobject","Resource":"*"}}`)},
			uses:    []iamwatch.ActionUse{obsUse("s3:GetObject", obj), obsUse("S3:GETOBJECT", obj)},
			missing: nil,
		},
		{
			name:        "condition on a key nobody observed",
			grants:      []Grant{identity(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}}`)},
			uses:        []iamwatch.ActionUse{obsUse("s3:GetObject", obj)},
			conditional: []string{"s3:GetObject " + obj},
			undecided:   []string{"aws:SourceIp"},
		},
		{
			name:   "condition on an observed key is decided",
			grants: []Grant{identity(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}}`)},
			uses: []iamwatch.ActionUse{obsUse("s3:GetObject", obj, "aws:RequestedRegion=eu-west-1"),
				obsUse("s3:GetObject", "arn:aws:s3:::data/b.csv", "aws:RequestedRegion=us-east-1")},
			missing: []string{"s3:GetObject arn:aws:s3:::data/b.csv"},
		},
		{
			name:        "placeholder in an Allow's resource is never allowed",
			grants:      []Grant{identity(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"${aws_s3_bucket.data.arn}/*"}}`)},
			uses:        []iamwatch.ActionUse{obsUse("s3:GetObject", obj)},
			conditional: []string{"s3:GetObject " + obj},
			undecided:   []string{"${aws_s3_bucket.data.arn}"},
		},
		{
			name:        "placeholder in a resource segment that eval reads as a variable",
			grants:      []Grant{identity(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:eu-west-1:${AWS::AccountId}:jobs"}}`)},
			uses:        []iamwatch.ActionUse{obsUse("sqs:SendMessage", "arn:aws:sqs:eu-west-1:111122223333:jobs")},
			conditional: []string{"sqs:SendMessage arn:aws:sqs:eu-west-1:111122223333:jobs"},
			undecided:   []string{"${AWS::AccountId}"},
		},
		{
			name:        "placeholder in NotResource does not let the Allow cover everything",
			grants:      []Grant{identity(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","NotResource":"${Secret.Arn}"}}`)},
			uses:        []iamwatch.ActionUse{obsUse("s3:GetObject", obj)},
			conditional: []string{"s3:GetObject " + obj},
		},
		{
			name: "a Deny with a placeholder makes an allowed call conditional",
			grants: []Grant{identity(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},
				{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::${Protected}/*"}]}`)},
			uses:        []iamwatch.ActionUse{obsUse("s3:GetObject", obj)},
			conditional: []string{"s3:GetObject " + obj},
			undecided:   []string{"${Protected}"},
		},
		{
			name: "a Deny whose condition names a placeholder",
			grants: []Grant{identity(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},
				{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"${AWS::Region}"}}}]}`)},
			uses:        []iamwatch.ActionUse{obsUse("s3:GetObject", obj, "aws:RequestedRegion=eu-west-1")},
			conditional: []string{"s3:GetObject " + obj},
		},
		{
			name: "denied whatever the placeholder is",
			grants: []Grant{identity(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"${Bucket.Arn}/*"},
				{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`)},
			uses:    []iamwatch.ActionUse{obsUse("s3:PutObject", obj)},
			missing: []string{"s3:PutObject " + obj},
			reason:  "denied by identity policy",
		},
		{
			name: "a document the input only assumed is open",
			grants: []Grant{{Kind: eval.KindIdentity, Source: "t.yaml: Resources.Role.Policies[0]", File: "t.yaml",
				Document:    []byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`),
				Conditional: []string{"Policies[0]: Fn::If Prod: undecidable (parameter Env has no Default); assumed true"}}},
			uses:        []iamwatch.ActionUse{obsUse("s3:GetObject", obj)},
			conditional: []string{"s3:GetObject " + obj},
			reason:      "depends on what the input assumed",
		},
		{
			name:      "policy variables are not placeholders",
			grants:    []Grant{identity(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}}`)},
			uses:      []iamwatch.ActionUse{obsUse("s3:GetObject", "arn:aws:s3:::home/alice/x")},
			principal: "arn:aws:iam::111122223333:user/alice",
		},
		{
			name:    "a role has no aws:username",
			grants:  []Grant{identity(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}}`)},
			uses:    []iamwatch.ActionUse{obsUse("s3:GetObject", "arn:aws:s3:::home/alice/x")},
			missing: []string{"s3:GetObject arn:aws:s3:::home/alice/x"},
		},
		{
			name:        "an unknown caller may have any aws:username",
			grants:      []Grant{identity(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}}`)},
			uses:        []iamwatch.ActionUse{obsUse("s3:GetObject", "arn:aws:s3:::home/alice/x")},
			principal:   "-",
			conditional: []string{"s3:GetObject arn:aws:s3:::home/alice/x"},
			undecided:   []string{"aws:username"},
		},
		{
			name:        "a permissions boundary caps",
			grants:      []Grant{identity(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`), {Kind: eval.KindBoundary, Source: "b.json", Document: []byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:*","Resource":"*"}}`)}},
			uses:        []iamwatch.ActionUse{obsUse("s3:GetObject", obj)},
			missing:     []string{"s3:GetObject " + obj},
			reason:      "the permissions boundary does not allow the request",
			conditional: nil,
		},
		{
			name: "an SCP level without an Allow denies",
			grants: []Grant{identity(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`),
				{Kind: eval.KindSCP, SCPLevel: 1, Source: "root.json", Document: []byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`)},
				{Kind: eval.KindSCP, SCPLevel: 2, Source: "ou.json", Document: []byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:*","Resource":"*"}}`)}},
			uses:    []iamwatch.ActionUse{obsUse("s3:GetObject", obj)},
			missing: []string{"s3:GetObject " + obj},
			reason:  "no SCP at level 2 allows the request",
		},
		{
			name: "a resource policy naming the principal allows",
			grants: []Grant{{Kind: eval.KindResource, Source: "bucket.json", Document: []byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow",
				"Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}}`)}},
			uses: []iamwatch.ActionUse{obsUse("s3:GetObject", obj)},
		},
		{
			name:   "a resource nobody saw is one of those other calls named",
			grants: []Grant{identity(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/a.csv"}}`)},
			uses:   []iamwatch.ActionUse{obsUse("s3:GetObject", obj), {Action: "s3:GetObject", Resources: []string{"*"}}},
		},
		{
			name:        "a resource nobody saw, granted on some resources",
			grants:      []Grant{identity(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/a.csv"}}`)},
			uses:        []iamwatch.ActionUse{{Action: "s3:GetObject", Resources: []string{"*"}}},
			conditional: []string{"s3:GetObject *"},
			reason:      "did not name the resource",
		},
		{
			name:    "a resource nobody saw, not granted at all",
			grants:  []Grant{identity(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:*","Resource":"*"}}`)},
			uses:    []iamwatch.ActionUse{{Action: "s3:GetObject", Resources: []string{"*"}}},
			missing: []string{"s3:GetObject *"},
		},
		{
			name:   "a possible action is not needed",
			grants: []Grant{identity(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`)},
			uses:   []iamwatch.ActionUse{obsUse("s3:GetObject", obj), {Action: "kms:Decrypt", Resources: []string{"*"}, Possible: true, Reason: "when the object is encrypted with a KMS key"}},
		},
		{
			name:      "an ARN without its account is in the caller's",
			grants:    []Grant{identity(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}}`)},
			uses:      []iamwatch.ActionUse{obsUse("kms:Decrypt", "arn:aws:kms:us-east-1:*:key/*")},
			principal: "arn:aws:iam::111122223333:role/app",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			principal := "arn:aws:iam::111122223333:role/app"
			switch tc.principal {
			case "":
			case "-":
				principal = ""
			default:
				principal = tc.principal
			}
			rep := mustDiff(t, tc.uses, tc.grants, principal)
			if got := verdictKeys(rep.Missing); !reflect.DeepEqual(got, orEmpty(tc.missing)) {
				t.Errorf("missing = %q, want %q", got, tc.missing)
			}
			if got := verdictKeys(rep.Conditional); !reflect.DeepEqual(got, orEmpty(tc.conditional)) {
				t.Errorf("conditional = %q, want %q", got, tc.conditional)
			}
			findings := append(append([]Verdict{}, rep.Missing...), rep.Conditional...)
			if tc.reason != "" && (len(findings) == 0 || !strings.Contains(findings[0].Reason, tc.reason)) {
				t.Errorf("reason of %v does not contain %q", findings, tc.reason)
			}
			if tc.undecided != nil && (len(rep.Conditional) == 0 || !reflect.DeepEqual(rep.Conditional[0].Undecided, tc.undecided)) {
				t.Errorf("undecided of %+v, want %q", rep.Conditional, tc.undecided)
			}
			for _, v := range rep.Conditional {
				if v.Decision == eval.Allowed || v.Possible != eval.Allowed {
					t.Errorf("conditional %s: decision %v, possible %v; want not Allowed, Allowed", v.Action, v.Decision, v.Possible)
				}
			}
		})
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// TestDiffDenyLocation: a missing permission names the Deny that blocks
// it with its line in the file.
func TestDiffDenyLocation(t *testing.T) {
	doc := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"},\n    {\n      \"Effect\": \"Deny\",\n      \"Action\": \"s3:DeleteObject\",\n      \"Resource\": \"*\"\n    }\n  ]\n}\n"
	g := identity(doc)
	g.Lines = StatementLines([]byte(doc))
	rep := mustDiff(t, []iamwatch.ActionUse{obsUse("s3:DeleteObject", "arn:aws:s3:::data/a")}, []Grant{g}, "")
	if len(rep.Missing) != 1 || len(rep.Missing[0].Statements) != 1 {
		t.Fatalf("missing = %+v", rep.Missing)
	}
	ref := rep.Missing[0].Statements[0]
	if ref.Index != 2 || ref.Line != 5 || ref.File != "p.json" || ref.Effect != eval.Deny {
		t.Errorf("blocking statement = %+v, want #2 at p.json:5, Deny", ref)
	}
	if rep.Missing[0].Decision != eval.ExplicitlyDenied {
		t.Errorf("decision = %v", rep.Missing[0].Decision)
	}
}

// TestDiffUnused: wildcards expand against the catalog, observed actions
// (possible ones too) are not unused, and the most dangerous levels come
// first.
func TestDiffUnused(t *testing.T) {
	m, err := servicemaps.Load()
	if err != nil {
		t.Fatal(err)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","sqs:*"],"Resource":"*"},{"Effect":"Deny","Action":"sqs:Delete*","Resource":"*"}]}`
	rep := mustDiff(t, []iamwatch.ActionUse{obsUse("s3:GetObject", "arn:aws:s3:::b/k"), {Action: "s3:GetObjectVersion", Resources: []string{"*"}, Possible: true}},
		[]Grant{identity(doc)}, "")
	p, err := eval.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	var catalog []string
	for _, svc := range m.IAM {
		for _, a := range svc.Actions {
			catalog = append(catalog, svc.Prefix+":"+a.Name)
		}
	}
	want := map[string]bool{}
	for _, a := range p.Statements[0].ExpandActions(catalog) {
		want[a] = true
	}
	for _, a := range p.Statements[1].ExpandActions(catalog) {
		delete(want, a) // an unconditional Deny on everything blocks them
	}
	delete(want, "s3:GetObject")
	delete(want, "s3:GetObjectVersion")
	got := map[string]bool{}
	for _, u := range rep.Unused {
		got[u.Action] = true
		if u.Level != m.Action(u.Action).Level {
			t.Errorf("%s: level %q, catalog says %q", u.Action, u.Level, m.Action(u.Action).Level)
		}
		if !strings.HasPrefix(u.Action, strings.TrimSuffix(u.Pattern, "*")) {
			t.Errorf("%s: granted by %q", u.Action, u.Pattern)
		}
		if u.Statement.Index != 1 {
			t.Errorf("%s: statement %+v", u.Action, u.Statement)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("unused: %d actions, want the %d that s3:Get* and sqs:* grant less what was used and denied", len(got), len(want))
	}
	if len(want) < 20 {
		t.Fatalf("only %d actions expanded: the catalog is too small for this test", len(want))
	}
	for i := 1; i < len(rep.Unused); i++ {
		if levelRank(rep.Unused[i-1].Level) > levelRank(rep.Unused[i].Level) {
			t.Fatalf("unused not grouped by level, most dangerous first: %s (%s) before %s (%s)",
				rep.Unused[i-1].Action, rep.Unused[i-1].Level, rep.Unused[i].Action, rep.Unused[i].Level)
		}
	}
}

// TestDiffTooBroad: an action granted on "*" or a wildcard that calls used
// on specific resources is too broad, with those resources; an entry that
// names the resource, or a boundary's "*", is not.
func TestDiffTooBroad(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[
	  {"Sid":"Star","Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"},
	  {"Sid":"Wild","Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::data/*","arn:aws:s3:::logs/*"]},
	  {"Sid":"Exact","Effect":"Allow","Action":"s3:PutObject","Resource":["arn:aws:s3:::data/*","arn:aws:s3:::data/a"]},
	  {"Sid":"NoResource","Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}]}`
	boundary := Grant{Kind: eval.KindBoundary, Source: "b.json", Document: []byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`)}
	rep := mustDiff(t, []iamwatch.ActionUse{
		obsUse("sqs:SendMessage", "arn:aws:sqs:eu-west-1:111122223333:q"),
		obsUse("s3:GetObject", "arn:aws:s3:::data/a"), obsUse("s3:GetObject", "arn:aws:s3:::data/b"),
		obsUse("s3:PutObject", "arn:aws:s3:::data/a"),
		obsUse("sts:GetCallerIdentity", "*"),
	}, []Grant{identity(doc), boundary}, "")
	type broad struct{ action, resource, sid string }
	var got []broad
	for _, tb := range rep.TooBroad {
		got = append(got, broad{tb.Action, tb.Resource + " → " + strings.Join(tb.Observed, ","), tb.Statement.Sid})
	}
	want := []broad{
		{"s3:GetObject", "arn:aws:s3:::data/* → arn:aws:s3:::data/a,arn:aws:s3:::data/b", "Wild"},
		{"sqs:SendMessage", "* → arn:aws:sqs:eu-west-1:111122223333:q", "Star"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("too broad:\n got %v\nwant %v", got, want)
	}
}

func TestDiffSuggestedAndObserved(t *testing.T) {
	uses := []iamwatch.ActionUse{obsUse("s3:GetObject", "arn:aws:s3:::data/a"), obsUse("s3:GetObject", "arn:aws:s3:::data/a", "aws:RequestedRegion=eu-west-1"),
		obsUse("sqs:SendMessage", "arn:aws:sqs:eu-west-1:111122223333:q")}
	rep := mustDiff(t, uses, nil, "")
	if rep.Observed != 2 {
		t.Errorf("observed = %d, want 2 distinct action and resource pairs", rep.Observed)
	}
	want, err := FromUses(uses, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Suggested == nil || !reflect.DeepEqual(*rep.Suggested, want) {
		t.Errorf("suggested = %+v, want the generator's %+v", rep.Suggested, want)
	}
	if len(rep.Missing) != 2 {
		t.Errorf("with no grants every call is missing: %v", verdictKeys(rep.Missing))
	}
}

func TestDiffErrors(t *testing.T) {
	b := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`
	tests := []struct {
		name   string
		grants []Grant
		want   string
	}{
		{"not a policy", []Grant{identity(`{"Statement":[{"Effect":"allow","Action":"*"}]}`)}, `read p.json: not an IAM policy: statement 1: Effect "allow"`},
		{"two boundaries", []Grant{{Kind: eval.KindBoundary, Source: "a", Document: []byte(b)}, {Kind: eval.KindBoundary, Source: "b", Document: []byte(b)}}, "2 permissions boundaries (a; b)"},
		{"unknown kind", []Grant{{Kind: "group", Source: "g", Document: []byte(b)}}, `unknown kind of grant "group"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Diff(nil, tc.grants, DiffOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestFails(t *testing.T) {
	v := []Verdict{{Action: "s3:GetObject"}}
	reports := map[string]*DiffReport{
		"clean":       {},
		"missing":     {Missing: v},
		"conditional": {Conditional: v},
		"unused":      {Unused: []Unused{{Action: "s3:PutObject"}}},
		"broad":       {TooBroad: []TooBroad{{Action: "s3:GetObject"}}},
	}
	want := map[FailOn][]string{
		FailMissing:     {"missing"},
		FailConditional: {"conditional", "missing"},
		FailUnused:      {"unused"},
		FailAny:         {"broad", "conditional", "missing", "unused"},
		FailNone:        nil,
	}
	for _, on := range FailOns() {
		var got []string
		for name, r := range reports {
			if r.Fails(on) {
				got = append(got, name)
			}
		}
		slices.Sort(got)
		if !reflect.DeepEqual(got, want[on]) {
			t.Errorf("--fail-on %s fails on %v, want %v", on, got, want[on])
		}
	}
}

func TestPlaceholders(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"arn:aws:s3:::b-${AWS::AccountId}/*", []string{"${AWS::AccountId}"}},
		{"${aws_s3_bucket.data.arn}/*", []string{"${aws_s3_bucket.data.arn}"}},
		{"${ImportValue:shared-arn}", []string{"${ImportValue:shared-arn}"}},
		{"${Fn::GetAZs[0]}", []string{"${Fn::GetAZs[0]}"}},
		{"home/${aws:username}/${Data.Arn}", []string{"${Data.Arn}"}},
		{"${aws:PrincipalTag/team, 'none'}", nil},
		{"${token.actions.githubusercontent.com:sub}", nil},
		{"${*}${?}${$}", nil},
		{"${unterminated", nil},
		{"plain", nil},
	}
	for _, tc := range tests {
		if got := Placeholders(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Placeholders(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestStatementLines(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []int
	}{
		{"array", "{\n \"Version\": \"2012-10-17\",\n \"Statement\": [\n  {\"Effect\": \"Allow\"},\n\n  {\n   \"Effect\": \"Deny\"}\n ]\n}", []int{4, 6}},
		{"object", "{\"Statement\":\n  {\"Effect\": \"Allow\"}}", []int{2}},
		{"get-role-policy", "{\n\"RoleName\": \"r\",\n\"PolicyDocument\": {\n \"Statement\": [\n  {}\n ]}}", []int{5}},
		{"statement inside a value first", "{\"Id\": {\"x\": [1, {\"y\": 2}]},\n\"Statement\": [{}]}", []int{2}},
		{"yaml", "Statement:\n  - Effect: Allow\n", nil},
		{"no statement", `{"Version": "2012-10-17"}`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := StatementLines([]byte(tc.doc)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("StatementLines = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestDiffRender checks what each format promises: JSON arrays are never
// null, markdown folds long tables, SARIF levels follow the finding.
func TestDiffRender(t *testing.T) {
	var uses []iamwatch.ActionUse
	for i := 0; i < 12; i++ {
		uses = append(uses, obsUse("s3:GetObject", "arn:aws:s3:::data/k"+strings.Repeat("x", i)))
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:SendMessage","iam:PutRolePolicy","sqs:GetQueueUrl"],"Resource":"*"}]}`
	rep := mustDiff(t, uses, []Grant{identity(doc)}, "")

	t.Run("json", func(t *testing.T) {
		out, err := (&DiffReport{}).Render(DiffJSON)
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"missing", "conditional", "unused", "too_broad", "warnings", "against"} {
			if _, ok := v[k].([]any); !ok {
				t.Errorf("%s is %T, want an array", k, v[k])
			}
		}
		if v["schema_version"] != float64(DiffSchemaVersion) {
			t.Errorf("schema_version = %v", v["schema_version"])
		}
		out, err = rep.Render(DiffJSON)
		if err != nil {
			t.Fatal(err)
		}
		var full diffJSON
		if err := json.Unmarshal(out, &full); err != nil {
			t.Fatal(err)
		}
		for _, u := range full.Unused {
			if u.AccessLevel == "" || u.Reason == "" || u.Action == "" {
				t.Errorf("unused item lacks action, access_level or reason: %+v", u)
			}
		}
		for _, m := range full.Missing {
			if m.Resource == "" || m.Reason == "" {
				t.Errorf("missing item lacks resource or reason: %+v", m)
			}
		}
	})
	t.Run("markdown", func(t *testing.T) {
		out, err := rep.Render(DiffMarkdown)
		if err != nil {
			t.Fatal(err)
		}
		s := string(out)
		for _, want := range []string{"**iamwatch diff**: **12 missing permission(s)**", "<details><summary>12 missing permissions</summary>",
			"<b>Permissions management: 1 (high risk)</b>", "```json\n{", "| `iam:PutRolePolicy` |"} {
			if !strings.Contains(s, want) {
				t.Errorf("markdown lacks %q:\n%s", want, s)
			}
		}
	})
	t.Run("sarif", func(t *testing.T) {
		out, err := rep.Render(DiffSARIF)
		if err != nil {
			t.Fatal(err)
		}
		var log sarifLog
		if err := json.Unmarshal(out, &log); err != nil {
			t.Fatal(err)
		}
		if log.Version != "2.1.0" || len(log.Runs) != 1 {
			t.Fatalf("version %q, %d runs", log.Version, len(log.Runs))
		}
		levels := map[string]string{}
		for _, r := range log.Runs[0].Results {
			if r.RuleID != sarifRules[r.RuleIndex].ID {
				t.Errorf("result of rule %s has ruleIndex %d", r.RuleID, r.RuleIndex)
			}
			if len(r.Locations) != 1 || r.Locations[0].PhysicalLocation.ArtifactLocation.URI != "p.json" {
				t.Errorf("result %s has locations %+v", r.Message.Text, r.Locations)
			}
			key := r.RuleID
			if r.RuleID == "unused-permission" {
				key += " " + strings.Fields(strings.SplitN(r.Message.Text, " grants ", 2)[1])[1]
			}
			levels[key] = r.Level
		}
		want := map[string]string{"missing-permission": "error", "unused-permission Permissions": "warning", "unused-permission Write": "warning", "unused-permission Read": "note"}
		if !reflect.DeepEqual(levels, want) {
			t.Errorf("levels = %v, want %v", levels, want)
		}
	})
}

// FuzzStatementLines feeds StatementLines arbitrary files, seeded with the
// policy files of the grants package: it must not panic, and what it
// returns must be lines of the file, in order.
func FuzzStatementLines(f *testing.F) {
	files, _ := filepath.Glob("grants/testdata/*.json")
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"Statement":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := StatementLines(data)
		n := strings.Count(string(data), "\n") + 1
		for i, l := range lines {
			if l < 1 || l > n || i > 0 && l < lines[i-1] {
				t.Fatalf("lines %v in a file of %d lines", lines, n)
			}
		}
	})
}

// FuzzDiff evaluates calls against arbitrary policy documents: Diff
// returns an error or a report, never panics, and never reports a call
// both missing and conditional.
func FuzzDiff(f *testing.F) {
	for _, name := range []string{"grants/testdata/policy.json", "../cmd/iamwatch/demo/overbroad-policy.json"} {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotResource":"${X}","Action":"*","Condition":{"StringLike":{"${Y}":"${Z}"}}}}`))
	m, err := servicemaps.Load()
	if err != nil {
		f.Fatal(err)
	}
	uses := []iamwatch.ActionUse{obsUse("s3:GetObject", "arn:aws:s3:::app-data-111122223333/private/x"), obsUse("sqs:SendMessage", "arn:aws:sqs:eu-west-1:111122223333:app-jobs", "aws:RequestedRegion=eu-west-1")}
	f.Fuzz(func(t *testing.T, doc []byte) {
		rep, err := Diff(uses, []Grant{identity(string(doc))}, DiffOptions{Maps: m})
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, v := range rep.Missing {
			seen[v.Action+v.Resource] = true
		}
		for _, v := range rep.Conditional {
			if seen[v.Action+v.Resource] {
				t.Fatalf("%s on %s both missing and conditional", v.Action, v.Resource)
			}
		}
		for _, f := range DiffFormats() {
			if _, err := rep.Render(f); err != nil {
				t.Fatal(err)
			}
		}
	})
}
