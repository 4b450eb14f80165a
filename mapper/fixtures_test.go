package mapper_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// fixture is one raw request captured from a real AWS SDK, from
// testdata/requests/<client>/<service>/<Operation>[-<variant>].http, with the
// sibling .json that records what the SDK knows about it.
type fixture struct {
	name string // path under testdata/requests, without .http
	meta fixtureMeta
	req  *http.Request
	body []byte
}

// fixtureMeta is the truth as the SDK knows it: the operation the generator
// called, never something computed by the mapper.
type fixtureMeta struct {
	Client      string `json:"client"`
	ServiceID   string `json:"service_id"`
	SDKService  string `json:"sdk_service"`
	Operation   string `json:"operation"`
	Protocol    string `json:"protocol"`
	Scheme      string `json:"scheme"`
	Region      string `json:"region"`
	Presigned   bool   `json:"presigned"`
	EndpointURL string `json:"endpoint_url"`
	Note        string `json:"note"`
}

// loadFixtures reads and parses every fixture under testdata/requests.
func loadFixtures(t testing.TB) []fixture {
	t.Helper()
	root := filepath.Join("testdata", "requests")
	var out []fixture
	for path, raw := range rawFixtures(t) {
		base := strings.TrimSuffix(path, ".http")
		name, err := filepath.Rel(root, base)
		if err != nil {
			t.Fatal(err)
		}
		f := fixture{name: filepath.ToSlash(name)}
		f.req, err = http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			t.Errorf("%s: parse request: %v", f.name, err)
			continue
		}
		f.body, err = io.ReadAll(f.req.Body)
		if err != nil {
			t.Errorf("%s: read body: %v", f.name, err)
			continue
		}
		f.req.Body = io.NopCloser(bytes.NewReader(f.body))
		mb, err := os.ReadFile(base + ".json")
		if err != nil {
			t.Errorf("%s: %v", f.name, err)
			continue
		}
		if err := json.Unmarshal(mb, &f.meta); err != nil {
			t.Errorf("%s.json: %v", f.name, err)
			continue
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// wireProtocol is the protocol a request shows on the wire, or "" when the
// wire alone does not tell (rest-json and rest-xml).
func wireProtocol(f fixture) string {
	h := f.req.Header
	switch {
	case h.Get("Smithy-Protocol") == "rpc-v2-cbor":
		return "rpc-v2-cbor"
	case h.Get("X-Amz-Target") != "":
		return "json"
	case strings.HasPrefix(h.Get("Content-Type"), "application/x-www-form-urlencoded") && bytes.Contains(f.body, []byte("Action=")):
		if f.meta.Protocol == "ec2" {
			return "ec2"
		}
		return "query"
	}
	return ""
}

func TestFixturesParse(t *testing.T) {
	fixtures := loadFixtures(t)
	services := map[string]int{}
	protocols := map[string]int{}
	clients := map[string]int{}
	for _, f := range fixtures {
		t.Run(f.name, func(t *testing.T) {
			m := f.meta
			if m.Operation == "" || m.ServiceID == "" || m.Client == "" || m.Protocol == "" {
				t.Fatalf("incomplete meta: %+v", m)
			}
			if m.Scheme != "https" && m.Scheme != "http" {
				t.Errorf("scheme %q", m.Scheme)
			}
			if f.req.Host == "" {
				t.Error("no Host header")
			}
			if !strings.HasPrefix(f.req.RequestURI, "/") {
				t.Errorf("request target %q is not in origin form", f.req.RequestURI)
			}
			if m.EndpointURL == "" && !strings.Contains(f.req.Host, ".amazonaws.com") && !strings.HasSuffix(f.req.Host, ".api.aws") {
				t.Errorf("host %q is not an AWS hostname", f.req.Host)
			}
			if want := wireProtocol(f); want != "" && want != m.Protocol {
				t.Errorf("meta says protocol %q, the wire says %q", m.Protocol, want)
			}
			auth := f.req.Header.Get("Authorization")
			q := f.req.URL.Query()
			if m.Presigned {
				if auth != "" {
					t.Error("presigned request carries an Authorization header")
				}
				if q.Get("X-Amz-Signature") == "" && q.Get("Signature") == "" {
					t.Error("presigned request has no signature in its query")
				}
			}
			// Only the documented fake credentials may appear.
			cred := auth + " " + q.Get("X-Amz-Credential") + " " + q.Get("AWSAccessKeyId")
			if strings.TrimSpace(cred) != "" && !strings.Contains(cred, "IOSFODNN7EXAMPLE") {
				t.Errorf("unexpected credentials: %q", cred)
			}
		})
		services[f.meta.ServiceID]++
		protocols[f.meta.Protocol]++
		clients[strings.Fields(f.meta.Client + " ?")[0]]++
	}
	if len(fixtures) < 450 {
		t.Errorf("%d fixtures, want at least 450", len(fixtures))
	}
	if len(services) < 25 {
		t.Errorf("%d services, want at least 25", len(services))
	}
	for _, p := range []string{"query", "ec2", "json", "rest-json", "rest-xml", "rpc-v2-cbor"} {
		if protocols[p] == 0 {
			t.Errorf("no %s fixture", p)
		}
	}
	t.Logf("%d fixtures, %d services, protocols %v, clients %v", len(fixtures), len(services), protocols, clients)
}
