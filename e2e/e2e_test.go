// Package e2e drives real AWS clients that nobody here wrote — the AWS CLI
// v2 and boto3 from Debian, aws-sdk-go-v2 and the JavaScript SDK v3 from
// npm — through `iamwatch run` against a local fake AWS, and checks what
// `iamwatch calls --output json` says they did.
//
// The clients are installed by scripts/test-deps.sh (make test-deps). When
// one is missing the tests that need it are skipped, unless CI=true, where
// a missing client fails.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Paths of the clients. The Debian AWS CLI is /usr/bin/aws: a pyenv shim
// earlier on PATH may be the CLI v1.
const (
	awsCLI  = "/usr/bin/aws"
	python3 = "/usr/bin/python3"
)

// Planted credentials. They must never appear in the store, iamwatch's
// stderr or the policy.
const (
	plantedKeyID        = "AKIAIOSFODNN7EXAMPLE"
	plantedSecretKey    = "e2ePlantedSecretKey/0123456789+abcdefghijk"
	plantedSessionKeyID = "ASIAE2EPLANTEDTOKEN1"
	plantedSessionToken = "e2e-planted-session-token-IQoJb3JpZ2luX2VjEMr"
	plantedSecretString = "e2e-planted-secret-string-5d41402abc4b2a76"
	plantedSecureValue  = "e2e-planted-securestring-7b502c3a1f48c860"
	plantedPassword     = "e2e-planted-Passw0rd!9f86d081884c7d65"
	plantedCLIPassword  = "e2e-planted-cli-Passw0rd!2c26b46b68ffc68f"
)

const region = "us-east-1"

// Built once by TestMain.
var (
	iamwatchBin string
	goClientBin string
	goClientErr error  // why the Go client did not build
	e2eDir      string // this package's directory
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	var err error
	e2eDir, err = os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	tmp, err := os.MkdirTemp("", "iamwatch-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	iamwatchBin = filepath.Join(tmp, "iamwatch")
	goClientBin = filepath.Join(tmp, "goclient")
	// The Go client is a module of its own, so that its SDK modules stay
	// out of iamwatch's go.mod. Both build at once.
	build := exec.Command("go", "build", "-o", iamwatchBin, "../cmd/iamwatch")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	goBuild := exec.Command("go", "build", "-o", goClientBin, ".")
	goBuild.Dir = "goclient"
	var goOut bytes.Buffer
	goBuild.Stdout, goBuild.Stderr = &goOut, &goOut
	if err := goBuild.Start(); err != nil {
		goClientErr = err
	}
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: build iamwatch:", err)
		return 1
	}
	if goClientErr == nil {
		if err := goBuild.Wait(); err != nil {
			goClientErr = fmt.Errorf("build e2e/goclient: %v\n%s", err, goOut.Bytes())
		}
	}
	return m.Run()
}

// inCI reports whether a missing client must fail rather than skip.
func inCI() bool { return os.Getenv("CI") == "true" }

// requireClient skips (or, in CI, fails) when a client is unavailable.
func requireClient(t *testing.T, ok bool, reason string) {
	t.Helper()
	if ok {
		return
	}
	if inCI() {
		t.Fatalf("%s (CI=true: clients are required; run scripts/test-deps.sh)", reason)
	}
	t.Skipf("%s; install it with: sh scripts/test-deps.sh", reason)
}

func requireAWSCLI(t *testing.T) {
	t.Helper()
	out, err := exec.Command(awsCLI, "--version").CombinedOutput()
	requireClient(t, err == nil && bytes.HasPrefix(out, []byte("aws-cli/2.")), fmt.Sprintf("the AWS CLI v2 (%s, Debian package awscli) is unavailable: %v %s", awsCLI, err, bytes.TrimSpace(out)))
}

func requireBoto3(t *testing.T) {
	t.Helper()
	out, err := exec.Command(python3, "-c", "import boto3").CombinedOutput()
	requireClient(t, err == nil, fmt.Sprintf("boto3 for %s (Debian package python3-boto3) is unavailable: %v %s", python3, err, bytes.TrimSpace(out)))
}

func requireGoClient(t *testing.T) {
	t.Helper()
	requireClient(t, goClientErr == nil, fmt.Sprintf("the aws-sdk-go-v2 client did not build (its modules: cd e2e/goclient && go mod download): %v", goClientErr))
}

func requireNodeSDK(t *testing.T) {
	t.Helper()
	_, err := exec.LookPath("node")
	_, statErr := os.Stat(filepath.Join(e2eDir, "js", "node_modules", "@aws-sdk", "client-s3"))
	requireClient(t, err == nil && statErr == nil, fmt.Sprintf("node or e2e/js/node_modules is missing (node: %v; SDK: %v)", err, statErr))
}

// dropped reports whether a variable of this machine's environment would
// change what the clients do: credentials, profiles, proxies, CA bundles.
func dropped(kv string) bool {
	k, _, _ := strings.Cut(kv, "=")
	switch {
	case strings.HasPrefix(k, "AWS_"), strings.HasPrefix(k, "IAMWATCH_"), strings.HasPrefix(k, "NODE_"):
		return true
	}
	switch strings.ToUpper(k) {
	case "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE", "HOME":
		return true
	}
	return false
}

// env is a client environment: fake credentials, empty AWS config files and
// a private home, plus extra.
type env struct {
	dir   string
	vars  []string
	extra []string
}

func newEnv(t *testing.T, extra ...string) *env {
	t.Helper()
	dir := t.TempDir()
	// iamwatch warns about a database directory others can read.
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"aws-config", "aws-credentials"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	e := &env{dir: dir}
	for _, kv := range os.Environ() {
		if !dropped(kv) {
			e.vars = append(e.vars, kv)
		}
	}
	e.vars = append(e.vars,
		"HOME="+filepath.Join(dir, "home"),
		"IAMWATCH_HOME="+filepath.Join(dir, "iamwatch"),
		"AWS_ACCESS_KEY_ID="+plantedKeyID,
		"AWS_SECRET_ACCESS_KEY="+plantedSecretKey,
		"AWS_DEFAULT_REGION="+region,
		"AWS_REGION="+region,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE="+filepath.Join(dir, "aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "aws-credentials"),
		"AWS_PAGER=",
		"AWS_MAX_ATTEMPTS=2",
		"PYTHONDONTWRITEBYTECODE=1",
	)
	e.vars = append(e.vars, extra...)
	return e
}

// runResult is one `iamwatch run`.
type runResult struct {
	code    int
	stdout  string
	stderr  string
	db      string
	session string
	dur     time.Duration
}

// iamwatch runs the binary with the env, in dir e2eDir.
func (e *env) iamwatch(t *testing.T, ctx context.Context, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.CommandContext(ctx, iamwatchBin, args...)
	cmd.Dir = e2eDir
	cmd.Env = e.vars
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return out.String(), errb.String(), ee.ExitCode()
		}
		t.Fatalf("iamwatch %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errb.String(), 0
}

// run runs `iamwatch run FLAGS -- CMD` recording into a fresh database.
func (e *env) run(t *testing.T, session string, flags []string, cmdline ...string) runResult {
	t.Helper()
	r := runResult{db: filepath.Join(e.dir, session+".db"), session: session}
	args := append([]string{"run", "--db", r.db, "--session", session}, flags...)
	args = append(args, "--")
	args = append(args, cmdline...)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start := time.Now()
	r.stdout, r.stderr, r.code = e.iamwatch(t, ctx, args...)
	r.dur = time.Since(start)
	t.Logf("iamwatch run %s: exit %d in %v", strings.Join(cmdline, " "), r.code, r.dur.Round(time.Millisecond))
	// iamwatch logs a warning for an unrecognized call, an upstream fault
	// or a store error: none may happen here.
	for _, line := range strings.Split(r.stderr, "\n") {
		if strings.Contains(line, " level=WARN ") || strings.Contains(line, " level=ERROR ") ||
			strings.HasPrefix(line, "iamwatch: warning:") || strings.HasPrefix(line, "iamwatch: error:") {
			t.Errorf("iamwatch complained: %s", line)
		}
	}
	return r
}

// call is one element of `iamwatch calls --output json`.
type call struct {
	Time         string              `json:"time"`
	Session      string              `json:"session"`
	AccessKeyID  string              `json:"access_key_id"`
	PrincipalARN string              `json:"principal_arn"`
	Region       string              `json:"region"`
	Service      string              `json:"service"`
	ServiceID    string              `json:"service_id"`
	Operation    string              `json:"operation"`
	Recognized   bool                `json:"recognized"`
	Reason       string              `json:"reason"`
	Actions      []string            `json:"actions"`
	Possible     []string            `json:"possible_actions"`
	Resources    []resource          `json:"resources"`
	Conditions   map[string][]string `json:"conditions"`
	Status       int                 `json:"status"`
	ErrorCode    string              `json:"error_code"`
	LatencyMS    float64             `json:"latency_ms"`
	Source       string              `json:"source"`
	Pending      bool                `json:"pending"`
}

type resource struct {
	Action string `json:"action"`
	ARN    string `json:"arn"`
}

func (c call) String() string {
	var res []string
	for _, r := range c.Resources {
		res = append(res, r.Action+"→"+r.ARN)
	}
	s := fmt.Sprintf("%s %s/%s status=%d", c.Source, c.Service, c.Operation, c.Status)
	if c.ErrorCode != "" {
		s += " error=" + c.ErrorCode
	}
	if !c.Recognized {
		s += " unrecognized(" + c.Reason + ")"
	}
	if c.PrincipalARN != "" {
		s += " principal=" + c.PrincipalARN
	}
	return s + " actions=" + strings.Join(c.Actions, ",") + " resources=" + strings.Join(res, " ")
}

// calls reads a session back with `iamwatch calls --output json`.
func (e *env) calls(t *testing.T, r runResult) []call {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, stderr, code := e.iamwatch(t, ctx, "calls", "--output", "json", "--session", r.session, "--db", r.db)
	if code != 0 {
		t.Fatalf("iamwatch calls: exit %d\n%s", code, stderr)
	}
	var cs []call
	if err := json.Unmarshal([]byte(out), &cs); err != nil {
		t.Fatalf("iamwatch calls --output json: %v\n%s", err, out)
	}
	return cs
}

// logCalls logs the calls with -v.
func logCalls(t *testing.T, calls []call) {
	t.Helper()
	if testing.Verbose() {
		for _, c := range calls {
			t.Log(c)
		}
	}
}

// want is one expected call: the operation, the actions it needs and
// the ARNs each must be allowed on.
type want struct {
	service, op string
	actions     []string
	arns        []resource // each must be among the call's resources
	errorCode   string     // when set, the call must have failed with it
	principal   string     // when set, the call's principal ARN
}

// w builds a want: actions are "svc:Action", optionally "svc:Action=ARN".
func w(service, op string, actions ...string) want {
	x := want{service: service, op: op}
	for _, a := range actions {
		act, arn, ok := strings.Cut(a, "=")
		x.actions = append(x.actions, act)
		if ok {
			x.arns = append(x.arns, resource{act, arn})
		}
	}
	return x
}

func (x want) denied(code string) want  { x.errorCode = code; return x }
func (x want) by(principal string) want { x.principal = principal; return x }

func (x want) String() string {
	return fmt.Sprintf("%s/%s %v %v", x.service, x.op, x.actions, x.arns)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (x want) matches(c call) bool {
	if c.Service != x.service || c.Operation != x.op || !c.Recognized {
		return false
	}
	for _, a := range x.actions {
		if !contains(c.Actions, a) {
			return false
		}
	}
	for _, r := range x.arns {
		found := false
		for _, cr := range c.Resources {
			if cr == r {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if x.errorCode != "" && c.ErrorCode != x.errorCode {
		return false
	}
	if x.errorCode == "" && (c.Status < 200 || c.Status > 299) {
		return false
	}
	if x.principal != "" && c.PrincipalARN != x.principal {
		return false
	}
	return true
}

// check asserts every want is among the calls of source src and returns
// the operations that passed.
func check(t *testing.T, calls []call, src string, wants []want) []want {
	t.Helper()
	var passed []want
	for _, x := range wants {
		ok := false
		var near []string
		for _, c := range calls {
			if c.Source != src {
				continue
			}
			if x.matches(c) {
				ok = true
				break
			}
			if c.Operation == x.op || c.Service == x.service && c.Operation == "" {
				near = append(near, c.String())
			}
		}
		if ok {
			passed = append(passed, x)
			continue
		}
		t.Errorf("no %s call %s (principal %q, error %q); similar calls:\n\t%s", src, x, x.principal, x.errorCode, strings.Join(near, "\n\t"))
	}
	return passed
}

// noneUnrecognized fails on calls the mapper could not identify, and on
// calls still pending after the run ended.
func noneUnrecognized(t *testing.T, calls []call) {
	t.Helper()
	for _, c := range calls {
		if !c.Recognized || c.Pending {
			t.Errorf("call not recognized or left pending: %s", c)
		}
	}
}

// assertNoSecrets fails when any planted secret occurs in the files (the
// database and its WAL, a policy) or in the texts (stderr).
func assertNoSecrets(t *testing.T, files []string, texts map[string]string) {
	t.Helper()
	secrets := []string{plantedSecretKey, plantedSessionToken, plantedSecretString, plantedSecureValue,
		plantedPassword, plantedCLIPassword, stubResponseSecret, stubAssumedSecret, stubAssumedToken}
	scan := func(name string, b []byte) {
		for _, s := range secrets {
			// Form-encoded too, as query-protocol bodies carry them.
			if bytes.Contains(b, []byte(s)) || bytes.Contains(b, []byte(url.QueryEscape(s))) {
				t.Errorf("secret %q found in %s", s, name)
			}
		}
	}
	for _, f := range files {
		matches, _ := filepath.Glob(f + "*") // the database's -wal and -shm too
		for _, m := range matches {
			b, err := os.ReadFile(m)
			if err != nil {
				t.Errorf("read %s: %v", m, err)
				continue
			}
			scan(m, b)
		}
	}
	for name, s := range texts {
		scan(name, []byte(s))
	}
}

// stubHostPort is the stub's address as http://localhost:PORT, the way a
// user would write an emulator's endpoint.
func stubLocalhost(s *stub) string {
	return strings.Replace(s.URL, "127.0.0.1", "localhost", 1)
}
