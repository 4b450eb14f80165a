package e2e

import (
	"path/filepath"
	"testing"
)

// TestCustomEndpoint runs the clients that send plain HTTP through
// HTTP_PROXY when given an endpoint URL — the Python ones: the AWS CLI v2
// (--endpoint-url) and boto3 (endpoint_url=) — against the stub as the
// endpoint, the way one uses LocalStack. `iamwatch run` has no --upstream:
// the request goes where the client sends it, and iamwatch takes the
// service and region from the SigV4 scope, since the host says nothing.
func TestCustomEndpoint(t *testing.T) {
	t.Parallel()
	st := newStub(t)
	endpoint := stubLocalhost(st)

	t.Cleanup(func() {
		for _, r := range st.requests() {
			t.Logf("wire: %s %s%s", r.Method, r.Host, r.Path)
		}
	})
	t.Run("boto3", func(t *testing.T) {
		t.Parallel()
		requireBoto3(t)
		e := newEnv(t)
		r := e.run(t, "boto3-endpoint", []string{"--account-id", acct}, python3, filepath.Join("py", "ops.py"), "endpoint", endpoint)
		if r.code != 0 {
			t.Fatalf("iamwatch run exited %d; stderr:\n%s", r.code, r.stderr)
		}
		calls := e.calls(t, r)
		logCalls(t, calls)
		noneUnrecognized(t, calls)
		check(t, calls, "proxy", []want{
			w("s3", "ListBuckets", "s3:ListAllMyBuckets"),
			w("s3", "PutObject", "s3:PutObject=arn:aws:s3:::e2e-bucket/ep/object.txt"),
			w("dynamodb", "GetItem", "dynamodb:GetItem="+tableARN),
			w("sqs", "SendMessage", "sqs:SendMessage="+queueARN),
			w("sts", "GetCallerIdentity"),
			w("dynamodb", "DescribeTable", "dynamodb:DescribeTable=arn:aws:dynamodb:us-east-1:123456789012:table/iamwatch-denied-table").denied("AccessDeniedException"),
		})
		assertNoSecrets(t, []string{r.db}, map[string]string{"stderr": r.stderr})
	})

	t.Run("awscli", func(t *testing.T) {
		t.Parallel()
		requireAWSCLI(t)
		e := newEnv(t)
		r := e.run(t, "awscli-endpoint", []string{"--account-id", acct}, python3, filepath.Join("cli", "batch.py"), "--endpoint-url", endpoint, filepath.Join("cli", "endpoint.txt"))
		if r.code != 0 {
			t.Fatalf("iamwatch run exited %d; stderr:\n%s", r.code, r.stderr)
		}
		calls := e.calls(t, r)
		logCalls(t, calls)
		noneUnrecognized(t, calls)
		check(t, calls, "proxy", []want{
			w("s3", "ListBuckets", "s3:ListAllMyBuckets"),
			w("s3", "PutObject", "s3:PutObject=arn:aws:s3:::e2e-bucket/ep/cli.txt"),
			w("dynamodb", "GetItem", "dynamodb:GetItem="+tableARN),
			w("sqs", "SendMessage", "sqs:SendMessage="+queueARN),
			// An alias names no key: the key is not known.
			w("kms", "Encrypt", "kms:Encrypt=arn:aws:kms:us-east-1:123456789012:key/*").denied("AccessDeniedException"),
		})
		assertNoSecrets(t, []string{r.db}, map[string]string{"stderr": r.stderr})
	})
}

// TestCSMOnly runs the clients that report Client-Side Monitoring — the
// AWS CLI v2 and boto3 — with an endpoint URL that NO_PROXY sends around
// the proxy, so that CSM is the only thing that sees their calls: each is
// recorded from its CSM report, with its service, operation and outcome
// (CSM carries no parameters, so no resources).
func TestCSMOnly(t *testing.T) {
	t.Parallel()
	st := newStub(t)
	endpoint := stubLocalhost(st)
	bypass := []string{"NO_PROXY=localhost,127.0.0.1", "no_proxy=localhost,127.0.0.1"}

	run := func(t *testing.T, session string, wants []want, cmdline ...string) {
		t.Helper()
		e := newEnv(t, bypass...)
		r := e.run(t, session, []string{"--account-id", acct}, cmdline...)
		if r.code != 0 {
			t.Fatalf("iamwatch run exited %d; stderr:\n%s", r.code, r.stderr)
		}
		calls := e.calls(t, r)
		logCalls(t, calls)
		noneUnrecognized(t, calls)
		for _, c := range calls {
			if c.Source != "csm" {
				t.Errorf("the proxy saw a call NO_PROXY sends around it: %s", c)
			}
		}
		check(t, calls, "csm", wants)
		assertNoSecrets(t, []string{r.db}, map[string]string{"stderr": r.stderr})
	}
	t.Run("boto3", func(t *testing.T) {
		t.Parallel()
		requireBoto3(t)
		run(t, "boto3-csm", []want{
			w("s3", "ListBuckets", "s3:ListAllMyBuckets"),
			w("s3", "PutObject", "s3:PutObject"),
			w("dynamodb", "GetItem", "dynamodb:GetItem"),
			w("sqs", "SendMessage", "sqs:SendMessage"),
			w("sts", "GetCallerIdentity"),
			w("dynamodb", "DescribeTable", "dynamodb:DescribeTable").denied("AccessDeniedException"),
		}, python3, filepath.Join("py", "ops.py"), "endpoint", endpoint)
	})
	t.Run("awscli", func(t *testing.T) {
		t.Parallel()
		requireAWSCLI(t)
		run(t, "awscli-csm", []want{
			w("s3", "ListBuckets", "s3:ListAllMyBuckets"),
			w("s3", "PutObject", "s3:PutObject"),
			w("dynamodb", "GetItem", "dynamodb:GetItem"),
			w("sqs", "SendMessage", "sqs:SendMessage"),
			w("kms", "Encrypt", "kms:Encrypt").denied("AccessDeniedException"),
		}, python3, filepath.Join("cli", "batch.py"), "--endpoint-url", endpoint, filepath.Join("cli", "endpoint.txt"))
	})
}
