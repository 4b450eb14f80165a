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
