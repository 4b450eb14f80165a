package proxy_test

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
)

// zeroReader yields n zero bytes without holding them.
type zeroReader struct{ n int64 }

func (z *zeroReader) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > z.n {
		p = p[:z.n]
	}
	clear(p)
	z.n -= int64(len(p))
	return len(p), nil
}

// peakRSS reads the process's high-water resident set (VmHWM), in bytes.
func peakRSS(b *testing.B) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Skip("no /proc/self/status")
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// BenchmarkStream2GiB uploads a 2 GiB object through the proxy (client,
// proxy and upstream in this one process) and reports the throughput and
// the process's peak RSS: streaming keeps it flat, buffering would not.
// Run it alone: go test ./proxy -run '^$' -bench Stream2GiB -benchtime 1x
func BenchmarkStream2GiB(b *testing.B) {
	const size = 2 << 30
	rig := newRig(b, "iamwatch")
	defer rig.close()
	rig.warm(b)
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, err := http.NewRequest("PUT", "https://bucket.s3.us-east-1.amazonaws.com/big.bin", &zeroReader{n: size})
		if err != nil {
			b.Fatal(err)
		}
		req.ContentLength = size
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAccessKey+"/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0")
		resp, err := rig.client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(peakRSS(b))/(1<<20), "peak-RSS-MiB")
}
