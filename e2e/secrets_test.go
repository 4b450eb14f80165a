package e2e

import (
	"context"
	"net/url"
	"path/filepath"
	"testing"
	"time"
)

// TestSecrets plants known secrets where real clients put them on the
// wire — the secret access key (it signs every request), a session token
// (X-Amz-Security-Token), a SecretsManager SecretString, an SSM
// SecureString value, an S3 object body, and passwords in request bodies
// (an RDS master password and IAM login profiles, from boto3 and the AWS
// CLI) — and has the stub answer with secrets too (GetSecretValue,
// GetParameter). None may reach the database (its WAL and journal
// included), iamwatch's stderr (with every call printed and debug
// logging), the policy file or `iamwatch calls`.
func TestSecrets(t *testing.T) {
	t.Parallel()
	requireBoto3(t)
	requireAWSCLI(t)
	st := newStub(t)
	e := newEnv(t, "AWS_ACCESS_KEY_ID="+plantedSessionKeyID, "AWS_SESSION_TOKEN="+plantedSessionToken)
	out := filepath.Join(e.dir, "policy.json")
	r := e.run(t, "secrets", []string{"--upstream", st.URL, "--account-id", acct, "--out", out, "--verbose", "--log-level", "debug"},
		python3, filepath.Join("py", "ops.py"), "secrets", plantedSecretString, plantedSecureValue, plantedPassword)
	if r.code != 0 {
		t.Fatalf("iamwatch run exited %d; stderr:\n%s", r.code, r.stderr)
	}
	calls := e.calls(t, r)
	noneUnrecognized(t, calls)
	passed := check(t, calls, "proxy", []want{
		w("secretsmanager", "CreateSecret", "secretsmanager:CreateSecret"),
		w("secretsmanager", "PutSecretValue", "secretsmanager:PutSecretValue=arn:aws:secretsmanager:us-east-1:123456789012:secret:e2e-planted-??????"),
		w("secretsmanager", "GetSecretValue", "secretsmanager:GetSecretValue=arn:aws:secretsmanager:us-east-1:123456789012:secret:e2e-planted-??????"),
		w("ssm", "PutParameter", "ssm:PutParameter=arn:aws:ssm:us-east-1:123456789012:parameter/e2e/planted"),
		w("ssm", "GetParameter", "ssm:GetParameter=arn:aws:ssm:us-east-1:123456789012:parameter/e2e/planted"),
		w("s3", "PutObject", "s3:PutObject=arn:aws:s3:::e2e-bucket/secrets/object.txt"),
		w("rds", "CreateDBInstance", "rds:CreateDBInstance"),
		w("iam", "CreateLoginProfile", "iam:CreateLoginProfile=arn:aws:iam::123456789012:user/e2e-planted-user"),
	})
	// The AWS CLI sends a password too.
	cliOut := filepath.Join(e.dir, "cli-policy.json")
	rc := e.run(t, "secrets-cli", []string{"--upstream", st.URL, "--account-id", acct, "--out", cliOut, "--verbose", "--log-level", "debug"},
		awsCLI, "iam", "create-login-profile", "--user-name", "e2e-cli-user", "--password", plantedCLIPassword)
	if rc.code != 0 {
		t.Fatalf("iamwatch run (AWS CLI) exited %d; stderr:\n%s", rc.code, rc.stderr)
	}
	cliCalls := e.calls(t, rc)
	check(t, cliCalls, "proxy", []want{
		w("iam", "CreateLoginProfile", "iam:CreateLoginProfile=arn:aws:iam::123456789012:user/e2e-cli-user"),
	})
	if len(passed) == 0 {
		t.Fatal("nothing recorded: the secrets check would be vacuous")
	}
	for _, c := range calls {
		if c.Source == "proxy" && c.AccessKeyID != plantedSessionKeyID {
			t.Errorf("call %s has access key %q, want %q", c, c.AccessKeyID, plantedSessionKeyID)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	callsOut, callsErr, _ := e.iamwatch(t, ctx, "calls", "--db", r.db, "--session", r.session)
	callsJSON, _, _ := e.iamwatch(t, ctx, "calls", "--output", "json", "--db", r.db, "--session", r.session)
	sessions, _, _ := e.iamwatch(t, ctx, "sessions", "--db", r.db, "--output", "json")
	assertNoSecrets(t, []string{r.db, out, rc.db, cliOut}, map[string]string{
		"iamwatch run's stderr": r.stderr, "iamwatch run's stdout": r.stdout,
		"iamwatch run's stderr (AWS CLI)": rc.stderr, "iamwatch run's stdout (AWS CLI)": rc.stdout,
		"iamwatch calls": callsOut + callsErr, "iamwatch calls --output json": callsJSON, "iamwatch sessions": sessions,
	})
	// The planted values did pass through iamwatch (the stub saw them), so
	// their absence from what iamwatch wrote means something.
	for _, v := range []string{plantedSessionToken, plantedSecretString, plantedSecureValue, plantedPassword, plantedCLIPassword} {
		// Query-protocol bodies are form-encoded.
		if !st.sawOnWire(v) && !st.sawOnWire(url.QueryEscape(v)) {
			t.Errorf("the stub never saw %q: the client did not send it, so the check proves nothing", v)
		}
	}
}
