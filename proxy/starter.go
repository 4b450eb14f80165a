package proxy

import (
	"sync"
	"sync/atomic"
	"time"
)

// starterIdle is about how long a starter waits for the next call before
// it exits (between one and two of it).
var starterIdle = 10 * time.Second // tests shorten it

// starters run the Recorder's Start calls on goroutines that live on
// between calls. Start runs beside the upstream request, so it needs a
// goroutine of its own; a new one per call had to grow (copy) its stack to
// what mapping a request takes, every call, at a few microseconds each. A
// call goes to an idle starter when there is one, or to a new one; a
// starter exits after starterIdle without work, and once the server stops.
type starters struct {
	work     chan *call
	stop     chan struct{}
	stopOnce sync.Once
	live     atomic.Int32 // starters running
}

func newStarters() *starters {
	return &starters{work: make(chan *call), stop: make(chan struct{})}
}

// start runs c.runStart on a starter.
func (p *starters) start(c *call) {
	select {
	case p.work <- c:
	default:
		p.live.Add(1)
		go p.run(c)
	}
}

func (p *starters) run(c *call) {
	// A ticker, not a timer reset after every call: a starter exits at
	// the first tick that finds it took no call since the one before, so
	// after between one and two starterIdle of idleness.
	defer p.live.Add(-1)
	tick := time.NewTicker(starterIdle)
	defer tick.Stop()
	busy := true
	for {
		c.runStart()
		for c = nil; c == nil; {
			select {
			case c = <-p.work:
				busy = true
			case <-tick.C:
				if !busy {
					return
				}
				busy = false
			case <-p.stop:
				return
			}
		}
	}
}

// close makes idle starters exit, and busy ones once their call is done.
func (p *starters) close() { p.stopOnce.Do(func() { close(p.stop) }) }
