package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/generator"
)

func (a *app) runCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run [flags] -- COMMAND [ARGS...]",
		Short: "Run a command with its AWS calls captured, then print the minimal policy",
		Long: `Run COMMAND with HTTPS_PROXY, the CA variables of every AWS SDK family and
AWS_CSM_* pointing at a proxy and CSM listener on free loopback ports, record
its AWS calls into a session named after it, and print the minimal policy
when it ends. iamwatch exits with the command's own exit code.`,
		Example: `  iamwatch run -- go test ./...
  iamwatch run --out policy.json -- pytest
  iamwatch run --upstream http://localhost:4566 -- terraform apply`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.ArgsLenAtDash() != 0 {
				return usageError{errors.New("put the command after --, as in: iamwatch run -- go test ./...")}
			}
			if os.Getenv("IAMWATCH_PROXY") != "" {
				return hintError{errors.New("already running under iamwatch (IAMWATCH_PROXY is set); nesting would record every call twice"),
					"unset IAMWATCH_PROXY HTTPS_PROXY HTTP_PROXY; iamwatch run -- " + strings.Join(args, " ")}
			}
			log, err := a.logger()
			if err != nil {
				return err
			}
			a.v.SetDefault("listen", "127.0.0.1:0")
			o, err := a.captureOptions(filepath.Base(args[0]))
			if err != nil {
				return err
			}
			r, err := a.startCapture(cmd.Context(), o, log)
			if err != nil {
				return err
			}
			// The policy is made from the distinct uses of every call seen,
			// not from the store, so that it includes calls the store
			// could not write; keeping uses, not calls, bounds the memory
			// of a long run.
			var (
				mu   sync.Mutex
				uses = useSet{}
			)
			r.cap.onRecord = func(rec *iamwatch.Record) {
				mu.Lock()
				uses.add(rec.Call)
				mu.Unlock()
			}
			if a.v.GetBool("verbose") {
				lines := newLineBuffer(a.stderr)
				defer lines.Close()
				r.cap.lines = lines
			}
			host, port := r.csmAddr()
			env, err := buildClientEnv(r.home, r.ca, r.proxyURL(), host, port, os.Getenv)
			if err != nil {
				r.stop()
				return err
			}
			for _, w := range env.warnings {
				fmt.Fprintf(a.stderr, "iamwatch: warning: %s\n", w)
			}
			code, runErr := a.runChild(args, env)
			stopErr := r.stop()
			if runErr != nil {
				return runErr
			}
			mu.Lock()
			policy, err := generator.FromUses(uses.list(), generator.Options{Maps: r.cap.ix.Maps()})
			mu.Unlock()
			n := r.cap.callsSummary()
			if err != nil {
				return fmt.Errorf("generate the policy: %w", err)
			}
			out, err := policy.JSON()
			if err != nil {
				return err
			}
			if path := a.v.GetString("out"); path != "" {
				if err := os.WriteFile(path, out, 0o644); err != nil {
					return fmt.Errorf("write the policy: %w", err)
				}
				fmt.Fprintf(a.stderr, "iamwatch: %s in session %q; policy written to %s\n", n, r.session, path)
			} else {
				fmt.Fprintf(a.stderr, "iamwatch: %s in session %q; minimal policy:\n", n, r.session)
				a.stdout.Write(out)
			}
			if d := r.cap.deniedSummary(); d != "" {
				fmt.Fprintf(a.stderr, "iamwatch: %s; the policy grants what they needed\n", d)
			}
			if stopErr != nil {
				fmt.Fprintf(a.stderr, "iamwatch: warning: %v\n", stopErr)
			}
			if err := r.notStored(); err != nil {
				// The policy above was made from every call; later
				// reads of the session will lack these.
				fmt.Fprintf(a.stderr, "iamwatch: warning: %v (the policy above includes them; the session in the store does not)\n", err)
			}
			if code != 0 {
				return exitCodeError{code}
			}
			return nil
		},
	}
	addCaptureFlags(cmd, "127.0.0.1:0", "127.0.0.1:0")
	cmd.Flags().String("out", "", "write the policy to this file instead of stdout")
	cmd.Flags().BoolP("verbose", "v", false, "print each call as it happens")
	return cmd
}

// runChild runs the command with the capture environment, forwarding
// signals, and returns its exit code (128+N when a signal ended it).
func (a *app) runChild(args []string, env clientEnv) (int, error) {
	c := exec.Command(args[0], args[1:]...)
	c.Stdin, c.Stdout, c.Stderr = a.stdin, a.stdout, a.stderr
	c.Env = os.Environ()
	for _, kv := range env.vars {
		c.Env = append(c.Env, kv[0]+"="+kv[1])
	}
	// Listen before the child starts, so that a signal sent as soon as it
	// runs is forwarded, not lost.
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2)
	defer signal.Stop(sigs)
	if err := c.Start(); err != nil {
		var hint string
		if errors.Is(err, exec.ErrNotFound) {
			hint = "check the command name and PATH"
		}
		return 0, hintError{fmt.Errorf("start %s: %w", args[0], err), hint}
	}
	// A terminal delivers Ctrl-C to the whole foreground process group,
	// the child included; forwarding it again would deliver it twice.
	fromTTY := isTerminal(a.stdin)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				if s == syscall.SIGINT && fromTTY {
					continue
				}
				_ = c.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	err := c.Wait()
	close(done)
	if err == nil {
		return 0, nil
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), nil
		}
		return exitErr.ExitCode(), nil
	}
	return 0, fmt.Errorf("wait for %s: %w", args[0], err)
}
