package store

/*
#include <stdlib.h>
#include <string.h>

// SQLite's, which the driver (github.com/mattn/go-sqlite3) links in; the
// types are opaque here.
typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;
int sqlite3_prepare_v3(sqlite3 *, const char *, int, unsigned int, sqlite3_stmt **, const char **);
int sqlite3_bind_null(sqlite3_stmt *, int);
int sqlite3_bind_int64(sqlite3_stmt *, int, long long);
int sqlite3_bind_text(sqlite3_stmt *, int, const char *, int, void (*)(void *));
int sqlite3_bind_parameter_count(sqlite3_stmt *);
int sqlite3_step(sqlite3_stmt *);
int sqlite3_reset(sqlite3_stmt *);
int sqlite3_clear_bindings(sqlite3_stmt *);
int sqlite3_finalize(sqlite3_stmt *);
int sqlite3_changes(sqlite3 *);
long long sqlite3_last_insert_rowid(sqlite3 *);
int sqlite3_extended_errcode(sqlite3 *);
const char *sqlite3_errmsg(sqlite3 *);

// From sqlite3.h.
#define IAMWATCH_SQLITE_DONE 101
#define IAMWATCH_PREPARE_PERSISTENT 1

static int iamwatch_prepare(sqlite3 *db, const char *sql, int n, sqlite3_stmt **s) {
	return sqlite3_prepare_v3(db, sql, n, IAMWATCH_PREPARE_PERSISTENT, s, 0);
}

// iamwatch_exec binds n parameters and steps s once, to its end. kinds[i]
// is 0 for NULL, 1 for the integer vals[i], 2 for the lens[i] bytes of
// text at text+vals[i]. The text is bound without a copy (SQLITE_STATIC):
// it is Go memory, which SQLite must not keep, so s is reset and its
// bindings cleared before returning. It returns 0 once done, with the rows
// changed and the last row ID, or SQLite's extended result code with its
// message in msg (msgLen bytes, NUL included).
static int iamwatch_exec(sqlite3 *db, sqlite3_stmt *s, int n, const unsigned char *kinds,
		const long long *vals, const int *lens, const char *text, long long *rowid, int *changes,
		char *msg, int msgLen) {
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		switch (kinds[i]) {
		case 0:
			rc = sqlite3_bind_null(s, i + 1);
			break;
		case 1:
			rc = sqlite3_bind_int64(s, i + 1, vals[i]);
			break;
		default:
			// A NULL pointer would bind NULL, not the empty string.
			rc = sqlite3_bind_text(s, i + 1, lens[i] > 0 ? text + vals[i] : "", lens[i], 0);
		}
	}
	if (rc == 0) {
		rc = sqlite3_step(s);
		if (rc == IAMWATCH_SQLITE_DONE) {
			rc = 0;
			*rowid = sqlite3_last_insert_rowid(db);
			*changes = sqlite3_changes(db);
		}
	}
	if (rc != 0) {
		rc = sqlite3_extended_errcode(db);
		strncpy(msg, sqlite3_errmsg(db), msgLen - 1);
		msg[msgLen - 1] = 0;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}
*/
import "C"

import (
	"database/sql"
	"fmt"
	"reflect"
	"unsafe"

	"github.com/mattn/go-sqlite3"
)

// cstmt is a statement run by SQLite's C API directly, one cgo call an
// execution: the writer's insert of a call, which through the driver was
// a cgo call for each of its 21 parameters, and an interface value (an
// allocation) for most of them. Under load those calls were a tenth of
// what recording a call costs.
//
// It needs the driver connection's sqlite3 handle, which the driver does
// not export: dbHandle reads it from the connection's struct, and where
// that fails (another driver version), the writer keeps the driver's
// statement. A cstmt is used by the writer's goroutine only, within the
// sql.Conn.Raw call that holds its connection.
type cstmt struct {
	db *C.sqlite3
	s  *C.sqlite3_stmt
	n  int // parameters

	kinds []byte
	vals  []int64
	lens  []int32
	text  []byte
	// out is what exec's C call writes: a field, so that passing its
	// address allocates nothing.
	out struct {
		rowid   C.longlong
		changes C.int
		msg     [256]C.char
	}
}

// dbHandle returns the sqlite3 handle of driver connection dc, or nil.
func dbHandle(dc any) unsafe.Pointer {
	v := reflect.ValueOf(dc)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	f := v.Elem().FieldByName("db")
	// cgo names the driver's C.sqlite3 _Ctype_struct_sqlite3.
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() || f.Type().Elem().Name() != "_Ctype_struct_sqlite3" {
		return nil
	}
	return f.UnsafePointer()
}

// prepareC prepares query on driver connection dc with SQLite's C API.
func prepareC(dc any, query string) (*cstmt, error) {
	db := dbHandle(dc)
	if db == nil {
		return nil, fmt.Errorf("no sqlite3 handle in driver connection %T", dc)
	}
	cq := C.CString(query)
	defer C.free(unsafe.Pointer(cq))
	c := &cstmt{db: (*C.sqlite3)(db)}
	if rc := C.iamwatch_prepare(c.db, cq, C.int(len(query)), &c.s); rc != 0 || c.s == nil {
		return nil, fmt.Errorf("prepare: SQLite error %d", int(rc))
	}
	c.n = int(C.sqlite3_bind_parameter_count(c.s))
	return c, nil
}

// close finalizes the statement; SQLite closes no connection that has
// statements left.
func (c *cstmt) close() {
	if c.s != nil {
		C.sqlite3_finalize(c.s)
		c.s = nil
	}
}

// The parameters of the next exec, in order.
func (c *cstmt) argNull()       { c.add(0, 0, 0) }
func (c *cstmt) argInt(v int64) { c.add(1, v, 0) }
func (c *cstmt) argText(v string) {
	c.add(2, int64(len(c.text)), int32(len(v)))
	c.text = append(c.text, v...)
}

func (c *cstmt) argBool(v bool) {
	if v {
		c.argInt(1)
	} else {
		c.argInt(0)
	}
}

func (c *cstmt) argNullInt(v sql.NullInt64) {
	if v.Valid {
		c.argInt(v.Int64)
	} else {
		c.argNull()
	}
}

func (c *cstmt) add(kind byte, v int64, n int32) {
	c.kinds = append(c.kinds, kind)
	c.vals = append(c.vals, v)
	c.lens = append(c.lens, n)
}

// exec runs the statement with the parameters added since the last exec
// and returns the last row ID and the rows changed, or the error, which
// unwraps to the driver's sqlite3.Error (its Code and ExtendedCode) as the
// driver's errors do; the statement is then as prepared.
func (c *cstmt) exec() (rowid int64, changes int, err error) {
	defer func() {
		c.kinds, c.vals, c.lens, c.text = c.kinds[:0], c.vals[:0], c.lens[:0], c.text[:0]
	}()
	if len(c.kinds) != c.n {
		panic(fmt.Sprintf("store: %d parameters for a statement of %d", len(c.kinds), c.n))
	}
	var kinds *C.uchar
	var vals *C.longlong
	var lens *C.int
	var text *C.char
	if c.n > 0 {
		kinds = (*C.uchar)(unsafe.Pointer(&c.kinds[0]))
		vals = (*C.longlong)(unsafe.Pointer(&c.vals[0]))
		lens = (*C.int)(unsafe.Pointer(&c.lens[0]))
	}
	if len(c.text) > 0 {
		text = (*C.char)(unsafe.Pointer(&c.text[0]))
	}
	r := C.iamwatch_exec(c.db, c.s, C.int(c.n), kinds, vals, lens, text, &c.out.rowid, &c.out.changes,
		&c.out.msg[0], C.int(len(c.out.msg)))
	if r != 0 {
		return 0, 0, &cError{msg: C.GoString(&c.out.msg[0]),
			se: sqlite3.Error{Code: sqlite3.ErrNo(r & 0xff), ExtendedCode: sqlite3.ErrNoExtended(r)}}
	}
	return int64(c.out.rowid), int(c.out.changes), nil
}

// cError is a failed cstmt: SQLite's message, as the driver's errors
// read, and the driver's error value underneath for errors.As.
type cError struct {
	msg string
	se  sqlite3.Error
}

func (e *cError) Error() string { return e.msg }
func (e *cError) Unwrap() error { return e.se }
