package main

import "github.com/spf13/cobra"

// importCommand is the parent of the import forms, one file each: jsonl
// (import_jsonl.go) and cloudtrail (import_cloudtrail.go, which adds its
// subcommand here).
func (a *app) importCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import calls recorded elsewhere into the database",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(a.importJSONLCommand(), a.importCloudTrailCommand())
	return cmd
}
