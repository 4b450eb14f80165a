package main

import (
	"bytes"
	"io"
	"sync"
	"time"
)

// lineBuffer collects the per-call lines of `proxy` and `run --verbose` and
// writes them out every flushEvery, or once maxBuffered bytes wait: under
// load a write(2) per call to stderr costs the proxy more than the line is
// worth, and a person reading the lines sees no difference.
type lineBuffer struct {
	mu   sync.Mutex
	w    io.Writer
	buf  bytes.Buffer
	stop chan struct{}
	done chan struct{}
}

const (
	flushEvery  = 100 * time.Millisecond
	maxBuffered = 64 << 10
)

func newLineBuffer(w io.Writer) *lineBuffer {
	b := &lineBuffer{w: w, stop: make(chan struct{}), done: make(chan struct{})}
	go b.loop()
	return b
}

func (b *lineBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if b.buf.Len() >= maxBuffered {
		b.flushLocked()
	}
	return len(p), nil
}

func (b *lineBuffer) loop() {
	defer close(b.done)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			b.Flush()
		case <-b.stop:
			b.Flush()
			return
		}
	}
}

// Flush writes what waits.
func (b *lineBuffer) Flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
}

func (b *lineBuffer) flushLocked() {
	if b.buf.Len() > 0 {
		b.w.Write(b.buf.Bytes())
		b.buf.Reset()
	}
}

// Close writes what waits and stops the flusher.
func (b *lineBuffer) Close() error {
	close(b.stop)
	<-b.done
	return nil
}
