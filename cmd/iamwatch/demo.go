package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/generator"
	"github.com/iamwatch/iamwatch/generator/eval"
	"github.com/iamwatch/iamwatch/generator/grants"
	"github.com/iamwatch/iamwatch/proxy"
	servicemaps "github.com/iamwatch/iamwatch/service-maps"
	"github.com/iamwatch/iamwatch/store"
)

// demoOverbroadPolicy is the kind of policy applications are often given:
// a service's every action on every resource, and any role to pass.
//
//go:embed demo/overbroad-policy.json
var demoOverbroadPolicy []byte

// demoOverbroadName is where the sample policy lives in the source tree.
const demoOverbroadName = "cmd/iamwatch/demo/overbroad-policy.json"

// demoTimeout bounds the whole scenario: every call is answered on
// loopback, so anything near it is a hang.
const demoTimeout = 30 * time.Second

var demoAccountIDRE = regexp.MustCompile(`^[0-9]{12}$`)

// demoOptions is the validated configuration of `iamwatch demo`.
type demoOptions struct {
	accountID string
	db        string // empty: a temporary file, removed afterwards
}

func (a *app) demoCommand() *cobra.Command {
	var o demoOptions
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run real AWS SDK calls through the proxy against a fake AWS and print the calls and the minimal policy (no AWS account needed)",
		Long: `Run a small application's AWS calls (S3, DynamoDB, SQS, STS, Lambda) with
the real AWS SDK for Go, through a real iamwatch proxy, into a real store,
and print the calls, the minimal policy and how it compares with an
over-broad one.

Nothing leaves the machine: the proxy uses a throwaway CA and sends every
call to a fake AWS on 127.0.0.1, exactly as 'iamwatch proxy --upstream'
sends calls to an emulator. The credentials are AWS's documented example
keys. The calls are recorded in a temporary database, removed afterwards,
unless --db names one to keep.`,
		Example: `  iamwatch demo
  iamwatch demo --db demo.db && iamwatch policy --db demo.db --format terraform`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !demoAccountIDRE.MatchString(o.accountID) {
				return usageError{fmt.Errorf("--account-id %q is not 12 digits", o.accountID)}
			}
			return a.demo(cmd.Context(), o)
		},
	}
	// Plain flags, not configuration: a database named in IAMWATCH_DB or
	// config.yaml is the user's real one, which the demo must not fill.
	cmd.Flags().StringVar(&o.accountID, "account-id", "123456789012", "the fake AWS account the demo's calls run in")
	cmd.Flags().StringVar(&o.db, "db", "", "keep the demo's calls in this database (default: a temporary one, removed afterwards)")
	return cmd
}

func (a *app) demo(ctx context.Context, o demoOptions) error {
	log, err := a.logger()
	if err != nil {
		return err
	}
	dbPath := o.db
	if dbPath == "" {
		dir, err := os.MkdirTemp("", "iamwatch-demo-")
		if err != nil {
			return fmt.Errorf("create the demo's database directory: %w", err)
		}
		defer os.RemoveAll(dir)
		dbPath = filepath.Join(dir, "iamwatch.db")
	}
	// The capture opens the database that "db" names.
	a.v.Set("db", dbPath)

	up, err := startDemoUpstream(o.accountID)
	if err != nil {
		return err
	}
	defer up.close()
	ca, err := proxy.NewCA()
	if err != nil {
		return fmt.Errorf("make the demo's CA: %w", err)
	}
	r, err := a.startCapture(ctx, captureOptions{
		listen:       "127.0.0.1:0",
		csmListen:    "off",
		session:      defaultSession("demo"),
		accountID:    o.accountID,
		upstream:     up.URL().String(),
		ca:           ca,
		transport:    up.transport(),
		onStoreError: failOpen,
		dialTimeout:  5 * time.Second,
		respTimeout:  10 * time.Second,
	}, log)
	if err != nil {
		return err
	}
	proxyURL, err := url.Parse(r.proxyURL())
	if err != nil {
		r.stop()
		return err
	}
	cfg, tr := demoClientConfig(proxyURL, ca.Certificate())
	steps, err := demoScenario(cfg, o.accountID)
	if err != nil {
		r.stop()
		return err
	}
	fmt.Fprintf(a.stderr, "iamwatch demo: %d AWS SDK for Go calls -> iamwatch proxy %s -> fake AWS %s (no AWS account needed)\n",
		len(steps), r.proxyURL(), up.URL())
	runErr := runDemoSteps(ctx, steps)
	tr.CloseIdleConnections()
	if err := errors.Join(runErr, r.stop(), r.notStored()); err != nil {
		return err
	}
	return a.demoReport(ctx, r, dbPath, o.db != "")
}

func runDemoSteps(ctx context.Context, steps []demoStep) error {
	ctx, cancel := context.WithTimeout(ctx, demoTimeout)
	defer cancel()
	for _, s := range steps {
		if err := s.call(ctx); err != nil {
			return fmt.Errorf("demo call %s: %w", s.name, err)
		}
	}
	return nil
}

// demoReport prints what the store recorded: the calls, the principal the
// capture learned, the minimal policy and the diff section.
func (a *app) demoReport(ctx context.Context, r *captureRun, dbPath string, kept bool) error {
	db, err := store.Options{ReadOnly: true}.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	f := store.Filter{Sessions: []string{r.session}}
	calls, err := db.Calls(ctx, f)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "Calls recorded by the proxy (session %s):\n", r.session)
	var principal string
	for i := range calls {
		fmt.Fprintln(a.stdout, demoCallLine(&calls[i]))
		if principal == "" {
			principal = calls[i].PrincipalARN
		}
	}
	if principal != "" {
		fmt.Fprintf(a.stdout, "\nPrincipal (learned from the GetCallerIdentity response): %s\n", principal)
	}

	// As `iamwatch policy` does it: the session's action uses, read back
	// from the store, through the generator.
	uses, err := readUses(ctx, db, f)
	if err != nil {
		return err
	}
	p, err := generator.FromUses(uses, generator.Options{Maps: r.cap.ix.Maps(),
		Resources: generator.ResourcesExact, CollapseThreshold: generator.DefaultCollapseThreshold})
	if err != nil {
		return err
	}
	out, err := generator.Render(generator.FormatJSON, generator.DefaultName, p)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "\nMinimal policy:\n%s", out)

	fmt.Fprintf(a.stdout, "\nDiff against an over-broad sample policy (iamwatch diff --against %s):\n", demoOverbroadName)
	if err := demoDiff(a.stdout, uses, principal, r.cap.ix.Maps(), demoOverbroadName, demoOverbroadPolicy); err != nil {
		return err
	}
	if kept {
		fmt.Fprintf(a.stderr, "iamwatch demo: calls kept in %s, session %q; try: iamwatch policy --db %s --session %s\n",
			dbPath, r.session, shellQuote(dbPath), shellQuote(r.session))
	}
	return nil
}

// demoDiff prints how the sample policy compares with what the calls
// needed, as `iamwatch diff --against SAMPLE` would for the session.
func demoDiff(w io.Writer, uses []iamwatch.ActionUse, principal string, maps *servicemaps.Maps, sampleName string, sample []byte) error {
	in, err := grants.Reader{Format: grants.FormatPolicy}.Read(sampleName, sample)
	if err != nil {
		return fmt.Errorf("read the demo's sample policy: %w", err)
	}
	var gs []generator.Grant
	for _, g := range in.Grants {
		gs = append(gs, generator.Grant{Kind: eval.Kind(g.Kind), Source: g.Source, File: sampleName,
			Document: g.Document, Conditional: g.Conditional, Lines: generator.StatementLines(sample)})
	}
	rep, err := generator.Diff(uses, gs, generator.DiffOptions{Principal: principal, Maps: maps})
	if err != nil {
		return err
	}
	// The minimal policy is printed just above.
	rep.Suggested = nil
	rep.Warnings = append(in.Warnings, rep.Warnings...)
	out, err := rep.Render(generator.DiffText)
	if err != nil {
		return err
	}
	_, err = w.Write(out)
	return err
}

// demoCallLine is one recorded call: service, operation, status, and each
// action with its resources.
func demoCallLine(rec *iamwatch.Record) string {
	var acts []string
	for _, u := range rec.Actions {
		if !u.Possible {
			acts = append(acts, u.Action+" "+strings.Join(u.Resources, ","))
		}
	}
	if len(acts) == 0 && rec.Recognized {
		acts = []string{"(no IAM action needed)"}
	}
	line := fmt.Sprintf("%-9s %-18s %3d  %s", firstOf(rec.ServiceID, rec.Service, "?"), firstOf(rec.Operation, "?"), rec.Status, strings.Join(acts, "; "))
	if rec.ErrorCode != "" {
		line += "  error: " + rec.ErrorCode
	}
	if !rec.Recognized {
		line += "  unrecognized: " + rec.Reason
	}
	return strings.TrimRight(line, " ")
}
