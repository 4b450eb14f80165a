package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	servicemaps "github.com/iamwatch/iamwatch/service-maps"
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

// selectV2 writes the module list. It names v2Always, the module of every
// client of the reference that has operations but no v1 model, and the
// module of every client whose v1 model lacks some of the reference's
// operations (services that grew since 2024).
// Versions are the pins already in the list, else the newest the root
// CHANGELOG.md names (or a newer one from the optional known-versions file,
// module<TAB>version). When the module proxy refuses a version, the newest
// one it serves is pinned instead, and the refused one is recorded so that
// it is not asked for again.
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
	latest := changelogVersions(changelog)
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
	want, jsNames, clientOf, missing := wantedV2(models, sarByClient(ref), latest)
	old, err := readV2Pins(g.cfg.V2List)
	if err != nil {
		return err
	}
	pins, err := g.pinV2(ctx, want, latest, old)
	if err != nil {
		return err
	}
	if err := os.WriteFile(g.cfg.V2List, []byte(pins.format()), 0o644); err != nil {
		return fmt.Errorf("write v2 module list: %w", err)
	}
	g.logf("wrote %d modules to %s (%d fell back to an older version the proxy serves, %d have none served); "+
		"reference clients without a module: %s",
		len(pins.pinned), g.cfg.V2List, pins.fallbacks, len(pins.unavailable), strings.Join(missing, " "))
	if g.cfg.NoJS {
		return nil
	}
	// The JavaScript clients fill in for the modules the proxy serves no
	// version of, and for those it serves only an older feature release
	// of (a lower minor version: patch releases only update dependencies).
	jsFor := append([]string(nil), pins.unavailable...)
	for _, name := range sortedKeys(pins.pinned) {
		if compareVersions(minorOf(pins.pinned[name]), minorOf(latest[name])) < 0 && len(jsNames[name]) > 0 {
			jsFor = append(jsFor, name)
		}
	}
	sort.Strings(jsFor)
	noJS, err := g.selectJS(ctx, jsFor, jsNames)
	if err != nil {
		return err
	}
	if g.cfg.BotocoreFresh == "" {
		g.logf("left %s as it is (no -botocore-fresh); modules with no usable client: %s", g.cfg.Extract, strings.Join(noJS, " "))
		return nil
	}
	// What no registry serves comes from the botocore extract.
	var clients []string
	for _, mod := range noJS {
		if c := clientOf[mod]; c != "" {
			clients = append(clients, c)
		}
	}
	written, lacking, err := writeExtract(g.cfg.Extract, g.cfg.BotocoreFresh, botocoreVersion(g.cfg.BotocoreFresh), clients)
	if err != nil {
		return err
	}
	g.logf("wrote %d services to %s; botocore lacks: %s", len(written), g.cfg.Extract, strings.Join(lacking, " "))
	return nil
}

// selectJS writes the JavaScript client list: for each of the modules, the
// first npm package of its candidate names that
// exists, at the version already pinned or else the newest. Versions come
// from the optional -known-npm file (name<TAB>version lines) before the
// registry is asked.
func (g *generator) selectJS(ctx context.Context, modules []string, jsNames map[string][]string) (noJS []string, err error) {
	oldPins, err := readJSList(g.cfg.JSList)
	if err != nil {
		return nil, err
	}
	old := map[string]jsPin{}
	for _, p := range oldPins {
		old[p.Name] = p
	}
	known := map[string]string{}
	if g.cfg.KnownNPM != "" {
		if data, err := os.ReadFile(g.cfg.KnownNPM); err == nil {
			for _, line := range strings.Split(string(data), "\n") {
				if f := strings.Split(line, "\t"); len(f) >= 2 && strings.HasPrefix(f[0], jsClientPrefix) {
					known[f[0]] = f[1]
				}
			}
		}
	}
	var chosen []jsPin
	var none []string
	modOf := map[string]string{} // package name -> module
	for _, mod := range modules {
		var pin jsPin
		for _, name := range jsNames[mod] {
			if p, ok := old[name]; ok {
				pin = p
				break
			}
			v := known[name]
			if v == "" && g.cfg.KnownNPM == "" {
				v = npmVersion(ctx, name)
			}
			if v != "" {
				pin = jsPin{Name: name, Version: v}
				break
			}
		}
		if pin.Name == "" {
			none = append(none, mod)
			continue
		}
		chosen = append(chosen, pin)
		modOf[pin.Name] = mod
	}
	cacheDir, err := npmCacheDir(g.cfg.NPMCache)
	if err != nil {
		return nil, err
	}
	var toPack []jsPin
	for _, p := range chosen {
		if p.Integrity == "" {
			toPack = append(toPack, p)
		}
	}
	packed, err := npmPack(ctx, toPack, cacheDir)
	if err != nil && len(toPack) > 0 {
		return nil, err
	}
	var b strings.Builder
	b.WriteString("# AWS SDK for JavaScript v3 clients scraped by the generator, pinned with the\n")
	b.WriteString("# integrity of their tarballs: for the services whose aws-sdk-go-v2 module the\n")
	b.WriteString("# module proxy serves no version of, or only an older feature release of; they\n")
	b.WriteString("# add only the operations the other models lack. Regenerate with:\n")
	b.WriteString("# go run ./internal/gen -select-v2 (from service-maps/). Pins stay; delete a line\n")
	b.WriteString("# to pick the newest release again.\n")
	sort.Slice(chosen, func(i, j int) bool { return chosen[i].Name < chosen[j].Name })
	n := 0
	var unreadable []string
	for _, p := range chosen {
		data := packed[p.spec()]
		if p.Integrity != "" {
			got, err := fetchJS(ctx, []jsPin{p}, cacheDir)
			if err != nil {
				return nil, err
			}
			data = got[p.spec()]
		}
		if data == nil {
			g.logf("npm pack %s gave no tarball; skipped", p.spec())
			none = append(none, modOf[p.Name])
			continue
		}
		p.Integrity = integrity(data)
		// Only schema-based clients can be read; older ones are left out.
		files, err := readTgz(data)
		if err == nil {
			_, err = scrapeJS(files)
		}
		if err != nil {
			unreadable = append(unreadable, p.spec()+": "+err.Error())
			none = append(none, modOf[p.Name])
			continue
		}
		b.WriteString(p.spec() + " " + p.Integrity + "\n")
		n++
	}
	if len(unreadable) > 0 {
		b.WriteString("# Clients the generator cannot read:\n")
		for _, u := range unreadable {
			b.WriteString("# unreadable: " + u + "\n")
		}
	}
	sort.Strings(none)
	if len(none) > 0 {
		b.WriteString("# No usable JavaScript client for these modules:\n")
		for _, mod := range none {
			b.WriteString("# none: " + mod + " (tried " + strings.Join(jsNames[mod], ", ") + ")\n")
		}
	}
	if err := os.WriteFile(g.cfg.JSList, []byte(b.String()), 0o644); err != nil {
		return nil, fmt.Errorf("write js client list: %w", err)
	}
	g.logf("wrote %d JavaScript clients to %s; no usable one for: %s", n, g.cfg.JSList, strings.Join(none, " "))
	return none, nil
}

// changelogVersions reads the newest release of each service module that
// the root CHANGELOG.md names.
func changelogVersions(changelog []byte) map[string]string {
	latest := map[string]string{}
	for _, m := range changelogRE.FindAllSubmatch(changelog, -1) {
		name, ver := string(m[1]), string(m[2])
		if compareVersions(ver, latest[name]) > 0 {
			latest[name] = ver
		}
	}
	return latest
}

// wantedV2 names the modules to scrape, each with why, and the reference
// clients that have operations the models lack but no module.
func wantedV2(models []*model, sar map[string]map[string]*sarOp, latest map[string]string) (want map[string]string, jsNames map[string][]string, clientOf map[string]string, missing []string) {
	join := joinClients(models, sar)
	modelsOf := map[string][]*model{}
	for _, md := range models {
		if c := join[md.svc.Model]; c != "" {
			modelsOf[c] = append(modelsOf[c], md)
		}
	}
	want, jsNames, clientOf = map[string]string{}, map[string][]string{}, map[string]string{}
	for _, name := range v2Always {
		want[name] = "more operations than the v1 model"
	}
	for _, client := range sortedKeys(sar) {
		lacking := 0
		ms := modelsOf[client]
		for _, k := range sortedKeys(sar[client]) {
			found := false
			for _, md := range ms {
				if hasOpFold(md.svc, k) {
					found = true
					break
				}
			}
			if !found {
				lacking++
			}
		}
		if lacking == 0 {
			continue
		}
		// The module of a v1 model is named after its service ID; a client
		// without a model, after the client.
		var cands []string
		for _, md := range ms {
			cands = append(cands, norm(md.svc.ServiceID))
		}
		if m, ok := v2ClientModules[client]; ok {
			cands = append(cands, m)
		}
		cands = append(cands, norm(client))
		mod := ""
		for _, c := range cands {
			if _, ok := latest[c]; ok {
				mod = c
				break
			}
		}
		if mod == "" {
			missing = append(missing, client)
			continue
		}
		if clientOf[mod] == "" {
			clientOf[mod] = client
			// The JavaScript client of the same service, should the module
			// proxy serve no version of the module: named after the service
			// ID in lower case with dashes, or after the boto3 client.
			for _, md := range ms {
				if n := jsClientPrefix + strings.ToLower(strings.ReplaceAll(md.svc.ServiceID, " ", "-")); !contains(jsNames[mod], n) {
					jsNames[mod] = append(jsNames[mod], n)
				}
			}
			if !contains(jsNames[mod], jsClientPrefix+client) {
				jsNames[mod] = append(jsNames[mod], jsClientPrefix+client)
			}
		}
		if _, ok := want[mod]; ok {
			continue
		}
		if len(ms) == 0 {
			want[mod] = "reference client " + client + ", no v1 model"
		} else {
			want[mod] = fmt.Sprintf("reference client %s: %d operations the v1 model lacks", client, lacking)
		}
	}
	return want, jsNames, clientOf, missing
}

func hasOpFold(s *servicemaps.Service, lower string) bool {
	for _, o := range s.Ops {
		if strings.ToLower(o.Name) == lower {
			return true
		}
	}
	return false
}

// v2Pins is the content of the module list.
type v2Pins struct {
	pinned      map[string]string // module name -> version
	refused     map[string]bool   // module@version the proxy refused
	unavailable []string          // module names with no version served
	fallbacks   int
}

// readV2Pins reads the pins and refusals already in the list; a missing
// list has none.
func readV2Pins(path string) (*v2Pins, error) {
	p := &v2Pins{pinned: map[string]string{}, refused: map[string]bool{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read v2 module list: %w", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if r, ok := strings.CutPrefix(line, "# refused: "); ok {
			p.refused[r] = true
		} else if mod, ver, ok := strings.Cut(line, "@"); ok && !strings.HasPrefix(line, "#") {
			p.pinned[strings.TrimPrefix(mod, v2ModulePrefix)] = ver
		}
	}
	return p, nil
}

// pinV2 picks a version of every wanted module that the module proxy
// serves: the old pin, else the newest release; when that is refused, the
// newest version the proxy lists that it does not refuse.
func (g *generator) pinV2(ctx context.Context, want, latest map[string]string, old *v2Pins) (*v2Pins, error) {
	out := &v2Pins{pinned: map[string]string{}, refused: map[string]bool{}}
	for r := range old.refused {
		if name, _, _ := strings.Cut(strings.TrimPrefix(r, v2ModulePrefix), "@"); want[name] != "" {
			out.refused[r] = true
		}
	}
	first := map[string]string{}
	for _, name := range sortedKeys(want) {
		ver, ok := old.pinned[name]
		if !ok {
			if ver, ok = latest[name]; !ok {
				return nil, fmt.Errorf("select v2 modules: %s is not in the changelog of %s", name, v2Root)
			}
		}
		first[name] = ver
	}
	// Try the first choices; then, for the refused, what the proxy serves,
	// newest first, until one downloads.
	var served map[string][]string
	try := first
	for round := 0; len(try) > 0; round++ {
		var mvs []string
		for _, name := range sortedKeys(try) {
			mv := v2ModulePrefix + name + "@" + try[name]
			if !out.refused[mv] {
				mvs = append(mvs, mv)
			}
		}
		_, errs, err := g.downloadAll(ctx, mvs)
		if err != nil {
			return nil, err
		}
		next := map[string]string{}
		for _, name := range sortedKeys(try) {
			mv := v2ModulePrefix + name + "@" + try[name]
			if e, bad := errs[mv]; !out.refused[mv] && !bad {
				out.pinned[name] = try[name]
				if try[name] != first[name] {
					out.fallbacks++
				}
				continue
			} else if bad {
				g.logf("refused: %s", firstLine(e.Error()))
			}
			out.refused[mv] = true
			next[name] = ""
		}
		if len(next) == 0 {
			break
		}
		if served == nil {
			var mods []string
			for _, name := range sortedKeys(want) {
				mods = append(mods, v2ModulePrefix+name)
			}
			if served, err = g.versions(ctx, mods); err != nil {
				return nil, err
			}
		}
		for _, name := range sortedKeys(next) {
			for _, v := range served[v2ModulePrefix+name] {
				if !out.refused[v2ModulePrefix+name+"@"+v] {
					next[name] = v
					break
				}
			}
			if next[name] == "" {
				delete(next, name)
				out.unavailable = append(out.unavailable, name)
			}
		}
		try = next
	}
	sort.Strings(out.unavailable)
	return out, nil
}

// format writes the module list.
func (p *v2Pins) format() string {
	var b strings.Builder
	b.WriteString("# aws-sdk-go-v2 service modules scraped by the generator, pinned.\n")
	b.WriteString("# Regenerate with: go run ./internal/gen -select-v2 (from service-maps/). Pins stay;\n")
	b.WriteString("# delete a line to pick the newest release again. A version the module proxy\n")
	b.WriteString("# refused is recorded below and not asked for again: the pin is then the\n")
	b.WriteString("# newest version the proxy serves.\n")
	for _, name := range sortedKeys(p.pinned) {
		b.WriteString(v2ModulePrefix + name + "@" + p.pinned[name] + "\n")
	}
	if len(p.refused) > 0 {
		b.WriteString("# The module proxy reachable here refused these:\n")
		for _, r := range sortedKeys(p.refused) {
			b.WriteString("# refused: " + r + "\n")
		}
	}
	if len(p.unavailable) > 0 {
		b.WriteString("# and serves no version of these:\n")
		for _, name := range p.unavailable {
			b.WriteString("# unavailable: " + v2ModulePrefix + name + "\n")
		}
	}
	return b.String()
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

// minorOf is vMAJOR.MINOR.0 of a version.
func minorOf(v string) string {
	m := versionRE.FindStringSubmatch(v)
	if m == nil {
		return v
	}
	return "v" + m[1] + "." + m[2] + ".0"
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
