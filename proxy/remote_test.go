package proxy_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// remoteListener labels every connection it accepts as coming from a
// documentation address off loopback; the traffic itself stays on
// loopback.
type remoteListener struct{ net.Listener }

type remoteConn struct{ net.Conn }

func (remoteConn) RemoteAddr() net.Addr { return &net.TCPAddr{IP: net.IPv4(192, 0, 2, 7), Port: 5555} }

func (l remoteListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return remoteConn{c}, nil
}

// TestRemoteClientsThroughTheListener: with AllowRemote, a client that is
// not on loopback needs the token, and even with it reaches AWS hosts
// only: the proxy is no open relay.
func TestRemoteClientsThroughTheListener(t *testing.T) {
	var otherHits atomic.Int32
	other, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	go func() {
		for {
			c, err := other.Accept()
			if err != nil {
				return
			}
			otherHits.Add(1)
			c.Close()
		}
	}()
	f := newFixture(t, func(f *fixture) {
		f.srv.AllowRemote = true
		f.srv.AuthToken = "remote-token"
	})
	// newFixture serves on a plain loopback listener; serve the same
	// server on one whose clients look remote.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go f.srv.Serve(remoteListener{l})
	remote := &url.URL{Scheme: "http", Host: l.Addr().String()}
	authed := *remote
	authed.User = url.UserPassword("iamwatch", "remote-token")

	client := func(proxyURL *url.URL) *http.Client {
		tr := f.clientTransport()
		tr.Proxy = http.ProxyURL(proxyURL)
		return &http.Client{Transport: tr, Timeout: 10 * time.Second}
	}
	t.Run("AWS host with the token", func(t *testing.T) {
		for _, u := range []string{"https://sts.amazonaws.com/", "http://sts.amazonaws.com/"} {
			resp, err := client(&authed).Get(u)
			if err != nil {
				t.Fatalf("%s: %v", u, err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("%s: status %d", u, resp.StatusCode)
			}
		}
	})
	t.Run("AWS host without the token", func(t *testing.T) {
		_, err := client(remote).Get("https://sts.amazonaws.com/")
		if err == nil || !strings.Contains(err.Error(), "Proxy Authentication Required") {
			t.Errorf("err = %v, want 407", err)
		}
	})
	connect := func(t *testing.T, target string, auth bool) *http.Response {
		t.Helper()
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		req := "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n"
		if auth {
			req += "Proxy-Authorization: Basic aWFtd2F0Y2g6cmVtb3RlLXRva2Vu\r\n" // iamwatch:remote-token
		}
		io.WriteString(c, req+"\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: "CONNECT"})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	t.Run("CONNECT elsewhere with the token", func(t *testing.T) {
		for _, target := range []string{other.Addr().String(), "localhost:" + portOf(other.Addr().String())} {
			if resp := connect(t, target, true); resp.StatusCode != http.StatusForbidden {
				t.Errorf("CONNECT %s: status %d, want 403", target, resp.StatusCode)
			}
		}
	})
	t.Run("CONNECT without the token", func(t *testing.T) {
		resp := connect(t, "sts.amazonaws.com:443", false)
		if resp.StatusCode != http.StatusProxyAuthRequired || !strings.HasPrefix(resp.Header.Get("Proxy-Authenticate"), "Basic") {
			t.Errorf("status %d, Proxy-Authenticate %q; want 407 asking for Basic", resp.StatusCode, resp.Header.Get("Proxy-Authenticate"))
		}
	})
	t.Run("plain request elsewhere with the token", func(t *testing.T) {
		for _, u := range []string{"http://" + other.Addr().String() + "/", "http://example.com/"} {
			req, _ := http.NewRequest("GET", u, nil)
			// Signed the AWS way: a loopback client would be intercepted.
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAccessKey+"/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0")
			resp, err := client(&authed).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s: status %d, want 403", u, resp.StatusCode)
			}
		}
	})
	if n := otherHits.Load(); n != 0 {
		t.Errorf("the non-AWS server was reached %d times", n)
	}
}

func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}
