package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/iamwatch/iamwatch"
	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

// fixtureRef is a two-service reference: a queue service whose boto3
// client name ("queues") differs from its model ("sqsish"), and a function
// service.
const fixtureQueues = `{
  "Name": "sqsish", "Version": "v1.4",
  "Actions": [
    {"Name": "SendMessage", "ActionConditionKeys": [], "Annotations": {"Properties": {"IsList": false, "IsPermissionManagement": false, "IsTaggingOnly": false, "IsWrite": true}}, "Resources": [{"Name": "queue"}]},
    {"Name": "ListQueues", "Annotations": {"Properties": {"IsList": true, "IsPermissionManagement": false, "IsTaggingOnly": false, "IsWrite": false}}, "Resources": []},
    {"Name": "GetQueueAttributes", "Annotations": {"Properties": {"IsList": false, "IsPermissionManagement": false, "IsTaggingOnly": false, "IsWrite": false}}, "Resources": [{"Name": "queue"}]},
    {"Name": "TagQueue", "Annotations": {"Properties": {"IsList": false, "IsPermissionManagement": false, "IsTaggingOnly": true, "IsWrite": true}}, "Resources": [{"Name": "queue"}]},
    {"Name": "AddPermission", "Annotations": {"Properties": {"IsList": false, "IsPermissionManagement": true, "IsTaggingOnly": false, "IsWrite": true}}, "Resources": [{"Name": "queue"}]}
  ],
  "Resources": [{"Name": "queue", "ARNFormats": ["arn:${Partition}:sqsish:${Region}:${Account}:${QueueName}"]}],
  "ConditionKeys": [{"Name": "aws:ResourceTag/${TagKey}", "Types": ["String"]}],
  "Operations": [
    {"Name": "SendMessage", "AuthorizedActions": [{"Name": "SendMessage", "Service": "sqsish"}, {"Name": "Decrypt", "Service": "keys"}], "SDK": [{"Name": "queues", "Method": "send_message", "Package": "Boto3"}]},
    {"Name": "ListQueues", "AuthorizedActions": [{"Name": "ListQueues", "Service": "sqsish"}], "SDK": [{"Name": "queues", "Method": "list_queues", "Package": "Boto3"}]},
    {"Name": "TagResource", "AuthorizedActions": [{"Name": "TagQueue", "Service": "sqsish"}], "SDK": [{"Name": "tagger", "Method": "tag_resource", "Package": "Boto3"}]}
  ]
}`

const fixtureKeys = `{
  "Name": "keys", "Version": "v1.4",
  "Actions": [
    {"Name": "Decrypt", "Annotations": {"Properties": {"IsList": false, "IsPermissionManagement": false, "IsTaggingOnly": false, "IsWrite": true}}, "Resources": [{"Name": "key"}]},
    {"Name": "Invoke", "Annotations": {"Properties": {"IsList": false, "IsPermissionManagement": false, "IsTaggingOnly": false, "IsWrite": true}}, "Resources": [{"Name": "function"}]},
    {"Name": "GetTable", "Annotations": {"Properties": {"IsList": false, "IsPermissionManagement": false, "IsTaggingOnly": false, "IsWrite": false}}, "Resources": [{"Name": "table"}, {"Name": "index"}]}
  ],
  "Resources": [
    {"Name": "key", "ARNFormats": ["arn:${Partition}:keys:${Region}:${Account}:key/${KeyId}"]},
    {"Name": "function", "ARNFormats": ["arn:${Partition}:keys:${Region}:${Account}:function:${FunctionName}"]},
    {"Name": "table", "ARNFormats": ["arn:${Partition}:keys:${Region}:${Account}:table/${TableName}"]},
    {"Name": "index", "ARNFormats": ["arn:${Partition}:keys:${Region}:${Account}:table/${TableName}/index/${IndexName}"]}
  ],
  "ConditionKeys": [],
  "Operations": []
}`

const fixtureModel = `{
  "metadata": {"apiVersion": "2012-11-05", "endpointPrefix": "sqsish", "jsonVersion": "1.0", "protocol": "json",
    "serviceFullName": "Queue Service", "serviceId": "SQSish", "targetPrefix": "AmazonSQSish", "awsQueryCompatible": {}},
  "operations": {
    "SendMessage": {"name": "SendMessage", "http": {"method": "POST", "requestUri": "/"}, "input": {"shape": "SendMessageRequest"}},
    "ListQueues": {"name": "ListQueues", "http": {"method": "POST", "requestUri": "/"}, "input": {"shape": "ListQueuesRequest"}},
    "GetQueueAttributes": {"name": "GetQueueAttributes", "http": {"method": "POST", "requestUri": "/"}, "input": {"shape": "GetQueueAttributesRequest"}},
    "PurgeQueue": {"name": "PurgeQueue", "http": {"method": "POST", "requestUri": "/"}}
  },
  "shapes": {
    "SendMessageRequest": {"type": "structure", "required": ["QueueUrl", "MessageBody"],
      "members": {"QueueUrl": {"shape": "String"}, "MessageBody": {"shape": "String"}, "Attrs": {"shape": "Map", "locationName": "MessageAttribute"}}},
    "ListQueuesRequest": {"type": "structure", "members": {"QueueNamePrefix": {"shape": "String"}}},
    "GetQueueAttributesRequest": {"type": "structure", "required": ["QueueUrl"], "members": {"QueueUrl": {"shape": "String"}}},
    "String": {"type": "string"},
    "Map": {"type": "map"}
  }
}`

func fixtureReference(t *testing.T) *reference {
	t.Helper()
	ref := &reference{Version: "test"}
	for _, src := range []string{fixtureKeys, fixtureQueues} {
		var s refService
		if err := json.Unmarshal([]byte(src), &s); err != nil {
			t.Fatal(err)
		}
		ref.Services = append(ref.Services, &s)
	}
	return ref
}

func fixtureInputs(t *testing.T, curation string) *inputs {
	t.Helper()
	md, err := parseV1Model("sqsish", []byte(fixtureModel))
	if err != nil {
		t.Fatal(err)
	}
	in := &inputs{
		ref:      fixtureReference(t),
		models:   []*model{md},
		hosts:    map[string][]string{"sqsish": {"queue.example.com"}},
		scoped:   map[string]scopedHosts{},
		curation: map[string]*curationFile{},
		sources:  []servicemaps.Source{{Name: "fixture", Version: "1"}},
	}
	if curation != "" {
		cf, err := parseCuration("sqsish.yaml", []byte(curation))
		if err != nil {
			t.Fatal(err)
		}
		in.curation["sqsish"] = cf
	}
	return in
}

func TestLevel(t *testing.T) {
	tests := []struct {
		name                       string
		list, write, perm, tagging bool
		want                       iamwatch.AccessLevel
	}{
		{name: "read", want: iamwatch.LevelRead},
		{name: "list", list: true, want: iamwatch.LevelList},
		{name: "write", write: true, want: iamwatch.LevelWrite},
		{name: "tagging beats write", write: true, tagging: true, want: iamwatch.LevelTagging},
		{name: "permissions beats all", write: true, tagging: true, perm: true, list: true, want: iamwatch.LevelPermissionsManagement},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := level(tt.list, tt.write, tt.perm, tt.tagging); got != tt.want {
				t.Errorf("level = %q, want %q", got, tt.want)
			}
		})
	}
	cat := fixtureReference(t).catalog()
	levels := map[string]iamwatch.AccessLevel{}
	for _, s := range cat {
		for _, a := range s.Actions {
			levels[s.Prefix+":"+a.Name] = a.Level
		}
	}
	for action, want := range map[string]iamwatch.AccessLevel{
		"sqsish:SendMessage": iamwatch.LevelWrite, "sqsish:ListQueues": iamwatch.LevelList,
		"sqsish:GetQueueAttributes": iamwatch.LevelRead, "sqsish:TagQueue": iamwatch.LevelTagging,
		"sqsish:AddPermission": iamwatch.LevelPermissionsManagement,
	} {
		if levels[action] != want {
			t.Errorf("catalog level of %s = %q, want %q", action, levels[action], want)
		}
	}
}

func TestJoin(t *testing.T) {
	mk := func(name, id, prefix string, ops ...string) *model {
		s := &servicemaps.Service{Model: name, ServiceID: id, EndpointPrefix: prefix, SigningName: prefix}
		for _, o := range ops {
			s.Ops = append(s.Ops, &servicemaps.Operation{Name: o})
		}
		return &model{svc: s}
	}
	models := []*model{
		mk("monitoring", "CloudWatch", "monitoring", "PutMetricData", "GetMetricData", "TagResource"),
		mk("states", "SFN", "states", "StartExecution", "DescribeExecution", "TagResource"),
		mk("elasticloadbalancing", "Elastic Load Balancing", "elasticloadbalancing", "CreateLoadBalancer", "DescribeLoadBalancers", "AttachLoadBalancerToSubnets"),
		mk("elasticloadbalancingv2", "Elastic Load Balancing v2", "elasticloadbalancing", "CreateLoadBalancer", "DescribeLoadBalancers", "CreateTargetGroup", "DescribeTargetGroups"),
		mk("events", "CloudWatch Events", "events", "PutEvents", "PutRule"),
		mk("eventbridge", "EventBridge", "events", "PutEvents", "PutRule", "CreateEndpoint"),
		mk("tiny", "Tiny", "tiny", "TagResource"),
	}
	sar := map[string]map[string]*sarOp{}
	add := func(client string, ops ...string) {
		sar[client] = map[string]*sarOp{}
		for _, o := range ops {
			sar[client][strings.ToLower(o)] = &sarOp{Name: o}
		}
	}
	add("cloudwatch", "PutMetricData", "GetMetricData")
	add("stepfunctions", "StartExecution", "DescribeExecution")
	add("elb", "CreateLoadBalancer", "DescribeLoadBalancers", "AttachLoadBalancerToSubnets")
	add("elbv2", "CreateLoadBalancer", "DescribeLoadBalancers", "CreateTargetGroup", "DescribeTargetGroups")
	add("events", "PutEvents", "PutRule", "CreateEndpoint")
	add("newthing", "TagResource", "UntagResource", "DoNewThing")
	got := joinClients(models, sar)
	want := map[string]string{
		"monitoring": "cloudwatch", "states": "stepfunctions", "elasticloadbalancing": "elb",
		"elasticloadbalancingv2": "elbv2", "events": "events", "eventbridge": "events",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("joinClients = %v, want %v", got, want)
	}
}

func TestSARActions(t *testing.T) {
	ci := newCatalogIndex(fixtureReference(t).catalog())
	tests := []struct {
		name     string
		op       string
		listed   []string
		required string
		possible []string
	}{
		{name: "same name", op: "SendMessage", listed: []string{"keys:Decrypt", "sqsish:SendMessage"}, required: "sqsish:SendMessage", possible: []string{"keys:Decrypt"}},
		{name: "closest", op: "TagResource", listed: []string{"sqsish:TagQueue"}, required: "sqsish:TagQueue"},
		{name: "not in catalog dropped", op: "SendMessage", listed: []string{"sqsish:SendMessage", "nope:Nope"}, required: "sqsish:SendMessage"},
		{name: "case", op: "sendmessage", listed: []string{"SQSISH:sendMessage"}, required: "sqsish:SendMessage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, poss := sarActions(ci, "sqsish", tt.op, tt.listed)
			if req != tt.required || !reflect.DeepEqual(poss, tt.possible) {
				t.Errorf("sarActions = %q, %q; want %q, %q", req, poss, tt.required, tt.possible)
			}
		})
	}
}

func TestNameActions(t *testing.T) {
	ci := newCatalogIndex(fixtureReference(t).catalog())
	tests := []struct {
		op, want string
		ok       bool
	}{
		{"SendMessage", "sqsish:SendMessage", true},
		{"ListQueue", "sqsish:ListQueues", true},                       // singular -> plural
		{"DescribeQueueAttributes", "sqsish:GetQueueAttributes", true}, // Describe -> Get
		{"PurgeQueue", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			got, ok := nameActions(ci, "sqsish", tt.op)
			if got != tt.want || ok != tt.ok {
				t.Errorf("nameActions(%s) = %q, %v; want %q, %v", tt.op, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestBind(t *testing.T) {
	ci := newCatalogIndex(fixtureReference(t).catalog())
	tests := []struct {
		name    string
		action  string
		members []inputMember
		want    boundSet
	}{
		{
			name:    "queue url",
			action:  "sqsish:SendMessage",
			members: []inputMember{{Name: "QueueUrl", Required: true, Scalar: true}},
			want:    boundSet{Templates: []string{"arn:${Partition}:sqsish:${Region}:${QueueUrl|account}:${QueueUrl|last}"}},
		},
		{
			name:    "name or arn",
			action:  "keys:Invoke",
			members: []inputMember{{Name: "FunctionName", Required: true, Scalar: true, NameOrARN: true}},
			want:    boundSet{Templates: []string{"arn:${Partition}:keys:${FunctionName|region}:${FunctionName|account}:function:${FunctionName|name}"}},
		},
		{
			name:    "arn member",
			action:  "keys:Decrypt",
			members: []inputMember{{Name: "KeyArn", Required: true, Scalar: true, ARN: true}},
			want:    boundSet{Templates: []string{"${KeyArn}"}},
		},
		{
			name:    "placeholder plus Id",
			action:  "keys:Decrypt",
			members: []inputMember{{Name: "Key", Scalar: true, Required: true}},
			want:    boundSet{Templates: []string{"arn:${Partition}:keys:${Region}:${Account}:key/${Key}"}},
		},
		{
			name:   "optional member adds a rule",
			action: "keys:GetTable",
			members: []inputMember{
				{Name: "TableName", Required: true, Scalar: true},
				{Name: "IndexName", Scalar: true},
			},
			want: boundSet{
				Templates: []string{"arn:${Partition}:keys:${Region}:${Account}:table/${TableName}"},
				When:      []string{"IndexName"},
				Extra:     []string{"arn:${Partition}:keys:${Region}:${Account}:table/${TableName}/index/${IndexName}"},
			},
		},
		{
			name:    "unbound placeholder",
			action:  "keys:Decrypt",
			members: []inputMember{{Name: "Other", Scalar: true}},
			want:    boundSet{},
		},
		{
			name:    "list member is not used",
			action:  "keys:Decrypt",
			members: []inputMember{{Name: "KeyId"}},
			want:    boundSet{},
		},
		{
			name:    "a list of IDs fills one resource each",
			action:  "keys:Decrypt",
			members: []inputMember{{Name: "KeyIds", Required: true, Elems: "${KeyId.N}"}},
			want:    boundSet{Templates: []string{"arn:${Partition}:keys:${Region}:${Account}:key/${KeyId.N}"}},
		},
		{
			name:    "a list of another name is not used",
			action:  "keys:Decrypt",
			members: []inputMember{{Name: "Filters", Elems: "${Filter.N}"}},
			want:    boundSet{},
		},
		{
			// EC2's launch-template/${LaunchTemplateId} from LaunchTemplateName.
			name:    "a name does not fill an ID",
			action:  "keys:Decrypt",
			members: []inputMember{{Name: "KeyName", Required: true, Scalar: true}},
			want:    boundSet{Templates: []string{"arn:${Partition}:keys:${Region}:${Account}:key/*"}},
		},
		{
			name:    "an ID does not fill a name",
			action:  "keys:Invoke",
			members: []inputMember{{Name: "FunctionId", Required: true, Scalar: true}},
			want:    boundSet{Templates: []string{"arn:${Partition}:keys:${Region}:${Account}:function:*"}},
		},
		{
			name:    "a member that takes a name or an ARN fills either",
			action:  "keys:Decrypt",
			members: []inputMember{{Name: "KeyName", Required: true, Scalar: true, NameOrARN: true}},
			want:    boundSet{Templates: []string{"arn:${Partition}:keys:${KeyName|region}:${KeyName|account}:key/${KeyName|name}"}},
		},
		{
			name:    "a whole ARN wins over a type with a *",
			action:  "keys:Decrypt",
			members: []inputMember{{Name: "KeyName", Required: true, Scalar: true}, {Name: "KeyArn", Scalar: true, ARN: true}},
			want:    boundSet{Templates: []string{"${KeyArn}"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, a, s, ok := ci.action(tt.action)
			if !ok {
				t.Fatalf("no action %s", tt.action)
			}
			got := newBinder(tt.members, nil).bind(ci, s.Prefix, "Op", "", a, false)
			got.Types = nil // TestTypeTemplate checks them
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("bind = %+v, want %+v", got, tt.want)
			}
		})
	}
	t.Run("curated format", func(t *testing.T) {
		_, a, s, _ := ci.action("keys:GetTable")
		b := newBinder([]inputMember{{Name: "TableName", Scalar: true, Required: true}}, nil)
		b.formats = map[string][]string{"keys:table": {"arn:${Partition}:keys:${Region}:${Account}:table/${TableName}:*"}}
		got := b.bind(ci, s.Prefix, "Op", "", a, false)
		want := []string{"arn:${Partition}:keys:${Region}:${Account}:table/${TableName}:*"}
		if !reflect.DeepEqual(got.Templates, want) {
			t.Errorf("bind = %v, want %v", got.Templates, want)
		}
	})
	t.Run("curated region and account", func(t *testing.T) {
		_, a, s, _ := ci.action("keys:Invoke")
		bindings := map[string]string{"FunctionName": "${Fn|lambdafn}", "Region": "${Fn|region}", "Account": "${Other|account}"}
		b := newBinder([]inputMember{{Name: "Fn", Scalar: true, Required: true}, {Name: "Other", Scalar: true}}, bindings)
		got := b.bind(ci, s.Prefix, "Op", "", a, false)
		// Account names a member the format does not use: the call's.
		want := []string{"arn:${Partition}:keys:${Fn|region}:${Account}:function:${Fn|lambdafn}"}
		if !reflect.DeepEqual(got.Templates, want) {
			t.Errorf("bind = %v, want %v", got.Templates, want)
		}
	})
	t.Run("curated binding", func(t *testing.T) {
		_, a, s, _ := ci.action("keys:Decrypt")
		b := newBinder([]inputMember{{Name: "Alias", Scalar: true, Required: true}}, map[string]string{"KeyId": "${Alias|name}"})
		got := b.bind(ci, s.Prefix, "Op", "", a, false)
		want := []string{"arn:${Partition}:keys:${Region}:${Account}:key/${Alias|name}"}
		if !reflect.DeepEqual(got.Templates, want) {
			t.Errorf("bind = %v, want %v", got.Templates, want)
		}
	})
}

const fixtureCuration = `model: sqsish
aliases: [QueueClient]
operations:
  PurgeQueue:
    reason: documented on the PurgeQueue API page
    actions: [sqsish:GetQueueAttributes]
  SendMessage:
    possible:
      - action: keys:Decrypt
        reason: an encrypted queue
    rules:
      - when: MessageAttribute*
        add: [sqsish:TagQueue]
        reason: test rule
`

func TestAssemble(t *testing.T) {
	g := &generator{log: io.Discard}
	m, err := g.assemble(fixtureInputs(t, fixtureCuration))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Services) != 1 {
		t.Fatalf("services = %d", len(m.Services))
	}
	s := m.Services[0]
	if s.IAMPrefix != "sqsish" || !reflect.DeepEqual(s.Protocols, []string{"json", "query"}) {
		t.Errorf("service = %+v", s)
	}
	if !contains(s.Aliases, "queues") || !contains(s.Aliases, "QueueClient") {
		t.Errorf("aliases = %v, want the client name and the curated alias", s.Aliases)
	}
	ops := map[string]*servicemaps.Operation{}
	for _, o := range s.Ops {
		ops[o.Name] = o
	}
	send := ops["SendMessage"]
	if send.Source != "reference" || len(send.Actions) != 1 || send.Actions[0].Action != "sqsish:SendMessage" {
		t.Errorf("SendMessage = %+v", send)
	}
	if len(send.Possible) != 1 || send.Possible[0].Reason != "an encrypted queue" {
		t.Errorf("SendMessage possible = %+v, want the curated reason", send.Possible)
	}
	if want := []servicemaps.Member{{Name: "Attrs", Location: "body", Wire: "MessageAttribute"}}; !reflect.DeepEqual(send.Members, want) {
		t.Errorf("SendMessage members = %+v, want %+v", send.Members, want)
	}
	if len(send.Rules) != 1 || send.Rules[0].Add[0].Resources[0] != "arn:${Partition}:sqsish:${Region}:${QueueUrl|account}:${QueueUrl|last}" {
		t.Errorf("SendMessage rules = %+v", send.Rules)
	}
	if o := ops["PurgeQueue"]; o.Source != "curated" || o.Actions[0].Action != "sqsish:GetQueueAttributes" {
		t.Errorf("PurgeQueue = %+v", o)
	}
	if o := ops["GetQueueAttributes"]; o.Source != "name" || o.Actions[0].Action != "sqsish:GetQueueAttributes" {
		t.Errorf("GetQueueAttributes = %+v", o)
	}
}

// TestCuratedFormat checks that a curation file's format replaces the
// catalog's where the generator binds the service's resources.
func TestCuratedFormat(t *testing.T) {
	const cur = "model: sqsish\nformats:\n  queue: \"arn:${Partition}:sqsish:${Region}:${Account}:${QueueName}:*\"\n"
	g := &generator{log: io.Discard}
	m, err := g.assemble(fixtureInputs(t, cur))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range m.Services[0].Ops {
		if o.Name != "GetQueueAttributes" {
			continue
		}
		want := []string{"arn:${Partition}:sqsish:${Region}:${QueueUrl|account}:${QueueUrl|last}:*"}
		if len(o.Actions) != 1 || !reflect.DeepEqual(o.Actions[0].Resources, want) {
			t.Errorf("GetQueueAttributes actions = %+v, want resources %v", o.Actions, want)
		}
		return
	}
	t.Fatal("no GetQueueAttributes")
}

func TestCurationInvalid(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unknown action", "model: sqsish\noperations:\n  SendMessage:\n    actions: [sqsish:Nope]\n", "not in the IAM catalog"},
		{"unknown operation", "model: sqsish\noperations:\n  Nope:\n    actions: [sqsish:SendMessage]\n", "no operation"},
		{"bad resource", "model: sqsish\noperations:\n  SendMessage:\n    actions:\n      - action: sqsish:SendMessage\n        resources: [\"arn:${Partition}:s3:::${QueueUrl}\"]\n", "matches none"},
		{"unknown member", "model: sqsish\noperations:\n  SendMessage:\n    actions:\n      - action: sqsish:SendMessage\n        resources: [\"arn:${Partition}:sqsish:${Region}:${Account}:${Nope}\"]\n", "no input member"},
		{"unknown filter", "model: sqsish\noperations:\n  SendMessage:\n    actions:\n      - action: sqsish:SendMessage\n        resources: [\"${QueueUrl|shout}\"]\n", "filter"},
		{"resource for resourceless action", "model: sqsish\noperations:\n  ListQueues:\n    actions:\n      - action: sqsish:ListQueues\n        resources: [\"${QueueNamePrefix}\"]\n", "no resource type"},
		{"possible without reason", "model: sqsish\noperations:\n  SendMessage:\n    possible: [keys:Decrypt]\n", "no reason"},
		{"bad when", "model: sqsish\noperations:\n  SendMessage:\n    rules:\n      - when: \"a ~~ b\"\n        add: [keys:Decrypt]\n", "bad term"},
		{"format of an unknown type", "model: sqsish\nformats:\n  nope: \"arn:${Partition}:sqsish:${Region}:${Account}:${QueueName}\"\n", "no resource type"},
		{"format of another shape", "model: sqsish\nformats:\n  queue: \"arn:${Partition}:s3:::${QueueName}\"\n", "fits none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &generator{log: io.Discard}
			_, err := g.assemble(fixtureInputs(t, tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("assemble error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	t.Run("unknown field", func(t *testing.T) {
		if _, err := parseCuration("sqsish.yaml", []byte("model: sqsish\nbogus: 1\n")); err == nil {
			t.Error("parseCuration accepted an unknown field")
		}
	})
	t.Run("model must match file", func(t *testing.T) {
		if _, err := parseCuration("other.yaml", []byte("model: sqsish\n")); err == nil {
			t.Error("parseCuration accepted a model that is not the file name")
		}
	})
}

func TestDeterministic(t *testing.T) {
	var first []byte
	for i := 0; i < 3; i++ {
		g := &generator{log: io.Discard}
		m, err := g.assemble(fixtureInputs(t, fixtureCuration))
		if err != nil {
			t.Fatal(err)
		}
		data, err := servicemaps.Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = data
			continue
		}
		if !bytes.Equal(first, data) {
			t.Fatalf("run %d differs from the first:\n%s\n---\n%s", i, first, data)
		}
	}
}

func TestEndpointHosts(t *testing.T) {
	const ep = `{"partitions": [{"partition": "aws", "dnsSuffix": "amazonaws.com",
	  "regions": {"us-east-1": {}, "eu-west-1": {}},
	  "services": {
	    "sts": {"endpoints": {"aws-global": {"hostname": "sts.amazonaws.com"}, "us-east-1": {}, "eu-west-1": {"hostname": "sts.eu-west-1.amazonaws.com"}}},
	    "queue": {"defaults": {"sslCommonName": "{region}.queue.{dnsSuffix}"}, "endpoints": {"eu-west-1": {}}},
	    "data.thing": {"defaults": {"credentialScope": {"service": "thingdata"}}, "endpoints": {"us-east-1": {}}}
	  }}]}`
	hosts, scoped, err := endpointHosts([]byte(ep))
	if err != nil {
		t.Fatal(err)
	}
	if got := hosts["sts"]; !reflect.DeepEqual(got, []string{"sts.amazonaws.com"}) {
		t.Errorf("sts hosts = %v", got)
	}
	if got := hosts["queue"]; !reflect.DeepEqual(got, []string{"eu-west-1.queue.amazonaws.com"}) {
		t.Errorf("queue hosts = %v", got)
	}
	if got := scoped["data.thing"]; got.Scope != "thingdata" || !reflect.DeepEqual(got.Hosts, []string{"data.thing.us-east-1.amazonaws.com"}) {
		t.Errorf("scoped = %+v", got)
	}
}

func TestInputStruct(t *testing.T) {
	const src = "type PutInput struct {\n\n\t// The name or ARN of the function.\n\t//\n\t// This member is required.\n\tFunctionName *string\n\n\t// Tags.\n\tTags map[string]string\n\n\t// Mode.\n\tMode types.Mode\n\n\tnoSmithyDocumentSerde\n}\n"
	got := inputStruct(src, "PutInput")
	want := []inputMember{
		{Name: "FunctionName", Required: true, NameOrARN: true, Scalar: true},
		{Name: "Mode", Scalar: true},
		{Name: "Tags"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("inputStruct = %+v, want %+v", got, want)
	}
}

func TestStripXID(t *testing.T) {
	for in, want := range map[string]string{
		"/{Key+}?x-id=GetObject": "/{Key+}",
		"/{Key+}?renameObject":   "/{Key+}?renameObject",
		"/?x-id=ListBuckets&a=b": "/?a=b",
		"/plain":                 "/plain",
	} {
		if got := stripXID(in); got != want {
			t.Errorf("stripXID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTypeTemplate(t *testing.T) {
	ci := newCatalogIndex(fixtureReference(t).catalog())
	_, a, s, _ := ci.action("keys:GetTable")
	b := newBinder([]inputMember{{Name: "TableName", Scalar: true, Required: true}}, nil)
	got := b.bind(ci, s.Prefix, "GetTable", "", a, false)
	if want := []string{"table"}; !reflect.DeepEqual(got.Types, want) {
		t.Errorf("bind types = %v, want %v", got.Types, want)
	}
	for _, tt := range []struct{ rt, want string }{
		{"table", "arn:${Partition}:keys:${Region}:${Account}:table/${TableName}"},
		// The index is not named: its part is "*", the table's stays.
		{"index", "arn:${Partition}:keys:${Region}:${Account}:table/${TableName}/index/*"},
		// Nothing of the key is named.
		{"key", "arn:${Partition}:keys:${Region}:${Account}:key/*"},
		{"nosuchtype", ""},
	} {
		if got := b.typeTemplate(ci, s.Prefix, tt.rt); got != tt.want {
			t.Errorf("typeTemplate(%s) = %q, want %q", tt.rt, got, tt.want)
		}
	}
}

func TestReadRequired(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	add := func(name, body string) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(body))
	}
	add("package/README.md", "not data")
	add("package/data/actions/glue.json", `{"gettable": {"name": "GetTable", "resourceTypes": [
		{"name": "catalog", "required": false}, {"name": "table", "required": true},
		{"name": "database", "required": true}, {"name": "rootcatalog", "required": true}]},
		"getjobs": {"name": "GetJobs", "resourceTypes": []}}`)
	add("package/data/resourceTypes/glue.json", `{}`)
	tw.Close()
	zw.Close()
	req, err := readRequired(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := req.of("glue:GetTable"), []string{"database", "rootcatalog", "table"}; !reflect.DeepEqual(got, want) {
		t.Errorf("required of glue:GetTable = %v, want %v", got, want)
	}
	if got := req.of("glue:GetJobs"); got != nil {
		t.Errorf("required of glue:GetJobs = %v, want none", got)
	}
	if _, err := readRequired(gzipOf(t, nil)); err == nil {
		t.Error("a tarball without data/actions read without an error")
	}
}

// gzipOf is an empty tar archive, gzipped.
func gzipOf(t *testing.T, _ []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

// TestBindOperationSubject: a plain Name or Id member identifies the
// resource the operation is named for, and only that one.
func TestBindOperationSubject(t *testing.T) {
	ci := newCatalogIndex(fixtureReference(t).catalog())
	_, a, s, _ := ci.action("keys:GetTable")
	members := []inputMember{{Name: "Name", Scalar: true, Required: true}}
	for _, tt := range []struct {
		op   string
		want []string
	}{
		{"GetTable", []string{"arn:${Partition}:keys:${Region}:${Account}:table/${Name}"}},
		// Not the last word: a table's name would be a guess.
		{"GetTableStatistics", nil},
	} {
		b := newBinder(members, nil)
		b.op = tt.op
		if got := b.bind(ci, s.Prefix, tt.op, "", a, false); !reflect.DeepEqual(got.Templates, tt.want) {
			t.Errorf("%s: bind = %v, want %v", tt.op, got.Templates, tt.want)
		}
	}
}

// TestBindPartial: when no format of an action binds whole, a type the
// operation is named after is granted as far as the request names it; a
// placeholder that is another part of the ARN (a policy's type) is not
// filled from the type's ID.
func TestBindPartial(t *testing.T) {
	const orgs = `{
  "Name": "orgs", "Version": "v1.4",
  "Actions": [
    {"Name": "DescribeNodegroup", "Annotations": {"Properties": {"IsList": false, "IsPermissionManagement": false, "IsTaggingOnly": false, "IsWrite": false}}, "Resources": [{"Name": "nodegroup"}]},
    {"Name": "DescribePolicy", "Annotations": {"Properties": {"IsList": false, "IsPermissionManagement": false, "IsTaggingOnly": false, "IsWrite": false}}, "Resources": [{"Name": "policy"}]},
    {"Name": "RestoreThing", "Annotations": {"Properties": {"IsList": false, "IsPermissionManagement": false, "IsTaggingOnly": false, "IsWrite": true}}, "Resources": [{"Name": "engine-version"}]}
  ],
  "Resources": [
    {"Name": "nodegroup", "ARNFormats": ["arn:${Partition}:orgs:${Region}:${Account}:nodegroup/${ClusterName}/${NodegroupName}/${NodegroupId}"]},
    {"Name": "policy", "ARNFormats": ["arn:${Partition}:orgs::${Account}:policy/o-${OrganizationId}/${PolicyType}/p-${PolicyId}"]},
    {"Name": "engine-version", "ARNFormats": ["arn:${Partition}:orgs:${Region}:${Account}:cev:${Engine}/${EngineVersion}"]}
  ],
  "ConditionKeys": [], "Operations": []
}`
	var s refService
	if err := json.Unmarshal([]byte(orgs), &s); err != nil {
		t.Fatal(err)
	}
	ci := newCatalogIndex((&reference{Version: "test", Services: []*refService{&s}}).catalog())
	for _, tt := range []struct {
		action  string
		members []inputMember
		want    []string
	}{
		{"orgs:DescribeNodegroup", []inputMember{{Name: "clusterName", Scalar: true, Required: true}, {Name: "nodegroupName", Scalar: true, Required: true}},
			[]string{"arn:${Partition}:orgs:${Region}:${Account}:nodegroup/${clusterName}/${nodegroupName}/*"}},
		{"orgs:DescribePolicy", []inputMember{{Name: "PolicyId", Scalar: true, Required: true}},
			[]string{"arn:${Partition}:orgs::${Account}:policy/o-*/*/p-${PolicyId}"}},
		// A type the operation is not named after is not guessed from a
		// member they share.
		{"orgs:RestoreThing", []inputMember{{Name: "Engine", Scalar: true, Required: true}}, nil},
	} {
		_, a, svc, ok := ci.action(tt.action)
		if !ok {
			t.Fatalf("no action %s", tt.action)
		}
		op := strings.TrimPrefix(tt.action, "orgs:")
		b := newBinder(tt.members, nil)
		b.op = op
		if got := b.bind(ci, svc.Prefix, op, "", a, false); !reflect.DeepEqual(got.Templates, tt.want) {
			t.Errorf("%s: bind = %v, want %v", tt.action, got.Templates, tt.want)
		}
	}
}

// TestListElems: the template expression of a list of strings follows
// the protocol's wire form of its elements.
func TestListElems(t *testing.T) {
	am := &apiModel{Shapes: map[string]apiShape{
		"Str":     {Type: "string"},
		"Ids":     {Type: "list", Member: &apiMember{Shape: "Str"}},
		"Named":   {Type: "list", Member: &apiMember{Shape: "Str", LocationName: "Id"}},
		"Flat":    {Type: "list", Member: &apiMember{Shape: "Str"}, Flattened: true},
		"Structs": {Type: "list", Member: &apiMember{Shape: "Obj"}},
		"Obj":     {Type: "structure"},
	}}
	tests := []struct {
		protocol, member string
		mb               apiMember
		want             string
	}{
		{"json", "HostIds", apiMember{Shape: "Ids"}, "${HostIds}"},
		{"rest-json", "hostIds", apiMember{Shape: "Ids"}, "${hostIds}"},
		{"ec2", "HostIds", apiMember{Shape: "Ids", LocationName: "hostId"}, "${HostId.N}"},
		{"ec2", "GroupId", apiMember{Shape: "Ids"}, "${GroupId.N}"},
		{"query", "Names", apiMember{Shape: "Ids"}, "${Names.member.N}"},
		{"query", "Names", apiMember{Shape: "Named"}, "${Names.Id.N}"},
		{"query", "Names", apiMember{Shape: "Flat"}, ""},
		{"json", "Rules", apiMember{Shape: "Structs"}, ""},
		{"json", "Id", apiMember{Shape: "Str"}, ""},
		{"rest-json", "ids", apiMember{Shape: "Ids", Location: "querystring"}, ""},
		{"rest-xml", "Ids", apiMember{Shape: "Ids"}, ""},
	}
	for _, tt := range tests {
		if got := listElems(am, tt.protocol, tt.member, tt.mb); got != tt.want {
			t.Errorf("listElems(%s, %s) = %q, want %q", tt.protocol, tt.member, got, tt.want)
		}
	}
}
