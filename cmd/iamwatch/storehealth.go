package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iamwatch/iamwatch/store"
)

// What the capture does while the store fails (a full disk, a database
// made read-only): --on-store-error.
const (
	// failOpen keeps forwarding calls, warns, and counts those not stored.
	failOpen = "fail-open"
	// failClosed answers calls with a 503 until the store works again, so
	// that no call goes unrecorded.
	failClosed = "fail-closed"
)

const (
	// storeLogInterval is the least time between two warnings about
	// store failures: a full disk fails every call.
	storeLogInterval = 10 * time.Second
	// probeInterval is the least time between two checks, with
	// fail-closed, whether a failing store works again.
	probeInterval = 500 * time.Millisecond
	// probeTimeout bounds a check; a call waits for it.
	probeTimeout = 2 * time.Second
)

// storeHealth follows whether the store records what the capture gives
// it: it warns (rate-limited) when it does not, counts the calls lost,
// and with fail-closed refuses calls until a check shows the store
// writing again.
type storeHealth struct {
	db         *store.DB
	log        *slog.Logger
	failClosed bool

	failing   atomic.Bool
	notStored atomic.Int64 // calls whose record was lost
	writes    atomic.Int64 // calls handed to the store's queue

	mu         sync.Mutex
	lastErr    error
	loggedAt   time.Time
	suppressed int // failures since the last warning
	probedAt   time.Time
	probedN    int64 // writes when the last check started
	probing    bool
}

// queued notes a call handed to the store (Finish, Add) and whether
// queueing it failed.
func (h *storeHealth) queued(err error) {
	h.writes.Add(1)
	if err != nil {
		h.failed(err, true)
	}
}

// onError is the store's OnError hook: a queued call failed to commit.
func (h *storeHealth) onError(err error) { h.failed(err, true) }

// failed notes a store failure; lost says a call's record went with it.
func (h *storeHealth) failed(err error, lost bool) {
	if lost {
		h.notStored.Add(1)
	}
	h.failing.Store(true)
	now := time.Now()
	h.mu.Lock()
	h.lastErr = err
	if !h.loggedAt.IsZero() && now.Sub(h.loggedAt) < storeLogInterval {
		h.suppressed++
		h.mu.Unlock()
		return
	}
	h.loggedAt = now
	since := h.suppressed
	h.suppressed = 0
	h.mu.Unlock()
	args := []any{"err", err, "calls_not_stored", h.notStored.Load(), "failures_since_last_warning", since}
	if hint := storeHint(err, h.db.Path()); hint != "" {
		args = append(args, "hint", hint)
	}
	if h.failClosed {
		h.log.Error("iamwatch cannot write to its store: calls are refused with 503 until it can (--on-store-error=fail-closed)", args...)
		return
	}
	h.log.Error("iamwatch cannot write to its store: calls still go through but are NOT recorded (--on-store-error=fail-open)", args...)
}

// admit is the proxy's Admit with fail-closed: it refuses calls while the
// store fails, checking now and then whether it writes again.
func (h *storeHealth) admit() error {
	if !h.failing.Load() || h.recovered() {
		return nil
	}
	h.mu.Lock()
	err := h.lastErr
	h.mu.Unlock()
	why := "it failed"
	switch {
	case errors.Is(err, store.ErrFull):
		why = "the disk or database is full"
	case errors.Is(err, store.ErrReadOnly):
		why = "the database is read-only"
	case errors.Is(err, store.ErrBusy):
		why = "the database is locked"
	case errors.Is(err, store.ErrClosed):
		why = "it is closed"
	}
	return fmt.Errorf("iamwatch cannot record this call because %s (--on-store-error=fail-closed)", why)
}

// recovered checks, at most every probeInterval and one at a time,
// whether the calls queued since the last check all committed: the
// refused calls are recorded too, so they are what the check waits for.
func (h *storeHealth) recovered() bool {
	h.mu.Lock()
	if h.probing || time.Since(h.probedAt) < probeInterval {
		h.mu.Unlock()
		return false
	}
	h.probing = true
	start := h.writes.Load()
	wrote := start > h.probedN
	h.mu.Unlock()

	ok := false
	if wrote {
		ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
		ok = h.db.Flush(ctx) == nil
		cancel()
	}
	h.mu.Lock()
	h.probing, h.probedAt, h.probedN = false, time.Now(), start
	h.mu.Unlock()
	if ok && h.failing.CompareAndSwap(true, false) {
		h.log.Warn("iamwatch's store works again: calls are forwarded and recorded")
	}
	return ok
}

// summary returns the error that reports the calls lost, or nil.
func (h *storeHealth) summary() error {
	n := h.notStored.Load()
	if n == 0 {
		return nil
	}
	h.mu.Lock()
	err := h.lastErr
	h.mu.Unlock()
	noun := "calls were"
	if n == 1 {
		noun = "call was"
	}
	return hintError{fmt.Errorf("%d %s not stored: %w", n, noun, err), storeHint(err, h.db.Path())}
}
