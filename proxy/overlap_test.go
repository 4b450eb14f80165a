package proxy_test

import (
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/proxy"
)

// TestStartOverlapsUpstreamButPrecedesResponse: a Recorder whose Start is
// slow (a disk commit) does not hold the request back from the upstream,
// but the client sees no response before Start has returned.
func TestStartOverlapsUpstreamButPrecedesResponse(t *testing.T) {
	const delay = 300 * time.Millisecond
	var startReturned, upstreamSaw atomic.Int64
	rec := proxy.RecorderFunc(func(*iamwatch.Observation) func(*iamwatch.Observation) {
		time.Sleep(delay)
		startReturned.Store(time.Now().UnixNano())
		return nil
	})
	f := newFixture(t, func(f *fixture) { f.srv.Recorder = rec })
	f.stub.onRequest = func() { upstreamSaw.Store(time.Now().UnixNano()) }
	req, _ := http.NewRequest("POST", "https://sts.amazonaws.com/", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAccessKey+"/20240101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := f.client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got := time.Now().UnixNano()
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if startReturned.Load() == 0 || got < startReturned.Load() {
		t.Errorf("the client had its response before Start returned")
	}
	if upstreamSaw.Load() == 0 || upstreamSaw.Load() >= startReturned.Load() {
		t.Errorf("the upstream saw the request only after Start returned: Start held the call back")
	}
}
