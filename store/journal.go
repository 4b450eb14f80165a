package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// With Options.Journal, Begin does not wait for a database commit: it
// appends the call's row to a journal file beside the database
// (PATH.journal.PID, one per process, so that processes sharing a
// database keep apart; mode 0600) and returns once the line is in the
// file's pages in the kernel, which the call survives however the process
// dies (SIGKILL, a panic), though not a power cut. Finish then writes the
// call to the database once, whole. Open replays what a dead process left
// in the journal: every call that was begun but not committed is stored,
// pending, as Begin would have left it; calls already in the database are
// skipped by their uid.
//
// The journal is mapped into memory (MAP_SHARED) where the system allows,
// so a Begin copies its line into the file without a system call. The
// file is grown ahead of the lines, journalChunk at a time, by writing
// zeros, which allocates its blocks: a full disk fails that write, never a
// store into the mapping (SIGBUS). Lines are followed by that zero
// padding, which readJournal skips. Where nothing can be mapped, each
// line is written with pwrite(2).
//
// This takes the database commit off the proxy's response path and halves
// the writer's work per call.

// journalRotateSize is the size past which the journal is rewritten with
// the calls still in flight (rotated), at first: it doubles whenever those
// calls alone fill half of it, up to journalMaxSize, which is also how much
// of a file is mapped. Small, so that a process reaches the spare (and
// stops touching new pages) after a few thousand calls; growing, so that
// many calls in flight at once (long polls) do not rotate it again and
// again. journalChunk is how much the file grows at once.
const (
	journalRotateSize = 1 << 20
	journalMaxSize    = 4 << 20
	journalChunk      = 64 << 10
)

// journalZeros is what the file grows by.
var journalZeros [journalChunk]byte

type journal struct {
	mu       sync.Mutex
	f        *os.File
	m        []byte // f mapped, journalMaxSize long; nil where it cannot be
	path     string
	size     int64 // bytes of lines in f
	alloc    int64 // bytes of f written (lines and zeros): size ≤ alloc
	maxSize  int64 // the rotation size: journalRotateSize and up; tests lower it
	next     int64
	inflight map[int64]*row // by the provisional (negative) ID Begin returned

	// A rotation renames the journal to path.N and starts a new one with
	// the calls still in flight; rotated files are removed once the calls
	// they hold are committed, by a goroutine that Flushes meanwhile.
	rotations int
	rotated   sync.WaitGroup

	// spare is a rotated journal whose calls are all committed, zeroed
	// and renamed PATH.spare, for the next rotation to take up instead of
	// a new file. Its pages stay mapped: a new file's first touch of each
	// page was a page fault, a few microseconds each on some machines,
	// about one for every eight calls. Guarded by spareMu, not mu, which
	// closeJournal holds while the rotations' goroutines end.
	spareMu sync.Mutex
	spare   *journalFile
}

// journalFile is a journal's file, mapped (m) where the system allows,
// with alloc bytes written.
type journalFile struct {
	f     *os.File
	m     []byte
	path  string
	alloc int64
}

func (jf *journalFile) close() {
	if jf.m != nil {
		unmapJournal(jf.m)
	}
	jf.f.Close()
}

// lineBufs hold journal lines while they are encoded: one per Begin would
// be most of what a captured call allocates.
var lineBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// jrow is a row as the journal writes it.
type jrow struct {
	UID        string      `json:"uid"`
	Session    string      `json:"session"`
	TimeNS     int64       `json:"time_ns"`
	Source     string      `json:"source,omitempty"`
	AccessKey  string      `json:"access_key_id,omitempty"`
	Principal  string      `json:"principal_arn,omitempty"`
	Service    string      `json:"service,omitempty"`
	ServiceID  string      `json:"service_id,omitempty"`
	Model      string      `json:"model,omitempty"`
	Protocol   string      `json:"protocol,omitempty"`
	Operation  string      `json:"operation,omitempty"`
	Region     string      `json:"region,omitempty"`
	Account    string      `json:"account_id,omitempty"`
	Reason     string      `json:"reason,omitempty"`
	Recognized bool        `json:"recognized,omitempty"`
	Conditions string      `json:"conditions,omitempty"`
	Labels     [][2]string `json:"labels,omitempty"`
	Actions    []jaction   `json:"actions,omitempty"`
}

type jaction struct {
	Action     string   `json:"action"`
	Level      string   `json:"level,omitempty"`
	Reason     string   `json:"reason,omitempty"`
	Exact      bool     `json:"exact,omitempty"`
	Possible   bool     `json:"possible,omitempty"`
	Conditions string   `json:"conditions,omitempty"`
	Resources  []string `json:"resources,omitempty"`
}

// appendJRow appends r to b as the JSON of its jrow. It is what
// json.Marshal(jrow) reads back as (a test holds it to that) without the
// reflection, because Begin writes one for every call.
func appendJRow(b []byte, r *row) []byte {
	str := func(name, v string) {
		if v != "" {
			b = append(b, ',', '"')
			b = append(b, name...)
			b = append(b, '"', ':')
			b = appendJSONString(b, v)
		}
	}
	b = append(b, `{"uid":`...)
	b = appendJSONString(b, r.uid)
	str("session", r.session)
	b = append(b, `,"time_ns":`...)
	b = strconv.AppendInt(b, r.timeNS, 10)
	str("source", r.source)
	str("access_key_id", r.accessKeyID)
	str("principal_arn", r.principal)
	str("service", r.service)
	str("service_id", r.serviceID)
	str("model", r.model)
	str("protocol", r.protocol)
	str("operation", r.operation)
	str("region", r.region)
	str("account_id", r.account)
	str("reason", r.reason)
	if r.recognized {
		b = append(b, `,"recognized":true`...)
	}
	str("conditions", r.conditions)
	if len(r.labels) > 0 {
		b = append(b, `,"labels":[`...)
		for i, l := range r.labels {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			b = appendJSONString(b, l[0])
			b = append(b, ',')
			b = appendJSONString(b, l[1])
			b = append(b, ']')
		}
		b = append(b, ']')
	}
	if len(r.actions) > 0 {
		b = append(b, `,"actions":[`...)
		for i, a := range r.actions {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"action":`...)
			b = appendJSONString(b, a.action)
			str("level", a.level)
			str("reason", a.reason)
			if a.exact {
				b = append(b, `,"exact":true`...)
			}
			if a.possible {
				b = append(b, `,"possible":true`...)
			}
			str("conditions", a.conditions)
			if len(a.resources) > 0 {
				b = append(b, `,"resources":[`...)
				for k, res := range a.resources {
					if k > 0 {
						b = append(b, ',')
					}
					b = appendJSONString(b, res)
				}
				b = append(b, ']')
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}', '\n')
}

func (j jrow) row() *row {
	r := &row{uid: j.UID, session: j.Session, timeNS: j.TimeNS, source: j.Source, accessKeyID: j.AccessKey,
		principal: j.Principal, service: j.Service, serviceID: j.ServiceID, model: j.Model, protocol: j.Protocol,
		operation: j.Operation, region: j.Region, account: j.Account, reason: j.Reason, recognized: j.Recognized,
		conditions: j.Conditions, labels: j.Labels, pending: true}
	for _, a := range j.Actions {
		r.actions = append(r.actions, actionRow{action: a.Action, level: a.Level, reason: a.Reason, exact: a.Exact,
			possible: a.Possible, conditions: a.Conditions, resources: a.Resources})
	}
	return r
}

// openJournal replays what the journals of dead processes hold into the
// database, removes them, and starts this process's journal.
func (db *DB) openJournal(ctx context.Context) error {
	olds, _ := filepath.Glob(db.path + ".journal.*")
	for _, old := range olds {
		// PATH.journal.PID, or PATH.journal.PID.N rotated from it.
		name := old[len(db.path+".journal."):]
		if pidText, ok := strings.CutSuffix(name, ".tmp"); ok {
			// A rewrite that an earlier iamwatch left when it died
			// before renaming it over PATH.journal.PID, which still
			// holds every call it held: nothing to replay.
			if pid, err := strconv.Atoi(pidText); err == nil && pid != os.Getpid() && !processAlive(pid) {
				os.Remove(old)
			}
			continue
		}
		if pidText, ok := strings.CutSuffix(name, ".spare"); ok {
			// A dead process's spare holds zeros, or calls that were
			// committed before it was zeroed: nothing to replay.
			if pid, err := strconv.Atoi(pidText); err == nil && pid != os.Getpid() && !processAlive(pid) {
				os.Remove(old)
			}
			continue
		}
		if i := strings.IndexByte(name, '.'); i >= 0 {
			if _, err := strconv.Atoi(name[i+1:]); err != nil {
				continue
			}
			name = name[:i]
		}
		pid, err := strconv.Atoi(name)
		if err != nil || (pid != os.Getpid() && processAlive(pid)) {
			continue // another process's live journal, or not a journal
		}
		rows, err := readJournal(old)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := db.send(ctx, &op{kind: opAdd, row: r}); err != nil {
				return fmt.Errorf("replay journal: %w", err)
			}
		}
		if err := db.Flush(ctx); err != nil {
			return fmt.Errorf("replay journal: %w", err)
		}
		if len(rows) > 0 {
			db.log.Info("store: replayed calls a stopped process had begun", "calls", len(rows), "journal", old)
		}
		if err := os.Remove(old); err != nil {
			return fmt.Errorf("replay journal: %w", err)
		}
	}
	path := fmt.Sprintf("%s.journal.%d", db.path, os.Getpid())
	f, m, err := createJournal(path)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS) {
			return fmt.Errorf("open journal: %w: %w", ErrReadOnly, err)
		}
		return fmt.Errorf("open journal: %w", err)
	}
	db.j = &journal{f: f, m: m, path: path, maxSize: journalRotateSize, inflight: map[int64]*row{}}
	return nil
}

// createJournal creates an empty journal file at path and maps it.
func createJournal(path string) (*os.File, []byte, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, nil, err
	}
	return f, mapJournal(f, journalMaxSize), nil
}

// closeFile unmaps and closes the journal's file.
func (j *journal) closeFile() error {
	if j.m != nil {
		unmapJournal(j.m)
		j.m = nil
	}
	return j.f.Close()
}

// append writes line after the journal's lines, growing the file first
// when the line does not fit in what is allocated. j.mu is held.
func (j *journal) append(line []byte) error {
	end := j.size + int64(len(line))
	if end > j.alloc {
		grown := min((end+journalChunk-1)/journalChunk*journalChunk, max(j.maxSize, end))
		if j.m != nil {
			grown = min(grown, int64(len(j.m)))
			if end > grown {
				return fmt.Errorf("a line of %d bytes does not fit in the journal", len(line))
			}
		}
		for j.alloc < grown {
			n, err := j.f.WriteAt(journalZeros[:min(grown-j.alloc, journalChunk)], j.alloc)
			j.alloc += int64(n)
			if err != nil {
				return err
			}
		}
	}
	if j.m != nil {
		copy(j.m[j.size:], line)
	} else if _, err := j.f.WriteAt(line, j.size); err != nil {
		return err
	}
	j.size = end
	return nil
}

// readJournal reads the rows of a journal. What is not a whole line of
// JSON is skipped: the zeros the file grew by, and a line that a dying
// process left half copied.
func readJournal(path string) ([]*row, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	defer f.Close()
	var rows []*row
	br := bufio.NewReaderSize(f, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		// Zeros are padding: the file grows ahead of its lines.
		line = bytes.TrimLeft(line, "\x00")
		if len(line) > 0 && line[len(line)-1] == '\n' {
			var j jrow
			if json.Unmarshal(line, &j) == nil && j.UID != "" && j.Session != "" {
				rows = append(rows, j.row())
			}
		}
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return rows, fmt.Errorf("read journal: %w", err)
		}
	}
}

// journalBegin appends r to the journal and returns its provisional ID.
func (db *DB) journalBegin(ctx context.Context, r *row) (int64, error) {
	bufp := lineBufs.Get().(*[]byte)
	line := appendJRow((*bufp)[:0], r)
	defer func() {
		if cap(line) <= 64<<10 {
			*bufp = line
			lineBufs.Put(bufp)
		}
	}()
	j := db.j
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return 0, ErrClosed
	}
	if j.size+int64(len(line)) > j.maxSize {
		// A new file, started from the calls in flight, bounds the
		// journal.
		if err := db.rotateJournal(); err != nil {
			return 0, err
		}
	}
	if err := j.append(line); err != nil {
		// This call is not journaled; the caller records it another
		// way (Add).
		return 0, fmt.Errorf("write journal: %w", err)
	}
	j.next--
	j.inflight[j.next] = r
	return j.next, nil
}

// rotateJournal renames the journal to path.N and starts a new one with
// the calls still in flight, so that the new file holds every call the
// journal still answers for. The calls of the old file that are finished
// are queued for the database or committed; a goroutine retires the old
// file once a Flush has committed them: it becomes the spare, or is
// removed. The new file is the spare when there is one. Nothing waits for
// the database here: Begins go on meanwhile. j.mu is held.
func (db *DB) rotateJournal() error {
	j := db.j
	old := fmt.Sprintf("%s.%d", j.path, j.rotations+1)
	if err := os.Rename(j.path, old); err != nil {
		return fmt.Errorf("rotate journal: %w", err)
	}
	next := &journal{maxSize: j.maxSize}
	j.spareMu.Lock()
	if sp := j.spare; sp != nil {
		j.spare = nil
		if err := os.Rename(sp.path, j.path); err == nil {
			next.f, next.m, next.alloc = sp.f, sp.m, sp.alloc
		} else {
			sp.close()
			os.Remove(sp.path)
		}
	}
	j.spareMu.Unlock()
	if next.f == nil {
		// On failure the old file goes back: it still holds the calls
		// in flight. This Begin fails and is added whole; the next one
		// tries again.
		f, m, err := createJournal(j.path)
		if err != nil {
			os.Rename(old, j.path)
			return fmt.Errorf("rotate journal: %w", err)
		}
		next.f, next.m = f, m
	}
	var buf []byte
	for _, r := range j.inflight {
		buf = appendJRow(buf, r)
	}
	if err := next.append(buf); err != nil {
		next.closeFile()
		os.Rename(old, j.path)
		return fmt.Errorf("rotate journal: %w", err)
	}
	j.rotations++
	if next.size > j.maxSize/2 {
		j.maxSize = min(2*j.maxSize, journalMaxSize)
	}
	retired := &journalFile{f: j.f, m: j.m, path: old, alloc: j.alloc}
	size := j.size
	j.f, j.m, j.size, j.alloc = next.f, next.m, next.size, next.alloc
	j.rotated.Add(1)
	go func() {
		defer j.rotated.Done()
		// The old file holds no call in flight any more: once what was
		// queued before now is committed, it answers for nothing. If
		// the Flush fails, it stays, for the next Open to replay.
		if err := db.Flush(context.Background()); err != nil {
			retired.close()
			return
		}
		db.retireJournal(retired, size)
	}()
	return nil
}

// retireJournal makes jf, a rotated journal whose calls are all committed
// and whose lines take size bytes, the spare when it is mapped and there
// is none, and removes it otherwise.
func (db *DB) retireJournal(jf *journalFile, size int64) {
	j := db.j
	if jf.m != nil {
		// Zeros are what a journal grows by: a spare reads as empty,
		// and whatever a crash leaves half zeroed is lines already
		// committed, or pieces of lines, which a replay skips.
		clear(jf.m[:size])
		spare := j.path + ".spare"
		j.spareMu.Lock()
		if j.spare == nil && os.Rename(jf.path, spare) == nil {
			jf.path = spare
			j.spare, jf = jf, nil
		}
		j.spareMu.Unlock()
		if jf == nil {
			return
		}
	}
	jf.close()
	if err := os.Remove(jf.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		db.log.Warn("store: cannot remove a rotated journal", "path", jf.path, "err", err)
	}
}

// take removes the call Begin journaled under id from the calls in flight
// and returns its row.
func (j *journal) take(id int64) (*row, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	r, ok := j.inflight[id]
	if !ok {
		return nil, fmt.Errorf("call %d: %w", id, ErrNotFound)
	}
	delete(j.inflight, id)
	return r, nil
}

// journalFinish writes the call Begin journaled under id, merged with
// Finish's row, to the database.
func (db *DB) journalFinish(ctx context.Context, id int64, r *row) error {
	begun, err := db.j.take(id)
	if err != nil {
		return err
	}
	// As Finish documents: session, time and source stay Begin's; labels
	// add up; the access key and principal change only when given.
	r.uid, r.session, r.timeNS, r.source = begun.uid, begun.session, begun.timeNS, begun.source
	r.labels = append(append([][2]string(nil), begun.labels...), r.labels...)
	if r.accessKeyID == "" {
		r.accessKeyID = begun.accessKeyID
	}
	if r.principal == "" {
		r.principal = begun.principal
	}
	return db.send(ctx, &op{kind: opAdd, row: r})
}

// journalEnd writes the call Begin journaled under id to the database with
// its outcome.
func (db *DB) journalEnd(ctx context.Context, id int64, status int, errorCode string, latencyNS int64) error {
	begun, err := db.j.take(id)
	if err != nil {
		return err
	}
	// begun is no longer shared: the journal forgot it.
	begun.pending = false
	begun.status, begun.errorCode, begun.latencyNS = status, errorCode, latencyNS
	return db.send(ctx, &op{kind: opAdd, row: begun})
}

// closeJournal stores the calls still in flight as pending, commits, and
// removes the journal and any rotated ones.
func (db *DB) closeJournal(ctx context.Context) error {
	j := db.j
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	for id, r := range j.inflight {
		if err := db.send(ctx, &op{kind: opAdd, row: r}); err != nil {
			return err
		}
		delete(j.inflight, id)
	}
	err := db.Flush(ctx)
	// The rotations' goroutines Flush too; they are done once the writer
	// has answered them.
	j.rotated.Wait()
	j.spareMu.Lock()
	if sp := j.spare; sp != nil {
		j.spare = nil
		sp.close()
		os.Remove(sp.path)
	}
	j.spareMu.Unlock()
	if err != nil {
		// The journal files stay, for the next Open to replay; the
		// descriptor goes.
		j.closeFile()
		j.f = nil
		return err
	}
	j.closeFile()
	j.f = nil
	rotated, _ := filepath.Glob(j.path + ".*")
	for _, p := range rotated {
		if _, err := strconv.Atoi(p[len(j.path)+1:]); err == nil {
			os.Remove(p)
		}
	}
	return os.Remove(j.path)
}
