package mapper_test

import (
	"bytes"
	"encoding/json"
	"runtime"
	"sort"
	"testing"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/mapper"
	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

// BenchmarkMap maps the whole real-SDK corpus round robin: the mixed
// workload. req/s is per core (the benchmark runs on one goroutine).
func BenchmarkMap(b *testing.B) {
	ix := index(b)
	_, obs := corpusObservations(b)
	if len(obs) == 0 {
		b.Skip("no fixtures")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := ix.Map(obs[i%len(obs)])
		if len(c.Actions) > 1<<20 {
			b.Fatal("impossible")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkLoad decodes the embedded maps and compiles the index, as the
// first call of a process does. heap-B is the live heap the result holds.
func BenchmarkLoad(b *testing.B) {
	var keep *mapper.Index
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m, err := servicemaps.DecodeEmbedded()
		if err != nil {
			b.Fatal(err)
		}
		keep, err = mapper.NewIndex(m)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc)-float64(before.HeapAlloc), "heap-B")
	runtime.KeepAlive(keep)
}

func TestEmbeddedMapsCompile(t *testing.T) {
	if err := index(t).Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestMapResultsOwnTheirMemory: Map pools its scratch state; a Call it
// returned must not change when later requests reuse that state.
func TestMapResultsOwnTheirMemory(t *testing.T) {
	ix := index(t)
	names, obs := corpusObservations(t)
	calls := make([]iamwatch.Call, len(obs))
	first := make([][]byte, len(obs))
	for i, o := range obs {
		calls[i] = ix.Map(o)
		first[i], _ = json.Marshal(calls[i])
	}
	for range 3 {
		for i := len(obs) - 1; i >= 0; i-- {
			ix.Map(obs[i])
		}
	}
	for i := range obs {
		if again, _ := json.Marshal(calls[i]); !bytes.Equal(again, first[i]) {
			t.Errorf("%s: the call changed after later requests were mapped:\n was %s\n now %s", names[i], first[i], again)
		}
	}
}

// corpusObservations parses the real-SDK corpus, in name order.
func corpusObservations(tb testing.TB) ([]string, []*iamwatch.Observation) {
	tb.Helper()
	raw := rawFixtures(tb)
	names := make([]string, 0, len(raw))
	for n := range raw {
		names = append(names, n)
	}
	sort.Strings(names)
	obs := make([]*iamwatch.Observation, 0, len(names))
	for _, n := range names {
		o, err := mapper.ParseRaw(raw[n], "https")
		if err != nil {
			tb.Fatalf("%s: %v", n, err)
		}
		obs = append(obs, o)
	}
	return names, obs
}
