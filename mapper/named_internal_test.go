package mapper

import (
	"slices"
	"testing"

	"github.com/iamwatch/iamwatch"
	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

func TestStripVersion(t *testing.T) {
	tests := map[string]string{
		"CreateFunction20150331":       "CreateFunction",
		"UpdateFunctionCode20150331v2": "UpdateFunctionCode",
		"ListTags20170331":             "ListTags",
		"CreateDistribution2020_05_31": "CreateDistribution",
		"GetThing2015-03-31":           "GetThing",
		"Invoke":                       "",
		"ListObjectsV2":                "",
		"DescribeDBEngineVersions":     "",
		"20150331":                     "",
		"Get2015033":                   "",
		"v2":                           "",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			if got := stripVersion(in); got != want {
				t.Fatalf("stripVersion(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

func TestARNFits(t *testing.T) {
	tests := []struct {
		pattern, arn string
		want         bool
	}{
		{"arn:aws:kms:*:*:key/*", "arn:aws:kms:us-east-1:111122223333:key/k-1", true},
		{"arn:aws:kms:*:*:key/*", "arn:aws:kms:us-east-1:111122223333:alias/a", false},
		{"arn:aws:s3:::*", "arn:aws:s3:::bucket", true},
		{"arn:aws:s3:::*", "arn:aws:s3:::bucket/key", false},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/dir/a:b.txt", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/", false},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::c/x", false},
		{"arn:*:dynamodb:*:*:table/*", "arn:aws:dynamodb:us-east-1:1:table/t", true},
		{"arn:aws:logs:r:a:log-group:*:log-stream:*", "arn:aws:logs:r:a:log-group:g:log-stream:s", true},
		{"arn:aws:secretsmanager:r:a:secret:n-??????", "arn:aws:secretsmanager:r:a:secret:n-AbCdEf", true},
		{"arn:aws:secretsmanager:r:a:secret:n-??????", "arn:aws:secretsmanager:r:a:secret:n-AbCdE", false},
		// A "*" stands for one part: alone, it fits no ARN.
		{"*", "arn:aws:s3:::b", false},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+" "+tt.arn, func(t *testing.T) {
			if got := arnFits(tt.pattern, tt.arn); got != tt.want {
				t.Fatalf("arnFits = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestBindARNsFromCatalog: a resource of "*" for an action that has
// resource types is bound through the catalog's ARN formats.
func TestBindARNsFromCatalog(t *testing.T) {
	m, err := servicemaps.Load()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := NewIndex(m)
	if err != nil {
		t.Fatal(err)
	}
	if pats := ix.formatPatterns("kms:Decrypt"); !slices.Contains(pats, "arn:*:kms:*:*:key/*") {
		t.Fatalf("kms:Decrypt formats %v", pats)
	}
	uses := []iamwatch.ActionUse{
		{Action: "kms:Decrypt", Resources: []string{"*"}},
		{Action: "s3:GetObject", Resources: []string{"arn:aws:s3:::b/*", "arn:aws:s3:::c/*"}},
		{Action: "sqs:SendMessage", Resources: []string{"arn:aws:sqs:us-east-1:1:q"}, Exact: true},
	}
	ix.bindARNs(uses, []string{"arn:aws:kms:us-east-1:1:key/k", "arn:aws:s3:::b/x", "arn:aws:s3:::b", "arn:aws:sqs:us-east-1:1:other"})
	if !slices.Equal(uses[0].Resources, []string{"arn:aws:kms:us-east-1:1:key/k"}) || !uses[0].Exact {
		t.Errorf("kms:Decrypt %+v", uses[0])
	}
	// One of two resources bound: the other stays, and so does inexactness.
	if !slices.Equal(uses[1].Resources, []string{"arn:aws:s3:::b/x", "arn:aws:s3:::c/*"}) || uses[1].Exact {
		t.Errorf("s3:GetObject %+v", uses[1])
	}
	if !slices.Equal(uses[2].Resources, []string{"arn:aws:sqs:us-east-1:1:q"}) {
		t.Errorf("an exact action changed: %+v", uses[2])
	}
}

// TestNamedObjectKeysAreNotValues: the flattener lists an object's member
// names as the object's values (for the keys filter); they must not reach
// a member alias, where EC2's "resourcesSet.items" would pass its member
// name "resourceId" off as a resource ID and bind "*".
func TestNamedObjectKeysAreNotValues(t *testing.T) {
	m, err := servicemaps.Load()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := NewIndex(m)
	if err != nil {
		t.Fatal(err)
	}
	c := ix.Map(&iamwatch.Observation{Source: iamwatch.SourceCloudTrail, Service: "ec2.amazonaws.com", API: "CreateTags",
		Region: "us-east-1", AccountID: "111122223333",
		Params: []byte(`{"resourcesSet":{"items":[{"resourceId":"i-0a1b2c3d4e5f60718"}]},"tagSet":{"items":[{"key":"owner","value":"orders"}]}}`)})
	want := []string{"arn:aws:ec2:us-east-1:111122223333:instance/i-0a1b2c3d4e5f60718"}
	if len(c.Actions) != 1 || !slices.Equal(c.Actions[0].Resources, want) || !c.Actions[0].Exact {
		t.Errorf("CreateTags from CloudTrail: %+v, want ec2:CreateTags exactly on %v", c.Actions, want)
	}
}
