package servicemaps_test

import (
	"bytes"
	"testing"

	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

func FuzzDecode(f *testing.F) {
	emb := servicemaps.Embedded()
	f.Add(emb[:min(len(emb), 4096)])
	f.Add([]byte("iamwatch-maps\t1\nsvc\ta\tA\ta\ta\tjson\tA_1\t1.0\t2020-01-01\ta\t\t\tv1\t\nop\tX\t\t\t\tname\na\ta:X\t\t\t\n"))
	f.Add([]byte("iamwatch-maps\t1\niam\ts3\tS3\nck\ts3:prefix\tString\tS\nac\tListBucket\tL\tbucket\t0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := servicemaps.Decode(data)
		if err != nil {
			return
		}
		// Whatever decodes must encode, and the encoding must be stable.
		enc, err := servicemaps.Encode(m)
		if err != nil {
			return
		}
		m2, err := servicemaps.Decode(enc)
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		enc2, err := servicemaps.Encode(m2)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding is not stable")
		}
	})
}
