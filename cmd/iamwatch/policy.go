package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/generator"
	"github.com/iamwatch/iamwatch/store"
)

func (a *app) policyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Print the minimal policy for recorded calls (default: the latest session)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, f, err := a.openFiltered(cmd.Context())
			if err != nil {
				return err
			}
			defer db.Close()
			if len(f.Sessions) == 0 && !a.v.GetBool("all") {
				sessions, err := db.Sessions(cmd.Context())
				if err != nil {
					return err
				}
				if len(sessions) == 0 {
					return hintError{fmt.Errorf("no sessions in %s", db.Path()), "iamwatch run -- YOUR COMMAND"}
				}
				latest := sessions[0]
				for _, s := range sessions[1:] {
					if s.Created.After(latest.Created) {
						latest = s
					}
				}
				f.Sessions = []string{latest.Name}
				fmt.Fprintf(a.stderr, "iamwatch: policy for session %q (--all for every session)\n", latest.Name)
			}
			var uses []iamwatch.ActionUse
			err = db.EachUse(cmd.Context(), f, func(u store.Use) error {
				res := u.Resource
				if res == "" {
					res = "*"
				}
				uses = append(uses, iamwatch.ActionUse{Action: u.Action, Level: u.Level, Resources: []string{res},
					Exact: u.Exact, Possible: u.Possible, Conditions: u.Conditions})
				return nil
			})
			if err != nil {
				return err
			}
			p := generator.FromUses(uses, generator.Options{IncludePossible: a.v.GetBool("include-possible")})
			out, err := p.JSON()
			if err != nil {
				return err
			}
			if path := a.v.GetString("out"); path != "" {
				return os.WriteFile(path, out, 0o644)
			}
			_, err = a.stdout.Write(out)
			return err
		},
	}
	addFilterFlags(cmd)
	cmd.Flags().Bool("all", false, "every session")
	cmd.Flags().Bool("include-possible", false, "also grant the actions a call may need but the request cannot tell")
	cmd.Flags().String("out", "", "write the policy to this file instead of stdout")
	return cmd
}
