package proxy_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/iamwatch/iamwatch/proxy"
)

// dialTunnel opens a CONNECT tunnel to host through the fixture's proxy,
// speaking TLS inside it when tlsInside is set.
func (f *fixture) dialTunnel(t *testing.T, host string, tlsInside bool) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", f.proxyURL.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "CONNECT "+host+":443 HTTP/1.1\r\nHost: "+host+":443\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, &http.Request{Method: "CONNECT"})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("CONNECT %s: %v %v", host, resp, err)
	}
	if br.Buffered() > 0 {
		t.Fatal("proxy sent bytes after the CONNECT response")
	}
	if !tlsInside {
		return c
	}
	tc := tls.Client(c, &tls.Config{RootCAs: f.caPool, ServerName: host})
	if err := tc.Handshake(); err != nil {
		t.Fatalf("TLS in the tunnel: %v", err)
	}
	return tc
}

// TestMalformedRequestsRecorded: a request net/http cannot parse never
// reaches a handler; on an intercepted connection it is still recorded, as
// a call with the status the client got and a Fault saying why, and
// logged; the proxy goes on serving.
func TestMalformedRequestsRecorded(t *testing.T) {
	huge := "X-Huge: " + strings.Repeat("a", 1<<20+8192) + "\r\n"
	tests := []struct {
		name      string
		tlsInside bool
		request   string
		status    int
		reason    string
	}{
		{"garbage request line", true, "NOT AN HTTP REQUEST\r\n\r\n", 400, "400 Bad Request"},
		{"malformed Host header", true, "GET / HTTP/1.1\r\nHost: bad host\r\n\r\n", 400, "400 Bad Request: malformed Host header"},
		{"missing Host header", true, "GET / HTTP/1.1\r\n\r\n", 400, "400 Bad Request: missing required Host header"},
		{"huge headers", true, "POST / HTTP/1.1\r\nHost: sts.amazonaws.com\r\n" + huge + "\r\n", 431, "431 Request Header Fields Too Large"},
		{"unknown transfer encoding", true, "POST / HTTP/1.1\r\nHost: sts.amazonaws.com\r\nTransfer-Encoding: rot13\r\n\r\n", 501, "Unsupported transfer encoding"},
		{"garbage in a plain tunnel", false, "\x00\x01\x02 garbage\r\n\r\n", 400, "400 Bad Request"},
	}
	f := newFixture(t)
	n := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := f.dialTunnel(t, "sts.amazonaws.com", tt.tlsInside)
			go io.WriteString(c, tt.request) // a huge head may be cut off mid-write
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatalf("reading the proxy's answer: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
			n++
			o := f.rec.waitFinished(t, n)[n-1]
			// Plain HTTP to port 443 keeps the port, as forwarded calls do.
			scheme, host := "http", "sts.amazonaws.com:443"
			if tt.tlsInside {
				scheme, host = "https", "sts.amazonaws.com"
			}
			if o.Host != host || o.Scheme != scheme || o.Status != tt.status || o.Fault != proxy.FaultMalformed+tt.reason {
				t.Errorf("recorded %s://%s status %d fault %q; want %s://%s %d %q",
					o.Scheme, o.Host, o.Status, o.Fault, scheme, host, tt.status, proxy.FaultMalformed+tt.reason)
			}
			if !strings.Contains(f.logs.String(), "rejected a malformed request") {
				t.Error("no log line for the malformed request")
			}

			// The proxy goes on serving.
			resp, err = f.client().Get("https://sts.amazonaws.com/")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			n++
			if o := f.rec.waitFinished(t, n)[n-1]; resp.StatusCode != 200 || o.Status != 200 || o.Fault != "" {
				t.Errorf("the call after: status %d, recorded %d %q", resp.StatusCode, o.Status, o.Fault)
			}
		})
	}
}

// TestMalformedRequestsToTheProxy: garbage sent to the proxy itself names
// no AWS host, so it is not a call, but it is logged and answered.
func TestMalformedRequestsToTheProxy(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct {
		name, request string
		status        int
	}{
		{"garbage", "\x16\x03\x01 not a proxy request\r\n\r\n", 400},
		{"huge CONNECT", "CONNECT sts.amazonaws.com:443 HTTP/1.1\r\nHost: sts.amazonaws.com:443\r\nX-Huge: " + strings.Repeat("a", 2<<20) + "\r\n\r\n", 431},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := net.Dial("tcp", f.proxyURL.Host)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			go io.WriteString(c, tt.request)
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if !strings.Contains(f.logs.String(), "rejected a malformed request to the proxy") {
				t.Errorf("no log line:\n%s", f.logs.String())
			}
		})
	}
	if n := f.rec.startedCount(); n != 0 {
		t.Errorf("recorded %d calls for requests that named no AWS host", n)
	}
	resp, err := f.client().Get("https://sts.amazonaws.com/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("after the garbage: status %d", resp.StatusCode)
	}
}

// TestAdmit: while Admit refuses, calls get a 503 in their protocol's
// error format and never go upstream, but are recorded; once it admits
// again, calls go through.
func TestAdmit(t *testing.T) {
	var refuse atomic.Bool
	refuse.Store(true)
	f := newFixture(t, func(f *fixture) {
		f.srv.Admit = func() error {
			if refuse.Load() {
				return errors.New("the store is failing")
			}
			return nil
		}
	})
	cfg := f.awsConfig(t)
	ctx := context.Background()
	calls := []func() error{
		func() error {
			_, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
			return err
		},
		func() error {
			_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		},
		func() error { _, err := s3.NewFromConfig(cfg).ListBuckets(ctx, &s3.ListBucketsInput{}); return err },
	}
	for i, call := range calls {
		err := call()
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ServiceUnavailable" || !strings.Contains(apiErr.ErrorMessage(), "the store is failing") {
			t.Errorf("call %d: %v, want ServiceUnavailable from iamwatch", i, err)
		}
		o := f.rec.waitFinished(t, i+1)[i]
		if o.Status != 503 || o.Fault != proxy.FaultRefused+"the store is failing" || o.Method == "" {
			t.Errorf("call %d recorded %s %d %q", i, o.Method, o.Status, o.Fault)
		}
	}
	if n := len(f.stub.requests()); n != 0 {
		t.Errorf("%d refused calls reached the upstream", n)
	}
	refuse.Store(false)
	for i, call := range calls {
		if err := call(); err != nil {
			t.Errorf("call %d after admitting again: %v", i, err)
		}
	}
	if n := len(f.stub.requests()); n != len(calls) {
		t.Errorf("upstream saw %d calls, want %d", n, len(calls))
	}
}
