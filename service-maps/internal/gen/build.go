package main

import (
	"github.com/iamwatch/iamwatch/mapper"

	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

// generator builds the maps from its inputs.
type generator struct {
	cfg   config
	log   io.Writer
	stats stats
	// required is the inputs' required resource types, for fill.
	required requiredTypes
	// Test seams for the module proxy; nil means the go command.
	download     func(ctx context.Context, mods []string) (map[string]string, map[string]error, error)
	listVersions func(ctx context.Context, mods []string) (map[string][]string, error)
}

func (g *generator) downloadAll(ctx context.Context, mods []string) (map[string]string, map[string]error, error) {
	if g.download != nil {
		return g.download(ctx, mods)
	}
	return goModDownloadAll(ctx, mods)
}

func (g *generator) versions(ctx context.Context, mods []string) (map[string][]string, error) {
	if g.listVersions != nil {
		return g.listVersions(ctx, mods)
	}
	return goListVersions(ctx, mods)
}

// stats are printed after each run.
type stats struct {
	Services, Ops          int
	OpsMapped              int // ops with at least one required action
	OpsFromReference       int
	SAROps, SAROpsCovered  int            // reference ops with AuthorizedActions; those a model op matches
	OpsWithTemplates       int            // ops with at least one resource template
	Actions, BoundActions  int            // action templates on ops; those with resources
	ActionsNeedingResource int            // action templates whose catalog entry has resource types
	RequiredAdded          int            // templates added for required resource types the binding left out
	ByOrigin               map[string]int // services by origin other than v1
	NewerOps               int            // ops from sources newer than the v1 models
	Bytes                  int
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

func (s stats) String() string {
	var only []string
	for _, o := range []string{"v2", "js", "botocore"} {
		only = append(only, fmt.Sprintf("%s-only %d", o, s.ByOrigin[o]))
	}
	return fmt.Sprintf("services %d (%s), ops %d (from newer sources %d); mapped to an action %.1f%% (reference %.1f%%); "+
		"reference ops with a wire binding %.1f%% (%d/%d); ops with resource templates %.1f%%; "+
		"action templates bound %d/%d needing resources (%.1f%%), required resource types added %d; %d bytes",
		s.Services, strings.Join(only, ", "), s.Ops, s.NewerOps, pct(s.OpsMapped, s.Ops), pct(s.OpsFromReference, s.Ops),
		pct(s.SAROpsCovered, s.SAROps), s.SAROpsCovered, s.SAROps, pct(s.OpsWithTemplates, s.Ops),
		s.BoundActions, s.ActionsNeedingResource, pct(s.BoundActions, s.ActionsNeedingResource), s.RequiredAdded, s.Bytes)
}

func (g *generator) logf(format string, args ...any) {
	fmt.Fprintf(g.log, "gen: "+format+"\n", args...)
}

// inputs are everything the build reads, loaded.
type inputs struct {
	ref      *reference
	models   []*model // v1 and v2, sorted by model name
	hosts    map[string][]string
	scoped   map[string]scopedHosts
	curation map[string]*curationFile
	required requiredTypes // nil with -noiamdata
	sources  []servicemaps.Source
}

func (g *generator) load(ctx context.Context) (*inputs, error) {
	in := &inputs{}
	var err error
	if g.cfg.Live {
		in.ref, err = fetchReference(ctx, &http.Client{Timeout: 2 * time.Minute}, time.Now())
	} else {
		in.ref, err = loadReference(g.cfg.Reference)
	}
	if err != nil {
		return nil, err
	}
	dir := g.cfg.V1Dir
	if dir == "" {
		if dir, err = goModDownload(ctx, v1Module); err != nil {
			return nil, err
		}
	}
	if in.models, err = loadV1(dir); err != nil {
		return nil, err
	}
	epData, err := os.ReadFile(filepath.Join(dir, "models", "endpoints", "endpoints.json"))
	if err != nil {
		return nil, fmt.Errorf("read endpoints: %w", err)
	}
	if in.hosts, in.scoped, err = endpointHosts(epData); err != nil {
		return nil, err
	}
	mod, ver, _ := strings.Cut(v1Module, "@")
	in.sources = append(in.sources, servicemaps.Source{Name: mod, Version: ver})
	if !g.cfg.NoV2 {
		v2, srcs, err := loadV2(ctx, g.cfg.V2List)
		if err != nil {
			return nil, err
		}
		in.models = mergeV2(in.models, v2)
		in.sources = append(in.sources, srcs...)
	}
	if !g.cfg.NoJS {
		js, srcs, err := loadJS(ctx, g.cfg.JSList, g.cfg.NPMCache)
		if err != nil {
			return nil, err
		}
		in.models = mergeV2(in.models, js)
		in.sources = append(in.sources, srcs...)
	}
	if !g.cfg.NoIAMData {
		req, src, err := loadRequired(ctx, g.cfg.NPMCache)
		if err != nil {
			return nil, err
		}
		in.required = req
		in.sources = append(in.sources, src)
	}
	ex, srcs, err := loadExtract(g.cfg.Extract)
	if err != nil {
		return nil, err
	}
	in.models = mergeV2(in.models, ex)
	in.sources = append(in.sources, srcs...)
	in.sources = append(in.sources, servicemaps.Source{Name: "aws-service-reference", Version: in.ref.Version})
	var hash string
	if in.curation, hash, err = loadCuration(g.cfg.Curation); err != nil {
		return nil, err
	}
	in.sources = append(in.sources, servicemaps.Source{Name: "curation", Version: hash})
	return in, nil
}

func (g *generator) build(ctx context.Context) (*servicemaps.Maps, error) {
	in, err := g.load(ctx)
	if err != nil {
		return nil, err
	}
	return g.assemble(in)
}

// assemble derives the maps from loaded inputs. It does no I/O.
func (g *generator) assemble(in *inputs) (*servicemaps.Maps, error) {
	iam := in.ref.catalog()
	ci := newCatalogIndex(iam)
	g.required = in.required
	sar := sarByClient(in.ref)
	join := joinClients(in.models, sar)
	if g.cfg.BotocoreDir != "" {
		g.crossCheck(in.models, join)
	}

	m := &servicemaps.Maps{Sources: in.sources, IAM: iam}
	var curErrs []error // every invalid curation entry, reported together
	byModel := map[string]*model{}
	for _, md := range in.models {
		byModel[md.svc.Model] = md
	}
	for _, name := range sortedKeys(in.curation) {
		if byModel[name] == nil {
			curErrs = append(curErrs, fmt.Errorf("curation %s.yaml: no model %q", name, name))
		}
	}
	fullNames := map[string]string{} // IAM prefix -> a model's full name
	fullNameOps := map[string]int{}
	for _, md := range in.models {
		s := md.svc
		client := join[s.Model]
		cur := in.curation[s.Model]
		s.IAMPrefix = iamPrefixOf(ci, md, sar[client], client)
		if cur != nil && cur.IAMPrefix != "" {
			s.IAMPrefix = cur.IAMPrefix
		}
		s.Aliases = aliases(s, client, md.v2Module, cur)
		s.Hosts = hostsOf(s, in.hosts, in.scoped, byModel)
		if s.IAMPrefix != "" && md.fullName != "" && len(s.Ops) > fullNameOps[s.IAMPrefix] {
			fullNames[s.IAMPrefix], fullNameOps[s.IAMPrefix] = md.fullName, len(s.Ops)
		}
		var bindings map[string]string
		var formats map[string][]string
		if cur != nil {
			var errs []error
			formats, errs = curatedFormats(ci, s, cur)
			curErrs = append(curErrs, errs...)
			for _, name := range sortedKeys(cur.Operations) {
				if !hasOp(s, name) {
					curErrs = append(curErrs, fmt.Errorf("curation %s.yaml: model %s has no operation %q", s.Model, s.Model, name))
				}
			}
			bindings = map[string]string{} // the valid ones
			for _, ph := range sortedKeys(cur.Bindings) {
				ok := true
				for _, ref := range placeholderRE.FindAllStringSubmatch(cur.Bindings[ph], -1) {
					name, _, _ := strings.Cut(ref[1], "|")
					if err := mapper.CheckTemplate(cur.Bindings[ph]); err != nil {
						curErrs = append(curErrs, fmt.Errorf("curation %s.yaml: binding %s: %w", s.Model, ph, err))
						ok = false
					} else if !contextPlaceholders[name] && !refRE.MatchString(ref[1]) {
						curErrs = append(curErrs, fmt.Errorf("curation %s.yaml: binding %s: bad reference ${%s}", s.Model, ph, ref[1]))
						ok = false
					}
				}
				if ok {
					bindings[ph] = cur.Bindings[ph]
				}
			}
		}
		for _, op := range s.Ops {
			b := newBinder(md.inputs[op.Name], bindings)
			b.op = op.Name
			b.formats = formats
			if so := sar[client][strings.ToLower(op.Name)]; so != nil && len(so.Actions) > 0 {
				req, poss := sarActions(ci, s.IAMPrefix, op.Name, so.Actions)
				if req != "" {
					op.Source = "reference"
					op.Actions = []servicemaps.ActionTemplate{{Action: req}}
					for _, p := range poss {
						op.Possible = append(op.Possible, servicemaps.ActionTemplate{Action: p, Reason: reasonListed})
					}
				}
			}
			if op.Source == "" && md.unsigned[op.Name] {
				// Not signed: no identity policy governs the call.
				op.Source = "unsigned"
			}
			if op.Source == "" {
				if a, ok := nameActions(ci, s.IAMPrefix, op.Name); ok {
					op.Source = "name"
					op.Actions = []servicemaps.ActionTemplate{{Action: a}}
				}
			}
			if cur != nil {
				if co, ok := cur.Operations[op.Name]; ok {
					if err := applyCuration(ci, md, op, co); err != nil {
						curErrs = append(curErrs, fmt.Errorf("curation %s.yaml: operation %s: %w", s.Model, op.Name, err))
					}
				}
			}
			g.fill(ci, b, op)
			refs := refPaths(op)
			for _, path := range refs {
				for _, mb := range md.bodyRenames(op.Name, path) {
					if !hasMember(op.Members, mb.Name) {
						op.Members = append(op.Members, mb)
					}
				}
			}
			op.Members = pruneMembers(op.Members, refs)
			if err := checkRefs(md, op); err != nil {
				return nil, fmt.Errorf("%s.%s: %w", s.Model, op.Name, err)
			}
		}
		m.Services = append(m.Services, s)
	}
	if len(curErrs) > 0 {
		return nil, fmt.Errorf("%d invalid curation entries:\n%w", len(curErrs), errors.Join(curErrs...))
	}
	for _, s := range iam {
		if n := fullNames[s.Prefix]; n != "" {
			s.Name = n
		}
	}
	for _, md := range in.models {
		g.stats.NewerOps += md.v2Ops
		if md.svc.Origin != "v1" {
			g.stats.NewerOps += len(md.svc.Ops)
		}
	}
	g.count(m, in.ref, join, byModel)
	m.Reference.Operations = g.stats.SAROps
	return m, nil
}

// curatedFormats checks a curation file's formats and keys them for the
// binder. A format must fit one of the catalog's for its resource type
// (a log group's with a trailing ":*") or keep its text up to the first
// request placeholder (a stack's stack/${StackName}, whose filter yields
// the NAME/ID the catalog spells as two placeholders), so that what it
// yields still fits the catalog.
func curatedFormats(ci *catalogIndex, s *servicemaps.Service, cur *curationFile) (map[string][]string, []error) {
	if len(cur.Formats) == 0 {
		return nil, nil
	}
	out := map[string][]string{}
	var errs []error
	for _, name := range sortedKeys(cur.Formats) {
		f := cur.Formats[name]
		rt := ci.resourceType(s.IAMPrefix, name)
		if rt == nil {
			errs = append(errs, fmt.Errorf("curation %s.yaml: formats: %s has no resource type %q", s.Model, s.IAMPrefix, name))
			continue
		}
		if err := mapper.CheckTemplate(f); err != nil {
			errs = append(errs, fmt.Errorf("curation %s.yaml: formats: %s: %w", s.Model, name, err))
			continue
		}
		fits := false
		for _, cf := range rt.ARNFormats {
			if formatRE(cf).MatchString(f) || arnPrefix(cf) == arnPrefix(f) {
				fits = true
			}
		}
		if !fits {
			errs = append(errs, fmt.Errorf("curation %s.yaml: formats: %s: %q fits none of the catalog's formats %v", s.Model, name, f, rt.ARNFormats))
			continue
		}
		out[strings.ToLower(s.IAMPrefix)+":"+name] = []string{f}
	}
	return out, errs
}

// arnPrefix is a format up to its first request placeholder: the
// partition, service, region, account and resource type part, which a
// curated format must keep ("arn:${Partition}:cloudformation:${Region}:${Account}:stack/").
func arnPrefix(format string) string {
	for _, loc := range placeholderRE.FindAllStringSubmatchIndex(format, -1) {
		if !contextPlaceholders[format[loc[2]:loc[3]]] {
			return format[:loc[0]]
		}
	}
	return format
}

func hasOp(s *servicemaps.Service, name string) bool {
	for _, o := range s.Ops {
		if o.Name == name {
			return true
		}
	}
	return false
}

// fill binds the resources of op's action templates that have none, and
// adds a rule for each action whose resource is narrower when an optional
// member is given.
func (g *generator) fill(ci *catalogIndex, b *binder, op *servicemaps.Operation) {
	var rules []servicemaps.Rule
	do := func(list []servicemaps.ActionTemplate, possible bool) {
		for i := range list {
			a := &list[i]
			_, ca, cs, ok := ci.action(a.Action)
			if !ok {
				continue
			}
			g.stats.Actions++
			if len(ca.ResourceTypes) == 0 {
				continue
			}
			g.stats.ActionsNeedingResource++
			if a.Resources == nil {
				bs := b.bind(ci, cs.Prefix, op.Name, op.URI, ca, possible)
				a.Resources = bs.Templates
				if !possible && len(a.Resources) > 0 {
					// AWS authorizes the request against a resource of
					// every required type: one the request does not name
					// is granted as far as it does, not left out.
					for _, rt := range g.required.of(a.Action) {
						if contains(bs.Types, rt) {
							continue
						}
						if t := b.typeTemplate(ci, cs.Prefix, rt); t != "" && !contains(a.Resources, t) {
							a.Resources = append(a.Resources, t)
							g.stats.RequiredAdded++
						}
					}
				}
				if len(bs.Extra) > 0 && !possible {
					rules = append(rules, servicemaps.Rule{
						When:   strings.Join(bs.When, " & "),
						Reason: "the request names a narrower resource of " + a.Action,
						Add:    []servicemaps.ActionTemplate{{Action: a.Action, Resources: bs.Extra}},
					})
				}
			}
			if len(a.Resources) > 0 {
				g.stats.BoundActions++
			}
		}
	}
	do(op.Actions, false)
	do(op.Possible, true)
	for i := range op.Rules {
		do(op.Rules[i].Add, false)
	}
	if len(op.Rules) == 0 {
		op.Rules = rules
	}
}

// checkRefs makes sure every template of op names only its members: a
// derived template that names anything else is a generator bug.
func checkRefs(md *model, op *servicemaps.Operation) error {
	all := append(append([]servicemaps.ActionTemplate(nil), op.Actions...), op.Possible...)
	for _, r := range op.Rules {
		all = append(all, r.Add...)
	}
	for _, a := range all {
		for _, r := range a.Resources {
			if err := checkTemplate(md, op, r); err != nil {
				return fmt.Errorf("action %s: %w", a.Action, err)
			}
		}
	}
	return nil
}

// iamPrefixOf picks the IAM prefix most of a model's operations use: the
// prefix of the reference's actions named like their operation, else the
// first of its signing name, endpoint prefix, client and model name that
// the catalog has.
func iamPrefixOf(ci *catalogIndex, md *model, ops map[string]*sarOp, client string) string {
	count := map[string]int{}
	for _, o := range md.svc.Ops {
		so := ops[strings.ToLower(o.Name)]
		if so == nil {
			continue
		}
		for _, a := range so.Actions {
			prefix, name, _ := strings.Cut(a, ":")
			if strings.EqualFold(name, o.Name) && ci.hasPrefix(prefix) {
				count[strings.ToLower(prefix)]++
			}
		}
	}
	best, n := "", 0
	for _, p := range sortedKeys(count) {
		if count[p] > n {
			best, n = p, count[p]
		}
	}
	if best != "" {
		return ci.services[best].Prefix
	}
	s := md.svc
	for _, c := range []string{s.SigningName, s.EndpointPrefix, client, s.Model} {
		if c != "" && ci.hasPrefix(c) {
			return ci.services[strings.ToLower(c)].Prefix
		}
	}
	return ci.prefixByOps(s.Ops)
}

// prefixByOps returns the catalog prefix that has an action named like
// most of ops (iot-data's Publish and GetThingShadow are iot actions), when
// one prefix clearly does: at least two operations and a third of them,
// and more than any other prefix.
func (ci *catalogIndex) prefixByOps(ops []*servicemaps.Operation) string {
	count := map[string]int{}
	for _, o := range ops {
		for _, p := range sortedKeys(ci.actions) {
			if ci.actions[p][strings.ToLower(o.Name)] != nil {
				count[p]++
			}
		}
	}
	best, n, second := "", 0, 0
	for _, p := range sortedKeys(count) {
		switch c := count[p]; {
		case c > n:
			best, n, second = p, c, n
		case c > second:
			second = c
		}
	}
	if n < 2 || 3*n < len(ops) || n == second {
		return ""
	}
	return ci.services[best].Prefix
}

// aliases lists the names clients may use for s besides the ones the
// mapper looks up anyway (model, service ID, endpoint prefix and signing
// name, folded: any case, without spaces, dashes or underscores).
func aliases(s *servicemaps.Service, client, v2Module string, cur *curationFile) []string {
	var out []string
	fold := func(a string) string {
		return strings.NewReplacer(" ", "", "-", "", "_", "").Replace(strings.ToLower(a))
	}
	seen := map[string]bool{}
	for _, a := range []string{s.ServiceID, s.EndpointPrefix, s.SigningName, s.Model} {
		seen[fold(a)] = true
	}
	add := func(a string) {
		if a != "" && !seen[fold(a)] {
			seen[fold(a)] = true
			out = append(out, a)
		}
	}
	add(client)
	add(v2Module)
	if cur != nil {
		for _, a := range cur.Aliases {
			add(a)
		}
	}
	return out
}

// hostsOf lists the irregular hostnames of s: those endpoints.json gives
// for its endpoint prefix, and the regional hosts of prefixes that no model
// uses but that are signed with s's signing name.
func hostsOf(s *servicemaps.Service, hosts map[string][]string, scoped map[string]scopedHosts, byModel map[string]*model) []string {
	var out []string
	seen := map[string]bool{}
	add := func(h string) {
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	usedPrefix := map[string]bool{}
	for _, md := range byModel {
		usedPrefix[md.svc.EndpointPrefix] = true
	}
	for _, h := range hosts[s.EndpointPrefix] {
		// endpoints.json lists some services' hosts under another's key:
		// bedrock-runtime.REGION.amazonaws.com under "bedrock". Such a host
		// belongs to the model whose endpoint prefix it starts with.
		first, _, _ := strings.Cut(h, ".")
		if p := strings.TrimSuffix(first, "-fips"); p != s.EndpointPrefix && usedPrefix[p] {
			continue
		}
		add(h)
	}
	for _, prefix := range sortedKeys(scoped) {
		sh := scoped[prefix]
		if usedPrefix[prefix] || sh.Scope != s.SigningName {
			continue
		}
		for _, h := range hosts[prefix] {
			add(h)
		}
		for _, h := range sh.Hosts {
			add(h)
		}
	}
	if s.Model == "sqs" {
		add("queue.amazonaws.com") // the legacy us-east-1 queue host
	}
	return out
}

// crossCheck reports where the join disagrees with botocore's client names.
func (g *generator) crossCheck(models []*model, join map[string]string) {
	ids := botocoreServiceIDs(g.cfg.BotocoreDir)
	if len(ids) == 0 {
		return
	}
	byID := map[string]string{}
	for _, md := range models {
		byID[md.svc.ServiceID] = md.svc.Model
	}
	modelsOf := map[string][]string{}
	for _, model := range sortedKeys(join) {
		modelsOf[join[model]] = append(modelsOf[join[model]], model)
	}
	bad := 0
	for _, client := range sortedKeys(ids) {
		want := byID[ids[client]]
		got := modelsOf[client]
		if want != "" && len(got) > 0 && !contains(got, want) {
			g.logf("join cross-check: botocore says client %s is model %s, the join says %s", client, want, strings.Join(got, ","))
			bad++
		}
	}
	g.logf("join cross-check against botocore: %d clients, %d disagreements", len(ids), bad)
}

// count fills the statistics.
func (g *generator) count(m *servicemaps.Maps, ref *reference, join map[string]string, byModel map[string]*model) {
	st := &g.stats
	for _, s := range m.Services {
		st.Services++
		if s.Origin != "v1" {
			if st.ByOrigin == nil {
				st.ByOrigin = map[string]int{}
			}
			st.ByOrigin[s.Origin]++
		}
		for _, o := range s.Ops {
			st.Ops++
			if len(o.Actions) > 0 {
				st.OpsMapped++
			}
			if o.Source == "reference" {
				st.OpsFromReference++
			}
			templ := false
			for _, a := range append(append([]servicemaps.ActionTemplate(nil), o.Actions...), o.Possible...) {
				if len(a.Resources) > 0 {
					templ = true
				}
			}
			if templ {
				st.OpsWithTemplates++
			}
		}
	}
	modelOf := map[string]map[string]bool{} // client -> ops of its models
	for model, client := range join {
		if modelOf[client] == nil {
			modelOf[client] = map[string]bool{}
		}
		for _, o := range byModel[model].svc.Ops {
			modelOf[client][strings.ToLower(o.Name)] = true
		}
	}
	m.Reference = servicemaps.ReferenceCoverage{}
	for _, rs := range ref.Services {
		for _, o := range rs.Operations {
			if len(o.AuthorizedActions) == 0 {
				continue
			}
			st.SAROps++
			covered := false
			for _, sdk := range o.SDK {
				if modelOf[sdk.Name][strings.ToLower(o.Name)] {
					covered = true
					break
				}
			}
			if covered {
				st.SAROpsCovered++
				continue
			}
			miss := servicemaps.ReferenceOp{Prefix: rs.Name, Operation: o.Name}
			if len(o.SDK) > 0 {
				miss.SDK = o.SDK[0].Name
			}
			m.Reference.Missed = append(m.Reference.Missed, miss)
		}
	}
}

// refPaths lists the request parameters op's templates and rules name,
// without filters or header and query references; a "*" wildcard stays.
func refPaths(op *servicemaps.Operation) []string {
	seen := map[string]bool{}
	add := func(name string) {
		name = strings.TrimLeft(name, "&|!( \t")
		name, _, _ = strings.Cut(name, "|")
		if name == "" || contextPlaceholders[name] || strings.HasPrefix(name, "h:") || strings.HasPrefix(name, "q:") || strings.HasPrefix(name, "@") {
			return
		}
		seen[name] = true
	}
	tmpls := func(list []servicemaps.ActionTemplate) {
		for _, a := range list {
			for _, r := range a.Resources {
				for _, m := range placeholderRE.FindAllStringSubmatch(r, -1) {
					add(m[1])
				}
			}
			for _, c := range a.Conditions {
				for _, m := range placeholderRE.FindAllStringSubmatch(c.Value, -1) {
					add(m[1])
				}
			}
		}
	}
	tmpls(op.Actions)
	tmpls(op.Possible)
	for _, r := range op.Rules {
		tmpls(r.Add)
		for _, term := range whenNameRE.FindAllString(r.When, -1) {
			add(term)
		}
	}
	return sortedKeys(seen)
}

// whenNameRE finds the parameter names of a rule's condition: what stands
// before an operator, after a "!", "&" or "|" or at the start.
var whenNameRE = regexp.MustCompile(`(?:^|[&|!(]\s*)[A-Za-z0-9_.:\-*@]+`)

// tagMembers are the members the mapper reads request tags from.
var tagMembers = map[string]bool{"Tags": true, "tags": true, "Tag": true, "TagList": true, "TagSpecification": true, "TagSpecifications": true}

// pruneMembers drops the optional query and header members that nothing
// reads: no template or rule names them (refs, from refPaths, where a
// trailing "*" stands for any name with that prefix) and they carry no tags. Only
// required query and header members take part in routing, and uri and
// body members stay.
func pruneMembers(ms []servicemaps.Member, refs []string) []servicemaps.Member {
	used := func(name string) bool {
		if tagMembers[name] {
			return true
		}
		for _, r := range refs {
			top, _, _ := strings.Cut(r, ".")
			if top == name || strings.HasSuffix(r, "*") && strings.HasPrefix(name, strings.TrimSuffix(r, "*")) {
				return true
			}
		}
		return false
	}
	out := ms[:0]
	for _, m := range ms {
		switch {
		case m.Location == "uri" || m.Location == "body" || m.Required || used(m.Name):
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
