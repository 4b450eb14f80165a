package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/generator"
	"github.com/iamwatch/iamwatch/store"
)

// policyLimit returns IAM's size quota a --limit names.
func policyLimit(name string) (int, bool) {
	switch name {
	case "managed":
		return generator.LimitManaged, true
	case "inline-role":
		return generator.LimitInlineRole, true
	case "inline-user":
		return generator.LimitInlineUser, true
	case "inline-group":
		return generator.LimitInlineGroup, true
	}
	return 0, false
}

// policyOptions is the validated configuration of `iamwatch policy`.
type policyOptions struct {
	all        bool
	format     generator.Format
	gen        generator.Options
	split      bool
	limitName  string
	limit      int
	out        string
	outputName string // names data sources and template resources
}

func (a *app) policyOptions() (policyOptions, error) {
	o := policyOptions{
		all:       a.v.GetBool("all"),
		format:    generator.Format(a.v.GetString("format")),
		split:     a.v.GetBool("split"),
		limitName: a.v.GetString("limit"),
		out:       a.v.GetString("out"),
		gen: generator.Options{
			IncludePossible:   a.v.GetBool("include-possible"),
			Resources:         generator.ResourceMode(a.v.GetString("resources")),
			CollapseThreshold: a.v.GetInt("collapse-threshold"),
			Conditions:        a.v.GetBool("conditions"),
		},
	}
	if o.all && len(a.v.GetStringSlice("session")) > 0 {
		return o, usageError{fmt.Errorf("--all and --session exclude each other")}
	}
	formats := generator.Formats()
	if !containsFormat(formats, o.format) {
		return o, usageError{fmt.Errorf("--format must be one of %s, not %q", joinFormats(formats), o.format)}
	}
	switch o.gen.Resources {
	case generator.ResourcesExact, generator.ResourcesCollapse, generator.ResourcesService:
	default:
		return o, usageError{fmt.Errorf("--resources must be exact, collapse or service, not %q", o.gen.Resources)}
	}
	if o.gen.CollapseThreshold < 1 {
		return o, usageError{fmt.Errorf("--collapse-threshold must be at least 1, not %d", o.gen.CollapseThreshold)}
	}
	var ok bool
	if o.limit, ok = policyLimit(o.limitName); !ok {
		return o, usageError{fmt.Errorf("--limit must be managed, inline-role, inline-user or inline-group, not %q", o.limitName)}
	}
	o.outputName = generator.DefaultName
	if o.out != "" {
		o.outputName = strings.TrimSuffix(filepath.Base(o.out), filepath.Ext(o.out))
	}
	return o, nil
}

func containsFormat(list []generator.Format, f generator.Format) bool {
	for _, g := range list {
		if g == f {
			return true
		}
	}
	return false
}

func joinFormats(list []generator.Format) string {
	s := make([]string, len(list))
	for i, f := range list {
		s[i] = string(f)
	}
	return strings.Join(s, ", ")
}

func (a *app) policyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Print the minimal policy for recorded calls (default: the latest session; every session with --label)",
		Long: `Print the smallest IAM policy that allows the recorded calls: every action
they needed, on the resources they named, failed calls included (they were
attempted, so the application needs them).

Statements group the actions that share resources (and conditions). Sids
are derived from each statement's content, so the output is stable from run
to run. Every action and ARN is checked against the IAM catalog.

--resources collapse replaces more than --collapse-threshold sibling ARNs
(objects in one S3 prefix, indexes of one table) by a wildcard over their
directory; it never widens past a bucket, table, account or region, and
never touches iam:PassRole or permissions-management actions. --resources
service grants every action on "*".

--conditions adds the condition keys that every observed use of an action
pinned (aws:RequestedRegion, iam:PassedToService, s3:prefix…).

IAM limits a policy's size (whitespace excluded): 6,144 characters for a
managed policy, 10,240 for a role's inline policies, 5,120 for a group's,
2,048 for a user's (--limit). --split writes the fewest policies that fit;
with --out NAME.json they are NAME-1.json, NAME-2.json…`,
		Example: `  iamwatch policy --all --resources collapse --conditions
  iamwatch policy --session ci-42 --format terraform --out iam.tf
  iamwatch policy --since 2h --split --out policy.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := a.policyOptions()
			if err != nil {
				return err
			}
			ix, err := a.loadIndex()
			if err != nil {
				return err
			}
			o.gen.Maps = ix.Maps()
			p, err := a.generatePolicy(cmd.Context(), o)
			if err != nil {
				return err
			}
			policies := []generator.Policy{p}
			if o.split {
				if policies, err = generator.Split(p, o.limit); err != nil {
					return err
				}
			} else if size := p.Size(); size > o.limit {
				fmt.Fprintf(a.stderr, "iamwatch: warning: THE POLICY IS TOO LARGE: %s characters, over the %s an IAM %s policy may have; AWS will refuse it\n",
					thousands(size), thousands(o.limit), strings.ReplaceAll(o.limitName, "-", " "))
				fmt.Fprintf(a.stderr, "iamwatch: hint: %s   (writes the fewest policies that fit)\n", commandLine(cmd, "--split"))
			}
			return a.writePolicies(o, policies)
		},
	}
	addFilterFlags(cmd)
	f := cmd.Flags()
	f.Bool("all", false, "every session (default: the latest)")
	f.String("format", "json", "output format: json, yaml, terraform or cloudformation")
	f.String("resources", "exact", "exact: every ARN; collapse: wildcard over many siblings; service: \"*\" for every action")
	f.Int("collapse-threshold", generator.DefaultCollapseThreshold, "with --resources collapse, how many sibling ARNs to list before a wildcard replaces them")
	f.Bool("include-possible", false, "also grant the actions a call may need but the request cannot tell")
	f.Bool("conditions", false, "add the condition keys every observed use pinned")
	f.Bool("split", false, "write the fewest policies that each fit the size limit")
	f.String("limit", "managed", "size limit: managed (6,144), inline-role (10,240), inline-group (5,120) or inline-user (2,048)")
	f.String("out", "", "write the policy to this file instead of stdout (with --split: NAME-1.EXT, NAME-2.EXT…)")
	return cmd
}

// generatePolicy reads the uses of the selected calls and generates the
// policy. Without --session, --label or --all it takes the latest session.
func (a *app) generatePolicy(ctx context.Context, o policyOptions) (generator.Policy, error) {
	db, f, err := a.openFiltered(ctx)
	if err != nil {
		return generator.Policy{}, err
	}
	defer db.Close()
	// A label selects calls across sessions (a test's, merged from many
	// CI runs): it replaces the latest-session default.
	if _, err := a.selectSessions(ctx, db, &f, o.all, "policy for"); err != nil {
		return generator.Policy{}, err
	}
	uses, err := readUses(ctx, db, f)
	if err != nil {
		return generator.Policy{}, err
	}
	return generator.FromUses(uses, o.gen)
}

// readUses returns the distinct action uses of the calls f selects, as the
// generator takes them.
func readUses(ctx context.Context, db *store.DB, f store.Filter) ([]iamwatch.ActionUse, error) {
	var uses []iamwatch.ActionUse
	err := db.EachUse(ctx, f, func(u store.Use) error {
		res := u.Resource
		if res == "" {
			res = "*"
		}
		uses = append(uses, iamwatch.ActionUse{Action: u.Action, Level: u.Level, Resources: []string{res},
			Exact: u.Exact, Possible: u.Possible, Conditions: u.Conditions})
		return nil
	})
	return uses, err
}

// writePolicies writes the policies to --out (numbered when split) or to
// stdout.
func (a *app) writePolicies(o policyOptions, policies []generator.Policy) error {
	if o.out == "" {
		out, err := generator.Render(o.format, o.outputName, policies...)
		if err != nil {
			return err
		}
		_, err = a.stdout.Write(out)
		return err
	}
	if !o.split {
		out, err := generator.Render(o.format, o.outputName, policies...)
		if err != nil {
			return err
		}
		if err := os.WriteFile(o.out, out, 0o644); err != nil {
			return fmt.Errorf("write the policy: %w", err)
		}
		return nil
	}
	ext := filepath.Ext(o.out)
	base := strings.TrimSuffix(o.out, ext)
	names := make([]string, len(policies))
	for i, p := range policies {
		n := strconv.Itoa(i + 1)
		names[i] = base + "-" + n + ext
		// Terraform data sources of one module need distinct names;
		// each template or document stands alone.
		name := o.outputName
		if o.format == generator.FormatTerraform {
			name += "_" + n
		}
		out, err := generator.Render(o.format, name, p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(names[i], out, 0o644); err != nil {
			return fmt.Errorf("write the policy: %w", err)
		}
	}
	noun := "policies"
	if len(policies) == 1 {
		noun = "policy"
	}
	fmt.Fprintf(a.stderr, "iamwatch: %d %s, each within the %s limit of %s characters: %s\n",
		len(policies), noun, o.limitName, thousands(o.limit), strings.Join(names, ", "))
	return nil
}

// commandLine rebuilds the command line the user gave, plus extra
// arguments, for a hint.
func commandLine(cmd *cobra.Command, extra ...string) string {
	parts := []string{cmd.CommandPath()}
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			for _, v := range sv.GetSlice() {
				parts = append(parts, "--"+f.Name, shellQuote(v))
			}
			return
		}
		if f.Value.Type() == "bool" {
			if f.Value.String() == "true" {
				parts = append(parts, "--"+f.Name)
			} else {
				parts = append(parts, "--"+f.Name+"=false")
			}
			return
		}
		parts = append(parts, "--"+f.Name, shellQuote(f.Value.String()))
	})
	return strings.Join(append(parts, extra...), " ")
}

// thousands formats n with thousands separators, as IAM's quotas are
// written.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
