package proxy

import (
	"errors"
	"io"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"
)

// countingConn counts the read deadlines that reach the connection.
type countingConn struct {
	net.Conn
	deadlines atomic.Int32
}

func (c *countingConn) SetReadDeadline(t time.Time) error {
	c.deadlines.Add(1)
	return c.Conn.SetReadDeadline(t)
}

// tcpPair returns both ends of a loopback TCP connection, the server's
// wrapped as the proxy wraps a client connection.
func tcpPair(t *testing.T) (*watchedConn, *countingConn, net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	client, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	cc := &countingConn{Conn: server}
	return &watchedConn{Conn: cc}, cc, client
}

// readAsync reads n bytes from wc on another goroutine and sends the
// read's error.
func readAsync(wc *watchedConn, n int) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := wc.Read(make([]byte, n))
		done <- err
	}()
	return done
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestParkedReadAborted is net/http's background read of a short call: a
// past deadline ends it with a timeout, having read nothing and set no
// deadline on the connection.
func TestParkedReadAborted(t *testing.T) {
	wc, cc, client := tcpPair(t)
	done := make(chan error, 1)
	go func() {
		var b [1]byte
		n, err := wc.Read(b[:])
		if n != 0 {
			err = errors.New("read a byte")
		}
		done <- err
	}()
	waitParked(t, wc)
	wc.SetReadDeadline(time.Unix(1, 0))
	if err := <-done; !isTimeout(err) {
		t.Fatalf("parked read ended with %v, want a timeout", err)
	}
	wc.SetReadDeadline(time.Time{})
	// What the client sends next is all there, for the next request.
	client.Write([]byte("GET"))
	b := make([]byte, 3)
	if _, err := io.ReadFull(wc, b); err != nil || string(b) != "GET" {
		t.Fatalf("next read %q, %v", b, err)
	}
	if n := cc.deadlines.Load(); n != 0 {
		t.Errorf("%d read deadlines reached the connection, want 0", n)
	}
}

// TestParkedReadSeesHangUp is the background read of a long call: after
// the delay it reads for real, and sees a client that hangs up.
func TestParkedReadSeesHangUp(t *testing.T) {
	wc, _, client := tcpPair(t)
	done := readAsync(wc, 1)
	time.AfterFunc(2*parkedReadDelay, func() { client.Close() })
	select {
	case err := <-done:
		if !errors.Is(err, io.EOF) {
			t.Fatalf("read ended with %v, want EOF", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the hang-up was not seen")
	}
}

// TestParkedReadReadsByte: a byte that arrives (a pipelined request) is
// read once the delay is over.
func TestParkedReadReadsByte(t *testing.T) {
	wc, _, client := tcpPair(t)
	client.Write([]byte("x"))
	var b [1]byte
	n, err := wc.Read(b[:])
	if n != 1 || err != nil || b[0] != 'x' {
		t.Fatalf("read %d %q, %v", n, b[:n], err)
	}
}

// TestDeadlineAppliedBeforeRead: a deadline set with no read waiting
// reaches the connection when a read starts, and bounds it.
func TestDeadlineAppliedBeforeRead(t *testing.T) {
	wc, cc, _ := tcpPair(t)
	wc.SetReadDeadline(time.Now().Add(time.Hour))
	wc.SetReadDeadline(time.Time{})
	wc.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if n := cc.deadlines.Load(); n != 0 {
		t.Fatalf("%d deadlines reached the connection before any read", n)
	}
	buf := make([]byte, 8)
	if _, err := wc.Read(buf); !isTimeout(err) {
		t.Fatalf("read ended with %v, want a timeout", err)
	}
	if n := cc.deadlines.Load(); n != 1 {
		t.Errorf("%d deadlines reached the connection, want 1", n)
	}
}

// TestDeadlineDuringRead: a deadline set while a read waits ends it.
func TestDeadlineDuringRead(t *testing.T) {
	wc, _, _ := tcpPair(t)
	done := readAsync(wc, 8)
	for {
		wc.dl.mu.Lock()
		reading := wc.dl.reading
		wc.dl.mu.Unlock()
		if reading > 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	wc.SetReadDeadline(time.Unix(1, 0))
	select {
	case err := <-done:
		if !isTimeout(err) {
			t.Fatalf("read ended with %v, want a timeout", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the deadline did not end the read")
	}
}

// TestFutureDeadlineWakesParkedRead: a parked read given a deadline reads
// at once, under it.
func TestFutureDeadlineWakesParkedRead(t *testing.T) {
	wc, _, _ := tcpPair(t)
	done := readAsync(wc, 1)
	waitParked(t, wc)
	wc.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	wc.dl.mu.Lock()
	parked := wc.dl.parked
	wc.dl.mu.Unlock()
	if parked {
		t.Error("still parked after a deadline was set")
	}
	if err := <-done; !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read ended with %v, want the deadline", err)
	}
}

func waitParked(t *testing.T, wc *watchedConn) {
	t.Helper()
	for range 5000 {
		wc.dl.mu.Lock()
		parked := wc.dl.parked
		wc.dl.mu.Unlock()
		if parked {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("the read did not park")
}
