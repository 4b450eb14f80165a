package store

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// TestOnError: with OnError set, every failed queued write reaches it
// instead of the log, and Flush still reports the failures.
func TestOnError(t *testing.T) {
	var logs bytes.Buffer
	var mu sync.Mutex
	var got []error
	db := openTest(t, Options{
		MaxPageCount: 64,
		Logger:       slog.New(slog.NewTextHandler(&logs, nil)),
		OnError: func(err error) {
			mu.Lock()
			got = append(got, err)
			mu.Unlock()
		},
	})
	big := record("s", 0)
	big.Reason = strings.Repeat("x", 4000)
	for range 100 {
		if err := db.Add(t.Context(), big); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Flush(t.Context()); !errors.Is(err, ErrFull) {
		t.Fatalf("Flush = %v, want ErrFull", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) == 0 || len(got) == 100 {
		t.Fatalf("OnError saw %d failures of 100 writes into a 64-page database, want some", len(got))
	}
	for _, err := range got {
		if !errors.Is(err, ErrFull) {
			t.Errorf("OnError got %v, want ErrFull", err)
		}
	}
	if strings.Contains(logs.String(), "queued write failed") {
		t.Errorf("failures logged although OnError handles them:\n%s", logs.String())
	}
}
