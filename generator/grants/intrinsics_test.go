package grants_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/iamwatch/iamwatch/generator/grants"
)

// probeTemplate is a template whose bucket policy's first Resource is the
// expression under test.
const probeTemplate = `
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env: {Type: String, Default: prod}
  NoDefault: {Type: String}
  Cidrs: {Type: CommaDelimitedList, Default: "10.0.0.0/8, 192.168.0.0/16"}
  Subnets: {Type: "List<AWS::EC2::Subnet::Id>"}
  Count: {Type: Number, Default: 2}
  FromSsm: {Type: "AWS::SSM::Parameter::Value<String>", Default: /app/bucket}
  Attr: {Type: String, Default: Arn}
Mappings:
  Regions:
    eu-west-1: {Short: euw1, Zones: [a, b]}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  Undecided: !Equals [!Ref NoDefault, x]
  Both: !And [!Condition IsProd, !Condition IsDev]
  Either: !Or [!Condition IsDev, !Condition IsProd]
  EitherUndecided: !Or [!Condition Undecided, !Condition IsDev]
  LoopA: !Condition LoopB
  ListEq: !Equals [!Ref Cidrs, ["10.0.0.0/8", "192.168.0.0/16"]]
  IfInEquals: !Equals [!If [IsProd, a, b], a]
  LoopB: !Condition LoopA
Resources:
  Bucket: {Type: AWS::S3::Bucket, Properties: {BucketName: !Sub "data-${Env}"}}
  Unnamed: {Type: AWS::S3::Bucket}
  Role: {Type: AWS::IAM::Role, Properties: {RoleName: app, Path: /svc/}}
  Queue: {Type: AWS::SQS::Queue, Properties: {QueueName: jobs}}
  Topic: {Type: AWS::SNS::Topic, Properties: {TopicName: events}}
  Table: {Type: AWS::DynamoDB::Table, Properties: {TableName: orders}}
  Function: {Type: AWS::Lambda::Function, Properties: {FunctionName: worker}}
  Logs: {Type: AWS::Logs::LogGroup, Properties: {LogGroupName: /app/worker}}
  Machine: {Type: AWS::StepFunctions::StateMachine, Properties: {StateMachineName: flow}}
  Managed: {Type: AWS::IAM::ManagedPolicy, Properties: {ManagedPolicyName: mp, Path: /team/, Roles: [!Ref Role], PolicyDocument: {Statement: []}}}
  Key: {Type: AWS::KMS::Key}
  SelfNamed: {Type: AWS::S3::Bucket, Properties: {BucketName: !Ref SelfNamed}}
  Probe:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: probe
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            Resource: EXPR
`

func TestIntrinsics(t *testing.T) {
	known := grants.Reader{AccountID: "123456789012", Region: "eu-west-1"}
	tests := []struct {
		name   string
		expr   string
		reader *grants.Reader // known when nil
		want   string         // JSON of the resolved Resource; "" when it is left out
		notes  []string       // substrings of the Conditional notes, in order; none when empty
	}{
		// Ref
		{name: "Ref parameter default", expr: "!Ref Env", want: `"prod"`},
		{name: "Ref parameter given", expr: "!Ref Env", reader: &grants.Reader{Parameters: map[string]string{"Env": "dev"}}, want: `"dev"`},
		{name: "Ref parameter without default", expr: "!Ref NoDefault", want: `"${NoDefault}"`, notes: []string{"Statement[0].Resource: parameter NoDefault has no Default and no value was given"}},
		{name: "Ref list parameter", expr: "!Ref Cidrs", want: `["10.0.0.0/8","192.168.0.0/16"]`},
		{name: "Ref list parameter without default", expr: "!Ref Subnets", want: `["${Subnets}"]`, notes: []string{"parameter Subnets has no Default"}},
		{name: "Ref number parameter", expr: "!Ref Count", want: `"2"`},
		{name: "Ref SSM parameter", expr: "!Ref FromSsm", want: `"${FromSsm}"`, notes: []string{"parameter FromSsm is read from Systems Manager at deploy"}},
		{name: "Ref long form", expr: "{Ref: Env}", want: `"prod"`},
		{name: "Ref AccountId", expr: "!Ref AWS::AccountId", want: `"123456789012"`},
		{name: "Ref AccountId unknown", expr: "!Ref AWS::AccountId", reader: &grants.Reader{}, want: `"${AWS::AccountId}"`, notes: []string{"Statement[0].Resource: AWS::AccountId is not known"}},
		{name: "Ref Region", expr: "!Ref AWS::Region", want: `"eu-west-1"`},
		{name: "Ref Partition default", expr: "!Ref AWS::Partition", reader: &grants.Reader{}, want: `"aws"`},
		{name: "Ref Partition given", expr: "!Ref AWS::Partition", reader: &grants.Reader{Partition: "aws-cn"}, want: `"aws-cn"`},
		{name: "Ref URLSuffix", expr: "!Ref AWS::URLSuffix", want: `"amazonaws.com"`},
		{name: "Ref URLSuffix China", expr: "!Ref AWS::URLSuffix", reader: &grants.Reader{Partition: "aws-cn"}, want: `"amazonaws.com.cn"`},
		{name: "Ref URLSuffix unknown partition", expr: "!Ref AWS::URLSuffix", reader: &grants.Reader{Partition: "aws-eusc"}, want: `"${AWS::URLSuffix}"`, notes: []string{"AWS::URLSuffix is not known"}},
		{name: "Ref StackName", expr: "!Ref AWS::StackName", reader: &grants.Reader{StackName: "orders"}, want: `"orders"`},
		{name: "Ref StackId", expr: "!Ref AWS::StackId", want: `"${AWS::StackId}"`, notes: []string{"AWS::StackId is known at deploy"}},
		{name: "Ref NoValue drops the element", expr: "[a, !Ref AWS::NoValue, b]", want: `["a","b"]`},
		{name: "Ref NoValue drops the key", expr: "!Ref AWS::NoValue", want: ""},
		{name: "Ref bucket", expr: "!Ref Bucket", want: `"data-prod"`},
		{name: "Ref unnamed bucket", expr: "!Ref Unnamed", want: `"${Unnamed}"`, notes: []string{"Ref Unnamed: AWS::S3::Bucket Unnamed sets no BucketName; CloudFormation generates the name"}},
		{name: "Ref role", expr: "!Ref Role", want: `"app"`},
		{name: "Ref queue is its URL", expr: "!Ref Queue", want: `"https://sqs.eu-west-1.amazonaws.com/123456789012/jobs"`},
		{name: "Ref topic is its ARN", expr: "!Ref Topic", want: `"arn:aws:sns:eu-west-1:123456789012:events"`},
		{name: "Ref managed policy is its ARN", expr: "!Ref Managed", want: `"arn:aws:iam::123456789012:policy/team/mp"`},
		{name: "Ref state machine is its ARN", expr: "!Ref Machine", want: `"arn:aws:states:eu-west-1:123456789012:stateMachine:flow"`},
		{name: "Ref key", expr: "!Ref Key", want: `"${Key}"`, notes: []string{"Ref Key: the value for a AWS::KMS::Key is known at deploy"}},
		{name: "Ref to itself", expr: "!Ref SelfNamed", want: `"${SelfNamed}"`, notes: []string{"Resources.SelfNamed.BucketName refers to itself"}},
		{name: "Ref to nothing", expr: "!Ref Missing", want: `"${Missing}"`, notes: []string{"Ref Missing: no such parameter or resource"}},
		// Fn::GetAtt
		{name: "GetAtt bucket", expr: "!GetAtt Bucket.Arn", want: `"arn:aws:s3:::data-prod"`},
		{name: "GetAtt role with path", expr: "!GetAtt Role.Arn", want: `"arn:aws:iam::123456789012:role/svc/app"`},
		{name: "GetAtt role, account unknown", expr: "!GetAtt Role.Arn", reader: &grants.Reader{}, want: `"arn:aws:iam::${AWS::AccountId}:role/svc/app"`, notes: []string{"AWS::AccountId is not known"}},
		{name: "GetAtt queue", expr: "!GetAtt Queue.Arn", want: `"arn:aws:sqs:eu-west-1:123456789012:jobs"`},
		{name: "GetAtt queue name", expr: "!GetAtt Queue.QueueName", want: `"jobs"`},
		{name: "GetAtt topic", expr: "!GetAtt Topic.TopicArn", want: `"arn:aws:sns:eu-west-1:123456789012:events"`},
		{name: "GetAtt table", expr: "!GetAtt Table.Arn", want: `"arn:aws:dynamodb:eu-west-1:123456789012:table/orders"`},
		{name: "GetAtt function", expr: "!GetAtt Function.Arn", want: `"arn:aws:lambda:eu-west-1:123456789012:function:worker"`},
		{name: "GetAtt log group", expr: "!GetAtt Logs.Arn", want: `"arn:aws:logs:eu-west-1:123456789012:log-group:/app/worker:*"`},
		{name: "GetAtt managed policy", expr: "!GetAtt Managed.PolicyArn", want: `"arn:aws:iam::123456789012:policy/team/mp"`},
		{name: "GetAtt long form", expr: "{Fn::GetAtt: [Role, Arn]}", want: `"arn:aws:iam::123456789012:role/svc/app"`},
		{name: "GetAtt attribute from Ref", expr: "{Fn::GetAtt: [Table, !Ref Attr]}", want: `"arn:aws:dynamodb:eu-west-1:123456789012:table/orders"`},
		{name: "GetAtt unnamed", expr: "!GetAtt Unnamed.Arn", want: `"${Unnamed.Arn}"`, notes: []string{"sets no BucketName"}},
		{name: "GetAtt unknown attribute", expr: "!GetAtt Role.RoleId", want: `"${Role.RoleId}"`, notes: []string{"Fn::GetAtt Role.RoleId: the value for a AWS::IAM::Role is known at deploy"}},
		{name: "GetAtt no resource", expr: "!GetAtt Nope.Arn", want: `"${Nope.Arn}"`, notes: []string{"Fn::GetAtt Nope.Arn: no such resource"}},
		// Fn::Sub
		{name: "Sub", expr: `!Sub "arn:${AWS::Partition}:s3:::${Bucket}/${Env}/*"`, want: `"arn:aws:s3:::data-prod/prod/*"`},
		{name: "Sub attribute", expr: `!Sub "${Role.Arn}"`, want: `"arn:aws:iam::123456789012:role/svc/app"`},
		{name: "Sub with variables", expr: `!Sub ["${Name}-${Env}", {Name: !Ref Bucket}]`, want: `"data-prod-prod"`},
		{name: "Sub long form", expr: `{Fn::Sub: "${AWS::Region}"}`, want: `"eu-west-1"`},
		{name: "Sub literal", expr: `!Sub "home/${!aws:username}/*"`, want: `"home/${aws:username}/*"`},
		{name: "Sub policy variable unescaped", expr: `!Sub "home/${aws:username}/*"`, want: `"home/${aws:username}/*"`, notes: []string{"${aws:username} names no parameter, resource or pseudo parameter (an IAM policy variable is written ${!aws:username})"}},
		{name: "Sub unterminated", expr: `!Sub "a-${Env"`, want: `"a-${Env"`},
		{name: "Sub undecided part", expr: `!Sub "${NoDefault}/*"`, want: `"${NoDefault}/*"`, notes: []string{"parameter NoDefault has no Default"}},
		// Fn::Join
		{name: "Join", expr: `!Join [":", [a, !Ref Env, b]]`, want: `"a:prod:b"`},
		{name: "Join list parameter", expr: `!Join [",", !Ref Cidrs]`, want: `"10.0.0.0/8,192.168.0.0/16"`},
		{name: "Join long form", expr: `{Fn::Join: ["", ["arn:aws:s3:::", {Ref: Bucket}]]}`, want: `"arn:aws:s3:::data-prod"`},
		{name: "Join undecided list", expr: `!Join [",", !GetAZs ""]`, want: `"${Fn::GetAZs}"`, notes: []string{"Fn::GetAZs: the availability zones are listed at deploy"}},
		{name: "Join bad arguments", expr: `!Join [","]`, want: `"${Fn::Join}"`, notes: []string{"Fn::Join takes [delimiter, list]"}},
		// Fn::Select and Fn::Split
		{name: "Select", expr: "!Select [1, !Ref Cidrs]", want: `"192.168.0.0/16"`},
		{name: "Select index from Ref", expr: "!Select [!Ref Count, [a, b, c]]", want: `"c"`},
		{name: "Select out of range", expr: "!Select [5, [a]]", want: `"${Fn::Select}"`, notes: []string{"Fn::Select: index 5 is not in the list"}},
		{name: "Select undecided list", expr: `!Select [0, !GetAZs ""]`, want: `"${Fn::GetAZs[0]}"`, notes: []string{"Fn::GetAZs"}},
		{name: "Split", expr: `!Split [",", "a,b,c"]`, want: `["a","b","c"]`},
		{name: "Select of Split", expr: `!Select [2, !Split [",", !Join [",", [a, b, !Ref Env]]]]`, want: `"prod"`},
		{name: "Split undecided", expr: `!Split [",", !Ref NoDefault]`, want: `["${NoDefault}"]`, notes: []string{"parameter NoDefault"}},
		// Fn::If and conditions
		{name: "If true", expr: "!If [IsProd, yes, no]", want: `"yes"`},
		{name: "If false", expr: "!If [IsDev, yes, no]", want: `"no"`},
		{name: "If undecided", expr: "!If [Undecided, yes, no]", want: `"yes"`, notes: []string{"Fn::If Undecided: undecidable (parameter NoDefault has no Default and no value was given); assumed true"}},
		{name: "If decided by a given parameter", expr: "!If [Undecided, yes, no]", reader: &grants.Reader{Parameters: map[string]string{"NoDefault": "y"}}, want: `"no"`},
		{name: "If And", expr: "!If [Both, yes, no]", want: `"no"`},
		{name: "If Or", expr: "!If [Either, yes, no]", want: `"yes"`},
		{name: "If Or undecided", expr: "!If [EitherUndecided, yes, no]", want: `"yes"`, notes: []string{"assumed true"}},
		{name: "If on lists compared", expr: "!If [ListEq, yes, no]", want: `"yes"`},
		{name: "If on an Fn::If compared", expr: "!If [IfInEquals, yes, no]", want: `"yes"`},
		{name: "If with a cycle", expr: "!If [LoopA, yes, no]", want: `"yes"`, notes: []string{"refers to itself"}},
		{name: "If unknown condition", expr: "!If [Nope, yes, no]", want: `"yes"`, notes: []string{"no condition named Nope"}},
		{name: "If NoValue", expr: "[a, !If [IsDev, b, !Ref AWS::NoValue]]", want: `["a"]`},
		{name: "If long form", expr: "{Fn::If: [IsProd, {Ref: Env}, none]}", want: `"prod"`},
		{name: "Equals as a value", expr: "!Equals [!Ref Env, prod]", want: `true`},
		{name: "Not as a value", expr: "!Not [!Equals [a, b]]", want: `true`},
		// The rest
		{name: "FindInMap", expr: "!FindInMap [Regions, !Ref AWS::Region, Short]", want: `"euw1"`},
		{name: "FindInMap list", expr: "!FindInMap [Regions, !Ref AWS::Region, Zones]", want: `["a","b"]`},
		{name: "FindInMap undecided key", expr: "!FindInMap [Regions, !Ref AWS::Region, Short]", reader: &grants.Reader{}, want: `"${Fn::FindInMap:Regions:AWS::Region}"`, notes: []string{"AWS::Region is not known"}},
		{name: "FindInMap missing", expr: "!FindInMap [Regions, us-east-1, Short]", want: `"${Fn::FindInMap:Regions:us-east-1:Short}"`, notes: []string{"Fn::FindInMap: Mappings has no Regions.us-east-1.Short"}},
		{name: "FindInMap default", expr: "!FindInMap [Regions, us-east-1, Short, {DefaultValue: other}]", want: `"other"`},
		{name: "ImportValue", expr: "!ImportValue shared-bucket-arn", want: `"${ImportValue:shared-bucket-arn}"`, notes: []string{"Fn::ImportValue shared-bucket-arn: another stack's export, known at deploy"}},
		{name: "ImportValue of Sub", expr: `!ImportValue {Fn::Sub: "${Env}-arn"}`, want: `"${ImportValue:prod-arn}"`, notes: []string{"Fn::ImportValue prod-arn"}},
		{name: "Base64", expr: "!Base64 hello", want: `"aGVsbG8="`},
		{name: "Cidr", expr: `!Cidr ["10.0.0.0/16", 3, 8]`, want: `["10.0.0.0/24","10.0.1.0/24","10.0.2.0/24"]`},
		{name: "Cidr unaligned block", expr: `!Cidr ["10.0.5.7/16", 2, 12]`, want: `["10.0.0.0/20","10.0.16.0/20"]`},
		{name: "Cidr IPv6", expr: `!Cidr ["2001:db8::/56", 2, 64]`, want: `["2001:db8::/64","2001:db8:0:1::/64"]`},
		{name: "Cidr too many", expr: `!Cidr ["10.0.0.0/24", 3, 7]`, want: `["${Fn::Cidr}"]`, notes: []string{"Fn::Cidr: 10.0.0.0/24 holds fewer than 3 subnets of 7 host bits"}},
		{name: "Cidr invalid", expr: `!Cidr ["nonsense", 2, 8]`, want: `["${Fn::Cidr}"]`, notes: []string{"Fn::Cidr: cannot split nonsense"}},
		{name: "GetAZs", expr: `!GetAZs ""`, want: `["${Fn::GetAZs}"]`, notes: []string{"Fn::GetAZs"}},
		{name: "Length", expr: "!Length [a, b, c]", want: `3`},
		{name: "ToJsonString", expr: "!ToJsonString {b: [1, x], a: <&>}", want: `"{\"a\":\"<&>\",\"b\":[1,\"x\"]}"`},
		{name: "Transform", expr: "!Transform {Name: AWS::Include}", want: `"${Fn::Transform}"`, notes: []string{"Fn::Transform: a macro's output is known at deploy"}},
		{name: "unsupported function", expr: "{Fn::Frobnicate: x}", want: `"${Fn::Frobnicate}"`, notes: []string{"Fn::Frobnicate is not supported"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := known
			if tc.reader != nil {
				r = *tc.reader
			}
			src := strings.Replace(probeTemplate, "EXPR", tc.expr, 1)
			in, err := r.Read("probe.yaml", []byte(src))
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			var probe *grants.Grant
			for i, g := range in.Grants {
				if g.Source == "probe.yaml: Resources.Probe" {
					probe = &in.Grants[i]
				}
			}
			if probe == nil {
				t.Fatalf("no grant from Resources.Probe in %+v", in.Grants)
			}
			var doc struct {
				Statement []map[string]json.RawMessage
			}
			if err := json.Unmarshal(probe.Document, &doc); err != nil || len(doc.Statement) != 1 {
				t.Fatalf("document %s: %v", probe.Document, err)
			}
			if got := string(doc.Statement[0]["Resource"]); got != tc.want {
				t.Errorf("Resource %s, want %s", got, tc.want)
			}
			if len(tc.notes) == 0 && len(probe.Conditional) > 0 {
				t.Errorf("unexpected notes %q", probe.Conditional)
			}
			for _, n := range tc.notes {
				found := false
				for _, c := range probe.Conditional {
					if strings.Contains(c, n) {
						found = true
					}
				}
				if !found {
					t.Errorf("no note containing %q in %q", n, probe.Conditional)
				}
			}
		})
	}
}

// TestIntrinsicsJSON reads the same functions in a JSON template, where
// only the long forms exist.
func TestIntrinsicsJSON(t *testing.T) {
	tmpl := `{"Parameters": {"Env": {"Type": "String", "Default": "prod"}},
	  "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
	  "Resources": {
	    "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Fn::Join": ["-", ["data", {"Ref": "Env"}]]}}},
	    "Probe": {"Type": "AWS::S3::BucketPolicy", "Condition": "IsProd", "Properties": {"Bucket": {"Ref": "Bucket"}, "PolicyDocument": {
	      "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
	        "Resource": [{"Fn::Sub": ["${Arn}/*", {"Arn": {"Fn::GetAtt": ["Bucket", "Arn"]}}]}, {"Fn::If": ["IsProd", {"Fn::Select": ["0", {"Fn::Split": ["|", "x|y"]}]}, {"Ref": "AWS::NoValue"}]}]}]}}}}}`
	in, err := grants.Reader{AccountID: "210987654321"}.Read("probe.json", []byte(tmpl))
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Grants) != 1 {
		t.Fatalf("grants %+v", in.Grants)
	}
	want := `{"Statement":[{"Action":"s3:GetObject","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Resource":["arn:aws:s3:::data-prod/*","x"]}]}`
	if got := string(in.Grants[0].Document); got != want || len(in.Grants[0].Conditional) > 0 {
		t.Errorf("document %s %q, want %s", got, in.Grants[0].Conditional, want)
	}
}

// TestCloudFormationPoliciesOnly: a template that defines managed
// policies and no principal compares the policies themselves.
func TestCloudFormationPoliciesOnly(t *testing.T) {
	in, err := grants.Read("p.yaml", []byte(`
Resources:
  Shared:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: {Statement: [{Effect: Allow, Action: sqs:SendMessage, Resource: "*"}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	sel, err := in.For("")
	if err != nil || len(sel.Grants) != 1 || sel.Grants[0].Source != "p.yaml: Resources.Shared" || len(in.Warnings) > 0 {
		t.Errorf("For(\"\") = %+v, %v; warnings %q", sel, err, in.Warnings)
	}
}

// TestResourceConditions checks that a resource whose Condition is false
// is left out and one whose Condition is undecided is kept with a note.
func TestResourceConditions(t *testing.T) {
	tmpl := `
Parameters:
  Env: {Type: String, Default: prod}
  Flag: {Type: String}
Conditions:
  IsDev: !Equals [!Ref Env, dev]
  FlagOn: !Equals [!Ref Flag, "on"]
Resources:
  DevRole:
    Type: AWS::IAM::Role
    Condition: IsDev
    Properties:
      Policies: [{PolicyName: p, PolicyDocument: {Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}}]
  FlagRole:
    Type: AWS::IAM::Role
    Condition: FlagOn
    Properties:
      RoleName: flagged
      Policies: [{PolicyName: p, PolicyDocument: {Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "*"}]}}]
`
	in, err := grants.Read("c.yaml", []byte(tmpl))
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Principals) != 1 || in.Principals[0].Name != "flagged" {
		t.Fatalf("principals %+v, want only the flagged role", in.Principals)
	}
	if len(in.Grants) != 1 || len(in.Grants[0].Conditional) != 1 ||
		in.Grants[0].Conditional[0] != "Resources.FlagRole exists only if condition FlagOn holds, which is undecidable (parameter Flag has no Default and no value was given); assumed it does" {
		t.Errorf("grants %+v", in.Grants)
	}
}
