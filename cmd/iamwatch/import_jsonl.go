package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/iamwatch/iamwatch/store"
)

// importJSONLCommand is `iamwatch import jsonl`, which reads what
// `iamwatch export` writes.
func (a *app) importJSONLCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "jsonl [--db DEST] FILE...",
		Short: "Import what `iamwatch export` wrote (- reads stdin)",
		Long: `Add the sessions, principals and calls of each FILE, as 'iamwatch export'
writes them, to the database. A call the database has (by uid) is
skipped, so importing a file twice adds nothing. Each FILE is imported
in one transaction: a file with a bad line changes nothing.`,
		Example: `  iamwatch import jsonl runner-1.jsonl runner-2.jsonl
  ssh ci-box iamwatch export | iamwatch import jsonl -`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := a.openStoreWrite(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			for _, name := range args {
				var r io.Reader = a.stdin
				if name != "-" {
					f, err := os.Open(name)
					if err != nil {
						return fmt.Errorf("import: %w", err)
					}
					defer f.Close()
					r = f
				}
				st, err := db.Import(cmd.Context(), store.NewDecoder(r).Items())
				if err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
				fmt.Fprintf(a.stderr, "iamwatch: imported %s: %s\n", name, mergeSummary(st))
			}
			return db.Close()
		},
	}
	cmd.Flags().String("db", "", "database to import into (default $IAMWATCH_HOME/iamwatch.db)")
	return cmd
}
