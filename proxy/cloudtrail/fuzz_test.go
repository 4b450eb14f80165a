package cloudtrail_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/proxy/cloudtrail"
)

// FuzzDecode feeds the reader arbitrary input, seeded with the fixtures
// (gzipped and not): it must never panic, and every event it hands over
// must be a CloudTrail observation with a name, an object of parameters and
// a uid the store accepts.
func FuzzDecode(f *testing.F) {
	for _, b := range fixtures(f) {
		f.Add(b)
	}
	f.Add([]byte(rec1 + "\n" + rec2))
	f.Add([]byte(`[` + rec2 + `]`))
	f.Add([]byte(`{"Events":[{"EventName":"ListTopics","CloudTrailEvent":"{\"eventName\":\"ListTopics\"}"}]}`))
	f.Add([]byte(`{"Records":[{"eventType":"AwsCloudTrailInsight","insightDetails":{"eventName":"x"}}]}`))
	f.Add(gz([]byte(`{"Records":[` + rec1 + `]}`)))
	f.Fuzz(func(t *testing.T, b []byte) {
		var c cloudtrail.Coverage
		_, _ = cloudtrail.Decode(bytes.NewReader(b), func(e *cloudtrail.Event) error {
			if e.Source != iamwatch.SourceCloudTrail || e.API == "" || len(e.Params) == 0 || e.Params[0] != '{' {
				t.Fatalf("event %+v", e)
			}
			u := e.UID()
			if !strings.HasPrefix(u, "ct-") || len(u) > 128 || strings.ContainsAny(u, " /\"\\\n") {
				t.Fatalf("uid %q", u)
			}
			_ = e.NotAPICall()
			c.Add(e)
			return nil
		})
		for _, g := range c.Gaps() {
			if g.Note == "" {
				t.Fatalf("gap %+v", g)
			}
		}
	})
}
