package mapper_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/mapper"
)

// TestResourceARNs maps requests real SDKs sent (some with another form
// body, keeping the SDK's headers) in a known account and checks the ARNs
// of the resources that the maps once named wrongly or not at all: EC2
// resources named by ID, CloudFormation stacks by name or stack ID, log
// groups (whose policy ARN ends in ":*"), and placeholders filled from a
// member of another kind.
func TestResourceARNs(t *testing.T) {
	ix := index(t)
	const acct = "123456789012"
	type res struct {
		resources []string
		exact     bool
		possible  bool
	}
	tests := []struct {
		name    string
		fixture string // under testdata/requests, without .http
		body    string // replaces the fixture's form body when set
		want    map[string]res
		absent  []string // actions the call must not need
	}{
		{
			name: "EC2 CreateTags on an instance and a volume", fixture: "aws-sdk-go-v2/ec2/CreateTags",
			want: map[string]res{"ec2:CreateTags": {resources: []string{
				"arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0",
				"arn:aws:ec2:us-east-1:123456789012:volume/vol-0123456789abcdef0",
			}, exact: true}},
		},
		{
			name: "EC2 CreateTags from the JavaScript SDK", fixture: "aws-sdk-js-v3/ec2/CreateTags",
			want: map[string]res{"ec2:CreateTags": {resources: []string{"arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"}, exact: true}},
		},
		{
			name: "EC2 CreateTags: images and snapshots have no account, an unknown ID stays *", fixture: "aws-sdk-go-v2/ec2/CreateTags",
			body: "Action=CreateTags&ResourceId.1=ami-0abc&ResourceId.2=snap-0def&ResourceId.3=sg-0123&ResourceId.4=zz-1&Tag.1.Key=owner&Tag.1.Value=alice&Version=2016-11-15",
			want: map[string]res{"ec2:CreateTags": {resources: []string{
				"*",
				"arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123",
				"arn:aws:ec2:us-east-1::image/ami-0abc",
				"arn:aws:ec2:us-east-1::snapshot/snap-0def",
			}, exact: false}},
		},
		{
			name: "EC2 DeleteTags", fixture: "aws-sdk-go-v2/ec2/CreateTags",
			body: "Action=DeleteTags&ResourceId.1=subnet-0abc&ResourceId.2=eni-0def&Version=2016-11-15",
			want: map[string]res{"ec2:DeleteTags": {resources: []string{
				"arn:aws:ec2:us-east-1:123456789012:network-interface/eni-0def",
				"arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0abc",
			}, exact: true}},
		},
		{
			name: "EC2 AttachVolume needs the instance and the volume", fixture: "aws-sdk-go-v2/ec2/AttachVolume",
			want: map[string]res{"ec2:AttachVolume": {resources: []string{
				"arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0",
				"arn:aws:ec2:us-east-1:123456789012:volume/vol-0123456789abcdef0",
			}, exact: true}},
		},
		{
			name: "EC2 DetachVolume without InstanceId", fixture: "aws-sdk-go-v2/ec2/AttachVolume",
			body: "Action=DetachVolume&Version=2016-11-15&VolumeId=vol-0abc",
			want: map[string]res{"ec2:DetachVolume": {resources: []string{
				"arn:aws:ec2:us-east-1:123456789012:instance/*",
				"arn:aws:ec2:us-east-1:123456789012:volume/vol-0abc",
			}, exact: false}},
		},
		{
			name: "EC2 security group rules by group ID", fixture: "aws-sdk-go-v2/ec2/AuthorizeSecurityGroupIngress",
			want: map[string]res{"ec2:AuthorizeSecurityGroupIngress": {resources: []string{"arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0"}, exact: true}},
		},
		{
			name: "EC2 ModifyInstanceAttribute replacing security groups", fixture: "aws-sdk-go-v2/ec2/AttachVolume",
			body: "Action=ModifyInstanceAttribute&GroupId.1=sg-1&GroupId.2=sg-2&InstanceId=i-0abc&Version=2016-11-15",
			want: map[string]res{"ec2:ModifyInstanceAttribute": {resources: []string{
				"arn:aws:ec2:us-east-1:123456789012:instance/i-0abc",
				"arn:aws:ec2:us-east-1:123456789012:security-group/sg-1",
				"arn:aws:ec2:us-east-1:123456789012:security-group/sg-2",
			}, exact: true}},
		},
		{
			name: "EC2 DeleteKeyPair by name, not by key pair ID", fixture: "aws-sdk-go-v2/ec2/AttachVolume",
			body: "Action=DeleteKeyPair&KeyName=deploy&Version=2016-11-15",
			want: map[string]res{"ec2:DeleteKeyPair": {resources: []string{"arn:aws:ec2:us-east-1:123456789012:key-pair/deploy"}, exact: true}},
		},
		{
			name: "EC2 CreateLaunchTemplate: the new template's ARN ends in an ID", fixture: "aws-sdk-go-v2/ec2/AttachVolume",
			body: "Action=CreateLaunchTemplate&LaunchTemplateName=web&Version=2016-11-15",
			want: map[string]res{"ec2:CreateLaunchTemplate": {resources: []string{"arn:aws:ec2:us-east-1:123456789012:launch-template/*"}, exact: true}},
		},
		{
			name: "CloudFormation DescribeStacks by name", fixture: "botocore-1.43.11/cloudformation/DescribeStacks",
			want:   map[string]res{"cloudformation:DescribeStacks": {resources: []string{"arn:aws:cloudformation:us-east-1:123456789012:stack/orders-prod/*"}, exact: true}},
			absent: []string{"cloudformation:ListStacks"},
		},
		{
			name: "CloudFormation DescribeStacks of every stack", fixture: "botocore-1.43.11/cloudformation/DescribeStacks",
			body: "Action=DescribeStacks&Version=2010-05-15",
			want: map[string]res{
				"cloudformation:DescribeStacks": {resources: []string{"*"}, exact: false},
				"cloudformation:ListStacks":     {resources: []string{"*"}, exact: true},
			},
		},
		{
			name: "CloudFormation DeleteStack by stack ID keeps the ID", fixture: "aws-sdk-go-v2/cloudformation/DeleteStack",
			want: map[string]res{"cloudformation:DeleteStack": {resources: []string{"arn:aws:cloudformation:us-east-1:123456789012:stack/orders-old/0fa3b3b0-1234-11ef-9a6b-0a1b2c3d4e5f"}, exact: true}},
		},
		{
			name: "CloudFormation GetTemplate by name", fixture: "botocore-1.43.11/cloudformation/DescribeStacks",
			body: "Action=GetTemplate&StackName=orders-prod&Version=2010-05-15",
			want: map[string]res{"cloudformation:GetTemplate": {resources: []string{"arn:aws:cloudformation:us-east-1:123456789012:stack/orders-prod/*"}, exact: true}},
		},
		{
			name: "CloudWatch Logs CreateLogGroup: the log group's policy ARN ends in :*", fixture: "aws-sdk-go-v2/cloudwatchlogs/CreateLogGroup",
			want: map[string]res{"logs:CreateLogGroup": {resources: []string{"arn:aws:logs:us-east-1:123456789012:log-group:/app/orders:*"}, exact: true}},
		},
		{
			name: "CloudWatch Logs FilterLogEvents", fixture: "botocore-1.43.11/logs/FilterLogEvents",
			want: map[string]res{"logs:FilterLogEvents": {resources: []string{"arn:aws:logs:us-east-1:123456789012:log-group:/app/orders:*"}, exact: true}},
		},
		{
			name: "CloudWatch Logs PutLogEvents names a log stream", fixture: "aws-sdk-go-v2/cloudwatchlogs/PutLogEvents",
			want: map[string]res{"logs:PutLogEvents": {resources: []string{"arn:aws:logs:us-east-1:123456789012:log-group:/app/orders:log-stream:web-1"}, exact: true}},
		},
		{
			name: "Step Functions execution ARN names its state machine", fixture: "aws-sdk-go-v2/sfn/StartExecution",
			want: map[string]res{
				"states:StartExecution":    {resources: []string{"arn:aws:states:us-east-1:123456789012:stateMachine:order-flow"}, exact: true},
				"states:DescribeExecution": {resources: []string{"arn:aws:states:us-east-1:123456789012:execution:order-flow:order-o-123"}, exact: true, possible: true},
			},
		},
		{
			// RDS, DocumentDB and Neptune share the endpoint and the
			// operation: RDS's maps apply. RDS stores identifiers in lower
			// case, and so names them in ARNs.
			name: "RDS CreateDBSnapshot: the instance and the snapshot, in lower case", fixture: "botocore-1.43.11/rds/CreateDBSnapshot",
			body: "Action=CreateDBSnapshot&Version=2014-10-31&DBInstanceIdentifier=Orders-DB&DBSnapshotIdentifier=Nightly-1",
			want: map[string]res{"rds:CreateDBSnapshot": {resources: []string{
				"arn:aws:rds:us-east-1:123456789012:db:orders-db",
				"arn:aws:rds:us-east-1:123456789012:snapshot:nightly-1",
			}, exact: true}},
		},
		{
			name: "Batch SubmitJob: job definition and a queue given by ARN", fixture: "aws-sdk-go-v2/batch/SubmitJob",
			want: map[string]res{"batch:SubmitJob": {resources: []string{
				"arn:aws:batch:us-east-1:123456789012:job-definition/report:3",
				"arn:aws:batch:us-east-1:123456789012:job-queue/default",
			}, exact: true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "requests", tt.fixture+".http"))
			if err != nil {
				t.Fatal(err)
			}
			if tt.body != "" {
				raw = withFormBody(t, raw, tt.body)
			}
			obs, err := mapper.ParseRaw(raw, "https")
			if err != nil {
				t.Fatal(err)
			}
			obs.AccountID = acct
			call := ix.Map(obs)
			if !call.Recognized {
				t.Fatalf("not recognized: %s", call.Reason)
			}
			got := map[string]iamwatch.ActionUse{}
			for _, a := range call.Actions {
				got[a.Action] = a
			}
			for action, w := range tt.want {
				a, ok := got[action]
				if !ok {
					t.Errorf("%s: no %s among %v", call.Operation, action, call.Actions)
					continue
				}
				rs := append([]string(nil), a.Resources...)
				sort.Strings(rs)
				if !reflect.DeepEqual(rs, w.resources) || a.Exact != w.exact || a.Possible != w.possible {
					t.Errorf("%s: %s on %q exact=%v possible=%v, want %q exact=%v possible=%v",
						call.Operation, action, rs, a.Exact, a.Possible, w.resources, w.exact, w.possible)
				}
			}
			for _, action := range tt.absent {
				if _, ok := got[action]; ok {
					t.Errorf("%s: %s is needed, want it absent", call.Operation, action)
				}
			}
		})
	}
}

// withFormBody replaces the body of a raw request and its Content-Length.
func withFormBody(t *testing.T, raw []byte, body string) []byte {
	t.Helper()
	head, _, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		t.Fatal("raw request has no body separator")
	}
	var out bytes.Buffer
	for _, line := range bytes.Split(head, []byte("\r\n")) {
		if bytes.HasPrefix(bytes.ToLower(line), []byte("content-length:")) {
			line = []byte(fmt.Sprintf("Content-Length: %d", len(body)))
		}
		out.Write(line)
		out.WriteString("\r\n")
	}
	out.WriteString("\r\n")
	out.WriteString(body)
	return out.Bytes()
}
