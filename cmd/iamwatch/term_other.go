//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package main

import "os"

// terminalSize is unknown here: the live view draws without cutting.
func terminalSize(*os.File) (rows, cols int) { return 0, 0 }
