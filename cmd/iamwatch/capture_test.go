package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/mapper"
	"github.com/iamwatch/iamwatch/store"
)

// sigV4 is an Authorization header shaped like a real one for service.
func sigV4(service string) string {
	return "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/" + service +
		"/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000"
}

// testUpstream is a fake AWS that answers every call with a small
// query-protocol response and counts them.
type testUpstream struct {
	*httptest.Server
	served atomic.Int64
}

func newTestUpstream(t *testing.T) *testUpstream {
	t.Helper()
	u := &testUpstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, `<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`)
		u.served.Add(1)
	}))
	t.Cleanup(u.Close)
	return u
}

// testCapture is the capture `iamwatch proxy` runs, in process.
type testCapture struct {
	r      *captureRun
	logs   *lockedBuffer
	client *http.Client
	dbPath string
	stop   func() error
}

// startTestCapture starts the capture on loopback with the database at
// dbPath; o's zero fields get test defaults.
func startTestCapture(t *testing.T, dbPath string, o captureOptions) *testCapture {
	t.Helper()
	logs := &lockedBuffer{}
	a := &app{stdin: strings.NewReader(""), stdout: io.Discard, stderr: logs, v: newViper()}
	a.v.Set("home", t.TempDir())
	a.v.Set("db", dbPath)
	if o.listen == "" {
		o.listen = "127.0.0.1:0"
	}
	if o.csmListen == "" {
		o.csmListen = "off"
	}
	if o.session == "" {
		o.session = "test"
	}
	if o.onStoreError == "" {
		o.onStoreError = failOpen
	}
	log := slog.New(slog.NewTextHandler(logs, nil))
	r, err := a.startCapture(context.Background(), o, log)
	if err != nil {
		t.Fatal(err)
	}
	once := sync.OnceValue(r.stop)
	t.Cleanup(func() { once() })
	pool := x509.NewCertPool()
	pool.AddCert(r.ca.Certificate())
	proxyURL, _ := url.Parse(r.proxyURL())
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		Proxy:           http.ProxyURL(proxyURL),
		TLSClientConfig: &tls.Config{RootCAs: pool},
	}}
	return &testCapture{r: r, logs: logs, client: client, dbPath: dbPath, stop: once}
}

// call sends a signed-looking STS call and returns the status and body.
func (c *testCapture) call(t *testing.T) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", "https://sts.amazonaws.com/", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("Authorization", sigV4("sts"))
	resp, err := c.client.Do(req)
	if err != nil {
		t.Fatalf("call through the proxy: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// records stops the capture and reads back what it stored.
func (c *testCapture) records(t *testing.T) []iamwatch.Record {
	t.Helper()
	c.stop()
	db, err := store.Options{ReadOnly: true}.Open(context.Background(), c.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	recs, err := db.Calls(context.Background(), store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestBadInputKeptUnrecognized drives bad input through the real proxy
// and CSM listener into the real store: nothing crashes, each is logged,
// and each call is kept as an unrecognized record with a Reason rather
// than dropped.
func TestBadInputKeptUnrecognized(t *testing.T) {
	up := newTestUpstream(t)
	tc := startTestCapture(t, filepath.Join(t.TempDir(), "iamwatch.db"), captureOptions{upstream: up.URL, csmListen: "127.0.0.1:0"})

	tunnel := func(t *testing.T, request string) int {
		t.Helper()
		c, err := net.Dial("tcp", strings.TrimPrefix(tc.r.proxyURL(), "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(c, "CONNECT sts.amazonaws.com:443 HTTP/1.1\r\nHost: sts.amazonaws.com:443\r\n\r\n")
		br := bufio.NewReader(c)
		if resp, err := http.ReadResponse(br, &http.Request{Method: "CONNECT"}); err != nil || resp.StatusCode != 200 {
			t.Fatalf("CONNECT: %v %v", resp, err)
		}
		pool := x509.NewCertPool()
		pool.AddCert(tc.r.ca.Certificate())
		tlsc := tls.Client(c, &tls.Config{RootCAs: pool, ServerName: "sts.amazonaws.com"})
		go io.WriteString(tlsc, request)
		resp, err := http.ReadResponse(bufio.NewReader(tlsc), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	send := func(t *testing.T, method, rawURL, auth string) int {
		t.Helper()
		req, _ := http.NewRequest(method, rawURL, strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := tc.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	tests := []struct {
		name   string
		do     func(t *testing.T) int
		status int
		reason string // the record's Reason starts with it; "" means any
	}{
		{"malformed HTTP", func(t *testing.T) int {
			return tunnel(t, "GET / HTTP/1.1\r\nHost: bad host\r\n\r\n")
		}, 400, "malformed request: 400 Bad Request: malformed Host header"},
		{"huge headers", func(t *testing.T) int {
			return tunnel(t, "POST / HTTP/1.1\r\nHost: sts.amazonaws.com\r\nX-Big: "+strings.Repeat("h", 2<<20)+"\r\n\r\n")
		}, 431, "malformed request: 431 Request Header Fields Too Large"},
		{"invalid SigV4 to a non-AWS host", func(t *testing.T) int {
			return send(t, "POST", up.URL+"/", "AWS4-HMAC-SHA256 this is not a credential scope")
		}, 200, ""},
		{"unknown service on an AWS host", func(t *testing.T) int {
			return send(t, "POST", "https://nosuchservice.us-east-1.amazonaws.com/", sigV4("nosuchservice"))
		}, 200, ""},
		{"unknown service on a non-AWS host", func(t *testing.T) int {
			return send(t, "POST", up.URL+"/x", sigV4("nosuchservice"))
		}, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.do(t); got != tt.status {
				t.Errorf("client got %d, want %d", got, tt.status)
			}
		})
	}

	// Not signed and not an AWS host: relayed untouched, not a call.
	if got := send(t, "GET", up.URL+"/plain", ""); got != 200 {
		t.Errorf("plain request to a non-AWS host: %d", got)
	}

	// CSM: garbage, a call of a service nobody knows, and a good call.
	udp, err := net.Dial("udp", tc.r.csmConn.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	for _, d := range []string{
		"\x00\xffgarbage",
		`{"Version":1,"ClientId":"","Type":"ApiCall","Service":"NoSuchService","Api":"DoThing","Timestamp":1700000000000,"AttemptCount":1,"Region":"us-east-1","FinalHttpStatusCode":200,"Latency":3}`,
		`{"Version":1,"ClientId":"","Type":"ApiCall","Service":"STS","Api":"GetCallerIdentity","Timestamp":1700000000000,"AttemptCount":1,"Region":"us-east-1","FinalHttpStatusCode":200,"Latency":3}`,
	} {
		if _, err := udp.Write([]byte(d)); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for tc.r.csm.Stats().Calls < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // UDP gives no other signal
	}

	recs := tc.records(t)
	var unrecognized []iamwatch.Record
	for _, r := range recs {
		if !r.Recognized {
			unrecognized = append(unrecognized, r)
		}
		if !r.Recognized && r.Reason == "" {
			t.Errorf("unrecognized record without a Reason: %+v", r)
		}
	}
	if len(unrecognized) != len(tests)+1 {
		for _, r := range recs {
			t.Logf("record: %s %s/%s recognized=%v reason=%q status=%d error=%s", r.Source, r.ServiceID, r.Operation, r.Recognized, r.Reason, r.Status, r.ErrorCode)
		}
		t.Errorf("%d unrecognized records, want %d (one per bad call, plus the unknown CSM service)", len(unrecognized), len(tests)+1)
	}
	for _, tt := range tests[:2] {
		found := false
		for _, r := range unrecognized {
			if strings.HasPrefix(r.Reason, tt.reason) && r.Status == tt.status && r.ErrorCode == "iamwatch.MalformedRequest" {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no unrecognized record with status %d and reason %q", tt.name, tt.status, tt.reason)
		}
	}
	var csmUnknown, csmKnown bool
	for _, r := range recs {
		if r.Source == iamwatch.SourceCSM {
			csmUnknown = csmUnknown || !r.Recognized
			csmKnown = csmKnown || r.Recognized && r.Operation == "GetCallerIdentity"
		}
	}
	if !csmUnknown || !csmKnown {
		t.Errorf("CSM: unknown service kept %v, good call after garbage recorded %v", csmUnknown, csmKnown)
	}
	if len(recs) != len(tests)+2 {
		t.Errorf("%d records, want %d: the plain request is not a call", len(recs), len(tests)+2)
	}

	logs := tc.logs.String()
	for _, want := range []string{
		"rejected a malformed request; recorded as unrecognized",
		"unrecognized AWS call kept as unrecognized",
		"ignored UDP datagrams on the CSM port that are not CSM records",
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("no log line %q in:\n%s", want, logs)
		}
	}
}

// fillDisk writes a file in dir until the file system is full and
// returns its path.
func fillDisk(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling %s: %v", dir, err)
			}
			return path
		}
	}
}

// tmpfs mounts a small tmpfs, or skips when this process may not mount.
func tmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs (needs root): %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// storeFailure is a way for the store to fail while the proxy runs, and
// to recover.
type storeFailure struct {
	name  string
	setup func(t *testing.T) (dbPath string, o captureOptions, fail, recover func())
}

var storeFailures = []storeFailure{
	{"disk full (tmpfs)", func(t *testing.T) (string, captureOptions, func(), func()) {
		dir := tmpfs(t, "4m")
		var filler string
		return filepath.Join(dir, "iamwatch.db"), captureOptions{},
			func() { filler = fillDisk(t, dir) },
			func() {
				if err := os.Remove(filler); err != nil {
					t.Fatal(err)
				}
			}
	}},
	{"database full (max_page_count)", func(t *testing.T) (string, captureOptions, func(), func()) {
		// SQLite's size cap fills the database without root: a few
		// pages more than an empty database has.
		path := filepath.Join(t.TempDir(), "iamwatch.db")
		db, err := store.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Session(context.Background(), "test", nil); err != nil {
			t.Fatal(err)
		}
		db.Close()
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return path, captureOptions{maxPages: int(fi.Size()/4096) + 4}, func() {}, nil
	}},
}

// TestStoreFailsOpen: by default a failing store costs no call: they go
// through, one rate-limited warning says they are not recorded, and the
// end reports how many were lost. Nothing crashes.
func TestStoreFailsOpen(t *testing.T) {
	for _, sf := range storeFailures {
		t.Run(sf.name, func(t *testing.T) {
			up := newTestUpstream(t)
			dbPath, o, fail, _ := sf.setup(t)
			o.upstream = up.URL
			tc := startTestCapture(t, dbPath, o)
			if st, _ := tc.call(t); st != 200 {
				t.Fatalf("before the failure: %d", st)
			}
			fail()
			const n = 300
			for i := range n {
				if st, body := tc.call(t); st != 200 {
					t.Fatalf("call %d with a failing store: %d %s", i, st, body)
				}
			}
			if err := tc.stop(); err != nil {
				t.Errorf("stop: %v", err)
			}
			sum := tc.r.notStored()
			if sum == nil || !errors.Is(sum, store.ErrFull) || !strings.Contains(sum.Error(), "calls were not stored") {
				t.Fatalf("summary %v, want calls not stored for a full store", sum)
			}
			var lost int
			fmt.Sscanf(sum.Error(), "%d", &lost)
			// The call before the failure may be lost too: its outcome
			// is written after the response.
			if lost == 0 || lost > n+1 {
				t.Errorf("%d calls reported lost of %d", lost, n+1)
			}
			logs := tc.logs.String()
			if c := strings.Count(logs, "calls still go through but are NOT recorded"); c != 1 {
				t.Errorf("%d warnings for %d failures within seconds, want 1 (rate-limited):\n%s", c, lost, logs)
			}
			if strings.Contains(logs, "queued write failed") {
				t.Error("the store logged each failure itself")
			}
			// What was stored plus what was lost is every call.
			db, err := store.Options{ReadOnly: true}.Open(context.Background(), dbPath)
			if err != nil {
				t.Fatal(err)
			}
			recs, err := db.Calls(context.Background(), store.Filter{})
			db.Close()
			if err != nil {
				t.Fatal(err)
			}
			if got := len(recs) + lost; got != n+1 {
				t.Errorf("%d stored + %d lost = %d, want the %d calls made", len(recs), lost, got, n+1)
			}
			if up.served.Load() != n+1 {
				t.Errorf("upstream served %d, want %d", up.served.Load(), n+1)
			}
		})
	}
}

// TestStoreFailsClosed: with --on-store-error=fail-closed, calls made
// while the store fails get a 503 in their protocol's error format and
// never go upstream; once the store works again, calls go through and
// are recorded.
func TestStoreFailsClosed(t *testing.T) {
	for _, sf := range storeFailures {
		t.Run(sf.name, func(t *testing.T) {
			up := newTestUpstream(t)
			dbPath, o, fail, recover := sf.setup(t)
			o.upstream, o.onStoreError = up.URL, failClosed
			tc := startTestCapture(t, dbPath, o)
			if st, _ := tc.call(t); st != 200 {
				t.Fatalf("before the failure: %d", st)
			}
			fail()
			refusedAt := -1
			for i := 0; i < 2000 && refusedAt < 0; i++ {
				if st, _ := tc.call(t); st == 503 {
					refusedAt = i
				}
			}
			if refusedAt < 0 {
				t.Fatal("no call refused while the store failed")
			}
			servedBefore := up.served.Load()
			for i := range 20 {
				st, body := tc.call(t)
				if st != 503 || !strings.Contains(body, "<Code>ServiceUnavailable</Code>") || !strings.Contains(body, "iamwatch: refused: iamwatch cannot record this call") {
					t.Fatalf("call %d while failing: %d %s", i, st, body)
				}
			}
			if up.served.Load() != servedBefore {
				t.Errorf("refused calls reached the upstream")
			}
			if !strings.Contains(tc.logs.String(), "calls are refused with 503 until it can") {
				t.Errorf("no warning:\n%s", tc.logs.String())
			}
			if recover == nil {
				return
			}
			recover()
			deadline := time.Now().Add(10 * time.Second)
			for {
				st, _ := tc.call(t)
				if st == 200 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("still %d 10 s after the store recovered", st)
				}
				time.Sleep(probeInterval / 5) // the check runs at most every probeInterval
			}
			if !strings.Contains(tc.logs.String(), "store works again") {
				t.Error("no log line for the recovery")
			}
			marker := up.served.Load()
			for range 5 {
				if st, _ := tc.call(t); st != 200 {
					t.Fatalf("after recovery: %d", st)
				}
			}
			if up.served.Load() != marker+5 {
				t.Errorf("upstream served %d after recovery, want 5", up.served.Load()-marker)
			}
			if err := tc.stop(); err != nil {
				t.Errorf("stop: %v", err)
			}
		})
	}
}

// TestReadOnlyDatabase: a database that cannot be written is a clear
// error with a hint at startup, not a proxy that loses every call.
func TestReadOnlyDatabase(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "iamwatch.db")
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if os.Geteuid() == 0 {
		// Root writes whatever the modes say: make the directory a
		// read-only mount instead.
		if out, err := exec.Command("mount", "--bind", dir, dir).CombinedOutput(); err != nil {
			t.Skipf("cannot bind-mount: %v %s", err, out)
		}
		t.Cleanup(func() {
			if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
				t.Errorf("umount %s: %v %s", dir, err, out)
			}
		})
		if out, err := exec.Command("mount", "-o", "remount,bind,ro", dir).CombinedOutput(); err != nil {
			t.Skipf("cannot remount read-only: %v %s", err, out)
		}
	} else {
		os.Chmod(dbPath, 0o400)
		os.Chmod(dir, 0o500)
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
	}
	var stdout, stderr strings.Builder
	home := t.TempDir()
	code := run(context.Background(), []string{"proxy", "--home", home, "--db", dbPath, "--listen", "127.0.0.1:0", "--csm-listen", "off"},
		strings.NewReader(""), &stdout, &stderr)
	if code != exitError {
		t.Errorf("exit %d, want %d", code, exitError)
	}
	for _, want := range []string{"iamwatch: error: open store", "database is read-only", "iamwatch: hint: iamwatch proxy --db "} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
}

// TestCallLine holds the per-call line to the layout fmt's padding gives:
// time, source, service and operation in columns, then status, error,
// the actions needed and why a call was not recognized.
func TestCallLine(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	reference := func(rec *iamwatch.Record) string {
		var acts []string
		for _, a := range rec.Actions {
			if !a.Possible {
				acts = append(acts, a.Action)
			}
		}
		sort.Strings(acts)
		line := fmt.Sprintf("%s %-4s %-12s %-28s", rec.Time.Local().Format("15:04:05"), rec.Source, firstOf(rec.ServiceID, rec.Service, "?"), firstOf(rec.Operation, "?"))
		if rec.Status != 0 {
			line += fmt.Sprintf(" %d", rec.Status)
		}
		if rec.ErrorCode != "" {
			line += " " + rec.ErrorCode
		}
		if len(acts) > 0 {
			line += "  " + strings.Join(acts, ", ")
		}
		if !rec.Recognized {
			line += "  unrecognized: " + rec.Reason
		}
		return line
	}
	for _, rec := range []*iamwatch.Record{
		{Time: at, Source: iamwatch.SourceProxy, Call: iamwatch.Call{Service: "s3", ServiceID: "S3", Operation: "GetObject", Recognized: true,
			Actions: []iamwatch.ActionUse{{Action: "s3:GetObjectVersion"}, {Action: "s3:GetObject"}, {Action: "kms:Decrypt", Possible: true}}}, Status: 200},
		{Time: at, Source: iamwatch.SourceCSM, Call: iamwatch.Call{Service: "logs", ServiceID: "CloudWatch Logs", Operation: "PutLogEventsWithAVeryLongOperationName", Recognized: true},
			Status: 403, ErrorCode: "AccessDeniedÉxception"},
		{Time: at, Source: iamwatch.SourceProxy, Call: iamwatch.Call{Operation: "Çà", Reason: "no service for host example.amazonaws.com"}},
		{Time: at, Source: iamwatch.SourceProxy},
	} {
		if got, want := callLine(rec), reference(rec); got != want {
			t.Errorf("callLine:\n got %q\nwant %q", got, want)
		}
	}
}

// TestUnrecognizedWarnings: an unrecognized call is logged once per host
// and reason however often it repeats, and only so many kinds are logged
// before one line says the rest are recorded without a log line.
func TestUnrecognizedWarnings(t *testing.T) {
	var logs strings.Builder
	c := &capture{log: slog.New(slog.NewTextHandler(&logs, nil))}
	for range 1000 {
		c.warnUnrecognized("odd.amazonaws.com", "GET", "no operation matches")
	}
	if n := strings.Count(logs.String(), "kept as unrecognized"); n != 1 {
		t.Errorf("%d warnings for one kind of call repeated 1000 times, want 1:\n%s", n, logs.String())
	}
	for i := range 2 * maxUnrecognizedKinds {
		c.warnUnrecognized(fmt.Sprintf("host%d.amazonaws.com", i), "GET", "no service")
	}
	out := logs.String()
	if n := strings.Count(out, "kept as unrecognized"); n != maxUnrecognizedKinds {
		t.Errorf("%d kinds logged, want %d", n, maxUnrecognizedKinds)
	}
	if n := strings.Count(out, "other kinds are recorded, not logged"); n != 1 {
		t.Errorf("the line about the kinds not logged appears %d times, want 1", n)
	}
}

// TestRememberStoresAPrincipalOnce: an STS response that repeats a
// principal already stored writes nothing (it was a commit the call's
// response waited for, on every GetCallerIdentity); a new or changed one
// is written.
func TestRememberStoresAPrincipalOnce(t *testing.T) {
	ctx := context.Background()
	db, err := store.Options{}.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	c := &capture{db: db, session: "s", log: slog.New(slog.NewTextHandler(&logs, nil))}
	c.health = storeHealth{db: db, log: c.log}
	role := mapper.Identity{AccessKeyID: "ASIAEXAMPLEKEY000001", PrincipalARN: "arn:aws:sts::123456789012:assumed-role/app/s"}
	c.remember(role)
	if c.health.failing.Load() {
		t.Fatalf("storing the principal failed: %s", logs.String())
	}
	// With the store closed, a write would fail and show in c.health.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	c.remember(role)
	if c.identity(role.AccessKeyID) != role {
		t.Errorf("identity %+v, want %+v", c.identity(role.AccessKeyID), role)
	}
	if c.health.failing.Load() {
		t.Errorf("a principal already stored was written again: %s", logs.String())
	}
	changed := role
	changed.PrincipalARN = "arn:aws:sts::123456789012:assumed-role/other/s"
	c.remember(changed)
	if !c.health.failing.Load() {
		t.Error("a changed principal was not written")
	}
}
