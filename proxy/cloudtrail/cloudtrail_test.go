package cloudtrail_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/proxy/cloudtrail"
)

// fixtures returns the testdata files that hold records, by path.
func fixtures(tb testing.TB) map[string][]byte {
	tb.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir("testdata", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(path, ".json") || strings.HasSuffix(path, ".gz")) {
			return err
		}
		b, err := os.ReadFile(path)
		out[path] = b
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func decodeAll(t *testing.T, b []byte) ([]*cloudtrail.Event, cloudtrail.Stats, error) {
	t.Helper()
	var evs []*cloudtrail.Event
	st, err := cloudtrail.Decode(bytes.NewReader(b), func(e *cloudtrail.Event) error {
		evs = append(evs, e)
		return nil
	})
	return evs, st, err
}

func TestDecodeFixtures(t *testing.T) {
	tests := []struct {
		name    string
		glob    string
		events  int
		format  string
		sources []string
	}{
		{"s3 delivery us-east-1", "testdata/logs/AWSLogs/*/CloudTrail/us-east-1/*/*/*/*.json.gz", 32, "records",
			[]string{"sts", "iam", "s3", "lambda", "dynamodb", "ec2", "monitoring"}},
		{"s3 delivery eu-west-1, eventVersion 1.05", "testdata/logs/AWSLogs/*/CloudTrail/eu-west-1/*/*/*/*.json.gz", 8, "records",
			[]string{"sqs", "kms", "sts"}},
		{"digest file", "testdata/logs/AWSLogs/*/CloudTrail-Digest/*/*/*/*/*.json.gz", 0, "", nil},
		{"plain json", "testdata/plain/*.json", 18, "records",
			[]string{"kms", "secretsmanager", "logs", "sns", "cloudformation", "signin", "sts", "dynamodb"}},
		{"lookup-events", "testdata/lookup/*.json", 11, "lookup-events",
			[]string{"sts", "iam", "lambda", "sqs", "ec2", "s3", "dynamodb", "secretsmanager", "sns", "logs"}},
	}
	total, seen := 0, map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			paths, _ := filepath.Glob(tt.glob)
			if len(paths) != 1 {
				t.Fatalf("glob %s: %v", tt.glob, paths)
			}
			b, err := os.ReadFile(paths[0])
			if err != nil {
				t.Fatal(err)
			}
			evs, st, err := decodeAll(t, b)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if len(evs) != tt.events || st.Events != tt.events || st.Skipped != 0 || st.Format != tt.format {
				t.Fatalf("got %d events, stats %+v; want %d, format %q", len(evs), st, tt.events, tt.format)
			}
			sources := map[string]bool{}
			for _, e := range evs {
				sources[strings.TrimSuffix(e.Service, ".amazonaws.com")] = true
				// A lookup-events element without its record has no region.
				if e.Source != iamwatch.SourceCloudTrail || e.API == "" || e.Time.IsZero() || e.Region == "" && e.API != "DescribeSecurityGroups" {
					t.Errorf("incomplete event %+v", e)
				}
				if !strings.HasPrefix(e.UID(), "ct-") || seen[e.UID()] {
					t.Errorf("uid %q: not ct- or seen twice", e.UID())
				}
				seen[e.UID()] = true
				if len(e.Params) == 0 || e.Params[0] != '{' {
					t.Errorf("%s: params %q are not an object", e.API, e.Params)
				}
				// responseElements are never read: the STS credentials
				// in them must not reach an event.
				if s := fmt.Sprintf("%+v", *e); strings.Contains(s, "IQoJb3JpZ2lu") || strings.Contains(s, "ASIAI44QH8DHBEXAMPLE") {
					t.Errorf("%s: event carries response credentials: %s", e.API, s)
				}
			}
			for _, s := range tt.sources {
				if !sources[s] {
					t.Errorf("no %s event among %v", s, sources)
				}
			}
			total += len(evs)
		})
	}
	if total < 50 || len(seen) != total {
		t.Errorf("fixtures hold %d events (%d distinct uids), want at least 50", total, len(seen))
	}
}

// find returns the first event of fixture path named api.
func find(t *testing.T, path, api string) *cloudtrail.Event {
	t.Helper()
	paths, _ := filepath.Glob(path)
	if len(paths) != 1 {
		t.Fatalf("glob %s: %v", path, paths)
	}
	b, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	evs, _, err := decodeAll(t, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if e.API == api {
			return e
		}
	}
	t.Fatalf("no %s in %s", api, path)
	return nil
}

func TestEventFields(t *testing.T) {
	const (
		east   = "testdata/logs/AWSLogs/*/CloudTrail/us-east-1/*/*/*/*.json.gz"
		west   = "testdata/logs/AWSLogs/*/CloudTrail/eu-west-1/*/*/*/*.json.gz"
		plain  = "testdata/plain/*.json"
		lookup = "testdata/lookup/*.json"
	)
	t.Run("lambda CreateFunction with a version suffix", func(t *testing.T) {
		e := find(t, east, "CreateFunction20150331")
		if e.Service != "lambda.amazonaws.com" || e.Region != "us-east-1" || e.AccountID != "111122223333" ||
			e.PrincipalARN != "arn:aws:iam::111122223333:user/deployer" || e.AccessKeyID != "AKIAIOSFODNN7EXAMPLE" ||
			e.Category != cloudtrail.CategoryManagement || !e.ReadOnlyKnown || e.ReadOnly || e.NotAPICall() != "" {
			t.Fatalf("event %+v", e)
		}
		if !bytes.Contains(e.Params, []byte(`"role":"arn:aws:iam::111122223333:role/orders-app"`)) {
			t.Fatalf("params %s", e.Params)
		}
		if want := time.Date(2026, 3, 14, 9, 15, 45, 0, time.UTC); !e.Time.Equal(want) {
			t.Fatalf("time %v, want %v", e.Time, want)
		}
	})
	t.Run("S3 data event with resources", func(t *testing.T) {
		e := find(t, east, "GetObject")
		if e.Category != cloudtrail.CategoryData || !e.ReadOnly || len(e.Resources) != 2 ||
			e.Resources[0] != "arn:aws:s3:::orders-data-111122223333/incoming/2026-03-14/batch-0001.csv" {
			t.Fatalf("event %+v", e)
		}
	})
	t.Run("access denied", func(t *testing.T) {
		e := find(t, east, "PutBucketPolicy")
		if e.ErrorCode != "AccessDenied" || e.ErrorMessage != "Access Denied" || e.NotAPICall() != "" {
			t.Fatalf("event %+v", e)
		}
	})
	t.Run("null requestParameters", func(t *testing.T) {
		if e := find(t, east, "GetCallerIdentity"); string(e.Params) != "{}" {
			t.Fatalf("params %q", e.Params)
		}
	})
	t.Run("category derived for eventVersion 1.05", func(t *testing.T) {
		if e := find(t, west, "SendMessage"); e.Category != cloudtrail.CategoryData {
			t.Fatalf("SendMessage category %q", e.Category)
		}
		if e := find(t, west, "CreateQueue"); e.Category != cloudtrail.CategoryManagement {
			t.Fatalf("CreateQueue category %q", e.Category)
		}
	})
	t.Run("non-API events are kept with a reason", func(t *testing.T) {
		for api, want := range map[string]string{
			"ConsoleLogin":  "console sign-in event",
			"RotateKey":     "AWS service event",
			"DescribeTable": "CloudTrail Insights event",
		} {
			e := find(t, plain, api)
			if !strings.Contains(e.NotAPICall(), want) {
				t.Errorf("%s: NotAPICall %q, want %q", api, e.NotAPICall(), want)
			}
		}
		var byLambda *cloudtrail.Event
		b, _ := os.ReadFile(must(filepath.Glob(plain))[0])
		evs, _, _ := decodeAll(t, b)
		for _, e := range evs {
			if e.API == "AssumeRole" {
				byLambda = e
			}
		}
		if byLambda == nil || byLambda.NotAPICall() != "made by lambda.amazonaws.com under its own identity, not by a principal of the account" {
			t.Fatalf("AssumeRole by Lambda: %+v", byLambda)
		}
	})
	t.Run("lookup-events element", func(t *testing.T) {
		e := find(t, lookup, "ListFunctions20150331")
		if e.PrincipalARN != "arn:aws:iam::111122223333:user/deployer" || e.Category != cloudtrail.CategoryManagement || !e.ReadOnly {
			t.Fatalf("event %+v", e)
		}
		// Without CloudTrailEvent, the element's own fields stand in.
		e = find(t, lookup, "DescribeSecurityGroups")
		if e.Service != "ec2.amazonaws.com" || e.AccessKeyID != "AKIAIOSFODNN7EXAMPLE" || !e.ReadOnlyKnown || !e.ReadOnly ||
			!e.Time.Equal(time.Date(2026, 3, 14, 10, 20, 0, 0, time.UTC)) || !strings.HasPrefix(e.UID(), "ct-") {
			t.Fatalf("event %+v", e)
		}
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

const rec1 = `{"eventVersion":"1.09","eventTime":"2026-01-02T03:04:05Z","eventSource":"sqs.amazonaws.com","eventName":"ListQueues","awsRegion":"eu-west-1","eventID":"11111111-2222-3333-4444-555555555555","readOnly":true,"recipientAccountId":"111122223333","eventType":"AwsApiCall"}`
const rec2 = `{"eventTime":"2026-01-02T03:04:06Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","requestParameters":{"bucketName":"b","key":"k"}}`

func TestDecodeShapes(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		apis    string // event names, comma-separated
		skipped int
		format  string
		err     string // substring of the error; "" for none
	}{
		{name: "records", in: []byte(`{"Records":[` + rec1 + `,` + rec2 + `]}`), apis: "ListQueues,GetObject", format: "records"},
		{name: "gzipped records", in: gz([]byte(`{"Records":[` + rec1 + `]}`)), apis: "ListQueues", format: "records"},
		{name: "concatenated gzip members", in: append(gz([]byte(`{"Records":[`+rec1+`]}`)), gz([]byte(`{"Records":[`+rec2+`]}`))...), apis: "ListQueues,GetObject", format: "records"},
		{name: "one record", in: []byte(rec1), apis: "ListQueues", format: "record"},
		{name: "json lines", in: []byte(rec1 + "\n" + rec2 + "\n"), apis: "ListQueues,GetObject", format: "record"},
		{name: "array", in: []byte(`[` + rec1 + `,` + rec2 + `]`), apis: "ListQueues,GetObject", format: "array"},
		{name: "empty records", in: []byte(`{"Records":[]}`), format: "records"},
		{name: "null records", in: []byte(`{"Records":null}`)},
		{name: "empty input", in: nil},
		{name: "lookup-events", in: []byte(`{"Events":[{"EventId":"x","EventName":"ListQueues","CloudTrailEvent":` + quoteJSON(rec1) + `}],"NextToken":"t"}`),
			apis: "ListQueues", format: "lookup-events"},
		{name: "lookup-events, malformed CloudTrailEvent", in: []byte(`{"Events":[{"EventId":"e-1","EventName":"ListTopics","EventSource":"sns.amazonaws.com","EventTime":1767323045,"CloudTrailEvent":"{nope"}]}`),
			apis: "ListTopics", format: "lookup-events"},
		{name: "elements that name no event are skipped", in: []byte(`{"Records":["x",null,{},` + rec1 + `]}`), apis: "ListQueues", skipped: 3, format: "records"},
		{name: "a field of the wrong type keeps the record", in: []byte(`{"Records":[{"eventName":"ListQueues","eventSource":"sqs.amazonaws.com","readOnly":5,"resources":"x","eventTime":true}]}`),
			apis: "ListQueues", format: "records"},
		{name: "digest file", in: []byte(`{"awsAccountId":"111122223333","logFiles":[{"s3Object":"x"}]}`)},
		{name: "top-level string", in: []byte(`"Records"`), err: "not CloudTrail records"},
		{name: "records not a list", in: []byte(`{"Records":{"eventName":"x"}}`), err: "not CloudTrail records"},
		{name: "truncated", in: []byte(`{"Records":[` + rec1 + `,` + rec2[:40]), apis: "ListQueues", format: "records", err: "record 2"},
		{name: "truncated gzip", in: gz([]byte(`{"Records":[` + rec1 + `,` + rec2 + `]}`))[:60], err: "unexpected EOF"},
		{name: "malformed", in: []byte(`{"Records":[` + rec1 + `,{"eventName":}]}`), apis: "ListQueues", format: "records", err: "record 2: invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, st, err := decodeAll(t, tt.in)
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("error %v, want %q", err, tt.err)
			}
			var apis []string
			for _, e := range evs {
				apis = append(apis, e.API)
			}
			if got := strings.Join(apis, ","); got != tt.apis || st.Skipped != tt.skipped || st.Events != len(evs) {
				t.Fatalf("events %q, stats %+v; want %q, %d skipped", got, st, tt.apis, tt.skipped)
			}
			if tt.err == "" && st.Format != tt.format {
				t.Fatalf("format %q, want %q", st.Format, tt.format)
			}
		})
	}
}

func quoteJSON(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range s {
		if c == '"' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	b.WriteByte('"')
	return b.String()
}

func TestDecodeLookupFallback(t *testing.T) {
	evs, _, err := decodeAll(t, []byte(`{"Events":[{"EventId":"e-1","EventName":"ListTopics","EventSource":"sns.amazonaws.com","EventTime":1767323045.5,"ReadOnly":"true","AccessKeyId":"AKIAIOSFODNN7EXAMPLE","Resources":[{"ResourceType":"AWS::SNS::Topic","ResourceName":"arn:aws:sns:us-east-1:111122223333:t"},{"ResourceType":"AWS::X","ResourceName":"plain"}],"CloudTrailEvent":"{nope"}]}`))
	if err != nil || len(evs) != 1 {
		t.Fatalf("%v %v", evs, err)
	}
	e := evs[0]
	if e.UID() != "ct-e-1" || e.Service != "sns.amazonaws.com" || !e.ReadOnly || e.AccessKeyID != "AKIAIOSFODNN7EXAMPLE" ||
		!e.Time.Equal(time.Unix(1767323045, 5e8)) || len(e.Resources) != 1 || e.Resources[0] != "arn:aws:sns:us-east-1:111122223333:t" {
		t.Fatalf("event %+v", e)
	}
}

func TestUID(t *testing.T) {
	uidOf := func(rec string) string {
		t.Helper()
		evs, _, err := decodeAll(t, []byte(rec))
		if err != nil || len(evs) != 1 {
			t.Fatalf("%q: %v %v", rec, evs, err)
		}
		return evs[0].UID()
	}
	if got := uidOf(rec1); got != "ct-11111111-2222-3333-4444-555555555555" {
		t.Errorf("uid %q", got)
	}
	a, b := uidOf(rec2), uidOf(strings.Replace(rec2, `"k"`, `"k2"`, 1))
	if !strings.HasPrefix(a, "ct-sha256-") || a != uidOf(rec2) || a == b {
		t.Errorf("digest uids %q and %q: want stable and distinct", a, b)
	}
	// An eventID the store could not take as a uid is digested too.
	odd := strings.Replace(rec1, `"11111111-2222-3333-4444-555555555555"`, `"a b/c"`, 1)
	if got := uidOf(odd); !strings.HasPrefix(got, "ct-sha256-") {
		t.Errorf("uid of an odd eventID %q", got)
	}
}

func TestDecodeCallbackError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	_, err := cloudtrail.Decode(strings.NewReader(`{"Records":[`+rec1+`,`+rec2+`]}`), func(*cloudtrail.Event) error {
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 || !strings.Contains(err.Error(), "record 1") {
		t.Fatalf("err %v after %d events", err, n)
	}
}

// recordStream produces a {"Records": [...]} document of n records as it is
// read, and counts the bytes read so far.
type recordStream struct {
	n, i int
	buf  []byte
	read int64
	done bool
}

func (s *recordStream) Read(p []byte) (int, error) {
	for len(s.buf) == 0 {
		switch {
		case s.done:
			return 0, io.EOF
		case s.i == 0:
			s.buf = []byte(`{"Records":[`)
		case s.i > s.n:
			s.buf, s.done = []byte(`]}`), true
		default:
			sep := ","
			if s.i == 1 {
				sep = ""
			}
			s.buf = []byte(fmt.Sprintf(`%s{"eventID":"e-%d","eventTime":"2026-01-02T03:04:05Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","requestParameters":{"bucketName":"b","key":"k%d"}}`, sep, s.i, s.i))
		}
		s.i++
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	s.read += int64(n)
	return n, nil
}

// TestDecodeStreams checks that records are handed over as they are read,
// not once the whole input is: the first event arrives long before the
// stream's end.
func TestDecodeStreams(t *testing.T) {
	const n = 50000
	s := &recordStream{n: n}
	var atFirst int64 = -1
	count := 0
	st, err := cloudtrail.Decode(s, func(e *cloudtrail.Event) error {
		if count == 0 {
			atFirst = s.read
		}
		count++
		return nil
	})
	if err != nil || count != n || st.Events != n {
		t.Fatalf("decoded %d of %d: %v", count, n, err)
	}
	if atFirst < 0 || atFirst > 1<<20 || s.read < 100*atFirst {
		t.Fatalf("first event after %d of %d bytes: the input was not streamed", atFirst, s.read)
	}
}

// BenchmarkDecode measures the reader on a generated log file of 10,000
// S3 data events, gzipped as a trail delivers it.
func BenchmarkDecode(b *testing.B) {
	raw, err := io.ReadAll(&recordStream{n: 10000})
	if err != nil {
		b.Fatal(err)
	}
	data := gz(raw)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if _, err := cloudtrail.Decode(bytes.NewReader(data), func(*cloudtrail.Event) error { n++; return nil }); err != nil || n != 10000 {
			b.Fatalf("%d events: %v", n, err)
		}
	}
}
