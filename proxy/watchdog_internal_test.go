package proxy

import (
	"testing"
	"time"
)

// TestAlarm: an alarm fires once a watchdog has run for d without a pause,
// never while it is paused or stopped, and not after close.
func TestAlarm(t *testing.T) {
	const d = 60 * time.Millisecond
	fired := func(a *alarm, ch chan time.Time, within time.Duration) bool {
		t.Helper()
		select {
		case <-ch:
			return true
		case <-time.After(within):
			return false
		}
	}
	newTest := func() (*alarm, chan time.Time) {
		ch := make(chan time.Time, 2)
		a := newAlarm(d, func() { ch <- time.Now() })
		t.Cleanup(a.close)
		return a, ch
	}

	t.Run("running", func(t *testing.T) {
		a, ch := newTest()
		w := a.watchdog()
		start := time.Now()
		w.resume()
		if !fired(a, ch, 10*d) {
			t.Fatal("did not fire")
		}
		if took := time.Since(start); took < d {
			t.Errorf("fired after %v, before d = %v", took, d)
		}
		if fired(a, ch, 3*d) {
			t.Error("fired twice")
		}
	})
	t.Run("paused", func(t *testing.T) {
		a, ch := newTest()
		w := a.watchdog()
		w.resume()
		w.pause()
		if fired(a, ch, 4*d) {
			t.Error("fired while paused")
		}
		w.resume()
		if !fired(a, ch, 10*d) {
			t.Error("did not fire once resumed")
		}
	})
	t.Run("progress", func(t *testing.T) {
		a, ch := newTest()
		w := a.watchdog()
		// Reads that each return within d: 5d in all, no stall.
		for end := time.Now().Add(5 * d); time.Now().Before(end); {
			w.resume()
			time.Sleep(d / 4) // the upstream's time to answer a read
			w.pause()
		}
		if fired(a, ch, d/2) {
			t.Error("fired although every read made progress within d")
		}
	})
	t.Run("phases", func(t *testing.T) {
		a, ch := newTest()
		head := a.watchdog()
		head.resume()
		head.stop()
		head.resume() // a late read of the request body: ignored
		if fired(a, ch, 3*d) {
			t.Fatal("a stopped watchdog fired")
		}
		body := a.watchdog()
		body.resume()
		if !fired(a, ch, 10*d) {
			t.Error("the body's watchdog did not fire")
		}
	})
	t.Run("closed", func(t *testing.T) {
		a, ch := newTest()
		w := a.watchdog()
		w.resume()
		a.close()
		if fired(a, ch, 3*d) {
			t.Error("fired after close")
		}
	})
}
