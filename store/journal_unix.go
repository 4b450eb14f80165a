//go:build unix

package store

import (
	"os"
	"syscall"
)

// mapJournal maps n bytes of f for reading and writing, shared with the
// file; nil when the system refuses.
func mapJournal(f *os.File, n int) []byte {
	m, err := syscall.Mmap(int(f.Fd()), 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		return nil
	}
	return m
}

func unmapJournal(m []byte) { syscall.Munmap(m) }
