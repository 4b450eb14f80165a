package proxy_test

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/http2"
)

// TestHTTP2OnlyClient: a client that offers only h2 in ALPN (the JS SDK's
// NodeHttp2Handler) is served HTTP/2 on the intercepted connection, and
// its calls are recorded like any other; several streams share the
// connection.
func TestHTTP2OnlyClient(t *testing.T) {
	f := newFixture(t)
	conn, err := net.Dial("tcp", f.proxyURL.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "CONNECT sts.amazonaws.com:443 HTTP/1.1\r\nHost: sts.amazonaws.com:443\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("CONNECT: %v %v", resp, err)
	}
	tc := tls.Client(conn, &tls.Config{ServerName: "sts.amazonaws.com", RootCAs: f.caPool, NextProtos: []string{"h2"}})
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	if p := tc.ConnectionState().NegotiatedProtocol; p != "h2" {
		t.Fatalf("negotiated %q, want h2", p)
	}
	cc, err := (&http2.Transport{}).NewClientConn(tc)
	if err != nil {
		t.Fatal(err)
	}
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
