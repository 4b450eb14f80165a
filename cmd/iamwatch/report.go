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
	"github.com/iamwatch/iamwatch/generator/grants"
	"github.com/iamwatch/iamwatch/generator/report"
	"github.com/iamwatch/iamwatch/store"
)

func (a *app) reportCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report --html FILE [--session S] [--against POLICY...]",
		Short: "Write a self-contained HTML page about a session: charts, policy and calls",
		Long: `Write one HTML page about the calls the filter flags select (default: the
latest session; every session with --label or --all): calls over time per
service, actions by access level, the minimal policy, and the calls. With
--against it adds the comparison iamwatch diff makes with those deployed
policies (--principal then chooses whose grants to compare, as in diff).
The page loads nothing from anywhere and runs no script, so that it can be
kept as a CI artifact and opened offline.`,
		Example: `  iamwatch report --html report.html
  iamwatch report --html ci-42.html --session ci-42
  iamwatch report --html review.html --against authz.json --principal app-role`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := a.v.GetString("html")
			if out == "" {
				return usageError{errors.New("--html FILE is required")}
			}
			against := a.v.GetStringSlice("against")
			var in diffInput
			var err error
			if len(against) > 0 {
				// Read the deployed grants first: a bad file is a usage
				// error before any work.
				in, err = a.readGrants(diffOptions{against: against, principal: a.v.GetString("principal"),
					reader: grants.Reader{AccountID: a.v.GetString("account-id"), Region: a.v.GetString("region")}})
				if err != nil {
					return err
				}
			}
			db, f, err := a.openFiltered(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			if len(against) > 0 {
				// As in diff: --principal names whose grants to compare,
				// not whose calls to read.
				f.Principal = ""
			}
			sessions, err := a.selectSessions(cmd.Context(), db, &f, a.v.GetBool("all"), "report on")
			if err != nil {
				return err
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
			if len(against) > 0 {
				if rep.Diff, err = reportDiff(cmd.Context(), a, db, f, against, in); err != nil {
					return err
				}
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
	cmd.Flags().StringSlice("against", nil, "deployed policy files to compare with, as iamwatch diff reads them")
	cmd.Flags().String("account-id", "", "with --against: the account for ${AWS::AccountId} in templates")
	cmd.Flags().String("region", "", "with --against: the region for ${AWS::Region} in templates")
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

// reportDiff compares the calls f selects with the deployed grants, as
// iamwatch diff does, in the page's terms: what the calls need that the
// grants do not give (conditional verdicts included, marked), and what
// the grants give beyond the calls (unused actions and too-broad grants).
func reportDiff(ctx context.Context, a *app, db *store.DB, f store.Filter, against []string, in diffInput) (*report.Diff, error) {
	ix, err := a.loadIndex()
	if err != nil {
		return nil, err
	}
	uses, err := readUses(ctx, db, f)
	if err != nil {
		return nil, err
	}
	rep, err := generator.Diff(uses, in.grants, generator.DiffOptions{Principal: in.principal, Maps: ix.Maps()})
	if err != nil {
		return nil, err
	}
	d := &report.Diff{Against: against}
	for _, v := range rep.Missing {
		d.Missing = append(d.Missing, report.Finding{Action: v.Action, Resource: v.Resource, Detail: v.Reason})
	}
	for _, v := range rep.Conditional {
		d.Missing = append(d.Missing, report.Finding{Action: v.Action, Resource: v.Resource, Detail: "conditional: " + v.Reason})
	}
	for _, u := range rep.Unused {
		detail := "unused"
		if u.Level != "" {
			detail = "unused, " + string(u.Level)
		}
		d.Excess = append(d.Excess, report.Finding{Action: u.Action, Resource: u.Resource,
			Detail: fmt.Sprintf("%s; granted by %s (%s)", detail, u.Pattern, u.Statement)})
	}
	for _, t := range rep.TooBroad {
		d.Excess = append(d.Excess, report.Finding{Action: t.Action, Resource: t.Resource,
			Detail: "too broad: the calls used " + strings.Join(t.Observed, ", ")})
	}
	return d, nil
}
