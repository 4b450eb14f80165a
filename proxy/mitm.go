package proxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/elazarl/goproxy"
)

// recordTypeHandshake is the first byte of a TLS ClientHello record.
const recordTypeHandshake = 0x16

// intercept takes over a CONNECT to an AWS host: it confirms the tunnel,
// terminates TLS with a leaf from the CA and hands the connection to the
// intercepting HTTP server. A client that speaks plain HTTP inside the
// tunnel is served as plain HTTP.
func (s *Server) intercept(req *http.Request, client net.Conn, _ *goproxy.ProxyCtx) {
	target := req.URL.Host
	if _, err := io.WriteString(client, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		client.Close()
		return
	}
	client.SetDeadline(time.Now().Add(clientHeadTimeout))
	// A tiny buffer: reads larger than it bypass it once it is drained.
	br := bufio.NewReaderSize(client, 16)
	first, err := br.Peek(1)
	if err != nil {
		client.Close()
		return
	}
	mc := &mitmConn{Conn: client, r: br, target: target}
	var conn net.Conn = mc
	if first[0] == recordTypeHandshake {
		tc := tls.Server(mc, s.tlsConf)
		if err := tc.Handshake(); err != nil {
			s.logHandshakeError(target, err)
			tc.Close()
			return
		}
		conn = tc
	}
	client.SetDeadline(time.Time{})
	if !s.mitmLn.push(conn) {
		conn.Close()
	}
}

// logHandshakeError explains the usual cause: a client that does not trust
// the CA.
func (s *Server) logHandshakeError(target string, err error) {
	var alert tls.AlertError
	msg := err.Error()
	if errors.As(err, &alert) || strings.Contains(msg, "unknown certificate authority") || strings.Contains(msg, "bad certificate") {
		s.logger.Warn("client rejected the iamwatch certificate; does it trust the iamwatch CA?", "host", target, "err", err)
		return
	}
	s.logger.Debug("TLS handshake with client failed", "host", target, "err", err)
}

// certificate picks the leaf for a ClientHello: by SNI, or by the CONNECT
// host when the client sent none.
func (s *Server) certificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	name := hello.ServerName
	if name == "" {
		if mc, ok := hello.Conn.(*mitmConn); ok {
			name = hostOnly(mc.target)
		}
	}
	return s.CA.Leaf(name)
}

// mitmConn is an intercepted client connection: it remembers the CONNECT
// target and replays what was peeked.
type mitmConn struct {
	net.Conn
	r      *bufio.Reader
	target string
}

func (c *mitmConn) Read(p []byte) (int, error) { return c.r.Read(p) }

type targetKey struct{}

// connContext puts the CONNECT target of an intercepted connection into the
// context of its requests.
func connContext(ctx context.Context, c net.Conn) context.Context {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	if mc, ok := c.(*mitmConn); ok {
		return context.WithValue(ctx, targetKey{}, mc.target)
	}
	return ctx
}

// serveIntercepted handles a request read from an intercepted connection.
func (s *Server) serveIntercepted(w http.ResponseWriter, r *http.Request) {
	target, _ := r.Context().Value(targetKey{}).(string)
	if target == "" {
		http.Error(w, "iamwatch: connection has no target", http.StatusInternalServerError)
		return
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	s.forward(w, r, scheme, target)
}

// connListener hands hijacked connections to an http.Server.
type connListener struct {
	ch   chan net.Conn
	done chan struct{}
	once sync.Once
}

func newConnListener() *connListener {
	return &connListener{ch: make(chan net.Conn), done: make(chan struct{})}
}

func (l *connListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *connListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *connListener) Addr() net.Addr { return connListenerAddr{} }

// push offers c to the server; false means the listener is closed.
func (l *connListener) push(c net.Conn) bool {
	select {
	case l.ch <- c:
		return true
	case <-l.done:
		return false
	}
}

type connListenerAddr struct{}

func (connListenerAddr) Network() string { return "intercepted" }
func (connListenerAddr) String() string  { return "intercepted" }
