package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/iamwatch/iamwatch"
)

// BenchmarkBeginFinish measures the proxy's write path: Begin (waits for
// its group commit) then Finish (queued), from many goroutines at once as
// concurrent requests would.
func BenchmarkBeginFinish(b *testing.B) {
	for _, bc := range []struct {
		name        string
		goroutines  int // per GOMAXPROCS
		synchronous string
	}{
		{"serial", 0, ""},
		{"parallel16", 16, ""},
		{"parallel64", 64, ""},
		{"serial-FULL", 0, "FULL"},
		{"parallel64-FULL", 64, "FULL"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			db := openTest(b, Options{synchronous: bc.synchronous})
			ctx := context.Background()
			one := func(i int) {
				rec := record("bench", i)
				id, err := db.Begin(ctx, rec)
				if err != nil {
					b.Error(err)
					return
				}
				rec.Status = 200
				if err := db.Finish(ctx, id, rec); err != nil {
					b.Error(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			if bc.goroutines == 0 {
				for i := range b.N {
					one(i)
				}
			} else {
				b.SetParallelism(bc.goroutines)
				b.RunParallel(func(pb *testing.PB) {
					i := 0
					for pb.Next() {
						one(i)
						i++
					}
				})
			}
			if err := db.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "calls/s")
		})
	}
}

// BenchmarkAdd measures the bulk path (CSM, imports): queued Adds, one
// Flush at the end.
func BenchmarkAdd(b *testing.B) {
	db := openTest(b, Options{})
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if err := db.Add(ctx, benchRecord(i)); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "calls/s")
}

// benchRecord returns call i of a synthetic workload: 4 sessions, 50
// actions over 20 services, 2,000 resources, a third of the calls with a
// possible second action.
func benchRecord(i int) *iamwatch.Record {
	svc := "svc" + strconv.Itoa(i%20)
	rec := &iamwatch.Record{
		Session:     "session" + strconv.Itoa(i%4),
		Time:        time.Unix(1_700_000_000, 0).Add(time.Duration(i) * time.Millisecond),
		Source:      iamwatch.SourceProxy,
		AccessKeyID: "AKIAIOSFODNN7EXAMPL" + strconv.Itoa(i%2),
		Call: iamwatch.Call{
			Service: svc, Operation: "Op" + strconv.Itoa(i%50), Region: "us-east-1", AccountID: "123456789012",
			Recognized: true,
			Actions: []iamwatch.ActionUse{{
				Action:    svc + ":Action" + strconv.Itoa(i%50),
				Level:     iamwatch.LevelRead,
				Resources: []string{"arn:aws:" + svc + ":us-east-1:123456789012:thing/" + strconv.Itoa(i%2000)},
				Exact:     true,
			}},
		},
		Status:  200,
		Latency: time.Millisecond,
	}
	if i%3 == 0 {
		rec.Actions = append(rec.Actions, iamwatch.ActionUse{Action: svc + ":Possible", Resources: []string{"*"}, Possible: true})
	}
	return rec
}

const bigN = 1_000_000

var big struct {
	once sync.Once
	dir  string
	path string
	took time.Duration
	err  error
}

// bigDB returns the path of a database of bigN calls, made once per test
// binary through the Add path. IAMWATCH_STORE_BENCH_DB names a database
// file to make once and reuse across runs instead.
func bigDB(b *testing.B) string {
	b.Helper()
	big.once.Do(func() {
		if p := os.Getenv("IAMWATCH_STORE_BENCH_DB"); p != "" {
			big.path = p
			if _, err := os.Stat(p); err == nil {
				return
			}
		} else {
			big.dir, big.err = os.MkdirTemp("", "iamwatch-store-bench-")
			if big.err != nil {
				return
			}
			big.path = filepath.Join(big.dir, "iamwatch.db")
		}
		db, err := Open(context.Background(), big.path)
		if err != nil {
			big.err = err
			return
		}
		start := time.Now()
		for i := range bigN {
			if err := db.Add(context.Background(), benchRecord(i)); err != nil {
				big.err = err
				break
			}
		}
		big.err = errors.Join(big.err, db.Close())
		big.took = time.Since(start)
	})
	if big.err != nil {
		b.Fatal(big.err)
	}
	if big.took > 0 {
		b.Logf("%d calls written with Add in %v (%.0f calls/s)", bigN, big.took.Round(time.Millisecond), bigN/big.took.Seconds())
	}
	return big.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if big.dir != "" {
		os.RemoveAll(big.dir)
	}
	os.Exit(code)
}

// measure resets the kernel's peak-RSS mark (Linux) and returns a func
// that reports the peak since, in MB, and the process's CPU time (user and
// system) per op, which other processes on a busy machine disturb less
// than ns/op.
func measure(b *testing.B) func() {
	runtime.GC()
	cpu0 := cpuTime()
	clearErr := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	return func() {
		b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
		if clearErr != nil {
			return
		}
		status, err := os.ReadFile("/proc/self/status")
		if err != nil {
			return
		}
		for line := range bytes.Lines(status) {
			if kb, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
				var n float64
				fmt.Sscan(string(kb), &n)
				b.ReportMetric(n/1024, "peak-RSS-MB")
			}
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkEachUse1M aggregates a million calls, as the policy generator
// does.
func BenchmarkEachUse1M(b *testing.B) {
	path := bigDB(b)
	for _, bc := range []struct {
		name string
		f    Filter
	}{
		{"all", Filter{}},
		{"one-session", Filter{Sessions: []string{"session1"}}},
		{"principal", Filter{Principal: "arn:aws:iam::123456789012:user/alice"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			db := openAt(b, path, Options{})
			if err := db.SetPrincipal(context.Background(), "AKIAIOSFODNN7EXAMPL1", "arn:aws:iam::123456789012:user/alice"); err != nil {
				b.Fatal(err)
			}
			report := measure(b)
			b.ReportAllocs()
			b.ResetTimer()
			var uses int
			var calls int64
			for range b.N {
				uses, calls = 0, 0
				err := db.EachUse(context.Background(), bc.f, func(u Use) error {
					uses++
					calls += u.Count
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			report()
			b.ReportMetric(float64(uses), "uses")
			b.ReportMetric(float64(calls), "action-uses")
		})
	}
}

// BenchmarkEachCall1M streams a million full records.
func BenchmarkEachCall1M(b *testing.B) {
	path := bigDB(b)
	db := openAt(b, path, Options{ReadOnly: true})
	report := measure(b)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		n := 0
		err := db.EachCall(context.Background(), Filter{}, func(*iamwatch.Record) error {
			n++
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if n != bigN {
			b.Fatalf("%d calls", n)
		}
	}
	b.StopTimer()
	report()
}
