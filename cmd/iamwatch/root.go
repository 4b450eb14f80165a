package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"
)

// Exit codes, documented in README.md.
const (
	exitOK          = 0
	exitError       = 1
	exitUsage       = 2
	exitGap         = 3
	exitInterrupted = 130
)

// usageError marks an error in the command line or configuration.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// hintError carries the exact command that fixes an error.
type hintError struct {
	err  error
	hint string
}

func (e hintError) Error() string { return e.err.Error() }
func (e hintError) Unwrap() error { return e.err }

// app is what every command shares: its streams and configuration.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	v              *viper.Viper
}

// run executes the command line and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, v: newViper()}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var code exitCodeError
	if errors.As(err, &code) {
		return code.code
	}
	fmt.Fprintf(stderr, "iamwatch: error: %v\n", err)
	var h hintError
	if errors.As(err, &h) && h.hint != "" {
		fmt.Fprintf(stderr, "iamwatch: hint: %s\n", h.hint)
	}
	var u usageError
	if errors.As(err, &u) || isCobraUsage(err) {
		return exitUsage
	}
	if ctx.Err() != nil {
		return exitInterrupted
	}
	return exitError
}

// exitCodeError ends the program with a code and no message.
type exitCodeError struct{ code int }

func (e exitCodeError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "accepts ", "requires at least", "requires at most"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func newViper() *viper.Viper {
	v := viper.New()
	v.SetEnvPrefix("IAMWATCH")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_", ".", "_"))
	v.AutomaticEnv()
	v.SetDefault("log-level", "info")
	v.SetDefault("service-maps", "")
	return v
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "iamwatch",
		Short:         "Watch what an application does in AWS and write the smallest IAM policy for it",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return a.bind(cmd)
		},
	}
	root.PersistentFlags().String("log-level", "info", "log level: debug, info, warn, error")
	root.PersistentFlags().String("service-maps", "", "use this service-maps artifact instead of the embedded one")
	root.PersistentFlags().String("home", "", "iamwatch's directory (default $IAMWATCH_HOME or ~/.iamwatch)")
	root.PersistentFlags().String("config", "", "config file (default $IAMWATCH_HOME/config.yaml)")
	root.AddCommand(a.mapsCommand(), a.demoCommand(), a.proxyCommand(), a.runCommand(), a.envCommand(),
		a.caCommand(), a.sessionsCommand(), a.callsCommand(), a.policyCommand(),
		a.exportCommand(), a.importCommand(), a.mergeCommand(), a.reportCommand())
	root.AddCommand(a.simulateCommand())
	root.AddCommand(a.diffCommand())
	return root
}
