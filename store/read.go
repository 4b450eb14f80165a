package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/iamwatch/iamwatch"
)

// Filter selects calls. The zero Filter selects every call.
type Filter struct {
	// Sessions are session names; a call in any of them matches. Empty
	// means every session. An unknown name is an error (ErrNotFound).
	Sessions []string
	// Since and Until bound the call's time: Since <= Time < Until. A
	// zero bound is no bound.
	Since, Until time.Time
	// Principal is a principal ARN: the call's own, or, for a call that
	// has none, the one SetPrincipal mapped its access key ID to.
	Principal string
	// Labels must all match, each as a label of the call or, when the
	// call has no label with that key, of its session.
	Labels map[string]string
}

func (f Filter) empty() bool {
	return len(f.Sessions) == 0 && f.Since.IsZero() && f.Until.IsZero() && f.Principal == "" && len(f.Labels) == 0
}

// where returns the SQL condition on calls (alias c) for f, and its
// arguments.
func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	if len(f.Sessions) > 0 {
		conds = append(conds, "c.session_id IN (SELECT id FROM sessions WHERE name IN ("+placeholders(len(f.Sessions))+"))")
		for _, s := range f.Sessions {
			args = append(args, s)
		}
	}
	if !f.Since.IsZero() {
		conds = append(conds, "c.time_ns >= ?")
		args = append(args, f.Since.UnixNano())
	}
	if !f.Until.IsZero() {
		conds = append(conds, "c.time_ns < ?")
		args = append(args, f.Until.UnixNano())
	}
	if f.Principal != "" {
		conds = append(conds, `(c.principal_arn = ? OR c.principal_arn = '' AND c.access_key_id IN
			(SELECT access_key_id FROM principals WHERE principal_arn = ?))`)
		args = append(args, f.Principal, f.Principal)
	}
	for _, k := range slices.Sorted(maps.Keys(f.Labels)) {
		conds = append(conds, `coalesce(
			(SELECT value FROM call_labels WHERE call_id = c.id AND key = ?),
			(SELECT value FROM session_labels WHERE session_id = c.session_id AND key = ?)) = ?`)
		args = append(args, k, k, f.Labels[k])
	}
	if len(conds) == 0 {
		return "1", nil
	}
	return strings.Join(conds, " AND "), args
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// SessionInfo describes a session.
type SessionInfo struct {
	Name    string
	Created time.Time
	Labels  map[string]string
	// Calls is the number of calls recorded in the session; First and
	// Last are the times of its earliest and latest, zero when none.
	Calls       int64
	First, Last time.Time
}

// Sessions returns every session, oldest first.
func (db *DB) Sessions(ctx context.Context) ([]SessionInfo, error) {
	out, err := db.sessions(ctx)
	if err != nil {
		return nil, fmt.Errorf("list sessions in %q: %w", db.path, db.wrap(err))
	}
	return out, nil
}

func (db *DB) sessions(ctx context.Context) ([]SessionInfo, error) {
	tx, err := db.rd.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	sess, err := sessionLabels(ctx, tx)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT s.id, s.name, s.created_ns, count(c.id), min(c.time_ns), max(c.time_ns)
		FROM sessions s LEFT JOIN calls c ON c.session_id = s.id
		GROUP BY s.id ORDER BY s.created_ns, s.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SessionInfo
	for rows.Next() {
		var id, created int64
		var first, last sql.NullInt64
		var si SessionInfo
		if err := rows.Scan(&id, &si.Name, &created, &si.Calls, &first, &last); err != nil {
			return nil, err
		}
		si.Created = unixTime(created)
		si.Labels = sess[id].labels
		if first.Valid {
			si.First, si.Last = unixTime(first.Int64), unixTime(last.Int64)
		}
		out = append(out, si)
	}
	return out, rows.Err()
}

type session struct {
	name   string
	labels map[string]string
}

// sessionLabels returns every session by ID.
func sessionLabels(ctx context.Context, tx *sql.Tx) (map[int64]session, error) {
	rows, err := tx.QueryContext(ctx, `SELECT s.id, s.name, l.key, l.value
		FROM sessions s LEFT JOIN session_labels l ON l.session_id = s.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]session{}
	for rows.Next() {
		var id int64
		var name string
		var k, v sql.NullString
		if err := rows.Scan(&id, &name, &k, &v); err != nil {
			return nil, err
		}
		s := out[id]
		s.name = name
		if k.Valid {
			if s.labels == nil {
				s.labels = map[string]string{}
			}
			s.labels[k.String] = v.String
		}
		out[id] = s
	}
	return out, rows.Err()
}

// checkSessions returns ErrNotFound for a name in f.Sessions that names no
// session.
func checkSessions(ctx context.Context, tx *sql.Tx, names []string) error {
	if len(names) == 0 {
		return nil
	}
	args := make([]any, len(names))
	for i, n := range names {
		args[i] = n
	}
	rows, err := tx.QueryContext(ctx, `SELECT name FROM sessions WHERE name IN (`+placeholders(len(names))+`)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	found := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return err
		}
		found[n] = true
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, n := range names {
		if !found[n] {
			return fmt.Errorf("session %q: %w", n, ErrNotFound)
		}
	}
	return nil
}

// Calls returns the calls f selects, in the order they were stored, each
// with its actions, resources and labels (the session's, overlaid with the
// call's own). Use EachCall or EachUse for large selections.
func (db *DB) Calls(ctx context.Context, f Filter) ([]iamwatch.Record, error) {
	var out []iamwatch.Record
	err := db.EachCall(ctx, f, func(r *iamwatch.Record) error {
		out = append(out, *r)
		return nil
	})
	return out, err
}

// EachCall calls fn with each call f selects, like Calls, streaming: it
// holds one call in memory at a time, from one consistent snapshot of the
// database. fn may keep the record. An error from fn stops the iteration
// and is returned as is.
func (db *DB) EachCall(ctx context.Context, f Filter, fn func(*iamwatch.Record) error) error {
	return iterate(db, "read calls", fn, func(g func(*iamwatch.Record) error) error { return db.eachCall(ctx, f, false, g) })
}

// iterate runs walk with fn, returning fn's own error as is and wrapping
// the database's with what was being read.
func iterate[T any](db *DB, what string, fn func(T) error, walk func(func(T) error) error) error {
	var fnErr error
	err := walk(func(v T) error {
		fnErr = fn(v)
		return fnErr
	})
	if err != nil && err == fnErr {
		return err
	}
	if err != nil {
		return fmt.Errorf("%s in %q: %w", what, db.path, db.wrap(err))
	}
	return nil
}

// eachCall reads the calls f selects. raw reads them as stored, for an
// export: the call's own principal and labels only, not those it inherits
// from the principals map and its session.
func (db *DB) eachCall(ctx context.Context, f Filter, raw bool, fn func(*iamwatch.Record) error) error {
	tx, err := db.rd.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return eachCallTx(ctx, tx, f, raw, fn)
}

func eachCallTx(ctx context.Context, tx *sql.Tx, f Filter, raw bool, fn func(*iamwatch.Record) error) error {
	if err := checkSessions(ctx, tx, f.Sessions); err != nil {
		return err
	}
	sess, err := sessionLabels(ctx, tx)
	if err != nil {
		return err
	}
	q, args := callQueries(f, raw)
	calls, err := tx.QueryContext(ctx, q[0], args...)
	if err != nil {
		return err
	}
	defer calls.Close()
	acts, err := tx.QueryContext(ctx, q[1], args...)
	if err != nil {
		return err
	}
	defer acts.Close()
	labels, err := tx.QueryContext(ctx, q[2], args...)
	if err != nil {
		return err
	}
	defer labels.Close()

	ac := cursor[actionLine]{rows: acts, scan: func(rs *sql.Rows, l *actionLine) (int64, error) {
		var id int64
		err := rs.Scan(&id, &l.seq, &l.a.Action, &l.level, &l.a.Exact, &l.a.Possible, &l.a.Reason, &l.cond, &l.arn)
		return id, err
	}}
	lc := cursor[[2]string]{rows: labels, scan: func(rs *sql.Rows, l *[2]string) (int64, error) {
		var id int64
		err := rs.Scan(&id, &l[0], &l[1])
		return id, err
	}}
	for calls.Next() {
		var (
			r                 iamwatch.Record
			sid, tns, latency int64
			source            string
			conds             sql.NullString
		)
		err := calls.Scan(&r.ID, &r.UID, &sid, &tns, &source, &r.AccessKeyID, &r.PrincipalARN,
			&r.Service, &r.ServiceID, &r.Model, &r.Protocol, &r.Operation, &r.Region, &r.AccountID,
			&r.Recognized, &r.Reason, &conds, &r.Pending, &r.Status, &r.ErrorCode, &latency)
		if err != nil {
			return err
		}
		s := sess[sid]
		r.Session = s.name
		r.Time = unixTime(tns)
		r.Source = iamwatch.Source(source)
		r.Latency = time.Duration(latency)
		if r.Conditions, err = decodeConditions(conds); err != nil {
			return fmt.Errorf("call %d: %w", r.ID, err)
		}
		if len(s.labels) > 0 && !raw {
			r.Labels = maps.Clone(s.labels)
		}
		for {
			l, ok, err := lc.take(r.ID)
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			if r.Labels == nil {
				r.Labels = map[string]string{}
			}
			r.Labels[l[0]] = l[1]
		}
		lastSeq := -1
		for {
			l, ok, err := ac.take(r.ID)
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			if l.seq != lastSeq {
				lastSeq = l.seq
				a := l.a
				a.Level = iamwatch.AccessLevel(l.level)
				if a.Conditions, err = decodeConditions(l.cond); err != nil {
					return fmt.Errorf("call %d: %w", r.ID, err)
				}
				r.Actions = append(r.Actions, a)
			}
			if l.arn.Valid {
				last := &r.Actions[len(r.Actions)-1]
				last.Resources = append(last.Resources, l.arn.String)
			}
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := calls.Err(); err != nil {
		return err
	}
	if err := acts.Err(); err != nil {
		return err
	}
	return labels.Err()
}

// callQueries returns the three queries EachCall reads side by side, all
// ordered by call ID, and their (common) arguments: the calls, their
// actions and resources, and their labels. CROSS JOIN keeps calls the
// outer loop, so that without a filter all three stream in rowid order
// instead of sorting every row; a filter may make SQLite sort its subset.
func callQueries(f Filter, raw bool) ([3]string, []any) {
	where, args := f.where()
	principal := "coalesce(nullif(c.principal_arn, ''), p.principal_arn, '')"
	if raw {
		principal = "c.principal_arn"
	}
	return [3]string{
		`SELECT c.id, c.uid, c.session_id, c.time_ns, c.source, c.access_key_id, ` + principal + `,
			c.service, c.service_id, c.model, c.protocol, c.operation, c.region, c.account_id,
			c.recognized, c.reason, co.json, c.pending, c.status, c.error_code, c.latency_ns
		FROM calls c LEFT JOIN principals p ON p.access_key_id = c.access_key_id
		LEFT JOIN conditions co ON co.id = c.condition_id
		WHERE ` + where + ` ORDER BY c.id`,

		`SELECT c.id, cu.seq, a.name, u.level, u.exact, u.possible, u.reason, co.json, r.arn
		FROM calls c CROSS JOIN use_set_items cu ON cu.set_id = c.use_set_id
		JOIN uses u ON u.id = cu.use_id
		JOIN actions a ON a.id = u.action_id
		LEFT JOIN conditions co ON co.id = u.condition_id
		LEFT JOIN resources r ON r.id = cu.resource_id
		WHERE ` + where + ` ORDER BY c.id, cu.seq, cu.rseq`,

		`SELECT c.id, l.key, l.value
		FROM calls c CROSS JOIN call_labels l ON l.call_id = c.id
		WHERE ` + where + ` ORDER BY c.id, l.key`,
	}, args
}

// usesQuery returns the query EachUse reads, and its arguments. The calls
// f selects are counted by use set and conditions first, so that a million
// calls of a few hundred kinds group integers of one table, and only then
// are the sets' items expanded and summed.
func usesQuery(f Filter) (string, []any) {
	where, args := f.where()
	return `SELECT a.name, r.arn, u.level, u.exact, u.possible, g.condition_id, u.condition_id, g.n, g.first, g.last
		FROM (SELECT i.use_id, i.resource_id, s.condition_id,
				sum(s.n) AS n, min(s.first) AS first, max(s.last) AS last
			FROM (SELECT c.use_set_id, c.condition_id, count(*) AS n, min(c.time_ns) AS first, max(c.time_ns) AS last
				FROM calls c WHERE c.use_set_id IS NOT NULL AND ` + where + `
				GROUP BY c.use_set_id, c.condition_id) s
			JOIN use_set_items i ON i.set_id = s.use_set_id
			GROUP BY i.use_id, i.resource_id, s.condition_id) g
		JOIN uses u ON u.id = g.use_id
		JOIN actions a ON a.id = u.action_id
		LEFT JOIN resources r ON r.id = g.resource_id`, args
}

// actionLine is a row of the actions query: one resource of one action.
type actionLine struct {
	seq   int
	a     iamwatch.ActionUse
	level string
	cond  sql.NullString
	arn   sql.NullString
}

// cursor walks the rows of a query ordered by call ID, alongside the
// calls query: take returns the rows of one call in turn.
type cursor[T any] struct {
	rows *sql.Rows
	// scan reads the current row into t and returns its call ID.
	scan func(rows *sql.Rows, t *T) (int64, error)
	cur  T
	id   int64
	have bool // cur holds a row not yet taken
	done bool
}

// take returns the next row of call id, or false when there is none. Rows
// of earlier calls are skipped.
func (c *cursor[T]) take(id int64) (*T, bool, error) {
	for {
		if !c.have {
			if c.done || !c.rows.Next() {
				c.done = true
				return nil, false, nil
			}
			var zero T
			c.cur = zero
			var err error
			if c.id, err = c.scan(c.rows, &c.cur); err != nil {
				return nil, false, err
			}
			c.have = true
		}
		switch {
		case c.id < id:
			c.have = false
		case c.id > id:
			return nil, false, nil
		default:
			c.have = false
			return &c.cur, true, nil
		}
	}
}

// Use is one distinct way the calls a filter selects used an IAM action:
// one action on one resource, with the same flags and conditions.
type Use struct {
	Action   string
	Resource string // "" when the action listed no resource
	Level    iamwatch.AccessLevel
	Exact    bool
	Possible bool
	// Conditions are the action's and its call's condition values.
	// Uses with the same conditions share the map: treat it as read-only.
	Conditions map[string][]string
	// Count is how many times calls used the action so; First and Last
	// are the times of the first and last of them.
	Count       int64
	First, Last time.Time
}

// EachUse calls fn with every distinct Use of the calls f selects, sorted
// by action and resource. It aggregates in SQL over integer rows, so that
// generating a policy from a million calls reads a few thousand rows; a
// filter on sessions, principal or labels joins the calls table too.
func (db *DB) EachUse(ctx context.Context, f Filter, fn func(Use) error) error {
	return iterate(db, "read action uses", fn, func(g func(Use) error) error { return db.eachUse(ctx, f, g) })
}

func (db *DB) eachUse(ctx context.Context, f Filter, fn func(Use) error) error {
	tx, err := db.rd.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := checkSessions(ctx, tx, f.Sessions); err != nil {
		return err
	}
	q, args := usesQuery(f)
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	// Few distinct conditions serve many uses: decode each once, and
	// merge each pair once.
	conds := conditionCache{tx: tx, ctx: ctx, decoded: map[int64]map[string][]string{}, merged: map[[2]int64]map[string][]string{}}
	var uses []Use
	for rows.Next() {
		var (
			u           Use
			arn         sql.NullString
			cc, ac      sql.NullInt64
			lvl         string
			first, last int64
		)
		if err := rows.Scan(&u.Action, &arn, &lvl, &u.Exact, &u.Possible, &cc, &ac, &u.Count, &first, &last); err != nil {
			return err
		}
		u.Resource = arn.String
		u.Level = iamwatch.AccessLevel(lvl)
		u.First, u.Last = unixTime(first), unixTime(last)
		if u.Conditions, err = conds.merge(cc, ac); err != nil {
			return err
		}
		uses = append(uses, u)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	// Sort indexes rather than the large Use values themselves.
	order := make([]int32, len(uses))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(i, j int32) int {
		if c := strings.Compare(uses[i].Action, uses[j].Action); c != 0 {
			return c
		}
		return strings.Compare(uses[i].Resource, uses[j].Resource)
	})
	for _, i := range order {
		if err := fn(uses[i]); err != nil {
			return err
		}
	}
	return nil
}

// conditionCache decodes the conditions rows EachUse refers to, once each.
type conditionCache struct {
	tx      *sql.Tx
	ctx     context.Context
	decoded map[int64]map[string][]string
	merged  map[[2]int64]map[string][]string
}

func (c *conditionCache) get(id sql.NullInt64) (map[string][]string, error) {
	if !id.Valid {
		return nil, nil
	}
	if m, ok := c.decoded[id.Int64]; ok {
		return m, nil
	}
	var js sql.NullString
	if err := c.tx.QueryRowContext(c.ctx, `SELECT json FROM conditions WHERE id = ?`, id.Int64).Scan(&js); err != nil {
		return nil, fmt.Errorf("conditions %d: %w", id.Int64, err)
	}
	m, err := decodeConditions(js)
	if err != nil {
		return nil, err
	}
	c.decoded[id.Int64] = m
	return m, nil
}

// merge returns the union of a call's and an action's conditions. Uses
// share the maps it returns.
func (c *conditionCache) merge(call, action sql.NullInt64) (map[string][]string, error) {
	key := [2]int64{-1, -1}
	if call.Valid {
		key[0] = call.Int64
	}
	if action.Valid {
		key[1] = action.Int64
	}
	if m, ok := c.merged[key]; ok {
		return m, nil
	}
	a, err := c.get(call)
	if err != nil {
		return nil, err
	}
	b, err := c.get(action)
	if err != nil {
		return nil, err
	}
	m := mergeConditions(a, b)
	c.merged[key] = m
	return m, nil
}

func decodeConditions(s sql.NullString) (map[string][]string, error) {
	if !s.Valid || s.String == "" {
		return nil, nil
	}
	var m map[string][]string
	if err := json.Unmarshal([]byte(s.String), &m); err != nil {
		return nil, fmt.Errorf("decode conditions: %w", err)
	}
	return m, nil
}

// mergeConditions returns the union of a and b.
func mergeConditions(a, b map[string][]string) map[string][]string {
	if len(a) == 0 {
		return b
	}
	if len(b) == 0 {
		return a
	}
	out := maps.Clone(a)
	for k, vs := range b {
		for _, v := range vs {
			if !slices.Contains(out[k], v) {
				out[k] = append(slices.Clip(out[k]), v)
			}
		}
	}
	return out
}

func unixTime(ns int64) time.Time { return time.Unix(0, ns).UTC() }
