package main

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/generator"
	"github.com/iamwatch/iamwatch/mapper"
)

// demoRequests are requests that real AWS SDKs put on the wire, captured
// from aws-sdk-go-v2 and boto3 (see mapper/testdata/fixturegen). The
// credentials in them are AWS's documented example keys.
//
//go:embed demo/*.http
var demoRequests embed.FS

func (a *app) demoCommand() *cobra.Command {
	var accountID string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Map a scenario of real SDK requests and print the calls and the minimal policy (no AWS account needed)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ix, err := a.loadIndex()
			if err != nil {
				return err
			}
			names, err := fs.Glob(demoRequests, "demo/*.http")
			if err != nil {
				return err
			}
			sort.Strings(names)
			var calls []iamwatch.Call
			fmt.Fprintf(a.stderr, "iamwatch demo: mapping %d requests captured from real AWS SDKs\n\n", len(names))
			for _, name := range names {
				data, err := demoRequests.ReadFile(name)
				if err != nil {
					return err
				}
				obs, err := mapper.ParseRaw(data, "https")
				if err != nil {
					return fmt.Errorf("demo request %s: %w", path.Base(name), err)
				}
				obs.AccountID = accountID
				c := ix.Map(obs)
				calls = append(calls, c)
				if !c.Recognized {
					fmt.Fprintf(a.stdout, "%-14s %-28s unrecognized: %s\n", c.Service, "?", c.Reason)
					continue
				}
				var acts []string
				for _, u := range c.Actions {
					if u.Possible {
						continue
					}
					acts = append(acts, u.Action+" "+strings.Join(u.Resources, ","))
				}
				fmt.Fprintf(a.stdout, "%-14s %-28s %s\n", c.ServiceID, c.Operation, strings.Join(acts, "; "))
			}
			p, err := generator.Generate(calls, generator.Options{})
			if err != nil {
				return err
			}
			out, err := p.JSON()
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "\nMinimal policy:\n%s", out)
			return nil
		},
	}
	cmd.Flags().StringVar(&accountID, "account-id", "123456789012", "account of the demo's calls, where the request itself does not say")
	return cmd
}
