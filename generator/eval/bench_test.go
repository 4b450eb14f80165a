package eval

import (
	"fmt"
	"testing"
)

// benchSet is a realistic 50-statement set: four identity policies, a
// boundary, two SCP levels and a bucket policy, with wildcards, NotAction,
// variables and conditions of several families.
func benchSet(b *testing.B) (*Set, []Request) {
	b.Helper()
	id1 := mustParse(b, "app-data", `{"Version": "2012-10-17", "Statement": [
	  {"Sid": "Read", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": ["arn:aws:s3:::app-data", "arn:aws:s3:::app-data/*"]},
	  {"Sid": "Write", "Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"], "Resource": "arn:aws:s3:::app-data/uploads/*"},
	  {"Sid": "Home", "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"},
	  {"Sid": "Table", "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"], "Resource": "arn:aws:dynamodb:*:111111111111:table/app-*"},
	  {"Sid": "Attrs", "Effect": "Allow", "Action": "dynamodb:BatchGetItem", "Resource": "*", "Condition": {"ForAllValues:StringLike": {"dynamodb:Attributes": ["id", "name", "created*"]}}},
	  {"Sid": "Queue", "Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"], "Resource": "arn:aws:sqs:us-east-1:111111111111:app-*"},
	  {"Sid": "Topic", "Effect": "Allow", "Action": "sns:Publish", "Resource": "arn:aws:sns:us-east-1:111111111111:alerts"},
	  {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "arn:aws:logs:*:*:log-group:/app/*"},
	  {"Sid": "Kms", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": ["s3.us-east-1.amazonaws.com", "sqs.us-east-1.amazonaws.com"]}}},
	  {"Sid": "Secrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "arn:aws:secretsmanager:us-east-1:111111111111:secret:app/*"},
	  {"Sid": "Lambda", "Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "arn:aws:lambda:us-east-1:111111111111:function:app-*"},
	  {"Sid": "Tagged", "Effect": "Allow", "Action": ["ec2:StartInstances", "ec2:StopInstances"], "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}}]}`)
	id2 := mustParse(b, "guardrails", `{"Version": "2012-10-17", "Statement": [
	  {"Sid": "NoDeleteBucket", "Effect": "Deny", "Action": ["s3:DeleteBucket", "s3:PutBucketPolicy"], "Resource": "*"},
	  {"Sid": "TLS", "Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
	  {"Sid": "MFA", "Effect": "Deny", "NotAction": ["iam:ChangePassword", "iam:GetUser", "sts:GetSessionToken"], "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}, "StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}}},
	  {"Sid": "Corp", "Effect": "Deny", "Action": "secretsmanager:*", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}, "Bool": {"aws:ViaAWSService": "false"}}},
	  {"Sid": "Expiry", "Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2099-01-01T00:00:00Z"}}},
	  {"Sid": "OldMFA", "Effect": "Deny", "Action": "iam:*", "Resource": "*", "Condition": {"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}}]}`)
	var readOnly string
	for i, svc := range []string{"ec2", "rds", "elasticache", "cloudwatch", "autoscaling", "route53", "cloudformation", "iam", "acm", "ecr", "ecs", "eks", "elasticloadbalancing", "apigateway", "events", "states", "ssm", "glue", "athena", "kinesis"} {
		if i > 0 {
			readOnly += ","
		}
		readOnly += fmt.Sprintf(`{"Sid": "Describe%d", "Effect": "Allow", "Action": ["%s:Describe*", "%s:List*", "%s:Get*"], "Resource": "*"}`, i, svc, svc, svc)
	}
	id3 := mustParse(b, "read-only", `{"Version": "2012-10-17", "Statement": [`+readOnly+`]}`)
	id4 := mustParse(b, "ci", `{"Version": "2012-10-17", "Statement": [
	  {"Effect": "Allow", "Action": "ecr:*", "Resource": "arn:aws:ecr:us-east-1:111111111111:repository/app/*"},
	  {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111111111111:role/app-*", "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}},
	  {"Effect": "Allow", "Action": ["ecs:UpdateService", "ecs:RegisterTaskDefinition"], "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}}]}`)
	boundary := mustParse(b, "boundary", `{"Version": "2012-10-17", "Statement": [
	  {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
	  {"Effect": "Allow", "Action": ["iam:GetUser", "iam:ChangePassword", "iam:PassRole", "iam:List*", "iam:Get*"], "Resource": "*"},
	  {"Effect": "Deny", "Action": ["iam:CreateUser", "iam:AttachUserPolicy"], "Resource": "*"}]}`)
	full := mustParse(b, "FullAWSAccess", `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}`)
	region := mustParse(b, "regions", `{"Version": "2012-10-17", "Statement": [
	  {"Effect": "Deny", "NotAction": ["iam:*", "sts:*", "organizations:*", "route53:*", "cloudfront:*", "support:*"], "Resource": "*", "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}},
	  {"Effect": "Deny", "Action": ["organizations:LeaveOrganization", "account:CloseAccount"], "Resource": "*"}]}`)
	bucket := mustParse(b, "app-data-bucket", `{"Version": "2012-10-17", "Statement": [
	  {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111111111111:role/app", "222222222222"]}, "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::app-data", "arn:aws:s3:::app-data/*"]},
	  {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::app-data/*", "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}`)
	s := &Set{Identity: []*Policy{id1, id2, id3, id4}, Boundary: boundary, SCPs: [][]*Policy{{full}, {full, region}}, Resource: []*Policy{bucket}}
	n := 0
	for _, p := range append(append([]*Policy{}, s.Identity...), boundary, full, full, region, bucket) {
		n += len(p.Statements)
	}
	if n < 50 {
		b.Fatalf("bench set has %d statements, want at least 50", n)
	}
	ctx := func(kv ...string) map[string][]string {
		m := map[string][]string{
			"aws:securetransport": {"true"}, "aws:multifactorauthpresent": {"true"}, "aws:requestedregion": {"us-east-1"},
			"aws:principalarn": {"arn:aws:iam::111111111111:role/app"}, "aws:principalorgid": {"o-a1b2c3d4e5"},
			"aws:sourceip": {"203.0.113.7"}, "aws:currenttime": {"2025-06-01T12:00:00Z"}, "aws:principaltag/team": {"data"},
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = append(m[kv[i]], kv[i+1])
		}
		return m
	}
	const sess = "arn:aws:sts::111111111111:assumed-role/app/i-0abc"
	reqs := []Request{
		{Action: "s3:GetObject", Resource: "arn:aws:s3:::app-data/reports/2025/06/01.csv", Context: ctx()},
		{Action: "s3:PutObject", Resource: "arn:aws:s3:::app-data/uploads/a.bin", Context: ctx()},
		{Action: "s3:PutObject", Resource: "arn:aws:s3:::app-data/reports/x", Context: ctx()},
		{Action: "s3:ListBucket", Resource: "arn:aws:s3:::app-data", Context: ctx("s3:prefix", "reports/")},
		{Action: "s3:DeleteBucket", Resource: "arn:aws:s3:::app-data", Context: ctx()},
		{Action: "dynamodb:GetItem", Resource: "arn:aws:dynamodb:us-east-1:111111111111:table/app-users", Context: ctx()},
		{Action: "dynamodb:BatchGetItem", Resource: "arn:aws:dynamodb:us-east-1:111111111111:table/app-users", Context: ctx("dynamodb:attributes", "id", "dynamodb:attributes", "name")},
		{Action: "dynamodb:DeleteTable", Resource: "arn:aws:dynamodb:us-east-1:111111111111:table/app-users", Context: ctx()},
		{Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:111111111111:app-jobs", Context: ctx()},
		{Action: "sns:Publish", Resource: "arn:aws:sns:us-east-1:111111111111:alerts", Context: ctx()},
		{Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab", Context: ctx("kms:viaservice", "s3.us-east-1.amazonaws.com")},
		{Action: "secretsmanager:GetSecretValue", Resource: "arn:aws:secretsmanager:us-east-1:111111111111:secret:app/db-AbCdEf", Context: ctx("aws:viaawsservice", "false")},
		{Action: "ec2:DescribeInstances", Resource: "*", Context: ctx()},
		{Action: "ec2:StopInstances", Resource: "arn:aws:ec2:us-east-1:111111111111:instance/i-0123", Context: ctx("aws:resourcetag/team", "data")},
		{Action: "iam:CreateUser", Resource: "arn:aws:iam::111111111111:user/x", Context: ctx()},
		{Action: "logs:PutLogEvents", Resource: "arn:aws:logs:us-east-1:111111111111:log-group:/app/web:log-stream:i-0abc", Context: ctx()},
	}
	for i := range reqs {
		reqs[i].Principal = sess
	}
	return s, reqs
}

// BenchmarkEvaluate evaluates realistic requests against a 50-statement
// set. iamwatch diff needs 100,000 evaluations in at most 2 s: 20 µs each.
func BenchmarkEvaluate(b *testing.B) {
	s, reqs := benchSet(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = s.Evaluate(reqs[i%len(reqs)])
	}
}

// BenchmarkEvaluateUnknown is BenchmarkEvaluate with keys the caller could
// not observe, as iamwatch diff passes them.
func BenchmarkEvaluateUnknown(b *testing.B) {
	s, reqs := benchSet(b)
	for i := range reqs {
		reqs[i].Unknown = []string{"aws:sourceip", "aws:resourcetag/*", "aws:multifactorauthpresent"}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = s.Evaluate(reqs[i%len(reqs)])
	}
}

func BenchmarkParse(b *testing.B) {
	doc := []byte(`{"Version": "2012-10-17", "Statement": [
	  {"Sid": "Read", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": ["arn:aws:s3:::app-data", "arn:aws:s3:::app-data/*"]},
	  {"Sid": "Home", "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"},
	  {"Sid": "MFA", "Effect": "Deny", "NotAction": ["iam:ChangePassword", "iam:GetUser"], "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
	  {"Sid": "Corp", "Effect": "Deny", "Action": "secretsmanager:*", "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}}]}`)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(doc); err != nil {
			b.Fatal(err)
		}
	}
}
