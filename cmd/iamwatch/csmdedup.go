package main

import (
	"sync"
	"time"

	"github.com/iamwatch/iamwatch"
)

// The AWS CLI and boto3 report every call by Client-Side Monitoring even
// when it went through the proxy, which `iamwatch run` and `iamwatch env`
// set up together. Stored twice, one call would count as two: in the run's
// summary, in `calls`, in how often a policy's actions were used. A CSM
// report is therefore matched against the calls the proxy saw within its
// span: one that matches is the same call, seen with less
// (no parameters, no resources), and is not stored again. One that
// matches nothing went around the proxy (NO_PROXY, a client that ignores
// HTTPS_PROXY), and CSM is its only record.
//
// A proxied call is noted when it starts, before its request goes
// upstream, and its end when the proxy finishes it: a CSM report, which
// the client sends once it has read the response, always finds it, even
// when a streamed response reached the client before the proxy finished.

const (
	// csmSlack widens a CSM report's span (its timestamp, when the SDK
	// began the call, plus its latency) when a proxied call is placed in
	// it: SDK timestamps are in milliseconds, and a scheduler may delay
	// either side.
	csmSlack = 2 * time.Second
	// csmKeep is how long a finished proxied call waits for its CSM
	// report, which a client sends as soon as it has the response.
	csmKeep = 10 * time.Second
	// csmMaxPerOp bounds the finished calls kept per operation, for
	// clients that send no CSM at all (aws-sdk-go-v2, the JS SDK v3):
	// the oldest go first, and a report that comes too late is stored.
	csmMaxPerOp = 4096
	// csmSweepEvery is how many additions pass between sweeps of the
	// operations no report came for.
	csmSweepEvery = 4096
)

// csmDedup holds the proxied calls in flight or recently finished, by
// service and operation, until a CSM report claims them or they expire.
type csmDedup struct {
	mu    sync.Mutex
	byOp  map[csmOp][]*proxied
	adds  int
	clock func() time.Time
}

type csmOp struct{ service, operation string }

// proxied is a call the proxy saw: when it started and, once finished,
// ended (zero while in flight), and who made it where.
type proxied struct {
	start, end  time.Time
	accessKeyID string
	region      string
}

func newCSMDedup() *csmDedup {
	return &csmDedup{byOp: map[csmOp][]*proxied{}, clock: time.Now}
}

// started notes a call the proxy is about to send upstream, and returns
// what to hand to ended when it is done; nil for a call the maps did not
// recognize, whose CSM report is the better record.
func (d *csmDedup) started(rec *iamwatch.Record) *proxied {
	if !rec.Recognized || rec.Operation == "" {
		return nil
	}
	op := csmOp{rec.Service, rec.Operation}
	p := &proxied{start: rec.Time, accessKeyID: rec.AccessKeyID, region: rec.Region}
	now := d.clock()
	d.mu.Lock()
	defer d.mu.Unlock()
	calls := expire(d.byOp[op], now)
	if len(calls) >= csmMaxPerOp {
		calls = calls[1:]
	}
	d.byOp[op] = append(calls, p)
	if d.adds++; d.adds%csmSweepEvery == 0 {
		for k, v := range d.byOp {
			if v = expire(v, now); len(v) == 0 {
				delete(d.byOp, k)
			} else {
				d.byOp[k] = v
			}
		}
	}
	return p
}

// ended notes that the call started returned p for is done, after
// latency.
func (d *csmDedup) ended(p *proxied, latency time.Duration) {
	if p == nil {
		return
	}
	d.mu.Lock()
	p.end = p.start.Add(max(latency, time.Nanosecond))
	d.mu.Unlock()
}

// claim reports whether rec, a CSM report, is a call the proxy saw,
// and if so takes that call, so that it answers for one report only.
func (d *csmDedup) claim(rec *iamwatch.Record) bool {
	if rec.Operation == "" {
		return false
	}
	op := csmOp{rec.Service, rec.Operation}
	from, to := rec.Time.Add(-csmSlack), rec.Time.Add(rec.Latency+csmSlack)
	d.mu.Lock()
	defer d.mu.Unlock()
	calls := expire(d.byOp[op], d.clock())
	for i, p := range calls {
		// A call still in flight fits if it started in the report's span.
		if p.start.Before(from) || p.start.After(to) || !p.end.IsZero() && p.end.After(to) {
			continue
		}
		if rec.AccessKeyID != "" && p.accessKeyID != "" && rec.AccessKeyID != p.accessKeyID {
			continue
		}
		if !sameRegion(rec.Region, p.region) {
			continue
		}
		calls = append(calls[:i], calls[i+1:]...)
		if len(calls) == 0 {
			delete(d.byOp, op)
		} else {
			d.byOp[op] = calls
		}
		return true
	}
	d.byOp[op] = calls
	if len(calls) == 0 {
		delete(d.byOp, op)
	}
	return false
}

// expire drops the calls at the head (oldest first) that ended more than
// csmKeep ago. Calls in flight stay; csmMaxPerOp bounds them.
func expire(calls []*proxied, now time.Time) []*proxied {
	i := 0
	for i < len(calls) && !calls[i].end.IsZero() && now.Sub(calls[i].end) > csmKeep {
		i++
	}
	return calls[i:]
}

// sameRegion reports whether two regions can be the same call's: the
// SDK's client region and the one the request was signed for, which an
// SDK may leave empty or call "aws-global" for a global service.
func sameRegion(a, b string) bool {
	return a == b || a == "" || b == "" || a == "aws-global" || b == "aws-global"
}
