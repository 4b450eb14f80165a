package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/store"
)

// diffCases are one recorded session per kind of --against input, with
// the calls an application of that configuration could have made: some the
// files allow, some they deny, some they leave to deploy time.
var diffCases = []struct {
	name    string
	files   map[string]string // name in the work directory → fixture
	args    []string
	calls   string // ACTION RESOURCE [KEY=VALUE...] per line
	code    int    // exit code with --fail-on missing
	against []string
}{
	{
		name: "policy",
		files: map[string]string{
			"policy.json":    "../../generator/grants/testdata/policy.json",
			"overbroad.json": "demo/overbroad-policy.json",
		},
		against: []string{"policy.json", "overbroad.json"},
		calls: `
ssm:GetParameter arn:aws:ssm:eu-west-1:111122223333:parameter/app/db-url aws:RequestedRegion=eu-west-1
sqs:SendMessage arn:aws:sqs:eu-west-1:111122223333:app-jobs aws:RequestedRegion=eu-west-1
s3:GetObject arn:aws:s3:::app-data-111122223333/private/<&>report.csv aws:RequestedRegion=eu-west-1
s3:PutObject arn:aws:s3:::app-data-111122223333/private/<&>report.csv aws:RequestedRegion=eu-west-1
kms:Decrypt arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab aws:RequestedRegion=eu-west-1
lambda:InvokeFunction arn:aws:lambda:eu-west-1:111122223333:function:app aws:RequestedRegion=eu-west-1
`,
		code: 3,
	},
	{
		name:    "authz",
		files:   map[string]string{"authz.json": "../../generator/grants/testdata/authz.json"},
		against: []string{"authz.json"},
		args:    []string{"--principal", "app-role"},
		calls: `
sqs:ReceiveMessage arn:aws:sqs:eu-west-1:111122223333:app-jobs aws:RequestedRegion=eu-west-1
sqs:DeleteMessage arn:aws:sqs:eu-west-1:111122223333:app-jobs aws:RequestedRegion=eu-west-1
s3:GetObject arn:aws:s3:::app-data-111122223333/reports/q1.csv aws:RequestedRegion=eu-west-1
s3:ListBucket arn:aws:s3:::app-data-111122223333 aws:RequestedRegion=eu-west-1 s3:prefix=reports/
iam:PassRole arn:aws:iam::111122223333:role/app-task aws:RequestedRegion=eu-west-1 iam:PassedToService=ecs-tasks.amazonaws.com
logs:PutLogEvents arn:aws:logs:eu-west-1:111122223333:log-group:/app/orders:log-stream:web-1 aws:RequestedRegion=eu-west-1
`,
		code: 3,
	},
	{
		name:    "terraform",
		files:   map[string]string{"plan.json": "../../generator/grants/testdata/plan.json"},
		against: []string{"plan.json"},
		args:    []string{"--principal", "module.app.aws_iam_role.this"},
		calls: `
logs:PutLogEvents arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/orders:log-stream:web-1 aws:RequestedRegion=eu-west-1
s3:GetObject arn:aws:s3:::orders-data-dev/exports/1.csv aws:RequestedRegion=eu-west-1
sqs:SendMessage arn:aws:sqs:eu-west-1:111122223333:orders-jobs aws:RequestedRegion=eu-west-1
dynamodb:GetItem arn:aws:dynamodb:eu-west-1:111122223333:table/orders aws:RequestedRegion=eu-west-1
`,
		code: 3,
	},
	{
		name:    "cloudformation",
		files:   map[string]string{"template.yaml": "../../generator/grants/testdata/template.yaml"},
		against: []string{"template.yaml"},
		args:    []string{"--principal", "WorkerRole"},
		calls: `
sqs:ReceiveMessage arn:aws:sqs:eu-west-1:111122223333:orders-jobs-prod aws:RequestedRegion=eu-west-1
dynamodb:PutItem arn:aws:dynamodb:eu-west-1:111122223333:table/orders aws:RequestedRegion=eu-west-1
s3:GetObject arn:aws:s3:::orders-data-111122223333/exports/1.csv aws:RequestedRegion=eu-west-1
s3:DeleteObject arn:aws:s3:::orders-data-111122223333/tmp/x aws:RequestedRegion=eu-west-1
ec2:DescribeSubnets * aws:RequestedRegion=eu-west-1
cloudwatch:PutMetricData * aws:RequestedRegion=eu-west-1
`,
		code: 3,
	},
}

// TestDiffGolden runs `iamwatch diff` in each format for each kind of
// input over a session recorded into a real store, and compares the output
// with testdata/diff/NAME.FORMAT (rewritten with -update).
func TestDiffGolden(t *testing.T) {
	ext := map[string]string{"text": "txt", "json": "json", "markdown": "md", "sarif": "sarif"}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range diffCases {
		t.Run(tc.name, func(t *testing.T) {
			work := t.TempDir()
			for name, src := range tc.files {
				data, err := os.ReadFile(src)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(work, name), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			db := filepath.Join(work, "iamwatch.db")
			recordCalls(t, db, "app", tc.calls)
			t.Chdir(work)
			for _, format := range []string{"text", "json", "markdown", "sarif"} {
				args := []string{"diff", "--db", db, "--format", format}
				for _, f := range tc.against {
					args = append(args, "--against", f)
				}
				args = append(args, tc.args...)
				var stdout, stderr bytes.Buffer
				code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
				if code != tc.code {
					t.Errorf("%s: exit %d, want %d; stderr:\n%s", format, code, tc.code, stderr.String())
				}
				if format == "json" || format == "sarif" {
					var v any
					if err := json.Unmarshal(stdout.Bytes(), &v); err != nil {
						t.Errorf("%s output is not JSON: %v", format, err)
					}
				}
				golden(t, filepath.Join(dir, "testdata", "diff", tc.name+"."+ext[format]), stdout.Bytes())
			}
		})
	}
}

// golden compares got with the file at path, or rewrites it with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/iamwatch -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (rerun with -update to accept):\n%s", path, got)
	}
}

// recordCalls records one session of calls into a new store at path, as
// a capture would: one record per line "ACTION RESOURCE [KEY=VALUE...]".
func recordCalls(t *testing.T, path, session, lines string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Session(ctx, session, map[string]string{"test": "diff"}); err != nil {
		t.Fatal(err)
	}
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i, line := range strings.Split(lines, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		u := iamwatch.ActionUse{Action: f[0], Resources: []string{f[1]}, Exact: true}
		conds := map[string][]string{}
		for _, kv := range f[2:] {
			k, v, _ := strings.Cut(kv, "=")
			conds[k] = append(conds[k], v)
		}
		svc, _, _ := strings.Cut(u.Action, ":")
		rec := &iamwatch.Record{Session: session, Time: when.Add(time.Duration(i) * time.Second), Source: iamwatch.SourceProxy,
			AccessKeyID: "AKIAIOSFODNN7EXAMPLE", Status: 200,
			Call: iamwatch.Call{Service: svc, Operation: "Op", Region: "eu-west-1", Recognized: true,
				Actions: []iamwatch.ActionUse{u}, Conditions: conds}}
		if err := db.Add(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}
