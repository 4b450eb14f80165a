package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

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

	mu         sync.RWMutex               // identities is read on every call
	identities map[string]mapper.Identity // access key ID -> principal
	// stored are the principals this process has committed to the store,
	// by access key ID: an STS response that only repeats one (an app
	// calling GetCallerIdentity again and again) writes nothing, instead
	// of a commit that the call's response waits for.
	stored map[string]string
	// unrecognized counts the unrecognized calls by host and reason: the
	// first of each kind is logged, not the thousands that may follow.
	unrecognized map[string]int
	calls        atomic.Int64
	// dedup, when CSM is on, keeps CSM reports of proxied calls from
	// being stored a second time; corroborated counts them.
	dedup        *csmDedup
	corroborated atomic.Int64

	// denied counts the calls AWS refused for lack of a permission, and
	// deniedActions names (some of) the actions they needed: the first
	// thing a user wants to know after a run that failed.
	deniedMu      sync.Mutex
	denied        int
	deniedActions map[string]bool

	health storeHealth
}

func (c *capture) identity(akid string) mapper.Identity {
	if akid == "" {
		return mapper.Identity{}
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.identities[akid]
}

func (c *capture) remember(id mapper.Identity) {
	c.mu.Lock()
	if c.identities == nil {
		c.identities = map[string]mapper.Identity{}
	}
	c.identities[id.AccessKeyID] = id
	known := id.PrincipalARN == "" || c.stored[id.AccessKeyID] == id.PrincipalARN
	c.mu.Unlock()
	if known {
		return
	}
	if err := c.db.SetPrincipal(context.Background(), id.AccessKeyID, id.PrincipalARN); err != nil {
		c.health.failed(err, false)
		return
	}
	c.mu.Lock()
	if c.stored == nil {
		c.stored = map[string]string{}
	}
	c.stored[id.AccessKeyID] = id.PrincipalARN
	c.mu.Unlock()
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
		c.warnUnrecognized(obs.Host, obs.Method, call.Reason)
	}
	return rec, o
}

// maxUnrecognizedKinds bounds how many kinds of unrecognized call are
// logged, and remembered.
const maxUnrecognizedKinds = 100

// warnUnrecognized logs an unrecognized call, once per host and reason.
func (c *capture) warnUnrecognized(host, method, reason string) {
	key := host + "\x00" + reason
	c.mu.Lock()
	if c.unrecognized == nil {
		c.unrecognized = map[string]int{}
	}
	n, seen := c.unrecognized[key]
	full := !seen && len(c.unrecognized) >= maxUnrecognizedKinds
	if !full {
		c.unrecognized[key] = n + 1
	}
	first := !seen && !full
	lastKind := first && len(c.unrecognized) == maxUnrecognizedKinds
	c.mu.Unlock()
	if first {
		c.log.Warn("unrecognized AWS call kept as unrecognized (further calls like it are recorded, not logged)",
			"host", host, "method", method, "reason", reason)
	}
	if lastKind {
		c.log.Warn("unrecognized calls of other kinds are recorded, not logged; list them with: iamwatch calls --output json",
			"kinds", maxUnrecognizedKinds)
	}
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
	// The closure keeps the one field of o that rec lacks, not o: a
	// copy of an Observation for every call.
	account := o.AccountID
	var inFlight *proxied
	if c.dedup != nil {
		inFlight = c.dedup.started(rec)
	}
	return func(done *iamwatch.Observation) {
		if inFlight != nil {
			c.dedup.ended(inFlight, done.Latency)
		}
		c.finish(id, began, rec, account, done)
	}
}

// finish records the outcome: it finishes the call Begin recorded (its ID
// may be provisional, negative, with the store's journal), or adds it
// whole when Begin failed. account is the account prepare settled on for
// the request (from the key's identity or --account-id).
func (c *capture) finish(id int64, began bool, rec *iamwatch.Record, account string, done *iamwatch.Observation) {
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
		c.log.Warn("upstream fault", "host", done.Host, "operation", rec.Operation, "fault", done.Fault)
	}
	// The outcome, with who made the request as prepare found out.
	o := *done
	o.AccessKeyID, o.PrincipalARN, o.AccountID = rec.AccessKeyID, rec.PrincipalARN, account
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

// CSM records a call the SDK reported by Client-Side Monitoring, unless
// the proxy recorded it already (see csmDedup).
func (c *capture) CSM(obs *iamwatch.Observation) {
	rec, _ := c.prepare(obs)
	rec.Pending = false
	rec.Status, rec.ErrorCode, rec.Latency = obs.Status, obs.ErrorCode, obs.Latency
	if rec.Status >= 300 && rec.ErrorCode == strconv.Itoa(rec.Status) {
		// botocore reports an error response without a code (an S3 HEAD)
		// as its bare status, "403": name it as the proxy does.
		rec.ErrorCode = mapper.ErrorCode(rec.Status, nil, nil)
	}
	if c.dedup != nil && c.dedup.claim(rec) {
		c.corroborated.Add(1)
		return
	}
	c.health.queued(c.db.Add(context.Background(), rec))
	c.done(rec)
}

// callsSummary says how many calls were recorded, and how many of them
// CSM reported as well.
func (c *capture) callsSummary() string {
	n := c.calls.Load()
	s := strconv.FormatInt(n, 10) + " AWS calls"
	if n == 1 {
		s = "1 AWS call"
	}
	switch m := c.corroborated.Load(); {
	case m == 0:
	case m == n && n == 1:
		s += " (also reported by CSM)"
	case m == n:
		s += " (all also reported by CSM)"
	default:
		s += fmt.Sprintf(" (%d of them also reported by CSM)", m)
	}
	return s
}

// maxDeniedListed bounds the actions deniedSummary names.
const maxDeniedListed = 8

// deniedSummary says how many calls AWS denied for lack of a permission,
// and which actions they needed; "" when none was.
func (c *capture) deniedSummary() string {
	c.deniedMu.Lock()
	defer c.deniedMu.Unlock()
	if c.denied == 0 {
		return ""
	}
	acts := slices.Sorted(maps.Keys(c.deniedActions))
	list := strings.Join(acts, ", ")
	if len(acts) == maxDeniedListed {
		list += ", …"
	}
	calls := strconv.Itoa(c.denied) + " calls were"
	if c.denied == 1 {
		calls = "1 call was"
	}
	if list == "" {
		return calls + " denied for lack of a permission"
	}
	return calls + " denied for lack of a permission (" + list + ")"
}

func (c *capture) noteDenied(rec *iamwatch.Record) {
	if !mapper.IsAccessDenied(rec.ErrorCode) {
		return
	}
	c.deniedMu.Lock()
	defer c.deniedMu.Unlock()
	c.denied++
	if c.deniedActions == nil {
		c.deniedActions = map[string]bool{}
	}
	for _, a := range rec.Actions {
		if !a.Possible && len(c.deniedActions) < maxDeniedListed {
			c.deniedActions[a.Action] = true
		}
	}
}

func (c *capture) done(rec *iamwatch.Record) {
	c.calls.Add(1)
	c.noteDenied(rec)
	if c.lines != nil {
		fmt.Fprintln(c.lines, callLine(rec))
	}
	if c.onRecord != nil {
		c.onRecord(rec)
	}
}

// callLine is the one-line summary of a call, for stderr.
func callLine(rec *iamwatch.Record) string {
	// Appends rather than fmt: the proxy prints one for every call.
	b := make([]byte, 0, 128)
	b = rec.Time.Local().AppendFormat(b, "15:04:05")
	b = append(b, ' ')
	b = appendPadded(b, string(rec.Source), 4)
	b = append(b, ' ')
	b = appendPadded(b, firstOf(rec.ServiceID, rec.Service, "?"), 12)
	b = append(b, ' ')
	b = appendPadded(b, firstOf(rec.Operation, "?"), 28)
	if rec.Status != 0 {
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(rec.Status), 10)
	}
	if rec.ErrorCode != "" {
		b = append(b, ' ')
		b = append(b, rec.ErrorCode...)
	}
	var acts []string
	for _, a := range rec.Actions {
		if !a.Possible {
			acts = append(acts, a.Action)
		}
	}
	sort.Strings(acts)
	for i, a := range acts {
		if i == 0 {
			b = append(b, "  "...)
		} else {
			b = append(b, ", "...)
		}
		b = append(b, a...)
	}
	if !rec.Recognized {
		b = append(b, "  unrecognized: "...)
		b = append(b, rec.Reason...)
	}
	return string(b)
}

// appendPadded appends s, then spaces up to width characters, as fmt's
// %-Ns does.
func appendPadded(b []byte, s string, width int) []byte {
	b = append(b, s...)
	for n := utf8.RuneCountInString(s); n < width; n++ {
		b = append(b, ' ')
	}
	return b
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
