package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
)

const (
	acct       = stubAccount
	queueARN   = "arn:aws:sqs:us-east-1:123456789012:e2e-queue"
	tableARN   = "arn:aws:dynamodb:us-east-1:123456789012:table/e2e-table"
	topicARN   = "arn:aws:sns:us-east-1:123456789012:e2e-topic"
	keyARN     = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	lambdaRole = "arn:aws:iam::123456789012:role/e2e-lambda-role"
)

// coverage collects the operations each client passed.
type coverage struct {
	mu   sync.Mutex
	byOp map[string]map[string]bool // "service/Operation" → clients
	ran  map[string]bool            // clients that ran to the end
}

func (c *coverage) clients() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.ran)
}

func (c *coverage) add(client string, ws []want) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ran == nil {
		c.ran = map[string]bool{}
	}
	c.ran[client] = true
	if c.byOp == nil {
		c.byOp = map[string]map[string]bool{}
	}
	for _, x := range ws {
		k := x.service + "/" + x.op
		if c.byOp[k] == nil {
			c.byOp[k] = map[string]bool{}
		}
		c.byOp[k][client] = true
	}
}

func distinctOps(ws []want) map[string]bool {
	m := map[string]bool{}
	for _, x := range ws {
		m[x.service+"/"+x.op] = true
	}
	return m
}

// TestClients runs each real client through `iamwatch run --upstream` (the
// clients keep real AWS hostnames and iamwatch intercepts them) and checks
// that every operation is recorded with its service, operation, actions
// and ARNs. Together they must cover at least 40 operations of at least 10
// services.
func TestClients(t *testing.T) {
	st := newStub(t)
	cov := &coverage{}
	clients := []struct {
		name string
		fn   func(*testing.T, *stub) []want
	}{
		{"awscli", testAWSCLI},
		{"boto3", testBoto3},
		{"go", testGoSDK},
		{"js", testJSSDK},
	}
	t.Run("clients", func(t *testing.T) {
		for _, c := range clients {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				passed := c.fn(t, st)
				cov.add(c.name, passed)
				if n := len(distinctOps(passed)); n < 5 && !t.Failed() {
					t.Errorf("%s contributed %d distinct operations; want at least 5", c.name, n)
				}
			})
		}
	})
	t.Logf("wire protocols by client and signing name: %v", st.protocolsSeen())
	for _, r := range st.requests() {
		if r.Expect != "" || r.Encoding != "" {
			t.Logf("wire: %s %s%s expect=%q content-encoding=%q ua=%.40s", r.Method, r.Host, r.Path, r.Expect, r.Encoding, r.UA)
		}
	}
	var ops []string
	services := map[string]bool{}
	for k, cs := range cov.byOp {
		var names []string
		for n := range cs {
			names = append(names, n)
		}
		sort.Strings(names)
		ops = append(ops, fmt.Sprintf("%-45s %s", k, strings.Join(names, " ")))
		svc, _, _ := strings.Cut(k, "/")
		services[svc] = true
	}
	sort.Strings(ops)
	t.Logf("operation × client matrix (%d operations, %d services):\n%s", len(ops), len(services), strings.Join(ops, "\n"))
	if t.Failed() {
		return
	}
	if ran := cov.clients(); ran < len(clients) {
		t.Skipf("%d of %d clients ran (skipped, or not selected by -run): the coverage check needs all", ran, len(clients))
	}
	if len(ops) < 40 || len(services) < 10 {
		t.Errorf("the clients covered %d operations of %d services; want at least 40 of 10", len(ops), len(services))
	}
}

// runClient runs one client under `iamwatch run --upstream` and returns
// the recorded calls, after the checks every client shares.
func runClient(t *testing.T, st *stub, session string, extraEnv []string, cmdline ...string) (policy string, calls []call, stderr string) {
	t.Helper()
	e := newEnv(t, extraEnv...)
	out := filepath.Join(e.dir, "policy.json")
	r := e.run(t, session, []string{"--upstream", st.URL, "--account-id", acct, "--out", out}, cmdline...)
	if r.code != 0 {
		t.Errorf("iamwatch run exited %d; stderr:\n%s\nstdout:\n%s", r.code, r.stderr, r.stdout)
	}
	calls = e.calls(t, r)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Errorf("iamwatch run --out wrote no policy: %v", err)
	}
	if testing.Verbose() {
		t.Logf("policy:\n%s", b)
	}
	assertNoSecrets(t, []string{r.db, out}, map[string]string{"stderr": r.stderr})
	logCalls(t, calls)
	return string(b), calls, r.stderr
}

func testAWSCLI(t *testing.T, st *stub) []want {
	requireAWSCLI(t)
	policy, calls, stderr := runClient(t, st, "awscli", nil, python3, filepath.Join("cli", "batch.py"), filepath.Join("cli", "mitm.txt"))
	noneUnrecognized(t, calls)
	wants := []want{
		w("s3", "PutObject", "s3:PutObject=arn:aws:s3:::e2e-bucket/cli/object.txt"),
		w("s3", "GetObject", "s3:GetObject=arn:aws:s3:::e2e-bucket/cli/object.txt"),
		w("s3", "ListObjectsV2", "s3:ListBucket=arn:aws:s3:::e2e-bucket"),
		w("s3", "HeadBucket", "s3:ListBucket=arn:aws:s3:::iamwatch-denied-bucket").denied("Forbidden"),
		w("dynamodb", "PutItem", "dynamodb:PutItem="+tableARN),
		w("dynamodb", "GetItem", "dynamodb:GetItem="+tableARN),
		w("dynamodb", "DescribeTable", "dynamodb:DescribeTable=arn:aws:dynamodb:us-east-1:123456789012:table/iamwatch-denied-table").denied("AccessDeniedException"),
		w("sqs", "SendMessage", "sqs:SendMessage="+queueARN),
		w("sts", "AssumeRole", "sts:AssumeRole=arn:aws:iam::123456789012:role/e2e-cli-role"),
		w("ec2", "DescribeInstances", "ec2:DescribeInstances"),
		w("ec2", "RunInstances", "ec2:RunInstances=arn:aws:ec2:us-east-1::image/ami-12345678", "ec2:RunInstances=arn:aws:ec2:us-east-1:123456789012:subnet/subnet-12345678"),
		w("ec2", "CreateTags", "ec2:CreateTags=arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0").denied("UnauthorizedOperation"),
		w("kms", "Encrypt", "kms:Encrypt="+keyARN),
		w("sns", "Publish", "sns:Publish="+topicARN),
		w("ssm", "GetParameter", "ssm:GetParameter=arn:aws:ssm:us-east-1:123456789012:parameter/e2e/param"),
		w("secretsmanager", "GetSecretValue", "secretsmanager:GetSecretValue=arn:aws:secretsmanager:us-east-1:123456789012:secret:e2e-secret-??????"),
		w("logs", "PutLogEvents", "logs:PutLogEvents=arn:aws:logs:us-east-1:123456789012:log-group:e2e-group:log-stream:e2e-stream"),
		w("monitoring", "PutMetricData", "cloudwatch:PutMetricData"),
		w("lambda", "CreateFunction", "lambda:CreateFunction=arn:aws:lambda:us-east-1:123456789012:function:e2e-cli-fn", "iam:PassRole="+lambdaRole),
		w("route53", "ListHostedZones", "route53:ListHostedZones"),
		// A list of IDs is one resource each, in the ec2 and query protocols.
		w("ec2", "ReleaseHosts", "ec2:ReleaseHosts=arn:aws:ec2:us-east-1:123456789012:dedicated-host/h-0123456789abcdef0",
			"ec2:ReleaseHosts=arn:aws:ec2:us-east-1:123456789012:dedicated-host/h-0fedcba9876543210"),
		w("elasticloadbalancing", "AddTags", "elasticloadbalancing:AddTags=arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/e2e-lb1",
			"elasticloadbalancing:AddTags=arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/e2e-lb2"),
	}
	passed := check(t, calls, "proxy", wants)
	checkPolicy(t, policy, wants)
	checkCSMDeduped(t, calls, stderr)
	return passed
}

func testBoto3(t *testing.T, st *stub) []want {
	requireBoto3(t)
	policy, calls, stderr := runClient(t, st, "boto3", nil, python3, filepath.Join("py", "ops.py"), "mitm")
	noneUnrecognized(t, calls)
	wants := []want{
		w("s3", "ListBuckets", "s3:ListAllMyBuckets"),
		w("s3", "CreateMultipartUpload", "s3:PutObject=arn:aws:s3:::e2e-bucket/py/big.bin"),
		w("s3", "UploadPart", "s3:PutObject=arn:aws:s3:::e2e-bucket/py/big.bin"),
		w("s3", "CompleteMultipartUpload", "s3:PutObject=arn:aws:s3:::e2e-bucket/py/big.bin"),
		w("s3", "CopyObject", "s3:GetObject=arn:aws:s3:::e2e-bucket/py/big.bin", "s3:PutObject=arn:aws:s3:::e2e-bucket/py/copy.bin"),
		// A versionId makes GetObject need s3:GetObjectVersion.
		w("s3", "GetObject", "s3:GetObjectVersion=arn:aws:s3:::e2e-bucket/py/copy.bin"),
		w("s3", "PutObjectTagging", "s3:PutObjectTagging=arn:aws:s3:::e2e-bucket/py/copy.bin"),
		w("s3", "DeleteObject", "s3:DeleteObject=arn:aws:s3:::e2e-bucket/py/copy.bin"),
		w("s3", "PutObject", "s3:PutObject=arn:aws:s3:::iamwatch-denied-bucket/py/x").denied("AccessDenied"),
		w("dynamodb", "Query", "dynamodb:Query="+tableARN),
		w("dynamodb", "UpdateItem", "dynamodb:UpdateItem="+tableARN),
		w("dynamodb", "DeleteItem", "dynamodb:DeleteItem="+tableARN),
		w("dynamodb", "BatchWriteItem", "dynamodb:BatchWriteItem="+tableARN),
		w("sqs", "ReceiveMessage", "sqs:ReceiveMessage="+queueARN),
		w("sqs", "DeleteMessage", "sqs:DeleteMessage="+queueARN),
		w("sqs", "SendMessage", "sqs:SendMessage=arn:aws:sqs:us-east-1:123456789012:iamwatch-denied-queue").denied("AccessDenied"),
		w("sns", "CreateTopic", "sns:CreateTopic="+topicARN),
		w("sns", "Subscribe", "sns:Subscribe="+topicARN),
		w("kms", "Decrypt", "kms:Decrypt="+keyARN),
		w("kms", "GenerateDataKey", "kms:GenerateDataKey="+keyARN),
		w("ssm", "GetParametersByPath", "ssm:GetParametersByPath=arn:aws:ssm:us-east-1:123456789012:parameter/e2e/"),
		w("secretsmanager", "DescribeSecret", "secretsmanager:DescribeSecret=arn:aws:secretsmanager:us-east-1:123456789012:secret:e2e-secret-??????"),
		w("secretsmanager", "GetSecretValue", "secretsmanager:GetSecretValue=arn:aws:secretsmanager:us-east-1:123456789012:secret:e2e-partial-??????"),
		// IAM policies grant on a log group as log-group:NAME:* (CloudWatch Logs User Guide).
		w("logs", "CreateLogGroup", "logs:CreateLogGroup=arn:aws:logs:us-east-1:123456789012:log-group:e2e-group:*"),
		w("logs", "CreateLogStream", "logs:CreateLogStream=arn:aws:logs:us-east-1:123456789012:log-group:e2e-group:log-stream:e2e-stream"),
		w("logs", "FilterLogEvents", "logs:FilterLogEvents=arn:aws:logs:us-east-1:123456789012:log-group:e2e-group:*"),
		w("monitoring", "PutMetricAlarm", "cloudwatch:PutMetricAlarm=arn:aws:cloudwatch:us-east-1:123456789012:alarm:e2e-alarm"),
		w("ec2", "DescribeVpcs", "ec2:DescribeVpcs"),
		w("ec2", "CreateSecurityGroup", "ec2:CreateSecurityGroup=arn:aws:ec2:us-east-1:123456789012:vpc/vpc-12345678"),
		w("ec2", "StopInstances", "ec2:StopInstances=arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"),
		w("iam", "GetRole", "iam:GetRole=arn:aws:iam::123456789012:role/e2e-role"),
		w("iam", "ListRoles", "iam:ListRoles"),
		w("lambda", "Invoke", "lambda:InvokeFunction=arn:aws:lambda:us-east-1:123456789012:function:e2e-fn"),
		w("lambda", "GetFunction", "lambda:GetFunction=arn:aws:lambda:us-east-1:123456789012:function:e2e-fn"),
		w("lambda", "DeleteFunction", "lambda:DeleteFunction=arn:aws:lambda:us-east-1:123456789012:function:iamwatch-denied-fn").denied("AccessDeniedException"),
		w("kinesis", "PutRecord", "kinesis:PutRecord=arn:aws:kinesis:us-east-1:123456789012:stream/e2e-stream"),
		w("events", "PutEvents", "events:PutEvents=arn:aws:events:us-east-1:123456789012:event-bus/e2e-bus"),
		w("states", "StartExecution", "states:StartExecution=arn:aws:states:us-east-1:123456789012:stateMachine:e2e-sm"),
		// A stack named by name: its ARN's ID part is not known.
		w("cloudformation", "DescribeStacks", "cloudformation:DescribeStacks=arn:aws:cloudformation:us-east-1:123456789012:stack/e2e-stack/*"),
		// GetCallerIdentity needs no permission.
		w("sts", "GetCallerIdentity"),
	}
	passed := check(t, calls, "proxy", wants)
	checkPolicy(t, policy, wants)
	checkCSMDeduped(t, calls, stderr)
	return passed
}

func testGoSDK(t *testing.T, st *stub) []want {
	requireGoClient(t)
	policy, calls, _ := runClient(t, st, "go", nil, goClientBin)
	noneUnrecognized(t, calls)
	wants := []want{
		w("sts", "GetCallerIdentity"),
		w("s3", "PutObject", "s3:PutObject=arn:aws:s3:::e2e-bucket/go/object.txt"), // aws-chunked body
		w("s3", "GetObject", "s3:GetObject=arn:aws:s3:::e2e-bucket/go/object.txt"),
		w("s3", "HeadObject", "s3:GetObject=arn:aws:s3:::e2e-bucket/go/object.txt"),
		w("s3", "DeleteObjects", "s3:DeleteObject"),
		w("s3", "GetObject", "s3:GetObject=arn:aws:s3:::iamwatch-denied-bucket/go/object.txt").denied("AccessDenied"),
		w("dynamodb", "PutItem", "dynamodb:PutItem="+tableARN),
		w("dynamodb", "GetItem", "dynamodb:GetItem="+tableARN),
		w("dynamodb", "Query", "dynamodb:Query="+tableARN+"/index/by-v"),
		w("dynamodb", "BatchGetItem", "dynamodb:BatchGetItem="+tableARN, "dynamodb:BatchGetItem=arn:aws:dynamodb:us-east-1:123456789012:table/e2e-other"),
		w("dynamodb", "DeleteItem", "dynamodb:DeleteItem=arn:aws:dynamodb:us-east-1:123456789012:table/iamwatch-denied-table").denied("AccessDeniedException"),
		w("sqs", "SendMessage", "sqs:SendMessage="+queueARN), // JSON protocol
		w("sqs", "ReceiveMessage", "sqs:ReceiveMessage="+queueARN),
		w("sqs", "GetQueueAttributes", "sqs:GetQueueAttributes="+queueARN),
		w("monitoring", "PutMetricData", "cloudwatch:PutMetricData"), // rpc-v2-cbor
		w("monitoring", "DescribeAlarms", "cloudwatch:DescribeAlarms").denied("AccessDeniedException"),
		w("compute-optimizer", "GetEnrollmentStatus", "compute-optimizer:GetEnrollmentStatus"), // rpc-v2-cbor
		w("sts", "AssumeRole", "sts:AssumeRole=arn:aws:iam::123456789012:role/e2e-go-role"),
		// Made with the assumed role's temporary key: iamwatch saw the
		// AssumeRole response and attributes the key to the role.
		w("s3", "ListObjectsV2", "s3:ListBucket=arn:aws:s3:::e2e-bucket").by("arn:aws:iam::123456789012:role/e2e-go-role"),
	}
	checkPolicy(t, policy, wants)
	return check(t, calls, "proxy", wants)
}

func testJSSDK(t *testing.T, st *stub) []want {
	requireNodeSDK(t)
	// Certificates the user gave Node must keep working beside iamwatch's
	// CA (this machine sets NODE_EXTRA_CA_CERTS to the system bundle).
	var extra []string
	if v := os.Getenv("NODE_EXTRA_CA_CERTS"); v != "" {
		extra = append(extra, "NODE_EXTRA_CA_CERTS="+v)
	}
	policy, calls, _ := runClient(t, st, "js", extra, "node", filepath.Join("js", "ops.mjs"))
	noneUnrecognized(t, calls)
	wants := []want{
		w("s3", "PutObject", "s3:PutObject=arn:aws:s3:::e2e-bucket/js/object.txt"),
		w("s3", "PutObject", "s3:PutObject=arn:aws:s3:::e2e-bucket/js/big.bin"), // Expect: 100-continue
		w("s3", "GetObject", "s3:GetObject=arn:aws:s3:::e2e-bucket/js/object.txt"),
		w("s3", "ListObjectsV2", "s3:ListBucket=arn:aws:s3:::e2e-bucket"),
		w("s3", "DeleteObject", "s3:DeleteObject=arn:aws:s3:::e2e-bucket/js/object.txt"),
		w("s3", "GetBucketPolicy", "s3:GetBucketPolicy=arn:aws:s3:::iamwatch-denied-bucket").denied("AccessDenied"),
		w("dynamodb", "PutItem", "dynamodb:PutItem="+tableARN),
		w("dynamodb", "Scan", "dynamodb:Scan="+tableARN),
		// TransactWriteItems is authorized as the action of each item.
		w("dynamodb", "TransactWriteItems", "dynamodb:PutItem="+tableARN),
		w("sqs", "SendMessage", "sqs:SendMessage="+queueARN),
		w("sqs", "ChangeMessageVisibility", "sqs:ChangeMessageVisibility="+queueARN),
		w("sqs", "SendMessage", "sqs:SendMessage=arn:aws:sqs:us-east-1:123456789012:iamwatch-denied-queue").denied("AccessDeniedException"),
		w("sts", "GetCallerIdentity"),
		w("sts", "AssumeRole", "sts:AssumeRole=arn:aws:iam::123456789012:role/e2e-js-role"),
		w("lambda", "CreateFunction", "lambda:CreateFunction=arn:aws:lambda:us-east-1:123456789012:function:e2e-js-fn", "iam:PassRole="+lambdaRole),
		w("lambda", "UpdateFunctionConfiguration", "lambda:UpdateFunctionConfiguration=arn:aws:lambda:us-east-1:123456789012:function:e2e-js-fn", "iam:PassRole=arn:aws:iam::123456789012:role/e2e-lambda-role2"),
		w("lambda", "Invoke", "lambda:InvokeFunction=arn:aws:lambda:us-east-1:123456789012:function:e2e-js-fn"),
		w("lambda", "Invoke", "lambda:InvokeFunction=arn:aws:lambda:us-east-1:123456789012:function:iamwatch-denied-fn").denied("AccessDeniedException"),
		w("kms", "Encrypt", "kms:Encrypt="+keyARN),
		w("kms", "Sign", "kms:Sign="+keyARN),
		w("monitoring", "PutMetricData", "cloudwatch:PutMetricData"), // JSON protocol
		w("logs", "DescribeLogStreams", "logs:DescribeLogStreams=arn:aws:logs:us-east-1:123456789012:log-group:e2e-group:*"),
		w("logs", "PutRetentionPolicy", "logs:PutRetentionPolicy=arn:aws:logs:us-east-1:123456789012:log-group:e2e-group:*"),
		w("bedrock", "InvokeModel", "bedrock:InvokeModel=arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0",
			"bedrock:InvokeModel=arn:aws:bedrock:*::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"),
		w("bedrock", "Converse", "bedrock:InvokeModel=arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"),
	}
	checkPolicy(t, policy, wants)
	return check(t, calls, "proxy", wants)
}

// checkCSMDeduped checks that the client reported each call it sent
// through the proxy by Client-Side Monitoring as well (iamwatch run sets
// AWS_CSM_ENABLED/HOST/PORT), and that iamwatch matched every report to
// the proxied call instead of storing the call twice: `run` says how many
// calls CSM reported too, and no call is stored from CSM.
func checkCSMDeduped(t *testing.T, calls []call, stderr string) {
	t.Helper()
	t.Run("csm", func(t *testing.T) {
		for _, c := range calls {
			if c.Source == "csm" {
				t.Errorf("a CSM report matched no proxied call and was stored: %s", c)
			}
		}
		m := regexp.MustCompile(`iamwatch: (\d+) AWS calls? (\((all |(\d+) of them )?also reported by CSM\) )?in session`).FindStringSubmatch(stderr)
		switch {
		case m == nil:
			t.Errorf("no summary line in stderr:\n%s", stderr)
		case m[2] == "":
			t.Errorf("CSM reported none of the %s calls: %s", m[1], m[0])
		case m[4] != "":
			t.Errorf("CSM reported %s of the %s calls, want all: %s", m[4], m[1], m[0])
		}
	})
}

// checkPolicy checks that the policy `iamwatch run --out` wrote when the
// client ended allows every action on every ARN the calls needed (denied
// calls included: they show what is missing).
func checkPolicy(t *testing.T, policy string, wants []want) {
	t.Helper()
	var doc struct {
		Statement []struct {
			Effect   string
			Action   stringList
			Resource stringList
		}
	}
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		t.Errorf("the policy is not JSON: %v\n%s", err, policy)
		return
	}
	allows := func(action, arn string) bool {
		for _, st := range doc.Statement {
			if st.Effect == "Allow" && contains(st.Action, action) && (arn == "" || contains(st.Resource, arn)) {
				return true
			}
		}
		return false
	}
	for _, x := range wants {
		for _, a := range x.actions {
			if !allows(a, "") {
				t.Errorf("the policy does not allow %s (for %s/%s)", a, x.service, x.op)
			}
		}
		for _, r := range x.arns {
			if !allows(r.Action, r.ARN) {
				t.Errorf("the policy does not allow %s on %s (for %s/%s)", r.Action, r.ARN, x.service, x.op)
			}
		}
	}
}

// stringList is a policy element that is a string or a list of them.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = []string{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(l))
}
