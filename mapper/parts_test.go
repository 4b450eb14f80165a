package mapper

import (
	"net/http"
	"net/url"
	"reflect"
	"testing"
)

func TestParseSignature(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
		query  string
		want   signature
	}{
		{
			name:   "sigv4 header",
			header: http.Header{"Authorization": {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/eu-west-1/s3/aws4_request, SignedHeaders=host, Signature=abc"}},
			want:   signature{Version: "v4", AccessKeyID: "AKIDEXAMPLE", Date: "20240101", Region: "eu-west-1", Service: "s3"},
		},
		{
			name:   "sigv4a header",
			header: http.Header{"Authorization": {"AWS4-ECDSA-P256-SHA256 Credential=AKID/20240101/s3/aws4_request, SignedHeaders=host, Signature=abc"}, "X-Amz-Region-Set": {"*"}},
			want:   signature{Version: "v4a", AccessKeyID: "AKID", Date: "20240101", Region: "*", Service: "s3"},
		},
		{
			name:  "presigned v4",
			query: "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=x",
			want:  signature{Version: "v4", AccessKeyID: "AKID", Date: "20240101", Region: "us-east-1", Service: "s3", Presigned: true},
		},
		{
			name:  "presigned v2",
			query: "AWSAccessKeyId=AKID&Signature=x&Expires=1",
			want:  signature{Version: "v2", AccessKeyID: "AKID", Presigned: true},
		},
		{
			name:   "s3 sigv2 header",
			header: http.Header{"Authorization": {"AWS AKID:sig"}},
			want:   signature{Version: "v2", AccessKeyID: "AKID"},
		},
		{name: "unsigned", want: signature{}},
		{
			name:   "garbage credential",
			header: http.Header{"Authorization": {"AWS4-HMAC-SHA256 Credential=, Signature"}},
			want:   signature{Version: "v4"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tt.query)
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			if got := parseSignature(h, q); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseHost(t *testing.T) {
	tests := []struct {
		host string
		want hostInfo
	}{
		{"sqs.us-east-1.amazonaws.com", hostInfo{Labels: []string{"sqs"}, Region: "us-east-1"}},
		{"sts.amazonaws.com", hostInfo{Labels: []string{"sts"}}},
		{"dynamodb.eu-west-1.api.aws", hostInfo{Labels: []string{"dynamodb"}, Region: "eu-west-1"}},
		{"ec2.cn-north-1.amazonaws.com.cn:443", hostInfo{Labels: []string{"ec2"}, Region: "cn-north-1", Partition: "aws-cn"}},
		{"sts-fips.us-gov-west-1.amazonaws.com", hostInfo{Labels: []string{"sts"}, Region: "us-gov-west-1"}},
		{"data.iot.us-west-2.amazonaws.com", hostInfo{Labels: []string{"data", "iot"}, Region: "us-west-2"}},
		{"my.bucket.s3.us-west-2.amazonaws.com", hostInfo{Labels: []string{"s3"}, Region: "us-west-2", S3Kind: "s3", S3Bucket: "my.bucket"}},
		{"bucket.s3.amazonaws.com", hostInfo{Labels: []string{"s3"}, S3Kind: "s3", S3Bucket: "bucket"}},
		{"bucket.s3-us-west-2.amazonaws.com", hostInfo{Labels: []string{"s3-us-west-2"}, Region: "us-west-2", S3Kind: "s3", S3Bucket: "bucket"}},
		{"s3.dualstack.eu-central-1.amazonaws.com", hostInfo{Labels: []string{"s3"}, Region: "eu-central-1", S3Kind: "s3"}},
		{"reports-123456789012.s3-accesspoint.us-east-1.amazonaws.com", hostInfo{Labels: []string{"s3-accesspoint"}, Region: "us-east-1", S3Kind: "accesspoint", S3Name: "reports", AccountID: "123456789012"}},
		{"123456789012.s3-control.us-east-1.amazonaws.com", hostInfo{Labels: []string{"s3-control"}, Region: "us-east-1", S3Kind: "control", AccountID: "123456789012"}},
		{"logs--usw2-az1--x-s3.s3express-usw2-az1.us-west-2.amazonaws.com", hostInfo{Labels: []string{"s3express-usw2-az1"}, Region: "us-west-2", S3Kind: "express", S3Bucket: "logs--usw2-az1--x-s3"}},
		{"localhost:4566", hostInfo{}},
		{"example.com", hostInfo{}},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			got := parseHost(tt.host)
			got.Name, got.AWS, got.Suffix = "", false, ""
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestExpr(t *testing.T) {
	h := http.Header{"X-Amz-Grant-Read": {"id=1"}}
	q := url.Values{"versionId": {"v1"}}
	p := newParams(h, q)
	p.add("VersionId", "v1")
	p.add("Statement", "  select * from t")
	p.addFlat("TagSpecification.1.ResourceType", "instance")
	tests := []struct {
		expr string
		want bool
	}{
		{"VersionId", true},
		{"!VersionId", false},
		{"Missing", false},
		{"!Missing", true},
		{"VersionId=v1", true},
		{"VersionId=v2", false},
		{"VersionId^=v", true},
		{"Statement^~=SELECT", true},
		{"Statement^=SELECT", false},
		{"h:x-amz-grant-*", true},
		{"h:x-amz-acl", false},
		{"q:versionId", true},
		{"TagSpecification*", true},
		{"TagSpecification.ResourceType=instance", true},
		{"Missing | VersionId", true},
		{"Missing & VersionId", false},
		{"VersionId & !Missing | Missing", true},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			e, err := parseExpr(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			if got := e.eval(p); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	for _, bad := range []string{"", "a b", "!", "=x"} {
		if _, err := parseExpr(bad); err == nil {
			t.Errorf("parseExpr(%q) succeeded, want an error", bad)
		}
	}
}

func TestTemplate(t *testing.T) {
	p := newParams(http.Header{}, url.Values{})
	p.add("Bucket", "b")
	p.add("Key", "dir/k.txt")
	p.add("FunctionName", "arn:aws:lambda:eu-west-1:111122223333:function:fn:PROD")
	p.add("Short", "fn")
	p.add("QueueUrl", "https://sqs.us-east-1.amazonaws.com/444455556666/jobs")
	p.add("Layers", "arn:aws:lambda:us-east-1:1:layer:a:1")
	p.add("Layers", "arn:aws:lambda:us-east-1:1:layer:b:2")
	p.add("CopySource", "/src-bucket/a%20b.txt?versionId=3")
	p.add("RoleName", "app")
	p.parseFormBody(url.Values{"ResourceId.1": {"i-1"}, "ResourceId.2": {"ami-2"}, "Keys.1": {"key-3"}, "Unknown.1": {"zzz-4"}})
	c := &tctx{partition: "aws", region: "us-east-1", account: "123456789012", path: "/restapis/x", params: p}
	tests := []struct {
		tmpl  string
		want  []string
		exact bool
	}{
		{"arn:${Partition}:s3:::${Bucket}/${Key}", []string{"arn:aws:s3:::b/dir/k.txt"}, true},
		{"arn:${Partition}:s3:::${Bucket}/${Missing}", []string{"arn:aws:s3:::b/*"}, false},
		{"arn:${Partition}:lambda:${FunctionName|region}:${FunctionName|account}:function:${FunctionName|name}", []string{"arn:aws:lambda:eu-west-1:111122223333:function:fn"}, true},
		{"arn:${Partition}:lambda:${Short|region}:${Short|account}:function:${Short|name}", []string{"arn:aws:lambda:us-east-1:123456789012:function:fn"}, true},
		{"arn:${Partition}:sqs:${Region}:${QueueUrl|account}:${QueueUrl|last}", []string{"arn:aws:sqs:us-east-1:444455556666:jobs"}, true},
		{"${Layers}", []string{"arn:aws:lambda:us-east-1:1:layer:a:1", "arn:aws:lambda:us-east-1:1:layer:b:2"}, true},
		{"${RoleName|arn}", nil, true},
		{"arn:${Partition}:s3:::${CopySource|copysource}", []string{"arn:aws:s3:::src-bucket/a b.txt"}, true},
		{"arn:${Partition}:apigateway:${Region}::${@path}", []string{"arn:aws:apigateway:us-east-1::/restapis/x"}, true},
		// EC2 IDs: one ARN each, by prefix; an ID whose ARN needs a name is
		// inexact, an unknown one "*".
		{"${ResourceId.N|ec2arn}", []string{"arn:aws:ec2:us-east-1:123456789012:instance/i-1", "arn:aws:ec2:us-east-1::image/ami-2"}, true},
		{"${Keys.N|ec2arn}", []string{"arn:aws:ec2:us-east-1:123456789012:key-pair/*"}, false},
		{"${Unknown.N|ec2arn}", []string{"*"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.tmpl, func(t *testing.T) {
			tp, err := parseTemplate(tt.tmpl)
			if err != nil {
				t.Fatal(err)
			}
			got, exact := tp.expand(c)
			if !reflect.DeepEqual(got, tt.want) || exact != tt.exact {
				t.Errorf("got %q exact=%v, want %q exact=%v", got, exact, tt.want, tt.exact)
			}
		})
	}
	for _, bad := range []string{"${", "${}", "${A|nosuch}"} {
		if _, err := parseTemplate(bad); err == nil {
			t.Errorf("parseTemplate(%q) succeeded, want an error", bad)
		}
	}
}

func TestParseBodies(t *testing.T) {
	t.Run("json", func(t *testing.T) {
		p := newParams(nil, nil)
		p.parseJSONBody([]byte(`{"TableName":"t","RequestItems":{"a":[{"PutRequest":{"Item":{"k":{"S":"v"}}}}],"b":[]},"Layers":["x","y"],"N":3,"B":true,"Z":null}`))
		checkParam(t, p, "TableName", "t")
		checkParam(t, p, "RequestItems", "a", "b")
		checkParam(t, p, "Layers", "x", "y")
		checkParam(t, p, "N", "3")
		checkParam(t, p, "B", "true")
		checkParam(t, p, "RequestItems.a.PutRequest.Item.k.S", "v")
	})
	t.Run("truncated json keeps the prefix", func(t *testing.T) {
		p := newParams(nil, nil)
		p.parseJSONBody([]byte(`{"FunctionName":"f","Code":{"ZipFile":"AAAA`))
		checkParam(t, p, "FunctionName", "f")
	})
	t.Run("form", func(t *testing.T) {
		p := newParams(nil, nil)
		f, _ := url.ParseQuery("Action=RunInstances&TagSpecification.1.ResourceType=instance&SecurityGroupId.1=sg-1&SecurityGroupId.2=sg-2&Tags.member.1.Key=k")
		p.parseFormBody(f)
		checkParam(t, p, "TagSpecification.ResourceType", "instance")
		checkParam(t, p, "SecurityGroupId", "sg-1", "sg-2")
		checkParam(t, p, "Tags.Key", "k")
	})
	t.Run("xml", func(t *testing.T) {
		p := newParams(nil, nil)
		p.parseXMLBody([]byte(`<?xml version="1.0"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a</Key></Object><Object><Key>b</Key><VersionId>v</VersionId></Object></Delete>`))
		checkParam(t, p, "Delete.Object.Key", "a", "b")
		checkParam(t, p, "Delete.Object.VersionId", "v")
	})
}

func checkParam(t *testing.T, p *Params, name string, want ...string) {
	t.Helper()
	if got := p.Get(name); !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %q, want %q", name, got, want)
	}
}

func TestResourceName(t *testing.T) {
	for in, want := range map[string]string{
		"arn:aws:lambda:us-east-1:1:function:fn":      "fn",
		"arn:aws:lambda:us-east-1:1:function:fn:PROD": "fn",
		"arn:aws:iam::1:role/path/app":                "app",
		"arn:aws:sns:us-east-1:1:topic":               "topic",
		"plain":                                       "plain",
	} {
		if got := resourceName(in); got != want {
			t.Errorf("resourceName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsRegion(t *testing.T) {
	for s, want := range map[string]bool{
		"us-east-1": true, "us-gov-west-1": true, "cn-north-1": true, "us-iso-east-1": true, "us-isob-east-1": true,
		"eu-isoe-west-1": true, "ap-southeast-5": true, "s3": false, "us-east": false, "fips": false, "us-east-1a": false,
		"123456789012": false, "dualstack": false, "usw2-az1": false, "us-foo-bar-1": false,
	} {
		if got := isRegion(s); got != want {
			t.Errorf("isRegion(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestRequestTags(t *testing.T) {
	tests := []struct {
		name string
		fill func(p *Params)
		keys []string
		vals []string
	}{
		{"json list", func(p *Params) {
			p.parseJSONBody([]byte(`{"Tags":[{"Key":"team","Value":"a"},{"Key":"env","Value":"prod"}]}`))
		}, []string{"env", "team"}, []string{"prod", "a"}},
		{"json map", func(p *Params) { p.parseJSONBody([]byte(`{"Tags":{"team":"a"}}`)) }, []string{"team"}, []string{"a"}},
		{"query", func(p *Params) {
			f, _ := url.ParseQuery("Tags.member.1.Key=team&Tags.member.1.Value=a")
			p.parseFormBody(f)
		}, []string{"team"}, []string{"a"}},
		{"ec2", func(p *Params) {
			f, _ := url.ParseQuery("TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=web")
			p.parseFormBody(f)
		}, []string{"Name"}, []string{"web"}},
		{"none", func(p *Params) { p.parseJSONBody([]byte(`{"TableName":"t"}`)) }, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newParams(nil, nil)
			tt.fill(p)
			keys, vals := requestTags(p)
			if !reflect.DeepEqual(keys, tt.keys) || !reflect.DeepEqual(vals, tt.vals) {
				t.Errorf("got %v %v, want %v %v", keys, vals, tt.keys, tt.vals)
			}
		})
	}
}

func TestParseHostAccelerate(t *testing.T) {
	hi := parseHost("example-app-bucket.s3-accelerate.dualstack.amazonaws.com")
	if hi.S3Kind != "s3" || hi.S3Bucket != "example-app-bucket" {
		t.Errorf("got %+v", hi)
	}
}

func TestFilters(t *testing.T) {
	c := &tctx{partition: "aws", region: "us-east-1", account: "123456789012", params: newParams(nil, nil)}
	tests := []struct {
		filter, in, want string
		res              filterResult
	}{
		{"copybucket", "/src/a%20b.txt?versionId=3", "src", filterOK},
		{"copykey", "/src/a%20b.txt?versionId=3", "a b.txt", filterOK},
		{"copykey", "arn:aws:s3:us-east-1:1:accesspoint/ap/object/k", "", filterMissing},
		{"keyid", "1234abcd-12ab", "1234abcd-12ab", filterOK},
		{"keyid", "arn:aws:kms:us-east-1:1:key/1234", "1234", filterOK},
		{"keyid", "alias/app", "", filterMissing},
		{"alias", "arn:aws:kms:us-east-1:1:alias/app", "app", filterOK},
		{"alias", "1234", "", filterMissing},
		{"lambdafn", "fn", "fn", filterOK},
		{"lambdafn", "fn:PROD", "fn:PROD", filterOK},
		{"lambdafn", "123456789012:function:fn", "fn", filterOK},
		{"lambdafn", "arn:aws:lambda:us-east-1:1:function:fn:2", "fn:2", filterOK},
		{"ecsfamily", "web:3", "web", filterOK},
		{"ecsrevision", "web:3", "3", filterOK},
		{"ecsrevision", "web", "", filterMissing},
		{"ecsfamily", "arn:aws:ecs:us-east-1:1:task-definition/web:3", "web", filterOK},
		{"ssmparam", "/app/db:3", "app/db", filterOK},
		{"bedrockmodel", "anthropic.claude-3-haiku-20240307-v1:0", "anthropic.claude-3-haiku-20240307-v1:0", filterOK},
		{"bedrockmodel", "us.anthropic.claude-3-haiku-20240307-v1:0", "", filterDrop},
		{"bedrockmodel", "arn:aws:bedrock:us-east-1:1:provisioned-model/abc", "", filterDrop},
		{"bedrockprofile", "eu.amazon.nova-lite-v1:0", "eu.amazon.nova-lite-v1:0", filterOK},
		{"bedrockprofile", "amazon.nova-lite-v1:0", "", filterDrop},
		{"bedrockprofilemodel", "apac.amazon.nova-lite-v1:0", "amazon.nova-lite-v1:0", filterOK},
		{"bedrockprofilemodel", "amazon.nova-lite-v1:0", "", filterDrop},
		{"secret", "prod/db", "prod/db-??????", filterOK},
		{"secret", "arn:aws:secretsmanager:us-east-1:1:secret:prod/db-AbC12z", "prod/db-AbC12z", filterOK},
		{"secret", "arn:aws:secretsmanager:us-east-1:1:secret:prod/db", "prod/db-??????", filterOK},
		{"secret", "arn:aws:secretsmanager:us-east-1:1:secret:a-b", "a-b-??????", filterOK},
		{"secret", "arn:aws:s3:::bucket", "", filterMissing},
		{"ssmparam", "arn:aws:ssm:us-east-1:1:parameter/app/db", "app/db", filterOK},
		{"loggroup", "arn:aws:logs:us-east-1:1:log-group:/x:*", "/x", filterOK},
		{"snstopic", "arn:aws:sns:us-east-1:1:orders:9f2c7a1e-1b3d-4c5e-8f90-123456789abc", "arn:aws:sns:us-east-1:1:orders", filterOK},
		{"snstopic", "arn:aws:sns:us-east-1:1:orders", "", filterMissing},
		{"snstopic", "PendingConfirmation", "", filterMissing},
		{"cbproject", "orders-build:b1e6661e-e4f2-4156-9ab9-82a19example", "orders-build", filterOK},
		{"cbproject", "arn:aws:codebuild:us-east-1:1:build/orders-build:b1e6661e", "orders-build", filterOK},
		{"cbproject", "arn:aws:codebuild:us-east-1:1:build-batch/orders-build:b1e6661e", "orders-build", filterOK},
		{"cbproject", "orders-build", "", filterMissing},
		{"cfnstackset", "org-baseline", "org-baseline", filterOK},
		{"cfnstackset", "org-baseline:3b5e1a4c-9d1e-4a57-9e55-5b1c0example", "org-baseline", filterOK},
		{"cfnstackset", ":3b5e1a4c", "", filterMissing},
		{"s3bucket", "s3://athena-results/queries/", "athena-results", filterOK},
		{"s3key", "s3://athena-results/queries/", "queries/", filterOK},
		{"s3key", "s3://athena-results", "", filterOK},
		{"s3bucket", "https://athena-results.s3.amazonaws.com/q/", "", filterMissing},
		{"s3bucket", "s3:///key", "", filterMissing},
		{"partiqltable", `SELECT * FROM "T"."I" WHERE a=1`, "T", filterOK},
		{"partiqlindex", `SELECT * FROM "T"."I" WHERE a=1`, "I", filterOK},
		{"partiqlindex", `select * from T`, "", filterDrop},
		{"partiqltable", `INSERT INTO Orders VALUE {'a':1}`, "Orders", filterOK},
		{"partiqltable", `UPDATE "Orders" SET a=1`, "Orders", filterOK},
		{"urlencode", "arn:aws:x:y", "arn%3Aaws%3Ax%3Ay", filterOK},
		{"account", "123456789012:function:fn", "123456789012", filterOK},
		{"arn", "name", "", filterDrop},
		{"ec2arn", "i-0123456789abcdef0", "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0", filterOK},
		{"ec2arn", "vol-0abc", "arn:aws:ec2:us-east-1:123456789012:volume/vol-0abc", filterOK},
		{"ec2arn", "ami-0abc", "arn:aws:ec2:us-east-1::image/ami-0abc", filterOK},
		{"ec2arn", "snap-0abc", "arn:aws:ec2:us-east-1::snapshot/snap-0abc", filterOK},
		{"ec2arn", "sg-0abc", "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0abc", filterOK},
		{"ec2arn", "sgr-0abc", "arn:aws:ec2:us-east-1:123456789012:security-group-rule/sgr-0abc", filterOK},
		{"ec2arn", "vpc-0abc", "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0abc", filterOK},
		{"ec2arn", "vpce-0abc", "arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/vpce-0abc", filterOK},
		{"ec2arn", "vpce-svc-0abc", "arn:aws:ec2:us-east-1:123456789012:vpc-endpoint-service/vpce-svc-0abc", filterOK},
		{"ec2arn", "eipalloc-0abc", "arn:aws:ec2:us-east-1:123456789012:elastic-ip/eipalloc-0abc", filterOK},
		{"ec2arn", "nat-0abc", "arn:aws:ec2:us-east-1:123456789012:natgateway/nat-0abc", filterOK},
		{"ec2arn", "tgw-attach-0abc", "arn:aws:ec2:us-east-1:123456789012:transit-gateway-attachment/tgw-attach-0abc", filterOK},
		{"ec2arn", "tgw-0abc", "arn:aws:ec2:us-east-1:123456789012:transit-gateway/tgw-0abc", filterOK},
		{"ec2arn", "ipam-pool-0abc", "arn:aws:ec2::123456789012:ipam-pool/ipam-pool-0abc", filterOK},
		{"ec2arn", "key-0abc", "arn:aws:ec2:us-east-1:123456789012:key-pair/*", filterPartial},
		{"ec2arn", "arn:aws:ec2:eu-west-1:111122223333:instance/i-1", "arn:aws:ec2:eu-west-1:111122223333:instance/i-1", filterOK},
		{"ec2arn", "xyz-0abc", "", filterMissing},
		{"ec2arn", "i-", "", filterMissing},
		{"cfnstack", "orders", "orders/*", filterOK},
		{"cfnstack", "arn:aws:cloudformation:us-east-1:1:stack/orders/0fa3b3b0-1234", "orders/0fa3b3b0-1234", filterOK},
		{"cfnstack", "arn:aws:cloudformation:us-east-1:1:changeSet/cs/0fa3", "", filterMissing},
	}
	for _, tt := range tests {
		t.Run(tt.filter+" "+tt.in, func(t *testing.T) {
			got, res := applyFilter(tt.filter, tt.in, c)
			if got != tt.want || res != tt.res {
				t.Errorf("got %q (%d), want %q (%d)", got, res, tt.want, tt.res)
			}
		})
	}
}

func TestParseHostAccountEndpoint(t *testing.T) {
	hi := parseHost("123456789012.ddb.us-east-1.amazonaws.com")
	if hi.AccountID != "123456789012" || hi.Region != "us-east-1" {
		t.Errorf("got %+v", hi)
	}
}

func TestExprString(t *testing.T) {
	e, err := parseExpr("A & !B=1 | C^~=x")
	if err != nil {
		t.Fatal(err)
	}
	if got := e.String(); got != "A & !B=1 | C^~=x" {
		t.Errorf("got %q", got)
	}
}

// TestTemplateExpansionIsBounded: many values for two parameters, and a
// filter that drops every combination, try a bounded number of
// combinations (4M before the bound; this test would run for seconds).
func TestTemplateExpansionIsBounded(t *testing.T) {
	p := newParams(nil, nil)
	for i := 0; i < 2000; i++ {
		p.add("A", "not-an-arn")
		p.add("B", "x")
	}
	tp, err := parseTemplate("${A|arn}/${B}")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := tp.expand(&tctx{params: p})
	if len(got) != 0 {
		t.Errorf("got %d results, want none", len(got))
	}
}
