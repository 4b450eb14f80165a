package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"
)

const (
	// maxBatch bounds a group commit, and so how long a write waits for
	// the group ahead of its own: about 10 ms of work on a slow disk.
	maxBatch = 256
	// minBatch and lingerTime: a batch of queued writes smaller than
	// minBatch waits up to lingerTime for more before it commits. Queued
	// writes are already safe (journaled, or not promised yet), and Flush
	// and Begin, which wait, end the wait.
	minBatch   = maxBatch
	lingerTime = 25 * time.Millisecond
	// queueLen is how many writes may wait for the writer before Finish
	// and Add block (they never drop a write).
	queueLen = 4096
	// busyRetries is how many times a batch is retried when another
	// process holds the write lock for longer than busyTimeout.
	busyRetries = 3
	// maxCached bounds each interning cache; a full cache is emptied.
	maxCached = 1 << 16
	// maxErrs is how many failed queued writes Flush reports in full.
	maxErrs = 10
)

type opKind int

const (
	opBegin opKind = iota
	opFinish
	opEnd
	opAdd
	opSession
	opPrincipal
	opFlush
)

// op is one write queued for the writer. Everything it carries was copied
// and redacted in the caller's goroutine.
type op struct {
	kind   opKind
	id     int64 // opFinish, opEnd
	row    *row  // opBegin, opFinish, opAdd; opEnd's outcome
	name   string
	labels [][2]string // opSession
	arn    string      // opPrincipal (name is the access key ID)
	done   chan result // nil for a write nobody waits for
}

type result struct {
	id   int64
	name string
	err  error
}

// writer owns the write connection and commits queued writes in groups.
type writer struct {
	db   *DB
	conn *sql.Conn
	st   stmts
	// prepared are st's statements, closed with the writer.
	prepared []*stmt
	// callAddC is st.callAdd run through SQLite's C API (see cstmt); nil
	// where the driver's connection does not give its handle away.
	callAddC *cstmt
	// args is the statements' argument slice, reused.
	args []driver.NamedValue

	mu     sync.RWMutex // held for reading while sending on ch
	closed bool
	ch     chan *op
	done   chan struct{}

	// Interning caches, key → row ID, used by the writer goroutine only.
	// journal lists the entries added by the open transaction so that a
	// rollback can forget them.
	sessions, actions, resources, conds map[string]int64
	uses                                map[useKey]int64
	sets                                map[string]int64
	journal                             []func()

	// setKey and setItems are useSet's buffers, reused.
	setKey   []byte
	setItems []setItem

	errMu sync.Mutex
	errs  []error
	nerrs int
}

// useKey is a uses row: an action's ID and how a call uses it.
type useKey struct {
	action          int64
	level, reason   string
	exact, possible bool
	cond            int64 // 0 for none
}

// stmts are the writer's prepared statements.
type stmts struct {
	sessionID, sessionAdd, sessionLabel *stmt
	actionID, actionAdd                 *stmt
	resourceID, resourceAdd             *stmt
	condID, condAdd                     *stmt
	useID, useAdd                       *stmt
	setID, setAdd, setItem              *stmt
	callAdd, callFinish, callEnd        *stmt
	callLabel                           *stmt
	principal, principalDel             *stmt
}

func newWriter(ctx context.Context, db *DB, conn *sql.Conn) (*writer, error) {
	w := &writer{
		db:        db,
		conn:      conn,
		ch:        make(chan *op, queueLen),
		done:      make(chan struct{}),
		sessions:  map[string]int64{},
		actions:   map[string]int64{},
		resources: map[string]int64{},
		conds:     map[string]int64{},
		uses:      map[useKey]int64{},
		sets:      map[string]int64{},
	}
	queries := []struct {
		s **stmt
		q string
	}{
		{&w.st.sessionID, `SELECT id FROM sessions WHERE name = ?`},
		{&w.st.sessionAdd, `INSERT INTO sessions (name, created_ns) VALUES (?, ?)`},
		{&w.st.sessionLabel, `INSERT INTO session_labels (session_id, key, value) VALUES (?, ?, ?)
			ON CONFLICT (session_id, key) DO UPDATE SET value = excluded.value`},
		{&w.st.actionID, `SELECT id FROM actions WHERE name = ?`},
		{&w.st.actionAdd, `INSERT INTO actions (name) VALUES (?)`},
		{&w.st.resourceID, `SELECT id FROM resources WHERE arn = ?`},
		{&w.st.resourceAdd, `INSERT INTO resources (arn) VALUES (?)`},
		{&w.st.condID, `SELECT id FROM conditions WHERE json = ?`},
		{&w.st.condAdd, `INSERT INTO conditions (json) VALUES (?)`},
		{&w.st.useID, `SELECT id FROM uses WHERE action_id = ? AND level = ? AND exact = ? AND possible = ?
			AND reason = ? AND condition_id IS ?`},
		{&w.st.useAdd, `INSERT INTO uses (action_id, level, exact, possible, reason, condition_id)
			VALUES (?, ?, ?, ?, ?, ?)`},
		{&w.st.callAdd, `INSERT INTO calls (uid, session_id, time_ns, source, access_key_id, principal_arn,
			service, service_id, model, protocol, operation, region, account_id, recognized, reason,
			condition_id, pending, status, error_code, latency_ns, use_set_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(uid) DO NOTHING`},
		{&w.st.setID, `SELECT id FROM use_sets WHERE key = ?`},
		{&w.st.setAdd, `INSERT INTO use_sets (key) VALUES (?)`},
		{&w.st.setItem, `INSERT INTO use_set_items (set_id, seq, rseq, use_id, resource_id) VALUES (?, ?, ?, ?, ?)`},
		{&w.st.callFinish, `UPDATE calls SET
			access_key_id = CASE WHEN ?1 = '' THEN access_key_id ELSE ?1 END,
			principal_arn = CASE WHEN ?2 = '' THEN principal_arn ELSE ?2 END,
			service = ?3, service_id = ?4, model = ?5, protocol = ?6, operation = ?7, region = ?8,
			account_id = ?9, recognized = ?10, reason = ?11, condition_id = ?12,
			pending = 0, status = ?13, error_code = ?14, latency_ns = ?15, use_set_id = ?16
			WHERE id = ?17`},
		{&w.st.callEnd, `UPDATE calls SET pending = 0, status = ?, error_code = ?, latency_ns = ? WHERE id = ?`},
		{&w.st.callLabel, `INSERT INTO call_labels (call_id, key, value) VALUES (?, ?, ?)
			ON CONFLICT (call_id, key) DO UPDATE SET value = excluded.value`},
		{&w.st.principal, `INSERT INTO principals (access_key_id, principal_arn, updated_ns) VALUES (?, ?, ?)
			ON CONFLICT (access_key_id) DO UPDATE SET principal_arn = excluded.principal_arn, updated_ns = excluded.updated_ns`},
		{&w.st.principalDel, `DELETE FROM principals WHERE access_key_id = ?`},
	}
	err := conn.Raw(func(dc any) error {
		for _, q := range queries {
			s, err := prepareStmt(ctx, dc, q.q, &w.args)
			if err != nil {
				return err
			}
			*q.s = s
			w.prepared = append(w.prepared, s)
			if q.s == &w.st.callAdd {
				if c, err := prepareC(dc, q.q); err == nil {
					w.callAddC = c
				} else {
					db.log.Debug("store: inserting calls through the driver", "err", err)
				}
			}
		}
		return nil
	})
	if err != nil {
		w.closeStmts()
		return nil, err
	}
	go w.run()
	return w, nil
}

// send queues o. It blocks while the queue is full: a write is never
// dropped.
func (w *writer) send(ctx context.Context, o *op) error {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case w.ch <- o:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close stops accepting writes, waits until the queued ones are
// committed, and closes the connection.
func (w *writer) close() error {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.ch)
	}
	w.mu.Unlock()
	<-w.done
	w.closeStmts()
	return errors.Join(w.takeErrs(), w.conn.Close())
}

// closeStmts closes the prepared statements: SQLite keeps a connection
// with unfinalized statements open (and its files with it) after it is
// closed.
func (w *writer) closeStmts() {
	w.conn.Raw(func(any) error {
		for _, st := range w.prepared {
			st.Close()
		}
		if w.callAddC != nil {
			w.callAddC.close()
		}
		return nil
	})
	w.prepared, w.callAddC = nil, nil
}

// run commits queued writes until the queue is closed. A group is every
// write queued while the previous group committed, up to maxBatch: no
// write waits for a timer, and under load one commit serves many writes.
func (w *writer) run() {
	defer close(w.done)
	batch := make([]*op, 0, maxBatch)
	linger := time.NewTimer(time.Hour)
	linger.Stop()
	for o := range w.ch {
		batch = append(batch[:0], o)
		waited := o.done != nil
	drain:
		for len(batch) < maxBatch {
			select {
			case o, ok := <-w.ch:
				if !ok {
					break drain
				}
				batch = append(batch, o)
				waited = waited || o.done != nil
			default:
				break drain
			}
		}
		// Nobody waits for a small batch of queued writes (Finish, Add):
		// let it grow for a moment. A commit costs as much as tens of
		// inserts, and under a steady trickle of calls batches of one or
		// two would spend the writer's time on commits.
		if !waited && len(batch) < minBatch {
			linger.Reset(lingerTime)
		grow:
			for len(batch) < maxBatch {
				select {
				case o, ok := <-w.ch:
					if !ok {
						break grow
					}
					batch = append(batch, o)
					if o.done != nil {
						break grow
					}
				case <-linger.C:
					break grow
				}
			}
			linger.Stop()
		}
		w.commit(batch)
		clear(batch)
	}
}

// commit writes batch in one transaction and tells each op how it went.
// When an op fails on its own (an unknown call ID, a constraint), the
// transaction is rolled back and run again without it; when another
// process holds the lock for longer than the busy timeout, it is retried.
func (w *writer) commit(batch []*op) {
	if w.commitAll(batch) {
		return
	}
	// The database is full: commit what still fits, halving the group
	// until single writes fail on their own, so that a full disk costs
	// the calls that do not fit, not a whole group of them.
	half := len(batch) / 2
	w.commit(batch[:half])
	w.commit(batch[half:])
}

// commitAll commits batch as one group and reports whether it is done
// with it; false means the group failed because the database is full and
// holds more than one write, so it was left for the caller to split.
func (w *writer) commitAll(batch []*op) bool {
	results := make([]result, len(batch))
	skip := make([]bool, len(batch))
	var err error
	for busy := 0; ; {
		var failed int
		failed, err = w.tx(batch, results, skip)
		if err == nil {
			break
		}
		if failed >= 0 {
			results[failed] = result{err: err}
			skip[failed] = true
			continue
		}
		if !isBusy(err) || busy == busyRetries {
			break
		}
		busy++
		w.db.log.Warn("store: database busy, retrying", "path", w.db.path, "attempt", busy)
		time.Sleep(time.Duration(busy) * 100 * time.Millisecond) // backoff
	}
	if err != nil && len(batch) > 1 && isFull(err) {
		return false
	}
	if err != nil {
		err = w.db.wrap(err)
		for i, o := range batch {
			// A Flush reports the failed writes it waited for, not
			// the batch's failure a second time.
			if !skip[i] && o.kind != opFlush {
				results[i] = result{err: err}
			}
		}
	}
	for i, o := range batch {
		if o.done == nil && results[i].err != nil {
			w.addErr(o, results[i].err)
		}
	}
	for i, o := range batch {
		if o.done != nil {
			o.done <- results[i]
		}
	}
	return true
}

// tx runs the ops of batch not skipped in one IMMEDIATE transaction. When
// one fails on its own, tx rolls back and returns its index and error;
// any other failure returns index -1.
func (w *writer) tx(batch []*op, results []result, skip []bool) (failed int, err error) {
	failed = -1
	rawErr := w.conn.Raw(func(dc any) error {
		failed, err = w.txOn(dc, batch, results, skip)
		return nil
	})
	if rawErr != nil {
		return -1, rawErr
	}
	return failed, err
}

// txOn is tx on the driver connection dc.
func (w *writer) txOn(dc any, batch []*op, results []result, skip []bool) (failed int, err error) {
	ctx := context.Background() // a batch is never interrupted halfway
	w.journal = w.journal[:0]
	defer func() {
		if err != nil {
			execRaw(ctx, dc, "ROLLBACK")
			w.forget()
		}
		w.journal = w.journal[:0]
	}()
	if err := execRaw(ctx, dc, "BEGIN IMMEDIATE"); err != nil {
		return -1, err
	}
	for i, o := range batch {
		if skip[i] || o.kind == opFlush {
			continue
		}
		res, err := w.apply(ctx, o)
		if err != nil {
			if isOpError(err) {
				return i, err
			}
			return -1, err
		}
		results[i] = res
	}
	return -1, execRaw(ctx, dc, "COMMIT")
}

// isFull reports whether err says the database or its disk is full.
func isFull(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == sqlite3.ErrFull
}

// isOpError reports whether err is the failure of one op, not of the
// transaction.
func isOpError(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code == sqlite3.ErrConstraint || se.Code == sqlite3.ErrTooBig || se.Code == sqlite3.ErrMismatch
	}
	return errors.Is(err, ErrNotFound)
}

// forget drops the cache entries the rolled-back transaction added.
func (w *writer) forget() {
	for _, undo := range w.journal {
		undo()
	}
}

func (w *writer) addErr(o *op, err error) {
	switch o.kind {
	case opFinish:
		err = fmt.Errorf("finish call %d: %w", o.id, err)
	case opEnd:
		err = fmt.Errorf("end call %d: %w", o.id, err)
	case opAdd:
		err = fmt.Errorf("add call: %w", err)
	}
	if w.db.onError != nil {
		w.db.onError(err)
	} else {
		w.db.log.Warn("store: a queued write failed", "path", w.db.path, "err", err)
	}
	w.errMu.Lock()
	defer w.errMu.Unlock()
	if len(w.errs) < maxErrs {
		w.errs = append(w.errs, err)
	}
	w.nerrs++
}

// takeErrs returns and forgets the failures of queued writes.
func (w *writer) takeErrs() error {
	w.errMu.Lock()
	defer w.errMu.Unlock()
	errs, n := w.errs, w.nerrs
	w.errs, w.nerrs = nil, 0
	if n > len(errs) {
		errs = append(errs, fmt.Errorf("and %d more failed writes", n-len(errs)))
	}
	return errors.Join(errs...)
}

func (w *writer) apply(ctx context.Context, o *op) (result, error) {
	switch o.kind {
	case opBegin, opAdd:
		id, err := w.insertCall(ctx, o.row)
		return result{id: id}, err
	case opFinish:
		return result{id: o.id}, w.finishCall(ctx, o.id, o.row)
	case opEnd:
		return result{id: o.id}, w.endCall(ctx, o.id, o.row)
	case opSession:
		name, err := w.session(ctx, o.name, o.labels)
		return result{name: name}, err
	case opPrincipal:
		if o.arn == "" {
			_, err := w.st.principalDel.ExecContext(ctx, o.name)
			return result{}, err
		}
		_, err := w.st.principal.ExecContext(ctx, o.name, o.arn, w.db.now().UnixNano())
		return result{}, err
	}
	return result{}, fmt.Errorf("unknown write %d", o.kind)
}

func (w *writer) insertCall(ctx context.Context, r *row) (int64, error) {
	sid, err := w.sessionID(ctx, r.session)
	if err != nil {
		return 0, err
	}
	cid, err := w.condID(ctx, r.conditions)
	if err != nil {
		return 0, err
	}
	set, err := w.useSet(ctx, r)
	if err != nil {
		return 0, err
	}
	id, changed, err := w.addCallRow(ctx, r, sid, cid, set)
	if err != nil || !changed {
		return 0, err // !changed: a replayed call that is already stored
	}
	if err := w.labels(ctx, id, r); err != nil {
		return 0, err
	}
	return id, nil
}

// addCallRow runs st.callAdd for r, through SQLite's C API where the
// writer has it (callAddC), and returns the new row's ID and whether a
// row was added.
func (w *writer) addCallRow(ctx context.Context, r *row, sid int64, cid, set sql.NullInt64) (int64, bool, error) {
	if c := w.callAddC; c != nil {
		c.argText(r.uid)
		c.argInt(sid)
		c.argInt(r.timeNS)
		for _, v := range [...]string{r.source, r.accessKeyID, r.principal, r.service, r.serviceID, r.model,
			r.protocol, r.operation, r.region, r.account} {
			c.argText(v)
		}
		c.argBool(r.recognized)
		c.argText(r.reason)
		c.argNullInt(cid)
		c.argBool(r.pending)
		c.argInt(int64(r.status))
		c.argText(r.errorCode)
		c.argInt(r.latencyNS)
		c.argNullInt(set)
		id, changes, err := c.exec()
		return id, changes > 0, err
	}
	res, err := w.st.callAdd.ExecContext(ctx, r.uid, sid, r.timeNS, r.source, r.accessKeyID, r.principal,
		r.service, r.serviceID, r.model, r.protocol, r.operation, r.region, r.account, r.recognized, r.reason,
		cid, r.pending, r.status, r.errorCode, r.latencyNS, set)
	if err != nil {
		return 0, false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return 0, false, err
	}
	id, err := res.LastInsertId()
	return id, err == nil, err
}

// finishCall updates call id with r.
func (w *writer) finishCall(ctx context.Context, id int64, r *row) error {
	cid, err := w.condID(ctx, r.conditions)
	if err != nil {
		return err
	}
	set, err := w.useSet(ctx, r)
	if err != nil {
		return err
	}
	res, err := w.st.callFinish.ExecContext(ctx, r.accessKeyID, r.principal,
		r.service, r.serviceID, r.model, r.protocol, r.operation, r.region, r.account, r.recognized, r.reason,
		cid, r.status, r.errorCode, r.latencyNS, set, id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("call %d: %w", id, ErrNotFound)
	}
	return w.labels(ctx, id, r)
}

// endCall records call id's outcome, which r carries.
func (w *writer) endCall(ctx context.Context, id int64, r *row) error {
	res, err := w.st.callEnd.ExecContext(ctx, r.status, r.errorCode, r.latencyNS, id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("call %d: %w", id, ErrNotFound)
	}
	return nil
}

// labels sets r's labels on call id.
func (w *writer) labels(ctx context.Context, id int64, r *row) error {
	for _, l := range r.labels {
		if _, err := w.st.callLabel.ExecContext(ctx, id, l[0], l[1]); err != nil {
			return err
		}
	}
	return nil
}

// setItem is a row of use_set_items without its set.
type setItem struct {
	seq, rseq, use, resource int64 // resource 0 for none
}

// useSet returns the ID of the use set of r's actions and their resources,
// adding it when it is new; NULL for a call without actions. The set's key
// spells out its items (see migration 003), so that a call like one seen
// before costs a map lookup here and one integer in its row.
func (w *writer) useSet(ctx context.Context, r *row) (sql.NullInt64, error) {
	if len(r.actions) == 0 {
		return sql.NullInt64{}, nil
	}
	items := w.setItems[:0]
	for seq, a := range r.actions {
		uid, err := w.useID(ctx, a)
		if err != nil {
			return sql.NullInt64{}, err
		}
		if len(a.resources) == 0 {
			items = append(items, setItem{seq: int64(seq), use: uid})
		}
		for rseq, res := range a.resources {
			rid, err := intern(ctx, w, w.resources, res, w.st.resourceID, w.st.resourceAdd, func() []any { return []any{res} })
			if err != nil {
				return sql.NullInt64{}, err
			}
			items = append(items, setItem{seq: int64(seq), rseq: int64(rseq), use: uid, resource: rid})
		}
	}
	w.setItems = items
	key := w.setKey[:0]
	for i, it := range items {
		if i > 0 {
			key = append(key, ',')
		}
		key = strconv.AppendInt(key, it.seq, 10)
		key = append(key, ':')
		key = strconv.AppendInt(key, it.rseq, 10)
		key = append(key, ':')
		key = strconv.AppendInt(key, it.use, 10)
		key = append(key, ':')
		if it.resource != 0 {
			key = strconv.AppendInt(key, it.resource, 10)
		}
	}
	w.setKey = key
	if id, ok := w.sets[string(key)]; ok {
		return sql.NullInt64{Int64: id, Valid: true}, nil
	}
	k := string(key)
	var id int64
	err := w.st.setID.QueryInt(ctx, &id, k)
	if errors.Is(err, sql.ErrNoRows) {
		id, err = w.addSet(ctx, k, items)
	}
	if err != nil {
		return sql.NullInt64{}, err
	}
	cache(w, w.sets, k, id)
	return sql.NullInt64{Int64: id, Valid: true}, nil
}

// addSet inserts the use set key with its items and returns its ID.
func (w *writer) addSet(ctx context.Context, key string, items []setItem) (int64, error) {
	res, err := w.st.setAdd.ExecContext(ctx, key)
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	for _, it := range items {
		rid := sql.NullInt64{Int64: it.resource, Valid: it.resource != 0}
		if _, err := w.st.setItem.ExecContext(ctx, id, it.seq, it.rseq, it.use, rid); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// intern returns the row ID of key in an interning table (sessions,
// actions, resources, conditions, uses), inserting args() when it is
// missing. Another process may have inserted it: the cache is only a
// shortcut past get. args is a function so that a cache hit, the common
// case, boxes no arguments.
func intern[K comparable](ctx context.Context, w *writer, m map[K]int64, key K, get, add *stmt, args func() []any) (int64, error) {
	if id, ok := m[key]; ok {
		return id, nil
	}
	a := args()
	var id int64
	err := get.QueryInt(ctx, &id, a...)
	if errors.Is(err, sql.ErrNoRows) {
		var res driver.Result
		res, err = add.ExecContext(ctx, a...)
		if err == nil {
			id, err = res.LastInsertId()
		}
	}
	if err != nil {
		return 0, err
	}
	cache(w, m, key, id)
	return id, nil
}

// cache remembers key's row ID in m, for the open transaction: a rollback
// forgets it.
func cache[K comparable](w *writer, m map[K]int64, key K, id int64) {
	if len(m) >= maxCached {
		clear(m)
	}
	m[key] = id
	w.journal = append(w.journal, func() { delete(m, key) })
}

// condID returns the ID of a JSON condition set; NULL for none.
func (w *writer) condID(ctx context.Context, conds string) (sql.NullInt64, error) {
	if conds == "" {
		return sql.NullInt64{}, nil
	}
	id, err := intern(ctx, w, w.conds, conds, w.st.condID, w.st.condAdd, func() []any { return []any{conds} })
	return sql.NullInt64{Int64: id, Valid: err == nil}, err
}

func (w *writer) useID(ctx context.Context, a actionRow) (int64, error) {
	aid, err := intern(ctx, w, w.actions, a.action, w.st.actionID, w.st.actionAdd, func() []any { return []any{a.action} })
	if err != nil {
		return 0, err
	}
	cid, err := w.condID(ctx, a.conditions)
	if err != nil {
		return 0, err
	}
	key := useKey{action: aid, level: a.level, reason: a.reason, exact: a.exact, possible: a.possible, cond: cid.Int64}
	return intern(ctx, w, w.uses, key, w.st.useID, w.st.useAdd, func() []any {
		return []any{aid, a.level, a.exact, a.possible, a.reason, cid}
	})
}

func (w *writer) sessionID(ctx context.Context, name string) (int64, error) {
	if id, ok := w.sessions[name]; ok {
		return id, nil
	}
	var id int64
	err := w.st.sessionID.QueryInt(ctx, &id, name)
	if errors.Is(err, sql.ErrNoRows) {
		var res driver.Result
		res, err = w.st.sessionAdd.ExecContext(ctx, name, w.db.now().UnixNano())
		if err == nil {
			id, err = res.LastInsertId()
		}
	}
	if err != nil {
		return 0, err
	}
	cache(w, w.sessions, name, id)
	return id, nil
}

// session creates or reuses a session and sets its labels. An empty name
// is replaced by a new one made from the current time.
func (w *writer) session(ctx context.Context, name string, labels [][2]string) (string, error) {
	if name == "" {
		base := w.db.now().UTC().Format("20060102-150405")
		for i := 1; ; i++ {
			name = base
			if i > 1 {
				name = fmt.Sprintf("%s-%d", base, i)
			}
			var id int64
			err := w.st.sessionID.QueryInt(ctx, &id, name)
			if errors.Is(err, sql.ErrNoRows) {
				break
			}
			if err != nil {
				return "", err
			}
		}
	}
	id, err := w.sessionID(ctx, name)
	if err != nil {
		return "", err
	}
	for _, l := range labels {
		if _, err := w.st.sessionLabel.ExecContext(ctx, id, l[0], l[1]); err != nil {
			return "", err
		}
	}
	return name, nil
}
