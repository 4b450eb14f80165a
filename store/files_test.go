package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCloseReleasesFiles: after Close no descriptor of the database, its
// WAL or its journal stays open (SQLite keeps a connection with live
// statements open past its close), so its file system can be unmounted.
func TestCloseReleasesFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "released.db")
	for _, o := range []Options{{}, {Journal: true}, {ReadOnly: true}} {
		db, err := o.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		if o.ReadOnly {
			db.Sessions(context.Background())
		} else if _, err := db.Begin(context.Background(), record("s", 1)); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skipf("no /proc: %v", err)
		}
		for _, e := range ents {
			if l, _ := os.Readlink("/proc/self/fd/" + e.Name()); strings.Contains(l, "released.db") {
				t.Errorf("%+v: %s still open after Close", o, l)
			}
		}
	}
}
