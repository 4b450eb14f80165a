package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iamwatch/iamwatch/internal/baremitm"
	"github.com/iamwatch/iamwatch/proxy"
)

// BenchmarkCaptureOverheadProcess is BenchmarkCaptureOverhead in the shape
// iamwatch is used in: the app is another process. The three proxies
// (capture, bare iamwatch, bare goproxy) run in this process; the 64
// clients and the instant upstream run in a second one (this test binary
// again, as TestBenchLoadGenerator), so that the clients' allocations and
// goroutines are not billed to the proxy's garbage collector and
// scheduler. Both processes still share the machine's cores, so
// throughput is still what a request costs the whole machine; proxy-cpu-
// us/req is the part of it this process (the proxy) spent.
//
// BenchmarkCaptureOverhead, where clients, upstream and proxies share one
// process, is the harsher figure: both are reported.
func BenchmarkCaptureOverheadProcess(b *testing.B) {
	const clients, rounds, batch = 64, 2, 1600
	gen := startBenchGenerator(b)
	caDir := b.TempDir()
	ca, err := proxy.LoadOrCreateCA(caDir)
	if err != nil {
		b.Fatal(err)
	}
	caFile := filepath.Join(caDir, "ca.pem")
	caPair, err := tls.LoadX509KeyPair(caFile, filepath.Join(caDir, "ca-key.pem"))
	if err != nil {
		b.Fatal(err)
	}
	upURL := &url.URL{Scheme: "https", Host: gen.upstream}
	transport := func() *http.Transport {
		return &http.Transport{TLSClientConfig: &tls.Config{RootCAs: gen.upstreamPool}, DisableCompression: true, MaxIdleConnsPerHost: 128}
	}
	capt, db := benchCapture(b)
	withCapture := serveBenchProxy(b, &proxy.Server{CA: ca, Upstream: upURL, Transport: transport(), Recorder: capt})
	bare := serveBenchProxy(b, &proxy.Server{CA: ca, Upstream: upURL, Transport: transport()})
	gp, err := baremitm.Start(caPair, upURL, transport())
	if err != nil {
		b.Fatal(err)
	}
	defer gp.Close()
	run := func(proxyURL string) func() {
		return func() { gen.run(b, proxyURL, caFile, clients, batch) }
	}
	run(withCapture)()
	run(bare)()
	run(gp.URL.String())()
	if err := db.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	// CPU is this process's: the proxies'.
	overheadRounds(b, db, rounds, batch, "proxy-cpu-us/req", run(gp.URL.String()), run(bare), run(withCapture))
}

// serveBenchProxy serves srv on a loopback port until b ends and returns
// its URL.
func serveBenchProxy(b *testing.B, srv *proxy.Server) string {
	b.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(l)
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return "http://" + l.Addr().String()
}

// startChild runs this test binary again as a helper process that runs the
// test named test alone, with env added to this process's environment; it
// is stopped (stdin closed, then killed) when tb ends. It returns the
// child's stdin and a scanner of its stdout.
func startChild(tb testing.TB, test string, env ...string) (*exec.Cmd, io.WriteCloser, *bufio.Scanner) {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.bench=^$", "-test.timeout=0")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		in.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	return cmd, in, sc
}

// benchGenerator is the load generator process of
// BenchmarkCaptureOverheadProcess.
type benchGenerator struct {
	cmd          *exec.Cmd
	in           io.WriteCloser
	out          *bufio.Scanner
	upstream     string // host:port of its upstream
	upstreamPool *x509.CertPool
}

func startBenchGenerator(b *testing.B) *benchGenerator {
	b.Helper()
	cmd, in, out := startChild(b, "TestBenchLoadGenerator", "IAMWATCH_BENCH_GENERATOR=1")
	g := &benchGenerator{cmd: cmd, in: in, out: out}
	line := g.expect(b, "upstream ")
	addr, certPEM, ok := strings.Cut(line, " ")
	if !ok {
		b.Fatalf("generator: %q", line)
	}
	block, _ := pem.Decode([]byte(strings.ReplaceAll(certPEM, `\n`, "\n")))
	if block == nil {
		b.Fatalf("generator: no certificate in %q", certPEM)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		b.Fatal(err)
	}
	g.upstream, g.upstreamPool = addr, x509.NewCertPool()
	g.upstreamPool.AddCert(cert)
	return g
}

// expect reads the generator's next line, which must start with prefix,
// and returns the rest.
func (g *benchGenerator) expect(b *testing.B, prefix string) string {
	b.Helper()
	for g.out.Scan() {
		if rest, ok := strings.CutPrefix(g.out.Text(), prefix); ok {
			return rest
		}
	}
	b.Fatalf("generator ended before %q: %v", prefix, g.out.Err())
	return ""
}

// run has the generator send n requests with clients clients through the
// proxy at proxyURL, trusting caFile, and waits for them.
func (g *benchGenerator) run(b *testing.B, proxyURL, caFile string, clients, n int) {
	b.Helper()
	if _, err := fmt.Fprintf(g.in, "run %s %s %d %d\n", proxyURL, caFile, clients, n); err != nil {
		b.Fatal(err)
	}
	if res := g.expect(b, "done "); res != "ok" {
		b.Fatalf("generator: %s", res)
	}
}

// TestBenchLoadGenerator is the load generator process of
// BenchmarkCaptureOverheadProcess; it does nothing in a normal run. It
// serves an instant upstream and, for each "run PROXY CAFILE CLIENTS N"
// line on stdin, sends N DynamoDB GetItem requests through PROXY from
// CLIENTS concurrent clients, each keeping its connection, and answers
// "done ok" (or "done " and the first error).
func TestBenchLoadGenerator(t *testing.T) {
	if os.Getenv("IAMWATCH_BENCH_GENERATOR") != "1" {
		t.Skip("the load generator of BenchmarkCaptureOverheadProcess")
	}
	up := getItemUpstream(0)
	defer up.Close()
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: up.Certificate().Raw})
	fmt.Printf("upstream %s %s\n", up.Listener.Addr(), strings.ReplaceAll(string(certPEM), "\n", `\n`))
	clientsByProxy := map[string]*http.Client{}
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		f := strings.Fields(in.Text())
		if len(f) != 5 || f[0] != "run" {
			fmt.Printf("done bad command %q\n", in.Text())
			continue
		}
		clients, err1 := strconv.Atoi(f[3])
		n, err2 := strconv.Atoi(f[4])
		c, ok := clientsByProxy[f[1]]
		if !ok {
			pemBytes, err := os.ReadFile(f[2])
			if err != nil {
				fmt.Printf("done %v\n", err)
				continue
			}
			pool := x509.NewCertPool()
			pool.AppendCertsFromPEM(pemBytes)
			proxyURL, err := url.Parse(f[1])
			if err != nil || err1 != nil || err2 != nil {
				fmt.Printf("done bad command %q\n", in.Text())
				continue
			}
			c = &http.Client{Transport: &http.Transport{
				Proxy:               http.ProxyURL(proxyURL),
				TLSClientConfig:     &tls.Config{RootCAs: pool},
				MaxIdleConnsPerHost: clients,
				MaxConnsPerHost:     clients,
			}}
			clientsByProxy[f[1]] = c
		}
		if err := driveGetItems(c, clients, n); err != nil {
			fmt.Printf("done %v\n", err)
			continue
		}
		fmt.Println("done ok")
	}
}

// driveGetItems sends n DynamoDB GetItem requests with c from clients
// goroutines, and returns the first error.
func driveGetItems(c *http.Client, clients, n int) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				req, _ := http.NewRequest("POST", "https://dynamodb.us-east-1.amazonaws.com/", strings.NewReader(`{"TableName":"orders","Key":{"id":{"S":"1"}}}`))
				req.Header.Set("X-Amz-Target", "DynamoDB_20120810.GetItem")
				req.Header.Set("Content-Type", "application/x-amz-json-1.0")
				req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0")
				resp, err := c.Do(req)
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	if err, ok := firstErr.Load().(error); ok {
		return err
	}
	return nil
}
