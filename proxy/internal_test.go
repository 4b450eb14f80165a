package proxy

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// TestRemoteClientsReachOnlyAWS drives the front handler with requests from
// a non-loopback address (no traffic leaves the process): authenticated
// remote clients may reach AWS hosts, never other sites.
func TestRemoteClientsReachOnlyAWS(t *testing.T) {
	ca, err := NewCA()
	if err != nil {
		t.Fatal(err)
	}
	var upstreamHits atomic.Int32
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		upstreamHits.Add(1)
		w.WriteHeader(200)
	}))
	defer up.Close()
	upURL, _ := url.Parse(up.URL)
	s := &Server{CA: ca, AllowRemote: true, AuthToken: "tok", Upstream: upURL}
	if err := s.init(); err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(t.Context())
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("u:tok"))

	tests := []struct {
		name, method, target, remote string
		signed                       bool
		want                         int
	}{
		{"remote to AWS", "GET", "http://sts.amazonaws.com/", "192.0.2.7:5555", false, 200},
		{"remote to other site", "GET", "http://example.com/", "192.0.2.7:5555", false, 403},
		{"remote signed to other site", "GET", "http://example.com/", "192.0.2.7:5555", true, 403},
		{"remote CONNECT to other site", "CONNECT", "example.com:443", "192.0.2.7:5555", false, 403},
		{"remote CONNECT to loopback", "CONNECT", "127.0.0.1:22", "[2001:db8::1]:5555", false, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.target, nil)
			if tt.method == "CONNECT" {
				req.URL = &url.URL{Host: tt.target}
				req.RequestURI = tt.target
				req.Host = tt.target
			}
			req.RemoteAddr = tt.remote
			req.Header.Set("Proxy-Authorization", auth)
			if tt.signed {
				req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/s3/aws4_request")
			}
			rec := httptest.NewRecorder()
			s.serveFront(rec, req)
			if rec.Code != tt.want {
				t.Errorf("status %d, want %d: %s", rec.Code, tt.want, strings.TrimSpace(rec.Body.String()))
			}
		})
	}
	if upstreamHits.Load() != 1 {
		t.Errorf("upstream reached %d times, want once (the AWS call)", upstreamHits.Load())
	}
}

func TestSplitRequestURI(t *testing.T) {
	tests := []struct{ in, path, query string }{
		{"/a%20b?x=1&y", "/a%20b", "x=1&y"},
		{"/", "/", ""},
		{"http://h:80/p?q", "/p", "q"},
		{"http://h?q", "/", "q"},
		{"http://h", "/", ""},
		{"//double", "//double", ""},
		{"/a?", "/a", ""},
	}
	for _, tt := range tests {
		p, q := splitRequestURI(tt.in)
		if p != tt.path || q != tt.query {
			t.Errorf("splitRequestURI(%q) = %q, %q; want %q, %q", tt.in, p, q, tt.path, tt.query)
		}
	}
}

func TestIsAWSHost(t *testing.T) {
	for host, want := range map[string]bool{
		"sts.amazonaws.com":                 true,
		"STS.AmazonAWS.com.":                true,
		"b.s3.amazonaws.com:443":            true,
		"sts.cn-north-1.amazonaws.com.cn":   true,
		"bedrock-runtime.us-east-1.api.aws": true,
		"amazonaws.com":                     false,
		"evilamazonaws.com":                 false,
		"amazonaws.com.evil.example":        false,
		"127.0.0.1:4566":                    false,
		"":                                  false,
	} {
		if got := IsAWSHost(host); got != want {
			t.Errorf("IsAWSHost(%q) = %v", host, got)
		}
	}
}
