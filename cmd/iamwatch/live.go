package main

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/generator"
)

// liveView keeps the policy for the calls seen so far at the bottom of a
// terminal, under the one-line call log, the way iamlive does.
//
// It never blanks what it is about to redraw: each write moves the cursor
// up over the policy on screen and overwrites it line by line, clearing
// only the rest of each line (ESC[K) and, at the end, whatever the old
// policy had below the new one (ESC[J). A redraw without a new log line
// starts at the first line that changed. Each redraw is one write, and
// redraws of the policy are throttled; a log line alone repaints the
// policy already drawn under it without generating it anew.
type liveView struct {
	w        io.Writer
	interval time.Duration
	now      func() time.Time
	// size returns the terminal's rows and columns, 0 when unknown. The
	// policy is cut to fit: the cursor cannot move up into scrollback,
	// and a line that wraps takes more rows than it counts for.
	size func() (rows, cols int)
	opts generator.Options

	mu       sync.Mutex
	uses     useSet   // distinct uses seen
	lines    []string // the policy lines on screen
	dirty    bool     // uses changed since the policy was drawn
	last     time.Time
	pending  bool
	timer    *time.Timer
	stopping bool
}

func newLiveView(w io.Writer) *liveView {
	v := &liveView{w: w, interval: 200 * time.Millisecond, now: time.Now, size: func() (int, int) { return 0, 0 },
		uses: useSet{}}
	if f, ok := w.(*os.File); ok {
		v.size = func() (int, int) { return terminalSize(f) }
	}
	return v
}

// record adds a call and its log line, then redraws the policy below it,
// or schedules that redraw when the last was less than interval ago.
func (v *liveView) record(rec *iamwatch.Record, line string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.uses.add(rec.Call) {
		v.dirty = true
	}
	lines := v.lines
	if v.dirty && v.now().Sub(v.last) >= v.interval {
		lines = v.policyLines()
	} else if v.dirty && !v.pending && !v.stopping {
		v.pending = true
		v.timer = time.AfterFunc(v.interval, v.flush)
	}
	var b bytes.Buffer
	v.cursorUp(&b, len(v.lines))
	overwrite := len(v.lines) > 0
	v.writeLine(&b, line, overwrite)
	for _, l := range lines {
		v.writeLine(&b, l, overwrite)
	}
	if overwrite {
		b.WriteString("\x1b[J")
	}
	v.lines = lines
	v.w.Write(b.Bytes())
}

// flush draws the policy a throttled record left out, from the first line
// that changed.
func (v *liveView) flush() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.pending = false
	if v.stopping {
		return
	}
	v.redraw()
}

// stop draws the final policy, leaves it on screen and stops redrawing.
func (v *liveView) stop() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.stopping = true
	if v.timer != nil {
		v.timer.Stop()
	}
	if v.dirty {
		v.redraw()
	}
	v.lines = nil
}

// redraw replaces the policy on screen with the current one, rewriting
// only the lines from the first that differs.
func (v *liveView) redraw() {
	lines := v.policyLines()
	same := 0
	for same < len(lines) && same < len(v.lines) && lines[same] == v.lines[same] {
		same++
	}
	if same == len(lines) && same == len(v.lines) {
		return
	}
	var b bytes.Buffer
	v.cursorUp(&b, len(v.lines)-same)
	for _, l := range lines[same:] {
		v.writeLine(&b, l, true)
	}
	if len(lines) < len(v.lines) {
		b.WriteString("\x1b[J")
	}
	v.lines = lines
	v.w.Write(b.Bytes())
}

// cursorUp moves to the start of the line n lines up.
func (v *liveView) cursorUp(b *bytes.Buffer, n int) {
	if n > 0 {
		b.WriteString("\x1b[" + strconv.Itoa(n) + "A\r")
	}
}

// writeLine writes one line; over old text it clears what the old line
// had beyond the new one.
func (v *liveView) writeLine(b *bytes.Buffer, line string, overwrite bool) {
	b.WriteString(line)
	if overwrite {
		b.WriteString("\x1b[K")
	}
	b.WriteByte('\n')
}

// policyLines generates the policy and returns its lines, cut to fit the
// terminal with room for the log line above it.
func (v *liveView) policyLines() []string {
	v.dirty = false
	v.last = v.now()
	var lines []string
	p, err := generator.FromUses(v.uses.list(), v.opts)
	if err == nil {
		var out []byte
		if out, err = p.JSON(); err == nil {
			lines = strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		}
	}
	if err != nil {
		lines = []string{"iamwatch: error: " + strings.ReplaceAll(err.Error(), "\n", "; ")}
	}
	rows, cols := v.size()
	if rows > 3 && len(lines) > rows-2 {
		more := len(lines) - (rows - 3)
		lines = append(lines[:rows-3:rows-3], "… "+strconv.Itoa(more)+" more lines; `iamwatch policy` prints the whole policy")
	}
	if cols > 1 {
		for i, l := range lines {
			if r := []rune(l); len(r) > cols-1 {
				lines[i] = string(r[:cols-2]) + "…"
			}
		}
	}
	return lines
}
