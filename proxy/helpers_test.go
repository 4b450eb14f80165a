package proxy_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/proxy"
)

// Test credentials: the documented AWS example key pair.
const (
	testAccessKey = "AKIAIOSFODNN7EXAMPLE"
	testSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// recorder is a proxy.Recorder that keeps every observation, with an event
// log shared with the upstream stub to check ordering.
type recorder struct {
	mu       sync.Mutex
	events   []string
	started  []iamwatch.Observation
	finished []iamwatch.Observation
	changed  chan struct{}
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{}, 1)} }

func (r *recorder) Start(obs *iamwatch.Observation) func(*iamwatch.Observation) {
	r.mu.Lock()
	r.events = append(r.events, "start "+obs.Method+" "+obs.Host+obs.Path)
	r.started = append(r.started, *obs)
	r.mu.Unlock()
	return func(o *iamwatch.Observation) {
		r.mu.Lock()
		r.events = append(r.events, "finish "+o.Method+" "+o.Host+o.Path)
		r.finished = append(r.finished, *o)
		r.mu.Unlock()
		select {
		case r.changed <- struct{}{}:
		default:
		}
	}
}

func (r *recorder) event(e string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// waitFinished waits until n calls have finished and returns them.
func (r *recorder) waitFinished(t *testing.T, n int) []iamwatch.Observation {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		if len(r.finished) >= n {
			out := append([]iamwatch.Observation(nil), r.finished...)
			r.mu.Unlock()
			return out
		}
		got := len(r.finished)
		r.mu.Unlock()
		select {
		case <-r.changed:
		case <-deadline.C:
			t.Fatalf("waited 10s for %d finished calls, have %d", n, got)
		}
	}
}

func (r *recorder) startedCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.started)
}

func (r *recorder) eventLog() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

// seen is a request as the upstream stub received it.
type seen struct {
	Method, Host, RequestURI string
	Header                   http.Header
	TransferEncoding         []string
	ContentLength            int64
	BodyLen                  int64
	BodySHA                  string
}

// stub is an upstream that answers like the AWS services the tests call.
type stub struct {
	rec *recorder
	mu  sync.Mutex
	got []seen
	// onRequest, when set, runs as each request arrives.
	onRequest func()
}

func (s *stub) requests() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.got...)
}

func (s *stub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.onRequest != nil {
		s.onRequest()
	}
	path, _, _ := strings.Cut(r.RequestURI, "?")
	if s.rec != nil {
		s.rec.event("upstream " + r.Method + " " + r.Host + path)
	}
	h := sha256.New()
	n, _ := io.Copy(h, r.Body)
	s.mu.Lock()
	s.got = append(s.got, seen{
		Method: r.Method, Host: r.Host, RequestURI: r.RequestURI,
		Header: r.Header.Clone(), TransferEncoding: r.TransferEncoding,
		ContentLength: r.ContentLength, BodyLen: n, BodySHA: hex.EncodeToString(h.Sum(nil)),
	})
	s.mu.Unlock()

	target := r.Header.Get("X-Amz-Target")
	switch {
	case strings.HasPrefix(r.Host, "sts."):
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
			`<Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account>`+
			`</GetCallerIdentityResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
	case target == "DynamoDB_20120810.ListTables":
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		io.WriteString(w, `{"TableNames":["orders"]}`)
	case strings.HasPrefix(target, "AmazonSQS."):
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		io.WriteString(w, `{"QueueUrls":["https://sqs.us-east-1.amazonaws.com/123456789012/jobs"]}`)
	case strings.Contains(path, "denied"):
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`)
	case r.Method == http.MethodPut:
		w.Header().Set("ETag", `"`+hex.EncodeToString(h.Sum(nil)[:16])+`"`)
	case r.Method == http.MethodGet && (path == "/" || path == "") && strings.HasPrefix(r.Host, "s3."):
		w.Header().Set("Content-Type", "application/xml")
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult><Buckets><Bucket><Name>photos</Name>`+
			`<CreationDate>2024-01-01T00:00:00.000Z</CreationDate></Bucket></Buckets></ListAllMyBucketsResult>`)
	case r.Method == http.MethodGet && strings.Contains(r.URL.RawQuery, "list-type=2"):
		w.Header().Set("Content-Type", "application/xml")
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>photos</Name><KeyCount>0</KeyCount>`+
			`<IsTruncated>false</IsTruncated></ListBucketResult>`)
	default:
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "hello from "+r.Host)
	}
}

// fixture is a proxy in front of a TLS upstream stub, with a client that
// trusts the proxy's CA and sends everything through it.
type fixture struct {
	ca       *proxy.CA
	rec      *recorder
	stub     *stub
	upstream *httptest.Server
	srv      *proxy.Server
	proxyURL *url.URL
	caPool   *x509.CertPool
	logs     *syncBuffer
	served   chan error
}

// newFixture starts a fixture; configure may adjust the server before it
// serves.
func newFixture(t *testing.T, configure ...func(*fixture)) *fixture {
	t.Helper()
	ca, err := proxy.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{ca: ca, rec: newRecorder(), logs: &syncBuffer{}}
	f.stub = &stub{rec: f.rec}
	f.upstream = httptest.NewUnstartedServer(f.stub)
	f.upstream.Config.ErrorLog = log.New(io.Discard, "", 0) // handshakes the tests make fail
	f.upstream.StartTLS()
	t.Cleanup(f.upstream.Close)
	f.srv = &proxy.Server{
		CA:        ca,
		Recorder:  f.rec,
		Upstream:  mustParseURL(t, f.upstream.URL),
		Transport: trustingTransport(f.upstream.Certificate()),
		Logger:    slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, c := range configure {
		c(f)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.proxyURL = &url.URL{Scheme: "http", Host: l.Addr().String()}
	f.served = make(chan error, 1)
	go func() { f.served <- f.srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := f.srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-f.served; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve returned %v, want http.ErrServerClosed", err)
		}
	})
	f.caPool = x509.NewCertPool()
	f.caPool.AddCert(ca.Certificate())
	return f
}

// trustingTransport is an upstream transport like the proxy's default one,
// except that it trusts cert instead of the system roots.
func trustingTransport(cert *x509.Certificate) *http.Transport {
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &http.Transport{
		Proxy:                 nil,
		TLSClientConfig:       &tls.Config{RootCAs: pool},
		DisableCompression:    true,
		ExpectContinueTimeout: time.Second,
		MaxIdleConnsPerHost:   128,
	}
}

// clientTransport sends through the fixture's proxy and trusts its CA. A
// client that waits for 100 Continue waits 10 s, so a proxy that never
// answers it shows up as a slow test.
func (f *fixture) clientTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyURL(f.proxyURL),
		TLSClientConfig:       &tls.Config{RootCAs: f.caPool},
		ExpectContinueTimeout: 10 * time.Second,
		MaxIdleConnsPerHost:   128,
	}
}

func (f *fixture) client() *http.Client {
	return &http.Client{Transport: f.clientTransport(), Timeout: 30 * time.Second}
}

// awsConfig is a real SDK configuration whose HTTP client goes through the
// fixture's proxy. The endpoints are the real AWS hostnames. It is built
// by hand, not by config.LoadDefaultConfig, so no AWS_* variable of the
// machine running the tests can change it.
func (f *fixture) awsConfig(t *testing.T) aws.Config {
	t.Helper()
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, "")),
		HTTPClient:       f.client(),
		RetryMaxAttempts: 1,
	}
}

func mustParseURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// syncBuffer is a bytes.Buffer safe for the proxy's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// patternReader yields n deterministic bytes without holding them.
type patternReader struct {
	n, off int64
}

func (p *patternReader) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	if int64(len(b)) > p.n-p.off {
		b = b[:p.n-p.off]
	}
	for i := range b {
		x := p.off + int64(i)
		b[i] = byte(x*7 + x>>9)
	}
	p.off += int64(len(b))
	return len(b), nil
}

func pattern(n int) []byte {
	b, _ := io.ReadAll(&patternReader{n: int64(n)})
	return b
}

func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func findObservation(t *testing.T, obs []iamwatch.Observation, method, host, pathPrefix string) iamwatch.Observation {
	t.Helper()
	for _, o := range obs {
		if o.Method == method && o.Host == host && strings.HasPrefix(o.Path, pathPrefix) {
			return o
		}
	}
	var have []string
	for _, o := range obs {
		have = append(have, fmt.Sprintf("%s %s%s", o.Method, o.Host, o.Path))
	}
	t.Fatalf("no observation %s %s%s*; have %q", method, host, pathPrefix, have)
	return iamwatch.Observation{}
}
