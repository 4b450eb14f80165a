package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/generator"
	"github.com/iamwatch/iamwatch/generator/eval"
	"github.com/iamwatch/iamwatch/generator/grants"
)

// diffOptions is the validated configuration of `iamwatch diff`.
type diffOptions struct {
	against   []string
	principal string
	boundary  string
	scps      [][]string
	resources []string
	format    generator.DiffFormat
	failOn    generator.FailOn
	all       bool
	reader    grants.Reader
}

func (a *app) diffOptions() (diffOptions, error) {
	o := diffOptions{
		against:   a.v.GetStringSlice("against"),
		principal: a.v.GetString("principal"),
		boundary:  a.v.GetString("boundary"),
		resources: a.v.GetStringSlice("resource-policy"),
		format:    generator.DiffFormat(a.v.GetString("format")),
		failOn:    generator.FailOn(a.v.GetString("fail-on")),
		all:       a.v.GetBool("all"),
		reader:    grants.Reader{AccountID: a.v.GetString("account-id"), Region: a.v.GetString("region")},
	}
	if len(o.against) == 0 {
		return o, usageError{errors.New("--against FILE is required: a policy document, authorization details, a Terraform plan or a CloudFormation template")}
	}
	if o.all && len(a.v.GetStringSlice("session")) > 0 {
		return o, usageError{errors.New("--all and --session exclude each other")}
	}
	if !containsValue(generator.DiffFormats(), o.format) {
		return o, usageError{fmt.Errorf("--format must be text, json, markdown or sarif, not %q", o.format)}
	}
	if !containsValue(generator.FailOns(), o.failOn) {
		return o, usageError{fmt.Errorf("--fail-on must be missing, conditional, unused, any or none, not %q", o.failOn)}
	}
	scps, err := scpLevels(a.v.GetStringSlice("scp"))
	if err != nil {
		return o, err
	}
	o.scps = scps
	return o, nil
}

func containsValue[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (a *app) diffCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "diff --against FILE... [--session S... | --all] [--principal ARN]",
		Short: "Compare recorded calls with deployed policies: what is missing, unused or too broad",
		Long: `Compare what the recorded calls needed (default: the latest session; every
session with --label or --all) with what a configuration grants, evaluated
offline the way AWS's policy evaluation logic does:

  missing      observed calls the policies would deny, with the Deny or the
               missing Allow that blocks them
  conditional  observed calls whose verdict depends on request context
               iamwatch could not observe (aws:SourceIp, tags…) or on values
               only known at deploy time; never counted as allowed
  unused       granted actions no call used, wildcards expanded against the
               IAM catalog, by access level (Write and Permissions
               management marked)
  too broad    actions granted on "*" or a wildcard that the calls used on
               specific resources, with those resources

and, last, the minimal policy that keeps every observed call working.

--against takes IAM policy documents (JSON or YAML; several files are one
union), the output of ` + "`aws iam get-account-authorization-details`" + `, a
Terraform plan or state (` + "`terraform show -json`" + `) and CloudFormation
templates. When a file defines several roles or users, --principal (ARN,
name, Terraform address or logical ID) chooses one. A value the file leaves
to deploy time stays a placeholder that matches nothing for certain: the
calls it decides are conditional. --account-id and --region fill
CloudFormation's AWS::AccountId and AWS::Region.

--boundary replaces the permissions boundary the files name. Repeat --scp
once per organization level, root first; separate several SCPs of one level
with commas. --resource-policy adds bucket, queue, topic or key policies.

--format markdown is made to paste into a pull request comment; sarif is
SARIF 2.1.0 for code scanning, each finding at the statement it concerns.

Exit codes:
  0  nothing matched --fail-on (default missing)
  1  an error: a file that cannot be read or holds no policy, a database
     that cannot be opened
  2  usage: bad flags, or a --principal that chooses no principal
  3  a finding matched --fail-on: missing (missing permissions),
     conditional (missing or conditional), unused (unused actions),
     any (any finding), none (never)`,
		Example: `  iamwatch diff --against policy.json
  iamwatch diff --all --against plan.json --principal module.app.aws_iam_role.this --format markdown
  aws iam get-account-authorization-details > authz.json
  iamwatch diff --against authz.json --principal app-role --format sarif > iamwatch.sarif`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.diff(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringArray("against", nil, "policy document, authorization details, Terraform plan or CloudFormation template (repeatable)")
	f.String("principal", "", "the role or user to compare, when --against defines several: ARN, name, Terraform address or logical ID")
	f.String("boundary", "", "permissions boundary policy file (replaces the one --against names)")
	f.StringArray("scp", nil, "SCP files of one organization level, comma-separated (repeat per level, root first)")
	f.StringArray("resource-policy", nil, "resource-based policy file: bucket, queue, topic or key policy (repeatable)")
	f.String("format", "text", "output format: text, json, markdown or sarif")
	f.String("fail-on", string(generator.FailMissing), "exit 3 on: missing, conditional, unused, any or none")
	f.String("account-id", "", "account ID for CloudFormation's AWS::AccountId")
	f.String("region", "", "region for CloudFormation's AWS::Region")
	f.Bool("all", false, "every session (default: the latest)")
	f.String("db", "", "database file (default $IAMWATCH_HOME/iamwatch.db)")
	f.StringSlice("session", nil, "session names (repeatable; default: the latest session)")
	f.String("since", "", "only calls since this time or duration ago (2h, 2026-01-02, RFC 3339)")
	f.StringArray("label", nil, "only calls with this label, key=value (repeatable)")
	return cmd
}

func (a *app) diff(ctx context.Context) error {
	o, err := a.diffOptions()
	if err != nil {
		return err
	}
	ix, err := a.loadIndex()
	if err != nil {
		return err
	}
	in, err := a.readGrants(o)
	if err != nil {
		return err
	}
	uses, err := a.diffUses(ctx, o)
	if err != nil {
		return err
	}
	rep, err := generator.Diff(uses, in.grants, generator.DiffOptions{Principal: in.principal, Maps: ix.Maps()})
	if err != nil {
		return err
	}
	rep.Warnings = append(in.warnings, rep.Warnings...)
	if len(uses) == 0 {
		rep.Warnings = append(rep.Warnings, "no recorded calls were selected: everything granted is unused")
	}
	out, err := rep.Render(o.format)
	if err != nil {
		return err
	}
	if _, err := a.stdout.Write(out); err != nil {
		return err
	}
	if rep.Fails(o.failOn) {
		fmt.Fprintf(a.stderr, "iamwatch: diff: %d missing, %d conditional, %d unused, %d too broad; exit 3 (--fail-on %s)\n",
			len(rep.Missing), len(rep.Conditional), len(rep.Unused), len(rep.TooBroad), o.failOn)
		return exitCodeError{exitGap}
	}
	return nil
}

// diffInput is what the files grant the compared principal.
type diffInput struct {
	grants    []generator.Grant
	principal string // the caller's ARN when known
	warnings  []string
}

// readGrants reads --against, --boundary, --scp and --resource-policy.
func (a *app) readGrants(o diffOptions) (diffInput, error) {
	var in diffInput
	if strings.HasPrefix(o.principal, "arn:") {
		in.principal = o.principal
	}
	for _, path := range o.against {
		data, err := os.ReadFile(path)
		if err != nil {
			return in, fmt.Errorf("read --against: %w", err)
		}
		file, err := o.reader.Read(path, data)
		if err != nil {
			return in, hintError{err, "--against takes a policy document, `aws iam get-account-authorization-details` output, `terraform show -json` output or a CloudFormation template"}
		}
		name := o.principal
		if file.Format == grants.FormatPolicy {
			name = "" // a policy document is the principal's whatever its name
		}
		sel, err := file.For(name)
		if err != nil {
			var pe *grants.PrincipalError
			if errors.As(err, &pe) {
				return in, usageError{hintError{err, "pass --principal with one of the names above"}}
			}
			return in, err
		}
		if sel.Principal != nil && sel.Principal.ARN != "" && in.principal == "" {
			in.principal = sel.Principal.ARN
		}
		in.warnings = append(in.warnings, sel.Warnings...)
		var lines []int
		if file.Format == grants.FormatPolicy && len(sel.Grants) == 1 {
			lines = generator.StatementLines(data)
		}
		for _, g := range sel.Grants {
			if o.boundary != "" && g.Kind == grants.KindBoundary {
				in.warnings = append(in.warnings, fmt.Sprintf("%s: replaced by --boundary %s", g.Source, o.boundary))
				continue
			}
			in.grants = append(in.grants, generator.Grant{Kind: eval.Kind(g.Kind), Source: g.Source, File: path,
				Document: g.Document, Conditional: g.Conditional, Lines: lines})
		}
	}
	extra := func(path string, kind grants.Kind, level int) error {
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("read policy: %w", err)
		}
		r := o.reader
		r.Kind, r.Format = kind, grants.FormatPolicy
		file, err := r.Read(path, data)
		if err != nil {
			return err
		}
		lines := generator.StatementLines(data)
		for _, g := range file.Grants {
			in.grants = append(in.grants, generator.Grant{Kind: eval.Kind(kind), SCPLevel: level, Source: g.Source, File: path,
				Document: g.Document, Conditional: g.Conditional, Lines: lines})
		}
		in.warnings = append(in.warnings, file.Warnings...)
		return nil
	}
	if o.boundary != "" {
		if err := extra(o.boundary, grants.KindBoundary, 0); err != nil {
			return in, err
		}
	}
	for i, level := range o.scps {
		for _, path := range level {
			if err := extra(path, grants.KindSCP, i+1); err != nil {
				return in, err
			}
		}
	}
	for _, path := range o.resources {
		if err := extra(path, grants.KindResource, 0); err != nil {
			return in, err
		}
	}
	return in, nil
}

// diffUses reads the action uses of the selected calls. Without
// --session, --label or --all it takes the latest session.
func (a *app) diffUses(ctx context.Context, o diffOptions) ([]iamwatch.ActionUse, error) {
	db, f, err := a.openFiltered(ctx)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	// --principal names the compared principal, not whose calls to read.
	f.Principal = ""
	if _, err := a.selectSessions(ctx, db, &f, o.all, "diff of"); err != nil {
		return nil, err
	}
	return readUses(ctx, db, f)
}

// scpLevels reads --scp: one flag per organization level, root first, with
// the level's policy files separated by commas.
func scpLevels(flags []string) ([][]string, error) {
	var levels [][]string
	for _, level := range flags {
		var paths []string
		for _, p := range strings.Split(level, ",") {
			if p = strings.TrimSpace(p); p != "" {
				paths = append(paths, p)
			}
		}
		if len(paths) == 0 {
			return nil, usageError{errors.New("--scp needs at least one file")}
		}
		levels = append(levels, paths)
	}
	return levels, nil
}
