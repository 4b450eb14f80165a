package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// cli runs the command line in-process and returns its stdout, stderr and
// exit code.
func cli(t *testing.T, home string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"--home", home}, args...), strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

// TestImportCloudTrail imports the CloudTrail fixtures (a trail's gzipped
// log files in their S3 layout, a plain log file and lookup-events output)
// into a real database, and checks the calls and the policy against golden
// files; then imports them again, which must add nothing.
func TestImportCloudTrail(t *testing.T) {
	const fixtures = "../../proxy/cloudtrail/testdata"
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	db := filepath.Join(dir, "ct.db")
	args := []string{"import", "cloudtrail", "--db", db, "--session", "orders", "--output", "json",
		fixtures + "/logs", fixtures + "/plain/orders-events.json", fixtures + "/lookup/lookup-events.json"}

	stdout, stderr, code := cli(t, home, args...)
	if code != 0 {
		t.Fatalf("import: exit %d\n%s", code, stderr)
	}
	golden(t, filepath.Join("testdata", "cloudtrail", "import.json"), []byte(stdout))
	for _, note := range []string{
		"iamwatch: note: no Lambda data events in these logs: function invocations (lambda:InvokeFunction, …) cannot be seen",
		"iamwatch: note: no SNS data events in these logs: publishing (sns:Publish, …) cannot be seen",
	} {
		if !strings.Contains(stderr, note) {
			t.Errorf("stderr lacks %q:\n%s", note, stderr)
		}
	}
	var first importCloudTrailJSON
	if err := json.Unmarshal([]byte(stdout), &first); err != nil {
		t.Fatal(err)
	}
	if first.Events < 50 || first.Added != int64(first.Events) || first.Files != 4 {
		t.Fatalf("first import: %+v", first)
	}

	calls, stderr, code := cli(t, home, "calls", "--db", db, "--session", "orders", "--output", "json")
	if code != 0 {
		t.Fatalf("calls: exit %d\n%s", code, stderr)
	}
	golden(t, filepath.Join("testdata", "cloudtrail", "calls.json"), []byte(calls))
	policy, stderr, code := cli(t, home, "policy", "--db", db, "--session", "orders")
	if code != 0 {
		t.Fatalf("policy: exit %d\n%s", code, stderr)
	}
	golden(t, filepath.Join("testdata", "cloudtrail", "policy.json"), []byte(policy))

	// Again: every event is already there.
	stdout, stderr, code = cli(t, home, args...)
	if code != 0 {
		t.Fatalf("second import: exit %d\n%s", code, stderr)
	}
	var second importCloudTrailJSON
	if err := json.Unmarshal([]byte(stdout), &second); err != nil {
		t.Fatal(err)
	}
	if second.Added != 0 || second.AlreadyStored != int64(first.Events) {
		t.Fatalf("second import added %d, found %d already stored; want 0 and %d", second.Added, second.AlreadyStored, first.Events)
	}
	again, _, _ := cli(t, home, "calls", "--db", db, "--output", "json")
	if again != calls {
		t.Fatal("the second import changed the calls")
	}

	sessions, _, _ := cli(t, home, "sessions", "--db", db, "--output", "json")
	if !strings.Contains(sessions, `"cloudtrail.unseen": "lambda data-events, sns data-events"`) {
		t.Errorf("session labels lack what the logs cannot show:\n%s", sessions)
	}

	// The records' responseElements hold STS credentials: none of it may
	// reach the database.
	files, _ := filepath.Glob(db + "*")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"IQoJb3JpZ2lu", "ASIAI44QH8DHBEXAMPLE", "HIDDEN_DUE_TO_SECURITY_REASONS"} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s holds %q from a record's response or parameters", filepath.Base(f), secret)
			}
		}
	}
}

func TestCloudTrailSessionName(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"./trail/"}, "cloudtrail-trail"},
		{[]string{"events.json"}, "cloudtrail-events"},
		{[]string{"x/111122223333_CloudTrail_us-east-1_20260314T0905Z_abc.json.gz", "b.json"}, "cloudtrail-111122223333_CloudTrail_us-east-1_20260314T0905Z_abc+1"},
		{[]string{"/"}, "cloudtrail-logs"},
		{[]string{"release.v2.json"}, "cloudtrail-release.v2"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			if got := cloudTrailSessionName(tt.args); got != tt.want {
				t.Fatalf("cloudTrailSessionName = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCloudTrailFiles(t *testing.T) {
	files, err := cloudTrailFiles([]string{"../../proxy/cloudtrail/testdata/logs", "../../proxy/cloudtrail/testdata/plain/orders-events.json"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	// Lexical order; the digest file is left out.
	want := "111122223333_CloudTrail_eu-west-1_20260314T0935Z_8HvN2pRt5YcJ1sDe.json.gz " +
		"111122223333_CloudTrail_us-east-1_20260314T0905Z_3Kf9QxT2LmB7RwZc.json.gz orders-events.json"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("files %s\nwant %s", got, want)
	}
	if _, err := cloudTrailFiles([]string{t.TempDir()}); err == nil || !strings.Contains(err.Error(), "no CloudTrail log files") {
		t.Fatalf("empty directory: %v", err)
	}
}
