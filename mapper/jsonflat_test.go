package mapper

import (
	"encoding/json"
	"io"
	"reflect"
	"sort"
	"testing"
)

// referenceFlatten flattens with encoding/json, the slow way, as the
// reference for the hand-written scanner.
func referenceFlatten(t testing.TB, b []byte) map[string][]string {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil
	}
	out := map[string][]string{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if path != "" {
					out[path] = append(out[path], k)
				}
				walk(joinPath(path, k), x[k])
			}
		case []any:
			for _, e := range x {
				walk(path, e)
			}
		case string:
			out[path] = append(out[path], x)
		case bool:
			if x {
				out[path] = append(out[path], "true")
			} else {
				out[path] = append(out[path], "false")
			}
		case json.Number:
			out[path] = append(out[path], x.String())
		case float64:
			t.Fatalf("unexpected float")
		}
	}
	dec := json.NewDecoder(bytesReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil
	}
	walk("", v)
	delete(out, "") // a top-level scalar has no name
	for k := range out {
		sort.Strings(out[k])
	}
	return out
}

func sortedVals(p *Params) map[string][]string {
	out := map[string][]string{}
	for k, v := range p.vals {
		c := append([]string(nil), v...)
		sort.Strings(c)
		out[k] = c
	}
	return out
}

func TestFlattenJSONAgreesWithEncodingJSON(t *testing.T) {
	docs := []string{
		`{"TableName":"t","Key":{"id":{"S":"a\"b\\c\/d\u00e9\ud83d\ude00"}},"N":-1.5e3,"B":false,"Z":null}`,
		`{"RequestItems":{"a":[{"PutRequest":{"Item":{"k":{"N":"1"}}}}],"b":[]},"Layers":["x","y"]}`,
		`  [ {"a" : 1} , {"a":2} ]  `,
		`{}`, `[]`, `"s"`, `{"a":{"b":{"c":{"d":"deep"}}}}`,
	}
	for _, d := range docs {
		p := newParams(nil, nil)
		p.flattenJSON([]byte(d))
		got, want := sortedVals(p), referenceFlatten(t, []byte(d))
		if len(want) == 0 && len(got) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %v\nwant %v", d, got, want)
		}
	}
}

func FuzzFlattenJSON(f *testing.F) {
	f.Add([]byte(`{"TableName":"t","Key":{"id":{"S":"a\u00e9"}},"L":[1,2,{"x":true}]}`))
	f.Add([]byte(`{"a":"\ud83d\ude00","b":[[[]]]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p := newParams(nil, nil)
		p.flattenJSON(b) // must not panic on anything
		want := referenceFlatten(t, b)
		if want == nil {
			return
		}
		// Every value encoding/json sees, the scanner sees too. (With
		// duplicate keys encoding/json keeps the last; the scanner keeps
		// all, which is a superset.)
		if p.n >= maxParamValues {
			return
		}
		got := sortedVals(p)
		for k, vs := range want {
			have := map[string]int{}
			for _, v := range got[k] {
				have[v]++
			}
			for _, v := range vs {
				if have[v] == 0 {
					t.Fatalf("%q: %s=%q missing; got %v", b, k, v, got[k])
				}
				have[v]--
			}
		}
	})
}

func bytesReader(b []byte) *bytesReaderT { return &bytesReaderT{b: b} }

type bytesReaderT struct {
	b []byte
	i int
}

func (r *bytesReaderT) Read(p []byte) (int, error) {
	if r.i >= len(r.b) {
		return 0, ioEOF
	}
	n := copy(p, r.b[r.i:])
	r.i += n
	return n, nil
}

var ioEOF = io.EOF
