package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/generator"
	"github.com/iamwatch/iamwatch/generator/report"
	"github.com/iamwatch/iamwatch/store"
)

func (a *app) reportCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report --html FILE [--session S] [--against POLICY...]",
		Short: "Write a self-contained HTML page about a session: charts, policy and calls",
		Long: `Write one HTML page about the calls the filter flags select (default: the
latest session; every session with --label or --all): calls over time per
service, actions by access level, the minimal policy, and the calls. The
page loads nothing from anywhere and runs no script, so that it can be
kept as a CI artifact and opened offline.`,
		Example: `  iamwatch report --html report.html
  iamwatch report --html ci-42.html --session ci-42`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := a.v.GetString("html")
			if out == "" {
				return usageError{errors.New("--html FILE is required")}
			}
			if against := a.v.GetStringSlice("against"); len(against) > 0 {
				// The page renders a report.Diff; fill it from the
				// generator's diff of the deployed policies once that
				// is built in.
				return usageError{fmt.Errorf("--against %s: comparing with a deployed policy is not built into this iamwatch yet", strings.Join(against, ","))}
			}
			db, f, err := a.openFiltered(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			sessions, err := db.Sessions(cmd.Context())
			if err != nil {
				return err
			}
			if len(f.Sessions) == 0 && len(f.Labels) == 0 && !a.v.GetBool("all") {
				if len(sessions) == 0 {
					return hintError{fmt.Errorf("no sessions in %s", db.Path()), "iamwatch run -- YOUR COMMAND"}
				}
				latest := sessions[0]
				for _, s := range sessions[1:] {
					if s.Created.After(latest.Created) {
						latest = s
					}
				}
				f.Sessions = []string{latest.Name}
				fmt.Fprintf(a.stderr, "iamwatch: report on session %q (--session or --all for others)\n", latest.Name)
			}
			rep := &report.Report{Session: strings.Join(f.Sessions, ", "), Generated: time.Now()}
			if len(f.Sessions) == 1 {
				for _, s := range sessions {
					if s.Name == f.Sessions[0] {
						rep.Labels = s.Labels
					}
				}
			}
			if len(f.Labels) > 0 {
				rep.Session = strings.TrimPrefix(rep.Session+", ", ", ") + "calls labelled " + labelString(f.Labels)
			}
			err = db.EachCall(cmd.Context(), f, func(r *iamwatch.Record) error {
				rep.Add(r)
				return nil
			})
			if err != nil {
				return err
			}
			// A policy the generator refuses (an action the catalog does
			// not know) is reported on the page, not instead of it.
			if rep.Policy, err = reportPolicy(cmd.Context(), db, f); err != nil {
				if !errors.Is(err, generator.ErrInvalid) {
					return err
				}
				rep.PolicyError = err.Error()
			}
			var buf bytes.Buffer
			if err := rep.Render(&buf); err != nil {
				return err
			}
			if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
				return fmt.Errorf("write the report: %w", err)
			}
			fmt.Fprintf(a.stderr, "iamwatch: report written to %s\n", out)
			return nil
		},
	}
	addFilterFlags(cmd)
	cmd.Flags().Bool("all", false, "every session")
	cmd.Flags().String("html", "", "write the page to this file")
	cmd.Flags().StringSlice("against", nil, "deployed policy files to compare with (not built in yet)")
	return cmd
}

// reportPolicy returns the minimal policy of the calls f selects, as the
// generator's JSON.
func reportPolicy(ctx context.Context, db *store.DB, f store.Filter) ([]byte, error) {
	uses, err := readUses(ctx, db, f)
	if err != nil {
		return nil, err
	}
	p, err := generator.FromUses(uses, generator.Options{})
	if err != nil {
		return nil, err
	}
	return p.JSON()
}
