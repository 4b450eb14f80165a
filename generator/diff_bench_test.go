package generator

import (
	"fmt"
	"strings"
	"testing"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/generator/eval"
	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

// benchGrants is a 50-statement configuration: an application's identity
// policies with wildcards, conditions and a Deny, a boundary and a bucket
// policy.
func benchGrants() []Grant {
	var id []string
	for i := 0; i < 40; i++ {
		switch i % 4 {
		case 0:
			id = append(id, fmt.Sprintf(`{"Sid":"Obj%d","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bucket-%d/*"}`, i, i))
		case 1:
			id = append(id, fmt.Sprintf(`{"Sid":"Tbl%d","Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-east-1:111122223333:table/t-%d"}`, i, i))
		case 2:
			id = append(id, fmt.Sprintf(`{"Sid":"Q%d","Effect":"Allow","Action":["sqs:SendMessage","sqs:ReceiveMessage"],"Resource":"arn:aws:sqs:us-east-1:111122223333:q-%d","Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}}`, i, i))
		default:
			id = append(id, fmt.Sprintf(`{"Sid":"Ro%d","Effect":"Allow","Action":["ec2:Describe*","logs:Get*"],"Resource":"*"}`, i))
		}
	}
	id = append(id,
		`{"Sid":"Deny","Effect":"Deny","Action":["s3:DeleteBucket","iam:*"],"Resource":"*"}`,
		`{"Sid":"Tls","Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`,
		`{"Sid":"Kms","Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}`,
		`{"Sid":"Placeholder","Effect":"Allow","Action":"sns:Publish","Resource":"${aws_sns_topic.alerts.arn}"}`)
	boundary := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","dynamodb:*","sqs:*","ec2:*","logs:*","kms:*","sns:*"],"Resource":"*"},{"Effect":"Deny","Action":"s3:PutBucketPolicy","Resource":"*"}]}`
	bucket := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-0/*"},{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::bucket-0/*","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc"}}}]}`
	return []Grant{
		{Kind: eval.KindIdentity, Source: "app.json", File: "app.json", Document: []byte(`{"Version":"2012-10-17","Statement":[` + strings.Join(id, ",") + `]}`)},
		{Kind: eval.KindBoundary, Source: "boundary.json", File: "boundary.json", Document: []byte(boundary)},
		{Kind: eval.KindResource, Source: "bucket.json", File: "bucket.json", Document: []byte(bucket)},
	}
}

// benchUses is n observed calls' action uses, as they arrive without
// aggregation: 2,000 distinct resources used over and over.
func benchUses(n int) []iamwatch.ActionUse {
	region := map[string][]string{"aws:RequestedRegion": {"us-east-1"}}
	uses := make([]iamwatch.ActionUse, 0, n)
	for i := 0; i < n; i++ {
		k := i % 2000
		var u iamwatch.ActionUse
		switch i % 5 {
		case 0:
			u = iamwatch.ActionUse{Action: "s3:GetObject", Resources: []string{fmt.Sprintf("arn:aws:s3:::bucket-%d/key-%d", (k%10)*4, k)}}
		case 1:
			u = iamwatch.ActionUse{Action: "dynamodb:GetItem", Resources: []string{fmt.Sprintf("arn:aws:dynamodb:us-east-1:111122223333:table/t-%d", (k%10)*4+1)}}
		case 2:
			u = iamwatch.ActionUse{Action: "sqs:SendMessage", Resources: []string{fmt.Sprintf("arn:aws:sqs:us-east-1:111122223333:q-%d", (k%10)*4+2)}}
		case 3:
			u = iamwatch.ActionUse{Action: "ec2:DescribeInstances", Resources: []string{"*"}}
		default:
			u = iamwatch.ActionUse{Action: "kms:Decrypt", Resources: []string{fmt.Sprintf("arn:aws:kms:us-east-1:111122223333:key/k-%d", k%50)}}
		}
		u.Exact, u.Conditions = true, region
		uses = append(uses, u)
	}
	return uses
}

// BenchmarkDiff100k diffs 100,000 observed calls against a 50-statement
// set: evaluation, unused actions over the whole catalog, too-broad
// grants and the suggested policy. Budget: 2 s per operation.
func BenchmarkDiff100k(b *testing.B) {
	m, err := servicemaps.Load()
	if err != nil {
		b.Fatal(err)
	}
	grants := benchGrants()
	uses := benchUses(100_000)
	o := DiffOptions{Principal: "arn:aws:iam::111122223333:role/app", Maps: m}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := Diff(uses, grants, o)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Observed == 0 {
			b.Fatal("nothing observed")
		}
	}
}
