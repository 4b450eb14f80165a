package proxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/elazarl/goproxy"
	"golang.org/x/net/http2"

	"github.com/iamwatch/iamwatch"
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
	wc := &watchedConn{Conn: mc, s: s, target: target, scheme: "http"}
	if first[0] == recordTypeHandshake {
		tc := tls.Server(mc, s.tlsConf)
		if err := tc.Handshake(); err != nil {
			s.logHandshakeError(target, err)
			tc.Close()
			return
		}
		wc.Conn, wc.scheme = tc, "https"
	}
	client.SetDeadline(time.Time{})
	if tc, ok := wc.Conn.(*tls.Conn); ok && tc.ConnectionState().NegotiatedProtocol == "h2" {
		s.serveH2(wc)
		return
	}
	if !s.mitmLn.push(wc) {
		wc.Close()
	}
}

// serveH2 serves an intercepted connection whose client speaks HTTP/2, on
// this goroutine, until either side closes it.
func (s *Server) serveH2(wc *watchedConn) {
	// net/http's error responses, which watchedConn looks for, are
	// HTTP/1.1's: an HTTP/2 connection has none to notice.
	wc.dispatched.Store(true)
	if !s.addH2(wc) {
		wc.Close()
		return
	}
	defer s.removeH2(wc)
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), connKey{}, wc))
	defer cancel()
	s.h2.ServeConn(wc, &http2.ServeConnOpts{
		Context:    ctx,
		BaseConfig: s.mitm,
		Handler:    http.HandlerFunc(s.serveIntercepted),
	})
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

type connKey struct{}

// connContext puts the watchedConn a request arrived on into its context.
func connContext(ctx context.Context, c net.Conn) context.Context {
	if wc, ok := c.(*watchedConn); ok {
		return context.WithValue(ctx, connKey{}, wc)
	}
	return ctx
}

// serveIntercepted handles a request read from an intercepted connection.
func (s *Server) serveIntercepted(w http.ResponseWriter, r *http.Request) {
	wc := markDispatched(r)
	if wc == nil || wc.target == "" {
		http.Error(w, "iamwatch: connection has no target", http.StatusInternalServerError)
		return
	}
	s.forward(w, r, wc.scheme, wc.target)
}

// watchedConn is a client connection as an http.Server reads it. It
// notices the error responses net/http writes on its own for requests it
// cannot parse (a malformed request line or header, headers over the
// limit), which no handler ever sees, so that they are logged and, on an
// intercepted connection, recorded rather than lost.
type watchedConn struct {
	net.Conn
	s *Server
	// target is the CONNECT target of an intercepted connection, and
	// scheme what the client speaks inside the tunnel; target is empty on
	// the proxy's own listener.
	target, scheme string
	// dispatched is set while a handler owns the current request: from
	// the handler's start until the server reports the connection idle
	// again, after the response was flushed.
	dispatched atomic.Bool
	dl         deadlines
}

func (c *watchedConn) Write(p []byte) (int, error) {
	if !c.dispatched.Load() {
		if status, reason, ok := parseServerError(p); ok {
			c.dispatched.Store(true) // the server closes the connection next
			c.s.rejected(c, status, reason)
		}
	}
	return c.Conn.Write(p)
}

// CloseWrite and CloseRead keep the half-close of the connection beneath,
// which tunnels and net/http use.
func (c *watchedConn) CloseWrite() error {
	if hc, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return hc.CloseWrite()
	}
	return c.Close()
}

func (c *watchedConn) CloseRead() error {
	if hc, ok := c.Conn.(interface{ CloseRead() error }); ok {
		return hc.CloseRead()
	}
	return c.Close()
}

// trackState is the servers' ConnState hook: a new or idle connection has
// no request in a handler.
func trackState(c net.Conn, st http.ConnState) {
	if wc, ok := c.(*watchedConn); ok && (st == http.StateNew || st == http.StateIdle) {
		wc.dispatched.Store(false)
	}
}

// markDispatched notes that a handler took r, and returns r's connection.
func markDispatched(r *http.Request) *watchedConn {
	wc, _ := r.Context().Value(connKey{}).(*watchedConn)
	if wc != nil {
		wc.dispatched.Store(true)
	}
	return wc
}

// watchedListener wraps the connections of the proxy's own listener.
type watchedListener struct {
	net.Listener
	s *Server
}

func (l watchedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &watchedConn{Conn: c, s: l.s}, nil
}

// parseServerError recognizes the response net/http writes, in one piece,
// when it cannot read a request: "HTTP/1.1 NNN Text" and the plain-text
// error headers. It returns the status and the reason (the body, which
// repeats the status and may say more).
func parseServerError(p []byte) (status int, reason string, ok bool) {
	const errorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
	line, rest, found := strings.Cut(string(p[:min(len(p), 1024)]), errorHeaders)
	if !found || !strings.HasPrefix(line, "HTTP/1.1 ") || len(line) < len("HTTP/1.1 400") {
		return 0, "", false
	}
	status, err := strconv.Atoi(line[len("HTTP/1.1 ") : len("HTTP/1.1 ")+3])
	if err != nil || status < 400 || status > 599 {
		return 0, "", false
	}
	reason = strings.TrimSpace(rest)
	if reason == "" {
		reason = strings.TrimSpace(line[len("HTTP/1.1 "):])
	}
	return status, reason, true
}

// rejected logs a request net/http refused to parse and, on an
// intercepted connection, hands it to the Recorder as a call with a Fault,
// before the client sees the error.
func (s *Server) rejected(c *watchedConn, status int, reason string) {
	if c.target == "" {
		s.logger.Warn("rejected a malformed request to the proxy", "client", c.RemoteAddr().String(), "status", status, "reason", reason)
		return
	}
	s.logger.Warn("rejected a malformed request; recorded as unrecognized", "host", c.target, "status", status, "reason", reason)
	if s.Recorder == nil {
		return
	}
	now := time.Now()
	obs := iamwatch.Observation{
		Time:   now,
		Source: iamwatch.SourceProxy,
		Scheme: c.scheme,
		Host:   observedHost(c.target, c.scheme),
	}
	start := obs
	finish := s.Recorder.Start(&start)
	if finish == nil {
		return
	}
	obs.Status = status
	obs.Fault = FaultMalformed + reason
	obs.Latency = time.Since(now)
	finish(&obs)
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
