package proxy_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/internal/baremitm"
	"github.com/iamwatch/iamwatch/proxy"
)

// The throughput benchmarks send small signed-looking POSTs, as SDK calls
// are, from 64 concurrent clients through a MITM proxy to a local TLS
// upstream: once through iamwatch's proxy (recording every call) and once
// through a bare goproxy MITM (its own MITM loop with the same CA, leaves
// cached, no capture). Compare with benchstat:
//
//	go test -run '^$' -bench 'Throughput' -count 6 ./proxy/ | tee new.txt
//
// BenchmarkThroughputRatio runs both in the same iteration and reports
// iamwatch's throughput as a fraction of goproxy's and the p99 latency it
// adds.

const (
	benchClients = 64
	benchHost    = "sts.amazonaws.com"
	benchBody    = "Action=GetCallerIdentity&Version=2011-06-15"
)

// countingRecorder records the way the proxy's real user does, minus the
// store: it keeps nothing but counts.
type countingRecorder struct{ started, finished atomic.Int64 }

func (r *countingRecorder) Start(*iamwatch.Observation) func(*iamwatch.Observation) {
	r.started.Add(1)
	return func(*iamwatch.Observation) { r.finished.Add(1) }
}

// benchRig is one proxy under test with a client pool in front of it.
type benchRig struct {
	client *http.Client
	close  func()
}

func benchUpstream(b *testing.B) *httptest.Server {
	b.Helper()
	resp := strings.Repeat("x", 1024)
	up := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, resp)
	}))
	up.Config.ErrorLog = log.New(io.Discard, "", 0)
	up.StartTLS()
	b.Cleanup(up.Close)
	return up
}

func benchClient(proxyURL *url.URL, ca *proxy.CA) *http.Client {
	pool := caPool(ca)
	return &http.Client{Transport: &http.Transport{
		Proxy:               http.ProxyURL(proxyURL),
		TLSClientConfig:     &tls.Config{RootCAs: pool},
		MaxIdleConnsPerHost: benchClients,
		MaxConnsPerHost:     benchClients,
	}}
}

func caPool(ca *proxy.CA) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Certificate())
	return p
}

func newIamwatchRig(b *testing.B, up *httptest.Server, ca *proxy.CA) *benchRig {
	b.Helper()
	rec := &countingRecorder{}
	srv := &proxy.Server{
		CA:        ca,
		Recorder:  rec,
		Upstream:  &url.URL{Scheme: "https", Host: up.Listener.Addr().String()},
		Transport: trustingTransport(up.Certificate()),
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(l)
	return &benchRig{
		client: benchClient(&url.URL{Scheme: "http", Host: l.Addr().String()}, ca),
		close: func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			srv.Shutdown(ctx)
		},
	}
}

func newGoproxyRig(b *testing.B, up *httptest.Server, ca *proxy.CA) *benchRig {
	b.Helper()
	bare, err := baremitm.Start(proxy.CATLSCertificate(ca),
		&url.URL{Scheme: "https", Host: up.Listener.Addr().String()}, trustingTransport(up.Certificate()))
	if err != nil {
		b.Fatal(err)
	}
	return &benchRig{client: benchClient(bare.URL, ca), close: func() { bare.Close() }}
}

// run sends n requests from clients goroutines and returns how long they
// took and each request's latency.
func (r *benchRig) run(b *testing.B, n, clients int) (time.Duration, []time.Duration) {
	var next atomic.Int64
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	start := time.Now()
	for g := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				t0 := time.Now()
				req, _ := http.NewRequest("POST", "https://"+benchHost+"/", strings.NewReader(benchBody))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
				req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAccessKey+"/20240101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=0")
				resp, err := r.client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Errorf("status %d", resp.StatusCode)
					return
				}
				lat[g] = append(lat[g], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	return time.Since(start), slices.Concat(lat...)
}

func p99(lat []time.Duration) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	lat = slices.Clone(lat)
	slices.Sort(lat)
	return lat[len(lat)*99/100]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// warm opens the client's connections and signs the leaf.
func (r *benchRig) warm(b *testing.B) { r.run(b, 4*benchClients, benchClients) }

func newRig(b *testing.B, name string) *benchRig {
	up := benchUpstream(b)
	ca, err := proxy.NewCA()
	if err != nil {
		b.Fatal(err)
	}
	if name == "iamwatch" {
		return newIamwatchRig(b, up, ca)
	}
	return newGoproxyRig(b, up, ca)
}

// BenchmarkThroughput reports requests per second and p99 latency at 64
// concurrent clients.
func BenchmarkThroughput(b *testing.B) {
	for _, name := range []string{"iamwatch", "goproxy"} {
		b.Run(name, func(b *testing.B) {
			rig := newRig(b, name)
			defer rig.close()
			rig.warm(b)
			b.ResetTimer()
			elapsed, lat := rig.run(b, b.N, benchClients)
			b.StopTimer()
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
			b.ReportMetric(ms(p99(lat)), "p99-ms")
		})
	}
}

// BenchmarkLatency reports the p50 and p99 latency of one client's
// sequential calls, where queueing does not hide what a proxy adds.
func BenchmarkLatency(b *testing.B) {
	for _, name := range []string{"iamwatch", "goproxy"} {
		b.Run(name, func(b *testing.B) {
			rig := newRig(b, name)
			defer rig.close()
			rig.warm(b)
			b.ResetTimer()
			_, lat := rig.run(b, b.N, 1)
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
			b.ReportMetric(ms(p99(lat)), "p99-ms")
		})
	}
}

// BenchmarkThroughputRatio interleaves short batches through both proxies,
// so that both see the same machine load, and reports iamwatch's
// throughput at 64 clients as a fraction of goproxy's, and the p99 latency
// iamwatch adds for a single client.
func BenchmarkThroughputRatio(b *testing.B) {
	const rounds, batch, single = 6, 500, 100
	up := benchUpstream(b)
	ca, err := proxy.NewCA()
	if err != nil {
		b.Fatal(err)
	}
	ours, theirs := newIamwatchRig(b, up, ca), newGoproxyRig(b, up, ca)
	defer ours.close()
	defer theirs.close()
	ours.warm(b)
	theirs.warm(b)
	b.ResetTimer()
	var oursTime, theirsTime time.Duration
	var oursLat, theirsLat []time.Duration
	for range b.N {
		for range rounds {
			d, _ := theirs.run(b, batch, benchClients)
			theirsTime += d
			d, _ = ours.run(b, batch, benchClients)
			oursTime += d
			_, l := theirs.run(b, single, 1)
			theirsLat = append(theirsLat, l...)
			_, l = ours.run(b, single, 1)
			oursLat = append(oursLat, l...)
		}
	}
	b.StopTimer()
	reqs := float64(b.N * rounds * batch)
	b.ReportMetric(reqs/oursTime.Seconds(), "iamwatch-req/s")
	b.ReportMetric(reqs/theirsTime.Seconds(), "goproxy-req/s")
	b.ReportMetric(theirsTime.Seconds()/oursTime.Seconds(), "ratio")
	b.ReportMetric(ms(p99(oursLat)-p99(theirsLat)), "added-p99-ms")
}
