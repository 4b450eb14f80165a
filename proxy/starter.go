package proxy

import (
	"sync"
	"time"
)

// starterIdle is how long a starter waits for the next call before it
// exits.
const starterIdle = 10 * time.Second

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
}

func newStarters() *starters {
	return &starters{work: make(chan *call), stop: make(chan struct{})}
}

// start runs c.runStart on a starter.
func (p *starters) start(c *call) {
	select {
	case p.work <- c:
	default:
		go p.run(c)
	}
}

func (p *starters) run(c *call) {
	idle := time.NewTimer(starterIdle)
	defer idle.Stop()
	for {
		c.runStart()
		idle.Reset(starterIdle)
		select {
		case c = <-p.work:
		case <-idle.C:
			return
		case <-p.stop:
			return
		}
	}
}

// close makes idle starters exit, and busy ones once their call is done.
func (p *starters) close() { p.stopOnce.Do(func() { close(p.stop) }) }
