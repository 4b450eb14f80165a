package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/iamwatch/iamwatch/proxy"
)

func TestCallLabels(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   map[string]string
	}{
		{"none", nil, nil},
		{"one", []string{"test=TestUpload"}, map[string]string{"test": "TestUpload"}},
		{"list and repeats", []string{"test=TestA, step = 2", "team=payments"}, map[string]string{"test": "TestA", "step": "2", "team": "payments"}},
		{"empty value", []string{"flag="}, map[string]string{"flag": ""}},
		{"bad pairs ignored", []string{"novalue, =x, ok=1"}, map[string]string{"ok": "1"}},
		{"oversized ignored", []string{strings.Repeat("k", maxLabelKey+1) + "=v", "v=" + strings.Repeat("x", maxLabelValue+1)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range tt.values {
				h.Add(proxy.LabelHeader, v)
			}
			if got := callLabels(h); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("callLabels(%q) = %v, want %v", tt.values, got, tt.want)
			}
		})
	}
	var many []string
	for i := range maxCallLabels + 5 {
		many = append(many, "k"+strings.Repeat("x", i)+"=v")
	}
	if got := callLabels(http.Header{proxy.LabelHeader: {strings.Join(many, ",")}}); len(got) != maxCallLabels {
		t.Errorf("%d labels kept, want %d", len(got), maxCallLabels)
	}
}

// TestCallLabelThroughProxy labels one call with the header: the store
// keeps it beside the session's labels, and the upstream never sees the
// (unsigned) header.
func TestCallLabelThroughProxy(t *testing.T) {
	var mu sync.Mutex
	var upstreamLabels []string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		upstreamLabels = append(upstreamLabels, r.Header.Values(proxy.LabelHeader)...)
		mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, `<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`)
	}))
	t.Cleanup(up.Close)
	tc := startTestCapture(t, filepath.Join(t.TempDir(), "iamwatch.db"),
		captureOptions{upstream: up.URL, labels: map[string]string{"team": "payments", "test": "session-default"}})

	for _, label := range []string{"test=TestFoo", ""} {
		req, _ := http.NewRequest("POST", "https://sts.amazonaws.com/", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		req.Header.Set("Authorization", sigV4("sts"))
		if label != "" {
			req.Header.Set(proxy.LabelHeader, label)
		}
		resp, err := tc.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	recs := tc.records(t)
	if len(recs) != 2 {
		t.Fatalf("%d calls stored, want 2", len(recs))
	}
	want := []map[string]string{
		{"team": "payments", "test": "TestFoo"},         // the call's label wins over the session's
		{"team": "payments", "test": "session-default"}, // the session's
	}
	for i, r := range recs {
		if !reflect.DeepEqual(r.Labels, want[i]) {
			t.Errorf("call %d labels %v, want %v", i, r.Labels, want[i])
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(upstreamLabels) != 0 {
		t.Errorf("the upstream saw %s: %q", proxy.LabelHeader, upstreamLabels)
	}
}
