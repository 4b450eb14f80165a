package proxy

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iamwatch/iamwatch"
)

// TestStarters: every call's Start runs once, on goroutines that serve
// more than one call, and the starters are gone once closed.
func TestStarters(t *testing.T) {
	before := runtime.NumGoroutine()
	var started atomic.Int64
	var mu sync.Mutex
	stacks := map[*iamwatch.Observation]bool{}
	s := &Server{Recorder: RecorderFunc(func(obs *iamwatch.Observation) func(*iamwatch.Observation) {
		started.Add(1)
		mu.Lock()
		if stacks[obs] {
			t.Errorf("Start ran twice for %p", obs)
		}
		stacks[obs] = true
		mu.Unlock()
		return nil
	})}
	p := newStarters()
	const clients, each = 16, 200
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				c := &call{s: s, started: make(chan struct{})}
				p.start(c)
				c.waitStarted()
			}
		}()
	}
	wg.Wait()
	if n := started.Load(); n != clients*each {
		t.Fatalf("Start ran %d times, want %d", n, clients*each)
	}
	// At most one call per client was in flight at once; a starter
	// between two calls may briefly look busy, hence the margin.
	if extra := runtime.NumGoroutine() - before; extra > 2*clients {
		t.Errorf("%d starters for %d clients", extra, clients)
	}
	p.close()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after close, %d before", n, before)
	}
	// A call after close still runs.
	c := &call{s: s, started: make(chan struct{})}
	p.start(c)
	c.waitStarted()
}

// TestStartersExitWhenIdle: a starter that takes no call for a while
// exits, and one that keeps taking calls does not.
func TestStartersExitWhenIdle(t *testing.T) {
	defer func(d time.Duration) { starterIdle = d }(starterIdle)
	starterIdle = 50 * time.Millisecond
	s := &Server{Recorder: RecorderFunc(func(*iamwatch.Observation) func(*iamwatch.Observation) { return nil })}
	p := newStarters()
	defer p.close()
	run := func() {
		c := &call{s: s, started: make(chan struct{})}
		p.start(c)
		c.waitStarted()
	}
	// Busy for five idle periods: starters stay (one, or two when a call
	// came while the first was between its Start and its next wait).
	for end := time.Now().Add(5 * starterIdle); time.Now().Before(end); {
		run()
		time.Sleep(starterIdle / 10)
	}
	if n := p.live.Load(); n < 1 || n > 2 {
		t.Errorf("%d starters while calls kept coming one at a time, want 1 or 2", n)
	}
	deadline := time.Now().Add(5 * time.Second)
	for p.live.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := p.live.Load(); n > 0 {
		t.Errorf("%d starters still there after %s idle", n, 5*time.Second)
	}
}
