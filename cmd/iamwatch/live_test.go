package main

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iamwatch/iamwatch"
)

type lockedBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes []string
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes = append(l.writes, string(p))
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *lockedBuffer) lastWrite() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.writes) == 0 {
		return ""
	}
	return l.writes[len(l.writes)-1]
}

func rec(action, arn string) *iamwatch.Record {
	return &iamwatch.Record{Call: iamwatch.Call{Actions: []iamwatch.ActionUse{{Action: action, Resources: []string{arn}, Exact: true}}}}
}

// screen plays output onto a terminal that knows the sequences the live
// view uses (cursor up, carriage return, erase line, erase below; a
// newline is CR LF, as a tty in cooked mode makes it) and returns its
// lines. It fails on any other escape sequence, such as clearing the
// whole screen.
func screen(t *testing.T, out string) []string {
	t.Helper()
	var rows [][]rune
	row, col := 0, 0
	put := func(c rune) {
		for len(rows) <= row {
			rows = append(rows, nil)
		}
		for len(rows[row]) < col {
			rows[row] = append(rows[row], ' ')
		}
		if col < len(rows[row]) {
			rows[row][col] = c
		} else {
			rows[row] = append(rows[row], c)
		}
		col++
	}
	rs := []rune(out)
	for i := 0; i < len(rs); i++ {
		switch c := rs[i]; c {
		case '\n':
			row, col = row+1, 0
		case '\r':
			col = 0
		case '\x1b':
			j := i + 2
			for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
				j++
			}
			if i+1 >= len(rs) || rs[i+1] != '[' || j >= len(rs) {
				t.Fatalf("bad escape at %d: %q", i, string(rs[i:]))
			}
			n, _ := strconv.Atoi(string(rs[i+2 : j]))
			switch rs[j] {
			case 'A':
				row = max(0, row-n)
			case 'K':
				if row < len(rows) && col < len(rows[row]) {
					rows[row] = rows[row][:col]
				}
			case 'J':
				if row < len(rows) {
					if col < len(rows[row]) {
						rows[row] = rows[row][:col]
					}
					rows = rows[:row+1]
				}
			default:
				t.Fatalf("unexpected escape sequence %q", string(rs[i:j+1]))
			}
			i = j
		default:
			put(c)
		}
	}
	var lines []string
	for _, r := range rows {
		lines = append(lines, string(r))
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// TestLiveViewRedrawsInPlace: the screen always shows every log line and,
// below them, the policy for the calls so far; redraws move the cursor up
// over the policy and overwrite it in one write, never blanking it first,
// and a redraw without a new call rewrites only the lines that changed.
func TestLiveViewRedrawsInPlace(t *testing.T) {
	var out lockedBuffer
	clock := time.Unix(0, 0)
	v := newLiveView(&out)
	v.now = func() time.Time { return clock }
	v.interval = 50 * time.Millisecond
	policyLines := func() []string {
		v.mu.Lock()
		defer v.mu.Unlock()
		return append([]string(nil), v.lines...)
	}

	v.record(rec("s3:GetObject", "arn:aws:s3:::b/k"), "call 1")
	first := out.String()
	if !strings.HasPrefix(first, "call 1\n{") || strings.Contains(first, "\x1b[") {
		t.Fatalf("first draw: %q", first)
	}
	lines := strings.Count(first, "\n") - 1 // the policy's lines

	clock = clock.Add(time.Second)
	v.record(rec("s3:PutObject", "arn:aws:s3:::b/k"), "call 2")
	second := out.lastWrite()
	if want := "\x1b[" + strconv.Itoa(lines) + "A\rcall 2\x1b[K\n{\x1b[K\n"; !strings.HasPrefix(second, want) || !strings.Contains(second, "s3:PutObject") {
		t.Fatalf("second draw: %q, want it to start with %q", second, want)
	}
	if got, want := screen(t, out.String()), append([]string{"call 1", "call 2"}, policyLines()...); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("screen:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Within the interval: the line now, under it the policy as it was,
	// and the new policy a moment later.
	before := policyLines()
	v.record(rec("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:q"), "call 3")
	if strings.Contains(out.lastWrite(), "sqs:SendMessage") {
		t.Fatalf("throttled draw: %q", out.lastWrite())
	}
	if got := screen(t, out.String()); strings.Join(got, "\n") != strings.Join(append([]string{"call 1", "call 2", "call 3"}, before...), "\n") {
		t.Fatalf("throttled screen:\n%s", strings.Join(got, "\n"))
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), `"sqs:SendMessage"`) {
		if time.Now().After(deadline) {
			t.Fatal("the throttled policy was never drawn")
		}
		time.Sleep(10 * time.Millisecond)
	}
	flushed := out.lastWrite()
	after := policyLines()
	same := 0
	for same < len(before) && before[same] == after[same] {
		same++
	}
	if same == 0 {
		t.Errorf("the policy changed from its first line: %q", after)
	}
	if want := "\x1b[" + strconv.Itoa(len(before)-same) + "A\r"; !strings.HasPrefix(flushed, want) {
		t.Errorf("the flush starts %q, want %q", flushed, want)
	}
	v.stop()
	got := screen(t, out.String())
	if want := append([]string{"call 1", "call 2", "call 3"}, after...); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("final screen:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if strings.Count(out.String(), "call 3") != 1 {
		t.Error("a call line was drawn twice")
	}
}

// TestLiveViewFitsTheTerminal: a policy taller or wider than the terminal
// is cut, so that moving up over it never reaches into scrollback.
func TestLiveViewFitsTheTerminal(t *testing.T) {
	var out lockedBuffer
	v := newLiveView(&out)
	v.size = func() (int, int) { return 10, 40 }
	v.interval = 0 // every call redraws
	for i := range 20 {
		v.record(rec("s3:GetObject", "arn:aws:s3:::bucket/key-"+strconv.Itoa(i)), "call")
	}
	v.stop()
	lines := v.policyLines()
	if len(lines) != 8 || !strings.Contains(lines[7], "more lines") {
		t.Errorf("policy lines on a 10-row terminal: %q", lines)
	}
	for _, l := range lines {
		if len([]rune(l)) > 39 {
			t.Errorf("line wider than the terminal: %q", l)
		}
	}
}

// TestLiveViewShowsErrors: a call the catalog rejects shows the error in
// place of the policy instead of stopping the proxy.
func TestLiveViewShowsErrors(t *testing.T) {
	var out lockedBuffer
	v := newLiveView(&out)
	v.record(rec("s3:NoSuchAction", "*"), "call 1")
	v.stop()
	if !strings.Contains(out.String(), "iamwatch: error: invalid policy") {
		t.Errorf("output: %q", out.String())
	}
}
