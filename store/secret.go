package store

import "strings"

// redacted replaces what looks like a secret in a stored string.
const redacted = "[REDACTED]"

// secretMarkers are names that only appear next to a credential: header
// and query parameter names of SigV4, and the field names of credentials
// files, environment variables and STS responses. A string containing one
// is redacted from the marker on.
var secretMarkers = []string{
	"authorization:",
	"aws4-hmac-sha256",
	"signature=",
	"x-amz-signature",
	"x-amz-security-token",
	"x-amz-credential",
	"aws_secret_access_key",
	"aws_session_token",
	"secretaccesskey",
	"sessiontoken",
	"secret_access_key",
	"session_token",
}

// redact returns s with every part that looks like a secret replaced by
// [REDACTED], and whether it replaced anything. It looks for:
//
//   - a credential marker (see secretMarkers): everything from it on;
//   - a run of 40 or more base64 characters (A-Z a-z 0-9 + /, then any =
//     padding) that mixes upper and lower case and, when longer than 40,
//     digits too. A secret access key is exactly 40 such characters, a
//     session token several hundred; a key glued to other characters
//     makes a longer run.
//
// It errs on the side of redacting: a 40-character mixed-case path segment
// of an S3 key is redacted too, because a resource shown as [REDACTED] costs
// less than a key written to disk. Access key IDs (AKIA…, ASIA…: upper case
// and digits only), hex digests and ARNs, whose parts are separated by
// ':', '-', '_' and '.', are kept.
func redact(s string) (string, bool) {
	if len(s) < 16 {
		return s, false
	}
	changed := false
	if i := markerIndex(s); i >= 0 {
		s, changed = s[:i]+redacted, true
	}
	if len(s) < 40 {
		return s, changed
	}
	var b strings.Builder
	last := 0 // s[last:] is not yet copied to b
	for i := 0; i < len(s); {
		if !isB64(s[i]) {
			i++
			continue
		}
		j, classes := i, 0
		for j < len(s) && isB64(s[j]) {
			classes |= class(s[j])
			j++
		}
		core := j - i
		for j < len(s) && s[j] == '=' {
			j++
		}
		if core == 40 && classes&3 == 3 || core > 40 && classes == 7 {
			b.WriteString(s[last:i])
			b.WriteString(redacted)
			last = j
			changed = true
		}
		i = j
	}
	if last == 0 {
		return s, changed
	}
	b.WriteString(s[last:])
	return b.String(), changed
}

// markerIndex returns the index of the first secret marker in s, matched
// without regard to ASCII case, or -1. Every string the store writes goes
// through it, so it neither allocates nor rescans s once per marker: it
// looks at the bytes that can start a marker.
func markerIndex(s string) int {
	for i := 0; i+minMarker <= len(s); i++ {
		var first []string
		switch s[i] | 0x20 { // ASCII lower case; harmless for the rest
		case 'a':
			first = markersA
		case 's':
			first = markersS
		case 'x':
			first = markersX
		default:
			continue
		}
		for _, m := range first {
			if len(s)-i >= len(m) && strings.EqualFold(s[i:i+len(m)], m) {
				return i
			}
		}
	}
	return -1
}

// The secret markers by their first letter, and the shortest's length.
var (
	markersA, markersS, markersX = markersFrom('a'), markersFrom('s'), markersFrom('x')
	minMarker                    = len("signature=")
)

func markersFrom(c byte) []string {
	var out []string
	for _, m := range secretMarkers {
		if m[0] == c {
			out = append(out, m)
		}
	}
	return out
}

func isB64(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/'
}

// class returns a bit for c's character class: 1 upper, 2 lower, 4 digit.
func class(c byte) int {
	switch {
	case 'A' <= c && c <= 'Z':
		return 1
	case 'a' <= c && c <= 'z':
		return 2
	case '0' <= c && c <= '9':
		return 4
	}
	return 0
}
