package main

import (
	"strings"
	"testing"
	"time"
)

func TestLineBuffer(t *testing.T) {
	var out lockedBuffer
	b := newLineBuffer(&out)
	b.Write([]byte("one\n"))
	b.Write([]byte("two\n"))
	// The flusher writes within flushEvery; poll rather than sleep a
	// fixed time.
	deadline := time.Now().Add(5 * time.Second)
	for out.String() != "one\ntwo\n" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := out.String(); got != "one\ntwo\n" {
		t.Fatalf("after a flush period: %q", got)
	}
	big := strings.Repeat("x", maxBuffered) + "\n"
	b.Write([]byte(big)) // at the cap: written at once
	if got := out.String(); got != "one\ntwo\n"+big {
		t.Errorf("a full buffer was not written at once (%d bytes out)", len(got))
	}
	b.Write([]byte("last\n"))
	b.Close()
	if got := out.String(); !strings.HasSuffix(got, "last\n") {
		t.Errorf("Close did not flush: ...%q", got[max(0, len(got)-10):])
	}
}
