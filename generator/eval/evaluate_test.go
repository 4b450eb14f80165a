package eval

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func mustParse(t testing.TB, name, doc string) *Policy {
	t.Helper()
	p, err := Parse([]byte(doc))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	p.Name = name
	return p
}

func TestResultExplains(t *testing.T) {
	id := mustParse(t, "app", `{"Version": "2012-10-17", "Statement": [
	  {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
	  {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"},
	  {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1"}}}]}`)
	scp := mustParse(t, "FullAWSAccess", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}`)
	s := &Set{Identity: []*Policy{id}, SCPs: [][]*Policy{{scp}, {}}}
	req := Request{Principal: "arn:aws:iam::111111111111:user/alice", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}

	res := s.Evaluate(req)
	if res.Decision != ImplicitlyDenied || res.Missing != KindSCP || res.MissingLevel != 2 {
		t.Fatalf("empty SCP level: %+v", res)
	}
	if got := res.Reason(); got != "no SCP at level 2 allows the request" {
		t.Errorf("Reason = %q", got)
	}

	s.SCPs = [][]*Policy{{scp}}
	res = s.Evaluate(req)
	if res.Decision != Allowed || res.Reason() != "" {
		t.Fatalf("allowed: %+v", res)
	}
	var refs []string
	for _, r := range res.Statements {
		refs = append(refs, r.String())
	}
	want := []string{`identity policy "app" statement #1 (Sid Read): Allow`, `SCP level 1 policy "FullAWSAccess" statement #1: Allow`}
	if !reflect.DeepEqual(refs, want) {
		t.Errorf("statements = %q, want %q", refs, want)
	}

	req.Action = "s3:DeleteObject"
	res = s.Evaluate(req)
	if res.Decision != ExplicitlyDenied || len(res.Statements) != 1 || res.Statements[0] != (Ref{Kind: KindIdentity, Policy: "app", Index: 2, Sid: "NoDelete", Effect: Deny}) {
		t.Errorf("denied: %+v", res)
	}

	req.Action = "s3:PutObject"
	req.Unknown = []string{"aws:SourceVpc"}
	res = s.Evaluate(req)
	if res.Decision != ImplicitlyDenied || res.Possible != Allowed || !res.Conditional || !reflect.DeepEqual(res.Undecided, []string{"aws:SourceVpc"}) {
		t.Errorf("conditional: %+v", res)
	}
	if len(res.Pending) != 1 || res.Pending[0].Index != 3 {
		t.Errorf("pending = %+v", res.Pending)
	}
	if res.Reason() != "no identity-based policy allows the request" {
		t.Errorf("Reason = %q", res.Reason())
	}
}

func TestRefString(t *testing.T) {
	for _, tt := range []struct {
		ref  Ref
		want string
	}{
		{Ref{Kind: KindBoundary, Policy: "b", Index: 1, Effect: Allow}, `permissions boundary "b" statement #1: Allow`},
		{Ref{Kind: KindResource, Policy: "bucket", Index: 2, Sid: "X", Effect: Deny}, `resource policy "bucket" statement #2 (Sid X): Deny`},
		{Ref{Kind: KindSession, Policy: "s", Index: 1, Effect: Allow}, `session policy "s" statement #1: Allow`},
		{Ref{Kind: KindRCP, Policy: "r", Index: 1, Effect: Deny}, `RCP "r" statement #1: Deny`},
	} {
		if got := tt.ref.String(); got != tt.want {
			t.Errorf("String = %q, want %q", got, tt.want)
		}
	}
}

func TestDecisionJSON(t *testing.T) {
	for _, d := range []Decision{Allowed, ExplicitlyDenied, ImplicitlyDenied} {
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != `"`+d.String()+`"` {
			t.Errorf("Marshal(%v) = %s", d, b)
		}
		var back Decision
		if err := json.Unmarshal(b, &back); err != nil || back != d {
			t.Errorf("Unmarshal(%s) = %v, %v", b, back, err)
		}
	}
	var d Decision
	if err := json.Unmarshal([]byte(`"Maybe"`), &d); err == nil {
		t.Error("Unmarshal accepted an unknown decision")
	}
	if Decision(0) != ImplicitlyDenied {
		t.Error("the zero Decision must be ImplicitlyDenied")
	}
}

// The request context is read case-insensitively whatever the caller's
// spelling, without changing the caller's map.
func TestContextKeysAnyCase(t *testing.T) {
	p := mustParse(t, "p", `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*",
	  "Condition": {"StringEquals": {"aws:PrincipalTag/Team": "data"}}}}`)
	s := &Set{Identity: []*Policy{p}}
	ctx := map[string][]string{"AWS:UserName": {"alice"}, "aws:principaltag/TEAM": {"data"}}
	res := s.Evaluate(Request{Principal: "arn:aws:iam::111111111111:user/alice", Action: "S3:GETOBJECT", Resource: "arn:aws:s3:::b/alice/x", Context: ctx})
	if res.Decision != Allowed {
		t.Errorf("decision = %v", res.Decision)
	}
	if _, ok := ctx["AWS:UserName"]; !ok || len(ctx) != 2 {
		t.Errorf("the caller's context changed: %v", ctx)
	}
}

func TestStatementHelpers(t *testing.T) {
	p := mustParse(t, "p", `{"Version": "2012-10-17", "Statement": [
	  {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"},
	  {"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}]}`)
	catalog := []string{"s3:GetObject", "s3:ListBucket", "s3:PutObject", "sqs:SendMessage", "s3:GetBucketPolicy"}
	if got, want := p.Statements[0].ExpandActions(catalog), []string{"s3:GetObject", "s3:ListBucket", "s3:GetBucketPolicy"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ExpandActions = %q, want %q", got, want)
	}
	if got, want := p.Statements[1].ExpandActions(catalog), []string{"sqs:SendMessage"}; !reflect.DeepEqual(got, want) {
		t.Errorf("NotAction ExpandActions = %q, want %q", got, want)
	}
	if !p.Statements[0].MatchesAction("S3:GETOBJECT") || p.Statements[0].MatchesAction("s3:PutObject") {
		t.Error("MatchesAction is wrong")
	}
}

func TestAllowableActions(t *testing.T) {
	catalog := []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "sqs:SendMessage", "iam:CreateUser", "kms:Decrypt"}
	id := mustParse(t, "app", `{"Statement": [
	  {"Effect": "Allow", "Action": ["s3:*", "iam:CreateUser"], "Resource": "*"},
	  {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"},
	  {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::secret/*"},
	  {"Effect": "Deny", "Action": "s3:ListBucket", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}`)
	res := mustParse(t, "queue", `{"Statement": {"Effect": "Allow", "Principal": {"AWS": "111111111111"}, "Action": "sqs:SendMessage", "Resource": "*"}}`)
	scp := mustParse(t, "no-iam", `{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]}`)
	s := &Set{Identity: []*Policy{id}, Resource: []*Policy{res}, SCPs: [][]*Policy{{scp}}}
	want := []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket", "sqs:SendMessage"}
	if got := s.AllowableActions(catalog); !reflect.DeepEqual(got, want) {
		t.Errorf("AllowableActions = %q, want %q", got, want)
	}
	s.Boundary = mustParse(t, "b", `{"Statement": {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}}`)
	if got, want := s.AllowableActions(catalog), []string{"s3:GetObject"}; !reflect.DeepEqual(got, want) {
		t.Errorf("with a boundary: %q, want %q", got, want)
	}
	s.Boundary = mustParse(t, "empty", `{"Statement": []}`)
	if got := s.AllowableActions(catalog); got != nil {
		t.Errorf("an empty boundary allows %q", got)
	}
}

// Boundary nil and a boundary without statements are different things.
func TestBoundaryNilVersusEmpty(t *testing.T) {
	id := mustParse(t, "app", `{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}`)
	req := Request{Principal: "arn:aws:iam::111111111111:user/alice", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}
	if d := (&Set{Identity: []*Policy{id}}).Evaluate(req).Decision; d != Allowed {
		t.Errorf("no boundary: %v", d)
	}
	res := (&Set{Identity: []*Policy{id}, Boundary: mustParse(t, "empty", `{"Statement": []}`)}).Evaluate(req)
	if res.Decision != ImplicitlyDenied || res.Missing != KindBoundary {
		t.Errorf("empty boundary: %+v", res)
	}
}

// A caller whose principal is unknown leaves resource-based policies that
// name principals undecided.
func TestUnknownPrincipal(t *testing.T) {
	rp := mustParse(t, "bucket", `{"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:user/alice"}, "Action": "s3:GetObject", "Resource": "*"}}`)
	res := (&Set{Resource: []*Policy{rp}}).Evaluate(Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"})
	if res.Decision != ImplicitlyDenied || res.Possible != Allowed || !reflect.DeepEqual(res.Undecided, []string{"aws:PrincipalArn"}) {
		t.Errorf("unknown principal: %+v", res)
	}
}

func TestEvaluateDegenerate(t *testing.T) {
	var s Set
	res := s.Evaluate(Request{})
	if res.Decision != ImplicitlyDenied || res.Conditional {
		t.Errorf("empty set and request: %+v", res)
	}
	s.Identity = []*Policy{nil, {Name: "empty"}}
	s.Resource = []*Policy{nil}
	if res := s.Evaluate(Request{Action: "s3:GetObject", Resource: "*"}); res.Decision != ImplicitlyDenied {
		t.Errorf("nil policies: %+v", res)
	}
}

func TestManyVariables(t *testing.T) {
	var vars, want []string
	ctx := map[string][]string{}
	for i := 0; i < maxVars+3; i++ {
		k := "aws:principaltag/k" + string(rune('a'+i))
		vars = append(vars, "${"+k+"}")
		ctx[k] = []string{string(rune('A' + i))}
		want = append(want, string(rune('A'+i)))
	}
	p := mustParse(t, "p", `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
	  "Condition": {"StringEquals": {"aws:PrincipalTag/all": "`+strings.Join(vars, "-")+`"}}}}`)
	ctx["aws:principaltag/all"] = []string{strings.Join(want, "-")}
	res := (&Set{Identity: []*Policy{p}}).Evaluate(Request{Principal: "arn:aws:iam::111111111111:user/a", Action: "s3:GetObject", Resource: "*", Context: ctx})
	if res.Decision != Allowed {
		t.Errorf("%d variables: %v", len(vars), res.Decision)
	}
}

// One Set serves concurrent evaluations (run with -race).
func TestEvaluateConcurrent(t *testing.T) {
	p := mustParse(t, "p", `{"Version": "2012-10-17", "Statement": [
	  {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/${aws:username}/*"},
	  {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*", "Condition": {"StringNotEquals": {"aws:PrincipalTag/Role": "admin"}}}]}`)
	s := &Set{Identity: []*Policy{p}}
	done := make(chan Decision)
	for i := 0; i < 8; i++ {
		go func(i int) {
			d := Allowed
			for j := 0; j < 200; j++ {
				ctx := map[string][]string{"AWS:UserName": {"u"}, "aws:principaltag/role": {"dev"}}
				res := s.Evaluate(Request{Principal: "arn:aws:iam::111111111111:user/u", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/u/k", Context: ctx})
				if res.Decision != Allowed {
					d = res.Decision
				}
			}
			done <- d
		}(i)
	}
	for i := 0; i < 8; i++ {
		if d := <-done; d != Allowed {
			t.Errorf("concurrent evaluation: %v", d)
		}
	}
}
