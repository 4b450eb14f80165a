package e2e

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// deniedMarker in a request's path, query or body makes the stub answer
// 403 AccessDenied in the request's protocol.
const deniedMarker = "iamwatch-denied"

// Values the stub answers with: a secret in a response body (it must never
// reach the store) and the credentials of an assumed role.
const (
	stubResponseSecret = "stub-response-secret-7f3a9c1e"
	stubAssumedKey     = "ASIAE2EASSUMEDKEY001"
	stubAssumedSecret  = "stub-assumed-secret-4b8d2e6f"
	stubAssumedToken   = "stub-assumed-session-token-9c1d"
	stubAccount        = "123456789012"
)

// stub is a fake AWS: it answers every request with a response minimal
// enough for the SDKs to accept in the request's wire protocol, and
// remembers what it saw.
type stub struct {
	*httptest.Server
	mu   sync.Mutex
	seen []seenRequest
	raw  bytes.Buffer // every request's headers and body, to check what went over the wire
}

// seenRequest is what the stub noticed about one request.
type seenRequest struct {
	Protocol string
	Service  string // from the SigV4 scope
	Method   string
	Host     string
	Path     string
	Target   string
	Expect   string
	Encoding string
	UA       string
}

func newStub(t *testing.T) *stub {
	t.Helper()
	s := &stub{}
	s.Server = httptest.NewServer(s)
	t.Cleanup(s.Close)
	return s
}

var scopeRE = regexp.MustCompile(`Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request`)

// signingService returns the service of the request's SigV4 scope.
func signingService(r *http.Request) string {
	if m := scopeRE.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		return m[2]
	}
	if c := r.URL.Query().Get("X-Amz-Credential"); c != "" {
		if parts := strings.Split(c, "/"); len(parts) == 5 {
			return parts[3]
		}
	}
	return ""
}

// sawOnWire reports whether v was in a request's headers or body.
func (s *stub) sawOnWire(v string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Contains(s.raw.Bytes(), []byte(v))
}

func (s *stub) requests() []seenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seenRequest(nil), s.seen...)
}

func (s *stub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	svc := signingService(r)
	seen := seenRequest{Service: svc, Method: r.Method, Host: r.Host, Path: r.URL.Path,
		Target: r.Header.Get("X-Amz-Target"), Expect: r.Header.Get("Expect"),
		Encoding: r.Header.Get("Content-Encoding"), UA: r.Header.Get("User-Agent")}
	denied := strings.Contains(r.Host+r.URL.Path+"?"+r.URL.RawQuery+string(body), deniedMarker)
	var form url.Values
	if ct := r.Header.Get("Content-Type"); strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		form, _ = url.ParseQuery(string(body))
	}
	if form == nil || form.Get("Action") == "" {
		if q := r.URL.Query(); q.Get("Action") != "" && svc != "s3" {
			form = q
		}
	}
	switch {
	case strings.EqualFold(r.Header.Get("Smithy-Protocol"), "rpc-v2-cbor"):
		seen.Protocol = "rpc-v2-cbor"
		s.cbor(w, denied)
	case seen.Target != "":
		seen.Protocol = "json"
		s.json(w, r, body, denied)
	case form != nil && form.Get("Action") != "":
		seen.Protocol = "query"
		if svc == "ec2" {
			seen.Protocol = "ec2"
		}
		s.query(w, svc, form, denied)
	case svc == "s3" || svc == "route53" || svc == "cloudfront":
		seen.Protocol = "rest-xml"
		s.restXML(w, r, svc, denied)
	default:
		seen.Protocol = "rest-json"
		s.restJSON(w, r, denied)
	}
	s.mu.Lock()
	s.seen = append(s.seen, seen)
	r.Header.Write(&s.raw)
	s.raw.Write(body)
	s.mu.Unlock()
}

// cborAccessDenied is the CBOR map {"__type": "AccessDeniedException",
// "message": "denied"}.
var cborAccessDenied = func() []byte {
	text := func(s string) []byte {
		if len(s) < 24 {
			return append([]byte{0x60 | byte(len(s))}, s...)
		}
		return append([]byte{0x78, byte(len(s))}, s...)
	}
	b := []byte{0xa2}
	b = append(b, text("__type")...)
	b = append(b, text("AccessDeniedException")...)
	b = append(b, text("message")...)
	b = append(b, text("denied")...)
	return b
}()

func (s *stub) cbor(w http.ResponseWriter, denied bool) {
	w.Header().Set("Content-Type", "application/cbor")
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	if denied {
		w.WriteHeader(http.StatusForbidden)
		w.Write(cborAccessDenied)
		return
	}
	w.Write([]byte{0xa0})
}

func (s *stub) json(w http.ResponseWriter, r *http.Request, body []byte, denied bool) {
	ct := r.Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "application/x-amz-json") {
		ct = "application/x-amz-json-1.0"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("X-Amzn-Requestid", "1")
	send := func(status int, b []byte) {
		if strings.HasPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_") {
			// DynamoDB sends a CRC32 of its bodies that aws-sdk-go-v2 checks.
			w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(b)), 10))
		}
		w.WriteHeader(status)
		w.Write(b)
	}
	if denied {
		send(http.StatusForbidden, []byte(`{"__type":"AccessDeniedException","message":"denied by the e2e stub"}`))
		return
	}
	_, op, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	var in map[string]any
	_ = json.Unmarshal(body, &in)
	out := map[string]any{}
	switch op {
	case "SendMessage": // SQS JSON: the SDKs check the body's MD5
		if b, ok := in["MessageBody"].(string); ok {
			out["MD5OfMessageBody"] = md5hex(b)
			out["MessageId"] = "00000000-0000-0000-0000-000000000001"
		}
	case "GetQueueUrl":
		out["QueueUrl"] = "https://sqs.us-east-1.amazonaws.com/" + stubAccount + "/e2e-queue"
	case "GetSecretValue":
		out["Name"] = in["SecretId"]
		out["SecretString"] = stubResponseSecret
	case "GetParameter":
		out["Parameter"] = map[string]any{"Name": in["Name"], "Type": "SecureString", "Value": stubResponseSecret, "Version": 1}
	}
	b, _ := json.Marshal(out)
	send(http.StatusOK, b)
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func (s *stub) query(w http.ResponseWriter, svc string, form url.Values, denied bool) {
	op := form.Get("Action")
	w.Header().Set("Content-Type", "text/xml")
	if svc == "ec2" {
		if denied {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>denied by the e2e stub</Message></Error></Errors><RequestID>1</RequestID></Response>`)
			return
		}
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><%sResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>1</requestId></%sResponse>`, op, op)
		return
	}
	if denied {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>denied by the e2e stub</Message></Error><RequestId>1</RequestId></ErrorResponse>`)
		return
	}
	var result string
	switch {
	case svc == "sts" && op == "AssumeRole":
		role := form.Get("RoleArn")
		name := strings.TrimPrefix(role[strings.LastIndexByte(role, '/')+1:], "/")
		result = `<Credentials><AccessKeyId>` + stubAssumedKey + `</AccessKeyId><SecretAccessKey>` + stubAssumedSecret +
			`</SecretAccessKey><SessionToken>` + stubAssumedToken + `</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>` +
			`<AssumedRoleUser><AssumedRoleId>AROAE2E:` + form.Get("RoleSessionName") + `</AssumedRoleId><Arn>arn:aws:sts::` + stubAccount +
			`:assumed-role/` + name + `/` + form.Get("RoleSessionName") + `</Arn></AssumedRoleUser>`
	case svc == "sts" && op == "GetCallerIdentity":
		result = `<Arn>arn:aws:iam::` + stubAccount + `:user/e2e</Arn><UserId>AIDAE2E</UserId><Account>` + stubAccount + `</Account>`
	case op == "SendMessage":
		result = `<MD5OfMessageBody>` + md5hex(form.Get("MessageBody")) + `</MD5OfMessageBody><MessageId>00000000-0000-0000-0000-000000000001</MessageId>`
	case op == "GetQueueUrl":
		result = `<QueueUrl>https://sqs.us-east-1.amazonaws.com/` + stubAccount + `/e2e-queue</QueueUrl>`
	}
	fmt.Fprintf(w, `<%sResponse xmlns="https://%s.amazonaws.com/doc/"><%sResult>%s</%sResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></%sResponse>`,
		op, svc, op, result, op, op)
}

func (s *stub) restXML(w http.ResponseWriter, r *http.Request, svc string, denied bool) {
	w.Header().Set("X-Amz-Request-Id", "1")
	if denied {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		if r.Method == http.MethodHead {
			return
		}
		if svc == "s3" {
			fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>denied by the e2e stub</Message><RequestId>1</RequestId></Error>`)
		} else {
			fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>denied by the e2e stub</Message></Error><RequestId>1</RequestId></ErrorResponse>`)
		}
		return
	}
	if svc != "s3" {
		return
	}
	q := r.URL.Query()
	bucket, key := s3BucketKey(r)
	xmlOK := func(s string) {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?>`+s)
	}
	const ns = ` xmlns="http://s3.amazonaws.com/doc/2006-03-01/"`
	switch {
	case bucket == "" && r.Method == http.MethodGet:
		xmlOK(`<ListAllMyBucketsResult` + ns + `><Owner><ID>1</ID></Owner><Buckets><Bucket><Name>e2e-bucket</Name><CreationDate>2024-01-01T00:00:00.000Z</CreationDate></Bucket></Buckets></ListAllMyBucketsResult>`)
	case r.Method == http.MethodPost && q.Has("uploads"):
		xmlOK(`<InitiateMultipartUploadResult` + ns + `><Bucket>` + bucket + `</Bucket><Key>` + key + `</Key><UploadId>e2e-upload-1</UploadId></InitiateMultipartUploadResult>`)
	case r.Method == http.MethodPost && q.Has("uploadId"):
		xmlOK(`<CompleteMultipartUploadResult` + ns + `><Bucket>` + bucket + `</Bucket><Key>` + key + `</Key><ETag>"e2e-etag"</ETag></CompleteMultipartUploadResult>`)
	case r.Method == http.MethodPost && q.Has("delete"):
		xmlOK(`<DeleteResult` + ns + `></DeleteResult>`)
	case r.Method == http.MethodPut && r.Header.Get("X-Amz-Copy-Source") != "":
		if q.Has("partNumber") {
			xmlOK(`<CopyPartResult` + ns + `><ETag>"e2e-etag"</ETag><LastModified>2024-01-01T00:00:00.000Z</LastModified></CopyPartResult>`)
		} else {
			xmlOK(`<CopyObjectResult` + ns + `><ETag>"e2e-etag"</ETag><LastModified>2024-01-01T00:00:00.000Z</LastModified></CopyObjectResult>`)
		}
	case r.Method == http.MethodPut:
		w.Header().Set("ETag", `"e2e-etag"`)
	case r.Method == http.MethodGet && key == "" && q.Has("location"):
		xmlOK(`<LocationConstraint` + ns + `></LocationConstraint>`)
	case r.Method == http.MethodGet && key == "" && q.Get("list-type") == "2":
		xmlOK(`<ListBucketResult` + ns + `><Name>` + bucket + `</Name><Prefix></Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>`)
	case r.Method == http.MethodGet && key == "" && q.Has("versions"):
		xmlOK(`<ListVersionsResult` + ns + `><Name>` + bucket + `</Name><IsTruncated>false</IsTruncated></ListVersionsResult>`)
	case r.Method == http.MethodGet && key == "" && len(q) == 0:
		xmlOK(`<ListBucketResult` + ns + `><Name>` + bucket + `</Name><Prefix></Prefix><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>`)
	case r.Method == http.MethodGet && key == "":
		xmlOK(`<Result` + ns + `></Result>`)
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		w.Header().Set("ETag", `"e2e-etag"`)
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", "5")
		w.Header().Set("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT")
		if r.Method == http.MethodGet {
			io.WriteString(w, "hello")
		}
	case r.Method == http.MethodDelete:
		w.WriteHeader(http.StatusNoContent)
	}
}

// s3BucketKey splits a virtual-hosted or path-style S3 request.
func s3BucketKey(r *http.Request) (bucket, key string) {
	host := r.Host
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	path := strings.TrimPrefix(r.URL.Path, "/")
	if i := strings.Index(host, ".s3."); i > 0 {
		return host[:i], path
	}
	if i := strings.Index(host, ".s3-"); i > 0 {
		return host[:i], path
	}
	bucket, key, _ = strings.Cut(path, "/")
	return bucket, key
}

func (s *stub) restJSON(w http.ResponseWriter, r *http.Request, denied bool) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Requestid", "1")
	if denied {
		w.Header().Set("X-Amzn-Errortype", "AccessDeniedException")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"denied by the e2e stub"}`)
		return
	}
	fmt.Fprint(w, `{}`)
}

// clientOf names the client that sent a request, from its User-Agent.
func clientOf(ua string) string {
	for _, c := range []struct{ prefix, name string }{
		{"aws-cli/", "awscli"}, {"Boto3/", "boto3"}, {"aws-sdk-go-v2/", "go"}, {"aws-sdk-js/", "js"},
	} {
		if strings.HasPrefix(ua, c.prefix) {
			return c.name
		}
	}
	return "?"
}

// protocolsSeen summarizes the stub's log: client → signing name →
// protocols, e.g. "go": {"monitoring": "rpc-v2-cbor"}.
func (s *stub) protocolsSeen() map[string]map[string]string {
	m := map[string]map[string]map[string]bool{}
	for _, r := range s.requests() {
		c := clientOf(r.UA)
		if m[c] == nil {
			m[c] = map[string]map[string]bool{}
		}
		if m[c][r.Service] == nil {
			m[c][r.Service] = map[string]bool{}
		}
		m[c][r.Service][r.Protocol] = true
	}
	out := map[string]map[string]string{}
	for c, svcs := range m {
		out[c] = map[string]string{}
		for svc, ps := range svcs {
			var list []string
			for p := range ps {
				list = append(list, p)
			}
			sort.Strings(list)
			out[c][svc] = strings.Join(list, "+")
		}
	}
	return out
}
