package proxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/iamwatch/iamwatch"
)

// errUpstreamStalled is the cancel cause when the upstream made no progress
// for ResponseHeaderTimeout.
var errUpstreamStalled = errors.New("upstream stalled")

// call is one intercepted request on its way through the proxy.
type call struct {
	s      *Server
	start  time.Time
	req    iamwatch.Observation // request fields, as handed to Start
	finish func(*iamwatch.Observation)
	// started is closed when the Recorder's Start has returned.
	started chan struct{}
	done    bool
}

// runStart runs the Recorder's Start and tells waitStarted it returned.
func (c *call) runStart() {
	defer close(c.started)
	c.finish = c.s.Recorder.Start(&c.req)
}

// waitStarted waits for the Recorder's Start to return.
func (c *call) waitStarted() {
	if c.started != nil {
		<-c.started
	}
}

// end hands the outcome to the Recorder, once.
func (c *call) end(status int, fault string, header http.Header, body []byte) {
	if c.done {
		return
	}
	c.done = true
	c.waitStarted()
	out := c.req
	out.Status = status
	out.Fault = fault
	out.Latency = time.Since(c.start)
	out.ResponseHeader = header
	out.ResponseBody = body
	if c.s.logger.Enabled(context.Background(), slog.LevelDebug) {
		c.s.logger.Debug("call",
			"method", out.Method, "host", out.Host, "path", out.Path,
			"status", status, "latency", out.Latency, "fault", fault)
	}
	if c.finish != nil {
		c.finish(&out)
	}
}

// forward relays one intercepted request to target (host:port), or to
// Upstream when set, and records it.
func (s *Server) forward(w http.ResponseWriter, r *http.Request, scheme, target string) {
	c := &call{s: s, start: time.Now()}
	path, rawQuery := splitRequestURI(r.RequestURI)
	host := r.Host
	if host == "" { // HTTP/1.0 without Host: say where it was going
		host = target
	}
	c.req = iamwatch.Observation{
		Time:     c.start,
		Source:   iamwatch.SourceProxy,
		Method:   r.Method,
		Scheme:   scheme,
		Host:     observedHost(host, scheme),
		Path:     path,
		RawQuery: rawQuery,
		Header:   recordedHeader(r.Header),
	}

	// Read the body prefix first: it goes to the Recorder before anything
	// goes upstream. Reading is also what answers Expect: 100-continue.
	var prefix []byte
	var prefixErr error
	if r.Body != nil && r.ContentLength != 0 {
		prefix, prefixErr = readPrefix(r.Body, r.ContentLength)
		c.req.Body = prefix[:min(len(prefix), iamwatch.MaxBodyPrefix)]
		c.req.BodyTruncated = len(prefix) > iamwatch.MaxBodyPrefix
	}
	if s.Recorder != nil {
		// Start runs while the request goes upstream: a recorder that
		// commits to disk then costs no latency, and nothing of the
		// response reaches the client before it has returned.
		c.started = make(chan struct{})
		s.starts.start(c)
	}
	if prefixErr != nil {
		fault := "client request body: " + prefixErr.Error()
		c.waitStarted()
		writeFault(w, r, http.StatusBadRequest, "IncompleteBody", fault)
		c.end(0, fault, nil, nil)
		return
	}
	if s.Admit != nil {
		if err := s.Admit(); err != nil {
			fault := FaultRefused + err.Error()
			c.waitStarted()
			writeFault(w, r, http.StatusServiceUnavailable, "ServiceUnavailable", fault)
			c.end(http.StatusServiceUnavailable, fault, nil, nil)
			return
		}
	}

	ctx, cancel := context.WithCancelCause(r.Context())
	defer cancel(nil)
	al := newAlarm(s.responseHeaderTimeout(), func() { cancel(errUpstreamStalled) })
	defer al.close()
	wd := al.watchdog()

	out := &http.Request{
		Method:     r.Method,
		URL:        upstreamURL(s.upstream, scheme, target, path, rawQuery),
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     forwardHeader(r.Header, rawQuery),
		Host:       host,
		Trailer:    r.Trailer,
	}
	out = out.WithContext(ctx)
	var body *watchedBody
	switch {
	case r.ContentLength > 0 && int64(len(prefix)) == r.ContentLength:
		// The prefix is the whole body (most API requests): nothing more
		// comes from the client. An in-memory reader also lets the
		// transport write the headers and the body at once, one TLS
		// record and one system call instead of two.
		out.Body = io.NopCloser(bytes.NewReader(prefix))
		out.ContentLength = r.ContentLength
	case r.Body != nil && r.ContentLength != 0:
		body = &watchedBody{r: io.MultiReader(bytes.NewReader(prefix), r.Body), wd: wd}
		out.Body = body
		out.ContentLength = r.ContentLength
	}

	wd.resume()
	resp, err := s.rt.RoundTrip(out)
	wd.stop()
	if err != nil {
		switch {
		case body != nil && body.clientErr() != nil:
			c.end(0, "client request body: "+body.clientErr().Error(), nil, nil)
		case r.Context().Err() != nil:
			c.end(0, "client closed the connection", nil, nil)
		default:
			status, code, fault := classify(err, context.Cause(ctx), s.responseHeaderTimeout())
			c.waitStarted()
			writeFault(w, r, status, code, fault)
			c.end(status, fault, nil, nil)
		}
		return
	}
	defer resp.Body.Close()

	if resp.StatusCode == http.StatusSwitchingProtocols {
		c.waitStarted()
		s.relayUpgrade(w, r, resp, c)
		return
	}

	// An upstream that stalls in the middle of a body of known length is
	// given up on like one that stalls before its headers. Bodies of
	// unknown length are streams (event streams, streamed Lambda
	// responses) that may pause for as long as they like.
	var bodyWD *watchdog
	if resp.ContentLength >= 0 {
		bodyWD = al.watchdog()
	}

	// A body small enough to keep for the Recorder anyway is read whole
	// before anything goes to the client (most API responses are): if the
	// upstream breaks off in the middle, the client still gets a proper
	// error instead of a truncated response.
	var whole []byte
	buffered := resp.ContentLength >= 0 && resp.ContentLength <= iamwatch.MaxBodyPrefix
	if buffered {
		var err error
		whole, err = readWhole(resp.Body, resp.ContentLength, bodyWD)
		c.waitStarted()
		if err != nil {
			if r.Context().Err() != nil {
				c.end(0, "client closed the connection", nil, nil)
				return
			}
			status, code := http.StatusBadGateway, "BadGateway"
			fault := "upstream response body: " + sanitizeErr(err).Error()
			if errors.Is(context.Cause(ctx), errUpstreamStalled) {
				status, code = http.StatusGatewayTimeout, "GatewayTimeout"
				fault = fmt.Sprintf("upstream response body: upstream made no progress for %s", s.responseHeaderTimeout())
			}
			writeFault(w, r, status, code, fault)
			c.end(status, fault, nil, nil)
			return
		}
	}
	c.waitStarted()

	h := w.Header()
	copyHeader(h, resp.Header)
	removeHopHeaders(h)
	if _, ok := h["Content-Type"]; !ok {
		h["Content-Type"] = nil // relay the absence, do not sniff a type
	}
	announced := len(resp.Trailer)
	if announced > 0 {
		names := make([]string, 0, announced)
		for k := range resp.Trailer {
			names = append(names, k)
		}
		h["Trailer"] = []string{strings.Join(names, ", ")}
	}
	w.WriteHeader(resp.StatusCode)

	// Streams (event streams, long polls, chunked bodies) are flushed as
	// they come; bodies of known length are left to the server's buffer.
	streaming := resp.ContentLength < 0
	rc := http.NewResponseController(w)
	if streaming {
		rc.Flush()
	}
	var tee prefixBuffer
	var fault string
	var abort bool
	if buffered {
		tee.buf = whole // at most MaxBodyPrefix, and not written to again
		if _, err := w.Write(whole); err != nil {
			fault = "client closed the connection"
		}
	} else {
		fault, abort = copyResponse(w, rc, resp.Body, &tee, streaming, bodyWD)
		if abort && errors.Is(context.Cause(ctx), errUpstreamStalled) {
			fault = fmt.Sprintf("upstream response body: upstream made no progress for %s", s.responseHeaderTimeout())
		}
	}
	if r.Context().Err() != nil {
		// The client left; the upstream body broke only because of it.
		fault, abort = "client closed the connection", false
	}

	if len(resp.Trailer) > 0 {
		for k, vs := range resp.Trailer {
			if len(resp.Trailer) != announced {
				k = http.TrailerPrefix + k
			}
			h[k] = vs
		}
	}
	c.end(resp.StatusCode, fault, resp.Header, tee.bytes())
	if abort {
		// Headers are out: the only way to tell the client that the body
		// is incomplete is to break the connection.
		panic(http.ErrAbortHandler)
	}
}

// copyResponse streams body to w, keeping a prefix in tee. It returns a
// fault when either side failed, and whether the client response must be
// aborted because the upstream body broke.
func copyResponse(w io.Writer, rc *http.ResponseController, body io.Reader, tee *prefixBuffer, flush bool, wd *watchdog) (fault string, abort bool) {
	bufp := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(bufp)
	buf := *bufp
	for {
		n, rerr := readWatched(body, buf, wd)
		if n > 0 {
			tee.write(buf[:n])
			if _, werr := w.Write(buf[:n]); werr != nil {
				return "client closed the connection", false
			}
			if flush {
				if err := rc.Flush(); err != nil {
					return "client closed the connection", false
				}
			}
		}
		if rerr == io.EOF {
			return "", false
		}
		if rerr != nil {
			return "upstream response body: " + sanitizeErr(rerr).Error(), true
		}
	}
}

// readWatched reads from the upstream with wd (when set) running: only
// the time spent waiting for the upstream counts, not for the client.
func readWatched(body io.Reader, buf []byte, wd *watchdog) (int, error) {
	if wd == nil {
		return body.Read(buf)
	}
	wd.resume()
	n, err := body.Read(buf)
	wd.pause()
	return n, err
}

// readWhole reads a body of known length (at most MaxBodyPrefix). The
// transport reports a body cut short as io.ErrUnexpectedEOF.
func readWhole(body io.Reader, contentLength int64, wd *watchdog) ([]byte, error) {
	buf := make([]byte, 0, contentLength)
	for {
		if len(buf) == cap(buf) {
			// Read past the declared length, to see the end of the body.
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := readWatched(body, buf[len(buf):cap(buf)], wd)
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

var copyBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// readPrefix reads up to MaxBodyPrefix+1 bytes of body, or contentLength
// when it is known and smaller. Hitting the end of the body early is not an
// error, except when the declared length was not reached.
func readPrefix(body io.Reader, contentLength int64) ([]byte, error) {
	limit := iamwatch.MaxBodyPrefix + 1
	if contentLength >= 0 && contentLength < int64(limit) {
		limit = int(contentLength)
	}
	size := limit
	if contentLength < 0 {
		size = min(limit, 8<<10)
	}
	buf := make([]byte, 0, size)
	for len(buf) < limit {
		if len(buf) == cap(buf) {
			next := make([]byte, len(buf), min(2*cap(buf), limit))
			copy(next, buf)
			buf = next
		}
		n, err := body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			if contentLength >= 0 && len(buf) < limit {
				return buf, io.ErrUnexpectedEOF
			}
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// upstreamURL is where an intercepted request goes. The path and query
// are the client's bytes, untouched.
func upstreamURL(upstream *url.URL, scheme, target, path, rawQuery string) *url.URL {
	u := &url.URL{Scheme: scheme, Host: target, RawQuery: rawQuery}
	if upstream != nil {
		u.Scheme, u.Host = upstream.Scheme, upstream.Host
	}
	if strings.HasPrefix(path, "//") {
		// Opaque would be read as an authority; let url escape the path,
		// which keeps a valid encoding as it is.
		p, err := url.PathUnescape(path)
		if err != nil {
			p = path
		}
		u.Path, u.RawPath = p, path
	} else {
		u.Opaque = path
	}
	return u
}

// Hop-by-hop headers, which a proxy must not forward (RFC 9110 7.6.1).
var hopHeaders = []string{
	"Connection",
	"Proxy-Connection",
	"Keep-Alive",
	"Proxy-Authenticate",
	"Proxy-Authorization",
	"Te",
	"Trailer",
	"Transfer-Encoding",
	"Upgrade",
}

// removeHopHeaders deletes hop-by-hop headers, and those the Connection
// header names, from h.
func removeHopHeaders(h http.Header) {
	for _, f := range h["Connection"] {
		for _, name := range strings.Split(f, ",") {
			if name = textproto.TrimString(name); name != "" {
				h.Del(name)
			}
		}
	}
	for _, name := range hopHeaders {
		h.Del(name)
	}
}

// forwardHeader is the header an intercepted request carries upstream: the
// client's, minus hop-by-hop fields and a label the signature does not
// cover (rawQuery is the request's query), keeping an Upgrade request
// intact. When none of that changes anything it is in itself, which the
// proxy and the Recorder then only read; otherwise a copy.
func forwardHeader(in http.Header, rawQuery string) http.Header {
	if forwardsAsIs(in) {
		return in
	}
	h := forwardCopy(in)
	stripLabel(h, rawQuery)
	return h
}

// forwardsAsIs reports whether forwardHeader would change nothing in h:
// no hop-by-hop field, no label, a User-Agent. Most SDK requests qualify.
func forwardsAsIs(h http.Header) bool {
	if _, ok := h["User-Agent"]; !ok {
		return false
	}
	if _, ok := h[LabelHeader]; ok {
		return false
	}
	for _, name := range hopHeaders {
		if _, ok := h[name]; ok {
			return false
		}
	}
	return true
}

// forwardCopy is forwardHeader's copy of in, before the label is looked at.
func forwardCopy(in http.Header) http.Header {
	h := in.Clone()
	upgrade := upgradeType(in)
	te := in.Values("Te")
	removeHopHeaders(h)
	for _, v := range te {
		if strings.EqualFold(strings.TrimSpace(v), "trailers") {
			h.Set("Te", "trailers")
		}
	}
	if upgrade != "" {
		h.Set("Connection", "Upgrade")
		h.Set("Upgrade", upgrade)
	}
	if _, ok := h["User-Agent"]; !ok {
		h["User-Agent"] = []string{""} // or the transport adds Go's own
	}
	return h
}

// recordedHeader is the request header as the Recorder sees it: the
// client's, without what was meant for the proxy itself. It is in's own
// map, not a copy: from here on the proxy only reads in (forwardHeader
// copies it before changing anything), and a copy per call was a tenth
// of the proxy's allocations.
func recordedHeader(in http.Header) http.Header {
	delete(in, "Proxy-Authorization")
	delete(in, "Proxy-Connection")
	return in
}

func upgradeType(h http.Header) string {
	for _, f := range h["Connection"] {
		for _, name := range strings.Split(f, ",") {
			if strings.EqualFold(textproto.TrimString(name), "upgrade") {
				return h.Get("Upgrade")
			}
		}
	}
	return ""
}

// copyHeader adds src's fields to dst. A field dst lacks gets src's slice
// itself, capped so that an append to it (Header.Add) copies it first:
// src, the upstream's response header, is also the Recorder's.
func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		if old, ok := dst[k]; ok {
			dst[k] = append(old, vs...)
		} else {
			dst[k] = vs[:len(vs):len(vs)]
		}
	}
}

// relayUpgrade finishes a protocol switch (WebSocket, as SSM sessions and
// API Gateway use): it hands the client the 101 and copies both ways until
// either side closes.
func (s *Server) relayUpgrade(w http.ResponseWriter, r *http.Request, resp *http.Response, c *call) {
	backConn, ok := resp.Body.(io.ReadWriteCloser)
	if !ok {
		writeFault(w, r, http.StatusBadGateway, "BadGateway", "upstream switched protocols without a connection")
		c.end(http.StatusBadGateway, "upstream switched protocols without a connection", nil, nil)
		return
	}
	defer backConn.Close()
	clientConn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		writeFault(w, r, http.StatusBadGateway, "BadGateway", "cannot switch protocols: "+err.Error())
		c.end(http.StatusBadGateway, "cannot switch protocols: "+err.Error(), nil, nil)
		return
	}
	defer clientConn.Close()
	head := *resp
	head.Body = nil
	head.Header = resp.Header.Clone()
	if err := head.Write(brw); err != nil || brw.Flush() != nil {
		c.end(resp.StatusCode, "client closed the connection", resp.Header, nil)
		return
	}
	errc := make(chan error, 2)
	go func() { _, err := io.Copy(backConn, brw); errc <- err }()
	go func() { _, err := io.Copy(clientConn, backConn); errc <- err }()
	<-errc
	c.end(resp.StatusCode, "", resp.Header, nil)
}

// watchedBody is the request body on its way upstream. It pauses the
// watchdog while waiting for the client, so only upstream stalls count.
type watchedBody struct {
	r  io.Reader
	wd *watchdog

	mu  sync.Mutex
	err error
}

func (b *watchedBody) Read(p []byte) (int, error) {
	b.wd.pause()
	n, err := b.r.Read(p)
	b.wd.resume()
	if err != nil && err != io.EOF {
		b.mu.Lock()
		if b.err == nil {
			b.err = err
		}
		b.mu.Unlock()
	}
	return n, err
}

// Close does nothing: the client's body belongs to the server.
func (b *watchedBody) Close() error { return nil }

func (b *watchedBody) clientErr() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// prefixBuffer keeps the first MaxBodyPrefix bytes written to it.
type prefixBuffer struct{ buf []byte }

func (p *prefixBuffer) write(b []byte) {
	if room := iamwatch.MaxBodyPrefix - len(p.buf); room > 0 {
		p.buf = append(p.buf, b[:min(room, len(b))]...)
	}
}

func (p *prefixBuffer) bytes() []byte { return p.buf }

// sanitizeErr drops the URL a *url.Error carries: its query may hold a
// presigned signature.
func sanitizeErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
