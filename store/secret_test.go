package store

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamwatch/iamwatch"
)

// Fake credentials of the shapes AWS uses.
const (
	secretKey    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	sessionToken = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDxx1Tq5rFQ2pXo2f9LhO7y8Zp0AiB4mZ0v3kWq" +
		"8e6n0n1W4mB2wI3jZ9Qv5xYq1LzK2aP7fE3bR6tU9oH0iJkLmNoPqRsTuVwXyZ0123456789abcdefghijKLMNOPQRSTUVWXYZ+/=="
	signature = "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024"
)

func TestRedact(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"arn", "arn:aws:s3:::my-bucket/photos/2024/cat.jpg", "arn:aws:s3:::my-bucket/photos/2024/cat.jpg"},
		{"access key ID is kept", "AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"},
		{"sha1 hex is kept", "arn:aws:s3:::b/da39a3ee5e6b4b0d3255bfef95601890afd80709", "arn:aws:s3:::b/da39a3ee5e6b4b0d3255bfef95601890afd80709"},
		{"signature hex alone is kept", signature, signature},
		{"long lower-case path is kept", "arn:aws:s3:::b/" + strings.Repeat("abc/", 40), "arn:aws:s3:::b/" + strings.Repeat("abc/", 40)},
		{"secret key", secretKey, redacted},
		{"secret key in a resource", "arn:aws:s3:::b/" + secretKey, "arn:aws:s3:::" + redacted},
		{"secret key in a path segment", "arn:aws:s3:::b/x-" + secretKey + ".txt", "arn:aws:s3:::b/x-" + redacted + ".txt"},
		{"secret key between words", "key " + secretKey + " here", "key " + redacted + " here"},
		{"key glued to more characters", "s" + secretKey, redacted},
		{"40 characters without digits", "wJalrXUtnFEMI/K/MDENG/bPxRfiCYEXAMPLEKEY", redacted},
		{"39 characters are not a key", secretKey[1:], secretKey[1:]},
		{"long run without upper case is kept", "arn:aws:s3:::b/" + strings.Repeat("ab1/", 20), "arn:aws:s3:::b/" + strings.Repeat("ab1/", 20)},
		{"session token", sessionToken, redacted},
		{"session token in a sentence", "token: " + sessionToken + ".", "token: " + redacted + "."},
		{"authorization header", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250101/us-east-1/s3/aws4_request, Signature=" + signature, redacted},
		{"presigned query", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=" + signature, "X-Amz-Algorithm=" + redacted},
		{"credentials file", "aws_secret_access_key = abc", redacted},
		{"sts response", `{"SecretAccessKey":"abc","SessionToken":"def"}`, `{"` + redacted},
		{"security token header", "X-Amz-Security-Token: whatever", redacted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := redact(tt.in)
			if got != tt.want || changed != (tt.in != tt.want) {
				t.Errorf("redact(%q) = %q, %v; want %q", tt.in, got, changed, tt.want)
			}
		})
	}
}

// TestSecretsNeverReachTheDisk plants secrets in every string the store
// writes and greps every file of the database for them.
func TestSecretsNeverReachTheDisk(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "iamwatch.db")
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	plants := []string{
		secretKey,
		sessionToken,
		"Signature=" + signature,
		"X-Amz-Security-Token=" + sessionToken,
		"x " + secretKey + " y",
	}
	for _, s := range plants {
		rec := &iamwatch.Record{
			Session:      "s" + s,
			Source:       iamwatch.Source(s),
			AccessKeyID:  s,
			PrincipalARN: "arn:aws:iam::1:user/" + s,
			Labels:       map[string]string{"k" + s: "v" + s},
			Call: iamwatch.Call{
				Service: s, ServiceID: s, Model: s, Protocol: s, Operation: s, Region: s, AccountID: s, Reason: s,
				Conditions: map[string][]string{"c" + s: {s}},
				Actions: []iamwatch.ActionUse{{
					Action: "s3:" + s, Level: iamwatch.AccessLevel(s), Reason: s,
					Resources:  []string{"arn:aws:s3:::b/" + s},
					Conditions: map[string][]string{s: {"v" + s}},
				}},
			},
			ErrorCode: s,
		}
		id, err := db.Begin(ctx, rec)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Finish(ctx, id, rec); err != nil {
			t.Fatal(err)
		}
		if err := db.Add(ctx, rec); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Session(ctx, "t"+s, map[string]string{s: s}); err != nil {
			t.Fatal(err)
		}
		if err := db.SetPrincipal(ctx, s, s); err != nil {
			t.Fatal(err)
		}
	}
	calls := storedCalls(t, db)
	if len(calls) != 2*len(plants) || !strings.Contains(calls[0].Actions[0].Resources[0], redacted) {
		t.Fatalf("%d calls, first %+v", len(calls), calls[0])
	}

	grep := func(when string) {
		t.Helper()
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		if len(files) == 0 {
			t.Fatal("no database files")
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{secretKey, sessionToken[:60], signature} {
				if bytes.Contains(b, []byte(s)) {
					t.Errorf("%s: %s holds a planted secret %.12s…", when, filepath.Base(f), s)
				}
			}
		}
	}
	grep("open") // the WAL and the database file
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	grep("closed")
}

// TestMarkerIndexCoversEveryMarker keeps the tables and the byte tests of
// markerIndex in step with secretMarkers.
func TestMarkerIndexCoversEveryMarker(t *testing.T) {
	for _, m := range secretMarkers {
		if len(m) < minMarker {
			t.Errorf("marker %q is shorter than minMarker %d", m, minMarker)
		}
		if m != strings.ToLower(m) || m[1]|0x20 != m[1] {
			t.Errorf("marker %q: markerIndex wants lower case, and a second byte that |0x20 keeps", m)
		}
		for _, s := range []string{"prefix-" + strings.ToUpper(m) + "-suffix", "prefix-" + m + "-suffix",
			"prefix-" + strings.ToUpper(m[:1]) + m[1:] + "-suffix", "prefix-" + m[:1] + strings.ToUpper(m[1:]) + "-suffix"} {
			if got := markerIndex(s); got != len("prefix-") {
				t.Errorf("markerIndex(%q) = %d, want %d", s, got, len("prefix-"))
			}
		}
	}
}

// BenchmarkRedact redacts the strings a captured call's row carries, most
// of which hold no secret: what every call pays at the store's door.
func BenchmarkRedact(b *testing.B) {
	in := []string{
		"arn:aws:dynamodb:us-east-1:123456789012:table/orders",
		"arn:aws:s3:::my-bucket/photos/2024/cat.jpg",
		"AKIAIOSFODNN7EXAMPLE",
		"dynamodb:GetItem",
		"s3:GetObjectVersionTagging",
		"arn:aws:iam::123456789012:role/service-role/my-app-role",
		"arn:aws:sts::123456789012:assumed-role/deploy/session-name",
		"AmazonDynamoDBv2",
		"x-amz-json-1.0",
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range in {
			redact(s)
		}
	}
}

// FuzzRedact holds redact to a plain reading of its rules: a marker found
// by trying every one at every offset (ASCII case folded), and base64 runs
// told by comparisons instead of markerIndex's and redact's tables.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{"arn:aws:s3:::b/" + secretKey, "X-Amz-Signature=" + signature, sessionToken,
		"AWS4-HMAC-SHA256 Credential=x", "aWs_SeSsIoN_tOkEn", "ſignature=abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, changed := redact(s)
		want, wantChanged := redactReference(s)
		if got != want || changed != wantChanged {
			t.Errorf("redact(%q) = %q, %v; want %q, %v", s, got, changed, want, wantChanged)
		}
	})
}

func redactReference(s string) (string, bool) {
	if len(s) < 16 {
		return s, false
	}
	lower := func(c byte) byte {
		if 'A' <= c && c <= 'Z' {
			return c + 'a' - 'A'
		}
		return c
	}
	changed := false
marker:
	for i := 0; i < len(s); i++ {
		for _, m := range secretMarkers {
			if i+len(m) > len(s) {
				continue
			}
			match := true
			for k := range len(m) {
				if lower(s[i+k]) != m[k] {
					match = false
					break
				}
			}
			if match {
				s, changed = s[:i]+redacted, true
				break marker
			}
		}
	}
	if len(s) < 40 {
		return s, changed
	}
	isB64 := func(c byte) bool {
		return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/'
	}
	var out strings.Builder
	for i := 0; i < len(s); {
		if !isB64(s[i]) {
			out.WriteByte(s[i])
			i++
			continue
		}
		j, upper, low, digit := i, false, false, false
		for ; j < len(s) && isB64(s[j]); j++ {
			upper = upper || 'A' <= s[j] && s[j] <= 'Z'
			low = low || 'a' <= s[j] && s[j] <= 'z'
			digit = digit || '0' <= s[j] && s[j] <= '9'
		}
		core := j - i
		for j < len(s) && s[j] == '=' {
			j++
		}
		if core == 40 && upper && low || core > 40 && upper && low && digit {
			out.WriteString(redacted)
			changed = true
		} else {
			out.WriteString(s[i:j])
		}
		i = j
	}
	return out.String(), changed
}
