package generator

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// SARIF 2.1.0, as much of it as code scanning reads.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string            `json:"id"`
	Name                 string            `json:"name"`
	ShortDescription     sarifText         `json:"shortDescription"`
	FullDescription      sarifText         `json:"fullDescription"`
	Help                 sarifText         `json:"help"`
	DefaultConfiguration sarifRuleConfig   `json:"defaultConfiguration"`
	Properties           map[string]string `json:"properties,omitempty"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

// The rules, one per kind of finding, in ruleIndex order.
var sarifRules = [...]sarifRule{
	{ID: "missing-permission", Name: "MissingPermission",
		ShortDescription:     sarifText{"An observed AWS call that the policy would deny"},
		FullDescription:      sarifText{"The application made this call while iamwatch watched, and the policy as written would deny it: the application would fail with AccessDenied."},
		Help:                 sarifText{"Grant the action on the resource (the suggested policy in `iamwatch diff --format json` does), or remove the Deny that blocks it."},
		DefaultConfiguration: sarifRuleConfig{"error"}},
	{ID: "conditional-permission", Name: "ConditionalPermission",
		ShortDescription:     sarifText{"An observed AWS call whose verdict depends on what the inputs leave open"},
		FullDescription:      sarifText{"Whether the policy allows this observed call depends on request context iamwatch could not observe, or on values only known at deploy time. It is not counted as allowed."},
		Help:                 sarifText{"Check the conditions and placeholders the message names; pass known values (--account-id, --region) to decide them."},
		DefaultConfiguration: sarifRuleConfig{"note"}},
	{ID: "unused-permission", Name: "UnusedPermission",
		ShortDescription:     sarifText{"Actions the policy grants that no observed call used"},
		FullDescription:      sarifText{"The statement grants actions the application never used while iamwatch watched. Write and Permissions management actions are warnings: they let a compromised application change resources or permissions."},
		Help:                 sarifText{"Remove the actions, or replace the statement with the suggested policy."},
		DefaultConfiguration: sarifRuleConfig{"warning"}},
	{ID: "overbroad-resource", Name: "OverbroadResource",
		ShortDescription:     sarifText{"An action granted on * or a wildcard while the calls used specific resources"},
		FullDescription:      sarifText{"The statement grants the action on every resource its pattern matches, and the observed calls used only the resources the message lists."},
		Help:                 sarifText{"Replace the pattern with the listed ARNs."},
		DefaultConfiguration: sarifRuleConfig{"note"}},
}

const (
	ruleMissing = iota
	ruleConditional
	ruleUnused
	ruleBroad
)

func (r *DiffReport) sarif() sarifLog {
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "iamwatch", InformationURI: "https://github.com/iamwatch/iamwatch",
		Rules: sarifRules[:]}}, Results: []sarifResult{}}
	fallback := ""
	if len(r.Files) > 0 {
		fallback = r.Files[0]
	}
	add := func(rule int, level, msg, fingerprint string, at []StatementRef) {
		res := sarifResult{RuleID: sarifRules[rule].ID, RuleIndex: rule, Level: level, Message: sarifText{msg},
			PartialFingerprints: map[string]string{"iamwatchFinding/v1": fingerprintOf(sarifRules[rule].ID + "\x00" + fingerprint)}}
		for _, ref := range at {
			if ref.File == "" {
				continue
			}
			res.Locations = append(res.Locations, sarifLoc(ref.File, ref.Line))
			break
		}
		if len(res.Locations) == 0 && fallback != "" {
			res.Locations = append(res.Locations, sarifLoc(fallback, 0))
		}
		run.Results = append(run.Results, res)
	}
	for _, v := range r.Missing {
		add(ruleMissing, "error", fmt.Sprintf("%s on %s would be denied: %s", v.Action, v.Resource, v.Reason), v.Action+"\x00"+v.Resource, v.Statements)
	}
	for _, v := range r.Conditional {
		add(ruleConditional, "note", fmt.Sprintf("%s on %s: %s", v.Action, v.Resource, v.Reason), v.Action+"\x00"+v.Resource, v.Statements)
	}
	// Unused actions are one result per statement and access level: a
	// statement granting s3:* is one finding, not a hundred.
	type group struct {
		ref     StatementRef
		level   string
		high    bool
		actions []string
	}
	var groups []*group
	byKey := map[string]*group{}
	for _, u := range r.Unused {
		key := refKey(u.Statement) + "\x00" + levelName(u.Level)
		g := byKey[key]
		if g == nil {
			g = &group{ref: u.Statement, level: levelName(u.Level), high: High(u.Level)}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.actions = append(g.actions, u.Action)
	}
	for _, g := range groups {
		level := "note"
		if g.high {
			level = "warning"
		}
		where := g.ref.String()
		if g.ref.Index == 0 {
			where = "the policies"
		}
		list := g.actions
		more := ""
		if len(list) > 20 {
			list, more = list[:20], fmt.Sprintf(" and %d more", len(g.actions)-20)
		}
		add(ruleUnused, level, fmt.Sprintf("%s grants %d %s action(s) no observed call used: %s%s", where, len(g.actions), g.level, strings.Join(list, ", "), more),
			refKey(g.ref)+"\x00"+g.level, []StatementRef{g.ref})
	}
	for _, t := range r.TooBroad {
		add(ruleBroad, "note", fmt.Sprintf("%s is granted on %s by %s; the calls used only %s", t.Action, t.Resource, t.Statement, strings.Join(t.Observed, ", ")),
			refKey(t.Statement)+"\x00"+t.Action+"\x00"+t.Resource, []StatementRef{t.Statement})
	}
	return sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}
}

func sarifLoc(file string, line int) sarifLocation {
	loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: filepath.ToSlash(file)}}}
	if line > 0 {
		loc.PhysicalLocation.Region = &sarifRegion{StartLine: line}
	}
	return loc
}

func fingerprintOf(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

// StatementLines returns the 1-based line of each statement of the policy
// document in a JSON file: a bare document, or one inside
// "PolicyDocument" or "PolicyVersion"/"Document" as the IAM CLI prints
// them. It returns nil for anything else (YAML, no Statement).
func StatementLines(data []byte) []int {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	lines, _ := findStatements(dec, data)
	return lines
}

// findStatements reads one JSON value, looking for the first "Statement"
// key of an object in it, depth first.
func findStatements(dec *json.Decoder, data []byte) ([]int, bool) {
	tok, err := dec.Token()
	if err != nil {
		return nil, true
	}
	switch tok {
	case json.Delim('{'):
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				return nil, true
			}
			if key == "Statement" {
				return statementOffsets(dec, data), true
			}
			if lines, done := findStatements(dec, data); done {
				return lines, true
			}
		}
	case json.Delim('['):
		for dec.More() {
			if lines, done := findStatements(dec, data); done {
				return lines, true
			}
		}
	default:
		return nil, false
	}
	if _, err := dec.Token(); err != nil { // the closing delimiter
		return nil, true
	}
	return nil, false
}

// statementOffsets reads the value of "Statement" and returns the line of
// each statement object.
func statementOffsets(dec *json.Decoder, data []byte) []int {
	// InputOffset is just after the delimiter the decoder last read.
	line := func() int { return bytes.Count(data[:dec.InputOffset()], []byte("\n")) + 1 }
	tok, err := dec.Token()
	if err != nil {
		return nil
	}
	switch tok {
	case json.Delim('{'):
		return []int{line()}
	case json.Delim('['):
	default:
		return nil
	}
	var lines []int
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		if tok != json.Delim('{') {
			return nil
		}
		lines = append(lines, line())
		if err := skipValue(dec, 1); err != nil {
			return nil
		}
	}
	return lines
}

// skipValue reads tokens until depth open containers are closed.
func skipValue(dec *json.Decoder, depth int) error {
	for depth > 0 {
		tok, err := dec.Token()
		if err == io.EOF {
			return io.ErrUnexpectedEOF
		}
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}
