//go:build soak

// The soak test: `make soak` (kept out of `make test`). It runs
// `iamwatch proxy` in this process — the real command, flags to store —
// and drives it from a second process (this test binary again, as
// TestSoakGenerator) with SOAK_CLIENTS concurrent AWS clients of four
// protocols for SOAK_DURATION, against a local fake AWS that lives in the
// generator too, so that this process's memory and goroutines are the
// proxy's alone. Then the same load goes through a bare goproxy MITM built
// as proxy/bench_test.go builds its comparator, for reference figures.
//
//	SOAK_DURATION=60s SOAK_CLIENTS=500 go test -tags soak -run TestSoak -v ./cmd/iamwatch/

package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamwatch/iamwatch/internal/baremitm"
	"github.com/iamwatch/iamwatch/store"
)

const (
	soakAccessKey = "AKIAIOSFODNN7EXAMPLE"
	soakSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	soakAccount   = "123456789012"
	soakRegion    = "us-east-1"
)

func envDuration(t testing.TB, name string, def time.Duration) time.Duration {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		t.Fatalf("%s=%q is not a duration", name, s)
	}
	return d
}

func envInt(t testing.TB, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q is not a positive number", name, s)
	}
	return n
}

// loadResult is what the generator reports for one run.
type loadResult struct {
	Requests           int64            `json:"requests"`
	Failures           int64            `json:"failures"`
	FailSample         []string         `json:"fail_sample"`
	Served             int64            `json:"served"` // responses the fake AWS sent
	Seconds            float64          `json:"seconds"`
	P50, P90, P99, Max float64          // milliseconds
	ByOp               map[string]int64 `json:"by_op"`
}

func (r loadResult) rps() float64 { return float64(r.Requests) / r.Seconds }

// TestSoak is the soak test; see the file comment.
func TestSoak(t *testing.T) {
	duration := envDuration(t, "SOAK_DURATION", 60*time.Second)
	clients := envInt(t, "SOAK_CLIENTS", 500)

	gen := startGenerator(t, duration, clients)
	upstream := gen.expect(t, "UPSTREAM ")

	home := t.TempDir()
	dbPath := filepath.Join(t.TempDir(), "soak.db")
	g0 := settledGoroutines(0, 2*time.Second)
	rss0 := rssBytes(t)

	// The real command, in this process.
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &lineFilter{keep: []string{"proxy on ", "level=WARN", "level=ERROR", "error", "warning", "recorded"}}
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, []string{"proxy", "--home", home, "--db", dbPath, "--listen", "127.0.0.1:0", "--csm-listen", "off",
			"--upstream", upstream, "--session", "soak", "--account-id", soakAccount}, strings.NewReader(""), io.Discard, stderr)
	}()
	proxyURL := stderr.wait(t, regexp.MustCompile(`proxy on (http://\S+),`))

	// RSS every second while the load runs.
	var rss []float64
	var rssMu sync.Mutex
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stopSampling:
				return
			case <-tick.C:
				rssMu.Lock()
				rss = append(rss, float64(rssBytes(t))/(1<<20))
				rssMu.Unlock()
			}
		}
	}()
	cpu0 := processCPU()
	ours := gen.run(t, "iamwatch", proxyURL, filepath.Join(home, "ca.pem"))
	oursCPU := processCPU() - cpu0
	close(stopSampling)
	<-sampled
	gIdle := settledGoroutines(g0, 10*time.Second)

	cancel()
	if code := <-exited; code != 0 && code != exitInterrupted {
		t.Errorf("iamwatch proxy exited %d:\n%s", code, stderr)
	}
	runtime.GC()
	gEnd := settledGoroutines(g0, 10*time.Second)

	// The database against what the fake AWS served.
	db, err := store.Options{ReadOnly: true}.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := db.Sessions(context.Background())
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	var stored int64
	for _, s := range sessions {
		stored += int64(s.Calls)
	}

	// The same load through a bare goproxy MITM.
	bareURL, closeBare := bareGoproxy(t, home, upstream)
	cpu0 = processCPU()
	bare := gen.run(t, "goproxy", bareURL, filepath.Join(home, "ca.pem"))
	bareCPU := processCPU() - cpu0
	closeBare()
	gen.quit(t)

	// Report.
	rssMu.Lock()
	samples := slices.Clone(rss)
	rssMu.Unlock()
	warm := max(1, len(samples)/6)
	steady := samples[min(warm, len(samples)):]
	third := max(1, len(steady)/3)
	first, last := mean(steady[:third]), mean(steady[len(steady)-third:])
	report := &strings.Builder{}
	fmt.Fprintf(report, "soak: %d clients, %v, protocols json/query/rest-xml/rest-json (%v)\n", clients, duration, ours.ByOp)
	fmt.Fprintf(report, "%-9s %9s %9s %8s %8s %8s %8s %8s\n", "proxy", "requests", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "failed")
	for _, x := range []struct {
		name string
		r    loadResult
	}{{"iamwatch", ours}, {"goproxy", bare}} {
		fmt.Fprintf(report, "%-9s %9d %9.0f %8.1f %8.1f %8.1f %8.1f %8d\n", x.name, x.r.Requests, x.r.rps(), x.r.P50, x.r.P90, x.r.P99, x.r.Max, x.r.Failures)
	}
	fmt.Fprintf(report, "iamwatch throughput: %.0f%% of bare goproxy\n", 100*ours.rps()/bare.rps())
	// The load generator and the fake AWS share the machine's cores with
	// the proxy, so throughput moves with whatever else runs; the CPU the
	// proxy's process spent per request does not.
	oursPer := oursCPU.Seconds() * 1e6 / float64(ours.Requests)
	barePer := bareCPU.Seconds() * 1e6 / float64(bare.Requests)
	fmt.Fprintf(report, "proxy CPU per request: iamwatch %.0f µs, goproxy %.0f µs (goproxy/iamwatch %.2f)\n", oursPer, barePer, barePer/oursPer)
	fmt.Fprintf(report, "records: %d stored, %d served by the fake AWS, %d answered to clients\n", stored, ours.Served, ours.Requests-ours.Failures)
	fmt.Fprintf(report, "RSS: %.0f MiB before, after warm-up %.1f MiB (first third) -> %.1f MiB (last third), peak %.1f MiB\n",
		float64(rss0)/(1<<20), first, last, slices.Max(samples))
	fmt.Fprintf(report, "goroutines: %d before, %d idle after the load (proxy still up), %d after it stopped\n", g0, gIdle, gEnd)
	fmt.Print(report.String())
	if p := os.Getenv("SOAK_REPORT"); p != "" {
		os.WriteFile(p, []byte(report.String()), 0o644)
	}

	// Checks.
	if ours.Failures != 0 {
		t.Errorf("%d requests failed through iamwatch, e.g. %q", ours.Failures, ours.FailSample)
	}
	if bare.Failures != 0 {
		t.Logf("%d requests failed through bare goproxy, e.g. %q", bare.Failures, bare.FailSample)
	}
	if stored != ours.Served {
		t.Errorf("lost records: %d stored, %d served", stored, ours.Served)
	}
	if ours.Served != ours.Requests {
		t.Errorf("the fake AWS served %d responses for %d requests", ours.Served, ours.Requests)
	}
	if len(steady) < 6 {
		t.Errorf("only %d RSS samples after warm-up: run longer", len(steady))
	} else if last > first*1.10+8 {
		t.Errorf("RSS grew after warm-up: %.1f MiB -> %.1f MiB", first, last)
	}
	if gEnd > g0+5 {
		t.Errorf("goroutines: %d after stopping, %d before", gEnd, g0)
	}
	if strings.Contains(stderr.String(), "level=ERROR") {
		t.Errorf("iamwatch logged errors:\n%s", stderr)
	}
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// settledGoroutines waits up to d for the goroutine count to come down to
// target (connections closing end theirs asynchronously) and returns it.
func settledGoroutines(target int, d time.Duration) int {
	deadline := time.Now().Add(d)
	n := runtime.NumGoroutine()
	for n > target && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}

// rssBytes is this process's resident set.
func rssBytes(t testing.TB) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatalf("read RSS: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// lineFilter keeps the lines of a stream that hold one of keep (the proxy's
// per-call lines are many; keeping them would grow the heap measured).
type lineFilter struct {
	keep []string // substrings
	mu   sync.Mutex
	part []byte
	kept strings.Builder
}

func (f *lineFilter) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.part = append(f.part, p...)
	for {
		i := bytes.IndexByte(f.part, '\n')
		if i < 0 {
			break
		}
		if line := f.part[:i+1]; f.keeps(line) {
			f.kept.Write(line)
		}
		f.part = f.part[i+1:]
	}
	f.part = slices.Clip(f.part)
	return len(p), nil
}

// keeps reports whether line holds one of f.keep. Substrings, not a
// regular expression: the filter runs in the proxy's process, on every
// call's line, and its CPU counts in iamwatch's figures.
func (f *lineFilter) keeps(line []byte) bool {
	for _, k := range f.keep {
		if bytes.Contains(line, []byte(k)) {
			return true
		}
	}
	return false
}

func (f *lineFilter) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.kept.String()
}

// wait returns the first group of re once a kept line matches it.
func (f *lineFilter) wait(t testing.TB, re *regexp.Regexp) string {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(f.String()); m != nil {
			return m[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %v in:\n%s", re, f.String())
	return ""
}

// bareGoproxy is the comparator of proxy/bench_test.go: goproxy's own MITM
// with iamwatch's CA, leaves cached, no capture; every intercepted request
// goes to the upstream, as --upstream does for iamwatch.
func bareGoproxy(t testing.TB, home, upstream string) (string, func()) {
	caCert, err := tls.LoadX509KeyPair(filepath.Join(home, "ca.pem"), filepath.Join(home, "ca-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	up, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	bare, err := baremitm.Start(caCert, up, &http.Transport{Proxy: nil, DisableCompression: true, MaxIdleConns: 512, MaxIdleConnsPerHost: 128})
	if err != nil {
		t.Fatal(err)
	}
	return bare.URL.String(), func() { bare.Close() }
}

// loadGen is the load-generating child process.
type loadGen struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

func startGenerator(t *testing.T, duration time.Duration, clients int) *loadGen {
	cmd, in, out := startChild(t, "TestSoakGenerator",
		"SOAK_ROLE=generator", "SOAK_DURATION="+duration.String(), "SOAK_CLIENTS="+strconv.Itoa(clients))
	return &loadGen{cmd: cmd, in: in, out: out}
}

// expect returns the rest of the next line that starts with prefix.
func (g *loadGen) expect(t testing.TB, prefix string) string {
	for g.out.Scan() {
		if rest, ok := strings.CutPrefix(g.out.Text(), prefix); ok {
			return rest
		}
	}
	t.Fatalf("generator ended without %q: %v", prefix, g.out.Err())
	return ""
}

func (g *loadGen) run(t testing.TB, name, proxyURL, caFile string) loadResult {
	fmt.Fprintf(g.in, "RUN %s %s %s\n", name, proxyURL, caFile)
	var r loadResult
	if err := json.Unmarshal([]byte(g.expect(t, "RESULT ")), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func (g *loadGen) quit(t testing.TB) {
	fmt.Fprintln(g.in, "QUIT")
	g.in.Close()
	if err := g.cmd.Wait(); err != nil {
		t.Errorf("generator: %v", err)
	}
}

// TestSoakGenerator is the child process of TestSoak: it serves the fake
// AWS and runs the load when told to.
func TestSoakGenerator(t *testing.T) {
	if os.Getenv("SOAK_ROLE") != "generator" {
		t.Skip("the child process of TestSoak")
	}
	duration := envDuration(t, "SOAK_DURATION", 60*time.Second)
	clients := envInt(t, "SOAK_CLIENTS", 500)
	up := &fakeAWS{}
	srv := httptest.NewUnstartedServer(up)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	defer srv.Close()
	fmt.Printf("UPSTREAM %s\n", srv.URL)
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || f[0] == "QUIT" {
			return
		}
		if f[0] != "RUN" || len(f) != 4 {
			t.Fatalf("bad command %q", sc.Text())
		}
		before := up.served.Load()
		r := runLoad(t, f[2], f[3], clients, duration)
		r.Served = up.served.Load() - before
		b, _ := json.Marshal(r)
		fmt.Printf("RESULT %s\n", b)
	}
}

// fakeAWS answers the operations the load makes, in their protocols.
type fakeAWS struct{ served atomic.Int64 }

func (f *fakeAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	switch target := r.Header.Get("X-Amz-Target"); {
	case target == "AmazonSQS.SendMessage":
		var in struct{ MessageBody string }
		json.Unmarshal(body, &in)
		sum := md5.Sum([]byte(in.MessageBody))
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		fmt.Fprintf(w, `{"MD5OfMessageBody":%q,"MessageId":"00000000-0000-0000-0000-000000000001"}`, hex.EncodeToString(sum[:]))
	case strings.HasPrefix(target, "DynamoDB_20120810."):
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		io.WriteString(w, `{}`)
	case strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded"):
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
			`<Arn>arn:aws:iam::123456789012:user/soak</Arn><UserId>AIDASOAK</UserId><Account>123456789012</Account>`+
			`</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
	case strings.HasPrefix(r.URL.Path, "/2015-03-31/functions/"):
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amz-Executed-Version", "$LATEST")
		io.WriteString(w, `{"ok":true}`)
	case r.Method == http.MethodPut:
		w.Header().Set("ETag", `"d41d8cd98f00b204e9800998ecf8427e"`)
	case r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "application/octet-stream")
		io.WriteString(w, "soak object body\n")
	default:
		http.Error(w, "unexpected", http.StatusBadRequest)
		return
	}
	f.served.Add(1)
}

// runLoad drives clients concurrent clients, each with its own
// connections and SDK clients, through the proxy for d.
func runLoad(t *testing.T, proxyURL, caFile string, clients int, d time.Duration) loadResult {
	pemData, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemData)
	pu, _ := url.Parse(proxyURL)
	creds := credentials.NewStaticCredentialsProvider(soakAccessKey, soakSecretKey, "")
	signer := v4.NewSigner()

	var (
		requests, failures atomic.Int64
		mu                 sync.Mutex
		lat                []time.Duration
		failSample         []string
		byOp               = map[string]int64{}
	)
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	var transports []*http.Transport
	for c := range clients {
		tr := &http.Transport{Proxy: http.ProxyURL(pu), TLSClientConfig: &tls.Config{RootCAs: pool}, MaxIdleConnsPerHost: 2}
		transports = append(transports, tr)
		hc := &http.Client{Transport: tr, Timeout: 60 * time.Second}
		cfg := aws.Config{Region: soakRegion, Credentials: creds, HTTPClient: hc, RetryMaxAttempts: 1}
		ddb, q, st, obj := dynamodb.NewFromConfig(cfg), sqs.NewFromConfig(cfg), sts.NewFromConfig(cfg), s3.NewFromConfig(cfg)
		ops := []struct {
			name string
			do   func(ctx context.Context, i int) error
		}{
			{"dynamodb.GetItem(json)", func(ctx context.Context, i int) error {
				_, err := ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(fmt.Sprintf("soak-%d", i%100)),
					Key: map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: strconv.Itoa(i)}}})
				return err
			}},
			{"sqs.SendMessage(json)", func(ctx context.Context, i int) error {
				_, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(fmt.Sprintf("https://sqs.us-east-1.amazonaws.com/%s/soak-%d", soakAccount, i%50)),
					MessageBody: aws.String("message " + strconv.Itoa(i))})
				return err
			}},
			{"sts.GetCallerIdentity(query)", func(ctx context.Context, i int) error {
				_, err := st.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
				return err
			}},
			{"s3.PutObject(rest-xml)", func(ctx context.Context, i int) error {
				_, err := obj.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("soak-bucket"), Key: aws.String(fmt.Sprintf("k/%d", i%1000)),
					Body: strings.NewReader("soak object body\n")})
				return err
			}},
			{"s3.GetObject(rest-xml)", func(ctx context.Context, i int) error {
				out, err := obj.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("soak-bucket"), Key: aws.String(fmt.Sprintf("k/%d", i%1000))})
				if err == nil {
					io.Copy(io.Discard, out.Body)
					out.Body.Close()
				}
				return err
			}},
			{"lambda.Invoke(rest-json)", func(ctx context.Context, i int) error {
				return invokeSigned(ctx, hc, signer, creds, fmt.Sprintf("soak-fn-%d", i%20))
			}},
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 1024)
			counts := make([]int64, len(ops))
			var fails []string
			for i := c; time.Now().Before(deadline); i += clients {
				op := ops[i%len(ops)]
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				t0 := time.Now()
				err := op.do(ctx, i)
				cancel()
				requests.Add(1)
				if err != nil {
					failures.Add(1)
					if len(fails) < 3 {
						fails = append(fails, op.name+": "+err.Error())
					}
					continue
				}
				local = append(local, time.Since(t0))
				counts[i%len(ops)]++
			}
			mu.Lock()
			lat = append(lat, local...)
			for j, n := range counts {
				byOp[ops[j].name] += n
			}
			if len(failSample) < 5 {
				failSample = append(failSample, fails...)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	for _, tr := range transports {
		tr.CloseIdleConnections()
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return math.NaN()
		}
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	return loadResult{Requests: requests.Load(), Failures: failures.Load(), FailSample: failSample, Seconds: elapsed.Seconds(),
		P50: pct(0.50), P90: pct(0.90), P99: pct(0.99), Max: pct(1), ByOp: byOp}
}

// invokeSigned makes a Lambda Invoke (rest-json) as a raw SigV4-signed
// request: the root module has no Lambda client.
func invokeSigned(ctx context.Context, hc *http.Client, signer *v4.Signer, creds aws.CredentialsProvider, fn string) error {
	body := []byte(`{"soak":true}`)
	req, err := http.NewRequestWithContext(ctx, "POST", "https://lambda."+soakRegion+".amazonaws.com/2015-03-31/functions/"+fn+"/invocations", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256(body)
	c, err := creds.Retrieve(ctx)
	if err != nil {
		return err
	}
	if err := signer.SignHTTP(ctx, c, req, hex.EncodeToString(sum[:]), "lambda", soakRegion, time.Now()); err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 200 {
		return fmt.Errorf("lambda Invoke: status %d", resp.StatusCode)
	}
	return nil
}
