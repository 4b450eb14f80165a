package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// demoUpstream is the demo's fake AWS: a TLS server on loopback that
// answers the scenario's operations with the smallest response each
// client's protocol accepts. It keeps no state; what it answers follows
// from the request alone.
type demoUpstream struct {
	accountID string
	srv       *http.Server
	ln        net.Listener
	roots     *x509.CertPool // trusts the upstream's throwaway certificate
	served    chan error
}

// startDemoUpstream listens on a free loopback port with a certificate made
// for this run only.
func startDemoUpstream(accountID string) (*demoUpstream, error) {
	cert, err := demoCert()
	if err != nil {
		return nil, fmt.Errorf("make the fake upstream's certificate: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for the fake upstream: %w", err)
	}
	u := &demoUpstream{accountID: accountID, ln: ln, roots: x509.NewCertPool(), served: make(chan error, 1)}
	u.roots.AddCert(cert.Leaf)
	u.srv = &http.Server{
		Handler:           u,
		ReadHeaderTimeout: 10 * time.Second,
		// A client that hangs up mid-handshake is no news in a demo.
		ErrorLog: log.New(io.Discard, "", 0),
		// The proxy speaks HTTP/1.1 upstream.
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
	}
	tlsLn := tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}})
	go func() { u.served <- u.srv.Serve(tlsLn) }()
	return u, nil
}

// URL is what `iamwatch proxy --upstream` would be given.
func (u *demoUpstream) URL() *url.URL {
	return &url.URL{Scheme: "https", Host: u.ln.Addr().String()}
}

// transport is the proxy's upstream Transport: like the proxy's default
// (no proxy, HTTP/1.1, Accept-Encoding untouched, certificates verified)
// but trusting only the throwaway certificate.
func (u *demoUpstream) transport() *http.Transport {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Transport{
		DialContext:           d.DialContext,
		TLSClientConfig:       &tls.Config{RootCAs: u.roots, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   5 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
	}
}

func (u *demoUpstream) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := u.srv.Shutdown(ctx)
	if serveErr := <-u.served; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return err
}

// demoCert is a self-signed certificate for 127.0.0.1, valid for the
// next hour and never written anywhere.
func demoCert() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "iamwatch demo upstream"},
		NotBefore:    now.Add(-time.Minute),
		NotAfter:     now.Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// demoSigningName returns the service of the request's SigV4 credential
// scope, Credential=AKID/DATE/REGION/SERVICE/aws4_request: the one thing
// every protocol's request carries the same way.
func demoSigningName(r *http.Request) string {
	_, cred, ok := strings.Cut(r.Header.Get("Authorization"), "Credential=")
	if !ok {
		return ""
	}
	cred, _, _ = strings.Cut(cred, ",")
	parts := strings.Split(cred, "/")
	if len(parts) != 5 {
		return ""
	}
	return parts[3]
}

func (u *demoUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "read the request", http.StatusBadRequest)
		return
	}
	switch svc := demoSigningName(r); svc {
	case "sts":
		u.sts(w, r, body)
	case "s3":
		u.s3(w, r)
	case "dynamodb", "sqs":
		u.awsJSON(w, r, body)
	case "lambda":
		u.lambda(w, r)
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotImplemented)
		fmt.Fprintf(w, `{"__type":"NotImplemented","message":"the iamwatch demo does not fake service %q"}`, svc)
	}
}

// sts answers the query protocol: a form in, XML out.
func (u *demoUpstream) sts(w http.ResponseWriter, r *http.Request, body []byte) {
	form, _ := url.ParseQuery(string(body))
	w.Header().Set("Content-Type", "text/xml")
	if op := form.Get("Action"); op != "GetCallerIdentity" {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>the iamwatch demo does not fake %s</Message></Error><RequestId>demo</RequestId></ErrorResponse>`, demoXMLText(op))
		return
	}
	fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
		`<Arn>%s</Arn><UserId>AIDAIOSFODNN7EXAMPLE</UserId><Account>%s</Account>`+
		`</GetCallerIdentityResult><ResponseMetadata><RequestId>demo</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
		demoPrincipalARN(u.accountID), u.accountID)
}

// demoObject is the content every GetObject returns.
const demoObject = "order-1,NEW\n"

// s3 answers rest-xml: the bucket is in the virtual host, the operation in
// the method and query.
func (u *demoUpstream) s3(w http.ResponseWriter, r *http.Request) {
	bucket, _, _ := strings.Cut(r.Host, ".s3.")
	key := strings.TrimPrefix(r.URL.Path, "/")
	q := r.URL.Query()
	w.Header().Set("X-Amz-Request-Id", "demo")
	const ns = `xmlns="http://s3.amazonaws.com/doc/2006-03-01/"`
	switch {
	case r.Method == http.MethodPut && key == "": // CreateBucket
		w.Header().Set("Location", "/"+bucket)
	case r.Method == http.MethodPut: // PutObject
		w.Header().Set("ETag", `"`+demoMD5(demoObject)+`"`)
	case r.Method == http.MethodGet && key == "" && q.Get("list-type") == "2": // ListObjectsV2
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult %s><Name>%s</Name><Prefix>%s</Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>`+
			`<Contents><Key>%s</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>&quot;%s&quot;</ETag><Size>%d</Size><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>`,
			ns, demoXMLText(bucket), demoXMLText(q.Get("prefix")), demoXMLText(demoObjectKey), demoMD5(demoObject), len(demoObject))
	case r.Method == http.MethodGet && key != "": // GetObject
		sum := make([]byte, 4)
		binary.BigEndian.PutUint32(sum, crc32.ChecksumIEEE([]byte(demoObject)))
		w.Header().Set("Content-Type", "text/csv")
		w.Header().Set("Content-Length", strconv.Itoa(len(demoObject)))
		w.Header().Set("ETag", `"`+demoMD5(demoObject)+`"`)
		w.Header().Set("Last-Modified", "Thu, 01 Jan 2026 00:00:00 GMT")
		// The SDK checks the body against it.
		w.Header().Set("X-Amz-Checksum-Crc32", base64.StdEncoding.EncodeToString(sum))
		io.WriteString(w, demoObject)
	default:
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusNotImplemented)
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NotImplemented</Code><Message>the iamwatch demo does not fake this S3 request</Message><RequestId>demo</RequestId></Error>`)
	}
}

// awsJSON answers the JSON 1.0 protocol of DynamoDB and SQS: the operation
// is in X-Amz-Target, SERVICE_VERSION.Operation.
func (u *demoUpstream) awsJSON(w http.ResponseWriter, r *http.Request, body []byte) {
	target := r.Header.Get("X-Amz-Target")
	_, op, _ := strings.Cut(target, ".")
	var in map[string]any
	_ = json.Unmarshal(body, &in)
	str := func(k string) string { s, _ := in[k].(string); return s }
	item := map[string]any{"pk": map[string]string{"S": "order-1"}, "status": map[string]string{"S": "NEW"}}
	status, out := http.StatusOK, map[string]any{}
	switch op {
	case "CreateTable":
		out["TableDescription"] = map[string]any{"TableName": str("TableName"), "TableStatus": "CREATING",
			"TableArn": "arn:aws:dynamodb:" + demoRegion + ":" + u.accountID + ":table/" + str("TableName")}
	case "PutItem", "DeleteMessage":
	case "GetItem":
		out["Item"] = item
	case "Query":
		out["Items"], out["Count"], out["ScannedCount"] = []any{item}, 1, 1
	case "CreateQueue":
		out["QueueUrl"] = "https://sqs." + demoRegion + ".amazonaws.com/" + u.accountID + "/" + str("QueueName")
	case "SendMessage": // the SDK checks the digest
		out["MessageId"], out["MD5OfMessageBody"] = "00000000-0000-4000-8000-000000000001", demoMD5(str("MessageBody"))
	case "ReceiveMessage":
		out["Messages"] = []any{map[string]any{"MessageId": "00000000-0000-4000-8000-000000000001",
			"ReceiptHandle": "demo-receipt-handle", "Body": demoMessage, "MD5OfBody": demoMD5(demoMessage)}}
	default:
		status, out = http.StatusBadRequest, map[string]any{"__type": "UnknownOperationException", "message": "the iamwatch demo does not fake " + target}
	}
	b, _ := json.Marshal(out)
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-Requestid", "demo")
	if strings.HasPrefix(target, "DynamoDB_") {
		// DynamoDB signs its bodies with a CRC32 that the SDK checks.
		w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(b)), 10))
	}
	w.WriteHeader(status)
	w.Write(b)
}

// lambda answers rest-json: POST /2015-03-31/functions creates,
// .../functions/NAME/invocations invokes.
func (u *demoUpstream) lambda(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Requestid", "demo")
	rest, ok := strings.CutPrefix(r.URL.Path, "/2015-03-31/functions")
	switch {
	case ok && rest == "" && r.Method == http.MethodPost:
		arn := "arn:aws:lambda:" + demoRegion + ":" + u.accountID + ":function:" + demoFunction
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"FunctionName": demoFunction, "FunctionArn": arn,
			"Role": demoRoleARN(u.accountID), "Runtime": "python3.12", "Handler": "app.handler", "State": "Pending"})
	case ok && strings.HasSuffix(rest, "/invocations") && r.Method == http.MethodPost:
		w.Header().Set("X-Amz-Executed-Version", "$LATEST")
		io.WriteString(w, `{"processed":1}`)
	default:
		w.Header().Set("X-Amzn-Errortype", "ResourceNotFoundException")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"message":"the iamwatch demo does not fake this Lambda request"}`)
	}
}

func demoMD5(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// demoXMLText escapes s for an XML text node.
func demoXMLText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
