package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/internal/baremitm"
	"github.com/iamwatch/iamwatch/proxy"
	"github.com/iamwatch/iamwatch/store"
)

// BenchmarkCaptureOverhead measures what recording costs: the same proxy
// with the real capture (mapper and a SQLite store on disk) and with no
// recorder, and a bare goproxy MITM, in interleaved batches at 64
// concurrent clients, so all see the same machine load. "ratio" is capture
// throughput over the bare iamwatch proxy's; "vs-goproxy" is capture
// throughput over bare goproxy's, the figure iamwatch is held to.
//
// The "upstream-0s" case answers at once: 64 clients then keep both cores
// busy, so throughput is the CPU a request costs the whole machine
// (clients, proxy, upstream), which the cpu-us/req figures give for each
// variant. "upstream-20ms" is closer to AWS, whose latency leaves the
// cores idle part of the time.
//
// A capture round ends once its store has committed the round's calls:
// otherwise the writer's lingering batch would be committed during the
// next variant's round, and billed to it. That last commit runs while the
// clients wait, which is not how a running proxy commits (alongside the
// calls); rounds are long (1,600 requests, about 0.2 s) so that it is
// about 1% of a round, not the 3% it was with rounds of 400.
//
// rw-syscalls/req is each variant's read and write system calls a
// request, from /proc/self/io; faults/req its page faults a request.
//
// added-p99-ms (upstream-0s) is the p99 latency a lone client sees
// through the recording proxy minus through bare goproxy, from
// interleaved runs of sequential calls after the throughput rounds.
func BenchmarkCaptureOverhead(b *testing.B) {
	for _, delay := range []time.Duration{0, 20 * time.Millisecond} {
		b.Run("upstream-"+delay.String(), func(b *testing.B) { benchCaptureOverhead(b, delay) })
	}
}

func benchCaptureOverhead(b *testing.B, delay time.Duration) {
	const clients, rounds, batch = 64, 2, 1600
	up := getItemUpstream(delay)
	defer up.Close()
	caDir := b.TempDir()
	ca, err := proxy.LoadOrCreateCA(caDir)
	if err != nil {
		b.Fatal(err)
	}
	caPair, err := tls.LoadX509KeyPair(filepath.Join(caDir, "ca.pem"), filepath.Join(caDir, "ca-key.pem"))
	if err != nil {
		b.Fatal(err)
	}
	capt, db := benchCapture(b)
	withCapture := benchProxy(b, ca, up, capt)
	bare := benchProxy(b, ca, up, nil)
	upPool := x509.NewCertPool()
	upPool.AddCert(up.Certificate())
	gp, err := baremitm.Start(caPair, &url.URL{Scheme: "https", Host: up.Listener.Addr().String()},
		&http.Transport{TLSClientConfig: &tls.Config{RootCAs: upPool}, DisableCompression: true, MaxIdleConnsPerHost: 128})
	if err != nil {
		b.Fatal(err)
	}
	defer gp.Close()
	goproxyClient := benchClient(gp.URL, ca)
	run := func(c *http.Client, n int) {
		if err := driveGetItems(c, clients, n); err != nil {
			b.Fatal(err)
		}
	}
	run(withCapture, 2*clients)
	run(bare, 2*clients)
	run(goproxyClient, 2*clients)
	if err := db.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	benchDials.Store(0)
	// CPU is the whole process's: clients, proxy and upstream.
	n := overheadRounds(b, db, rounds, batch, "cpu-us/req",
		func() { run(goproxyClient, batch) }, func() { run(bare, batch) }, func() { run(withCapture, batch) })
	b.ReportMetric(float64(benchDials.Load())/n/3, "dials/req")

	// Latency a lone client sees, where no queue hides what recording
	// adds: interleaved runs of sequential calls, timed each. Only with
	// the instant upstream: behind a 20 ms sleep, the p99 is the sleep's
	// timer jitter (several ms, either proxy).
	if delay > 0 {
		return
	}
	const single = 200
	var latGoproxy, latCapture []time.Duration
	for range b.N * rounds {
		latGoproxy = append(latGoproxy, getItemLatencies(b, goproxyClient, single)...)
		latCapture = append(latCapture, getItemLatencies(b, withCapture, single)...)
	}
	if err := db.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(millis(percentile(latCapture, 99)), "capture-p99-ms")
	b.ReportMetric(millis(percentile(latGoproxy, 99)), "goproxy-p99-ms")
	// The figure: what recording every call adds to the p99
	// latency of a bare goproxy MITM.
	b.ReportMetric(millis(percentile(latCapture, 99)-percentile(latGoproxy, 99)), "added-p99-ms")
}

// getItemLatencies sends n DynamoDB GetItem requests with c, one at a
// time, and returns how long each took.
func getItemLatencies(b *testing.B, c *http.Client, n int) []time.Duration {
	lat := make([]time.Duration, 0, n)
	for range n {
		start := time.Now()
		if err := driveGetItems(c, 1, 1); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	return lat
}

// percentile returns the p-th percentile of lat (which it sorts).
func percentile(lat []time.Duration, p int) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	slices.Sort(lat)
	return lat[len(lat)*p/100]
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// overheadRounds runs b.N times rounds interleaved rounds of the three
// variants (each sending batch requests), the capture's rounds ending once
// its store has committed them, and reports their throughput, their CPU
// per request (metric cpuUnit, prefixed by the variant) and the ratios.
// It returns the number of requests each variant sent.
func overheadRounds(b *testing.B, db *store.DB, rounds, batch int, cpuUnit string, goproxy, bare, capture func()) float64 {
	var tCapture, tBare, tGoproxy, cCapture, cBare, cGoproxy time.Duration
	var sCapture, sBare, sGoproxy, fCapture, fBare, fGoproxy int64
	round := func(send func(), wall, cpu *time.Duration, sys, faults *int64, flush bool) {
		cpu0, sys0, faults0 := processCPU(), processIOCalls(), processFaults()
		start := time.Now()
		send()
		if flush {
			if err := db.Flush(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
		*wall += time.Since(start)
		*cpu += processCPU() - cpu0
		*sys += processIOCalls() - sys0
		*faults += processFaults() - faults0
	}
	for range b.N {
		for range rounds {
			round(goproxy, &tGoproxy, &cGoproxy, &sGoproxy, &fGoproxy, false)
			round(bare, &tBare, &cBare, &sBare, &fBare, false)
			round(capture, &tCapture, &cCapture, &sCapture, &fCapture, true)
		}
	}
	b.StopTimer()
	n := float64(b.N * rounds * batch)
	b.ReportMetric(n/tCapture.Seconds(), "capture-req/s")
	b.ReportMetric(n/tBare.Seconds(), "bare-req/s")
	b.ReportMetric(n/tGoproxy.Seconds(), "goproxy-req/s")
	b.ReportMetric(float64(cCapture.Microseconds())/n, "capture-"+cpuUnit)
	b.ReportMetric(float64(cBare.Microseconds())/n, "bare-"+cpuUnit)
	b.ReportMetric(float64(cGoproxy.Microseconds())/n, "goproxy-"+cpuUnit)
	if sGoproxy > 0 {
		b.ReportMetric(float64(sCapture)/n, "capture-rw-syscalls/req")
		b.ReportMetric(float64(sBare)/n, "bare-rw-syscalls/req")
		b.ReportMetric(float64(sGoproxy)/n, "goproxy-rw-syscalls/req")
	}
	b.ReportMetric(float64(fCapture)/n, "capture-faults/req")
	b.ReportMetric(float64(fBare)/n, "bare-faults/req")
	b.ReportMetric(float64(fGoproxy)/n, "goproxy-faults/req")
	b.ReportMetric(tBare.Seconds()/tCapture.Seconds(), "ratio")
	// The figure: iamwatch recording every call, as a fraction of
	// a bare goproxy MITM's throughput in the same run.
	b.ReportMetric(tGoproxy.Seconds()/tCapture.Seconds(), "vs-goproxy")
	return n
}

// getItemUpstream serves TLS, answering every request (a DynamoDB GetItem)
// after delay.
func getItemUpstream(delay time.Duration) *httptest.Server {
	up := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if delay > 0 {
			time.Sleep(delay)
		}
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		io.WriteString(w, `{"Item":{}}`)
	}))
	up.Config.ErrorLog = log.New(io.Discard, "", 0)
	up.StartTLS()
	return up
}

var benchDials atomic.Int64

// processCPU returns the user and system CPU time this process has used
// (the soak test's figures use it too).
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// processFaults returns how many page faults this process has taken
// (minor and major). On some virtual machines the first touch of a page
// costs several microseconds, so they are worth counting.
func processFaults() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Minflt + ru.Majflt
}

// processIOCalls returns how many read and write system calls this process
// has made (syscr and syscw of /proc/self/io), or 0 where that is unknown.
func processIOCalls() int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0
	}
	var n int64
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ": ")
		if ok && (k == "syscr" || k == "syscw") {
			c, _ := strconv.ParseInt(v, 10, 64)
			n += c
		}
	}
	return n
}

func benchProxy(b *testing.B, ca *proxy.CA, up *httptest.Server, rec proxy.Recorder) *http.Client {
	b.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(up.Certificate())
	srv := &proxy.Server{CA: ca, Upstream: &url.URL{Scheme: "https", Host: up.Listener.Addr().String()},
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, DisableCompression: true, MaxIdleConnsPerHost: 128}}
	if rec != nil {
		srv.Recorder = rec
	}
	u, err := url.Parse(serveBenchProxy(b, srv))
	if err != nil {
		b.Fatal(err)
	}
	return benchClient(u, ca)
}

// benchClient sends through the proxy at proxyURL, trusting ca, with one
// connection per client goroutine.
func benchClient(proxyURL *url.URL, ca *proxy.CA) *http.Client {
	caPool := x509.NewCertPool()
	caPool.AddCert(ca.Certificate())
	d := &net.Dialer{}
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			benchDials.Add(1)
			return d.DialContext(ctx, network, addr)
		},
		Proxy:               http.ProxyURL(proxyURL),
		TLSClientConfig:     &tls.Config{RootCAs: caPool},
		MaxIdleConnsPerHost: 64,
		MaxConnsPerHost:     64, // one connection per client: no handshakes after warm-up
	}}
}

// BenchmarkCaptureCall measures what one call costs the capture, whole:
// mapping, the journal write before the response, and the database write
// after it (the Flush at the end waits for the last of them). Run it with
// -cpu 1 so that the store's writer shares the one core: ns/op is then the
// CPU time a call costs, which is what the capture takes from the proxy
// under load.
func BenchmarkCaptureCall(b *testing.B) {
	capt, db := benchCapture(b)
	hdr := http.Header{
		"X-Amz-Target": {"DynamoDB_20120810.GetItem"},
		"Content-Type": {"application/x-amz-json-1.0"},
		"Authorization": {"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/dynamodb/aws4_request, " +
			"SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0"},
	}
	body := []byte(`{"TableName":"orders","Key":{"id":{"S":"1"}}}`)
	respHdr := http.Header{"Content-Type": {"application/x-amz-json-1.0"}}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		obs := &iamwatch.Observation{Source: iamwatch.SourceProxy, Method: "POST", Scheme: "https",
			Host: "dynamodb.us-east-1.amazonaws.com", Path: "/", Header: hdr, Body: body}
		finish := capt.Start(obs)
		finish(&iamwatch.Observation{Status: 200, Latency: time.Millisecond, ResponseHeader: respHdr,
			ResponseBody: []byte(`{"Item":{}}`)})
	}
	if err := db.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
}

// benchCapture is the capture as `iamwatch proxy` wires it: the embedded
// maps and a journaled store on disk, closed when b ends.
func benchCapture(b *testing.B) (*capture, *store.DB) {
	b.Helper()
	a := &app{v: newViper()}
	ix, err := a.loadIndex()
	if err != nil {
		b.Fatal(err)
	}
	db, err := store.Options{Journal: true}.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	session, err := db.Session(context.Background(), "bench", nil)
	if err != nil {
		b.Fatal(err)
	}
	return &capture{ix: ix, db: db, session: session, log: slog.New(slog.DiscardHandler)}, db
}
