package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iamwatch/iamwatch/mapper"
	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

// loadIndex loads the embedded maps, or the artifact named by
// --service-maps, and compiles them.
func (a *app) loadIndex() (*mapper.Index, error) {
	var (
		m   *servicemaps.Maps
		err error
	)
	if path := a.v.GetString("service-maps"); path != "" {
		data, rerr := os.ReadFile(path)
		if rerr != nil {
			return nil, fmt.Errorf("read service maps: %w", rerr)
		}
		m, err = servicemaps.Decode(data)
	} else {
		m, err = servicemaps.Load()
	}
	if err != nil {
		return nil, err
	}
	return mapper.NewIndex(m)
}

func (a *app) mapsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "maps",
		Short: "Inspect the bundled service maps",
	}
	cmd.AddCommand(a.mapsStatsCommand(), a.mapsExplainCommand(), a.mapsExportCommand())
	return cmd
}

type mapsStatsOptions struct {
	output string
	all    bool
}

func (a *app) mapsStatsCommand() *cobra.Command {
	var o mapsStatsOptions
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Coverage of the service maps: recognized, mapped and bound operations, and every miss",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(o.output); err != nil {
				return err
			}
			ix, err := a.loadIndex()
			if err != nil {
				return err
			}
			st := ix.Stats()
			if o.output == "json" {
				return writeJSON(a.stdout, struct {
					SchemaVersion int `json:"schema_version"`
					mapper.Stats
				}{1, st})
			}
			w := a.stdout
			fmt.Fprintf(w, "sources:        %s\n", summarizeSources(st.Sources))
			fmt.Fprintf(w, "services:       %d (catalog: %d prefixes, %d actions)\n", st.Services, st.CatalogServices, st.CatalogActions)
			fmt.Fprintf(w, "operations:     %d\n", st.Operations)
			fmt.Fprintf(w, "recognized:     %d (%.2f%%) have a wire binding\n", st.Recognized, st.RecognizedPct)
			fmt.Fprintf(w, "mapped:         %d (%.2f%%) map to catalog actions; v1 models: %d of %d (%.2f%%)\n", st.Mapped, st.MappedPct, st.ModelMapped, st.ModelOperations, st.ModelMappedPct)
			fmt.Fprintf(w, "with resources: %d (%.2f%%) bind every resource of their actions\n", st.WithResources, st.WithResourcesPct)
			fmt.Fprintf(w, "reference:      %d of %d (%.2f%%) Service Authorization Reference operations recognized on the wire\n", st.ReferenceRecognized, st.ReferenceOperations, st.ReferenceRecognizedPct)
			limit := 20
			if o.all {
				limit = -1
			}
			list := func(title string, refs []mapper.OpRef) {
				if len(refs) == 0 {
					return
				}
				fmt.Fprintf(w, "\n%s (%d):\n", title, len(refs))
				for i, r := range refs {
					if limit >= 0 && i >= limit {
						fmt.Fprintf(w, "  … %d more (--all lists them)\n", len(refs)-limit)
						break
					}
					if r.Action != "" {
						fmt.Fprintf(w, "  %s %s (%s)\n", r.Model, r.Operation, r.Action)
					} else {
						fmt.Fprintf(w, "  %s %s\n", r.Model, r.Operation)
					}
				}
			}
			list("unmapped operations", st.Unmapped)
			list("operations without a wire binding", st.Unrecognized)
			list("actions missing from the catalog", st.InvalidActions)
			list("reference operations not recognized", st.ReferenceMissed)
			list("operations granted on \"*\" for want of a resource template", st.Unbound)
			return nil
		},
	}
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	cmd.Flags().BoolVar(&o.all, "all", false, "list every miss, not the first 20 of each kind")
	return cmd
}

// summarizeSources folds the per-module source list into counts: the JSON
// output keeps every entry.
func summarizeSources(list []string) string {
	var v2, js int
	var rest []string
	for _, s := range list {
		switch {
		case strings.HasPrefix(s, "github.com/aws/aws-sdk-go-v2/service/"):
			v2++
		case strings.HasPrefix(s, "@aws-sdk/client-"):
			js++
		default:
			rest = append(rest, s)
		}
	}
	if v2 > 0 {
		rest = append(rest, fmt.Sprintf("%d aws-sdk-go-v2 service modules", v2))
	}
	if js > 0 {
		rest = append(rest, fmt.Sprintf("%d JS SDK v3 clients", js))
	}
	return strings.Join(rest, "; ")
}

func (a *app) mapsExplainCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "explain SERVICE OPERATION",
		Short: "Show an operation's wire binding, actions, rules and their sources",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			ix, err := a.loadIndex()
			if err != nil {
				return err
			}
			s, op := ix.Operation(args[0], args[1])
			if s == nil {
				return hintError{fmt.Errorf("unknown service %q", args[0]), "iamwatch maps export | grep -i '" + args[0] + "'"}
			}
			if op == nil {
				return hintError{fmt.Errorf("service %s has no operation %q", s.Model, args[1]), "iamwatch maps export | grep '\"model\":\"" + s.Model + "\"'"}
			}
			rec := exportRecord(ix.Maps(), s, op)
			if output == "json" {
				return writeJSON(a.stdout, rec)
			}
			w := a.stdout
			fmt.Fprintf(w, "%s %s (model %s, %s)\n", s.ServiceID, op.Name, s.Model, strings.Join(s.Protocols, ", "))
			fmt.Fprintf(w, "signing name %s, endpoint prefix %s", s.SigningName, s.EndpointPrefix)
			if s.TargetPrefix != "" {
				fmt.Fprintf(w, ", X-Amz-Target %s.%s", s.TargetPrefix, op.Name)
			}
			fmt.Fprintln(w)
			if op.URI != "" {
				fmt.Fprintf(w, "wire: %s %s\n", op.Method, op.URI)
			}
			if op.HostPrefix != "" {
				fmt.Fprintf(w, "host prefix: %s\n", op.HostPrefix)
			}
			for _, m := range op.Members {
				req := ""
				if m.Required {
					req = " (required)"
				}
				fmt.Fprintf(w, "  member %s: %s %s%s\n", m.Name, m.Location, m.Wire, req)
			}
			fmt.Fprintf(w, "actions (source: %s):\n", op.Source)
			printTemplates(w, ix.Maps(), "required", op.Actions)
			printTemplates(w, ix.Maps(), "possible", op.Possible)
			for _, r := range op.Rules {
				fmt.Fprintf(w, "  rule when %s: %s\n", r.When, r.Reason)
				if len(r.Remove) > 0 {
					fmt.Fprintf(w, "    remove %s\n", strings.Join(r.Remove, ", "))
				}
				printTemplates(w, ix.Maps(), "    add", r.Add)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}

func printTemplates(w io.Writer, m *servicemaps.Maps, label string, list []servicemaps.ActionTemplate) {
	for _, a := range list {
		level := "not in catalog"
		if c := m.Action(a.Action); c != nil {
			level = string(c.Level)
		}
		fmt.Fprintf(w, "  %s %s [%s]", label, a.Action, level)
		if len(a.Resources) > 0 {
			fmt.Fprintf(w, " on %s", strings.Join(a.Resources, ", "))
		}
		for _, c := range a.Conditions {
			fmt.Fprintf(w, " if %s=%s", c.Key, c.Value)
		}
		if a.Reason != "" {
			fmt.Fprintf(w, " — %s", a.Reason)
		}
		fmt.Fprintln(w)
	}
}

// mapsRecord is one line of `maps export`: a documented contract.
type mapsRecord struct {
	Model           string              `json:"model,omitempty"`
	ServiceID       string              `json:"service_id"`
	SigningName     string              `json:"signing_name"`
	EndpointPrefix  string              `json:"endpoint_prefix"`
	Protocols       []string            `json:"protocols"`
	Operation       string              `json:"operation"`
	HTTP            string              `json:"http,omitempty"`
	Target          string              `json:"target,omitempty"`
	Source          string              `json:"source"`
	Actions         []string            `json:"actions"`
	PossibleActions []string            `json:"possible_actions"`
	Resources       map[string][]string `json:"resources"`
	Rules           []mapsRule          `json:"rules,omitempty"`
}

type mapsRule struct {
	When   string   `json:"when"`
	Add    []string `json:"add,omitempty"`
	Remove []string `json:"remove,omitempty"`
	Reason string   `json:"reason"`
}

func exportRecord(m *servicemaps.Maps, s *servicemaps.Service, op *servicemaps.Operation) mapsRecord {
	rec := mapsRecord{
		ServiceID: s.ServiceID, SigningName: s.SigningName, EndpointPrefix: s.EndpointPrefix,
		Protocols: s.Protocols, Operation: op.Name, Source: op.Source,
		Actions: []string{}, PossibleActions: []string{}, Resources: map[string][]string{},
	}
	if s.Origin == "v1" {
		rec.Model = s.Model
	}
	if op.URI != "" {
		rec.HTTP = op.Method + " " + op.URI
	}
	if s.TargetPrefix != "" {
		rec.Target = s.TargetPrefix + "." + op.Name
	}
	addRes := func(a servicemaps.ActionTemplate) {
		if len(a.Resources) > 0 {
			rec.Resources[a.Action] = appendUnique(rec.Resources[a.Action], a.Resources...)
		}
	}
	for _, a := range op.Actions {
		rec.Actions = append(rec.Actions, a.Action)
		addRes(a)
	}
	for _, a := range op.Possible {
		rec.PossibleActions = append(rec.PossibleActions, a.Action)
		addRes(a)
	}
	for _, r := range op.Rules {
		mr := mapsRule{When: r.When, Remove: r.Remove, Reason: r.Reason}
		for _, a := range r.Add {
			mr.Add = append(mr.Add, a.Action)
			addRes(a)
		}
		rec.Rules = append(rec.Rules, mr)
	}
	return rec
}

func appendUnique(list []string, vs ...string) []string {
	for _, v := range vs {
		found := false
		for _, have := range list {
			if have == v {
				found = true
				break
			}
		}
		if !found {
			list = append(list, v)
		}
	}
	return list
}

func (a *app) mapsExportCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "export",
		Short: "Print every operation's binding as JSON Lines, for auditing the maps",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ix, err := a.loadIndex()
			if err != nil {
				return err
			}
			m := ix.Maps()
			services := append([]*servicemaps.Service(nil), m.Services...)
			sort.SliceStable(services, func(i, j int) bool { return services[i].Model < services[j].Model })
			enc := json.NewEncoder(a.stdout)
			for _, s := range services {
				for _, op := range s.Ops {
					if err := enc.Encode(exportRecord(m, s, op)); err != nil {
						return err
					}
				}
			}
			return nil
		},
	}
}

func checkOutput(o string) error {
	if o != "text" && o != "json" {
		return usageError{fmt.Errorf("--output must be text or json, not %q", o)}
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
