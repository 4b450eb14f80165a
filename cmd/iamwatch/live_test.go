package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iamwatch/iamwatch"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func rec(action, arn string) *iamwatch.Record {
	return &iamwatch.Record{Call: iamwatch.Call{Actions: []iamwatch.ActionUse{{Action: action, Resources: []string{arn}, Exact: true}}}}
}

// TestLiveViewRedrawsInPlace: every redraw first moves the cursor up over
// exactly the lines of the policy it drew last and clears below, in the
// same write as the new content; throttled redraws catch up.
func TestLiveViewRedrawsInPlace(t *testing.T) {
	var out lockedBuffer
	clock := time.Unix(0, 0)
	v := newLiveView(&out)
	v.now = func() time.Time { return clock }
	v.interval = 50 * time.Millisecond

	v.record(rec("s3:GetObject", "arn:aws:s3:::b/k"), "call 1")
	first := out.String()
	if !strings.HasPrefix(first, "call 1\n{") || strings.Contains(first, "\x1b[") {
		t.Fatalf("first draw: %q", first)
	}
	lines := strings.Count(first, "\n") - 1 // the policy's lines

	clock = clock.Add(time.Second)
	v.record(rec("s3:PutObject", "arn:aws:s3:::b/k"), "call 2")
	second := strings.TrimPrefix(out.String(), first)
	wantErase := "\x1b[" + itoa(lines) + "A\r\x1b[J"
	if !strings.HasPrefix(second, wantErase+"call 2\n{") || !strings.Contains(second, "s3:PutObject") {
		t.Fatalf("second draw: %q, want it to start with %q", second, wantErase)
	}

	// Within the interval: the line now, the policy a moment later.
	v.record(rec("sqs:SendMessage", "arn:aws:sqs:us-east-1:1:q"), "call 3")
	third := strings.TrimPrefix(out.String(), first+second)
	if strings.Contains(third, "sqs:SendMessage") || !strings.Contains(third, "call 3") {
		t.Fatalf("throttled draw: %q", third)
	}
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(out.String(), `"sqs:SendMessage"`) {
		if time.Now().After(deadline) {
			t.Fatal("the throttled policy was never drawn")
		}
		time.Sleep(10 * time.Millisecond)
	}
	v.stop()
	if strings.Count(out.String(), "call 3") != 1 {
		t.Error("a call line was drawn twice")
	}
}
