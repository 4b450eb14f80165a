package mapper_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/mapper"
	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

var embeddedIndex = sync.OnceValues(func() (*mapper.Index, error) {
	m, err := servicemaps.Load()
	if err != nil {
		return nil, err
	}
	return mapper.NewIndex(m)
})

func index(tb testing.TB) *mapper.Index {
	tb.Helper()
	ix, err := embeddedIndex()
	if err != nil {
		tb.Fatalf("load embedded maps: %v", err)
	}
	return ix
}

// rawFixtures returns the raw .http files of the corpus.
func rawFixtures(tb testing.TB) map[string][]byte {
	tb.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(filepath.Join("testdata", "requests"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".http") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out[path] = data
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		tb.Fatal(err)
	}
	return out
}

func FuzzParseRaw(f *testing.F) {
	for _, data := range rawFixtures(f) {
		f.Add(data)
	}
	f.Add([]byte("GET / HTTP/1.1\r\nHost: s3.amazonaws.com\r\n\r\n"))
	ix := index(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		obs, err := mapper.ParseRaw(data, "https")
		if err != nil {
			return
		}
		call := ix.Map(obs)
		checkCall(t, call)
	})
}

// FuzzIdentify drives the mapper with requests whose parts vary
// independently, which reaches the protocol paths ParseRaw rarely does.
func FuzzIdentify(f *testing.F) {
	seed := func(method, host, path, query, target, ctype, auth string, body []byte) {
		f.Add(method, host, path, query, target, ctype, auth, body)
	}
	const v4 = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/%s/aws4_request, SignedHeaders=host, Signature=0"
	seed("POST", "dynamodb.us-east-1.amazonaws.com", "/", "", "DynamoDB_20120810.BatchWriteItem", "application/x-amz-json-1.0",
		strings.Replace(v4, "%s", "dynamodb", 1), []byte(`{"RequestItems":{"t":[{"PutRequest":{"Item":{}}}]}}`))
	seed("POST", "ec2.us-east-1.amazonaws.com", "/", "", "", "application/x-www-form-urlencoded",
		strings.Replace(v4, "%s", "ec2", 1), []byte("Action=RunInstances&Version=2016-11-15&ImageId=ami-1&TagSpecification.1.ResourceType=instance"))
	seed("PUT", "b.s3.us-east-1.amazonaws.com", "/k", "x-id=PutObject", "", "", strings.Replace(v4, "%s", "s3", 1), []byte("data"))
	seed("POST", "monitoring.us-east-1.amazonaws.com", "/service/GraniteServiceVersion20100801/operation/PutMetricData", "", "", "application/cbor",
		strings.Replace(v4, "%s", "monitoring", 1), []byte{0xa1, 0x69, 'N', 'a', 'm', 'e', 's', 'p', 'a', 'c', 'e', 0x61, 'x'})
	seed("GET", "localhost:4566", "/bucket", "list-type=2&prefix=a", "", "", strings.Replace(v4, "%s", "s3", 1), nil)
	seed("POST", "lambda.us-east-1.amazonaws.com", "/2015-03-31/functions", "", "", "application/json",
		strings.Replace(v4, "%s", "lambda", 1), []byte(`{"FunctionName":"f","Role":"arn:aws:iam::1:role/r","Layers":["arn:aws:lambda:us-east-1:1:layer:l:1"]}`))
	ix := index(f)
	f.Fuzz(func(t *testing.T, method, host, path, query, target, ctype, auth string, body []byte) {
		h := http.Header{}
		if target != "" {
			h.Set("X-Amz-Target", target)
		}
		if ctype != "" {
			h.Set("Content-Type", ctype)
		}
		if auth != "" {
			h.Set("Authorization", auth)
		}
		if len(body) > iamwatch.MaxBodyPrefix {
			body = body[:iamwatch.MaxBodyPrefix]
		}
		obs := &iamwatch.Observation{Method: method, Host: host, Path: path, RawQuery: query, Header: h, Body: body}
		checkCall(t, ix.Map(obs))
		// The same names through the CSM path.
		checkCall(t, ix.Map(&iamwatch.Observation{Service: host, API: target}))
	})
}

func checkCall(t *testing.T, c iamwatch.Call) {
	t.Helper()
	if c.Recognized && c.Operation == "" {
		t.Fatalf("recognized call without an operation: %+v", c)
	}
	if !c.Recognized && c.Reason == "" {
		t.Fatalf("unrecognized call without a reason: %+v", c)
	}
	for _, a := range c.Actions {
		if !strings.Contains(a.Action, ":") {
			t.Fatalf("action without a prefix: %q", a.Action)
		}
		if len(a.Resources) == 0 {
			t.Fatalf("action %s without resources", a.Action)
		}
	}
}

// TestNamedCallsOfferRuleActions: a CSM record names no parameters, so an
// operation whose actions all come from rules (EventBridge PutEvents) lists
// them as possible rather than nothing.
func TestNamedCallsOfferRuleActions(t *testing.T) {
	ix := index(t)
	c := ix.Map(&iamwatch.Observation{Source: iamwatch.SourceCSM, Service: "EventBridge", API: "PutEvents", Region: "us-east-1"})
	if !c.Recognized {
		t.Fatalf("not recognized: %s", c.Reason)
	}
	found := false
	for _, a := range c.Actions {
		if a.Action == "events:PutEvents" {
			found = true
		}
	}
	if !found {
		t.Errorf("actions %+v lack events:PutEvents", c.Actions)
	}
}
