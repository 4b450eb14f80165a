package cloudtrail_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamwatch/iamwatch/proxy/cloudtrail"
)

func event(source, name, category string, readOnly bool) *cloudtrail.Event {
	e := &cloudtrail.Event{Type: cloudtrail.TypeAPICall, Category: category, ReadOnly: readOnly, ReadOnlyKnown: true}
	e.Service, e.API = source, name
	return e
}

func TestCoverageGaps(t *testing.T) {
	mgmt, data := cloudtrail.CategoryManagement, cloudtrail.CategoryData
	writes := func(n int) []*cloudtrail.Event {
		var out []*cloudtrail.Event
		for range n {
			out = append(out, event("iam.amazonaws.com", "CreateRole", mgmt, false))
		}
		return out
	}
	tests := []struct {
		name   string
		events []*cloudtrail.Event
		want   []string // kind/service of each gap
		note   string   // the first gap's note, when set
	}{
		{
			name:   "S3 management events without data events",
			events: []*cloudtrail.Event{event("s3.amazonaws.com", "CreateBucket", mgmt, false), event("s3.amazonaws.com", "ListBuckets", mgmt, true)},
			want:   []string{"data-events/s3"},
			note:   "no S3 data events in these logs: object-level actions (s3:GetObject, s3:PutObject, s3:DeleteObject, …) cannot be seen; enable S3 data events (AWS::S3::Object) on the trail",
		},
		{
			name:   "S3 with data events",
			events: []*cloudtrail.Event{event("s3.amazonaws.com", "CreateBucket", mgmt, false), event("s3.amazonaws.com", "GetObject", data, true)},
		},
		{
			name:   "data events only: the service's management events are absent, no claim",
			events: []*cloudtrail.Event{event("dynamodb.amazonaws.com", "PutItem", data, false)},
		},
		{
			name: "several services",
			events: []*cloudtrail.Event{
				event("lambda.amazonaws.com", "CreateFunction20150331", mgmt, false), event("sqs.amazonaws.com", "CreateQueue", mgmt, false),
				event("sqs.amazonaws.com", "SendMessage", data, false), event("dynamodb.amazonaws.com", "DescribeTable", mgmt, true),
				event("ec2.amazonaws.com", "DescribeInstances", mgmt, true),
			},
			want: []string{"data-events/lambda", "data-events/dynamodb"},
			note: "no Lambda data events in these logs: function invocations (lambda:InvokeFunction, …) cannot be seen; enable Lambda data events (AWS::Lambda::Function) on the trail",
		},
		{
			name:   "writes only",
			events: writes(5),
			want:   []string{"read-only/"},
			note:   "no read-only management events in these logs: the trail may log write events only, so Describe, Get and List actions cannot be seen; set its management events to All (ReadWriteType All)",
		},
		{name: "too few writes to tell", events: writes(4)},
		{name: "writes and a read", events: append(writes(9), event("iam.amazonaws.com", "GetRole", mgmt, true))},
		{
			name: "sign-ins and service events are not counted",
			events: []*cloudtrail.Event{
				{Type: cloudtrail.TypeConsoleSignIn, Category: mgmt, ReadOnlyKnown: true},
				{Type: cloudtrail.TypeServiceEvent, Category: mgmt, ReadOnlyKnown: true},
				{Type: cloudtrail.TypeServiceEvent, Category: mgmt, ReadOnlyKnown: true},
				{Type: cloudtrail.TypeServiceEvent, Category: mgmt, ReadOnlyKnown: true},
				{Type: cloudtrail.TypeServiceEvent, Category: mgmt, ReadOnlyKnown: true},
				{Type: cloudtrail.TypeServiceEvent, Category: mgmt, ReadOnlyKnown: true},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c cloudtrail.Coverage
			for _, e := range tt.events {
				c.Add(e)
			}
			gaps := c.Gaps()
			var got []string
			for _, g := range gaps {
				got = append(got, g.Kind+"/"+g.Service)
				if g.Note == "" {
					t.Errorf("gap %+v has no note", g)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("gaps %v, want %v", got, tt.want)
			}
			if tt.note != "" && gaps[0].Note != tt.note {
				t.Fatalf("note\n%s\nwant\n%s", gaps[0].Note, tt.note)
			}
		})
	}
}

// TestCoverageFixtures: the fixtures have Lambda and SNS management events
// but none of their data events; S3, DynamoDB and SQS have both (SQS's
// derived from eventVersion 1.05 records).
func TestCoverageFixtures(t *testing.T) {
	var c cloudtrail.Coverage
	var paths []string
	for p := range fixtures(t) {
		paths = append(paths, p)
	}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		_, err = cloudtrail.Decode(f, func(e *cloudtrail.Event) error {
			c.Add(e)
			return nil
		})
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(p), err)
		}
	}
	var got []string
	for _, g := range c.Gaps() {
		got = append(got, g.Kind+"/"+g.Service)
	}
	if want := "data-events/lambda,data-events/sns"; strings.Join(got, ",") != want {
		t.Fatalf("gaps %v, want %s", got, want)
	}
}

func TestIsDataEvent(t *testing.T) {
	tests := []struct {
		source, name string
		want         bool
	}{
		{"s3.amazonaws.com", "GetObject", true},
		{"s3.amazonaws.com", "CreateBucket", false},
		{"lambda.amazonaws.com", "Invoke", true},
		{"lambda.amazonaws.com", "CreateFunction20150331", false},
		{"dynamodb.amazonaws.com", "Query", true},
		{"sqs.amazonaws.com", "SendMessageBatch", true},
		{"sqs.amazonaws.com", "CreateQueue", false},
		{"sns.amazonaws.com", "Publish", true},
		{"ec2.amazonaws.com", "RunInstances", false},
	}
	for _, tt := range tests {
		t.Run(tt.source+" "+tt.name, func(t *testing.T) {
			if got := cloudtrail.IsDataEvent(tt.source, tt.name); got != tt.want {
				t.Fatalf("IsDataEvent = %v", got)
			}
		})
	}
}
