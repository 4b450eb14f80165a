//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/generator"
	"github.com/iamwatch/iamwatch/store"
)

// policyBenchCalls is how many calls the policy benchmark's store holds.
const policyBenchCalls = 1_000_000

// policyBenchCall returns call i of a day of a typical service: it reads
// objects under a few S3 prefixes (5,000 distinct keys), uploads objects
// under new names (a tenth of all calls, each key new),
// queries three DynamoDB tables and their indexes, works two SQS queues,
// decrypts with KMS, writes logs and asks STS who it is, in two regions.
// A third of the S3 writes may need kms:GenerateDataKey (possible).
func policyBenchCall(i int) *iamwatch.Record {
	const acct = "123456789012"
	region := "us-east-1"
	if i%10 == 9 {
		region = "eu-west-1"
	}
	var u []iamwatch.ActionUse
	exact := func(action, arn string) iamwatch.ActionUse {
		return iamwatch.ActionUse{Action: action, Resources: []string{arn}, Exact: true}
	}
	key := "arn:aws:s3:::app-data-" + acct + "/" + []string{"uploads", "reports", "exports", "thumbnails", "cache"}[i%5] +
		"/" + strconv.Itoa(i%50) + "/object-" + strconv.Itoa(i%5000) + ".json"
	table := "arn:aws:dynamodb:" + region + ":" + acct + ":table/" + []string{"orders", "users", "sessions"}[i%3]
	queue := "arn:aws:sqs:" + region + ":" + acct + ":" + []string{"orders", "emails"}[i%2]
	switch i % 20 {
	case 0, 1, 2, 3, 4, 5:
		u = append(u, exact("s3:GetObject", key))
	case 6, 7:
		upload := "arn:aws:s3:::app-data-" + acct + "/uploads/" + strconv.Itoa(i%50) + "/" + strconv.Itoa(i) + ".json"
		u = append(u, exact("s3:PutObject", upload),
			iamwatch.ActionUse{Action: "kms:GenerateDataKey", Resources: []string{"arn:aws:kms:" + region + ":*:key/*"}, Possible: true})
	case 8:
		u = append(u, exact("s3:ListBucket", "arn:aws:s3:::app-data-"+acct))
	case 9, 10, 11:
		u = append(u, exact("dynamodb:GetItem", table))
	case 12:
		u = append(u, exact("dynamodb:PutItem", table))
	case 13:
		u = append(u, exact("dynamodb:Query", table+"/index/by-"+[]string{"day", "user"}[i%2]))
	case 14:
		u = append(u, exact("sqs:SendMessage", queue))
	case 15:
		u = append(u, exact("sqs:ReceiveMessage", queue), exact("sqs:DeleteMessage", queue))
	case 16:
		u = append(u, exact("kms:Decrypt", "arn:aws:kms:"+region+":"+acct+":key/1234abcd-12ab-34cd-56ef-1234567890a"+strconv.Itoa(i%2)))
	case 17, 18:
		u = append(u, exact("logs:PutLogEvents", "arn:aws:logs:"+region+":"+acct+":log-group:/app/api:log-stream:"+strconv.Itoa(i%40)))
	case 19:
		// A CSM record: the SDK names the operation, not the resource.
		u = append(u, iamwatch.ActionUse{Action: "sts:GetCallerIdentity", Resources: []string{"*"}, Exact: true})
	}
	return &iamwatch.Record{
		Session: "day-" + strconv.Itoa(i%4), Time: time.Unix(1_767_225_600, 0).Add(time.Duration(i) * 80 * time.Millisecond),
		Source: iamwatch.SourceProxy, AccessKeyID: "AKIAIOSFODNN7EXAMPLE",
		Call: iamwatch.Call{Service: "bench", Operation: "Op", Region: region, AccountID: acct, Recognized: true, Actions: u,
			Conditions: map[string][]string{"aws:RequestedRegion": {region}}},
		Status: 200, Latency: 5 * time.Millisecond,
	}
}

// policyBenchDB returns a store of policyBenchCalls calls, made once and
// kept in the temporary directory across runs (IAMWATCH_POLICY_BENCH_DB
// names another file). Making it takes a while; only the first run pays.
func policyBenchDB(b *testing.B) string {
	b.Helper()
	path := os.Getenv("IAMWATCH_POLICY_BENCH_DB")
	if path == "" {
		path = filepath.Join(os.TempDir(), "iamwatch-policy-bench-v2", "iamwatch.db")
	}
	if _, err := os.Stat(path); err == nil {
		return path
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		b.Fatal(err)
	}
	// Build under another name, so that an interrupted build is not
	// taken for a finished one.
	tmp := path + ".building"
	for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		os.Remove(p)
	}
	ctx := context.Background()
	start := time.Now()
	db, err := store.Open(ctx, tmp)
	if err != nil {
		b.Fatal(err)
	}
	for i := range policyBenchCalls {
		if err := db.Add(ctx, policyBenchCall(i)); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	b.Logf("made %s: %d calls in %v", path, policyBenchCalls, time.Since(start).Round(time.Second))
	return path
}

// BenchmarkPolicy1M is `iamwatch policy --all` over a million stored
// calls: EachUse (aggregated in SQL), Generate and the JSON document. The
// budget is 3 s and 500 MB; peak-RSS-MB is the process's high-water mark
// during the timed loop (Linux: reset through /proc/self/clear_refs
// first), maxrss-MB getrusage's for the whole process, fixture included;
// cpu-ms/op is the CPU time (user and system) per run.
func BenchmarkPolicy1M(b *testing.B) {
	path := policyBenchDB(b)
	for _, bc := range []struct {
		name string
		o    generator.Options
	}{
		{"exact", generator.Options{}},
		{"collapse-conditions", generator.Options{Resources: generator.ResourcesCollapse, Conditions: true, IncludePossible: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			runtime.GC()
			resetPeakRSS()
			cpu0 := cpuTime()
			b.ReportAllocs()
			b.ResetTimer()
			var uses, size, statements int
			var read, gen time.Duration
			for range b.N {
				t0 := time.Now()
				db, err := store.Options{ReadOnly: true}.Open(ctx, path)
				if err != nil {
					b.Fatal(err)
				}
				us, err := readUses(ctx, db, store.Filter{})
				db.Close()
				if err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				p, err := generator.FromUses(us, bc.o)
				if err != nil {
					b.Fatal(err)
				}
				out, err := p.JSON()
				if err != nil {
					b.Fatal(err)
				}
				read += t1.Sub(t0)
				gen += time.Since(t1)
				uses, size, statements = len(us), len(out), len(p.Statement)
			}
			b.StopTimer()
			// CPU time suffers less than wall time from other processes
			// on a busy machine.
			b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(read.Milliseconds())/float64(b.N), "eachuse-ms/op")
			b.ReportMetric(float64(gen.Milliseconds())/float64(b.N), "generate-ms/op")
			b.ReportMetric(float64(uses), "uses")
			b.ReportMetric(float64(statements), "statements")
			b.ReportMetric(float64(size), "json-bytes")
			if mb, err := peakRSSMB(); err == nil {
				b.ReportMetric(mb, "peak-RSS-MB")
			}
			var ru syscall.Rusage
			if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
				b.ReportMetric(float64(ru.Maxrss)/1024, "maxrss-MB") // KiB on Linux
			}
		})
	}
}

// cpuTime is the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// resetPeakRSS resets the kernel's peak RSS mark of this process (Linux),
// so that peakRSSMB reports the peak from here on.
func resetPeakRSS() {
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

func peakRSSMB() (float64, error) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for line := range bytes.Lines(status) {
		if kb, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			var n float64
			if _, err := fmt.Sscan(string(kb), &n); err != nil {
				return 0, err
			}
			return n / 1024, nil
		}
	}
	return 0, errors.New("no VmHWM in /proc/self/status")
}
