// Package baremitm is the yardstick of iamwatch's proxy benchmarks and soak
// test: goproxy's own MITM loop with the same CA, leaf certificates cached
// and nothing recorded. iamwatch's figures are given as a fraction of its
// figures measured in the same run.
package baremitm

import (
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"sync"

	"github.com/elazarl/goproxy"
)

// Proxy is a running bare goproxy MITM.
type Proxy struct {
	// URL is the proxy's address, for HTTPS_PROXY or http.ProxyURL.
	URL *url.URL
	hs  *http.Server
}

// Start serves a bare goproxy MITM on a loopback port. It signs leaves
// with ca and sends every intercepted request to upstream (scheme and
// host; the Host header stays the client's, as iamwatch's --upstream
// does) through transport, or a plain one when transport is nil.
func Start(ca tls.Certificate, upstream *url.URL, transport *http.Transport) (*Proxy, error) {
	if transport == nil {
		transport = &http.Transport{Proxy: nil, DisableCompression: true, MaxIdleConnsPerHost: 128}
	}
	gp := goproxy.NewProxyHttpServer()
	gp.Logger = log.New(io.Discard, "", 0)
	gp.CertStore = &certCache{}
	gp.Tr = transport
	mitm := &goproxy.ConnectAction{Action: goproxy.ConnectMitm, TLSConfig: goproxy.TLSConfigFromCA(&ca)}
	gp.OnRequest().HandleConnectFunc(func(host string, _ *goproxy.ProxyCtx) (*goproxy.ConnectAction, string) {
		return mitm, host
	})
	up := *upstream
	gp.OnRequest().DoFunc(func(r *http.Request, _ *goproxy.ProxyCtx) (*http.Request, *http.Response) {
		r.URL.Scheme, r.URL.Host = up.Scheme, up.Host
		return r, nil
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: gp, ErrorLog: log.New(io.Discard, "", 0)}
	go hs.Serve(l)
	return &Proxy{URL: &url.URL{Scheme: "http", Host: l.Addr().String()}, hs: hs}, nil
}

// Close stops the proxy and its connections.
func (p *Proxy) Close() error { return p.hs.Close() }

// certCache is a goproxy.CertStorage, so that the bare MITM does not sign
// a leaf per connection either.
type certCache struct{ m sync.Map }

func (c *certCache) Fetch(host string, gen func() (*tls.Certificate, error)) (*tls.Certificate, error) {
	if v, ok := c.m.Load(host); ok {
		return v.(*tls.Certificate), nil
	}
	cert, err := gen()
	if err != nil {
		return nil, err
	}
	c.m.Store(host, cert)
	return cert, nil
}
