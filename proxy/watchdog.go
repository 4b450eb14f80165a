package proxy

import (
	"sync"
	"sync/atomic"
	"time"
)

// An alarm gives up on a call whose upstream made no progress for d: it
// calls fire once one of its watchdogs has been running for d without a
// pause. A call has a watchdog for the request (until the response head
// arrives) and then one for the response body; each runs while the proxy
// waits for the upstream and pauses while it waits for the client.
//
// One timer serves the call's watchdogs, armed at the first resume and
// re-arming itself when it finds progress, so that pause and resume, which
// run around every read, are two atomic stores instead of timer
// operations. Most calls end long before d and stop the timer unfired.
type alarm struct {
	d    time.Duration
	fire func()

	// current is the watchdog the timer checks; an earlier one, stopped,
	// no longer counts.
	current atomic.Pointer[watchdog]

	armed atomic.Bool // the timer exists: arm's fast path

	mu     sync.Mutex
	timer  *time.Timer
	closed bool
}

// watchdog is one phase of an alarm.
type watchdog struct {
	a *alarm
	// deadline is when the watchdog fires, in monotonic nanoseconds
	// since clockBase; 0 while paused, -1 once stopped.
	deadline atomic.Int64
}

// clockBase is the origin of watchdog deadlines.
var clockBase = time.Now()

func monoNow() int64 { return int64(time.Since(clockBase)) }

func newAlarm(d time.Duration, fire func()) *alarm {
	return &alarm{d: d, fire: fire}
}

// watchdog starts a new phase, paused; the previous one stops counting.
func (a *alarm) watchdog() *watchdog {
	w := &watchdog{a: a}
	if old := a.current.Swap(w); old != nil {
		old.stop()
	}
	return w
}

// close stops the alarm for good.
func (a *alarm) close() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.closed = true
	if a.timer != nil {
		a.timer.Stop()
	}
}

// arm makes sure the timer runs: it fires within d of any resume.
func (a *alarm) arm() {
	if a.armed.Load() {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed || a.timer != nil {
		return
	}
	a.timer = time.AfterFunc(a.d, a.check)
	a.armed.Store(true)
}

// check runs when the timer fires: it fires the alarm if the current
// watchdog's deadline has passed, and otherwise re-arms the timer for
// what is left (or for d while the watchdog is paused).
func (a *alarm) check() {
	w := a.current.Load()
	next := a.d
	if w != nil {
		switch dl := w.deadline.Load(); {
		case dl < 0:
			// Stopped, and no later phase yet: keep watching for one.
		case dl == 0:
			// Paused.
		default:
			left := time.Duration(dl - monoNow())
			if left <= 0 {
				a.mu.Lock()
				closed := a.closed
				a.closed = true
				a.mu.Unlock()
				if !closed {
					a.fire()
				}
				return
			}
			next = left
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.closed {
		a.timer.Reset(next)
	}
}

func (w *watchdog) pause() {
	if dl := w.deadline.Load(); dl > 0 {
		w.deadline.CompareAndSwap(dl, 0) // lost only to another pause or a stop
	}
}

func (w *watchdog) resume() {
	for {
		dl := w.deadline.Load()
		if dl < 0 {
			return
		}
		if w.deadline.CompareAndSwap(dl, monoNow()+int64(w.a.d)) {
			break
		}
	}
	w.a.arm()
}

func (w *watchdog) stop() { w.deadline.Store(-1) }
