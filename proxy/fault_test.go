package proxy

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestClassify pins the fault each kind of upstream failure is recorded
// with; the errors are shaped the way net/http returns them.
func TestClassify(t *testing.T) {
	op := func(op string, errno error) error {
		return &url.Error{Op: "Post", URL: "https://x", Err: &net.OpError{Op: op, Net: "tcp", Err: os.NewSyscallError(op, errno)}}
	}
	tests := []struct {
		name   string
		err    error
		cause  error
		status int
		fault  string
	}{
		{"refused", op("dial", syscall.ECONNREFUSED), nil, 502, "upstream refused the connection"},
		{"reset on read", op("read", syscall.ECONNRESET), nil, 502, "upstream reset the connection"},
		{"reset while the body is written", fmt.Errorf("readfrom: %w", op("write", syscall.EPIPE)), nil, 502, "upstream reset the connection"},
		{"stalled", context.Canceled, errUpstreamStalled, 504, "upstream made no progress for 2s"},
		{"closed", &url.Error{Op: "Post", URL: "https://x", Err: io.EOF}, nil, 502, "upstream closed the connection without a response"},
		{"closed while writing the body", &url.Error{Op: "Post", URL: "https://x", Err: &net.OpError{Op: "readfrom", Net: "tcp", Err: &net.OpError{Op: "write", Net: "tcp", Err: net.ErrClosed}}}, nil, 502, "upstream closed the connection without a response"},
		{"dns", &net.DNSError{Err: "no such host", Name: "nowhere.invalid"}, nil, 502, "upstream host not found: nowhere.invalid"},
		{"tls", x509.UnknownAuthorityError{}, nil, 502, "upstream TLS: "},
		{"other", fmt.Errorf("something odd"), nil, 502, "upstream: something odd"},
	}
	for _, tt := range tests {
		status, _, fault := classify(tt.err, tt.cause, 2*time.Second)
		if status != tt.status || !strings.HasPrefix(fault, tt.fault) {
			t.Errorf("%s: got %d %q, want %d %q…", tt.name, status, fault, tt.status, tt.fault)
		}
	}
}
