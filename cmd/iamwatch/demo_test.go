package main

import (
	"context"
	"embed"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamwatch/iamwatch/generator/eval"
	"github.com/iamwatch/iamwatch/store"
)

// demoRequests are requests that real AWS SDKs put on the wire, captured
// from aws-sdk-go-v2 and boto3 (see mapper/testdata/fixturegen), for
// tests that need recorded calls without a capture.
//
//go:embed demo/*.http
var demoRequests embed.FS

// TestDemoSamplePolicy checks the premise of the demo's diff section on
// what the demo really recorded: the sample policy allows every action the
// calls needed, and much more besides.
func TestDemoSamplePolicy(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "demo.db")
	var stdout, stderr strings.Builder
	if code := run(context.Background(), []string{"demo", "--home", t.TempDir(), "--db", dbPath}, strings.NewReader(""), &stdout, &stderr); code != exitOK {
		t.Fatalf("iamwatch demo: exit %d\n%s", code, stderr.String())
	}
	sample, err := eval.Parse(demoOverbroadPolicy)
	if err != nil {
		t.Fatalf("parse %s: %v", demoOverbroadName, err)
	}
	set := &eval.Set{Identity: []*eval.Policy{sample}}
	const principal = "arn:aws:iam::123456789012:user/demo-app"

	db, err := store.Options{ReadOnly: true}.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	uses, err := readUses(context.Background(), db, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(uses) < 14 {
		t.Fatalf("the demo recorded %d action uses, want at least 14", len(uses))
	}
	for _, u := range uses {
		if u.Possible {
			continue // not in the minimal policy either
		}
		for _, res := range u.Resources {
			if d := set.Evaluate(eval.Request{Principal: principal, Action: u.Action, Resource: res}).Decision; d != eval.Allowed {
				t.Errorf("the sample policy does not allow %s on %s (%s): the diff would show a gap", u.Action, res, d)
			}
		}
	}

	beyond := []struct{ name, action, resource string }{
		{"any role to pass", "iam:PassRole", "arn:aws:iam::123456789012:role/admin"},
		{"another bucket", "s3:DeleteBucket", "arn:aws:s3:::someone-elses-bucket"},
		{"another table", "dynamodb:DeleteTable", "arn:aws:dynamodb:us-east-1:123456789012:table/payments"},
		{"another function", "lambda:UpdateFunctionCode", "arn:aws:lambda:us-east-1:123456789012:function:billing"},
		{"another queue", "sqs:PurgeQueue", "arn:aws:sqs:us-east-1:123456789012:payments"},
	}
	for _, c := range beyond {
		t.Run(c.name, func(t *testing.T) {
			if d := set.Evaluate(eval.Request{Principal: principal, Action: c.action, Resource: c.resource}).Decision; d != eval.Allowed {
				t.Errorf("the sample policy does not allow %s on %s (%s), which the demo's calls never needed", c.action, c.resource, d)
			}
		})
	}
}
