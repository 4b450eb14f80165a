package proxy_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/iamwatch/iamwatch/proxy"
)

// healthyHost is always routed to the fixture's working stub by
// routeTransport, whatever fault the other hosts suffer.
const healthyHost = "healthy.s3.amazonaws.com"

// routeTransport sends requests for healthyHost to the working stub and
// every other request to a faulty upstream, so one proxy can be seen to
// fail a call and then serve the next.
type routeTransport struct {
	fault    http.RoundTripper
	faultURL *url.URL
	good     http.RoundTripper
	goodURL  *url.URL
}

func (rt *routeTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	out := r.Clone(r.Context())
	target, tr := rt.faultURL, rt.fault
	if r.Host == healthyHost {
		target, tr = rt.goodURL, rt.good
	}
	out.URL.Scheme, out.URL.Host = target.Scheme, target.Host
	return tr.RoundTrip(out)
}

// quietTLSServer is an httptest TLS server that does not log the
// handshakes the tests make fail.
func quietTLSServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	s := httptest.NewUnstartedServer(h)
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

func quietServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	s := httptest.NewUnstartedServer(h)
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// resetAfter answers with a head announcing length bytes, writes sent of
// them, and resets the connection.
func resetAfter(length, sent int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		fmt.Fprintf(brw, "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: %d\r\n\r\n", length)
		brw.Write(pattern(sent))
		brw.Flush()
		conn.(*net.TCPConn).SetLinger(0)
		conn.Close()
	}
}

// TestUpstreamFailures checks that a failing upstream gets the client a
// prompt AWS-style error its SDK parses, a recorded Fault, and that the
// proxy serves the next call as if nothing happened.
func TestUpstreamFailures(t *testing.T) {
	release := make(chan struct{})
	hanging := quietTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	stallsMidBody := quietTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(200)
		w.Write(pattern(10))
		w.(http.Flusher).Flush()
		<-release
	}))
	t.Cleanup(func() { close(release) })
	resetsMidBody := quietServer(t, resetAfter(1000, 10))
	plain := quietServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))

	tests := []struct {
		name     string
		upstream string
		rt       http.RoundTripper // nil: trusts nothing but the system roots
		status   int
		fault    string
	}{
		{"refused", "http://" + freeLoopbackAddr(t), nil, 502, "upstream refused the connection"},
		{"reset", "http://" + resettingListener(t), nil, 502, "upstream "},
		{"reset mid-body", resetsMidBody.URL, nil, 502, "upstream response body: "},
		{"hanging", hanging.URL, trustingTransport(hanging.Certificate()), 504, "upstream made no progress for 300ms"},
		{"stalls mid-body", stallsMidBody.URL, trustingTransport(stallsMidBody.Certificate()), 504,
			"upstream response body: upstream made no progress for 300ms"},
		{"untrusted upstream certificate", "", nil, 502, "upstream TLS: "},
		{"upstream does not speak TLS", strings.Replace(plain.URL, "http:", "https:", 1), nil, 502, "upstream TLS: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, func(f *fixture) {
				rt := &routeTransport{fault: tt.rt, good: f.srv.Transport, goodURL: f.srv.Upstream, faultURL: f.srv.Upstream}
				if tt.upstream != "" {
					rt.faultURL = mustParseURL(t, tt.upstream)
				}
				if rt.fault == nil {
					rt.fault = &http.Transport{Proxy: nil, TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}
				}
				f.srv.Transport = rt
				if tt.status == 504 {
					// Only the stalls wait for it. A failed handshake
					// can take longer than 300 ms under -race on a busy
					// machine, and must still be reported as a TLS
					// failure, not as a stall.
					f.srv.ResponseHeaderTimeout = 300 * time.Millisecond
				}
			})
			cfg := f.awsConfig(t)
			ctx := context.Background()
			calls := []struct {
				name string
				call func() error
			}{
				{"dynamodb json", func() error {
					_, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
					return err
				}},
				{"sts query", func() error {
					_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
					return err
				}},
				{"s3 rest-xml", func() error {
					_, err := s3.NewFromConfig(cfg).ListBuckets(ctx, &s3.ListBucketsInput{})
					return err
				}},
			}
			wantCode := "BadGateway"
			if tt.status == 504 {
				wantCode = "GatewayTimeout"
			}
			n := 0
			for _, c := range calls {
				start := time.Now()
				err := c.call()
				if d := time.Since(start); d > 3*time.Second {
					t.Errorf("%s: failed after %v, want promptly", c.name, d)
				}
				var apiErr smithy.APIError
				if !errors.As(err, &apiErr) || apiErr.ErrorCode() != wantCode || !strings.Contains(apiErr.ErrorMessage(), "iamwatch:") {
					t.Errorf("%s: SDK error %v, want API error %s from iamwatch", c.name, err, wantCode)
				}
				n++
				o := f.rec.waitFinished(t, n)[n-1]
				if o.Status != tt.status || !strings.HasPrefix(o.Fault, tt.fault) {
					t.Errorf("%s: recorded status %d fault %q, want %d %q…", c.name, o.Status, o.Fault, tt.status, tt.fault)
				}
				if o.ResponseBody != nil || o.ErrorCode != "" {
					t.Errorf("%s: a fault must not look like an AWS response: %q", c.name, o.ResponseBody)
				}

				// The proxy keeps serving: the next call, to a working
				// upstream, goes through.
				resp, err := f.client().Get("https://" + healthyHost + "/")
				if err != nil {
					t.Fatalf("after %s: healthy call: %v", c.name, err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || string(body) != "hello from "+healthyHost {
					t.Errorf("after %s: healthy call got %d %q", c.name, resp.StatusCode, body)
				}
				n++
				if o := f.rec.waitFinished(t, n)[n-1]; o.Status != 200 || o.Fault != "" {
					t.Errorf("after %s: healthy call recorded %d %q", c.name, o.Status, o.Fault)
				}
			}
		})
	}
}

// TestSlowUpstreamIsNotCutOff: an upstream that is slow but keeps making
// progress must not be timed out, however long the whole response takes;
// only a stall longer than ResponseHeaderTimeout counts.
func TestSlowUpstreamIsNotCutOff(t *testing.T) {
	const timeout = 300 * time.Millisecond
	const pieces, gap = 6, 150 * time.Millisecond // 900 ms in all, 3x the timeout
	// headDelay comes before the head; a quarter of the limit, so that the
	// TLS handshake, which also counts, can take the rest under -race on
	// a busy machine.
	const headDelay = timeout / 4
	slow := func(size int, announce bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			time.Sleep(headDelay)
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			if announce {
				w.Header().Set("Content-Length", fmt.Sprint(size))
			}
			w.WriteHeader(200)
			body := []byte(`{"TableNames":["` + strings.Repeat("t", size-20) + `"]}`)
			body = body[:size]
			for i := range pieces {
				w.Write(body[i*size/pieces : (i+1)*size/pieces])
				w.(http.Flusher).Flush()
				time.Sleep(gap)
			}
		}
	}
	tests := []struct {
		name     string
		size     int
		announce bool
	}{
		{"small body of known length", 600, true},
		{"large body of known length", 200 << 10, true},
		{"chunked body", 600, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := quietTLSServer(t, slow(tt.size, tt.announce))
			f := newFixture(t, func(f *fixture) {
				f.srv.Upstream = mustParseURL(t, up.URL)
				f.srv.Transport = trustingTransport(up.Certificate())
				f.srv.ResponseHeaderTimeout = timeout
			})
			start := time.Now()
			out, err := dynamodb.NewFromConfig(f.awsConfig(t)).ListTables(context.Background(), &dynamodb.ListTablesInput{})
			if err != nil {
				t.Fatalf("slow but progressing upstream: %v", err)
			}
			// The client has the whole body after the head's delay and the
			// gaps between the pieces.
			if d := time.Since(start); d < headDelay+(pieces-1)*gap {
				t.Fatalf("took %v: the upstream was not slow, the test proves nothing", d)
			}
			if len(out.TableNames) != 1 || len(out.TableNames[0]) != tt.size-20 {
				t.Errorf("got %d table names", len(out.TableNames))
			}
			if o := f.rec.waitFinished(t, 1)[0]; o.Status != 200 || o.Fault != "" {
				t.Errorf("recorded %d %q", o.Status, o.Fault)
			}
		})
	}
}

// TestLargeBodyBrokenMidway: once the head of a large response is out,
// an upstream that breaks off or stalls can only be passed on by breaking
// the client's connection; the call is recorded with the fault.
func TestLargeBodyBrokenMidway(t *testing.T) {
	const size = 1 << 20
	release := make(chan struct{})
	stalls := quietTLSServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(size))
		w.WriteHeader(200)
		w.Write(pattern(100 << 10))
		w.(http.Flusher).Flush()
		<-release
	}))
	t.Cleanup(func() { close(release) })
	resets := quietServer(t, resetAfter(size, 100<<10))
	tests := []struct {
		name, upstream string
		rt             http.RoundTripper
		fault          string
	}{
		{"reset", resets.URL, &http.Transport{}, "upstream response body: "},
		{"stall", stalls.URL, trustingTransport(stalls.Certificate()), "upstream response body: upstream made no progress for 300ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, func(f *fixture) {
				f.srv.Upstream = mustParseURL(t, tt.upstream)
				f.srv.Transport = tt.rt
				f.srv.ResponseHeaderTimeout = 300 * time.Millisecond
			})
			resp, err := f.client().Get("https://big.s3.amazonaws.com/object")
			if err != nil {
				t.Fatal(err)
			}
			n, err := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err == nil || n >= size {
				t.Errorf("client read %d bytes, err %v; want a broken body", n, err)
			}
			o := f.rec.waitFinished(t, 1)[0]
			if o.Status != 200 || !strings.HasPrefix(o.Fault, tt.fault) {
				t.Errorf("recorded %d %q, want 200 %q…", o.Status, o.Fault, tt.fault)
			}
		})
	}
}

// TestShutdownClosesUpstreamConnections: idle connections to the upstream
// do not outlive the server.
func TestShutdownClosesUpstreamConnections(t *testing.T) {
	open := make(chan int, 64)
	var conns int
	up := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	up.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		switch st {
		case http.StateNew:
			open <- 1
		case http.StateClosed, http.StateHijacked:
			open <- -1
		}
	}
	up.StartTLS()
	defer up.Close()
	ca, err := proxy.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	srv := &proxy.Server{CA: ca, Upstream: mustParseURL(t, up.URL), Transport: trustingTransport(up.Certificate())}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	f := &fixture{proxyURL: &url.URL{Scheme: "http", Host: l.Addr().String()}, caPool: caPool(ca)}
	client := f.client()
	for range 3 {
		resp, err := client.Get("https://sts.amazonaws.com/")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	// Connections open before their close is reported, so the running
	// count reaches zero once every one has closed.
	deadline := time.After(5 * time.Second)
	for first := true; first || conns > 0; first = false {
		select {
		case d := <-open:
			conns += d
		case <-deadline:
			t.Fatalf("%d upstream connections still open after Shutdown", conns)
		}
	}
}
