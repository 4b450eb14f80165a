package mapper_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/iamwatch/iamwatch"
)

// TestMapNamed maps calls known by name, as CloudTrail logs them: event
// sources, version-suffixed event names, lowerCamel parameters and the
// ARNs of resources[].
func TestMapNamed(t *testing.T) {
	ix := index(t)
	type want struct {
		op       string // ServiceID/Operation; "" for an unrecognized call
		reason   string // substring of the reason of an unrecognized call
		required map[string][]string
		exact    map[string]bool // actions that must be exact (true) or not (false)
		conds    map[string]map[string][]string
		possible []string
	}
	tests := []struct {
		name    string
		service string
		api     string
		params  string // "" for a CSM observation without parameters
		arns    []string
		want    want
	}{
		{
			name: "S3 object read: bucketName and key", service: "s3.amazonaws.com", api: "GetObject",
			params: `{"bucketName":"b","Host":"b.s3.us-east-1.amazonaws.com","key":"dir/x.csv"}`,
			want:   want{op: "S3/GetObject", required: map[string][]string{"s3:GetObject": {"arn:aws:s3:::b/dir/x.csv"}}},
		},
		{
			name: "S3 SSE-KMS headers decide the KMS rule", service: "s3.amazonaws.com", api: "PutObject",
			params: `{"bucketName":"b","key":"k","x-amz-server-side-encryption":"aws:kms","x-amz-server-side-encryption-aws-kms-key-id":"arn:aws:kms:us-east-1:111122223333:key/k-1"}`,
			want: want{op: "S3/PutObject", required: map[string][]string{
				"s3:PutObject":        {"arn:aws:s3:::b/k"},
				"kms:GenerateDataKey": {"arn:aws:kms:us-east-1:111122223333:key/k-1"},
			}},
		},
		{
			name: "S3 Control operation logged under s3.amazonaws.com", service: "s3.amazonaws.com", api: "GetAccessPoint",
			params: `{"name":"ap","accountId":"111122223333"}`,
			want:   want{op: "S3 Control/GetAccessPoint"},
		},
		{
			name: "Lambda event name with a version suffix, role passed", service: "lambda.amazonaws.com", api: "CreateFunction20150331",
			params: `{"functionName":"f","role":"arn:aws:iam::111122223333:role/r","runtime":"python3.12","code":{}}`,
			want: want{op: "Lambda/CreateFunction", required: map[string][]string{
				"lambda:CreateFunction": {"arn:aws:lambda:us-east-1:111122223333:function:f"},
				"iam:PassRole":          {"arn:aws:iam::111122223333:role/r"},
			}, conds: map[string]map[string][]string{"iam:PassRole": {"iam:PassedToService": {"lambda.amazonaws.com"}}}},
		},
		{
			name: "version suffix with a v", service: "lambda.amazonaws.com", api: "UpdateFunctionCode20150331v2",
			params: `{"functionName":"f","publish":true}`,
			want:   want{op: "Lambda/UpdateFunctionCode", required: map[string][]string{"lambda:UpdateFunctionCode": {"arn:aws:lambda:us-east-1:111122223333:function:f"}}},
		},
		{
			name: "KMS Decrypt names its key only in resources[]", service: "kms.amazonaws.com", api: "Decrypt",
			params: `{"encryptionAlgorithm":"SYMMETRIC_DEFAULT"}`, arns: []string{"arn:aws:kms:us-east-1:111122223333:key/k-2"},
			want: want{op: "KMS/Decrypt", required: map[string][]string{"kms:Decrypt": {"arn:aws:kms:us-east-1:111122223333:key/k-2"}},
				exact: map[string]bool{"kms:Decrypt": true}},
		},
		{
			name: "KMS Decrypt without resources stays partly unknown", service: "kms.amazonaws.com", api: "Decrypt",
			params: `{}`,
			want: want{op: "KMS/Decrypt", required: map[string][]string{"kms:Decrypt": {"arn:aws:kms:*:*:key/*"}},
				exact: map[string]bool{"kms:Decrypt": false}},
		},
		{
			name: "EC2 item sets are the query's lists", service: "ec2.amazonaws.com", api: "TerminateInstances",
			params: `{"instancesSet":{"items":[{"instanceId":"i-1"},{"instanceId":"i-2"}]}}`,
			want: want{op: "EC2/TerminateInstances", required: map[string][]string{"ec2:TerminateInstances": {
				"arn:aws:ec2:us-east-1:111122223333:instance/i-1", "arn:aws:ec2:us-east-1:111122223333:instance/i-2"}}},
		},
		{
			name: "STS tags in lowerCamel decide the TagSession rule", service: "sts.amazonaws.com", api: "AssumeRole",
			params: `{"roleArn":"arn:aws:iam::111122223333:role/r","roleSessionName":"s","tags":[{"key":"team","value":"orders"}]}`,
			want: want{op: "STS/AssumeRole", required: map[string][]string{
				"sts:AssumeRole": {"arn:aws:iam::111122223333:role/r"}, "sts:TagSession": {"arn:aws:iam::111122223333:role/r"}},
				conds: map[string]map[string][]string{"sts:AssumeRole": {"aws:RequestTag/team": {"orders"}, "aws:TagKeys": {"team"}}}},
		},
		{
			name: "event source differs from the model name", service: "monitoring.amazonaws.com", api: "PutMetricData",
			params: `{"namespace":"orders"}`,
			want:   want{op: "CloudWatch/PutMetricData", required: map[string][]string{"cloudwatch:PutMetricData": {"*"}}},
		},
		{
			name: "SQS queue URL", service: "sqs.amazonaws.com", api: "SendMessage",
			params: `{"queueUrl":"https://sqs.eu-west-1.amazonaws.com/111122223333/q","messageBody":"HIDDEN_DUE_TO_SECURITY_REASONS"}`,
			want:   want{op: "SQS/SendMessage", required: map[string][]string{"sqs:SendMessage": {"arn:aws:sqs:us-east-1:111122223333:q"}}},
		},
		{
			name: "CSM names still map without parameters", service: "DynamoDB", api: "PutItem",
			want: want{op: "DynamoDB/PutItem", required: map[string][]string{"dynamodb:PutItem": {"*"}}},
		},
		{
			name: "console sign-in is not an operation", service: "signin.amazonaws.com", api: "ConsoleLogin", params: `{}`,
			want: want{reason: `unknown operation "ConsoleLogin"`},
		},
		{
			name: "unknown event source", service: "nosuch.amazonaws.com", api: "DoThing", params: `{}`,
			want: want{reason: `unknown service "nosuch.amazonaws.com"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs := &iamwatch.Observation{Source: iamwatch.SourceCloudTrail, Service: tt.service, API: tt.api,
				Region: "us-east-1", AccountID: "111122223333"}
			if tt.params != "" {
				obs.Params = []byte(tt.params)
			}
			call := ix.MapNamed(obs, tt.arns)
			if tt.want.op == "" {
				if call.Recognized || !strings.Contains(call.Reason, tt.want.reason) {
					t.Fatalf("recognized %v, reason %q; want unrecognized: %q", call.Recognized, call.Reason, tt.want.reason)
				}
				return
			}
			if !call.Recognized || call.ServiceID+"/"+call.Operation != tt.want.op {
				t.Fatalf("call %s/%s (recognized %v: %s), want %s", call.ServiceID, call.Operation, call.Recognized, call.Reason, tt.want.op)
			}
			for action, res := range tt.want.required {
				i := slices.IndexFunc(call.Actions, func(a iamwatch.ActionUse) bool { return a.Action == action && !a.Possible })
				if i < 0 {
					t.Errorf("%s not required: %+v", action, call.Actions)
					continue
				}
				if got := call.Actions[i].Resources; !slices.Equal(got, res) {
					t.Errorf("%s on %v, want %v", action, got, res)
				}
			}
			for action, exact := range tt.want.exact {
				for _, a := range call.Actions {
					if a.Action == action && a.Exact != exact {
						t.Errorf("%s exact %v, want %v", action, a.Exact, exact)
					}
				}
			}
			for action, conds := range tt.want.conds {
				for _, a := range call.Actions {
					if a.Action != action {
						continue
					}
					for k, v := range conds {
						if !slices.Equal(a.Conditions[k], v) {
							t.Errorf("%s condition %s = %v, want %v", action, k, a.Conditions[k], v)
						}
					}
				}
			}
		})
	}
}

// TestMapNamedCSMUnchanged: without parameters, what a rule would add is
// only possible, as before CloudTrail's parameters existed.
func TestMapNamedCSMUnchanged(t *testing.T) {
	ix := index(t)
	call := ix.Map(&iamwatch.Observation{Source: iamwatch.SourceCSM, Service: "STS", API: "AssumeRole"})
	for _, a := range call.Actions {
		if a.Action == "sts:TagSession" && !a.Possible {
			t.Fatalf("sts:TagSession required without parameters: %+v", call.Actions)
		}
		if a.Action == "sts:AssumeRole" && (a.Possible || !slices.Equal(a.Resources, []string{"*"})) {
			t.Fatalf("sts:AssumeRole %+v", a)
		}
	}
}

// BenchmarkMapNamed measures a CloudTrail record's mapping: one S3 data
// event with its resources.
func BenchmarkMapNamed(b *testing.B) {
	ix := index(b)
	obs := &iamwatch.Observation{Source: iamwatch.SourceCloudTrail, Service: "s3.amazonaws.com", API: "GetObject",
		Region: "us-east-1", AccountID: "111122223333",
		Params: []byte(`{"bucketName":"b","Host":"b.s3.us-east-1.amazonaws.com","key":"dir/x.csv"}`)}
	arns := []string{"arn:aws:s3:::b/dir/x.csv", "arn:aws:s3:::b"}
	b.ReportAllocs()
	for b.Loop() {
		ix.MapNamed(obs, arns)
	}
}

// FuzzMapNamed maps arbitrary names, parameters and ARNs: it must never
// panic, and a recognized call names its operation and service.
func FuzzMapNamed(f *testing.F) {
	f.Add("s3.amazonaws.com", "GetObject", `{"bucketName":"b","key":"k"}`, "arn:aws:s3:::b/k")
	f.Add("lambda.amazonaws.com", "CreateFunction20150331", `{"functionName":"f","role":"arn:aws:iam::1:role/r"}`, "")
	f.Add("ec2.amazonaws.com", "RunInstances", `{"instancesSet":{"items":[{"imageId":"ami-1"}]},"groupSet":{"items":[]}}`, "")
	f.Add("kms.amazonaws.com", "Decrypt", `{}`, "arn:aws:kms:us-east-1:1:key/k")
	f.Add("STS", "AssumeRole", ``, "")
	ix := index(f)
	f.Fuzz(func(t *testing.T, service, api, params, arn string) {
		obs := &iamwatch.Observation{Source: iamwatch.SourceCloudTrail, Service: service, API: api, Region: "us-east-1", AccountID: "111122223333"}
		if params != "" {
			obs.Params = []byte(params)
		}
		var arns []string
		if arn != "" {
			arns = []string{arn, arn + "/x"}
		}
		call := ix.MapNamed(obs, arns)
		if call.Recognized && (call.Operation == "" || call.ServiceID == "") {
			t.Fatalf("recognized call without names: %+v", call)
		}
		if !call.Recognized && call.Reason == "" {
			t.Fatalf("unrecognized call without a reason: %+v", call)
		}
	})
}
