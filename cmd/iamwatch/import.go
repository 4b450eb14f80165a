package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

// importCommand is the parent of the import forms, one file each: jsonl
// (import_jsonl.go) and cloudtrail (import_cloudtrail.go). `import
// --format jsonl FILE…` is the same as `import jsonl FILE…`, mirroring
// `export --format jsonl`.
func (a *app) importCommand() *cobra.Command {
	jsonl := a.importJSONLCommand()
	cmd := &cobra.Command{
		Use:   "import [--format jsonl] FILE...",
		Short: "Import calls recorded elsewhere into the database",
		Example: `  iamwatch import --format jsonl runner-1.jsonl runner-2.jsonl
  iamwatch import cloudtrail AWSLogs/`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format := a.v.GetString("format"); format {
			case "jsonl":
				if len(args) == 0 {
					return usageError{errors.New("import --format jsonl needs at least one FILE (- for stdin)")}
				}
				return jsonl.RunE(cmd, args)
			case "":
				if len(args) == 0 {
					return cmd.Help()
				}
				return usageError{fmt.Errorf("import %s: name the format: iamwatch import jsonl FILE… (what iamwatch export writes) or iamwatch import cloudtrail FILE|DIR…", args[0])}
			default:
				return usageError{fmt.Errorf("--format must be jsonl, not %q (CloudTrail logs: iamwatch import cloudtrail)", format)}
			}
		},
	}
	cmd.Flags().String("format", "", "jsonl: what iamwatch export writes")
	cmd.Flags().String("db", "", "database to import into (default $IAMWATCH_HOME/iamwatch.db)")
	cmd.AddCommand(jsonl, a.importCloudTrailCommand())
	return cmd
}
