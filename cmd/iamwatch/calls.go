package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/store"
)

// openStoreRead opens the database for a reading command.
func (a *app) openStoreRead(ctx context.Context) (*store.DB, error) {
	path, err := a.dbPath()
	if err != nil {
		return nil, err
	}
	db, err := store.Options{ReadOnly: true}.Open(ctx, path)
	if errors.Is(err, store.ErrOldSchema) {
		// A database an older iamwatch wrote: migrate it once, as any
		// command that writes would, and read it then.
		rw, werr := store.Open(ctx, path)
		if werr != nil {
			return nil, hintError{fmt.Errorf("%w (and migrating it failed: %w)", err, werr),
				"open it once with a user who can write it, e.g. iamwatch sessions --db FILE"}
		}
		if werr := rw.Close(); werr != nil {
			return nil, werr
		}
		db, err = store.Options{ReadOnly: true}.Open(ctx, path)
	}
	if err != nil {
		return nil, hintError{err, "iamwatch run -- YOUR COMMAND   (records a first session), or pass --db"}
	}
	return db, nil
}

// openFiltered opens the database for reading and builds the filter of
// the command's flags.
func (a *app) openFiltered(ctx context.Context) (*store.DB, store.Filter, error) {
	f, err := a.storeFilter()
	if err != nil {
		return nil, f, err
	}
	db, err := a.openStoreRead(ctx)
	return db, f, err
}

// storeFilter builds the filter of --session, --all, --since, --principal
// and --label.
func (a *app) storeFilter() (store.Filter, error) {
	var f store.Filter
	f.Sessions = a.v.GetStringSlice("session")
	if since := a.v.GetString("since"); since != "" {
		t, err := parseSince(since, time.Now())
		if err != nil {
			return f, usageError{err}
		}
		f.Since = t
	}
	f.Principal = a.v.GetString("principal")
	labels, err := parseLabels(a.v.GetStringSlice("label"))
	if err != nil {
		return f, err
	}
	f.Labels = labels
	return f, nil
}

// parseSince reads an RFC 3339 time or a duration back from now ("2h").
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--since %q is neither a duration (2h) nor a time (2026-01-02 or RFC 3339)", s)
}

func addFilterFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.String("db", "", "database file (default $IAMWATCH_HOME/iamwatch.db)")
	f.StringSlice("session", nil, "session names (repeatable; default: every session)")
	f.String("since", "", "only calls since this time or duration ago (2h, 2026-01-02, RFC 3339)")
	f.String("principal", "", "only calls by this principal ARN")
	f.StringArray("label", nil, "only calls with this label, key=value (repeatable)")
}

func (a *app) sessionsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sessions",
		Short: "List recorded sessions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			output := a.v.GetString("output")
			if err := checkOutput(output); err != nil {
				return err
			}
			db, err := a.openStoreRead(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			list, err := db.Sessions(cmd.Context())
			if err != nil {
				return err
			}
			if output == "json" {
				type js struct {
					SchemaVersion int               `json:"schema_version"`
					Name          string            `json:"name"`
					Created       string            `json:"created"`
					Calls         int64             `json:"calls"`
					Labels        map[string]string `json:"labels,omitempty"`
				}
				out := []js{}
				for _, s := range list {
					out = append(out, js{1, s.Name, s.Created.UTC().Format(time.RFC3339), int64(s.Calls), s.Labels})
				}
				return writeJSON(a.stdout, out)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SESSION\tCREATED\tCALLS\tLABELS")
			for _, s := range list {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", s.Name, s.Created.Local().Format("2006-01-02 15:04:05"), s.Calls, labelString(s.Labels))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().String("db", "", "database file (default $IAMWATCH_HOME/iamwatch.db)")
	cmd.Flags().StringP("output", "o", "text", "output format: text or json")
	return cmd
}

func labelString(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m[k]
	}
	return strings.Join(parts, ",")
}

// callJSON is one element of `calls --output json`: a documented contract.
type callJSON struct {
	SchemaVersion int                 `json:"schema_version"`
	Time          string              `json:"time"`
	Session       string              `json:"session"`
	AccessKeyID   string              `json:"access_key_id"`
	PrincipalARN  string              `json:"principal_arn,omitempty"`
	Region        string              `json:"region"`
	Service       string              `json:"service"`
	ServiceID     string              `json:"service_id,omitempty"`
	Operation     string              `json:"operation"`
	Recognized    bool                `json:"recognized"`
	Reason        string              `json:"reason,omitempty"`
	Actions       []string            `json:"actions"`
	Possible      []string            `json:"possible_actions"`
	Resources     []resourceJSON      `json:"resources"`
	Conditions    map[string][]string `json:"conditions,omitempty"`
	Status        int                 `json:"status"`
	ErrorCode     string              `json:"error_code"`
	LatencyMS     float64             `json:"latency_ms"`
	Source        string              `json:"source"`
	Pending       bool                `json:"pending,omitempty"`
	Labels        map[string]string   `json:"labels,omitempty"`
}

type resourceJSON struct {
	Action string `json:"action"`
	ARN    string `json:"arn"`
}

func toCallJSON(r *iamwatch.Record) callJSON {
	c := callJSON{
		SchemaVersion: 1, Time: r.Time.UTC().Format(time.RFC3339Nano), Session: r.Session, AccessKeyID: r.AccessKeyID,
		PrincipalARN: r.PrincipalARN, Region: r.Region, Service: r.Service, ServiceID: r.ServiceID, Operation: r.Operation,
		Recognized: r.Recognized, Reason: r.Reason, Actions: []string{}, Possible: []string{}, Resources: []resourceJSON{},
		Conditions: r.Conditions, Status: r.Status, ErrorCode: r.ErrorCode,
		LatencyMS: float64(r.Latency.Microseconds()) / 1000, Source: string(r.Source), Pending: r.Pending, Labels: r.Labels,
	}
	for _, a := range r.Actions {
		if a.Possible {
			c.Possible = append(c.Possible, a.Action)
			continue
		}
		c.Actions = append(c.Actions, a.Action)
		for _, res := range a.Resources {
			c.Resources = append(c.Resources, resourceJSON{Action: a.Action, ARN: res})
		}
	}
	return c
}

func (a *app) callsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "calls",
		Short: "List recorded calls",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			output := a.v.GetString("output")
			if err := checkOutput(output); err != nil {
				return err
			}
			db, f, err := a.openFiltered(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			if output == "json" {
				out := []callJSON{}
				err := db.EachCall(cmd.Context(), f, func(r *iamwatch.Record) error {
					out = append(out, toCallJSON(r))
					return nil
				})
				if err != nil {
					return err
				}
				return writeJSON(a.stdout, out)
			}
			return db.EachCall(cmd.Context(), f, func(r *iamwatch.Record) error {
				_, err := fmt.Fprintln(a.stdout, callLine(r))
				return err
			})
		},
	}
	addFilterFlags(cmd)
	cmd.Flags().StringP("output", "o", "text", "output format: text or json")
	return cmd
}
