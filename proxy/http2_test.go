package proxy_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"
)

// TestHTTP2OnlyClient: a client that offers only h2 in ALPN (the JS SDK's
// NodeHttp2Handler) is served HTTP/2 on the intercepted connection, and
// its calls are recorded like any other; several streams share the
// connection.
func TestHTTP2OnlyClient(t *testing.T) {
	f := newFixture(t)
	cc := dialH2(t, f)
	for i := range 3 {
		req, _ := http.NewRequest("POST", "https://sts.amazonaws.com/", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAccessKey+"/20240101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0")
		res, err := cc.RoundTrip(req)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || res.ProtoMajor != 2 {
			t.Fatalf("request %d: %s %s", i, res.Proto, res.Status)
		}
	}
	for _, o := range f.rec.waitFinished(t, 3) {
		if o.Host != "sts.amazonaws.com" || o.Method != "POST" || o.Status != 200 || !strings.Contains(string(o.Body), "GetCallerIdentity") {
			t.Errorf("recorded %s %s %d %q", o.Method, o.Host, o.Status, o.Body)
		}
	}
}

// TestShutdownFinishesHTTP2Calls: Shutdown lets a call in flight on an
// HTTP/2 connection finish, and returns only once it is recorded, as it
// does for HTTP/1.1 calls; the idle connection is then told to go away.
func TestShutdownFinishesHTTP2Calls(t *testing.T) {
	arrived := make(chan struct{})
	release := make(chan struct{})
	var releaseOnce sync.Once
	unblock := func() { releaseOnce.Do(func() { close(release) }) }
	defer unblock() // before the fixture's cleanup, which waits for the upstream
	f := newFixture(t, func(f *fixture) {
		f.stub.onRequest = func() {
			close(arrived)
			<-release
		}
	})
	cc := dialH2(t, f)
	type result struct {
		status int
		err    error
	}
	done := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest("POST", "https://sts.amazonaws.com/", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAccessKey+"/20240101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0")
		res, err := cc.RoundTrip(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		done <- result{status: res.StatusCode}
	}()
	<-arrived
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shut <- f.srv.Shutdown(ctx)
	}()
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned (%v) while an HTTP/2 call was in flight", err)
	case <-time.After(300 * time.Millisecond):
	}
	unblock()
	if r := <-done; r.err != nil || r.status != 200 {
		t.Fatalf("call in flight during Shutdown: %d, %v", r.status, r.err)
	}
	select {
	case err := <-shut:
		if err != nil {
			t.Fatalf("Shutdown: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Shutdown did not return after the HTTP/2 call finished")
	}
	if obs := f.rec.waitFinished(t, 1); obs[0].Status != 200 {
		t.Errorf("recorded status %d, want 200", obs[0].Status)
	}
}

// TestShutdownDeadlineClosesHTTP2Connections: when Shutdown's context ends
// first, it closes the HTTP/2 connections still busy.
func TestShutdownDeadlineClosesHTTP2Connections(t *testing.T) {
	arrived := make(chan struct{})
	release := make(chan struct{})
	defer close(release)
	f := newFixture(t, func(f *fixture) {
		f.stub.onRequest = func() {
			close(arrived)
			<-release
		}
	})
	cc := dialH2(t, f)
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest("GET", "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15", nil)
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAccessKey+"/20240101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0")
		res, err := cc.RoundTrip(req)
		if err == nil {
			_, err = io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
		done <- err
	}()
	<-arrived
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	f.srv.Shutdown(ctx)
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Shutdown took %v past its deadline", d)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Error("the call on the closed connection succeeded")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the client's connection was left open")
	}
}

// dialH2 opens an HTTP/2-only connection to sts.amazonaws.com through the
// fixture's proxy.
func dialH2(t *testing.T, f *fixture) *http2.ClientConn {
	t.Helper()
	conn, err := net.Dial("tcp", f.proxyURL.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "CONNECT sts.amazonaws.com:443 HTTP/1.1\r\nHost: sts.amazonaws.com:443\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("CONNECT: %v %v", resp, err)
	}
	tc := tls.Client(conn, &tls.Config{ServerName: "sts.amazonaws.com", RootCAs: f.caPool, NextProtos: []string{"h2"}})
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	cc, err := (&http2.Transport{}).NewClientConn(tc)
	if err != nil {
		t.Fatal(err)
	}
	return cc
}
