package proxy

import (
	"os"
	"sync"
	"time"
)

// A client connection served by net/http pays, for every request on it,
// for machinery that only matters when a read is actually waiting:
//
//   - the server sets and clears read deadlines around each request (idle
//     timeout, header timeout, and three more for the background read),
//     each a call into the runtime poller through tls.Conn;
//   - once the request is read, a goroutine blocks in a one-byte read to
//     notice a client that hangs up while the handler runs; when the
//     handler is done the server ends that read with a deadline in the
//     past, waits for it, and clears the deadline again.
//
// That is seven deadline calls and a read that fails with EAGAIN per
// request, about 1.5 µs of CPU (median of paired runs, 64 clients).
// watchedConn keeps the semantics and drops the cost:
//
//   - a read deadline is applied to the connection beneath only when a
//     read is about to wait on it, or is waiting already; deadlines set
//     and cleared with no read in between cost nothing;
//   - a one-byte read with no deadline (net/http's background read) first
//     parks for parkedReadDelay. Ended in that time by a past deadline,
//     as net/http ends it when the response is done, it returns a timeout
//     having read nothing; otherwise it becomes a real read, which sees a
//     client that hung up at once. A call that lasts longer than the delay
//     (a long poll, a stream) is watched exactly as before; a client that
//     hangs up during a short one is noticed when the response is written.
//
// Nothing here depends on net/http for correctness: a one-byte read from
// anyone else is only delayed.

// parkedReadDelay is how long a one-byte read waits before it reads.
const parkedReadDelay = 50 * time.Millisecond

// deadlines is the read-deadline state of a watchedConn.
type deadlines struct {
	mu      sync.Mutex
	want    time.Time // the read deadline last set
	applied time.Time // the read deadline the connection beneath has
	reading int       // reads waiting on the connection beneath
	parked  bool      // a one-byte read is parked
	wake    chan bool // ends a parked read: true to read now, false to time out
	timer   *time.Timer
}

// Read reads from the connection beneath, parking one-byte reads first.
func (c *watchedConn) Read(p []byte) (int, error) {
	if len(p) == 1 {
		return c.parkedRead(p)
	}
	return c.read(p)
}

// read applies the read deadline last set, then reads.
func (c *watchedConn) read(p []byte) (int, error) {
	d := &c.dl
	d.mu.Lock()
	if !d.want.Equal(d.applied) {
		if err := c.Conn.SetReadDeadline(d.want); err != nil {
			d.mu.Unlock()
			return 0, err
		}
		d.applied = d.want
	}
	d.reading++
	d.mu.Unlock()
	n, err := c.Conn.Read(p)
	d.mu.Lock()
	d.reading--
	d.mu.Unlock()
	return n, err
}

func (c *watchedConn) parkedRead(p []byte) (int, error) {
	d := &c.dl
	d.mu.Lock()
	if !d.want.IsZero() || d.parked {
		d.mu.Unlock()
		return c.read(p)
	}
	if d.wake == nil {
		d.wake = make(chan bool, 1)
		d.timer = time.NewTimer(parkedReadDelay)
	} else {
		d.timer.Reset(parkedReadDelay)
	}
	d.parked = true
	d.mu.Unlock()
	select {
	case now := <-d.wake:
		d.timer.Stop()
		if !now {
			return 0, os.ErrDeadlineExceeded
		}
	case <-d.timer.C:
		d.mu.Lock()
		if !d.parked {
			// Woken as the timer fired.
			d.mu.Unlock()
			if !<-d.wake {
				return 0, os.ErrDeadlineExceeded
			}
		} else {
			d.parked = false
			d.mu.Unlock()
		}
	}
	return c.read(p)
}

// SetReadDeadline records t, and applies it only if a read is waiting.
func (c *watchedConn) SetReadDeadline(t time.Time) error {
	d := &c.dl
	d.mu.Lock()
	defer d.mu.Unlock()
	d.want = t
	if d.parked && !t.IsZero() {
		// A real read would wait for t: a past one ends the parked read
		// as it would have ended the real one; a future one makes it
		// read now, under t.
		d.parked = false
		d.wake <- t.After(time.Now())
	}
	if d.reading > 0 && !t.Equal(d.applied) {
		if err := c.Conn.SetReadDeadline(t); err != nil {
			return err
		}
		d.applied = t
	}
	return nil
}

// SetDeadline sets the read deadline as SetReadDeadline does, and the
// write deadline.
func (c *watchedConn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.Conn.SetWriteDeadline(t)
}
