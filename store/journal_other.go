//go:build !unix

package store

import "os"

// mapJournal maps nothing here: lines are written with WriteAt.
func mapJournal(*os.File, int) []byte { return nil }

func unmapJournal([]byte) {}
