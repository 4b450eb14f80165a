package main

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/iamwatch/iamwatch/store"
)

func (a *app) exportCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export [--format jsonl] [--out FILE]",
		Short: "Write recorded sessions, principals and calls as JSON Lines, for `iamwatch import jsonl`",
		Long: `Write what the filter flags select (default: everything) as JSON Lines:
one object per line, each with "schema_version" and a "type" of session,
principal or call. Every call keeps its uid, so that importing an export
twice, or exports that overlap, adds each call once. The format is
documented in store/jsonl.go; a call line has the fields of
'iamwatch calls --output json' plus what a lossless copy needs.`,
		Example: `  iamwatch export --session ci-42 > ci-42.jsonl
  iamwatch export --out all.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f := a.v.GetString("format"); f != "jsonl" {
				return usageError{fmt.Errorf("--format must be jsonl, not %q", f)}
			}
			db, f, err := a.openFiltered(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			var w io.Writer = a.stdout
			out := a.v.GetString("out")
			var file *os.File
			if out != "" {
				// An export holds what the database does: keep it as
				// private.
				file, err = os.OpenFile(out, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
				if err != nil {
					return fmt.Errorf("export: %w", err)
				}
				defer file.Close()
				w = file
			}
			bw := bufio.NewWriterSize(w, 64<<10)
			err = db.Export(cmd.Context(), f, store.NewEncoder(bw).Encode)
			if err == nil {
				if err = bw.Flush(); err != nil {
					err = fmt.Errorf("export: %w", err)
				}
			}
			if file != nil {
				if cerr := file.Close(); err == nil && cerr != nil {
					err = fmt.Errorf("export: %w", cerr)
				}
				if err != nil {
					os.Remove(out) // not half an export
				}
			}
			return err
		},
	}
	addFilterFlags(cmd)
	cmd.Flags().String("format", "jsonl", "output format: jsonl")
	cmd.Flags().String("out", "", "write to this file (mode 0600) instead of stdout")
	return cmd
}
