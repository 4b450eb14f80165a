package main

import (
	"context"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"iamwatch": func() {
			os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
	})
}

// TestScripts runs the CLI end to end: testdata/*.txtar check stdout,
// stderr and exit codes.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:  "testdata",
		Cmds: scriptCmds(),
		Setup: func(env *testscript.Env) error {
			env.Setenv("IAMWATCH_HOME", env.WorkDir+"/home")
			return nil
		},
	})
}
