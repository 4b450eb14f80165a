package main

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/generator"
)

// liveView keeps the policy for the calls seen so far at the bottom of a
// terminal, under the one-line call log, the way iamlive does. Each redraw
// moves the cursor up over the previous policy and clears to the end of the
// screen in one write, so the terminal never shows a half-drawn policy, and
// redraws are throttled.
type liveView struct {
	w        io.Writer
	interval time.Duration
	now      func() time.Time

	mu       sync.Mutex
	calls    []iamwatch.Call
	drawn    int // lines of the policy on screen
	last     time.Time
	pending  bool
	timer    *time.Timer
	stopping bool
}

func newLiveView(w io.Writer) *liveView {
	return &liveView{w: w, interval: 200 * time.Millisecond, now: time.Now}
}

// record adds a call and its log line, then redraws (or schedules a
// redraw) of the policy below it.
func (v *liveView) record(rec *iamwatch.Record, line string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.calls = append(v.calls, rec.Call)
	var b bytes.Buffer
	v.erase(&b)
	b.WriteString(line)
	b.WriteByte('\n')
	if v.now().Sub(v.last) >= v.interval {
		v.drawPolicy(&b)
	} else if !v.pending && !v.stopping {
		v.pending = true
		v.timer = time.AfterFunc(v.interval, v.flush)
	}
	v.w.Write(b.Bytes())
}

// flush draws the policy a throttled record left out.
func (v *liveView) flush() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.pending = false
	if v.stopping {
		return
	}
	var b bytes.Buffer
	v.erase(&b)
	v.drawPolicy(&b)
	v.w.Write(b.Bytes())
}

// stop leaves the last policy on screen and stops redrawing.
func (v *liveView) stop() {
	v.mu.Lock()
	v.stopping = true
	if v.timer != nil {
		v.timer.Stop()
	}
	var b bytes.Buffer
	v.erase(&b)
	v.drawPolicy(&b)
	v.drawn = 0
	v.w.Write(b.Bytes())
	v.mu.Unlock()
}

// erase moves up over the drawn policy and clears to the end of the screen.
func (v *liveView) erase(b *bytes.Buffer) {
	if v.drawn > 0 {
		b.WriteString("\x1b[" + itoa(v.drawn) + "A\r\x1b[J")
		v.drawn = 0
	}
}

func (v *liveView) drawPolicy(b *bytes.Buffer) {
	out, err := generator.Generate(v.calls, generator.Options{}).JSON()
	if err != nil {
		return
	}
	b.Write(out)
	v.drawn = strings.Count(string(out), "\n")
	v.last = v.now()
}

func itoa(n int) string {
	var buf [20]byte
	i := len(buf)
	for n >= 10 {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	i--
	buf[i] = byte('0' + n)
	return string(buf[i:])
}
