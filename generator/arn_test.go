package generator

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/iamwatch/iamwatch"
)

func TestARNFormatMatch(t *testing.T) {
	for _, tc := range []struct {
		format, arn string
		want        []string // nil: no match
	}{
		{"arn:${Partition}:s3:::${BucketName}/${ObjectName}", "arn:aws:s3:::b/a/c.txt", []string{"aws", "b", "a/c.txt"}},
		{"arn:${Partition}:s3:::${BucketName}/${ObjectName}", "arn:aws:s3:::b/*", []string{"aws", "b", "*"}},
		{"arn:${Partition}:s3:::${BucketName}/${ObjectName}", "arn:aws:s3:::b", nil},
		{"arn:${Partition}:s3:::${BucketName}/${ObjectName}", "arn:aws:s3:::*", nil},
		{"arn:${Partition}:s3:::${BucketName}/${ObjectName}", "arn:aws:s3:us-east-1::b/k", nil},
		{"arn:${Partition}:s3:::${BucketName}", "arn:aws:s3:::*", []string{"aws", "*"}},
		{"arn:${Partition}:sqs:${Region}:${Account}:${QueueName}", "arn:aws:sqs:us-east-1:123456789012:q", []string{"aws", "us-east-1", "123456789012", "q"}},
		{"arn:${Partition}:sqs:${Region}:${Account}:${QueueName}", "arn:aws:sqs:*:*:q", []string{"aws", "*", "*", "q"}},
		{"arn:${Partition}:sqs:${Region}:${Account}:${QueueName}", "arn:aws:sqs:us-east-1:12345:q", nil},
		{"arn:${Partition}:sqs:${Region}:${Account}:${QueueName}", "arn:aws:sqs:us-east-1:123456789012:", nil},
		{"arn:${Partition}:ssm:${Region}:${Account}:parameter/${ParameterNameWithoutLeadingSlash}", "arn:aws:ssm:us-east-1::parameter/aws/service/x",
			[]string{"aws", "us-east-1", "", "aws/service/x"}},
		{"arn:${Partition}:iam::${Account}:policy/${PolicyNameWithPath}", "arn:aws:iam::aws:policy/ReadOnlyAccess", []string{"aws", "aws", "ReadOnlyAccess"}},
		{"arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/index/${IndexName}",
			"arn:aws:dynamodb:us-east-1:123456789012:table/t/index/i", []string{"aws", "us-east-1", "123456789012", "t", "i"}},
		{"arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}", "arn:aws:dynamodb:us-east-1:123456789012:*", nil},
		{"no placeholders", "no placeholders", []string{}},
		{"unterminated ${x", "unterminated ${x", []string{}},
	} {
		f := parseFormat(tc.format)
		got, ok := f.match(tc.arn)
		if tc.want == nil {
			if ok {
				t.Errorf("%s matched %s: %q", tc.arn, tc.format, got)
			}
			continue
		}
		if !ok || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s against %s: %q %v, want %q", tc.arn, tc.format, got, ok, tc.want)
		}
	}
}

func TestParseFormatLeaf(t *testing.T) {
	for _, tc := range []struct {
		format    string
		leaf      bool
		contained bool
	}{
		{"arn:${Partition}:s3:::${BucketName}/${ObjectName}", true, true},
		{"arn:${Partition}:s3:::${BucketName}", true, false},
		{"arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}", true, false},
		{"arn:${Partition}:iam::${Account}:root", false, false},
		{"arn:${Partition}:s3:${Region}:${Account}", false, false},
	} {
		f := parseFormat(tc.format)
		if (f.leaf >= 0) != tc.leaf || f.contained != tc.contained {
			t.Errorf("%s: leaf %d contained %v", tc.format, f.leaf, f.contained)
		}
	}
}

func TestGlobMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/k/l", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::c/k", false},
		{"arn:aws:s3:::b/?", "arn:aws:s3:::b/k", true},
		{"arn:aws:s3:::b/?", "arn:aws:s3:::b/kk", false},
		{"arn:aws:s3:::b/*/x", "arn:aws:s3:::b/a/b/x", true},
		// Narrower than IAM: no wildcard crosses a colon.
		{"arn:aws:logs:r:1:log-group:*", "arn:aws:logs:r:1:log-group:g:log-stream:s", false},
		{"arn:aws:kms:us-east-1:*:key/*", "arn:aws:kms:us-east-1:123456789012:key/k", true},
		{"*", "x:y", false},
	} {
		if got := globMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("globMatch(%q, %q) = %v", tc.pattern, tc.s, got)
		}
	}
}

// refMatch is the plain exponential search match optimizes: every end of
// every placeholder, in order.
func refMatch(f *arnFormat, arn string) ([]string, bool) {
	var vals []string
	var rec func(i, pos int) bool
	rec = func(i, pos int) bool {
		if i == len(f.parts) {
			return pos == len(arn)
		}
		p := f.parts[i]
		if p.name == "" {
			return strings.HasPrefix(arn[pos:], p.lit) && rec(i+1, pos+len(p.lit))
		}
		first := pos + 1
		if p.name == "Region" || p.name == "Account" {
			first = pos
		}
		for end := first; end <= len(arn); end++ {
			if p.field && strings.Contains(arn[pos:end], ":") {
				break
			}
			if !validValue(p.name, arn[pos:end]) {
				continue
			}
			vals = append(vals, arn[pos:end])
			if rec(i+1, end) {
				return true
			}
			vals = vals[:len(vals)-1]
		}
		return false
	}
	if !rec(0, 0) {
		return nil, false
	}
	return vals, true
}

// FuzzARNFormat: matching never panics, agrees with refMatch, and every
// match is consistent: the values put back into the format give the ARN
// again.
func FuzzARNFormat(f *testing.F) {
	f.Add("arn:${Partition}:s3:::${BucketName}/${ObjectName}", "arn:aws:s3:::b/k")
	f.Add("arn:${Partition}:sqs:${Region}:${Account}:${QueueName}", "arn:aws:sqs:us-east-1:123456789012:q")
	f.Add("arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}", "arn:aws:logs:*:*:log-group:g:log-stream:*")
	f.Add("${A}${B}${C}", "abc")
	f.Add("arn:${Partition}:ssm:${Region}:${Account}:parameter/${Name}", "arn:aws:ssm:us-east-1::parameter/a/b")
	f.Add("${A}/${B}/${C}", "a/b/c/d//e")
	f.Fuzz(func(t *testing.T, format, arn string) {
		if len(arn) > 2000 {
			return
		}
		pf := parseFormat(format)
		vals, ok := pf.match(arn)
		if len(arn) <= 24 && len(pf.parts) <= 7 {
			want, wantOK := refMatch(pf, arn)
			if ok != wantOK || strings.Join(vals, "\x00") != strings.Join(want, "\x00") || len(vals) != len(want) {
				t.Fatalf("match %q %q: %q %v, reference %q %v", format, arn, vals, ok, want, wantOK)
			}
		}
		if !ok {
			return
		}
		var b strings.Builder
		i := 0
		for _, p := range pf.parts {
			if p.name == "" {
				b.WriteString(p.lit)
				continue
			}
			b.WriteString(vals[i])
			i++
		}
		if b.String() != arn || i != len(vals) {
			t.Fatalf("values %q put back into %q give %q, not %q", vals, format, b.String(), arn)
		}
	})
}

// FuzzGenerate feeds arbitrary action uses through every mode: Generate
// either returns ErrInvalid or a policy that validates, allows every call,
// is deterministic, and splits into parts that fit.
func FuzzGenerate(f *testing.F) {
	files, _ := filepath.Glob("testdata/cases/*.json")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var c goldenCase
		if err := json.Unmarshal(data, &c); err != nil {
			f.Fatal(err)
		}
		for i, call := range c.Calls {
			if i > 12 {
				break
			}
			for _, u := range call.Actions {
				f.Add(u.Action, strings.Join(u.Resources, " "), u.Exact, uint8(i))
			}
		}
	}
	f.Fuzz(func(t *testing.T, action, resources string, exact bool, mode uint8) {
		var cs []iamwatch.Call
		for i, r := range strings.Fields(resources) {
			u := iamwatch.ActionUse{Action: action, Resources: []string{r}, Exact: exact}
			if i%2 == 1 {
				u.Conditions = map[string][]string{"aws:RequestedRegion": {r}}
			}
			cs = append(cs, iamwatch.Call{Actions: []iamwatch.ActionUse{u}})
		}
		o := Options{Resources: []ResourceMode{ResourcesExact, ResourcesCollapse, ResourcesService}[mode%3],
			CollapseThreshold: int(mode%4) + 1, Conditions: mode&8 != 0}
		p, err := Generate(cs, o)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error is not ErrInvalid: %v", err)
			}
			return
		}
		if err := Validate(p, nil); err != nil {
			t.Fatal(err)
		}
		assertAllowsCalls(t, p, cs, o)
		q, _ := Generate(cs, o)
		if !reflect.DeepEqual(p, q) {
			t.Fatal("not deterministic")
		}
		parts, err := Split(p, 400)
		if errors.Is(err, ErrTooLarge) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, part := range parts {
			if part.Size() > 400 {
				t.Fatalf("part of %d characters", part.Size())
			}
		}
		for _, format := range Formats() {
			if _, err := Render(format, action, parts...); err != nil {
				t.Fatal(err)
			}
		}
	})
}
