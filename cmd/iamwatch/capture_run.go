package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/iamwatch/iamwatch/proxy"
	"github.com/iamwatch/iamwatch/proxy/csm"
	"github.com/iamwatch/iamwatch/store"
)

// captureOptions are what `proxy` and `run` share.
type captureOptions struct {
	listen      string // host:port; port 0 picks a free one
	csmListen   string // host:port, or "off"
	session     string
	labels      map[string]string
	upstream    string
	accountID   string
	allowRemote bool
	proxyToken  string
	dialTimeout time.Duration
	respTimeout time.Duration
	// onStoreError is failOpen or failClosed.
	onStoreError string
	// maxPages caps the database's size, for tests that fill it.
	maxPages int
	// ca, when set, replaces the home directory's CA, which is then
	// neither read nor created: the demo's throwaway proxy.
	ca *proxy.CA
	// transport, when set, is the proxy's upstream Transport: the demo's
	// trusts its own fake upstream's certificate.
	transport http.RoundTripper
}

// captureRun is a running proxy and CSM listener recording into the store.
type captureRun struct {
	srv     *proxy.Server
	ln      net.Listener
	csmConn net.PacketConn
	csm     *csm.Listener
	cap     *capture
	db      *store.DB
	ca      *proxy.CA
	caPath  string
	home    string
	session string
	served  chan error
	csmDone chan error
	log     *slog.Logger
}

func (a *app) startCapture(ctx context.Context, o captureOptions, log *slog.Logger) (*captureRun, error) {
	ix, err := a.loadIndex()
	if err != nil {
		return nil, err
	}
	ca, home := o.ca, ""
	if ca == nil {
		if home, err = a.home(); err != nil {
			return nil, err
		}
		if ca, err = proxy.LoadOrCreateCA(home); err != nil {
			var hint string
			if errors.Is(err, proxy.ErrKeyExposed) {
				hint = "chmod 600 " + filepath.Join(home, proxy.KeyFile)
			}
			return nil, hintError{fmt.Errorf("load the CA: %w", err), hint}
		}
	}
	dbPath, err := a.dbPath()
	if err != nil {
		return nil, err
	}
	c := &capture{ix: ix, accountID: o.accountID, log: log}
	c.health = storeHealth{log: log, failClosed: o.onStoreError == failClosed}
	db, err := store.Options{Logger: log, Journal: true, OnError: c.health.onError, MaxPageCount: o.maxPages}.Open(ctx, dbPath)
	if err != nil {
		return nil, hintError{err, storeHint(err, dbPath)}
	}
	c.db, c.health.db = db, db
	session, err := db.Session(ctx, o.session, o.labels)
	if err != nil {
		db.Close()
		return nil, hintError{err, storeHint(err, dbPath)}
	}
	c.session = session
	r := &captureRun{db: db, ca: ca, caPath: filepath.Join(home, proxy.CertFile), home: home, session: session, log: log, cap: c}
	r.srv = &proxy.Server{CA: ca, Recorder: r.cap, Logger: log, AllowRemote: o.allowRemote, AuthToken: o.proxyToken,
		DialTimeout: o.dialTimeout, ResponseHeaderTimeout: o.respTimeout, Transport: o.transport}
	if c.health.failClosed {
		r.srv.Admit = c.health.admit
	}
	if o.upstream != "" {
		u, err := url.Parse(o.upstream)
		if err != nil || u.Scheme == "" || u.Host == "" {
			db.Close()
			return nil, usageError{fmt.Errorf("--upstream %q is not a URL like http://localhost:4566", o.upstream)}
		}
		r.srv.Upstream = u
	}
	r.ln, err = net.Listen("tcp", o.listen)
	if err != nil {
		db.Close()
		return nil, hintError{fmt.Errorf("listen on %s: %w", o.listen, err), "iamwatch proxy --listen 127.0.0.1:0"}
	}
	if o.csmListen != "" && o.csmListen != "off" {
		r.csmConn, err = net.ListenPacket("udp", o.csmListen)
		if err != nil {
			r.ln.Close()
			db.Close()
			return nil, hintError{fmt.Errorf("listen for CSM on %s: %w", o.csmListen, err), "iamwatch proxy --csm-listen off"}
		}
		c.dedup = newCSMDedup()
		r.csm = &csm.Listener{Sink: r.cap.CSM, Logger: log}
		r.csmDone = make(chan error, 1)
		go func() { r.csmDone <- r.csm.Serve(r.csmConn) }()
	}
	r.served = make(chan error, 1)
	go func() { r.served <- r.srv.Serve(r.ln) }()
	return r, nil
}

// proxyURL is the URL clients put in HTTPS_PROXY.
func (r *captureRun) proxyURL() string {
	return "http://" + r.ln.Addr().String()
}

// csmAddr returns the CSM host and port, or "" when CSM is off.
func (r *captureRun) csmAddr() (string, string) {
	if r.csmConn == nil {
		return "", ""
	}
	host, port, _ := net.SplitHostPort(r.csmConn.LocalAddr().String())
	return host, port
}

// stop drains the proxy, closes the listener and flushes the store.
func (r *captureRun) stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var errs []error
	if err := r.srv.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		errs = append(errs, fmt.Errorf("stop the proxy: %w", err))
	}
	if r.csmConn != nil {
		r.csmConn.Close()
		<-r.csmDone
	}
	if err := r.db.Close(); err != nil && r.cap.health.notStored.Load() == 0 {
		// Otherwise it is the failures storeHealth counted: lost calls
		// that notStored reports in one line.
		errs = append(errs, fmt.Errorf("close the store: %w", err))
	}
	return errors.Join(errs...)
}

// notStored reports the calls the store lost, or nil.
func (r *captureRun) notStored() error { return r.cap.health.summary() }

func storeHint(err error, path string) string {
	switch {
	case errors.Is(err, store.ErrReadOnly):
		return "iamwatch proxy --db " + filepath.Join(filepath.Dir(path), "writable.db") + "   (or fix the permissions of " + path + ")"
	case errors.Is(err, store.ErrFull):
		return "free disk space, or: iamwatch proxy --db /path/on/another/disk/iamwatch.db"
	case errors.Is(err, store.ErrSchema):
		return "upgrade iamwatch, or use another --db"
	}
	return ""
}

// defaultSession names a session after its time, or after a command.
func defaultSession(prefix string) string {
	name := time.Now().UTC().Format("20060102-150405")
	if prefix != "" {
		name = prefix + "-" + name
	}
	return strings.ReplaceAll(name, " ", "-")
}
