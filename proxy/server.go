// Package proxy is the capture front end for HTTP clients: a forward proxy
// that intercepts the calls clients make to AWS APIs, relays them unchanged
// and hands each one to a Recorder as an iamwatch.Observation.
//
// It intercepts only AWS hosts (*.amazonaws.com, *.amazonaws.com.cn,
// *.api.aws) and plain-HTTP requests signed the AWS way; everything else is
// tunnelled or forwarded untouched. Intercepted TLS connections are served
// with certificates from a local, name-constrained CA (see CA).
//
// github.com/elazarl/goproxy handles the proxy protocol (CONNECT, tunnels,
// plain forwarding). The intercepted side is a standard net/http server, so
// Expect: 100-continue, keep-alive and streaming bodies behave as clients
// expect, and it sends no TLS session tickets (botocore can stall on them).
package proxy

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/elazarl/goproxy"
	"golang.org/x/net/http2"

	"github.com/iamwatch/iamwatch"
)

// Recorder receives the calls the proxy intercepts.
//
// Start is called once per call, when the request head and a bounded prefix
// of its body have been read. It runs while the request goes upstream, and
// nothing of the response reaches the client before it has returned: a
// Recorder that commits the request to disk in Start therefore has every
// call whose response a client saw on disk, whenever the process dies,
// without adding its commit to the call's latency. It returns the function
// that receives the outcome, or nil for none.
//
// finish is called exactly once, after the response was relayed to the
// client or the call failed, with a new Observation: the request fields of
// the first plus the outcome. Status is the upstream's status, or the one
// the proxy answered with when Fault is set, or 0 when the client got no
// response. The proxy answers itself with 502 or 504 for upstream faults,
// 503 when Admit refused the call, and net/http's 4xx or 5xx for a
// request it could not parse (Fault starts with FaultMalformed; such a
// call has only Time, Source, Scheme and Host: there was no request to
// read more from). Latency runs from the request head to the end of the
// relayed response. ResponseHeader and ResponseBody (a prefix) are the
// upstream's; they are nil when the proxy answered itself, so a proxy
// error never reads as an AWS error. ErrorCode is left empty: the caller
// derives it from the response.
//
// Neither observation is modified by the proxy after it was handed over,
// and the Recorder must not modify them either: the proxy reads the first
// while Start runs.
// finish is called on the request's goroutine; a slow Recorder slows the
// call.
type Recorder interface {
	Start(obs *iamwatch.Observation) (finish func(obs *iamwatch.Observation))
}

// RecorderFunc adapts a function to the Recorder interface.
type RecorderFunc func(obs *iamwatch.Observation) (finish func(obs *iamwatch.Observation))

// Start calls f(obs).
func (f RecorderFunc) Start(obs *iamwatch.Observation) func(*iamwatch.Observation) { return f(obs) }

// Defaults used for zero-valued Server fields.
const (
	DefaultDialTimeout           = 10 * time.Second
	DefaultResponseHeaderTimeout = 2 * time.Minute
	DefaultIdleTimeout           = 90 * time.Second
)

// clientHeadTimeout bounds how long a client may take for a TLS handshake
// or a request head.
const clientHeadTimeout = 30 * time.Second

// Errors of Server.Serve.
var (
	// ErrRemoteListen means Serve got a listener that is not on loopback
	// while AllowRemote is false.
	ErrRemoteListen = errors.New("listener is not on a loopback address and AllowRemote is false")
	// ErrNoAuthToken means AllowRemote is set without an AuthToken.
	ErrNoAuthToken = errors.New("AllowRemote requires an AuthToken")
	// ErrNoCA means the Server has no CA.
	ErrNoCA = errors.New("server has no CA")
)

// Prefixes of the Fault of calls the proxy answered itself for a reason
// other than the upstream, so that a Recorder can tell them apart.
const (
	// FaultMalformed starts the Fault of a request on an intercepted
	// connection that net/http rejected before it could be relayed: a
	// malformed request line or header, headers over the size limit. The
	// rest is the status line net/http answered with, and its reason.
	FaultMalformed = "malformed request: "
	// FaultRefused starts the Fault of a call that Admit refused.
	FaultRefused = "refused: "
)

// Server is an HTTP forward proxy that records AWS calls. Set the fields
// before the first call to Serve and do not change them afterwards. Apart
// from CA, the zero value of every field is safe.
type Server struct {
	// CA issues the certificates of intercepted hosts. Required.
	CA *CA

	// Recorder receives every intercepted call. Nil records nothing.
	Recorder Recorder

	// Upstream, when set, receives every intercepted request instead of
	// its real host. Only its scheme and host are used: the request keeps
	// its Host header, path, query and body byte for byte, since SigV4
	// signs them.
	Upstream *url.URL

	// Transport sends intercepted requests upstream. Nil means a transport
	// that verifies TLS against the system roots, never uses a proxy
	// (HTTPS_PROXY would loop back into this one), speaks HTTP/1.1 and does
	// not alter Accept-Encoding. A replacement must behave the same way.
	Transport http.RoundTripper

	// Logger receives diagnostics. Nil discards them. Request headers,
	// bodies and query strings are never logged.
	Logger *slog.Logger

	// DialTimeout bounds connecting to an upstream, TLS handshake
	// included, for the default Transport and for tunnels. Zero means
	// DefaultDialTimeout.
	DialTimeout time.Duration

	// ResponseHeaderTimeout bounds how long an upstream may make progress
	// on neither reading the request body nor sending response headers,
	// and how long it may pause in the middle of a response body of known
	// length (bodies of unknown length are streams, which may pause).
	// Time spent waiting for the client does not count, so slow uploads,
	// slow downloads and long polls shorter than it pass. On expiry the
	// client gets a 504, or a broken connection once the response head is
	// out. Zero means DefaultResponseHeaderTimeout.
	ResponseHeaderTimeout time.Duration

	// IdleTimeout is how long an idle client connection is kept open.
	// Zero means DefaultIdleTimeout.
	IdleTimeout time.Duration

	// AllowRemote permits Serve on a listener that is not on loopback. It
	// requires AuthToken. Clients that are not on loopback may only reach
	// AWS hosts through the proxy, never other sites.
	AllowRemote bool

	// AuthToken, when set, must be presented by every client as the
	// password of Proxy-Authorization Basic credentials (any user name),
	// as in HTTPS_PROXY=http://iamwatch:TOKEN@host:port, or as a Bearer
	// token.
	AuthToken string

	// Admit, when set, is asked before each intercepted call goes
	// upstream. A non-nil error refuses the call: the client gets a 503
	// ServiceUnavailable in its protocol's error format (SDKs retry it),
	// nothing goes upstream, and the Recorder sees the call with a Fault
	// that starts with FaultRefused. It runs on the request's goroutine
	// and must be quick.
	Admit func() error

	initOnce sync.Once
	initErr  error

	logger   *slog.Logger
	rt       http.RoundTripper
	front    *http.Server
	mitm     *http.Server
	h2       *http2.Server // serves intercepted connections that speak HTTP/2
	mitmLn   *connListener
	gp       *goproxy.ProxyHttpServer
	tlsConf  *tls.Config
	upstream *url.URL

	starts *starters

	mu       sync.Mutex
	shutdown bool
	tunnels  map[*trackedConn]struct{}
	// h2conns are the intercepted connections served as HTTP/2, which
	// the mitm server's Shutdown tells to go away but does not wait for;
	// h2done is closed when the last of them ends after Shutdown.
	h2conns map[*watchedConn]struct{}
	h2done  chan struct{}
}

func (s *Server) dialTimeout() time.Duration {
	if s.DialTimeout > 0 {
		return s.DialTimeout
	}
	return DefaultDialTimeout
}

func (s *Server) responseHeaderTimeout() time.Duration {
	if s.ResponseHeaderTimeout > 0 {
		return s.ResponseHeaderTimeout
	}
	return DefaultResponseHeaderTimeout
}

func (s *Server) idleTimeout() time.Duration {
	if s.IdleTimeout > 0 {
		return s.IdleTimeout
	}
	return DefaultIdleTimeout
}

func (s *Server) init() error {
	s.initOnce.Do(func() { s.initErr = s.setup() })
	return s.initErr
}

func (s *Server) setup() error {
	if s.CA == nil {
		return ErrNoCA
	}
	if s.AllowRemote && s.AuthToken == "" {
		return ErrNoAuthToken
	}
	s.starts = newStarters()
	if u := s.Upstream; u != nil {
		if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
			return fmt.Errorf("upstream %q: want http:// or https:// and a host", u.Redacted())
		}
		if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
			return fmt.Errorf("upstream %q: a path or query would change what requests say; give only scheme and host", u.Redacted())
		}
		s.upstream = &url.URL{Scheme: u.Scheme, Host: u.Host}
	}
	s.logger = s.Logger
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	errorLog := slog.NewLogLogger(s.logger.Handler(), slog.LevelDebug)

	passthrough := s.newTransport()
	s.rt = s.Transport
	if s.rt == nil {
		s.rt = passthrough
	}

	s.tlsConf = &tls.Config{
		MinVersion: tls.VersionTLS12,
		// The server's preference decides: HTTP/1.1 for every client that
		// offers it, HTTP/2 only for those that offer nothing else (the
		// JS SDK's NodeHttp2Handler, which Bedrock Runtime uses).
		NextProtos: []string{"http/1.1", "h2"},
		// botocore can stall for a minute on the TLS 1.3 session tickets
		// sent after the handshake when an upload comes first.
		SessionTicketsDisabled: true,
		GetCertificate:         s.certificate,
	}

	gp := goproxy.NewProxyHttpServer()
	gp.Logger = printfLogger{s.logger}
	gp.Verbose = false
	gp.Tr = passthrough // NewProxyHttpServer's skips verification and honours HTTPS_PROXY
	gp.ConnectDial = nil
	gp.ConnectDialWithReq = s.dialTunnel
	gp.KeepAcceptEncoding = true
	gp.NonproxyHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "iamwatch is a forward proxy: set it as HTTPS_PROXY and HTTP_PROXY", http.StatusBadRequest)
	})
	gp.OnRequest().HandleConnectFunc(s.handleConnect)
	s.gp = gp

	s.mitmLn = newConnListener()
	s.mitm = &http.Server{
		Handler:           http.HandlerFunc(s.serveIntercepted),
		ReadHeaderTimeout: clientHeadTimeout,
		IdleTimeout:       s.idleTimeout(),
		ErrorLog:          errorLog,
		// An empty map turns HTTP/2 off: intercepted connections speak
		// HTTP/1.1, which every SDK supports.
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
		ConnContext:  connContext,
		ConnState:    trackState,
	}
	s.h2 = &http2.Server{IdleTimeout: s.idleTimeout()}
	// Shutdown of the intercepting server sends GOAWAY on HTTP/2
	// connections too.
	if err := http2.ConfigureServer(s.mitm, s.h2); err != nil {
		return fmt.Errorf("configure HTTP/2: %w", err)
	}
	s.front = &http.Server{
		Handler:           http.HandlerFunc(s.serveFront),
		ReadHeaderTimeout: clientHeadTimeout,
		IdleTimeout:       s.idleTimeout(),
		ErrorLog:          errorLog,
		ConnContext:       connContext,
		ConnState:         trackState,
	}
	go func() {
		if err := s.mitm.Serve(s.mitmLn); err != nil && !errors.Is(err, http.ErrServerClosed) && !s.shuttingDown() {
			s.logger.Error("intercepting server stopped", "err", err)
		}
	}()
	return nil
}

func (s *Server) newTransport() *http.Transport {
	d := &net.Dialer{Timeout: s.dialTimeout(), KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   s.dialTimeout(),
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
		MaxIdleConns:          512,
		MaxIdleConnsPerHost:   128,
		IdleConnTimeout:       90 * time.Second,
	}
}

// Serve accepts proxy clients on l until Shutdown. It refuses a listener
// that is not on loopback unless AllowRemote and AuthToken are set. Like
// http.Server.Serve it returns http.ErrServerClosed after Shutdown.
func (s *Server) Serve(l net.Listener) error {
	if err := s.init(); err != nil {
		return fmt.Errorf("serve proxy: %w", err)
	}
	if tcp, ok := l.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
		if !s.AllowRemote {
			return fmt.Errorf("serve proxy on %s: %w", l.Addr(), ErrRemoteListen)
		}
	}
	s.mu.Lock()
	closed := s.shutdown
	s.mu.Unlock()
	if closed {
		return http.ErrServerClosed
	}
	return s.front.Serve(watchedListener{Listener: l, s: s})
}

// Shutdown stops accepting clients, waits for calls in flight to finish
// (until ctx is done) and then closes the tunnels it still holds.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.shutdown = true
	s.mu.Unlock()
	if err := s.init(); err != nil {
		return nil // never served
	}
	errFront := s.front.Shutdown(ctx)
	// Shutdown closes the listener it serves; closing it first would make
	// Serve report the closed listener as a failure.
	errMITM := s.mitm.Shutdown(ctx)
	s.mitmLn.Close()
	// The same for HTTP/2 connections: the mitm server's Shutdown sent
	// them GOAWAY, so each ends once its calls in flight have.
	if err := s.waitH2(ctx); err != nil && errMITM == nil {
		errMITM = err
	}
	s.starts.close()
	// Idle upstream connections would otherwise outlive the server until
	// their idle timeout, each with its goroutines.
	for _, rt := range []http.RoundTripper{s.rt, s.gp.Tr} {
		if ci, ok := rt.(interface{ CloseIdleConnections() }); ok {
			ci.CloseIdleConnections()
		}
	}

	closeAll(&s.mu, &s.tunnels)
	if errFront != nil {
		return fmt.Errorf("shut down proxy: %w", errFront)
	}
	if errMITM != nil {
		return fmt.Errorf("shut down proxy: %w", errMITM)
	}
	return nil
}

func (s *Server) shuttingDown() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.shutdown
}

// serveFront handles what clients send to the proxy itself: CONNECT and
// absolute-form plain-HTTP requests.
func (s *Server) serveFront(w http.ResponseWriter, r *http.Request) {
	markDispatched(r)
	if !s.authorized(r) {
		w.Header().Set("Proxy-Authenticate", `Basic realm="iamwatch"`)
		http.Error(w, "iamwatch: proxy authorization required", http.StatusProxyAuthRequired)
		return
	}
	if r.Method == http.MethodConnect || !r.URL.IsAbs() {
		s.gp.ServeHTTP(w, r)
		return
	}
	local := isLoopbackAddr(r.RemoteAddr)
	if IsAWSHost(r.URL.Host) || local && carriesAWSSignature(r) {
		if r.URL.Scheme != "http" && r.URL.Scheme != "https" {
			http.Error(w, "iamwatch: unsupported scheme "+r.URL.Scheme, http.StatusBadRequest)
			return
		}
		s.forward(w, r, r.URL.Scheme, r.URL.Host)
		return
	}
	if !local {
		http.Error(w, "iamwatch: only AWS hosts are reachable from remote clients", http.StatusForbidden)
		return
	}
	s.gp.ServeHTTP(w, r)
}

// authorized reports whether r carries the AuthToken, when one is set.
func (s *Server) authorized(r *http.Request) bool {
	if s.AuthToken == "" {
		return true
	}
	got := ""
	auth := r.Header.Get("Proxy-Authorization")
	if scheme, cred, ok := strings.Cut(auth, " "); ok {
		switch strings.ToLower(scheme) {
		case "basic":
			if raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred)); err == nil {
				_, got, _ = strings.Cut(string(raw), ":")
			}
		case "bearer":
			got = strings.TrimSpace(cred)
		}
	}
	// Hashing first makes the comparison's time independent of the
	// token's length as well.
	g, want := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(s.AuthToken))
	return subtle.ConstantTimeCompare(g[:], want[:]) == 1
}

// handleConnect decides what to do with a CONNECT: intercept AWS hosts,
// tunnel the rest, and refuse to tunnel for clients not on loopback.
func (s *Server) handleConnect(host string, ctx *goproxy.ProxyCtx) (*goproxy.ConnectAction, string) {
	if IsAWSHost(host) {
		return &goproxy.ConnectAction{Action: goproxy.ConnectHijack, Hijack: s.intercept}, host
	}
	if !isLoopbackAddr(ctx.Req.RemoteAddr) {
		ctx.Resp = goproxy.NewResponse(ctx.Req, "text/plain; charset=utf-8", http.StatusForbidden,
			"iamwatch: only AWS hosts are reachable from remote clients\n")
		return &goproxy.ConnectAction{Action: goproxy.ConnectReject}, host
	}
	return &goproxy.ConnectAction{Action: goproxy.ConnectAccept}, host
}

// dialTunnel connects a tunnel directly, never through another proxy, and
// tracks it so Shutdown can close it.
func (s *Server) dialTunnel(req *http.Request, network, addr string) (net.Conn, error) {
	d := net.Dialer{Timeout: s.dialTimeout(), KeepAlive: 30 * time.Second}
	c, err := d.DialContext(req.Context(), network, addr)
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, s: s}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutdown {
		c.Close()
		return nil, http.ErrServerClosed
	}
	if s.tunnels == nil {
		s.tunnels = make(map[*trackedConn]struct{})
	}
	s.tunnels[tc] = struct{}{}
	return tc, nil
}

// addH2 registers an intercepted connection served as HTTP/2; false once
// the server is shutting down.
func (s *Server) addH2(c *watchedConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutdown {
		return false
	}
	if s.h2conns == nil {
		s.h2conns = make(map[*watchedConn]struct{})
	}
	s.h2conns[c] = struct{}{}
	return true
}

// removeH2 forgets an HTTP/2 connection that ended.
func (s *Server) removeH2(c *watchedConn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.h2conns, c)
	if len(s.h2conns) == 0 && s.h2done != nil {
		close(s.h2done)
		s.h2done = nil
	}
}

// waitH2 waits until the HTTP/2 connections have ended, or ctx has; then
// it closes those left and returns ctx's error.
func (s *Server) waitH2(ctx context.Context) error {
	s.mu.Lock()
	if len(s.h2conns) == 0 {
		s.mu.Unlock()
		return nil
	}
	if s.h2done == nil {
		s.h2done = make(chan struct{})
	}
	done := s.h2done
	s.mu.Unlock()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	closeAll(&s.mu, &s.h2conns)
	return ctx.Err()
}

// closeAll closes the connections of *set, which mu guards. Closing one
// takes mu to remove it from the set, so they are listed first.
func closeAll[C interface {
	comparable
	io.Closer
}](mu *sync.Mutex, set *map[C]struct{}) {
	mu.Lock()
	conns := make([]C, 0, len(*set))
	for c := range *set {
		conns = append(conns, c)
	}
	mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

// trackedConn is a tunnel's upstream connection. It keeps the half-close
// methods of TCP so goproxy can shut one direction at a time.
type trackedConn struct {
	net.Conn
	s    *Server
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.s.mu.Lock()
		delete(c.s.tunnels, c)
		c.s.mu.Unlock()
	})
	return c.Conn.Close()
}

func (c *trackedConn) CloseWrite() error {
	if hc, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return hc.CloseWrite()
	}
	return c.Close()
}

func (c *trackedConn) CloseRead() error {
	if hc, ok := c.Conn.(interface{ CloseRead() error }); ok {
		return hc.CloseRead()
	}
	return c.Close()
}

// printfLogger sends goproxy's messages to slog at debug level.
type printfLogger struct{ l *slog.Logger }

func (p printfLogger) Printf(format string, v ...any) {
	if p.l.Enabled(context.Background(), slog.LevelDebug) {
		p.l.Debug(strings.TrimSpace(fmt.Sprintf(format, v...)), "component", "goproxy")
	}
}
