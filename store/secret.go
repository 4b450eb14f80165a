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
		if b64Class[s[i]] == 0 {
			i++
			continue
		}
		j, classes := i, 0
		for j < len(s) && b64Class[s[j]] != 0 {
			classes |= int(b64Class[s[j]])
			j++
		}
		classes &= 7
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
		ms := markersBy[s[i]]
		if ms == nil {
			continue
		}
		// Every marker's second byte is one that |0x20 leaves as it is
		// (a test holds them to it), so this is a byte compare that lets
		// through only what EqualFold could match.
		second := s[i+1] | 0x20
		for _, m := range ms {
			if m[1] == second && len(s)-i >= len(m) && strings.EqualFold(s[i:i+len(m)], m) {
				return i
			}
		}
	}
	return -1
}

// markersBy lists the secret markers by their first byte, in either case;
// minMarker is the shortest's length.
var (
	markersBy = func() (by [256][]string) {
		for _, m := range secretMarkers {
			by[m[0]] = append(by[m[0]], m)
			if up := strings.ToUpper(m[:1])[0]; up != m[0] {
				by[up] = append(by[up], m)
			}
		}
		return by
	}()
	minMarker = len("signature=")
)

// b64Class has, for each byte of the base64 alphabet (A-Z a-z 0-9 + /),
// 8 and its class (1 upper, 2 lower, 4 digit), and 0 for other bytes.
var b64Class = func() (t [256]uint8) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = 8 | 1
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = 8 | 2
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = 8 | 4
	}
	t['+'], t['/'] = 8, 8
	return t
}()
