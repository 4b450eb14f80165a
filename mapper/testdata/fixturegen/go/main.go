// Command fixturegen captures the raw HTTP requests that aws-sdk-go-v2 puts on
// the wire and writes them as fixtures under mapper/testdata/requests.
//
// Every client gets an HTTPClient whose transport sends the request to a local
// httptest.Server: the URL scheme becomes http and the URL host the server's
// address, but the Host header keeps the real AWS hostname. The server dumps
// what it received and answers with an error, which the SDK reports after the
// send; that error is ignored.
//
// Regeneration is kept stable through the SDK's own extension points: a V4
// signer wrapper that signs at a fixed time, a Build-step middleware that
// replaces the random amz-sdk-invocation-id with one derived from the fixture
// name, and a fixed idempotency-token provider.
//
// Usage (from this directory): go run . -out ../../requests
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

const (
	accessKey = "AKIAIOSFODNN7EXAMPLE"
	secretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	account   = "123456789012"
	maxBody   = 64 << 10
	clientDir = "aws-sdk-go-v2"
)

// signingTime is the fixed clock used for every signature.
var signingTime = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// meta is the .json sibling of a fixture.
type meta struct {
	Client     string `json:"client"`
	ServiceID  string `json:"service_id"`
	SDKService string `json:"sdk_service"`
	Operation  string `json:"operation"`
	Protocol   string `json:"protocol"`
	Scheme     string `json:"scheme"`
	Region     string `json:"region"`
	Presigned  bool   `json:"presigned,omitempty"`
	Note       string `json:"note,omitempty"`
}

// call is one SDK invocation to capture.
type call struct {
	pkg       string // Go module name under service/, e.g. "s3"
	serviceID string
	protocol  string // fallback when the wire does not tell (rest-json/rest-xml)
	op        string
	variant   string
	region    string
	note      string
	// fn makes the call. When the SDK sends a request of its own first
	// (S3 Express CreateSession), run writes it as a separate fixture.
	fn func(ctx context.Context, cfg aws.Config) error
}

// gen holds the capture server and everything written so far.
type gen struct {
	out      string
	srv      *httptest.Server
	mu       sync.Mutex
	got      [][]byte
	written  map[string]bool
	versions map[string]string
	counts   map[string]int
}

func main() {
	out := flag.String("out", "../../requests", "directory that receives <client>/<service>/<Op>.http fixtures")
	flag.Parse()
	// Keep the environment and the user's files out of the SDK configuration.
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			os.Unsetenv(k)
		}
	}
	g := &gen{out: filepath.Join(*out, clientDir), written: map[string]bool{}, versions: map[string]string{}, counts: map[string]int{}}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			g.versions[d.Path] = d.Version
		}
	}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	defer g.srv.Close()
	if err := clean(g.out); err != nil {
		log.Fatal(err)
	}
	var calls []call
	calls = append(calls, s3Calls()...)
	calls = append(calls, restCalls()...)
	calls = append(calls, jsonCalls()...)
	calls = append(calls, queryCalls()...)
	calls = append(calls, ec2Calls()...)
	calls = append(calls, cborCalls()...)
	for _, c := range calls {
		if err := g.run(c); err != nil {
			log.Fatalf("%s/%s-%s: %v", c.pkg, c.op, c.variant, err)
		}
	}
	keys := make([]string, 0, len(g.counts))
	for k := range g.counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	total := 0
	for _, k := range keys {
		total += g.counts[k]
		fmt.Fprintf(os.Stderr, "%-28s %d\n", k, g.counts[k])
	}
	fmt.Fprintf(os.Stderr, "total %d fixtures in %s\n", total, g.out)
}

func (g *gen) serve(w http.ResponseWriter, r *http.Request) {
	dump, err := httputil.DumpRequest(r, true)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	g.mu.Lock()
	g.got = append(g.got, dump)
	g.mu.Unlock()

	// S3 Express: the SDK needs session credentials before it sends the
	// operation, so CreateSession gets a real answer.
	if _, ok := r.URL.Query()["session"]; ok && strings.Contains(r.Host, "--x-s3") {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><CreateSessionResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Credentials><SessionToken>FAKESESSIONTOKEN</SessionToken><SecretAccessKey>FAKESESSIONSECRET</SecretAccessKey><AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></CreateSessionResult>`)
		return
	}
	switch {
	case r.Header.Get("Smithy-Protocol") == "rpc-v2-cbor":
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
		w.Header().Set("Content-Type", "application/cbor")
		w.WriteHeader(400)
	case r.Header.Get("X-Amz-Target") != "" || strings.Contains(r.Header.Get("Content-Type"), "json"):
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-ErrorType", "ValidationException")
		w.WriteHeader(400)
		fmt.Fprint(w, `{"__type":"ValidationException","message":"fixture capture"}`)
	default:
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(400)
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Type>Sender</Type><Code>InvalidRequest</Code><Message>fixture capture</Message></Error><RequestId>fixture</RequestId></ErrorResponse>`)
	}
}

// redirect sends every request to the capture server but keeps the Host.
type redirect struct {
	base   http.RoundTripper
	target *url.URL
}

func (t *redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	if r.Host == "" {
		r.Host = req.URL.Host
	}
	r.URL.Scheme = t.target.Scheme
	r.URL.Host = t.target.Host
	return t.base.RoundTrip(r)
}

// v4Signer is the method set every generated client's HTTPSignerV4 has.
type v4Signer interface {
	SignHTTP(ctx context.Context, credentials aws.Credentials, r *http.Request, payloadHash string, service string, region string, signingTime time.Time, optFns ...func(*v4.SignerOptions)) error
}

// fixedClock signs at signingTime whatever time the SDK passes.
type fixedClock struct{ inner v4Signer }

func (s fixedClock) SignHTTP(ctx context.Context, c aws.Credentials, r *http.Request, payloadHash, service, region string, _ time.Time, optFns ...func(*v4.SignerOptions)) error {
	return s.inner.SignHTTP(ctx, c, r, payloadHash, service, region, signingTime, optFns...)
}

// fixedPresignClock is fixedClock for presigners.
type fixedPresignClock struct {
	inner interface {
		PresignHTTP(ctx context.Context, credentials aws.Credentials, r *http.Request, payloadHash string, service string, region string, signingTime time.Time, optFns ...func(*v4.SignerOptions)) (string, http.Header, error)
	}
}

func (s fixedPresignClock) PresignHTTP(ctx context.Context, c aws.Credentials, r *http.Request, payloadHash, service, region string, _ time.Time, optFns ...func(*v4.SignerOptions)) (string, http.Header, error) {
	return s.inner.PresignHTTP(ctx, c, r, payloadHash, service, region, signingTime, optFns...)
}

// fixedToken is a deterministic idempotency-token provider.
type fixedToken struct{}

func (fixedToken) GetIdempotencyToken() (string, error) {
	return "00000000-0000-4000-8000-000000000001", nil
}

// invocationID replaces amz-sdk-invocation-id with a UUID derived from seed.
type invocationID struct{ seed string }

func (invocationID) ID() string { return "FixtureInvocationID" }

func (m invocationID) HandleBuild(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
	// Presign stacks drop the SDK's ClientRequestID middleware; only replace
	// a header the SDK actually set.
	if req, ok := in.Request.(*smithyhttp.Request); ok && req.Header.Get("Amz-Sdk-Invocation-Id") != "" {
		sum := sha256.Sum256([]byte(m.seed + "/" + middleware.GetOperationName(ctx)))
		sum[6] = sum[6]&0x0f | 0x40
		sum[8] = sum[8]&0x3f | 0x80
		id := fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
		req.Header["Amz-Sdk-Invocation-Id"] = []string{id}
	}
	return next.HandleBuild(ctx, in)
}

func (g *gen) config(ctx context.Context, region, seed string) (aws.Config, error) {
	target, _ := url.Parse(g.srv.URL)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRegion(region),
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(accessKey, secretKey, "")),
		config.WithHTTPClient(&http.Client{Transport: &redirect{base: tr, target: target}}),
	)
	if err != nil {
		return cfg, err
	}
	cfg.Logger = logging.Nop{}
	cfg.APIOptions = append(cfg.APIOptions, func(st *middleware.Stack) error {
		return st.Build.Add(invocationID{seed: seed}, middleware.After)
	})
	return cfg, nil
}

func (c call) name() string {
	if c.variant == "" {
		return c.op
	}
	return c.op + "-" + c.variant
}

func (g *gen) run(c call) error {
	if c.region == "" {
		c.region = "us-east-1"
	}
	ctx := context.Background()
	name := c.pkg + "/" + c.name()
	cfg, err := g.config(ctx, c.region, name)
	if err != nil {
		return err
	}
	got, callErr := g.capture(ctx, c, cfg)
	if presigned == nil && len(got) > 0 {
		// The SDK serializes map-typed members in Go map order, which
		// changes from run to run. If two captures differ, take the
		// smallest of several: the same bytes a later run will pick.
		stable := true
		for range 7 {
			again, _ := g.capture(ctx, c, cfg)
			if !equalDumps(got, again) {
				stable = false
			}
			if lessDumps(again, got) {
				got = again
			}
		}
		for i := 0; !stable && i < 64; i++ {
			again, _ := g.capture(ctx, c, cfg)
			if lessDumps(again, got) {
				got = again
			}
		}
	}
	if presigned != nil {
		if callErr != nil {
			return fmt.Errorf("presign: %w", callErr)
		}
		return g.write(c, c.op, c.name(), presigned.raw(), true, c.note)
	}
	if len(got) == 0 {
		return fmt.Errorf("nothing sent (err: %v)", callErr)
	}
	if strings.Contains(c.note, "s3express") && len(got) >= 2 {
		// The first request is the CreateSession the SDK made on its own.
		if err := g.write(c, "CreateSession", "CreateSession-"+c.name(), got[0], false, "sent by the SDK before "+c.op+" to obtain S3 Express session credentials"); err != nil {
			return err
		}
		got = got[1:]
	}
	if len(got) > 1 {
		fmt.Fprintf(os.Stderr, "note: %s sent %d requests; keeping the first\n", name, len(got))
	}
	return g.write(c, c.op, c.name(), got[0], false, c.note)
}

// presignedReq is set by presign calls instead of sending anything.
type presignedReq struct {
	method string
	url    string
	header http.Header
}

var presigned *presignedReq

func (p *presignedReq) raw() []byte {
	u, err := url.Parse(p.url)
	if err != nil {
		panic(err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", p.method, u.RequestURI(), u.Host)
	keys := make([]string, 0, len(p.header))
	for k := range p.header {
		if !strings.EqualFold(k, "Host") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range p.header[k] {
			fmt.Fprintf(&b, "%s: %s\r\n", http.CanonicalHeaderKey(k), v)
		}
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

func (g *gen) write(c call, op, file string, raw []byte, isPresigned bool, note string) error {
	head, body, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	if len(body) > maxBody {
		body = body[:maxBody]
		note = strings.TrimSpace(note + "; body truncated to 64 KiB")
	}
	raw = append(append(head, "\r\n\r\n"...), body...)
	proto := wireProtocol(head, c.protocol)
	mod := "github.com/aws/aws-sdk-go-v2/service/" + c.pkg
	m := meta{
		Client:     fmt.Sprintf("aws-sdk-go-v2 service/%s@%s", c.pkg, g.versions[mod]),
		ServiceID:  c.serviceID,
		SDKService: c.pkg,
		Operation:  op,
		Protocol:   proto,
		Scheme:     "https",
		Region:     c.region,
		Presigned:  isPresigned,
		Note:       note,
	}
	dir := filepath.Join(g.out, c.pkg)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	base := filepath.Join(dir, file)
	if g.written[base] {
		return fmt.Errorf("duplicate fixture %s", base)
	}
	g.written[base] = true
	if err := os.WriteFile(base+".http", raw, 0o644); err != nil {
		return err
	}
	js, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	g.counts[c.pkg]++
	return os.WriteFile(base+".json", append(js, '\n'), 0o644)
}

// wireProtocol names the protocol the request was sent with, as far as the
// wire tells; fallback covers rest-json and rest-xml, which it does not.
func wireProtocol(head []byte, fallback string) string {
	h := strings.ToLower(string(head))
	switch {
	case strings.Contains(h, "\r\nsmithy-protocol: rpc-v2-cbor"):
		return "rpc-v2-cbor"
	case strings.Contains(h, "\r\nx-amz-target:"):
		return "json"
	case strings.Contains(h, "\r\ncontent-type: application/x-www-form-urlencoded") && fallback == "ec2":
		return "ec2"
	case strings.Contains(h, "\r\ncontent-type: application/x-www-form-urlencoded"):
		return "query"
	}
	return fallback
}

// onlyReader hides every method but Read, so the SDK sees an unseekable
// stream.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// fix is a functional option for any generated client: it wraps the V4
// signer in fixedClock and, where the client has one, sets a fixed
// idempotency-token provider.
func fix[T any](o *T) {
	v := reflect.ValueOf(o).Elem()
	if f := v.FieldByName("HTTPSignerV4"); f.IsValid() && !f.IsNil() {
		f.Set(reflect.ValueOf(fixedClock{f.Interface().(v4Signer)}))
	}
	if f := v.FieldByName("IdempotencyTokenProvider"); f.IsValid() {
		f.Set(reflect.ValueOf(fixedToken{}))
	}
}

// inRegion sets the region a call's client is configured with.
func inRegion(region string, c call) call {
	c.region = region
	return c
}

// clean removes the fixtures a previous run wrote (NAME.http and NAME.json)
// and nothing else: golden files kept next to them belong to the mapper
// tests.
func clean(dir string) error {
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".http") {
			return err
		}
		if err := os.Remove(path); err != nil {
			return err
		}
		if err := os.Remove(strings.TrimSuffix(path, ".http") + ".json"); err != nil && !os.IsNotExist(err) {
			return err
		}
		return nil
	})
	if os.IsNotExist(err) {
		return nil
	}
	return err
}

// capture makes the call once and returns what the server received.
func (g *gen) capture(ctx context.Context, c call, cfg aws.Config) ([][]byte, error) {
	g.mu.Lock()
	g.got = nil
	g.mu.Unlock()
	presigned = nil
	err := c.fn(ctx, cfg)
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.got, err
}

func equalDumps(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// lessDumps orders captures by their bodies (everything after the headers),
// then by the whole dump.
func lessDumps(a, b [][]byte) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	for i := range a {
		_, ab, _ := bytes.Cut(a[i], []byte("\r\n\r\n"))
		_, bb, _ := bytes.Cut(b[i], []byte("\r\n\r\n"))
		if c := bytes.Compare(ab, bb); c != 0 {
			return c < 0
		}
		if c := bytes.Compare(a[i], b[i]); c != 0 {
			return c < 0
		}
	}
	return false
}
