package proxy_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/proxy"
)

// TestSDKCallsRecorded sends real aws-sdk-go-v2 calls to real AWS
// hostnames through the proxy, redirected to a local stub by Upstream.
func TestSDKCallsRecorded(t *testing.T) {
	f := newFixture(t)
	cfg := f.awsConfig(t)
	ctx := context.Background()

	stsc := sts.NewFromConfig(cfg, func(o *sts.Options) { o.Region = "aws-global" })
	id, err := stsc.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	if aws.ToString(id.Account) != "123456789012" {
		t.Errorf("account = %q", aws.ToString(id.Account))
	}
	tables, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatalf("ListTables: %v", err)
	}
	if !slices.Equal(tables.TableNames, []string{"orders"}) {
		t.Errorf("tables = %q", tables.TableNames)
	}
	if _, err := sqs.NewFromConfig(cfg).ListQueues(ctx, &sqs.ListQueuesInput{}); err != nil {
		t.Fatalf("ListQueues: %v", err)
	}
	s3c := s3.NewFromConfig(cfg)
	if _, err := s3c.ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
		t.Fatalf("ListBuckets: %v", err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String("photos"), Key: aws.String("2024/cat.jpg"), Body: strings.NewReader("meow"),
	}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	_, err = s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("photos"), Key: aws.String("denied.txt")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" {
		t.Fatalf("GetObject error = %v, want AccessDenied", err)
	}

	obs := f.rec.waitFinished(t, 6)
	tests := []struct {
		name, method, host, path string
		status                   int
		reqBody, respBody        string
	}{
		{"sts global", "POST", "sts.amazonaws.com", "/", 200, "Action=GetCallerIdentity", "<Account>123456789012</Account>"},
		{"dynamodb", "POST", "dynamodb.us-east-1.amazonaws.com", "/", 200, "{}", "orders"},
		{"sqs json", "POST", "sqs.us-east-1.amazonaws.com", "/", 200, "{}", "QueueUrls"},
		{"s3 list buckets", "GET", "s3.us-east-1.amazonaws.com", "/", 200, "", "<Name>photos</Name>"},
		{"s3 bucket host", "PUT", "photos.s3.us-east-1.amazonaws.com", "/2024/cat.jpg", 200, "meow", ""},
		{"s3 access denied", "GET", "photos.s3.us-east-1.amazonaws.com", "/denied.txt", 403, "", "<Code>AccessDenied</Code>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := findObservation(t, obs, tt.method, tt.host, tt.path)
			if o.Source != iamwatch.SourceProxy || o.Scheme != "https" {
				t.Errorf("source, scheme = %q, %q", o.Source, o.Scheme)
			}
			if o.Status != tt.status || o.Fault != "" || o.ErrorCode != "" {
				t.Errorf("status, fault, error code = %d, %q, %q; want %d, \"\", \"\"", o.Status, o.Fault, o.ErrorCode, tt.status)
			}
			if auth := o.Header.Get("Authorization"); !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential="+testAccessKey+"/") {
				t.Errorf("Authorization = %q", auth)
			}
			if !strings.Contains(string(o.Body), tt.reqBody) || o.BodyTruncated {
				t.Errorf("body = %q (truncated %v), want it to contain %q", o.Body, o.BodyTruncated, tt.reqBody)
			}
			if !strings.Contains(string(o.ResponseBody), tt.respBody) {
				t.Errorf("response body = %q, want it to contain %q", o.ResponseBody, tt.respBody)
			}
			if o.ResponseHeader == nil || o.Latency <= 0 || o.Time.IsZero() {
				t.Errorf("response header %v, latency %v, time %v", o.ResponseHeader, o.Latency, o.Time)
			}
		})
	}

	t.Run("start and upstream precede finish", func(t *testing.T) {
		events := f.rec.eventLog()
		for _, tt := range tests {
			key := tt.method + " " + tt.host + tt.path
			s, u, fin := slices.Index(events, "start "+key), slices.Index(events, "upstream "+key), slices.Index(events, "finish "+key)
			if s < 0 || u < 0 || fin < 0 || !(s < fin && u < fin) {
				t.Errorf("%s: start at %d, upstream at %d, finish at %d; want both before finish", key, s, u, fin)
			}
		}
	})

	t.Run("started observations carry no outcome", func(t *testing.T) {
		f.rec.mu.Lock()
		defer f.rec.mu.Unlock()
		for _, o := range f.rec.started {
			if o.Status != 0 || o.Latency != 0 || o.ResponseHeader != nil {
				t.Errorf("%s %s%s started with outcome: status %d latency %v", o.Method, o.Host, o.Path, o.Status, o.Latency)
			}
		}
	})

	t.Run("logs carry no credentials", func(t *testing.T) {
		logs := f.logs.String()
		if !strings.Contains(logs, "photos.s3.us-east-1.amazonaws.com") {
			t.Errorf("debug log lacks the calls:\n%s", logs)
		}
		for _, secret := range []string{"AWS4-HMAC-SHA256", "Signature=", testSecretKey, "meow"} {
			if strings.Contains(logs, secret) {
				t.Errorf("log contains %q", secret)
			}
		}
	})
}

// TestRequestsRelayedByteForByte compares what the client sent with what
// the upstream received, for TLS and plain upstreams.
func TestRequestsRelayedByteForByte(t *testing.T) {
	for _, tc := range []struct {
		name     string
		plainTLS bool
	}{{"tls upstream", false}, {"plain upstream", true}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(f *fixture) {
				if tc.plainTLS {
					plain := httptest.NewServer(f.stub)
					t.Cleanup(plain.Close)
					f.srv.Upstream = mustParseURL(t, plain.URL)
				}
			})
			client := f.client()
			reqs := []struct {
				name, method, url string
				body              []byte
				chunked           bool
			}{
				{"odd path and query", "GET", "https://photos.s3.us-east-1.amazonaws.com/a%20b+c%2Fd~e%21.txt?list-type=2&prefix=a%2Fb%20c&x=%7E&flag", nil, false},
				{"double slash key", "GET", "https://photos.s3.amazonaws.com//leading/slash", nil, false},
				{"sized body", "PUT", "https://photos.s3.amazonaws.com/obj", pattern(200 << 10), false},
				{"chunked body", "PUT", "https://photos.s3.amazonaws.com/chunked", pattern(100 << 10), true},
				{"small body", "POST", "https://sts.amazonaws.com/", []byte("Action=GetCallerIdentity&Version=2011-06-15"), false},
			}
			for i, rq := range reqs {
				var body io.Reader
				if rq.body != nil {
					body = bytes.NewReader(rq.body)
					if rq.chunked {
						body = io.NopCloser(body) // unknown length: sent chunked
					}
				}
				req, err := http.NewRequest(rq.method, rq.url, body)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAccessKey+"/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00")
				req.Header.Set("X-Amz-Date", "20240101T000000Z")
				req.Header["x-amz-meta-Odd_Case"] = []string{"  spaced  value "}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatalf("%s: %v", rq.name, err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()

				got := f.stub.requests()[i]
				u := mustParseURL(t, rq.url)
				if got.Method != rq.method || got.Host != u.Host || got.RequestURI != u.RequestURI() {
					t.Errorf("%s: upstream got %s %s %s, want %s %s %s", rq.name, got.Method, got.Host, got.RequestURI, rq.method, u.Host, u.RequestURI())
				}
				sum := sha256.Sum256(rq.body)
				if got.BodyLen != int64(len(rq.body)) || got.BodySHA != hex.EncodeToString(sum[:]) {
					t.Errorf("%s: upstream body %d bytes %s, want %d bytes", rq.name, got.BodyLen, got.BodySHA[:8], len(rq.body))
				}
				if rq.chunked != slices.Contains(got.TransferEncoding, "chunked") {
					t.Errorf("%s: upstream transfer encoding %q", rq.name, got.TransferEncoding)
				}
				for _, k := range []string{"Authorization", "X-Amz-Date", "x-amz-meta-Odd_Case"} {
					want := req.Header[k]
					if k == "x-amz-meta-Odd_Case" {
						want = []string{"spaced  value"} // HTTP trims outer whitespace on the wire
					}
					if g := got.Header.Values(k); !slices.Equal(g, want) {
						t.Errorf("%s: upstream %s = %q, want %q", rq.name, k, g, want)
					}
				}
				if ua := got.Header.Get("User-Agent"); ua != "Go-http-client/1.1" {
					t.Errorf("%s: upstream User-Agent %q, want the client's", rq.name, ua)
				}
			}

			obs := f.rec.waitFinished(t, len(reqs))
			o := findObservation(t, obs, "GET", "photos.s3.us-east-1.amazonaws.com", "/a%20b")
			if o.Path != "/a%20b+c%2Fd~e%21.txt" || o.RawQuery != "list-type=2&prefix=a%2Fb%20c&x=%7E&flag" {
				t.Errorf("observed path %q query %q", o.Path, o.RawQuery)
			}
			big := findObservation(t, obs, "PUT", "photos.s3.amazonaws.com", "/obj")
			if !big.BodyTruncated || !bytes.Equal(big.Body, pattern(200 << 10)[:iamwatch.MaxBodyPrefix]) {
				t.Errorf("sized body prefix: %d bytes, truncated %v", len(big.Body), big.BodyTruncated)
			}
			ch := findObservation(t, obs, "PUT", "photos.s3.amazonaws.com", "/chunked")
			if !ch.BodyTruncated || len(ch.Body) != iamwatch.MaxBodyPrefix {
				t.Errorf("chunked body prefix: %d bytes, truncated %v", len(ch.Body), ch.BodyTruncated)
			}
		})
	}
}

// TestNonAWSTunneled checks that a CONNECT to any other host is a plain
// tunnel: the client sees the origin's own certificate and nothing is
// recorded.
func TestNonAWSTunneled(t *testing.T) {
	f := newFixture(t)
	origin := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "origin")
	}))
	defer origin.Close()
	pool := x509.NewCertPool()
	pool.AddCert(origin.Certificate()) // only the origin's: not our CA
	client := &http.Client{Transport: &http.Transport{
		Proxy:           http.ProxyURL(f.proxyURL),
		TLSClientConfig: &tls.Config{RootCAs: pool},
	}}
	resp, err := client.Get(origin.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "origin" {
		t.Errorf("body = %q", body)
	}
	if !resp.TLS.PeerCertificates[0].Equal(origin.Certificate()) {
		t.Errorf("client saw certificate %q, want the origin's", resp.TLS.PeerCertificates[0].Subject)
	}
	if n := f.rec.startedCount(); n != 0 {
		t.Errorf("%d calls recorded for a non-AWS host", n)
	}
}

// TestExpectContinue checks that uploads sent with Expect: 100-continue
// are answered at once, with a plain client and with the SDK's PutObject,
// which asks for it above 2 MiB. The clients would wait 10 s otherwise.
func TestExpectContinue(t *testing.T) {
	f := newFixture(t)
	t.Run("http client", func(t *testing.T) {
		body := pattern(1 << 20)
		req, _ := http.NewRequest("PUT", "https://uploads.s3.amazonaws.com/one", bytes.NewReader(body))
		req.Header.Set("Expect", "100-continue")
		start := time.Now()
		resp, err := f.client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("upload took %v: 100 Continue not answered", d)
		}
	})
	t.Run("sdk PutObject", func(t *testing.T) {
		start := time.Now()
		_, err := s3.NewFromConfig(f.awsConfig(t)).PutObject(context.Background(), &s3.PutObjectInput{
			Bucket: aws.String("uploads"), Key: aws.String("three-mib"), Body: bytes.NewReader(pattern(3 << 20)),
		})
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("PutObject took %v: 100 Continue not answered", d)
		}
		obs := f.rec.waitFinished(t, 2)
		o := findObservation(t, obs, "PUT", "uploads.s3.us-east-1.amazonaws.com", "/three-mib")
		if o.Header.Get("Expect") != "100-continue" {
			t.Errorf("SDK sent Expect %q; the test no longer covers 100-continue", o.Header.Get("Expect"))
		}
		if o.Status != 200 {
			t.Errorf("status %d", o.Status)
		}
		got := f.stub.requests()
		last := got[len(got)-1]
		if last.BodyLen < 3<<20 {
			t.Errorf("upstream got %d body bytes", last.BodyLen)
		}
	})
}

// TestStreamingUploadBoundedMemory sends 50 MB through the proxy and checks
// that it streams: the bytes arrive intact and far less than the body is
// allocated on the way.
func TestStreamingUploadBoundedMemory(t *testing.T) {
	const size = 50 << 20
	f := newFixture(t)
	client := f.client()
	// Warm up the connections so their setup is not counted.
	resp, err := client.Get("https://big.s3.amazonaws.com/warm")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	h := sha256.New()
	body := io.TeeReader(&patternReader{n: size}, h)
	req, _ := http.NewRequest("PUT", "https://big.s3.amazonaws.com/object", body)
	req.ContentLength = size

	// Sample the live heap while the body streams. A copy of the body
	// anywhere (client, proxy or upstream) would hold 50 MiB at once.
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	base := sample[0].Value.Uint64()
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				metrics.Read(s)
				if v := s[0].Value.Uint64(); v > peak.Load() {
					peak.Store(v)
				}
			}
		}
	}()
	resp, err = client.Do(req)
	close(stop)
	<-sampled
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	grew := int64(peak.Load()) - int64(base)
	t.Logf("heap grew by at most %d KiB while %d MiB streamed through client, proxy and upstream", grew>>10, size>>20)
	if grew > 24<<20 {
		t.Errorf("heap grew by %d MiB for a %d MiB body: the body is buffered somewhere", grew>>20, size>>20)
	}
	got := f.stub.requests()[1]
	if got.BodyLen != size || got.BodySHA != hex.EncodeToString(h.Sum(nil)) {
		t.Errorf("upstream got %d bytes, want %d intact", got.BodyLen, size)
	}
	obs := f.rec.waitFinished(t, 2)
	o := findObservation(t, obs, "PUT", "big.s3.amazonaws.com", "/object")
	if len(o.Body) != iamwatch.MaxBodyPrefix || !o.BodyTruncated || o.Status != 200 {
		t.Errorf("observed %d body bytes, truncated %v, status %d", len(o.Body), o.BodyTruncated, o.Status)
	}
}

// resettingListener accepts connections and resets them at once.
func resettingListener(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
		}
	}()
	return l.Addr().String()
}

// TestLeafCachePerHost checks that each host gets its own certificate,
// signed once and reused across connections.
func TestLeafCachePerHost(t *testing.T) {
	f := newFixture(t)
	tr := f.clientTransport()
	tr.DisableKeepAlives = true // a new TLS handshake per request
	client := &http.Client{Transport: tr}
	serials := map[string][]string{}
	for _, host := range []string{"a.s3.amazonaws.com", "b.s3.amazonaws.com", "a.s3.amazonaws.com", "a.s3.amazonaws.com"} {
		resp, err := client.Get("https://" + host + "/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		leaf := resp.TLS.PeerCertificates[0]
		if err := leaf.VerifyHostname(host); err != nil {
			t.Errorf("leaf for %s: %v", host, err)
		}
		if leaf.NotAfter.After(time.Now().Add(24*time.Hour)) || leaf.IsCA {
			t.Errorf("leaf for %s valid until %v (CA %v); want a leaf of at most a day", host, leaf.NotAfter, leaf.IsCA)
		}
		serials[host] = append(serials[host], leaf.SerialNumber.String())
	}
	if s := serials["a.s3.amazonaws.com"]; s[0] != s[1] || s[1] != s[2] {
		t.Errorf("a.s3.amazonaws.com got serials %v, want one cached leaf", s)
	}
	if n := proxy.IssuedLeaves(f.ca); n != 2 {
		t.Errorf("issued %d leaves for 2 hosts", n)
	}
}

// sessionCache records whether the server sent a session ticket.
type sessionCache struct{ puts atomic.Int32 }

func (c *sessionCache) Get(string) (*tls.ClientSessionState, bool) { return nil, false }
func (c *sessionCache) Put(_ string, cs *tls.ClientSessionState) {
	if cs != nil {
		c.puts.Add(1)
	}
}

// TestNoSessionTicketsAndHTTP1 checks the TLS side that botocore and the
// SDKs need: TLS 1.3 without session tickets, HTTP/1.1 even when the
// client offers h2.
func TestNoSessionTicketsAndHTTP1(t *testing.T) {
	f := newFixture(t)
	ours := &sessionCache{}
	tr := f.clientTransport()
	tr.TLSClientConfig.ClientSessionCache = ours
	tr.TLSClientConfig.NextProtos = []string{"h2", "http/1.1"}
	tr.ForceAttemptHTTP2 = true
	resp, err := (&http.Client{Transport: tr}).Get("https://sts.amazonaws.com/")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.TLS.Version != tls.VersionTLS13 || resp.Proto != "HTTP/1.1" {
		t.Errorf("TLS %x, %s; want TLS 1.3 and HTTP/1.1", resp.TLS.Version, resp.Proto)
	}
	if n := ours.puts.Load(); n != 0 {
		t.Errorf("proxy sent %d session tickets", n)
	}

	// Control: the same client against a server that sends tickets.
	control := &sessionCache{}
	pool := x509.NewCertPool()
	pool.AddCert(f.upstream.Certificate())
	ctr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ClientSessionCache: control}}
	resp, err = (&http.Client{Transport: ctr}).Get(f.upstream.URL)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if control.puts.Load() == 0 {
		t.Error("control server sent no session ticket; the check above proves nothing")
	}
}

// TestStreamingResponse checks that a response of unknown length reaches
// the client as it comes, as event streams and long polls need.
func TestStreamingResponse(t *testing.T) {
	release := make(chan struct{})
	f := newFixture(t, func(f *fixture) {
		up := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
			io.WriteString(w, "event 1\n")
			w.(http.Flusher).Flush()
			<-release
			io.WriteString(w, "event 2\n")
		}))
		t.Cleanup(up.Close)
		f.srv.Upstream = mustParseURL(t, up.URL)
		f.srv.Transport = trustingTransport(up.Certificate())
	})
	releaseOnce := sync.OnceFunc(func() { close(release) })
	defer releaseOnce()
	resp, err := f.client().Post("https://kinesis.us-east-1.amazonaws.com/", "application/x-amz-json-1.1", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	first := make(chan string, 1)
	br := bufio.NewReader(resp.Body)
	go func() {
		line, _ := br.ReadString('\n')
		first <- line
	}()
	select {
	case line := <-first:
		if line != "event 1\n" {
			t.Errorf("first event %q", line)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("first event not relayed before the stream went on")
	}
	releaseOnce()
	rest, _ := io.ReadAll(br)
	if string(rest) != "event 2\n" {
		t.Errorf("rest = %q", rest)
	}
	o := f.rec.waitFinished(t, 1)[0]
	if string(o.ResponseBody) != "event 1\nevent 2\n" || o.Status != 200 {
		t.Errorf("recorded %d %q", o.Status, o.ResponseBody)
	}
}

// TestUpgradeRelayed checks that a protocol switch (WebSocket, as SSM
// sessions use) passes through an intercepted connection.
func TestUpgradeRelayed(t *testing.T) {
	f := newFixture(t, func(f *fixture) {
		up := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Upgrade") != "echo" {
				http.Error(w, "want Upgrade: echo", 400)
				return
			}
			conn, brw, err := http.NewResponseController(w).Hijack()
			if err != nil {
				return
			}
			defer conn.Close()
			brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
			brw.Flush()
			line, _ := brw.ReadString('\n')
			io.WriteString(conn, "echo "+line)
		}))
		t.Cleanup(up.Close)
		f.srv.Upstream = mustParseURL(t, up.URL)
		f.srv.Transport = trustingTransport(up.Certificate())
	})
	req, _ := http.NewRequest("GET", "https://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/s-1", nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "echo")
	resp, err := (&http.Client{Transport: f.clientTransport()}).Do(req) // no Timeout: it would hide the connection
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("status %d", resp.StatusCode)
	}
	rw := resp.Body.(io.ReadWriteCloser)
	io.WriteString(rw, "ping\n")
	line, _ := bufio.NewReader(rw).ReadString('\n')
	rw.Close()
	if line != "echo ping\n" {
		t.Errorf("got %q", line)
	}
	if o := f.rec.waitFinished(t, 1)[0]; o.Status != 101 {
		t.Errorf("recorded status %d", o.Status)
	}
}

// TestPlainHTTP checks plain-HTTP proxying: requests signed the AWS way
// (custom endpoints behind HTTP_PROXY) are recorded, others forwarded
// untouched and unrecorded.
func TestPlainHTTP(t *testing.T) {
	f := newFixture(t, func(f *fixture) { f.srv.Upstream = nil })
	endpoint := httptest.NewServer(f.stub)
	defer endpoint.Close()
	client := f.client()

	req, _ := http.NewRequest("POST", endpoint.URL+"/?Action=ListQueues", strings.NewReader("x=1"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAccessKey+"/20240101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	resp, err = client.Get(endpoint.URL + "/unsigned")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(string(body), "hello from") {
		t.Errorf("unsigned request: %d %q", resp.StatusCode, body)
	}

	obs := f.rec.waitFinished(t, 1)
	host := strings.TrimPrefix(endpoint.URL, "http://")
	o := findObservation(t, obs, "POST", host, "/")
	if o.Scheme != "http" || o.RawQuery != "Action=ListQueues" || string(o.Body) != "x=1" || o.Status != 200 {
		t.Errorf("recorded %s %q %q %d", o.Scheme, o.RawQuery, o.Body, o.Status)
	}
	if len(f.stub.requests()) != 2 {
		t.Errorf("upstream got %d requests, want 2", len(f.stub.requests()))
	}
	if n := f.rec.startedCount(); n != 1 {
		t.Errorf("recorded %d calls, want only the signed one", n)
	}
}

// TestAuthToken checks Proxy-Authorization when a token is set, and that
// the token never reaches the recorded headers.
func TestAuthToken(t *testing.T) {
	f := newFixture(t, func(f *fixture) { f.srv.AuthToken = "s3cret" })
	t.Run("without token", func(t *testing.T) {
		_, err := f.client().Get("https://sts.amazonaws.com/")
		if err == nil || !strings.Contains(err.Error(), "Proxy Authentication Required") {
			t.Errorf("err = %v, want 407", err)
		}
		req, _ := http.NewRequest("GET", "http://sts.amazonaws.com/", nil)
		resp, err := (&http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(f.proxyURL)}}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusProxyAuthRequired || resp.Header.Get("Proxy-Authenticate") == "" {
			t.Errorf("plain request: %d %q", resp.StatusCode, resp.Header.Get("Proxy-Authenticate"))
		}
	})
	t.Run("with token", func(t *testing.T) {
		authed := *f.proxyURL
		authed.User = url.UserPassword("iamwatch", "s3cret")
		tr := f.clientTransport()
		tr.Proxy = http.ProxyURL(&authed)
		client := &http.Client{Transport: tr}
		for _, u := range []string{"https://sts.amazonaws.com/", "http://sts.amazonaws.com/"} {
			resp, err := client.Get(u)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("%s: status %d", u, resp.StatusCode)
			}
		}
		for _, o := range f.rec.waitFinished(t, 2) {
			if o.Header.Get("Proxy-Authorization") != "" {
				t.Errorf("%s://%s recorded the proxy token", o.Scheme, o.Host)
			}
		}
		got := f.stub.requests()
		if got[len(got)-1].Header.Get("Proxy-Authorization") != "" {
			t.Error("the proxy token was forwarded upstream")
		}
	})
}

// nonLoopbackListener reports an address off loopback; it never serves.
type nonLoopbackListener struct{ net.Listener }

func (nonLoopbackListener) Addr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 10080}
}

func TestServeRefusesRemoteWithoutAuth(t *testing.T) {
	ca, err := proxy.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	remote := nonLoopbackListener{l}
	tests := []struct {
		name string
		srv  *proxy.Server
		want error
	}{
		{"remote not allowed", &proxy.Server{CA: ca}, proxy.ErrRemoteListen},
		{"remote without token", &proxy.Server{CA: ca, AllowRemote: true}, proxy.ErrNoAuthToken},
		{"no CA", &proxy.Server{}, proxy.ErrNoCA},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.srv.Serve(remote); !errors.Is(err, tt.want) {
				t.Errorf("Serve = %v, want %v", err, tt.want)
			}
			tt.srv.Shutdown(context.Background())
		})
	}
}

// TestBasicAuthHeaderFormats covers the credential forms clients send.
func TestBasicAuthHeaderFormats(t *testing.T) {
	f := newFixture(t, func(f *fixture) { f.srv.AuthToken = "tok" })
	for _, tt := range []struct {
		name, header string
		want         int
	}{
		{"basic", "Basic " + base64.StdEncoding.EncodeToString([]byte("any:tok")), 200},
		{"bearer", "Bearer tok", 200},
		{"wrong", "Basic " + base64.StdEncoding.EncodeToString([]byte("any:nope")), 407},
		{"garbage", "Basic !!!", 407},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", "http://sts.amazonaws.com/", nil)
			tr := &http.Transport{Proxy: http.ProxyURL(f.proxyURL), ProxyConnectHeader: nil}
			req.Header.Set("Proxy-Authorization", tt.header)
			resp, err := (&http.Client{Transport: tr}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}

// TestClientLeavesBeforeResponse checks that a client hanging up while
// the upstream has not answered yet (a long poll) cancels the upstream
// call: the proxy watches the connection of a call that lasts.
func TestClientLeavesBeforeResponse(t *testing.T) {
	arrived, upstreamDone := make(chan struct{}), make(chan struct{})
	f := newFixture(t, func(f *fixture) {
		up := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer close(upstreamDone)
			// Read whole, the body lets the server watch the connection.
			io.Copy(io.Discard, r.Body)
			close(arrived)
			<-r.Context().Done() // a long poll that only ends when the proxy gives up
		}))
		t.Cleanup(up.Close)
		f.srv.Upstream = mustParseURL(t, up.URL)
		f.srv.Transport = trustingTransport(up.Certificate())
	})
	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, "POST", "https://sqs.us-east-1.amazonaws.com/", strings.NewReader("Action=ReceiveMessage&WaitTimeSeconds=20"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	errc := make(chan error, 1)
	go func() {
		resp, err := f.client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	<-arrived
	cancel() // the client gives up and closes its connection
	<-errc
	select {
	case <-upstreamDone:
	case <-time.After(10 * time.Second):
		t.Fatal("upstream call not cancelled after the client left")
	}
}

// TestClientLeavesMidResponse checks that a client hanging up during a
// long response cancels the upstream call and is recorded as such.
func TestClientLeavesMidResponse(t *testing.T) {
	upstreamDone := make(chan struct{})
	f := newFixture(t, func(f *fixture) {
		up := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer close(upstreamDone)
			io.WriteString(w, "first\n")
			w.(http.Flusher).Flush()
			<-r.Context().Done() // a long poll that only ends when the proxy gives up
		}))
		t.Cleanup(up.Close)
		f.srv.Upstream = mustParseURL(t, up.URL)
		f.srv.Transport = trustingTransport(up.Certificate())
	})
	resp, err := f.client().Get("https://sqs.us-east-1.amazonaws.com/poll")
	if err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(resp.Body).ReadString('\n')
	if line != "first\n" {
		t.Fatalf("first line %q", line)
	}
	resp.Body.Close() // hangs up: the response is not complete
	select {
	case <-upstreamDone:
	case <-time.After(10 * time.Second):
		t.Fatal("upstream call not cancelled after the client left")
	}
	o := f.rec.waitFinished(t, 1)[0]
	if o.Status != 200 || o.Fault != "client closed the connection" {
		t.Errorf("recorded status %d fault %q", o.Status, o.Fault)
	}
}

// TestShutdownClosesTunnels checks that Shutdown does not leave tunnels to
// other hosts open.
func TestShutdownClosesTunnels(t *testing.T) {
	echo, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer echo.Close()
	go func() {
		for {
			c, err := echo.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	ca, err := proxy.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	srv := &proxy.Server{CA: ca}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()

	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "CONNECT "+echo.Addr().String()+" HTTP/1.1\r\nHost: "+echo.Addr().String()+"\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, &http.Request{Method: "CONNECT"})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("CONNECT: %v %v", resp, err)
	}
	io.WriteString(c, "ping\n")
	if line, _ := br.ReadString('\n'); line != "ping\n" {
		t.Fatalf("tunnel echoed %q", line)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("Serve = %v", err)
	}
	if _, err := br.ReadString('\n'); err == nil {
		t.Error("tunnel still open after Shutdown")
	}
	if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("Serve after Shutdown = %v", err)
	}
}
