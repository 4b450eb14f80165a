package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/mapper"
	"github.com/iamwatch/iamwatch/proxy"
	"github.com/iamwatch/iamwatch/store"
)

// capture connects the front ends to the mapper and the store: it is the
// proxy's Recorder and the CSM listener's sink.
type capture struct {
	ix        *mapper.Index
	db        *store.DB
	session   string
	accountID string // --account-id, for calls whose account cannot be derived
	log       *slog.Logger
	// lines, when set, receives one line per finished call.
	lines io.Writer
	// onRecord, when set, sees every finished record (the live view).
	onRecord func(*iamwatch.Record)

	mu         sync.Mutex
	identities map[string]mapper.Identity // access key ID -> principal
	calls      atomic.Int64

	health storeHealth
}

func (c *capture) identity(akid string) mapper.Identity {
	if akid == "" {
		return mapper.Identity{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.identities[akid]
}

func (c *capture) remember(id mapper.Identity) {
	c.mu.Lock()
	if c.identities == nil {
		c.identities = map[string]mapper.Identity{}
	}
	c.identities[id.AccessKeyID] = id
	c.mu.Unlock()
	if id.PrincipalARN != "" {
		if err := c.db.SetPrincipal(context.Background(), id.AccessKeyID, id.PrincipalARN); err != nil {
			c.health.failed(err, false)
		}
	}
}

// prepare maps an observation into a pending record.
func (c *capture) prepare(obs *iamwatch.Observation) (*iamwatch.Record, iamwatch.Observation) {
	o := *obs
	o.AccessKeyID = mapper.AccessKeyID(obs)
	id := c.identity(o.AccessKeyID)
	if o.AccountID == "" {
		o.AccountID = id.AccountID
	}
	if o.AccountID == "" {
		o.AccountID = c.accountID
	}
	if o.PrincipalARN == "" {
		o.PrincipalARN = id.PrincipalARN
	}
	if o.Time.IsZero() {
		o.Time = time.Now()
	}
	call := c.ix.Map(&o)
	if call.AccountID == "" {
		call.AccountID = o.AccountID
	}
	rec := &iamwatch.Record{
		Session:      c.session,
		Time:         o.Time.UTC(),
		Source:       o.Source,
		AccessKeyID:  o.AccessKeyID,
		PrincipalARN: o.PrincipalARN,
		Labels:       callLabels(obs.Header),
		Call:         call,
		Pending:      true,
	}
	if !call.Recognized {
		c.log.Warn("unrecognized AWS call kept as unrecognized", "host", obs.Host, "method", obs.Method, "reason", call.Reason)
	}
	return rec, o
}

// Start commits the request to the store while it goes upstream; the proxy
// relays no response before Start returns, so every call a client saw a
// response for is on disk, however the process dies.
func (c *capture) Start(obs *iamwatch.Observation) func(*iamwatch.Observation) {
	rec, o := c.prepare(obs)
	id, err := c.db.Begin(context.Background(), rec)
	began := err == nil
	if err != nil {
		// Not a lost call yet: finish adds it whole.
		c.health.failed(err, false)
	}
	return func(done *iamwatch.Observation) {
		c.finish(id, began, rec, o, done)
	}
}

// finish records the outcome: it finishes the call Begin recorded (its ID
// may be provisional, negative, with the store's journal), or adds it
// whole when Begin failed.
func (c *capture) finish(id int64, began bool, rec *iamwatch.Record, o iamwatch.Observation, done *iamwatch.Observation) {
	rec.Pending = false
	rec.Status = done.Status
	rec.Latency = done.Latency
	rec.ErrorCode = done.ErrorCode
	if rec.ErrorCode == "" {
		rec.ErrorCode = mapper.ErrorCode(done.Status, done.ResponseHeader, done.ResponseBody)
	}
	// changed is whether the call itself, not just its outcome, differs
	// from what Begin recorded.
	changed := false
	switch {
	case strings.HasPrefix(done.Fault, proxy.FaultMalformed):
		// The mapper saw no request: say what was wrong with it.
		rec.ErrorCode = "iamwatch.MalformedRequest"
		if !rec.Recognized {
			rec.Reason = done.Fault
			changed = true
		}
	case strings.HasPrefix(done.Fault, proxy.FaultRefused):
		rec.ErrorCode = "iamwatch.Refused"
	case done.Fault != "":
		rec.ErrorCode = "iamwatch.UpstreamFault"
		c.log.Warn("upstream fault", "host", o.Host, "operation", rec.Operation, "fault", done.Fault)
	}
	o.Status, o.ResponseHeader, o.ResponseBody = done.Status, done.ResponseHeader, done.ResponseBody
	for _, ident := range mapper.Identities(rec.Call, &o) {
		c.remember(ident)
	}
	var err error
	switch {
	case !began:
		err = c.db.Add(context.Background(), rec)
	case changed:
		err = c.db.Finish(context.Background(), id, rec)
	default:
		err = c.db.End(context.Background(), id, store.Outcome{Status: rec.Status, ErrorCode: rec.ErrorCode, Latency: rec.Latency})
	}
	c.health.queued(err)
	c.done(rec)
}

// CSM records a call the SDK reported by Client-Side Monitoring.
func (c *capture) CSM(obs *iamwatch.Observation) {
	rec, _ := c.prepare(obs)
	rec.Pending = false
	rec.Status, rec.ErrorCode, rec.Latency = obs.Status, obs.ErrorCode, obs.Latency
	if rec.Status >= 300 && rec.ErrorCode == strconv.Itoa(rec.Status) {
		// botocore reports an error response without a code (an S3 HEAD)
		// as its bare status, "403": name it as the proxy does.
		rec.ErrorCode = mapper.ErrorCode(rec.Status, nil, nil)
	}
	c.health.queued(c.db.Add(context.Background(), rec))
	c.done(rec)
}

func (c *capture) done(rec *iamwatch.Record) {
	c.calls.Add(1)
	if c.lines != nil {
		fmt.Fprintln(c.lines, callLine(rec))
	}
	if c.onRecord != nil {
		c.onRecord(rec)
	}
}

// callLine is the one-line summary of a call, for stderr.
func callLine(rec *iamwatch.Record) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %-4s %-12s %-28s", rec.Time.Local().Format("15:04:05"), rec.Source, firstOf(rec.ServiceID, rec.Service, "?"), firstOf(rec.Operation, "?"))
	if rec.Status != 0 {
		fmt.Fprintf(&b, " %d", rec.Status)
	}
	if rec.ErrorCode != "" {
		fmt.Fprintf(&b, " %s", rec.ErrorCode)
	}
	var acts []string
	for _, a := range rec.Actions {
		if !a.Possible {
			acts = append(acts, a.Action)
		}
	}
	sort.Strings(acts)
	if len(acts) > 0 {
		fmt.Fprintf(&b, "  %s", strings.Join(acts, ", "))
	}
	if !rec.Recognized {
		fmt.Fprintf(&b, "  unrecognized: %s", rec.Reason)
	}
	return b.String()
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
