package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/iamwatch/iamwatch/store"
)

func (a *app) mergeCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "merge [--db DEST] SRC.db...",
		Short: "Merge other iamwatch databases (e.g. one per CI runner) into this one",
		Long: `Add to the database (--db, default $IAMWATCH_HOME/iamwatch.db) what each
SRC database holds that it lacks: sessions by name (with the labels it
lacks), principal mappings, and calls by their uid, with their labels,
actions and resources. A call recorded as pending is replaced by its
finished version. Merging the same database twice adds nothing. Each SRC
is merged in one transaction; it is only read.`,
		Example: `  iamwatch merge --db all.db runner-1/iamwatch.db runner-2/iamwatch.db
  iamwatch policy --db all.db --all`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := a.openStoreWrite(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			for _, src := range args {
				st, err := db.Merge(cmd.Context(), src)
				if errors.Is(err, store.ErrOldSchema) {
					// Merge only reads src: upgrading it is the user's call.
					return hintError{err, "iamwatch sessions --db " + src + "   (upgrades it in place), then merge again"}
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stderr, "iamwatch: merged %s: %s\n", src, mergeSummary(st))
			}
			return db.Close()
		},
	}
	cmd.Flags().String("db", "", "database to merge into (default $IAMWATCH_HOME/iamwatch.db)")
	return cmd
}

// openStoreWrite opens the database for a command that writes to it
// (merge, import).
func (a *app) openStoreWrite(ctx context.Context) (*store.DB, error) {
	log, err := a.logger()
	if err != nil {
		return nil, err
	}
	path, err := a.dbPath()
	if err != nil {
		return nil, err
	}
	db, err := store.Options{Logger: log}.Open(ctx, path)
	if err != nil {
		hint := storeHint(err, path)
		if hint == "" {
			hint = "pass --db " + filepath.Join(filepath.Dir(path), "merged.db")
		}
		return nil, hintError{err, hint}
	}
	return db, nil
}

func mergeSummary(st store.MergeStats) string {
	s := fmt.Sprintf("%d calls added", st.Calls)
	if st.Replaced > 0 {
		s += fmt.Sprintf(" (%d replacing pending ones)", st.Replaced)
	}
	return s + fmt.Sprintf(", %d already present, %d new sessions, %d principal mappings", st.Skipped, st.Sessions, st.Principals)
}
