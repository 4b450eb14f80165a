package grants_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamwatch/iamwatch/generator/grants"
)

func readFixture(t *testing.T, name string, r grants.Reader) *grants.Input {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	in, err := r.Read(name, data)
	if err != nil {
		t.Fatalf("Read %s: %v", name, err)
	}
	return in
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name, data string
		want       grants.Format
	}{
		{"policy json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, grants.FormatPolicy},
		{"policy json with BOM", "\uFEFF" + `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`, grants.FormatPolicy},
		{"policy yaml", "Version: 2012-10-17\nStatement:\n  - Effect: Allow\n    Action: s3:GetObject\n    Resource: '*'\n", grants.FormatPolicy},
		{"get-role-policy", `{"RoleName":"r","PolicyName":"p","PolicyDocument":{"Statement":[]}}`, grants.FormatPolicy},
		{"get-policy-version, raw API", `{"PolicyVersion":{"Document":"%7B%22Statement%22%3A%5B%5D%7D","VersionId":"v2","IsDefaultVersion":true}}`, grants.FormatPolicy},
		{"terraform plan", `{"format_version":"1.2","planned_values":{"root_module":{}}}`, grants.FormatTerraform},
		{"terraform state", `{"format_version":"1.0","terraform_version":"1.9.5","values":{"root_module":{}}}`, grants.FormatTerraform},
		{"authz", `{"RoleDetailList":[],"UserDetailList":[],"IsTruncated":false}`, grants.FormatAuthz},
		{"authz policies only", `{"Policies":[],"IsTruncated":false}`, grants.FormatAuthz},
		{"cloudformation yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n", grants.FormatCloudFormation},
		{"cloudformation yaml without version", "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: !Sub '${AWS::StackName}-r'\n", grants.FormatCloudFormation},
		{"cloudformation json", `{"Resources":{"B":{"Type":"AWS::S3::Bucket"}}}`, grants.FormatCloudFormation},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, err := grants.Read("f", []byte(tc.data))
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if in.Format != tc.want {
				t.Errorf("format %q, want %q", in.Format, tc.want)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	const unrecognized = "deployed.txt: not a policy document, Terraform plan, CloudFormation template or authorization details: "
	tests := []struct {
		name, data string
		reader     grants.Reader
		want       string
		is         error
	}{
		{name: "empty", data: " \n\t", want: unrecognized + "the file is empty", is: grants.ErrUnrecognized},
		{name: "text", data: "hello world\n", want: unrecognized + "top level is a string, not an object", is: grants.ErrUnrecognized},
		{name: "json list", data: `[{"Statement":[]}]`, want: unrecognized + "top level is a list, not an object", is: grants.ErrUnrecognized},
		{name: "unknown keys", data: `{"foo":1,"bar":{}}`, want: unrecognized + "an object with keys bar, foo", is: grants.ErrUnrecognized},
		{name: "many unknown keys", data: `{"a":1,"b":1,"c":1,"d":1,"e":1,"f":1,"g":1}`, want: unrecognized + "an object with keys a, b, c, d, e, f, …", is: grants.ErrUnrecognized},
		{name: "bad json", data: "{\n  \"Statement\": [\n    {,\n", want: unrecognized + "invalid JSON: line 3: invalid character ',' looking for beginning of object key string", is: grants.ErrUnrecognized},
		{name: "truncated json", data: `{"Statement": [`, want: unrecognized + "invalid JSON: unexpected end of input", is: grants.ErrUnrecognized},
		{name: "json then garbage", data: `{"Statement": []} x`, want: unrecognized + "invalid JSON: line 1: data after the JSON value", is: grants.ErrUnrecognized},
		{name: "bad yaml", data: "Statement:\n  - a\n - b\n", want: unrecognized + "neither JSON nor valid YAML: yaml: line 2: did not find expected key", is: grants.ErrUnrecognized},
		{name: "unknown tag", data: "Resources:\n  B:\n    Type: !Foo x\n", want: unrecognized + "neither JSON nor valid YAML: line 3: unknown tag !Foo", is: grants.ErrUnrecognized},
		{name: "no statement", data: `{"Version":"2012-10-17"}`, want: unrecognized + "an object with keys Version", is: grants.ErrUnrecognized},
		{name: "statement not object", data: `{"Statement":"allow all"}`, want: "deployed.txt: read policy: policy document: Statement is a string"},
		{name: "statement element not object", data: `{"Statement":[{"Effect":"Allow"}, 3]}`, want: "deployed.txt: read policy: policy document: Statement[1] is a scalar, not an object"},
		{name: "policy document not JSON", data: `{"PolicyDocument":"not json"}`, want: "deployed.txt: read policy: policy document: line 1: invalid character 'o' in literal null (expecting 'u')"},
		{name: "terraform major version", data: `{"format_version":"2.0","planned_values":{}}`, want: "deployed.txt: read terraform: format_version 2.0 is not supported (want 1.x)"},
		{name: "terraform without values", data: `{"format_version":"1.0","configuration":{}}`, want: "deployed.txt: read terraform: neither planned_values nor values"},
		{name: "cloudformation resources not object", data: "AWSTemplateFormatVersion: '2010-09-09'\nResources: 5\n", want: "deployed.txt: read cloudformation: the template's Resources is a scalar, not an object"},
		{name: "cloudformation without resources", data: `{"AWSTemplateFormatVersion":"2010-09-09"}`, want: "deployed.txt: read cloudformation: the template has no Resources"},
		{name: "authz entry not object", data: `{"RoleDetailList":[1]}`, want: "deployed.txt: read authz: entry 0 of RoleDetailList is a scalar, not an object"},
		{name: "forced format", data: `{"Statement":[]}`, reader: grants.Reader{Format: grants.FormatCloudFormation}, want: "deployed.txt: read cloudformation: the template has no Resources"},
		{name: "unknown forced format", data: `{"Statement":[]}`, reader: grants.Reader{Format: "pulumi"}, want: `deployed.txt: unknown format "pulumi"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, err := tc.reader.Read("deployed.txt", []byte(tc.data))
			if err == nil {
				t.Fatalf("Read succeeded: %+v", in)
			}
			if msg := err.Error(); msg != tc.want {
				t.Errorf("error\n%q, want\n%q", msg, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("errors.Is(%v, %v) is false", err, tc.is)
			}
		})
	}
}

func TestFor(t *testing.T) {
	authz := readFixture(t, "authz.json", grants.Reader{})
	plan := readFixture(t, "plan.json", grants.Reader{})
	state := readFixture(t, "state.json", grants.Reader{})
	policy := readFixture(t, "policy.json", grants.Reader{})
	tests := []struct {
		name    string
		in      *grants.Input
		query   string
		want    string // the chosen principal's ID
		err     error
		sources []string
	}{
		{name: "by name", in: authz, query: "app-role", want: "arn:aws:iam::111122223333:role/service/app-role",
			sources: []string{"authz.json: role app-role, inline policy app-queue", "authz.json: role app-role, attached arn:aws:iam::111122223333:policy/app-data-access (v3)", "authz.json: role app-role, permissions boundary arn:aws:iam::111122223333:policy/workload-boundary (v1)"}},
		{name: "by name in another case", in: authz, query: "APP-ROLE", want: "arn:aws:iam::111122223333:role/service/app-role"},
		{name: "by ARN", in: authz, query: "arn:aws:iam::111122223333:user/alice", want: "arn:aws:iam::111122223333:user/alice",
			sources: []string{"authz.json: group developers, inline policy dev-logs", "authz.json: group developers, attached arn:aws:iam::111122223333:policy/app-data-access (v3)", "authz.json: user alice, inline policy alice-cloudwatch"}},
		{name: "a group", in: authz, query: "developers", want: "arn:aws:iam::111122223333:group/developers"},
		{name: "unknown", in: authz, query: "bob", err: grants.ErrNoPrincipal},
		{name: "none chosen among several", in: authz, query: "", err: grants.ErrAmbiguousPrincipal},
		{name: "terraform address", in: plan, query: "aws_iam_role.legacy", want: "arn:aws:iam::111122223333:role/legacy-batch"},
		{name: "terraform address without module path", in: plan, query: "aws_iam_role.this", want: "module.app.aws_iam_role.this",
			sources: []string{"plan.json: data.aws_iam_policy.boundary", "plan.json: module.app.aws_iam_role_policy.logs", "plan.json: module.app.module.storage.aws_iam_policy.data"}},
		{name: "terraform ambiguous suffix", in: state, query: "aws_iam_role.this", err: grants.ErrAmbiguousPrincipal},
		{name: "terraform for_each address", in: state, query: `module.workers["refunds"].aws_iam_role.this`, want: "arn:aws:iam::111122223333:role/refunds-worker",
			sources: []string{"state.json: aws_sqs_queue_policy.orders", "state.json: aws_iam_policy.data", `state.json: module.workers["refunds"].aws_iam_role_policy.queue[0]`}},
		{name: "bare policy, nothing chosen", in: policy, query: "", sources: []string{"policy.json"}},
		{name: "bare policy, a principal asked for", in: policy, query: "app-role", err: grants.ErrNoPrincipal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sel, err := tc.in.For(tc.query)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("For(%q) error %v, want %v", tc.query, err, tc.err)
				}
				var pe *grants.PrincipalError
				if !errors.As(err, &pe) {
					t.Fatalf("error %T is not a *PrincipalError", err)
				}
				if pe.Query != tc.query || pe.File != tc.in.Name {
					t.Errorf("PrincipalError names %q in %q", pe.Query, pe.File)
				}
				for _, p := range pe.Candidates {
					if !strings.Contains(err.Error(), p.String()) {
						t.Errorf("error %q does not list candidate %s", err, p)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("For(%q): %v", tc.query, err)
			}
			if tc.want == "" {
				if sel.Principal != nil {
					t.Errorf("chose %s, want none", sel.Principal.ID())
				}
			} else if sel.Principal == nil || sel.Principal.ID() != tc.want {
				t.Fatalf("chose %v, want %s", sel.Principal, tc.want)
			}
			if tc.sources != nil {
				var got []string
				for _, g := range sel.Grants {
					got = append(got, g.Source)
				}
				if strings.Join(got, "\n") != strings.Join(tc.sources, "\n") {
					t.Errorf("grants\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.sources, "\n"))
				}
			}
		})
	}
}

func TestForSingleRoleAndManyCandidates(t *testing.T) {
	in, err := grants.Read("one.json", []byte(`{"RoleName":"only","PolicyName":"p","PolicyDocument":{"Statement":[]}}`))
	if err != nil {
		t.Fatal(err)
	}
	sel, err := in.For("")
	if err != nil || sel.Principal == nil || sel.Principal.Name != "only" {
		t.Fatalf("For(\"\") = %+v, %v; want the only role", sel, err)
	}

	var b strings.Builder
	b.WriteString(`{"RoleDetailList":[`)
	for i := range 25 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"RoleName":"r` + string(rune('a'+i)) + `","Arn":"arn:aws:iam::1:role/r` + string(rune('a'+i)) + `"}`)
	}
	b.WriteString(`]}`)
	in, err = grants.Read("many.json", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = in.For("nobody")
	if !errors.Is(err, grants.ErrNoPrincipal) || !strings.HasSuffix(err.Error(), ", and 5 more") {
		t.Errorf("error %v, want ErrNoPrincipal listing 20 candidates and 5 more", err)
	}
}

func TestAuthzVersionsAndEncodings(t *testing.T) {
	data := `{
	  "RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::1:role/r",
	    "RolePolicyList": [
	      {"PolicyName": "encoded", "PolicyDocument": "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Aa%2Bb%2F%2A%22%7D%5D%7D"},
	      {"PolicyName": "json-string", "PolicyDocument": "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::a+b/*\"}]}"},
	      {"PolicyName": "broken", "PolicyDocument": "%7Bnot"}
	    ],
	    "AttachedManagedPolicies": [{"PolicyArn": "arn:aws:iam::1:policy/by-id"}, {"PolicyArn": "arn:aws:iam::1:policy/no-default"}]}],
	  "Policies": [
	    {"Arn": "arn:aws:iam::1:policy/by-id", "DefaultVersionId": "v2", "PolicyVersionList": [
	      {"VersionId": "v1", "Document": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}},
	      {"VersionId": "v2", "Document": {"Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}}]},
	    {"Arn": "arn:aws:iam::1:policy/no-default", "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": false, "Document": {"Statement": []}}]}
	  ],
	  "IsTruncated": true, "Marker": "abc"
	}`
	in, err := grants.Read("authz.json", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"authz.json: role r, inline policy encoded":                     `{"Statement":[{"Action":"s3:GetObject","Effect":"Allow","Resource":"arn:aws:s3:::a+b/*"}]}`,
		"authz.json: role r, inline policy json-string":                 `{"Statement":[{"Action":"s3:PutObject","Effect":"Allow","Resource":"arn:aws:s3:::a+b/*"}]}`,
		"authz.json: role r, attached arn:aws:iam::1:policy/by-id (v2)": `{"Statement":[{"Action":"sqs:SendMessage","Effect":"Allow","Resource":"*"}]}`,
	}
	if len(in.Grants) != len(want) {
		t.Errorf("%d grants, want %d: %+v", len(in.Grants), len(want), in.Grants)
	}
	for _, g := range in.Grants {
		if w, ok := want[g.Source]; !ok || string(g.Document) != w {
			t.Errorf("%s: %s, want %s", g.Source, g.Document, w)
		}
	}
	for _, w := range []string{
		"authz.json: the listing is truncated (IsTruncated); roles, users or policies on later pages are missing",
		"authz.json: policy arn:aws:iam::1:policy/no-default: no default version among 1 listed",
		"authz.json: role r: attached policy arn:aws:iam::1:policy/no-default is not in the file; its content is unknown",
	} {
		if !contains(in.Warnings, w) {
			t.Errorf("no warning %q in\n%s", w, strings.Join(in.Warnings, "\n"))
		}
	}
	found := false
	for _, w := range in.Warnings {
		if strings.HasPrefix(w, "authz.json: role r, inline policy broken: policy document:") {
			found = true
		}
	}
	if !found {
		t.Errorf("no warning about the broken inline policy in\n%s", strings.Join(in.Warnings, "\n"))
	}
}

func TestPolicyKindAndVersion(t *testing.T) {
	in, err := grants.Reader{Kind: grants.KindBoundary}.Read("b.json", []byte(`{"PolicyVersion":{"Document":{"Statement":[]},"VersionId":"v4","IsDefaultVersion":false}}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Grants) != 1 || in.Grants[0].Kind != grants.KindBoundary || in.Grants[0].Source != "b.json: version v4" {
		t.Errorf("grants %+v, want one boundary from b.json: version v4", in.Grants)
	}
	if !contains(in.Warnings, "b.json: version v4 is not the policy's default version") {
		t.Errorf("warnings %q", in.Warnings)
	}
}

func TestYAMLScalarsStayText(t *testing.T) {
	in, err := grants.Read("p.yaml", []byte(`
Version: 2012-10-17
Statement:
  - Effect: Allow
    Action: sts:AssumeRole
    Resource: arn:aws:iam::012345678901:role/x
    Condition:
      StringEquals: {aws:PrincipalAccount: 012345678901, aws:PrincipalTag/n: 0x1F, aws:PrincipalTag/m: 1_000}
      NumericLessThan: {aws:MultiFactorAuthAge: 3600, s3:max-keys: 1.5e3}
      Bool: {aws:SecureTransport: true}
      "Null": {aws:TokenIssueTime: ~}
`))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Statement":[{"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:SecureTransport":true},"Null":{"aws:TokenIssueTime":null},"NumericLessThan":{"aws:MultiFactorAuthAge":3600,"s3:max-keys":1.5e3},"StringEquals":{"aws:PrincipalAccount":"012345678901","aws:PrincipalTag/m":"1_000","aws:PrincipalTag/n":"0x1F"}},"Effect":"Allow","Resource":"arn:aws:iam::012345678901:role/x"}],"Version":"2012-10-17"}`
	if got := string(in.Grants[0].Document); got != want {
		t.Errorf("document\n%s, want\n%s", got, want)
	}
}

func TestYAMLAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&b, "l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 10), ", "))
	}
	_, err := grants.Read("bomb.yaml", []byte(b.String()))
	if !errors.Is(err, grants.ErrUnrecognized) || !strings.Contains(err.Error(), "too large") {
		t.Errorf("error %v, want ErrUnrecognized for a document too large", err)
	}
}

func TestTerraformUnknowns(t *testing.T) {
	in := readFixture(t, "plan.json", grants.Reader{})
	var data *grants.Grant
	for i, g := range in.Grants {
		if g.Source == "plan.json: module.app.module.storage.aws_iam_policy.data" {
			data = &in.Grants[i]
		}
	}
	if data == nil {
		t.Fatal("the policy attached through module references is missing")
	}
	if data.Principal != "module.app.aws_iam_role.this" {
		t.Errorf("attached to %q, want module.app.aws_iam_role.this (through var.role_name)", data.Principal)
	}
	if !strings.Contains(string(data.Document), `"Resource":"${aws_s3_bucket.data.arn}"`) {
		t.Errorf("the unknown bucket ARN is not kept as a placeholder: %s", data.Document)
	}
	if len(data.Conditional) != 3 {
		t.Errorf("conditional %q, want the rendering and two unknown resources", data.Conditional)
	}
	for _, w := range []string{
		"plan.json: module.app.module.storage.aws_s3_bucket_policy.data: policy is unknown until apply (it depends on aws_s3_bucket.data.arn); not compared",
		"plan.json: aws_iam_role_policy_attachment.readonly attaches arn:aws:iam::aws:policy/ReadOnlyAccess, which is not in the file; its content is unknown",
	} {
		if !contains(in.Warnings, w) {
			t.Errorf("no warning %q in\n%s", w, strings.Join(in.Warnings, "\n"))
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
