package csm_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/proxy/csm"
)

// The samples in testdata/botocore-1.43.11.jsonl are the datagrams boto3
// 1.43.11 sent, captured as is, for: a successful STS GetCallerIdentity, a
// DynamoDB ListTables denied with AccessDeniedException, a DynamoDB
// DescribeTable that failed four times with a 500, and a CloudWatch Logs
// DescribeLogGroups whose endpoint refused the connection. The credentials
// were ASIAEXAMPLEKEY000001 with session token SESSIONTOKENSECRET.
const (
	sampleFile         = "testdata/botocore-1.43.11.jsonl"
	sampleSessionToken = "SESSIONTOKENSECRET"
	sampleAccessKey    = "ASIAEXAMPLEKEY000001"
)

func readSamples(t testing.TB) [][]byte {
	t.Helper()
	data, err := os.ReadFile(sampleFile)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			out = append(out, bytes.Clone(line))
		}
	}
	return out
}

// listen starts a Listener on a loopback UDP socket; observations arrive
// on the returned channel.
func listen(t *testing.T) (*csm.Listener, net.Addr, <-chan *iamwatch.Observation) {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	obs := make(chan *iamwatch.Observation, 100)
	l := &csm.Listener{Sink: func(o *iamwatch.Observation) { obs <- o }}
	done := make(chan error, 1)
	go func() { done <- l.Serve(conn) }()
	t.Cleanup(func() {
		conn.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve after Close = %v, want nil", err)
		}
	})
	return l, conn.LocalAddr(), obs
}

func dial(t *testing.T, addr net.Addr) net.Conn {
	t.Helper()
	c, err := net.Dial("udp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func receive(t *testing.T, ch <-chan *iamwatch.Observation, n int) []*iamwatch.Observation {
	t.Helper()
	var out []*iamwatch.Observation
	timeout := time.After(10 * time.Second)
	for len(out) < n {
		select {
		case o := <-ch:
			out = append(out, o)
		case <-timeout:
			t.Fatalf("received %d observations, want %d", len(out), n)
		}
	}
	return out
}

func TestRealSamples(t *testing.T) {
	l, addr, ch := listen(t)
	c := dial(t, addr)
	samples := readSamples(t)
	for _, s := range samples {
		if _, err := c.Write(s); err != nil {
			t.Fatal(err)
		}
	}
	got := receive(t, ch, 4)
	want := []iamwatch.Observation{
		{Service: "STS", API: "GetCallerIdentity", Status: 200, Latency: 17 * time.Millisecond},
		{Service: "DynamoDB", API: "ListTables", Status: 400, ErrorCode: "AccessDeniedException", Latency: 8 * time.Millisecond},
		{Service: "DynamoDB", API: "DescribeTable", Status: 500, ErrorCode: "InternalServerError", Latency: 394 * time.Millisecond},
		{Service: "CloudWatch Logs", API: "DescribeLogGroups", Status: 0, Latency: 9 * time.Millisecond},
	}
	for i, w := range want {
		o := got[i]
		t.Run(w.Service+" "+w.API, func(t *testing.T) {
			if o.Source != iamwatch.SourceCSM || o.Service != w.Service || o.API != w.API || o.Region != "us-east-1" {
				t.Errorf("got %s %q %q %q", o.Source, o.Service, o.API, o.Region)
			}
			if o.Status != w.Status || o.ErrorCode != w.ErrorCode || o.Latency != w.Latency {
				t.Errorf("outcome %d %q %v, want %d %q %v", o.Status, o.ErrorCode, o.Latency, w.Status, w.ErrorCode, w.Latency)
			}
			if o.AccessKeyID != sampleAccessKey {
				t.Errorf("access key %q, want the attempt's", o.AccessKeyID)
			}
			if o.Host == "" || o.Time.Year() < 2020 {
				t.Errorf("host %q, time %v", o.Host, o.Time)
			}
			if s := fmt.Sprintf("%#v", *o); strings.Contains(s, sampleSessionToken) {
				t.Error("the session token reached the observation")
			}
		})
	}
	st := l.Stats()
	if st != (csm.Stats{Datagrams: uint64(len(samples)), Calls: 4, Attempts: 7, Garbage: 0}) {
		t.Errorf("stats %+v", st)
	}
}

func TestGarbageSurvived(t *testing.T) {
	l, addr, ch := listen(t)
	c := dial(t, addr)
	garbage := [][]byte{
		[]byte("not json"),
		[]byte(`[1,2,3]`),
		[]byte(`{"Type":"ApiCall"}`),
		[]byte(`{"Type":"Something","Service":"S3","Api":"GetObject"}`),
		[]byte(`{"Type":"ApiCall","Service":"S3","Api":"GetObject","Latency":"fast"}`),
		[]byte("\x00\xff\xfe{"),
		bytes.Repeat([]byte("{"), 60000),
	}
	for _, g := range garbage {
		if _, err := c.Write(g); err != nil {
			t.Fatal(err)
		}
	}
	c.Write([]byte(`{"Version":1,"ClientId":"","Type":"ApiCall","Service":"S3","Api":"ListBuckets","Timestamp":1700000000000,"AttemptCount":1,"Region":"eu-west-1","FinalHttpStatusCode":200,"Latency":5.7}`))
	o := receive(t, ch, 1)[0]
	if o.Service != "S3" || o.API != "ListBuckets" || o.Latency != 5*time.Millisecond || o.AccessKeyID != "" {
		t.Errorf("got %+v", o)
	}
	if st := l.Stats(); st.Garbage != uint64(len(garbage)) || st.Calls != 1 {
		t.Errorf("stats %+v, want %d garbage and 1 call", st, len(garbage))
	}
}

// TestAttemptCorrelation checks which attempt lends its access key to an
// ApiCall: the last one from the same sender for the same operation, and
// only once.
func TestAttemptCorrelation(t *testing.T) {
	attempt := func(key, api string) []byte {
		return []byte(`{"Type":"ApiCallAttempt","Service":"SQS","Api":"` + api + `","AccessKey":"` + key + `","SessionToken":"tok","Fqdn":"sqs.us-east-1.amazonaws.com"}`)
	}
	call := func(api string) []byte {
		return []byte(`{"Type":"ApiCall","Service":"SQS","Api":"` + api + `","FinalHttpStatusCode":200}`)
	}
	now := time.Unix(1700000000, 0)
	tests := []struct {
		name  string
		steps func(l *csm.Listener)
		want  []string // access keys of the observations, in order
	}{
		{"last attempt wins", func(l *csm.Listener) {
			l.Handle(attempt("AKIA1", "SendMessage"), "127.0.0.1:5000", now)
			l.Handle(attempt("AKIA2", "SendMessage"), "127.0.0.1:5000", now)
			l.Handle(call("SendMessage"), "127.0.0.1:5000", now)
		}, []string{"AKIA2"}},
		{"other sender", func(l *csm.Listener) {
			l.Handle(attempt("AKIA1", "SendMessage"), "127.0.0.1:5000", now)
			l.Handle(call("SendMessage"), "127.0.0.1:6000", now)
		}, []string{""}},
		{"other operation", func(l *csm.Listener) {
			l.Handle(attempt("AKIA1", "ReceiveMessage"), "127.0.0.1:5000", now)
			l.Handle(call("SendMessage"), "127.0.0.1:5000", now)
		}, []string{""}},
		{"attempt used once", func(l *csm.Listener) {
			l.Handle(attempt("AKIA1", "SendMessage"), "127.0.0.1:5000", now)
			l.Handle(call("SendMessage"), "127.0.0.1:5000", now)
			l.Handle(call("SendMessage"), "127.0.0.1:5000", now)
		}, []string{"AKIA1", ""}},
		{"stale attempt", func(l *csm.Listener) {
			l.Handle(attempt("AKIA1", "SendMessage"), "127.0.0.1:5000", now)
			l.Handle(call("SendMessage"), "127.0.0.1:5000", now.Add(csm.DefaultAttemptTTL+time.Second))
		}, []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			l := &csm.Listener{Sink: func(o *iamwatch.Observation) { got = append(got, o.AccessKeyID) }}
			tt.steps(l)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("access keys %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr error
	}{
		{"call", `{"Type":"ApiCall","Service":"S3","Api":"GetObject"}`, nil},
		{"attempt", `{"Type":"ApiCallAttempt","Service":"S3","Api":"GetObject","AccessKey":"AKIA"}`, nil},
		{"float and null numbers", `{"Type":"ApiCall","Service":"S3","Api":"GetObject","Latency":1.5,"Timestamp":null}`, nil},
		{"unknown type", `{"Type":"Metric","Service":"S3","Api":"GetObject"}`, csm.ErrNotCSM},
		{"no api", `{"Type":"ApiCall","Service":"S3"}`, csm.ErrNotCSM},
		{"not json", `hello`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := csm.Parse([]byte(tt.in))
			switch {
			case tt.name == "not json":
				if err == nil {
					t.Error("parsed garbage")
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("err = %v, want %v", err, tt.wantErr)
				}
			case err != nil || d == nil:
				t.Errorf("err = %v", err)
			}
		})
	}
	for _, s := range readSamples(t) {
		d, err := csm.Parse(s)
		if err != nil {
			t.Fatalf("sample %s: %v", s, err)
		}
		if strings.Contains(fmt.Sprintf("%#v", *d), sampleSessionToken) {
			t.Error("a parsed datagram kept the session token")
		}
	}
}

// FuzzParseCSM checks that no datagram makes Parse or the conversion to an
// Observation panic, and that what parses is a named call.
func FuzzParseCSM(f *testing.F) {
	for _, s := range readSamples(f) {
		f.Add(s)
	}
	f.Add([]byte(`{"Type":"ApiCall","Service":"S3","Api":"GetObject","Latency":1e300}`))
	f.Add([]byte(`{"Type":"ApiCall","Service":"S3","Api":"GetObject","Timestamp":-9223372036854775808}`))
	f.Add([]byte(`{"Type":"ApiCallAttempt","Service":" ","Api":"x"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := csm.Parse(b)
		if err != nil {
			return
		}
		if d.Type != csm.TypeAPICall && d.Type != csm.TypeAPICallAttempt || strings.TrimSpace(d.Service) == "" || strings.TrimSpace(d.API) == "" {
			t.Fatalf("accepted %+v", d)
		}
		o := d.Observation(d.AccessKey, d.Fqdn, time.Unix(0, 0))
		if o.Source != iamwatch.SourceCSM || o.Service != d.Service || o.API != d.API {
			t.Fatalf("observation %+v from %+v", o, d)
		}
		var l csm.Listener
		l.Handle(b, "127.0.0.1:1", time.Unix(0, 0))
	})
}

// TestGarbageLogged: garbage is reported at warn level, with a count, at
// most once per GarbageLogInterval, and without its content.
func TestGarbageLogged(t *testing.T) {
	var logs bytes.Buffer
	l := &csm.Listener{Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	t0 := time.Unix(1700000000, 0)
	for i := range 5 {
		l.Handle([]byte("secret-looking garbage"), "127.0.0.1:9", t0.Add(time.Duration(i)*time.Second))
	}
	l.Handle([]byte(`{"Type":"Other"}`), "127.0.0.1:9", t0.Add(csm.GarbageLogInterval+time.Second))
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d log lines, want 2 (one per interval):\n%s", len(lines), logs.String())
	}
	for i, want := range []string{"count=1 ", "count=5 "} {
		if !strings.Contains(lines[i], "level=WARN") || !strings.Contains(lines[i], want) || !strings.Contains(lines[i], "last_from=127.0.0.1:9") {
			t.Errorf("line %d = %q, want a warning with %q", i, lines[i], want)
		}
	}
	if strings.Contains(logs.String(), "secret-looking") {
		t.Error("the log quotes a datagram")
	}
	if st := l.Stats(); st.Garbage != 6 {
		t.Errorf("garbage count %d, want 6", st.Garbage)
	}
}
