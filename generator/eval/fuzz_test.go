package eval

import (
	"errors"
	"testing"
)

// fuzzSeeds are the corpus's policy documents.
func fuzzSeeds(f *testing.F) [][]byte {
	f.Helper()
	var out [][]byte
	for _, fc := range loadCorpus(f) {
		for _, l := range [][]namedPolicy{fc.Identity, fc.Resource, fc.Session, fc.RCPs} {
			for _, np := range l {
				out = append(out, np.Policy)
			}
		}
		if fc.Boundary != nil {
			out = append(out, fc.Boundary.Policy)
		}
		for _, level := range fc.SCPs {
			for _, np := range level {
				out = append(out, np.Policy)
			}
		}
	}
	return out
}

// rank orders decisions from least to most permissive.
func rank(d Decision) int {
	switch d {
	case ExplicitlyDenied:
		return 0
	case ImplicitlyDenied:
		return 1
	}
	return 2
}

// checkResult asserts what every Result must satisfy.
func checkResult(t *testing.T, r Request, res Result) {
	t.Helper()
	if rank(res.Decision) > rank(res.Possible) {
		t.Fatalf("Decision %v is more permissive than Possible %v", res.Decision, res.Possible)
	}
	if res.Conditional != (res.Decision != res.Possible) {
		t.Fatalf("Conditional = %v with %v/%v", res.Conditional, res.Decision, res.Possible)
	}
	if res.Conditional && len(r.Unknown) == 0 && r.Principal != "" {
		t.Fatalf("conditional without unknown keys: %+v", res)
	}
	if res.Conditional && len(res.Undecided) == 0 {
		t.Fatalf("conditional without undecided keys: %+v", res)
	}
	switch res.Decision {
	case ExplicitlyDenied:
		if len(res.Statements) == 0 {
			t.Fatalf("explicit deny without a statement")
		}
		for _, s := range res.Statements {
			if s.Effect != Deny {
				t.Fatalf("explicit deny decided by %v", s)
			}
		}
	case Allowed:
		for _, s := range res.Statements {
			if s.Effect != Allow {
				t.Fatalf("allow decided by %v", s)
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte(`%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%7D%7D`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError: %v", err, err)
			}
			return
		}
		for i, st := range p.Statements {
			if st.Index != i+1 || (st.Effect != Allow && st.Effect != Deny) || (st.Action == nil) == (st.NotAction == nil) {
				t.Fatalf("statement %d is malformed: %+v", i+1, st)
			}
		}
		p.Name = "fuzz"
		r := Request{Principal: "arn:aws:iam::111111111111:user/alice", Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/key",
			Context: map[string][]string{"aws:username": {"alice"}, "aws:sourceip": {"203.0.113.5"}}}
		for _, s := range []*Set{
			{Identity: []*Policy{p}},
			{Resource: []*Policy{p}},
			{Identity: []*Policy{p}, Boundary: p, SCPs: [][]*Policy{{p}}, Session: []*Policy{p}, RCPs: []*Policy{p}},
		} {
			checkResult(t, r, s.Evaluate(r))
		}
	})
}

func FuzzEvaluate(f *testing.F) {
	seeds := fuzzSeeds(f)
	for i, s := range seeds {
		if i%7 == 0 { // a sample keeps the seed corpus quick
			f.Add(s, "s3:GetObject", "arn:aws:s3:::bucket/key", "aws:PrincipalTag/team", "data", false)
			f.Add(s, "sqs:SendMessage", "arn:aws:sqs:us-east-1:111111111111:queue1", "aws:SourceIp", "10.0.0.1", true)
		}
	}
	f.Fuzz(func(t *testing.T, doc []byte, action, resource, key, value string, unknownKey bool) {
		p, err := Parse(doc)
		if err != nil {
			return
		}
		p.Name = "fuzz"
		r := Request{Action: action, Resource: resource, Context: map[string][]string{key: {value}}}
		if unknownKey {
			r.Unknown = []string{key}
		}
		for _, principal := range []string{"arn:aws:iam::111111111111:user/alice", "arn:aws:sts::222222222222:assumed-role/R/s", "sns.amazonaws.com", ""} {
			r.Principal = principal
			for _, s := range []*Set{
				{Identity: []*Policy{p}},
				{Resource: []*Policy{p}, RequireResourcePolicy: true},
				{Identity: []*Policy{p}, Boundary: p, SCPs: [][]*Policy{{p}, {p}}, Session: []*Policy{p}, Resource: []*Policy{p}},
			} {
				checkResult(t, r, s.Evaluate(r))
			}
		}
		r.Anonymous = true
		checkResult(t, r, (&Set{Resource: []*Policy{p}}).Evaluate(r))
	})
}
