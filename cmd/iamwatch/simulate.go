package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iamwatch/iamwatch/generator/eval"
)

func (a *app) simulateCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "simulate --policy FILE --action ACTION --resource ARN",
		Short: "Evaluate one request against IAM policies offline: Allowed, ExplicitlyDenied or ImplicitlyDenied",
		Long: `simulate decides one request the way AWS's documented policy evaluation logic does and
prints the decision with the statements that made it.

The context given with --context and --context-file is the whole request context: a key
not given is absent (Null is true, ...IfExists holds). Keys you cannot know go in --unknown;
conditions on them make the decision conditional.

Repeat --scp once per level of the organization, root first; separate several policies
of one level with commas. For kms: and sts:AssumeRole actions a --resource-policy (key
policy, trust policy) must allow the request itself.

Exit codes: 0 when it ran, whatever the decision; 1 when a file cannot be read or parsed;
2 for usage errors.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.simulate()
		},
	}
	f := cmd.Flags()
	f.StringArray("policy", nil, "identity-based policy file (repeatable)")
	f.String("boundary", "", "permissions boundary policy file")
	f.StringArray("scp", nil, "SCP files of one organization level, comma-separated (repeat per level, root first)")
	f.StringArray("rcp", nil, "resource control policy file (repeatable)")
	f.StringArray("resource-policy", nil, "resource-based policy file: bucket, key, queue or trust policy (repeatable)")
	f.StringArray("session-policy", nil, "session policy file (repeatable)")
	f.String("action", "", "the action, e.g. s3:GetObject")
	f.String("resource", "", `the resource ARN, or "*" for actions without resources`)
	f.String("principal", "", "the caller's ARN: a user, a role session, a role, or a service principal")
	f.String("resource-account", "", "the resource's account ID (default: from the ARN, else the caller's)")
	f.StringArray("context", nil, "request context key=value (repeatable; repeat a key for several values)")
	f.String("context-file", "", `JSON file of request context: {"key": "value" or ["v1", "v2"]}`)
	f.StringArray("unknown", nil, `context key you could not observe (repeatable; "prefix*" covers a family)`)
	f.StringP("output", "o", "text", "output format: text or json")
	return cmd
}

func (a *app) simulate() error {
	output := a.v.GetString("output")
	if err := checkOutput(output); err != nil {
		return err
	}
	action, resource := a.v.GetString("action"), a.v.GetString("resource")
	if action == "" || !strings.Contains(action, ":") {
		return usageError{fmt.Errorf("--action must be service:Action, such as s3:GetObject, not %q", action)}
	}
	if resource == "" {
		return usageError{errors.New(`--resource is required: an ARN, or "*" for actions without resources`)}
	}
	ctx, err := a.simulateContext()
	if err != nil {
		return err
	}
	set := &eval.Set{}
	if set.Identity, err = readPolicies(a.v.GetStringSlice("policy")); err != nil {
		return err
	}
	if path := a.v.GetString("boundary"); path != "" {
		if set.Boundary, err = readPolicy(path); err != nil {
			return err
		}
	}
	levels, err := scpLevels(a.v.GetStringSlice("scp"))
	if err != nil {
		return err
	}
	for _, paths := range levels {
		policies, err := readPolicies(paths)
		if err != nil {
			return err
		}
		set.SCPs = append(set.SCPs, policies)
	}
	if set.RCPs, err = readPolicies(a.v.GetStringSlice("rcp")); err != nil {
		return err
	}
	if set.Resource, err = readPolicies(a.v.GetStringSlice("resource-policy")); err != nil {
		return err
	}
	if set.Session, err = readPolicies(a.v.GetStringSlice("session-policy")); err != nil {
		return err
	}
	lower := strings.ToLower(action)
	set.RequireResourcePolicy = len(set.Resource) > 0 && (strings.HasPrefix(lower, "kms:") || strings.HasPrefix(lower, "sts:assumerole"))
	res := set.Evaluate(eval.Request{
		Principal:       a.v.GetString("principal"),
		Action:          action,
		Resource:        resource,
		ResourceAccount: a.v.GetString("resource-account"),
		Context:         ctx,
		Unknown:         a.v.GetStringSlice("unknown"),
	})
	if output == "json" {
		return writeJSON(a.stdout, toSimulateJSON(res))
	}
	return writeSimulateText(a.stdout, res)
}

// simulateContext merges --context-file and --context.
func (a *app) simulateContext() (map[string][]string, error) {
	ctx := map[string][]string{}
	if path := a.v.GetString("context-file"); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read context file: %w", err)
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(data, &raw); err != nil {
			return nil, fmt.Errorf("read context file %s: want a JSON object of keys: %w", path, err)
		}
		for k, v := range raw {
			vals, err := contextValues(v)
			if err != nil {
				return nil, fmt.Errorf("read context file %s: key %q: %w", path, k, err)
			}
			ctx[k] = append(ctx[k], vals...)
		}
	}
	for _, kv := range a.v.GetStringSlice("context") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, usageError{fmt.Errorf("--context %q is not key=value", kv)}
		}
		ctx[k] = append(ctx[k], v)
	}
	return ctx, nil
}

// contextValues reads a string, number or boolean, or an array of them.
func contextValues(raw json.RawMessage) ([]string, error) {
	var v any
	d := json.NewDecoder(strings.NewReader(string(raw)))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	list, isList := v.([]any)
	if !isList {
		list = []any{v}
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		switch x := e.(type) {
		case string:
			out = append(out, x)
		case json.Number:
			out = append(out, x.String())
		case bool:
			out = append(out, fmt.Sprint(x))
		default:
			return nil, errors.New("want a string, number or boolean, or an array of them")
		}
	}
	return out, nil
}

func readPolicies(paths []string) ([]*eval.Policy, error) {
	var out []*eval.Policy
	for _, p := range paths {
		pol, err := readPolicy(p)
		if err != nil {
			return nil, err
		}
		out = append(out, pol)
	}
	return out, nil
}

func readPolicy(path string) (*eval.Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read policy: %w", err)
	}
	p, err := eval.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("read policy %s: %w", path, err)
	}
	p.Name = path
	return p, nil
}

// simulateJSON is the output of `simulate --output json`: a documented
// contract.
type simulateJSON struct {
	SchemaVersion int             `json:"schema_version"`
	Decision      string          `json:"decision"`
	Possible      string          `json:"possible_decision"`
	Conditional   bool            `json:"conditional"`
	Undecided     []string        `json:"undecided_keys"`
	Reason        string          `json:"reason,omitempty"`
	Statements    []statementJSON `json:"statements"`
	Pending       []statementJSON `json:"pending_statements"`
}

type statementJSON struct {
	Kind   string `json:"kind"`
	Policy string `json:"policy"`
	Level  int    `json:"level,omitempty"`
	Index  int    `json:"index"`
	Sid    string `json:"sid,omitempty"`
	Effect string `json:"effect"`
}

func toSimulateJSON(res eval.Result) simulateJSON {
	conv := func(refs []eval.Ref) []statementJSON {
		out := []statementJSON{}
		for _, r := range refs {
			out = append(out, statementJSON{Kind: string(r.Kind), Policy: r.Policy, Level: r.Level, Index: r.Index, Sid: r.Sid, Effect: string(r.Effect)})
		}
		return out
	}
	undecided := append([]string{}, res.Undecided...)
	sort.Strings(undecided)
	return simulateJSON{
		SchemaVersion: 1, Decision: res.Decision.String(), Possible: res.Possible.String(), Conditional: res.Conditional,
		Undecided: undecided, Reason: res.Reason(), Statements: conv(res.Statements), Pending: conv(res.Pending),
	}
}

func writeSimulateText(w io.Writer, res eval.Result) error {
	fmt.Fprintln(w, res.Decision)
	if res.Conditional {
		fmt.Fprintf(w, "  conditional: %s depending on %s\n", res.Possible, strings.Join(res.Undecided, ", "))
		for _, r := range res.Pending {
			fmt.Fprintf(w, "  undecided: %s\n", r)
		}
	}
	for _, r := range res.Statements {
		fmt.Fprintf(w, "  %s\n", r)
	}
	if reason := res.Reason(); reason != "" {
		_, err := fmt.Fprintf(w, "  %s\n", reason)
		return err
	}
	return nil
}
