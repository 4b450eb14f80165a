package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestOlderDatabase: a database an older iamwatch wrote (schema version 2,
// store/testdata/v2.db) is upgraded by the first command that reads it,
// and until then a merge of it says how to upgrade it.
func TestOlderDatabase(t *testing.T) {
	fixture, err := os.ReadFile(filepath.Join("..", "..", "store", "testdata", "v2.db"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	old := filepath.Join(dir, "old.db")
	if err := os.WriteFile(old, fixture, 0o600); err != nil {
		t.Fatal(err)
	}
	iamwatch := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append(args, "--home", filepath.Join(dir, "home")), strings.NewReader(""), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}

	code, _, stderr := iamwatch("merge", "--db", filepath.Join(dir, "all.db"), old)
	if code == exitOK || !strings.Contains(stderr, "schema version 2") ||
		!strings.Contains(stderr, "iamwatch sessions --db "+old) {
		t.Errorf("merge of an old database: exit %d\n%s", code, stderr)
	}

	code, stdout, stderr := iamwatch("sessions", "--db", old)
	if code != exitOK {
		t.Fatalf("sessions: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{`(?m)^s1 .* 12 `, `(?m)^s2 .* 3 `, `(?m)^s3 .* 2 `} {
		if !regexp.MustCompile(want).MatchString(stdout) {
			t.Errorf("sessions of the upgraded database lack %s:\n%s", want, stdout)
		}
	}
	code, stdout, stderr = iamwatch("calls", "--db", old, "--session", "s3", "--output", "json")
	if code != exitOK || !strings.Contains(stdout, `"arn:aws:s3:::bucket/key-8"`) || !strings.Contains(stdout, `"AccessDenied"`) {
		t.Errorf("calls of the upgraded database: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, _, stderr = iamwatch("merge", "--db", filepath.Join(dir, "all.db"), old)
	if code != exitOK || !strings.Contains(stderr, "17 calls added") {
		t.Errorf("merge of the upgraded database: exit %d\n%s", code, stderr)
	}
}
