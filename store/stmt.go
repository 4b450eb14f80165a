package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
)

// stmt is one of the writer's prepared statements, run on the SQLite
// driver directly rather than through database/sql. The writer runs a
// few statements for every captured call; database/sql's per-statement
// work (locks, argument conversion into a new slice, a result wrapper)
// was a tenth of the capture's cost. A stmt is used only by the writer's
// goroutine, inside the sql.Conn.Raw call that holds its connection.
type stmt struct {
	s    driver.Stmt
	args *[]driver.NamedValue // the writer's, reused by every statement
}

// prepareStmt prepares query on the driver connection dc.
func prepareStmt(ctx context.Context, dc any, query string, args *[]driver.NamedValue) (*stmt, error) {
	pc, ok := dc.(driver.ConnPrepareContext)
	if !ok {
		return nil, fmt.Errorf("driver connection %T cannot prepare statements", dc)
	}
	s, err := pc.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if _, ok := s.(driver.StmtExecContext); !ok {
		s.Close()
		return nil, fmt.Errorf("driver statement %T cannot be executed with a context", s)
	}
	if _, ok := s.(driver.StmtQueryContext); !ok {
		s.Close()
		return nil, fmt.Errorf("driver statement %T cannot be queried with a context", s)
	}
	return &stmt{s: s, args: args}, nil
}

// bind converts args into the writer's argument slice: the Go types the
// writer passes (string, int64, int, bool, nil, sql.NullInt64) into the
// driver's.
func (s *stmt) bind(args []any) ([]driver.NamedValue, error) {
	nv := (*s.args)[:0]
	for i, a := range args {
		var v driver.Value
		switch a := a.(type) {
		case nil, string, int64, bool:
			v = a
		case int:
			v = int64(a)
		case sql.NullInt64:
			if a.Valid {
				v = a.Int64
			}
		default:
			return nil, fmt.Errorf("store: argument %d of type %T", i+1, a)
		}
		nv = append(nv, driver.NamedValue{Ordinal: i + 1, Value: v})
	}
	*s.args = nv
	return nv, nil
}

// ExecContext runs the statement with args.
func (s *stmt) ExecContext(ctx context.Context, args ...any) (driver.Result, error) {
	nv, err := s.bind(args)
	if err != nil {
		return nil, err
	}
	defer clear(nv) // drop the references to args
	return s.s.(driver.StmtExecContext).ExecContext(ctx, nv)
}

// QueryInts runs the statement with args and scans the first row's
// integer columns into dest; sql.ErrNoRows when there is no row.
func (s *stmt) QueryInts(ctx context.Context, dest []*int64, args ...any) error {
	nv, err := s.bind(args)
	if err != nil {
		return err
	}
	defer clear(nv)
	rows, err := s.s.(driver.StmtQueryContext).QueryContext(ctx, nv)
	if err != nil {
		return err
	}
	vals := make([]driver.Value, len(rows.Columns()))
	err = rows.Next(vals)
	cerr := rows.Close()
	if errors.Is(err, io.EOF) {
		err = sql.ErrNoRows
	}
	if err != nil {
		return err
	}
	if cerr != nil {
		return cerr
	}
	if len(vals) < len(dest) {
		return fmt.Errorf("store: %d columns, want %d", len(vals), len(dest))
	}
	for i, d := range dest {
		n, ok := vals[i].(int64)
		if !ok {
			return fmt.Errorf("store: column %d is %T, want an integer", i+1, vals[i])
		}
		*d = n
	}
	return nil
}

// QueryInt is QueryInts for one column.
func (s *stmt) QueryInt(ctx context.Context, dest *int64, args ...any) error {
	return s.QueryInts(ctx, []*int64{dest}, args...)
}

// Close closes the statement.
func (s *stmt) Close() error { return s.s.Close() }

// execRaw runs query, which takes no arguments, on the driver connection dc.
func execRaw(ctx context.Context, dc any, query string) error {
	ec, ok := dc.(driver.ExecerContext)
	if !ok {
		return fmt.Errorf("driver connection %T cannot execute statements", dc)
	}
	_, err := ec.ExecContext(ctx, query, nil)
	return err
}
