package e2e

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRunExitCode: a real client that fails makes `iamwatch run` exit with
// the client's code, and the policy printed at the end still holds what
// the client tried (a denied call is evidence of a missing permission).
func TestRunExitCode(t *testing.T) {
	t.Parallel()
	requireAWSCLI(t)
	st := newStub(t)
	e := newEnv(t)
	// The CLI v2 exits 254 when the service answers with an error.
	r := e.run(t, "exit-code", []string{"--upstream", st.URL, "--account-id", acct},
		awsCLI, "s3api", "head-bucket", "--bucket", "iamwatch-denied-bucket")
	if r.code != 254 {
		t.Fatalf("iamwatch run exited %d, want the AWS CLI's 254; stderr:\n%s", r.code, r.stderr)
	}
	for _, s := range []string{`"s3:ListBucket"`, `"arn:aws:s3:::iamwatch-denied-bucket"`} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("the policy on stdout lacks %s:\n%s", s, r.stdout)
		}
	}
	// One call: the CLI's CSM report of it is the same call, not a second.
	if !strings.Contains(r.stderr, `iamwatch: 1 AWS call (also reported by CSM) in session "exit-code"; minimal policy:`) {
		t.Errorf("stderr lacks the summary line:\n%s", r.stderr)
	}
	// The call was denied: say so, with the action it needed.
	if !strings.Contains(r.stderr, `iamwatch: 1 call was denied for lack of a permission (s3:ListBucket); the policy grants what they needed`) {
		t.Errorf("stderr lacks the denied-calls line:\n%s", r.stderr)
	}
	calls := e.calls(t, r)
	check(t, calls, "proxy", []want{w("s3", "HeadBucket", "s3:ListBucket=arn:aws:s3:::iamwatch-denied-bucket").denied("Forbidden")})
}

// TestRunSignal: SIGTERM sent to iamwatch reaches the client, which dies
// of it; iamwatch exits 128+15 and still records and prints the policy of
// what the client did before.
func TestRunSignal(t *testing.T) {
	t.Parallel()
	requireBoto3(t)
	st := newStub(t)
	e := newEnv(t)
	db := filepath.Join(e.dir, "signal.db")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, iamwatchBin, "run", "--db", db, "--session", "signal", "--upstream", st.URL, "--account-id", acct,
		"--", python3, filepath.Join("py", "ops.py"), "sleep", "60")
	cmd.Dir = e2eDir
	cmd.Env = e.vars
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The client prints "ready" once its call went through.
	out := bufio.NewReader(stdout)
	line, err := out.ReadString('\n')
	if err != nil || line != "ready\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("want ready from the client, got %q, %v; stderr:\n%s", line, err, stderr.String())
	}
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(out)
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 143 {
		t.Fatalf("iamwatch ended with %v, want exit status 143; stderr:\n%s", err, stderr.String())
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("iamwatch took %v to end after SIGTERM", d)
	}
	for _, s := range []string{`"s3:ListBucket"`, `"arn:aws:s3:::e2e-bucket"`} {
		if !strings.Contains(string(rest), s) {
			t.Errorf("the policy on stdout lacks %s:\n%s", s, rest)
		}
	}
	calls := e.calls(t, runResult{db: db, session: "signal"})
	check(t, calls, "proxy", []want{w("s3", "ListObjectsV2", "s3:ListBucket=arn:aws:s3:::e2e-bucket")})
}
