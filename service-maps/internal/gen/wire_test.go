package main

import (
	"io"
	"reflect"
	"strings"
	"testing"

	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

// xmlFixture is a rest-xml model with a payload body whose list is
// flattened (DeleteObjects), a wrapped list (Tagging.TagSet.Tag) and a
// body that is not a payload, rooted at the input's locationName.
const xmlFixture = `{
  "metadata": {"apiVersion": "2006-03-01", "endpointPrefix": "s3ish", "protocol": "rest-xml", "serviceId": "S3ish"},
  "operations": {
    "DeleteObjects": {"http": {"method": "POST", "requestUri": "/{Bucket}?delete"}, "input": {"shape": "DeleteObjectsRequest"}},
    "PutTagging": {"http": {"method": "PUT", "requestUri": "/{Bucket}?tagging"}, "input": {"shape": "PutTaggingRequest"}},
    "CreateGrant": {"http": {"method": "PUT", "requestUri": "/grants"}, "input": {"shape": "CreateGrantRequest", "locationName": "CreateGrantRequest"}},
    "Hello": {"http": {"method": "GET", "requestUri": "/hello"}, "authtype": "none"}
  },
  "shapes": {
    "DeleteObjectsRequest": {"type": "structure", "required": ["Bucket", "Delete"], "payload": "Delete", "members": {
      "Bucket": {"shape": "S", "location": "uri", "locationName": "Bucket"},
      "MFA": {"shape": "S", "location": "header", "locationName": "x-amz-mfa"},
      "Delete": {"shape": "Delete", "locationName": "Delete"}}},
    "Delete": {"type": "structure", "members": {"Objects": {"shape": "ObjectList", "locationName": "Object"}, "Quiet": {"shape": "B"}}},
    "ObjectList": {"type": "list", "member": {"shape": "Object"}, "flattened": true},
    "Object": {"type": "structure", "members": {"Key": {"shape": "S"}, "VersionId": {"shape": "S"}}},
    "PutTaggingRequest": {"type": "structure", "payload": "Tagging", "members": {
      "Bucket": {"shape": "S", "location": "uri", "locationName": "Bucket"},
      "Tagging": {"shape": "Tagging", "locationName": "Tagging"}}},
    "Tagging": {"type": "structure", "members": {"TagSet": {"shape": "TagSet"}}},
    "TagSet": {"type": "list", "member": {"shape": "Tag", "locationName": "Tag"}},
    "Tag": {"type": "structure", "members": {"Key": {"shape": "S"}, "Value": {"shape": "S"}}},
    "CreateGrantRequest": {"type": "structure", "members": {"RoleArn": {"shape": "S"}, "Grantee": {"shape": "Grantee"}}},
    "Grantee": {"type": "structure", "members": {"Id": {"shape": "S", "locationName": "GranteeId"}}},
    "S": {"type": "string"},
    "B": {"type": "boolean"}
  }
}`

func TestBodyRenames(t *testing.T) {
	md, err := parseV1Model("s3ish", []byte(xmlFixture))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		op, path string
		want     []servicemaps.Member
	}{
		{"DeleteObjects", "Delete.Objects.Key", []servicemaps.Member{{Name: "Delete.Objects", Location: "body", Wire: "Delete.Object"}}},
		{"DeleteObjects", "Delete.Quiet", nil},
		{"DeleteObjects", "Bucket", nil}, // a uri member: not the body's
		{"PutTagging", "Tagging.TagSet.Key", []servicemaps.Member{{Name: "Tagging.TagSet", Location: "body", Wire: "Tagging.TagSet.Tag"}}},
		{"CreateGrant", "RoleArn", []servicemaps.Member{{Name: "RoleArn", Location: "body", Wire: "CreateGrantRequest.RoleArn"}}},
		{"CreateGrant", "Grantee.Id", []servicemaps.Member{
			{Name: "Grantee", Location: "body", Wire: "CreateGrantRequest.Grantee"},
			{Name: "Grantee.Id", Location: "body", Wire: "CreateGrantRequest.Grantee.GranteeId"},
		}},
		{"CreateGrant", "Nope.X", nil},
		{"Hello", "X", nil},
	}
	for _, tt := range tests {
		t.Run(tt.op+"/"+tt.path, func(t *testing.T) {
			if got := md.bodyRenames(tt.op, tt.path); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("bodyRenames = %+v, want %+v", got, tt.want)
			}
		})
	}
	if !md.unsigned["Hello"] || md.unsigned["DeleteObjects"] {
		t.Errorf("unsigned = %v, want Hello only", md.unsigned)
	}
}

func TestRefPathsAndPrune(t *testing.T) {
	op := &servicemaps.Operation{
		Name: "Op",
		Actions: []servicemaps.ActionTemplate{{Action: "x:Op", Resources: []string{"arn:${Partition}:x:${Region}:${Account}:thing/${Thing.Name|name}"},
			Conditions: []servicemaps.Condition{{Key: "x:Mode", Value: "${q:mode}"}}}},
		Rules: []servicemaps.Rule{{When: "Version & !h:x-amz-foo | Grant*", Add: []servicemaps.ActionTemplate{{Action: "x:Other", Resources: []string{"${@path}"}}}}},
		Members: []servicemaps.Member{
			{Name: "Thing", Location: "uri", Wire: "thing", Required: true},
			{Name: "Version", Location: "querystring", Wire: "v"},
			{Name: "GrantRead", Location: "header", Wire: "x-amz-grant-read"},
			{Name: "Marker", Location: "querystring", Wire: "marker"},
			{Name: "Token", Location: "header", Wire: "x-token", Required: true},
			{Name: "Debug", Location: "header", Wire: "x-debug"},
			{Name: "Tags", Location: "querystring", Wire: "tags"},
			{Name: "Body", Location: "body", Wire: "body"},
		},
	}
	refs := refPaths(op)
	if want := []string{"Grant*", "Thing.Name", "Version"}; !reflect.DeepEqual(refs, want) {
		t.Errorf("refPaths = %v, want %v", refs, want)
	}
	var kept []string
	for _, m := range pruneMembers(op.Members, refs) {
		kept = append(kept, m.Name)
	}
	if want := []string{"Thing", "Version", "GrantRead", "Token", "Tags", "Body"}; !reflect.DeepEqual(kept, want) {
		t.Errorf("pruneMembers kept %v, want %v", kept, want)
	}
}

func TestPrefixByOps(t *testing.T) {
	ci := newCatalogIndex(fixtureReference(t).catalog())
	ops := func(names ...string) []*servicemaps.Operation {
		var out []*servicemaps.Operation
		for _, n := range names {
			out = append(out, &servicemaps.Operation{Name: n})
		}
		return out
	}
	if got := ci.prefixByOps(ops("SendMessage", "ListQueues", "Other")); got != "sqsish" {
		t.Errorf("prefixByOps = %q, want sqsish", got)
	}
	if got := ci.prefixByOps(ops("SendMessage", "A", "B", "C", "D", "E", "F")); got != "" {
		t.Errorf("prefixByOps of one match in seven = %q, want none", got)
	}
}

func TestBatchRename(t *testing.T) {
	ci := newCatalogIndex(fixtureReference(t).catalog())
	if got, ok := nameActions(ci, "sqsish", "BatchSendMessage"); !ok || got != "sqsish:SendMessage" {
		t.Errorf("nameActions(BatchSendMessage) = %q, %v", got, ok)
	}
	if _, ok := nameActions(ci, "sqsish", "Batched"); ok {
		t.Error("nameActions mapped a name that only starts with Batch")
	}
}

func TestAssembleAuthoritativeAndReference(t *testing.T) {
	const cur = `model: sqsish
operations:
  SendMessage:
    actions: [sqsish:SendMessage]
  ListQueues:
    wire: {QueueNamePrefix: QueueNamePrefixes}
`
	in := fixtureInputs(t, cur)
	g := &generator{log: io.Discard}
	m, err := g.assemble(in)
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]*servicemaps.Operation{}
	for _, o := range m.Services[0].Ops {
		ops[o.Name] = o
	}
	// The reference lists keys:Decrypt for SendMessage, but the curated
	// actions are authoritative.
	if send := ops["SendMessage"]; send.Source != "curated" || len(send.Possible) != 0 {
		t.Errorf("SendMessage = %+v, want curated with no possible actions", send)
	}
	want := servicemaps.Member{Name: "QueueNamePrefix", Location: "body", Wire: "QueueNamePrefixes"}
	if list := ops["ListQueues"]; len(list.Members) != 1 || list.Members[0] != want || list.Source != "reference" {
		t.Errorf("ListQueues = %+v, want the reference's action and the wire member", list)
	}
	// Three reference operations have authorized actions; TagResource's
	// client (tagger) has no model.
	wantRef := servicemaps.ReferenceCoverage{Operations: 3, Missed: []servicemaps.ReferenceOp{{Prefix: "sqsish", SDK: "tagger", Operation: "TagResource"}}}
	if !reflect.DeepEqual(m.Reference, wantRef) {
		t.Errorf("Reference = %+v, want %+v", m.Reference, wantRef)
	}
	data, err := servicemaps.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "\nref\t3\nrefmiss\tsqsish\ttagger\tTagResource\n") {
		t.Errorf("the artifact lacks the reference records:\n%s", data)
	}
	bad := fixtureInputs(t, "model: sqsish\noperations:\n  ListQueues:\n    wire: {Nope: X}\n")
	if _, err := (&generator{log: io.Discard}).assemble(bad); err == nil || !strings.Contains(err.Error(), "no input member") {
		t.Errorf("assemble with a wire name for a missing member: %v", err)
	}
}

func TestUnsignedSource(t *testing.T) {
	md, err := parseV1Model("sqsish", []byte(strings.Replace(fixtureModel,
		`"PurgeQueue": {"name": "PurgeQueue", "http": {"method": "POST", "requestUri": "/"}}`,
		`"PurgeQueue": {"name": "PurgeQueue", "http": {"method": "POST", "requestUri": "/"}, "authtype": "none"}`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	in := fixtureInputs(t, "")
	in.models = []*model{md}
	m, err := (&generator{log: io.Discard}).assemble(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range m.Services[0].Ops {
		if o.Name == "PurgeQueue" && (o.Source != "unsigned" || len(o.Actions) != 0) {
			t.Errorf("PurgeQueue = %+v, want unsigned with no actions", o)
		}
		if o.Name == "SendMessage" && o.Source != "reference" {
			t.Errorf("SendMessage = %+v", o)
		}
	}
}
