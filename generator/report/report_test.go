package report

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/iamwatch/iamwatch"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fixture is a report of a test suite's session.
func fixture() *Report {
	r := &Report{Session: "ci-42", Labels: map[string]string{"branch": "main", "ci": "true"},
		Policy: []byte("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": []\n}\n")}
	for _, rec := range fixtureRecords() {
		r.Add(rec)
	}
	return r
}

// fixtureRecords are the calls of a test suite: several services, every
// access level, an error, an unrecognized call, a call without an
// outcome, and strings that must be escaped.
func fixtureRecords() []*iamwatch.Record {
	t0 := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	type spec struct {
		at           time.Duration
		svc, id, op  string
		action       string
		level        iamwatch.AccessLevel
		resource     string
		status       int
		errCode      string
		possible     string
		unrecognized bool
		pending      bool
		labels       map[string]string
		extra        string
		extraLvl     iamwatch.AccessLevel
	}
	specs := []spec{
		{at: 0, svc: "sts", id: "STS", op: "GetCallerIdentity", action: "sts:GetCallerIdentity", level: iamwatch.LevelRead, resource: "*"},
		{at: 2 * time.Second, svc: "s3", id: "S3", op: "ListBuckets", action: "s3:ListAllMyBuckets", level: iamwatch.LevelList, resource: "*"},
		{at: 5 * time.Second, svc: "s3", id: "S3", op: "CreateBucket", action: "s3:CreateBucket", level: iamwatch.LevelWrite, resource: "arn:aws:s3:::app-bucket"},
		{at: 6 * time.Second, svc: "s3", id: "S3", op: "PutBucketTagging", action: "s3:PutBucketTagging", level: iamwatch.LevelTagging, resource: "arn:aws:s3:::app-bucket"},
		{at: 7 * time.Second, svc: "s3", id: "S3", op: "PutBucketPolicy", action: "s3:PutBucketPolicy", level: iamwatch.LevelPermissionsManagement, resource: "arn:aws:s3:::app-bucket"},
		{at: 12 * time.Second, svc: "s3", id: "S3", op: "PutObject", action: "s3:PutObject", level: iamwatch.LevelWrite, resource: "arn:aws:s3:::app-bucket/reports/a.csv",
			extra: "kms:GenerateDataKey", extraLvl: iamwatch.LevelWrite},
		{at: 14 * time.Second, svc: "s3", id: "S3", op: "GetObject", action: "s3:GetObject", level: iamwatch.LevelRead, resource: "arn:aws:s3:::app-bucket/reports/a.csv",
			possible: "s3:GetObjectVersion", labels: map[string]string{"test": "TestReports"}},
		{at: 20 * time.Second, svc: "dynamodb", id: "DynamoDB", op: "CreateTable", action: "dynamodb:CreateTable", level: iamwatch.LevelWrite, resource: "arn:aws:dynamodb:us-east-1:123456789012:table/orders"},
		{at: 31 * time.Second, svc: "dynamodb", id: "DynamoDB", op: "PutItem", action: "dynamodb:PutItem", level: iamwatch.LevelWrite, resource: "arn:aws:dynamodb:us-east-1:123456789012:table/orders"},
		{at: 32 * time.Second, svc: "dynamodb", id: "DynamoDB", op: "Query", action: "dynamodb:Query", level: iamwatch.LevelRead, resource: "arn:aws:dynamodb:us-east-1:123456789012:table/orders"},
		{at: 33 * time.Second, svc: "dynamodb", id: "DynamoDB", op: "Query", action: "dynamodb:Query", level: iamwatch.LevelRead, resource: "arn:aws:dynamodb:us-east-1:123456789012:table/orders"},
		{at: 45 * time.Second, svc: "sqs", id: "SQS", op: "SendMessage", action: "sqs:SendMessage", level: iamwatch.LevelWrite, resource: "arn:aws:sqs:us-east-1:123456789012:orders"},
		{at: 50 * time.Second, svc: "sqs", id: "SQS", op: "ReceiveMessage", action: "sqs:ReceiveMessage", level: iamwatch.LevelRead, resource: "arn:aws:sqs:us-east-1:123456789012:orders",
			status: 403, errCode: "AccessDenied"},
		{at: 61 * time.Second, svc: "lambda", id: "Lambda", op: "CreateFunction", action: "lambda:CreateFunction", level: iamwatch.LevelWrite, resource: "arn:aws:lambda:us-east-1:123456789012:function:worker",
			extra: "iam:PassRole", extraLvl: iamwatch.LevelWrite},
		{at: 70 * time.Second, svc: "lambda", id: "Lambda", op: "Invoke", action: "lambda:InvokeFunction", level: iamwatch.LevelWrite, resource: "arn:aws:lambda:us-east-1:123456789012:function:worker", pending: true},
		{at: 75 * time.Second, svc: "execute-api", op: "", unrecognized: true},
		{at: 80 * time.Second, svc: "s3", id: "S3", op: "GetObject", action: "s3:GetObject", level: iamwatch.LevelRead, resource: "arn:aws:s3:::app-bucket/<b>&\"x\".csv",
			labels: map[string]string{"test": "<script>alert(1)</script>"}},
		{at: 88 * time.Second, svc: "newsvc", id: "NewService", op: "DoThing", action: "newsvc:DoThing", resource: "*"},
	}
	var out []*iamwatch.Record
	for i, s := range specs {
		rec := &iamwatch.Record{Session: "ci-42", Time: t0.Add(s.at), Source: iamwatch.SourceProxy,
			Call:   iamwatch.Call{Service: s.svc, ServiceID: s.id, Operation: s.op, Recognized: !s.unrecognized},
			Status: 200, Labels: s.labels, Pending: s.pending}
		if s.unrecognized {
			rec.Reason = "no operation matches POST /prod/hook"
		}
		if s.action != "" {
			rec.Actions = append(rec.Actions, iamwatch.ActionUse{Action: s.action, Level: s.level, Resources: []string{s.resource}, Exact: true})
		}
		if s.extra != "" {
			rec.Actions = append(rec.Actions, iamwatch.ActionUse{Action: s.extra, Level: s.extraLvl, Resources: []string{fmt.Sprintf("arn:aws:x:::%d", i)}})
		}
		if s.possible != "" {
			rec.Actions = append(rec.Actions, iamwatch.ActionUse{Action: s.possible, Level: iamwatch.LevelRead, Resources: []string{"*"}, Possible: true})
		}
		if s.status != 0 {
			rec.Status, rec.ErrorCode = s.status, s.errCode
		}
		if s.pending {
			rec.Status = 0
		}
		out = append(out, rec)
	}
	return out
}

func render(t *testing.T, r *Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := r.Render(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test ./generator/report -run %s -update); got:\n%s", path, t.Name(), got)
	}
}

func TestGolden(t *testing.T) {
	withDiff := fixture()
	withDiff.Diff = &Diff{Against: []string{"deployed.json"},
		Missing: []Finding{{Action: "sqs:ReceiveMessage", Resource: "arn:aws:sqs:us-east-1:123456789012:orders", Detail: "no statement allows it"}},
		Excess:  []Finding{{Action: "s3:DeleteBucket", Resource: "*", Detail: "statement AllowAll"}}}
	tests := []struct {
		name, file string
		r          *Report
	}{
		{"session", "report.html", fixture()},
		{"with diff", "report-diff.html", withDiff},
		{"empty", "report-empty.html", &Report{Session: "nothing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := render(t, tt.r)
			golden(t, tt.file, got)
			// Deterministic: the same input renders the same bytes.
			if again := render(t, tt.r); !bytes.Equal(again, got) {
				t.Error("two renders differ")
			}
		})
	}
}

// TestSelfContained checks that the page loads nothing and runs nothing.
func TestSelfContained(t *testing.T) {
	page := string(render(t, fixture()))
	for _, bad := range []string{"<script", "<link", "<img", "<iframe", "src=", "href=", "url(", "@import", "http://", "https://"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page contains %q", bad)
		}
	}
	// The label's markup is escaped, not interpreted.
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the label with markup is not escaped")
	}
	if !strings.Contains(page, "No deployed policy given.") {
		t.Error("a nil Diff does not say that no policy was given")
	}
}

func TestCharts(t *testing.T) {
	r := fixture()
	p := r.page()
	// 18 calls over 88 s: 2 s buckets, 45 of them.
	if p.Timeline.Bucket != "2s" {
		t.Errorf("bucket %s, want 2s", p.Timeline.Bucket)
	}
	perColour := map[string]int{}
	total := 0.0
	for _, b := range p.Timeline.Bars {
		perColour[b.Fill]++
		total += b.H
		if b.X < padLeft || b.X+b.W > chartWidth-padRight || b.Y < padTop-0.1 || b.Y+b.H > chartHeight-padBottom+0.1 {
			t.Errorf("bar %+v is outside the plot", b)
		}
	}
	// S3 is the busiest service: the first colour.
	if p.Timeline.Legend[0].Label != "S3" || p.Timeline.Legend[0].Count != 7 || perColour[servicePalette()[0]] == 0 {
		t.Errorf("legend %+v", p.Timeline.Legend)
	}
	wantLevels := map[string]int{"List": 1, "Read": 4, "Write": 9, "Permissions management": 1, "Tagging": 1, "Unknown": 1}
	for _, row := range p.Levels.Rows {
		if row.Count != wantLevels[row.Level] {
			t.Errorf("level %s: %d actions (%s), want %d", row.Level, row.Count, row.ActionsOf, wantLevels[row.Level])
		}
	}
	if p.Actions != 17 || p.Possible != 1 || p.Errors != 1 || p.Unrecog != 1 || p.Pending != 1 {
		t.Errorf("summary %+v", p)
	}
}

func TestBucketWidth(t *testing.T) {
	t0 := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		span  time.Duration
		width time.Duration
	}{
		{0, time.Second},
		{59 * time.Second, time.Second},
		{60 * time.Second, 2 * time.Second},
		{10 * time.Minute, 15 * time.Second},
		{4 * time.Hour, 5 * time.Minute},
		{5 * time.Hour, 10 * time.Minute},
		{30 * 24 * time.Hour, 24 * time.Hour},
		{3 * 365 * 24 * time.Hour, 3 * 7 * 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.span.String(), func(t *testing.T) {
			w, n := bucketWidth(t0, t0.Add(tt.span))
			if w != tt.width || n > maxBuckets || n < 1 {
				t.Errorf("bucketWidth over %v = %v × %d, want %v and at most %d buckets", tt.span, w, n, tt.width, maxBuckets)
			}
		})
	}
}

func TestMaxRows(t *testing.T) {
	tests := []struct {
		max, rows int
	}{
		{0, 18}, {-1, 0}, {5, 5},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.max), func(t *testing.T) {
			r := &Report{MaxRows: tt.max}
			for _, rec := range fixtureRecords() {
				r.Add(rec)
			}
			page := string(render(t, r))
			got := len(regexp.MustCompile(`(?m)^<tr><td class="mono nowrap">2026-`).FindAllString(page, -1))
			if got != tt.rows {
				t.Errorf("MaxRows %d: %d rows, want %d", tt.max, got, tt.rows)
			}
			if hidden := 18 - tt.rows; hidden > 0 && !strings.Contains(page, fmt.Sprintf("%d more calls not shown", hidden)) {
				t.Errorf("MaxRows %d: no note of the %d calls not shown", tt.max, hidden)
			}
		})
	}
}
