package main

import (
	"github.com/iamwatch/iamwatch/mapper"

	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

// curationFile is one curation/<model>.yaml; see curation/README.md.
type curationFile struct {
	Model     string            `yaml:"model"`
	IAMPrefix string            `yaml:"iam_prefix"`
	Aliases   []string          `yaml:"aliases"`
	Bindings  map[string]string `yaml:"bindings"`
	// Formats replace the catalog's ARN formats of the service's resource
	// types when the generator binds them: resource type -> format.
	Formats    map[string]string     `yaml:"formats"`
	Operations map[string]curationOp `yaml:"operations"`
}

type curationOp struct {
	// Reason documents the entry as a whole; the maps do not carry it.
	Reason   string          `yaml:"reason"`
	Actions  []curatedAction `yaml:"actions"`
	Possible []curatedAction `yaml:"possible"`
	Rules    []curatedRule   `yaml:"rules"`
	// Wire names top-level body members by another name on the wire, for a
	// protocol the model does not describe (SQS's query protocol).
	Wire map[string]string `yaml:"wire"`
}

// curatedAction is written either as a plain "prefix:Name" or as a mapping.
type curatedAction struct {
	Action     string            `yaml:"action"`
	Resources  []string          `yaml:"resources"`
	Conditions map[string]string `yaml:"conditions"`
	Reason     string            `yaml:"reason"`
	// hasResources: the entry gave a resources list, which replaces the
	// generator's bindings even when empty.
	hasResources bool
}

func (a *curatedAction) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		a.Action = n.Value
		return nil
	}
	type plain curatedAction
	var p plain
	if err := n.Decode(&p); err != nil {
		return err
	}
	*a = curatedAction(p)
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "resources" {
			a.hasResources = true
		}
	}
	return nil
}

type curatedRule struct {
	When   string          `yaml:"when"`
	Add    []curatedAction `yaml:"add"`
	Remove []string        `yaml:"remove"`
	Reason string          `yaml:"reason"`
}

// loadCuration reads every *.yaml of dir, keyed by model, and a content hash
// of all of them. A missing directory is no curation.
func loadCuration(dir string) (map[string]*curationFile, string, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, "", fmt.Errorf("list curation: %w", err)
	}
	sort.Strings(names)
	out := map[string]*curationFile{}
	var errs []error
	h := sha256.New()
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, "", fmt.Errorf("read curation: %w", err)
		}
		base := filepath.Base(name)
		fmt.Fprintf(h, "%s\x00%d\x00", base, len(data))
		h.Write(data)
		cf, err := parseCuration(base, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out[cf.Model] = cf
	}
	if len(errs) > 0 {
		return nil, "", errors.Join(errs...)
	}
	return out, "sha256:" + hex.EncodeToString(h.Sum(nil))[:16], nil
}

// parseCuration decodes one file strictly: unknown fields are errors.
func parseCuration(base string, data []byte) (*curationFile, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var cf curationFile
	if err := dec.Decode(&cf); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("parse curation %s: %w", base, err)
	}
	want := strings.TrimSuffix(base, ".yaml")
	if cf.Model != want {
		return nil, fmt.Errorf("curation %s: model %q must match the file name", base, cf.Model)
	}
	return &cf, nil
}

// The mapper is the contract for templates and rules: what it cannot fill
// or evaluate must not reach the maps.
var refRE = regexp.MustCompile(`^[A-Za-z0-9_.\-:*@]+(\|[a-z][a-z0-9]*)*$`)

// checkTemplate validates the ${...} references of a resource or condition
// template against the operation's input members and their wire names.
func checkTemplate(md *model, op *servicemaps.Operation, tmpl string) error {
	for _, m := range placeholderRE.FindAllStringSubmatch(tmpl, -1) {
		ref := m[1]
		if contextPlaceholders[ref] {
			continue
		}
		name, _, _ := strings.Cut(ref, "|")
		if err := mapper.CheckTemplate(tmpl); err != nil {
			return fmt.Errorf("template %q: %w", tmpl, err)
		}
		if !refRE.MatchString(ref) {
			return fmt.Errorf("template %q: bad reference ${%s}", tmpl, ref)
		}
		if strings.HasPrefix(name, "h:") || strings.HasPrefix(name, "q:") {
			continue
		}
		top, _, _ := strings.Cut(name, ".")
		if !hasInput(md, op.Name, top) && !hasWire(op, top) {
			return fmt.Errorf("template %q: %s has no input member %q", tmpl, op.Name, top)
		}
	}
	return nil
}

// hasWire reports whether name is the wire name of one of op's members
// (query and ec2 templates name form keys).
func hasWire(op *servicemaps.Operation, name string) bool {
	for _, m := range op.Members {
		if m.Wire == name {
			return true
		}
	}
	return false
}

func hasInput(md *model, op, name string) bool {
	for _, m := range md.inputs[op] {
		if m.Name == name {
			return true
		}
	}
	return false
}

// formatRE turns an ARN format into a pattern that a template of it
// matches: literal text stays, each placeholder matches anything.
func formatRE(format string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	last := 0
	for _, loc := range placeholderRE.FindAllStringIndex(format, -1) {
		b.WriteString(regexp.QuoteMeta(format[last:loc[0]]))
		b.WriteString(".*")
		last = loc[1]
	}
	b.WriteString(regexp.QuoteMeta(format[last:]))
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// curatedTemplate checks one curated action and turns it into a template.
func curatedTemplate(ci *catalogIndex, md *model, op *servicemaps.Operation, ca curatedAction) (servicemaps.ActionTemplate, error) {
	canon, a, s, ok := ci.action(ca.Action)
	if !ok {
		return servicemaps.ActionTemplate{}, fmt.Errorf("action %q is not in the IAM catalog", ca.Action)
	}
	t := servicemaps.ActionTemplate{Action: canon, Reason: ca.Reason}
	if ca.hasResources {
		t.Resources = append([]string{}, ca.Resources...)
	}
	for _, r := range ca.Resources {
		if r == "*" {
			continue
		}
		if err := checkTemplate(md, op, r); err != nil {
			return t, fmt.Errorf("action %s: %w", canon, err)
		}
		if len(a.ResourceTypes) == 0 {
			return t, fmt.Errorf("action %s: resource %q given, but the catalog lists no resource type for it", canon, r)
		}
		if whole := placeholderRE.FindStringSubmatch(r); whole != nil && whole[0] == r {
			continue // a whole ARN from the request
		}
		matched := false
		for _, rtName := range a.ResourceTypes {
			if rt := ci.resourceType(s.Prefix, rtName); rt != nil {
				for _, f := range rt.ARNFormats {
					if formatRE(f).MatchString(r) {
						matched = true
					}
				}
			}
		}
		if !matched {
			return t, fmt.Errorf("action %s: resource %q matches none of the ARN formats of its resource types %v", canon, r, a.ResourceTypes)
		}
	}
	for _, k := range sortedKeys(ca.Conditions) {
		v := ca.Conditions[k]
		if !strings.HasPrefix(strings.ToLower(k), "aws:") && !hasConditionKey(s, a, k) {
			return t, fmt.Errorf("action %s: condition key %q is not in the catalog for it", canon, k)
		}
		if err := checkTemplate(md, op, v); err != nil {
			return t, fmt.Errorf("action %s: condition %s: %w", canon, k, err)
		}
		t.Conditions = append(t.Conditions, servicemaps.Condition{Key: k, Value: v})
	}
	return t, nil
}

func hasConditionKey(s *servicemaps.IAMService, a *servicemaps.IAMAction, key string) bool {
	for _, k := range a.ConditionKeys {
		if strings.EqualFold(k, key) {
			return true
		}
	}
	for _, k := range s.ConditionKeys {
		if strings.EqualFold(k.Name, key) {
			return true
		}
	}
	return false
}

var whenTermRE = regexp.MustCompile(`^!?\s*[A-Za-z0-9_.:\-*]+\s*((=|\^=|\^~=|~=|\*=)\s*\S.*)?$`)

// checkWhen validates the syntax of a rule's condition.
func checkWhen(when string) error {
	if strings.TrimSpace(when) == "" {
		return errors.New("empty when")
	}
	if err := mapper.CheckWhen(when); err != nil {
		return fmt.Errorf("when %q: %w", when, err)
	}
	for _, alt := range strings.Split(when, "|") {
		for _, term := range strings.Split(alt, "&") {
			if !whenTermRE.MatchString(strings.TrimSpace(term)) {
				return fmt.Errorf("when %q: bad term %q", when, strings.TrimSpace(term))
			}
		}
	}
	return nil
}

// applyCuration overrides op with its curated entry.
func applyCuration(ci *catalogIndex, md *model, op *servicemaps.Operation, co curationOp) error {
	for _, name := range sortedKeys(co.Wire) {
		wire := co.Wire[name]
		if !hasInput(md, op.Name, name) {
			return fmt.Errorf("wire: %s has no input member %q", op.Name, name)
		}
		if wire == "" || strings.ContainsAny(wire, " \t") {
			return fmt.Errorf("wire: bad wire name %q for %s", wire, name)
		}
		if !hasWireMember(op.Members, name, wire) {
			op.Members = append(op.Members, servicemaps.Member{Name: name, Location: "body", Wire: wire})
		}
	}
	if co.Actions != nil {
		op.Actions = nil
		for _, ca := range co.Actions {
			t, err := curatedTemplate(ci, md, op, ca)
			if err != nil {
				return err
			}
			op.Actions = append(op.Actions, t)
		}
		op.Source = "curated"
		// Curated actions are authoritative: the reference's other
		// candidates do not become possible; only the entry's own
		// possible list applies.
		op.Possible = nil
	}
	for _, ca := range co.Possible {
		t, err := curatedTemplate(ci, md, op, ca)
		if err != nil {
			return err
		}
		if t.Reason == "" {
			return fmt.Errorf("possible action %s has no reason", t.Action)
		}
		replaced := false
		for i := range op.Possible {
			if op.Possible[i].Action == t.Action {
				op.Possible[i], replaced = t, true
			}
		}
		if !replaced {
			op.Possible = append(op.Possible, t)
		}
	}
	for _, cr := range co.Rules {
		if err := checkWhen(cr.When); err != nil {
			return err
		}
		r := servicemaps.Rule{When: cr.When, Reason: cr.Reason}
		for _, ca := range cr.Add {
			t, err := curatedTemplate(ci, md, op, ca)
			if err != nil {
				return fmt.Errorf("rule %q: %w", cr.When, err)
			}
			r.Add = append(r.Add, t)
		}
		for _, name := range cr.Remove {
			canon, _, _, ok := ci.action(name)
			if !ok {
				return fmt.Errorf("rule %q: removed action %q is not in the IAM catalog", cr.When, name)
			}
			r.Remove = append(r.Remove, canon)
		}
		op.Rules = append(op.Rules, r)
	}
	return nil
}

func hasWireMember(list []servicemaps.Member, name, wire string) bool {
	for _, m := range list {
		if m.Name == name && m.Wire == wire {
			return true
		}
	}
	return false
}
