package eval

import (
	"testing"
	"time"
)

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, value string
		fold           bool
		want           bool
	}{
		{"s3:Get*", "s3:GetObject", false, true},
		{"s3:get*", "S3:GETOBJECT", true, true},
		{"s3:get*", "S3:GETOBJECT", false, false},
		{"*", "", false, true},
		{"", "", false, true},
		{"", "x", false, false},
		{"a*b*c", "aXXbYYc", false, true},
		{"a*b*c", "aXXbYY", false, false},
		{"a**b", "ab", false, true},
		{"a?c", "abc", false, true},
		{"a?c", "ac", false, false},
		{"a?c", "añc", false, true}, // ? is one character, not one byte
		{"*log*", "bucket/logs/x", false, true},
		{"*log*", "bucket/LOGS/x", false, false},
		{"*aaa", "aaaaaaaaaaaaaaaaaaaab", false, false},
		{"ÄBC", "äbc", true, true},
	}
	for _, tt := range tests {
		p := compilePattern(tt.pattern, true, false)
		if got := globMatch(p.toks, nil, tt.value, tt.fold, false); got != tt.want {
			t.Errorf("glob %q ~ %q (fold %v) = %v, want %v", tt.pattern, tt.value, tt.fold, got, tt.want)
		}
	}
}

func TestPatternVariables(t *testing.T) {
	env := &env{ctx: map[string][]string{
		"aws:username":          {"alice"},
		"aws:principaltag/team": {"a*b"},
		"aws:calledvia":         {"x", "y"},
	}, unknown: []string{"aws:sourcevpc"}}
	tests := []struct {
		pattern, value string
		wildcards      bool
		want           tri
	}{
		{"home/${aws:username}/*", "home/alice/x", true, yes},
		{"home/${aws:username}/*", "home/bob/x", true, no},
		{"home/${AWS:UserName}/*", "home/alice/x", true, yes},
		{"home/${ aws:username }", "home/alice", true, yes},
		{"${aws:principaltag/team}", "a*b", true, yes},                          // substituted values are literal
		{"${aws:principaltag/team}", "aXXb", true, no},                          // …so their * is no wildcard
		{"${aws:calledvia}", "x", true, no},                                     // multivalued keys are no variables
		{"${aws:missing}", "", true, no},                                        // no value: nothing matches
		{"${aws:missing, 'def'}", "def", true, yes},                             // default value
		{"${aws:missing, 'it''s'}", "it's", true, yes},                          // '' is a quote
		{"${aws:missing, 'a}b'}", "a}b", true, yes},                             // } inside the default
		{"${aws:username, 'def'}", "alice", true, yes},                          // the default only when missing
		{"a${*}b", "a*b", true, yes},                                            // ${*} is a literal *
		{"a${*}b", "aXb", true, no},                                             //
		{"a${?}b${$}", "a?b$", false, yes},                                      // ${?} and ${$}
		{"${aws:sourcevpc}", "vpc-1", true, unknown},                            // unknown key
		{"x-${aws:sourcevpc}", "y-vpc-1", true, no},                             // impossible whatever its value
		{"${unclosed", "${unclosed", true, yes},                                 // not a variable
		{"${}", "${}", true, yes},                                               // empty: literal
		{"${bad key}", "${bad key}", true, yes},                                 // spaces inside the key: literal
		{"${aws:username, nodefault}", "${aws:username, nodefault}", true, yes}, // unquoted default: literal
	}
	for _, tt := range tests {
		p := compilePattern(tt.pattern, tt.wildcards, true)
		if got := p.match(tt.value, false, env); got != tt.want {
			t.Errorf("%q ~ %q = %v, want %v", tt.pattern, tt.value, got, tt.want)
		}
	}
}

func TestARNPattern(t *testing.T) {
	env := &env{ctx: map[string][]string{"aws:username": {"alice"}}, service: "s3"}
	tests := []struct {
		pattern, value string
		want           tri
	}{
		{"*", "anything at all", yes},
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b:c", yes},
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", no},
		{"arn:aws:s3:::*", "*", yes},      // covers the service's resource-less actions
		{"arn:aws:ec2:*:*:*", "*", no},    // another service
		{"arn:aws:s3:::bucket*", "*", no}, // not every resource
		{"arn:aws:*:*:111111111111:*", "arn:aws:sqs:us-east-1:111111111111:q", yes},
		{"arn:aws:sqs:*:111111111111:*", "arn:aws:sqs:us-east-1:222222222222:q", no},
		{"arn:aws:sqs:*:111111111111:*", "arn:aws:sqs:us-east-1:999:x:111111111111:q", no}, // * stays in its segment
		{"arn:aws:s3:::mybucket/${aws:username}/*", "arn:aws:s3:::mybucket/alice/x", yes},
		{"arn:aws:s3:*", "arn:aws:s3:::bucket/key", yes},                                // short pattern: the last * spans
		{"arn:aws:s3", "arn:aws:s3:::bucket/key", no},                                   // short pattern without *
		{"arn:aws:S3:::bucket/key", "arn:aws:s3:::bucket/key", no},                      // case-sensitive
		{"arn:aws:s3:::bucket/key", "not-an-arn", no},                                   //
		{"not-an-arn*", "not-an-arn-either", yes},                                       // both not ARNs: whole strings
		{"arn:aws:iam::${aws:username}:root", "arn:aws:iam::alice:root", no},            // Resource: variables only in the resource part
		{"arn:aws:iam::${aws:username}:root", "arn:aws:iam::${aws:username}:root", yes}, // …elsewhere literal
	}
	for _, tt := range tests {
		a := compileARN(tt.pattern, true, false)
		if got := a.match(tt.value, env); got != tt.want {
			t.Errorf("%q ~ %q = %v, want %v", tt.pattern, tt.value, got, tt.want)
		}
	}
	// Arn conditions take variables in every segment.
	c := compileARN("arn:aws:sns:*:${aws:username}:*", true, true)
	if got := c.match("arn:aws:sns:us-east-1:alice:t", env); got != yes {
		t.Errorf("variable in the account segment of an Arn condition = %v", got)
	}
}

func TestTri(t *testing.T) {
	vals := []tri{no, yes, unknown}
	for _, a := range vals {
		for _, b := range vals {
			and, or := a.and(b), a.or(b)
			switch {
			case a == no || b == no:
				if and != no {
					t.Errorf("%v and %v = %v", a, b, and)
				}
			case a == unknown || b == unknown:
				if and != unknown {
					t.Errorf("%v and %v = %v", a, b, and)
				}
			default:
				if and != yes {
					t.Errorf("%v and %v = %v", a, b, and)
				}
			}
			if or.not() != a.not().and(b.not()) {
				t.Errorf("De Morgan fails for %v, %v", a, b)
			}
		}
	}
}

func TestParseDate(t *testing.T) {
	want := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, s := range []string{
		"2024-06-01T12:00:00Z", "2024-06-01T12:00:00.000Z", "2024-06-01T14:00:00+02:00", "2024-06-01T12:00Z",
		"2024-06-01T12:00:00", "1717243200", "1717243200.0",
	} {
		got, ok := parseDate(s)
		if !ok || !got.Equal(want) {
			t.Errorf("parseDate(%q) = %v, %v; want %v", s, got, ok, want)
		}
	}
	for s, w := range map[string]time.Time{
		"2024-06-01": time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC),
		"2024-06":    time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC),
		"2024":       time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		if got, ok := parseDate(s); !ok || !got.Equal(w) {
			t.Errorf("parseDate(%q) = %v, %v; want %v", s, got, ok, w)
		}
	}
	for _, s := range []string{"", "soon", "2024-13-01", "1.2.3", "-", "12:00"} {
		if _, ok := parseDate(s); ok {
			t.Errorf("parseDate(%q) succeeded", s)
		}
	}
}

func TestParseCIDR(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"203.0.113.0/24", "203.0.113.0/24", true},
		{"203.0.113.7/24", "203.0.113.0/24", true},
		{"203.0.113.5", "203.0.113.5/32", true},
		{"2001:DB8:1234:5678::/64", "2001:db8:1234:5678::/64", true},
		{"2001:db8::1", "2001:db8::1/128", true},
		{"::ffff:203.0.113.5", "203.0.113.5/32", true},
		{"300.0.0.1", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		p, ok := parseCIDR(tt.in)
		if ok != tt.ok || (ok && p.String() != tt.want) {
			t.Errorf("parseCIDR(%q) = %v, %v; want %s, %v", tt.in, p, ok, tt.want, tt.ok)
		}
	}
}

func TestParseOperator(t *testing.T) {
	tests := []struct {
		name string
		want opInfo
		err  bool
	}{
		{"StringEquals", opInfo{fam: famString, cmp: cmpEq}, false},
		{"ForAllValues:StringLikeIfExists", opInfo{fam: famString, cmp: cmpLike, set: setAll, ifExists: true}, false},
		{"foranyvalue:stringnotequals", opInfo{fam: famString, cmp: cmpEq, set: setAny, negated: true}, false},
		{"NotIpAddressIfExists", opInfo{fam: famIP, cmp: cmpEq, negated: true, ifExists: true}, false},
		{"DateLessThanEquals", opInfo{fam: famDate, cmp: cmpLe}, false},
		{"ArnNotEquals", opInfo{fam: famArn, cmp: cmpLike, negated: true}, false},
		{"Null", opInfo{fam: famNull}, false},
		{"ForAllValues:Null", opInfo{}, true},
		{"StringEqual", opInfo{}, true},
		{"IfExists", opInfo{}, true},
	}
	for _, tt := range tests {
		got, err := parseOperator(tt.name)
		if (err != nil) != tt.err || (err == nil && got != tt.want) {
			t.Errorf("parseOperator(%q) = %+v, %v; want %+v (error %v)", tt.name, got, err, tt.want, tt.err)
		}
	}
}
