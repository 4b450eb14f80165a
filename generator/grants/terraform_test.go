package grants_test

import (
	"strings"
	"testing"

	"github.com/iamwatch/iamwatch/generator/grants"
)

// inlinePlan is a plan whose role's inline_policy set is unknown until
// apply (one of its policies comes from a data source that depends on a new
// bucket), and whose managed_policy_arns name a policy being created.
const inlinePlan = `{
  "format_version": "1.2",
  "planned_values": {"root_module": {"resources": [
    {"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "name": "r", "values": {"name": "worker", "assume_role_policy": "{}"}},
    {"address": "aws_iam_policy.p", "mode": "managed", "type": "aws_iam_policy", "name": "p", "values": {"name": "p", "policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sqs:SendMessage\",\"Resource\":\"*\"}]}"}},
    {"address": "aws_iam_role_policy.lost", "mode": "managed", "type": "aws_iam_role_policy", "name": "lost", "values": {"policy": "{\"Statement\":[]}"}},
    {"address": "data.aws_iam_policy_document.d", "mode": "data", "type": "aws_iam_policy_document", "name": "d", "values": {
      "source_policy_documents": ["{\"Statement\":[{\"Sid\":\"Base\",\"Effect\":\"Allow\",\"Action\":\"s3:ListAllMyBuckets\",\"Resource\":\"*\"},{\"Sid\":\"Replaced\",\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"],
      "override_policy_documents": ["{\"Statement\":{\"Sid\":\"Override\",\"Effect\":\"Deny\",\"Action\":\"s3:DeleteBucket\",\"Resource\":\"*\"}}"],
      "statement": [
        {"sid": "Replaced", "effect": "Allow", "actions": ["s3:GetObject"], "principals": [{"type": "AWS", "identifiers": ["arn:aws:iam::1:root"]}, {"type": "Service", "identifiers": ["a.amazonaws.com", "b.amazonaws.com"]}],
         "condition": [{"test": "StringEquals", "variable": "s3:prefix", "values": ["a"]}, {"test": "StringEquals", "variable": "s3:prefix", "values": ["b"]}]},
        {"effect": "Deny", "not_actions": ["s3:*"], "not_resources": ["arn:aws:s3:::x", null], "not_principals": [{"type": "*", "identifiers": ["*"]}]}
      ]}}
  ]}},
  "resource_changes": [
    {"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "name": "r", "change": {"actions": ["create"], "after": {"name": "worker"}, "after_unknown": {"arn": true, "inline_policy": true, "managed_policy_arns": true}}},
    {"address": "aws_iam_policy.p", "mode": "managed", "type": "aws_iam_policy", "name": "p", "change": {"actions": ["create"], "after": {}, "after_unknown": {"arn": true}}},
    {"address": "aws_iam_role_policy.lost", "mode": "managed", "type": "aws_iam_role_policy", "name": "lost", "change": {"actions": ["create"], "after": {}, "after_unknown": {"role": true}}},
    {"address": "data.aws_iam_policy_document.d", "mode": "data", "type": "aws_iam_policy_document", "name": "d", "change": {"actions": ["read"], "after": {}, "after_unknown": {"json": true, "statement": [{}, {"not_resources": [false, true]}]}}},
    {"address": "aws_iam_role.gone", "mode": "managed", "type": "aws_iam_role", "name": "gone", "change": {"actions": ["delete"], "before": {"name": "gone"}, "after": null, "after_unknown": {}}}
  ],
  "configuration": {"root_module": {"resources": [
    {"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "name": "r", "expressions": {
      "name": {"constant_value": "worker"},
      "managed_policy_arns": {"references": ["aws_iam_policy.p.arn", "aws_iam_policy.p"]},
      "inline_policy": [
        {"name": {"constant_value": "fixed"}, "policy": {"constant_value": "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"logs:PutLogEvents\",\"Resource\":\"*\"}]}"}},
        {"name": {"constant_value": "rendered"}, "policy": {"references": ["data.aws_iam_policy_document.d.json", "data.aws_iam_policy_document.d"]}}
      ]}},
    {"address": "aws_iam_role_policy.lost", "mode": "managed", "type": "aws_iam_role_policy", "name": "lost", "expressions": {"role": {"references": ["var.role"]}}},
    {"address": "data.aws_iam_policy_document.d", "mode": "data", "type": "aws_iam_policy_document", "name": "d", "expressions": {"statement": [
      {}, {"not_resources": {"references": ["aws_s3_bucket.b.arn", "aws_s3_bucket.b"]}}]}}
  ]}}
}`

func TestTerraformUnknownInlinePolicies(t *testing.T) {
	in, err := grants.Read("plan.json", []byte(inlinePlan))
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Principals) != 1 || in.Principals[0].ID() != "aws_iam_role.r" {
		t.Fatalf("principals %+v, want only aws_iam_role.r (the deleted role is gone)", in.Principals)
	}
	want := map[string]string{
		"plan.json: aws_iam_role.r, inline policy fixed": `{"Statement":[{"Action":"logs:PutLogEvents","Effect":"Allow","Resource":"*"}]}`,
		"plan.json: aws_iam_role.r, inline policy rendered": `{"Statement":[` +
			`{"Action":"s3:ListAllMyBuckets","Effect":"Allow","Resource":"*","Sid":"Base"},` +
			`{"Action":"s3:GetObject","Condition":{"StringEquals":{"s3:prefix":["a","b"]}},"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root","Service":["a.amazonaws.com","b.amazonaws.com"]},"Sid":"Replaced"},` +
			`{"Effect":"Deny","NotAction":"s3:*","NotPrincipal":"*","NotResource":["arn:aws:s3:::x","${aws_s3_bucket.b.arn}"]},` +
			`{"Action":"s3:DeleteBucket","Effect":"Deny","Resource":"*","Sid":"Override"}],"Version":"2012-10-17"}`,
		"plan.json: aws_iam_policy.p": `{"Statement":[{"Action":"sqs:SendMessage","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}`,
	}
	if len(in.Grants) != len(want) {
		t.Errorf("%d grants, want %d", len(in.Grants), len(want))
	}
	for _, g := range in.Grants {
		if w, ok := want[g.Source]; !ok || string(g.Document) != w {
			t.Errorf("%s:\n%s\nwant\n%s", g.Source, g.Document, w)
		}
		if g.Principal != "aws_iam_role.r" {
			t.Errorf("%s: principal %q", g.Source, g.Principal)
		}
		if g.Source == "plan.json: aws_iam_role.r, inline policy rendered" {
			notes := strings.Join(g.Conditional, "\n")
			if notes != "policy is unknown until apply; rendered from data.aws_iam_policy_document.d\n"+
				"data.aws_iam_policy_document.d statement[1].not_resources: unknown until apply; kept as ${aws_s3_bucket.b.arn}" {
				t.Errorf("conditional:\n%s", notes)
			}
		} else if len(g.Conditional) > 0 {
			t.Errorf("%s: conditional %q", g.Source, g.Conditional)
		}
	}
	wantWarn := "plan.json: aws_iam_role_policy.lost: the role it belongs to is unknown until apply and cannot be traced in the configuration; not compared"
	if len(in.Warnings) != 1 || in.Warnings[0] != wantWarn {
		t.Errorf("warnings %q, want %q", in.Warnings, wantWarn)
	}
}

// TestTerraformPolicyOnly: a plan that defines a policy and no principal
// compares the policy itself.
func TestTerraformPolicyOnly(t *testing.T) {
	in, err := grants.Read("p.json", []byte(`{"format_version":"1.0","values":{"root_module":{"resources":[
	  {"address":"aws_iam_policy.p","mode":"managed","type":"aws_iam_policy","name":"p","values":{"policy":"{\"Statement\":[]}"}}]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	sel, err := in.For("")
	if err != nil || len(sel.Grants) != 1 || sel.Grants[0].Source != "p.json: aws_iam_policy.p" || sel.Grants[0].Principal != "" {
		t.Errorf("For(\"\") = %+v, %v", sel, err)
	}
}
