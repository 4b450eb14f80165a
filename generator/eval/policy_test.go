package eval

import (
	"errors"
	"net/url"
	"reflect"
	"testing"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, doc, want string
		stmt            int
	}{
		{"not json", `{"Statement": [`, "policy is not a JSON object: unexpected end of JSON input", 0},
		{"array document", `[]`, "policy is not a JSON object: json: cannot unmarshal array into Go value of type map[string]json.RawMessage", 0},
		{"no statement", `{"Version": "2012-10-17"}`, "no Statement", 0},
		{"bad version", `{"Version": "2013-01-01", "Statement": []}`, `Version "2013-01-01": want 2012-10-17 or 2008-10-17`, 0},
		{"version not string", `{"Version": 2012, "Statement": []}`, "Version: want a string", 0},
		{"unknown top element", `{"Statement": [], "Statements": []}`, `unknown element "Statements" (want Version, Id, Statement)`, 0},
		{"statement string", `{"Statement": "x"}`, "Statement: want an object or an array of objects", 0},
		{"statement not object", `{"Statement": ["x"]}`, "statement 1: want an object", 1},
		{"effect lowercase", `{"Statement": [{"Effect": "allow", "Action": "s3:*", "Resource": "*"}]}`, `statement 1: Effect "allow": want Allow or Deny`, 1},
		{"effect in second statement", `{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, {"Effect": "DENY", "Action": "s3:*", "Resource": "*"}]}`,
			`statement 2: Effect "DENY": want Allow or Deny`, 2},
		{"no effect", `{"Statement": {"Action": "s3:*", "Resource": "*"}}`, "statement 1: no Effect", 1},
		{"effect not string", `{"Statement": {"Effect": true, "Action": "s3:*"}}`, "statement 1: Effect: want a string", 1},
		{"action and notaction", `{"Statement": {"Effect": "Allow", "Action": "s3:*", "NotAction": "iam:*", "Resource": "*"}}`, "statement 1: both Action and NotAction", 1},
		{"no action", `{"Statement": {"Effect": "Allow", "Resource": "*"}}`, "statement 1: no Action or NotAction", 1},
		{"resource and notresource", `{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "NotResource": "*"}}`, "statement 1: both Resource and NotResource", 1},
		{"principal and notprincipal", `{"Statement": {"Effect": "Allow", "Action": "s3:*", "Principal": "*", "NotPrincipal": "*"}}`, "statement 1: both Principal and NotPrincipal", 1},
		{"action number", `{"Statement": {"Effect": "Allow", "Action": 3}}`, "statement 1: Action: want a string or an array of strings", 1},
		{"action array of numbers", `{"Statement": {"Effect": "Allow", "Action": ["s3:*", 3]}}`, "statement 1: Action: want strings, found a number", 1},
		{"unknown statement element", `{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resources": "*"}}`, `statement 1: unknown element "Resources"`, 1},
		{"principal plain string", `{"Statement": {"Effect": "Allow", "Action": "s3:*", "Principal": "arn:aws:iam::111111111111:root"}}`,
			`statement 1: Principal: "arn:aws:iam::111111111111:root": want "*" or an object such as {"AWS": ...}`, 1},
		{"principal unknown type", `{"Statement": {"Effect": "Allow", "Action": "s3:*", "Principal": {"Aws": "*"}}}`,
			`statement 1: Principal: unknown principal type "Aws" (want AWS, Service, Federated or CanonicalUser)`, 1},
		{"unknown operator", `{"Statement": {"Effect": "Allow", "Action": "s3:*", "Condition": {"StringEqual": {"aws:username": "a"}}}}`,
			`statement 1: Condition: unknown condition operator "StringEqual"`, 1},
		{"null if exists", `{"Statement": {"Effect": "Allow", "Action": "s3:*", "Condition": {"NullIfExists": {"aws:username": "true"}}}}`,
			`statement 1: Condition: condition operator "NullIfExists": Null takes neither IfExists nor a set qualifier`, 1},
		{"condition value object", `{"Statement": {"Effect": "Allow", "Action": "s3:*", "Condition": {"StringEquals": {"aws:username": {"a": 1}}}}}`,
			"statement 1: Condition: StringEquals: aws:username: want a string, boolean or number, found an object", 1},
		{"condition value null", `{"Statement": {"Effect": "Allow", "Action": "s3:*", "Condition": {"StringEquals": {"aws:username": null}}}}`,
			"statement 1: Condition: StringEquals: aws:username: want a string, boolean or number, found null", 1},
		{"condition not object", `{"Statement": {"Effect": "Allow", "Action": "s3:*", "Condition": []}}`, "statement 1: Condition: want an object of operators", 1},
		{"condition operator body", `{"Statement": {"Effect": "Allow", "Action": "s3:*", "Condition": {"Bool": "true"}}}`, "statement 1: Condition: Bool: want an object of condition keys", 1},
		{"bad url encoding", `%7B%zz`, `decode URL-encoded policy: invalid URL escape "%zz"`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.doc))
			if err == nil {
				t.Fatalf("Parse = %+v, want error %q", p, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("error = %q, want %q", err, tt.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			if pe.Statement != tt.stmt {
				t.Errorf("ParseError.Statement = %d, want %d", pe.Statement, tt.stmt)
			}
		})
	}
}

func TestParseForms(t *testing.T) {
	doc := `{
	  "Version": "2012-10-17",
	  "Id": "example",
	  "Statement": [
	    {"Sid": "One", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
	    {"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "NotResource": "arn:aws:iam::*:role/x",
	     "Condition": {"StringLike": {"aws:PrincipalTag/team": ["a*", "b"]}, "Bool": {"aws:SecureTransport": false}, "NumericLessThan": {"aws:MultiFactorAuthAge": 3600}}},
	    {"Effect": "Allow", "Action": ["sqs:*"], "Principal": {"AWS": ["111111111111", "arn:aws:iam::222222222222:role/R"], "Service": "sns.amazonaws.com"}},
	    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Federated": "cognito-identity.amazonaws.com", "CanonicalUser": "79a59df9"}},
	    {"Effect": "Deny", "Action": "*", "NotPrincipal": {"AWS": "*"}}
	  ]
	}`
	p, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if p.Version != Version2012 || p.ID != "example" || len(p.Statements) != 5 {
		t.Fatalf("policy = %+v", p)
	}
	for i, st := range p.Statements {
		if st.Index != i+1 {
			t.Errorf("statement %d has Index %d", i+1, st.Index)
		}
	}
	s1, s2, s3, s4, s5 := p.Statements[0], p.Statements[1], p.Statements[2], p.Statements[3], p.Statements[4]
	if s1.Sid != "One" || s1.Effect != Allow || !reflect.DeepEqual(s1.Action, []string{"s3:GetObject"}) || !reflect.DeepEqual(s1.Resource, []string{"arn:aws:s3:::b/*"}) {
		t.Errorf("statement 1 = %+v", s1)
	}
	if s2.Effect != Deny || s2.Action != nil || !reflect.DeepEqual(s2.NotAction, []string{"iam:*", "sts:*"}) || s2.NotResource == nil {
		t.Errorf("statement 2 = %+v", s2)
	}
	var ops []string
	for _, c := range s2.Conditions {
		ops = append(ops, c.Operator+" "+c.Key+" "+c.Values[0])
	}
	want := []string{"Bool aws:SecureTransport false", "NumericLessThan aws:MultiFactorAuthAge 3600", "StringLike aws:PrincipalTag/team a*"}
	if !reflect.DeepEqual(ops, want) {
		t.Errorf("conditions = %q, want %q (sorted, JSON booleans and numbers as text)", ops, want)
	}
	if got := s3.Principal; got == nil || got.All || !reflect.DeepEqual(got.AWS, []string{"111111111111", "arn:aws:iam::222222222222:role/R"}) || !reflect.DeepEqual(got.Service, []string{"sns.amazonaws.com"}) {
		t.Errorf("statement 3 principal = %+v", got)
	}
	if got := s4.Principal; got == nil || !reflect.DeepEqual(got.Federated, []string{"cognito-identity.amazonaws.com"}) || !reflect.DeepEqual(got.CanonicalUser, []string{"79a59df9"}) {
		t.Errorf("statement 4 principal = %+v", got)
	}
	if got := s5.NotPrincipal; got == nil || !got.All {
		t.Errorf("statement 5 NotPrincipal = %+v", got)
	}
	if s4.Resource != nil || s4.NotResource != nil {
		t.Errorf("statement 4 has a resource: %+v", s4)
	}
}

func TestParseURLEncoded(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`
	p, err := Parse([]byte(url.QueryEscape(doc)))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Statements) != 1 || p.Statements[0].Action[0] != "s3:GetObject" {
		t.Errorf("policy = %+v", p)
	}
	if _, err := Parse(append([]byte("\xef\xbb\xbf  \n"), doc...)); err != nil {
		t.Errorf("with a byte order mark: %v", err)
	}
}

func TestParseVersionControlsVariables(t *testing.T) {
	for _, tt := range []struct {
		version string
		vars    bool
	}{{`"Version": "2012-10-17",`, true}, {`"Version": "2008-10-17",`, false}, {``, false}} {
		p, err := Parse([]byte(`{` + tt.version + `"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/${aws:username}/*",
		  "Condition": {"StringEquals": {"aws:PrincipalTag/x": "${aws:username}"}}}}`))
		if err != nil {
			t.Fatal(err)
		}
		st := p.Statements[0]
		if got := st.resources[0].segs[5].vars; got != tt.vars {
			t.Errorf("%q: resource has variables = %v, want %v", tt.version, got, tt.vars)
		}
		if got := st.Conditions[0].vars; got != tt.vars {
			t.Errorf("%q: condition has variables = %v, want %v", tt.version, got, tt.vars)
		}
	}
}
