package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// v2Root is the aws-sdk-go-v2 root module whose CHANGELOG.md names the
// service modules and their releases.
const v2Root = "github.com/aws/aws-sdk-go-v2@v1.47.7"

// v2Always are the modules scraped even though a v1 model exists, because
// their services gained operations since.
var v2Always = []string{
	"apigateway", "cloudformation", "cloudwatch", "cloudwatchlogs", "dynamodb", "ec2", "ecs", "iam",
	"kms", "lambda", "s3", "secretsmanager", "sns", "sqs", "ssm", "sts",
}

// v2ClientModules names the modules of reference clients whose module name
// is not the client name.
var v2ClientModules = map[string]string{
	"ds-data":   "directoryservicedata",
	"sms-voice": "pinpointsmsvoicev2",
}

var changelogRE = regexp.MustCompile("(?m)^\\* `github\\.com/aws/aws-sdk-go-v2/service/([a-z0-9]+)`: \\[?(v[0-9]+\\.[0-9]+\\.[0-9]+)")

// selectV2 writes the module list: v2Always plus, for every client of the
// reference that has authorized operations but no v1 model, the module of
// the same name. Versions are the newest the root CHANGELOG.md names, or a
// newer one from the optional known-versions file (module<TAB>version).
func (g *generator) selectV2(ctx context.Context, known string) error {
	ref, err := loadReference(g.cfg.Reference)
	if err != nil {
		return err
	}
	dir := g.cfg.V1Dir
	if dir == "" {
		if dir, err = goModDownload(ctx, v1Module); err != nil {
			return err
		}
	}
	models, err := loadV1(dir)
	if err != nil {
		return err
	}
	rootDir, err := goModDownload(ctx, v2Root)
	if err != nil {
		return err
	}
	changelog, err := os.ReadFile(filepath.Join(rootDir, "CHANGELOG.md"))
	if err != nil {
		return fmt.Errorf("read v2 changelog: %w", err)
	}
	latest := map[string]string{}
	for _, m := range changelogRE.FindAllSubmatch(changelog, -1) {
		name, ver := string(m[1]), string(m[2])
		if compareVersions(ver, latest[name]) > 0 {
			latest[name] = ver
		}
	}
	if known != "" {
		if data, err := os.ReadFile(known); err == nil {
			sc := bufio.NewScanner(bytes.NewReader(data))
			for sc.Scan() {
				f := strings.Split(sc.Text(), "\t")
				if len(f) < 2 || !strings.HasPrefix(f[0], v2ModulePrefix) || !versionRE.MatchString(f[1]) {
					continue
				}
				name := strings.TrimPrefix(f[0], v2ModulePrefix)
				if _, ok := latest[name]; ok && compareVersions(f[1], latest[name]) > 0 {
					latest[name] = f[1]
				}
			}
		}
	}
	sar := sarByClient(ref)
	join := joinClients(models, sar)
	joined := map[string]bool{}
	for _, c := range join {
		joined[c] = true
	}
	want := map[string]string{} // module -> why
	for _, name := range v2Always {
		want[name] = "more operations than the v1 model"
	}
	var missing []string
	for _, client := range sortedKeys(sar) {
		if joined[client] {
			continue
		}
		mod := norm(client)
		if m, ok := v2ClientModules[client]; ok {
			mod = m
		}
		if _, ok := latest[mod]; ok {
			want[mod] = "reference client " + client + ", no v1 model"
		} else {
			missing = append(missing, client)
		}
	}
	var b strings.Builder
	b.WriteString("# aws-sdk-go-v2 service modules scraped by the generator, pinned.\n")
	b.WriteString("# Regenerate with: go run ./internal/gen -select-v2 (from service-maps/). Pins stay;\n")
	b.WriteString("# delete a line to pick the newest release again. Refused versions are not asked for again.\n")
	// Pins already in the list stay, and so do refusals: a module version
	// the proxy refused is not asked for again.
	pinned, refused := map[string]string{}, map[string]bool{}
	if old, err := os.ReadFile(g.cfg.V2List); err == nil {
		for _, line := range strings.Split(string(old), "\n") {
			line = strings.TrimSpace(line)
			if r, ok := strings.CutPrefix(line, "# refused: "); ok {
				refused[r] = true
			} else if mod, ver, ok := strings.Cut(line, "@"); ok && !strings.HasPrefix(line, "#") {
				pinned[strings.TrimPrefix(mod, v2ModulePrefix)] = ver
			}
		}
	}
	var lines, refusedLines []string
	for _, name := range sortedKeys(want) {
		ver, ok := pinned[name]
		if !ok {
			if ver, ok = latest[name]; !ok {
				return fmt.Errorf("select v2 modules: %s is not in the changelog of %s", name, v2Root)
			}
		}
		mv := v2ModulePrefix + name + "@" + ver
		if refused[mv] {
			refusedLines = append(refusedLines, "# refused: "+mv)
			continue
		}
		if _, err := goModDownload(ctx, mv); err != nil {
			g.logf("skipping %s: %v", mv, firstLine(err.Error()))
			refusedLines = append(refusedLines, "# refused: "+mv)
			continue
		}
		lines = append(lines, mv)
	}
	sort.Strings(lines)
	b.WriteString(strings.Join(lines, "\n") + "\n")
	if len(refusedLines) > 0 {
		sort.Strings(refusedLines)
		b.WriteString("# The module proxy reachable here refused these:\n")
		b.WriteString(strings.Join(refusedLines, "\n") + "\n")
	}
	if err := os.WriteFile(g.cfg.V2List, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("write v2 module list: %w", err)
	}
	g.logf("wrote %d modules to %s; reference clients without a module of the same name: %s", len(lines), g.cfg.V2List, strings.Join(missing, " "))
	return nil
}

var versionRE = regexp.MustCompile(`^v(\d+)\.(\d+)\.(\d+)$`)

// compareVersions compares two vMAJOR.MINOR.PATCH versions; an invalid
// one is lower than any valid one.
func compareVersions(a, b string) int {
	ma, mb := versionRE.FindStringSubmatch(a), versionRE.FindStringSubmatch(b)
	switch {
	case ma == nil && mb == nil:
		return 0
	case ma == nil:
		return -1
	case mb == nil:
		return 1
	}
	for i := 1; i <= 3; i++ {
		x, _ := strconv.Atoi(ma[i])
		y, _ := strconv.Atoi(mb[i])
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
