package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/iamwatch/iamwatch"
)

// Begin records rec as a call in flight (pending) and returns its ID once
// the record is committed. Call it before forwarding the request, with
// whatever rec already knows (the mapped Call, typically); Finish it with
// the outcome. rec.Session names the session, which is created when
// missing; a zero rec.Time means now. If ctx ends while Begin waits for the
// commit, Begin returns ctx's error, and the call may still be stored.
func (db *DB) Begin(ctx context.Context, rec *iamwatch.Record) (int64, error) {
	r, err := db.row(rec)
	if err != nil {
		return 0, fmt.Errorf("begin call: %w", err)
	}
	db.withUID(r)
	r.pending = true
	if db.j != nil {
		id, err := db.journalBegin(ctx, r)
		if err != nil {
			return 0, fmt.Errorf("begin call in %q: %w", db.path, err)
		}
		return id, nil
	}
	res, err := db.do(ctx, &op{kind: opBegin, row: r})
	if err != nil {
		return 0, fmt.Errorf("begin call in %q: %w", db.path, err)
	}
	return res.id, nil
}

// Finish records the outcome of the call Begin returned id for: rec's
// status, error code and latency, its mapped Call (which replaces the one
// given to Begin, actions included), its labels (added to Begin's), and
// its access key ID and principal when set. The session, time and source
// stay Begin's. Finish returns once the write is queued; Flush waits for
// it, and reports it if it failed (for an unknown id, ErrNotFound).
func (db *DB) Finish(ctx context.Context, id int64, rec *iamwatch.Record) error {
	r, err := db.row(rec)
	if err != nil {
		return fmt.Errorf("finish call %d: %w", id, err)
	}
	if id < 0 && db.j != nil {
		if err := db.journalFinish(ctx, id, r); err != nil {
			return fmt.Errorf("finish call %d in %q: %w", id, db.path, err)
		}
		return nil
	}
	if err := db.send(ctx, &op{kind: opFinish, id: id, row: r}); err != nil {
		return fmt.Errorf("finish call %d in %q: %w", id, db.path, err)
	}
	return nil
}

// Outcome is how a call ended: what Finish changes when the call itself
// did not.
type Outcome struct {
	Status    int
	ErrorCode string
	Latency   time.Duration
}

// End records the outcome of the call Begin returned id for, and nothing
// else: the call stays as Begin recorded it, mapped Call, labels and
// principal included. It is Finish for the common case where only the
// outcome is new, without copying and redacting the whole record again.
// Like Finish, it returns once the write is queued.
func (db *DB) End(ctx context.Context, id int64, out Outcome) error {
	code, _ := db.redact(out.ErrorCode, "error code")
	if id < 0 && db.j != nil {
		if err := db.journalEnd(ctx, id, out.Status, code, int64(out.Latency)); err != nil {
			return fmt.Errorf("end call %d in %q: %w", id, db.path, err)
		}
		return nil
	}
	r := &row{status: out.Status, errorCode: code, latencyNS: int64(out.Latency)}
	if err := db.send(ctx, &op{kind: opEnd, id: id, row: r}); err != nil {
		return fmt.Errorf("end call %d in %q: %w", id, db.path, err)
	}
	return nil
}

// Add records a complete call (from CSM, or an import) as it is, Pending
// included. Like Finish, it returns once the write is queued.
func (db *DB) Add(ctx context.Context, rec *iamwatch.Record) error {
	r, err := db.row(rec)
	if err != nil {
		return fmt.Errorf("add call: %w", err)
	}
	db.withUID(r)
	if err := db.send(ctx, &op{kind: opAdd, row: r}); err != nil {
		return fmt.Errorf("add call in %q: %w", db.path, err)
	}
	return nil
}

// Flush returns once every write queued before it is committed. It
// returns the errors of queued writes (Finish, Add) that failed since the
// previous Flush.
func (db *DB) Flush(ctx context.Context) error {
	if _, err := db.do(ctx, &op{kind: opFlush}); err != nil {
		return fmt.Errorf("flush %q: %w", db.path, err)
	}
	if err := db.w.takeErrs(); err != nil {
		return fmt.Errorf("flush %q: %w", db.path, err)
	}
	return nil
}

// Session creates the session name, or reuses it when it exists, and sets
// labels on it (other labels it has are kept). An empty name creates a new
// session named after the current time (UTC, 20060102-150405). It returns
// the session's name.
func (db *DB) Session(ctx context.Context, name string, labels map[string]string) (string, error) {
	if name != "" {
		if err := checkName(name); err != nil {
			return "", fmt.Errorf("session %q: %w", name, err)
		}
	}
	name, _ = db.redact(name, "session")
	o := &op{kind: opSession, name: name, labels: db.labels(labels, "session label")}
	res, err := db.do(ctx, o)
	if err != nil {
		return "", fmt.Errorf("session %q in %q: %w", name, db.path, err)
	}
	return res.name, nil
}

// SetPrincipal records that accessKeyID belongs to principalARN. Reads
// report that principal for the key's calls that carry none of their own.
// An empty principalARN forgets the mapping.
func (db *DB) SetPrincipal(ctx context.Context, accessKeyID, principalARN string) error {
	if accessKeyID == "" {
		return errors.New("set principal: empty access key ID")
	}
	akid, _ := db.redact(accessKeyID, "access key ID")
	arn, _ := db.redact(principalARN, "principal ARN")
	if _, err := db.do(ctx, &op{kind: opPrincipal, name: akid, arn: arn}); err != nil {
		return fmt.Errorf("set principal of %s in %q: %w", akid, db.path, err)
	}
	return nil
}

// do queues o and waits for its commit.
func (db *DB) do(ctx context.Context, o *op) (result, error) {
	o.done = make(chan result, 1)
	if err := db.send(ctx, o); err != nil {
		return result{}, err
	}
	select {
	case res := <-o.done:
		return res, res.err
	case <-ctx.Done():
		return result{}, ctx.Err()
	}
}

func (db *DB) send(ctx context.Context, o *op) error {
	if db.ro {
		return ErrReadOnly
	}
	return db.w.send(ctx, o)
}

func checkName(name string) error {
	if len(name) > 256 {
		return errors.New("name longer than 256 bytes")
	}
	if strings.IndexFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f }) >= 0 {
		return errors.New("name contains a control character")
	}
	return nil
}

// row is a Record flattened for the database: copied, so that the caller
// may reuse the record at once, and redacted. It is made in the caller's
// goroutine, not the writer's.
type row struct {
	uid, session                                           string
	timeNS                                                 int64
	source, accessKeyID, principal                         string
	service, serviceID, model, protocol, operation, region string
	account, reason, errorCode                             string
	recognized, pending                                    bool
	status                                                 int
	latencyNS                                              int64
	conditions                                             string // JSON; "" for none
	labels                                                 [][2]string
	actions                                                []actionRow
}

type actionRow struct {
	action, level, reason string
	exact, possible       bool
	conditions            string // JSON; "" for none
	resources             []string
}

// row copies rec into a row, redacting what looks like a secret.
func (db *DB) row(rec *iamwatch.Record) (*row, error) {
	if rec == nil {
		return nil, errors.New("nil record")
	}
	if rec.Session == "" {
		return nil, errors.New("record has no session")
	}
	if err := checkName(rec.Session); err != nil {
		return nil, fmt.Errorf("session %q: %w", rec.Session, err)
	}
	// A new call's UID is made by Begin and Add (withUID): Finish keeps
	// Begin's, and a UID costs a read of the system's random source.
	uid := rec.UID
	if uid != "" {
		if err := checkUID(uid); err != nil {
			return nil, err
		}
	}
	t := rec.Time
	if t.IsZero() {
		t = db.now()
	}
	s := func(v, field string) string {
		v, _ = db.redact(v, field)
		return v
	}
	r := &row{
		uid:         uid,
		session:     s(rec.Session, "session"),
		timeNS:      t.UnixNano(),
		source:      s(string(rec.Source), "source"),
		accessKeyID: s(rec.AccessKeyID, "access key ID"),
		principal:   s(rec.PrincipalARN, "principal ARN"),
		service:     s(rec.Service, "service"),
		serviceID:   s(rec.ServiceID, "service ID"),
		model:       s(rec.Model, "model"),
		protocol:    s(rec.Protocol, "protocol"),
		operation:   s(rec.Operation, "operation"),
		region:      s(rec.Region, "region"),
		account:     s(rec.AccountID, "account ID"),
		recognized:  rec.Recognized,
		reason:      s(rec.Reason, "reason"),
		conditions:  db.conditions(rec.Conditions),
		pending:     rec.Pending,
		status:      rec.Status,
		errorCode:   s(rec.ErrorCode, "error code"),
		latencyNS:   int64(rec.Latency),
		labels:      db.labels(rec.Labels, "call label"),
	}
	if len(rec.Actions) > 0 {
		r.actions = make([]actionRow, len(rec.Actions))
	}
	for i, a := range rec.Actions {
		ar := actionRow{
			action:     s(a.Action, "action"),
			level:      s(string(a.Level), "access level"),
			reason:     s(a.Reason, "action reason"),
			exact:      a.Exact,
			possible:   a.Possible,
			conditions: db.conditions(a.Conditions),
		}
		if len(a.Resources) > 0 {
			ar.resources = make([]string, len(a.Resources))
		}
		for j, res := range a.Resources {
			ar.resources[j] = s(res, "resource")
		}
		r.actions[i] = ar
	}
	return r, nil
}

// redact is the package's redact, logging (without the value) what it did.
func (db *DB) redact(v, field string) (string, bool) {
	v, ok := redact(v)
	if ok {
		db.log.Warn("store: redacted a value that looks like a secret", "field", field)
	}
	return v, ok
}

// labels returns m's pairs, redacted and sorted by key.
func (db *DB) labels(m map[string]string, field string) [][2]string {
	if len(m) == 0 {
		return nil
	}
	out := make([][2]string, 0, len(m))
	for k, v := range m {
		k, _ = db.redact(k, field+" key")
		v, _ = db.redact(v, field+" value")
		out = append(out, [2]string{k, v})
	}
	slices.SortFunc(out, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	// Two keys may have become one "[REDACTED]"; keep the first.
	return slices.CompactFunc(out, func(a, b [2]string) bool { return a[0] == b[0] })
}

// conditions encodes m as JSON (keys sorted), redacted; "" when empty. Two
// keys that redact alike are merged, their values concatenated in key order.
func (db *DB) conditions(m map[string][]string) string {
	if len(m) == 0 {
		return ""
	}
	if len(m) == 1 {
		// Most calls have one condition key (aws:RequestedRegion): no
		// sorting, and one allocation.
		var buf [128]byte
		b := append(buf[:0], '{')
		for k, vs := range m {
			rk, _ := db.redact(k, "condition key")
			b = appendCondition(b, rk, vs, func(v string) string {
				v, _ = db.redact(v, "condition value")
				return v
			})
		}
		return string(append(b, '}'))
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	type entry struct {
		key    string
		values []string
	}
	entries := make([]entry, 0, len(keys))
	for _, k := range keys {
		rk, _ := db.redact(k, "condition key")
		vs := make([]string, len(m[k]))
		for i, v := range m[k] {
			vs[i], _ = db.redact(v, "condition value")
		}
		entries = append(entries, entry{rk, vs})
	}
	// Redaction can reorder keys ("[REDACTED]" sorts before lower case),
	// and make two keys one, which need not have been neighbours (".../
	// sessiontoken" and ".../signature=" around ".../sf"): sort again,
	// then merge the values of equal keys, so that the object has each
	// key once.
	slices.SortStableFunc(entries, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	b := make([]byte, 0, 64)
	b = append(b, '{')
	for i := 0; i < len(entries); {
		e := entries[i]
		for i++; i < len(entries) && entries[i].key == e.key; i++ {
			e.values = append(e.values, entries[i].values...)
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = appendCondition(b, e.key, e.values, nil)
	}
	b = append(b, '}')
	return string(b)
}

// appendCondition appends one condition key and its values as a JSON
// object member, each value passed through value first when it is set.
func appendCondition(b []byte, key string, values []string, value func(string) string) []byte {
	b = appendJSONString(b, key)
	b = append(b, ':', '[')
	for j, v := range values {
		if j > 0 {
			b = append(b, ',')
		}
		if value != nil {
			v = value(v)
		}
		b = appendJSONString(b, v)
	}
	return append(b, ']')
}

// withUID gives r a new UID unless its record named one.
func (db *DB) withUID(r *row) {
	if r.uid == "" {
		r.uid = newUID(db.now())
	}
}

// newUID returns a version 7 UUID: 48 bits of Unix milliseconds, then 74
// random bits.
func newUID(now time.Time) string {
	var b [16]byte
	rand.Read(b[:])
	ms := uint64(now.UnixMilli())
	for i := range 6 {
		b[i] = byte(ms >> (40 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}
