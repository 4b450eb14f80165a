// Package csm listens for the Client-Side Monitoring (CSM) datagrams that
// AWS SDKs send over UDP when AWS_CSM_ENABLED is set, and turns each final
// ApiCall into an iamwatch.Observation.
//
// The AWS CLI, boto3, the Go SDK v1 and the JS SDK v2 emit CSM. An SDK sends
// one ApiCallAttempt per HTTP attempt, then one ApiCall for the whole call.
// Only attempts carry the access key, so the listener remembers the last
// attempt of each (sender, service, operation) and attributes the ApiCall
// that follows to its key. Attempts are never observations themselves, so
// retries are not counted twice. Session tokens in attempts are dropped on
// parsing and never kept.
package csm

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iamwatch/iamwatch"
)

// Datagram types.
const (
	TypeAPICall        = "ApiCall"
	TypeAPICallAttempt = "ApiCallAttempt"
)

// MaxDatagramSize is the largest datagram read; UDP allows no more.
const MaxDatagramSize = 64 << 10

// ErrNotCSM means a datagram is not a CSM ApiCall or ApiCallAttempt.
var ErrNotCSM = errors.New("not a CSM ApiCall or ApiCallAttempt datagram")

// Datagram is one CSM record. It deliberately has no SessionToken field:
// the token an ApiCallAttempt carries is discarded while parsing.
type Datagram struct {
	Version   Number `json:"Version"`
	ClientID  string `json:"ClientId"`
	Type      string `json:"Type"`
	Service   string `json:"Service"` // the service ID, e.g. "CloudWatch Logs"
	API       string `json:"Api"`
	Timestamp Number `json:"Timestamp"` // Unix milliseconds
	Region    string `json:"Region"`
	UserAgent string `json:"UserAgent"`

	// ApiCall fields.
	AttemptCount             Number `json:"AttemptCount"`
	FinalHTTPStatusCode      Number `json:"FinalHttpStatusCode"`
	FinalAWSException        string `json:"FinalAwsException"`
	FinalAWSExceptionMessage string `json:"FinalAwsExceptionMessage"`
	FinalSDKException        string `json:"FinalSdkException"`
	FinalSDKExceptionMessage string `json:"FinalSdkExceptionMessage"`
	Latency                  Number `json:"Latency"` // milliseconds
	MaxRetriesExceeded       Number `json:"MaxRetriesExceeded"`

	// ApiCallAttempt fields.
	Fqdn                string `json:"Fqdn"`
	HTTPStatusCode      Number `json:"HttpStatusCode"`
	AWSException        string `json:"AwsException"`
	AWSExceptionMessage string `json:"AwsExceptionMessage"`
	SDKException        string `json:"SdkException"`
	SDKExceptionMessage string `json:"SdkExceptionMessage"`
	AccessKey           string `json:"AccessKey"`
	AttemptLatency      Number `json:"AttemptLatency"` // milliseconds
}

// Number is a JSON number read leniently: integers, floats (truncated) and
// null all decode; anything else is an error.
type Number int64

// UnmarshalJSON implements json.Unmarshaler.
func (n *Number) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		*n = Number(v)
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != f || f > 1<<62 || f < -(1<<62) {
		return fmt.Errorf("bad number %.20q", s)
	}
	*n = Number(f)
	return nil
}

// Parse decodes one datagram. It fails with an error matching ErrNotCSM for
// JSON that is not an ApiCall or ApiCallAttempt naming a service and an
// operation.
func Parse(b []byte) (*Datagram, error) {
	var d Datagram
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("parse CSM datagram: %w", err)
	}
	if d.Type != TypeAPICall && d.Type != TypeAPICallAttempt {
		return nil, fmt.Errorf("parse CSM datagram of type %.40q: %w", d.Type, ErrNotCSM)
	}
	if strings.TrimSpace(d.Service) == "" || strings.TrimSpace(d.API) == "" {
		return nil, fmt.Errorf("parse CSM datagram without Service or Api: %w", ErrNotCSM)
	}
	return &d, nil
}

// Observation converts an ApiCall into an Observation. accessKey and host
// come from its last attempt, when known.
func (d *Datagram) Observation(accessKey, host string, now time.Time) *iamwatch.Observation {
	t := now
	if d.Timestamp > 0 {
		t = time.UnixMilli(int64(d.Timestamp))
	}
	return &iamwatch.Observation{
		Time:        t,
		Source:      iamwatch.SourceCSM,
		Host:        strings.ToLower(host),
		Service:     d.Service,
		API:         d.API,
		Region:      d.Region,
		AccessKeyID: accessKey,
		Status:      int(d.FinalHTTPStatusCode),
		ErrorCode:   d.FinalAWSException,
		Latency:     time.Duration(d.Latency) * time.Millisecond,
	}
}

// Stats counts what a Listener received.
type Stats struct {
	Datagrams uint64 // everything read
	Calls     uint64 // ApiCalls, each handed to Sink
	Attempts  uint64 // ApiCallAttempts
	Garbage   uint64 // datagrams that were not CSM
}

// GarbageLogInterval is the least time between two warnings about
// datagrams that are not CSM.
const GarbageLogInterval = time.Minute

// Defaults for zero-valued Listener fields.
const (
	DefaultAttemptTTL = 5 * time.Minute
	// maxPending bounds the attempts waiting for their ApiCall.
	maxPending = 4096
)

// Listener receives CSM datagrams. The zero value is ready to use.
type Listener struct {
	// Sink receives one Observation per ApiCall. Nil drops them.
	Sink func(*iamwatch.Observation)

	// Logger receives diagnostics. Nil discards them. Datagram contents
	// are never logged. Datagrams that are not CSM are reported at warn
	// level, at most once per GarbageLogInterval, with how many there
	// were: the port is open to anything on the host.
	Logger *slog.Logger

	// AttemptTTL is how long an attempt waits for its ApiCall. Zero means
	// DefaultAttemptTTL.
	AttemptTTL time.Duration

	datagrams, calls, attempts, garbage atomic.Uint64
	// The Garbage count and the time of the last warning about garbage.
	garbageMu       sync.Mutex
	garbageLoggedN  uint64
	garbageLoggedAt time.Time

	mu      sync.Mutex
	pending map[attemptKey]attempt
}

type attemptKey struct{ from, service, api string }

type attempt struct {
	accessKey, host string
	at              time.Time
}

// Stats returns the counters so far.
func (l *Listener) Stats() Stats {
	return Stats{
		Datagrams: l.datagrams.Load(),
		Calls:     l.calls.Load(),
		Attempts:  l.attempts.Load(),
		Garbage:   l.garbage.Load(),
	}
}

// Serve reads datagrams from conn until it is closed, then returns nil.
// Garbage is counted and skipped. Other read errors end Serve.
func (l *Listener) Serve(conn net.PacketConn) error {
	buf := make([]byte, MaxDatagramSize)
	for {
		n, addr, err := conn.ReadFrom(buf)
		if n > 0 {
			from := ""
			if addr != nil {
				from = addr.String()
			}
			l.Handle(buf[:n], from, time.Now())
		}
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("read CSM datagram: %w", err)
		}
	}
}

// Handle processes one datagram received from the address from at now.
// Serve calls it; it is exported for front ends that read datagrams
// themselves.
func (l *Listener) Handle(b []byte, from string, now time.Time) {
	l.datagrams.Add(1)
	d, err := Parse(b)
	if err != nil {
		l.skipped(from, len(b), err, now)
		return
	}
	key := attemptKey{from: from, service: d.Service, api: d.API}
	if d.Type == TypeAPICallAttempt {
		l.attempts.Add(1)
		l.remember(key, attempt{accessKey: d.AccessKey, host: d.Fqdn, at: now})
		return
	}
	l.calls.Add(1)
	a := l.take(key, now)
	if l.Sink != nil {
		l.Sink(d.Observation(a.accessKey, a.host, now))
	}
}

// skipped counts a datagram that is not CSM and warns about it, unless
// it did less than GarbageLogInterval ago.
func (l *Listener) skipped(from string, size int, err error, now time.Time) {
	n := l.garbage.Add(1)
	if l.Logger == nil {
		return
	}
	l.garbageMu.Lock()
	if !l.garbageLoggedAt.IsZero() && now.Sub(l.garbageLoggedAt) < GarbageLogInterval {
		l.garbageMu.Unlock()
		return
	}
	since := n - l.garbageLoggedN
	l.garbageLoggedN, l.garbageLoggedAt = n, now
	l.garbageMu.Unlock()
	// The parse error quotes the datagram; say only what kind it was.
	why := "not CSM JSON"
	if errors.Is(err, ErrNotCSM) {
		why = "JSON, but not an ApiCall or ApiCallAttempt naming a service and an operation"
	}
	l.Logger.Warn("ignored UDP datagrams on the CSM port that are not CSM records",
		"count", since, "last_from", from, "last_bytes", size, "last_reason", why)
}

func (l *Listener) ttl() time.Duration {
	if l.AttemptTTL > 0 {
		return l.AttemptTTL
	}
	return DefaultAttemptTTL
}

func (l *Listener) remember(key attemptKey, a attempt) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pending == nil {
		l.pending = make(map[attemptKey]attempt)
	}
	if _, ok := l.pending[key]; !ok && len(l.pending) >= maxPending {
		for k, p := range l.pending {
			if a.at.Sub(p.at) > l.ttl() {
				delete(l.pending, k)
			}
		}
		if len(l.pending) >= maxPending {
			clear(l.pending)
		}
	}
	l.pending[key] = a
}

// take returns and forgets the last attempt for key, if it is recent.
func (l *Listener) take(key attemptKey, now time.Time) attempt {
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.pending[key]
	if !ok {
		return attempt{}
	}
	delete(l.pending, key)
	if now.Sub(a.at) > l.ttl() {
		return attempt{}
	}
	return a
}
