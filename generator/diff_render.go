package generator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/iamwatch/iamwatch"
)

// DiffFormat is an output format of DiffReport.Render.
type DiffFormat string

// The formats a DiffReport renders to.
const (
	// DiffText is for a terminal.
	DiffText DiffFormat = "text"
	// DiffJSON is one JSON object: a documented contract (see diffJSON).
	DiffJSON DiffFormat = "json"
	// DiffMarkdown is built to be pasted into a pull request comment.
	DiffMarkdown DiffFormat = "markdown"
	// DiffSARIF is SARIF 2.1.0, for code scanning.
	DiffSARIF DiffFormat = "sarif"
)

// DiffFormats returns the formats Render writes.
func DiffFormats() []DiffFormat {
	return []DiffFormat{DiffText, DiffJSON, DiffMarkdown, DiffSARIF}
}

// DiffSchemaVersion is the schema_version of the JSON format.
const DiffSchemaVersion = 1

// Render writes the report in format f.
func (r *DiffReport) Render(f DiffFormat) ([]byte, error) {
	switch f {
	case DiffText:
		return r.text(), nil
	case DiffJSON:
		return encodeIndented(r.toJSON())
	case DiffMarkdown:
		return r.markdown()
	case DiffSARIF:
		return encodeIndented(r.sarif())
	}
	return nil, fmt.Errorf("render diff: unknown format %q", f)
}

func encodeIndented(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode diff: %w", err)
	}
	return b.Bytes(), nil
}

// diffJSON is `iamwatch diff --format json`. Arrays are never null.
type diffJSON struct {
	SchemaVersion   int            `json:"schema_version"`
	Principal       string         `json:"principal,omitempty"`
	Against         []string       `json:"against"`
	Summary         summaryJSON    `json:"summary"`
	Missing         []verdictJSON  `json:"missing"`
	Conditional     []verdictJSON  `json:"conditional"`
	Unused          []unusedJSON   `json:"unused"`
	TooBroad        []tooBroadJSON `json:"too_broad"`
	SuggestedPolicy *Policy        `json:"suggested_policy,omitempty"`
	Warnings        []string       `json:"warnings"`
}

type summaryJSON struct {
	Observed     int `json:"observed"`
	Missing      int `json:"missing"`
	Conditional  int `json:"conditional"`
	Unused       int `json:"unused"`
	UnusedHigh   int `json:"unused_write_or_permissions"`
	TooBroad     int `json:"too_broad"`
	SuggestedLen int `json:"suggested_statements"`
}

type statementJSON struct {
	Kind      string `json:"kind"`
	Policy    string `json:"policy"`
	File      string `json:"file,omitempty"`
	Line      int    `json:"line,omitempty"`
	Statement int    `json:"statement"`
	Sid       string `json:"sid,omitempty"`
	Effect    string `json:"effect"`
}

type verdictJSON struct {
	Action      string          `json:"action"`
	Resource    string          `json:"resource"`
	AccessLevel string          `json:"access_level,omitempty"`
	Decision    string          `json:"decision"`
	Possible    string          `json:"possible_decision"`
	Reason      string          `json:"reason"`
	Statements  []statementJSON `json:"statements"`
	Undecided   []string        `json:"undecided,omitempty"`
	Notes       []string        `json:"notes,omitempty"`
}

type unusedJSON struct {
	Action      string         `json:"action"`
	AccessLevel string         `json:"access_level"`
	HighRisk    bool           `json:"high_risk"`
	Resource    string         `json:"resource,omitempty"`
	GrantedBy   string         `json:"granted_by,omitempty"`
	Statement   *statementJSON `json:"statement,omitempty"`
	Reason      string         `json:"reason"`
}

type tooBroadJSON struct {
	Action    string        `json:"action"`
	Resource  string        `json:"resource"`
	Suggested []string      `json:"suggested_resources"`
	Statement statementJSON `json:"statement"`
	Reason    string        `json:"reason"`
}

func stmtJSON(r StatementRef) statementJSON {
	return statementJSON{Kind: string(r.Kind), Policy: r.Source, File: r.File, Line: r.Line, Statement: r.Index, Sid: r.Sid, Effect: string(r.Effect)}
}

func levelName(l iamwatch.AccessLevel) string {
	if l == "" {
		return "Unknown"
	}
	return string(l)
}

func (r *DiffReport) highUnused() int {
	n := 0
	for _, u := range r.Unused {
		if High(u.Level) {
			n++
		}
	}
	return n
}

func (r *DiffReport) toJSON() diffJSON {
	out := diffJSON{SchemaVersion: DiffSchemaVersion, Principal: r.Principal, Against: append([]string{}, r.Files...),
		Missing: []verdictJSON{}, Conditional: []verdictJSON{}, Unused: []unusedJSON{}, TooBroad: []tooBroadJSON{},
		SuggestedPolicy: r.Suggested, Warnings: append([]string{}, r.Warnings...)}
	out.Summary = summaryJSON{Observed: r.Observed, Missing: len(r.Missing), Conditional: len(r.Conditional),
		Unused: len(r.Unused), UnusedHigh: r.highUnused(), TooBroad: len(r.TooBroad)}
	if r.Suggested != nil {
		out.Summary.SuggestedLen = len(r.Suggested.Statement)
	}
	verdicts := func(vs []Verdict) []verdictJSON {
		l := []verdictJSON{}
		for _, v := range vs {
			j := verdictJSON{Action: v.Action, Resource: v.Resource, AccessLevel: string(v.Level), Decision: v.Decision.String(),
				Possible: v.Possible.String(), Reason: v.Reason, Statements: []statementJSON{}, Undecided: v.Undecided, Notes: v.Notes}
			for _, s := range v.Statements {
				j.Statements = append(j.Statements, stmtJSON(s))
			}
			l = append(l, j)
		}
		return l
	}
	out.Missing, out.Conditional = verdicts(r.Missing), verdicts(r.Conditional)
	for _, u := range r.Unused {
		j := unusedJSON{Action: u.Action, AccessLevel: levelName(u.Level), HighRisk: High(u.Level), Resource: u.Resource, GrantedBy: u.Pattern, Reason: u.Reason}
		if u.Statement.Index > 0 {
			s := stmtJSON(u.Statement)
			j.Statement = &s
		}
		out.Unused = append(out.Unused, j)
	}
	for _, t := range r.TooBroad {
		out.TooBroad = append(out.TooBroad, tooBroadJSON{Action: t.Action, Resource: t.Resource, Suggested: t.Observed, Statement: stmtJSON(t.Statement), Reason: t.Reason})
	}
	return out
}

// unusedGroups splits the unused actions by access level, in the order
// Diff sorted them (most dangerous first).
func (r *DiffReport) unusedGroups() [][]Unused {
	var groups [][]Unused
	for i, u := range r.Unused {
		if i == 0 || u.Level != r.Unused[i-1].Level {
			groups = append(groups, nil)
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], u)
	}
	return groups
}

// textListMax is how many action names the text format lists per access
// level; JSON lists every one.
const textListMax = 40

func (r *DiffReport) summaryLine() string {
	return fmt.Sprintf("%d missing · %d conditional · %d unused (%d Write or Permissions management) · %d too broad",
		len(r.Missing), len(r.Conditional), len(r.Unused), r.highUnused(), len(r.TooBroad))
}

func (r *DiffReport) text() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "iamwatch diff: %d observed permissions (action on resource) against %s\n", r.Observed, orNone(strings.Join(r.Files, ", ")))
	if r.Principal != "" {
		fmt.Fprintf(&b, "Principal: %s\n", r.Principal)
	}
	fmt.Fprintf(&b, "%s\n", r.summaryLine())

	verdicts := func(title string, vs []Verdict) {
		if len(vs) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s (%d):\n", title, len(vs))
		for _, v := range vs {
			fmt.Fprintf(&b, "  %s on %s\n", v.Action, v.Resource)
			fmt.Fprintf(&b, "      %s\n", v.Reason)
			for _, n := range v.Notes {
				fmt.Fprintf(&b, "      note: %s\n", n)
			}
		}
	}
	verdicts("MISSING: observed calls these policies would deny", r.Missing)
	verdicts("CONDITIONAL: observed calls whose verdict the inputs leave open (not counted as allowed)", r.Conditional)

	if len(r.Unused) > 0 {
		fmt.Fprintf(&b, "\nUNUSED: granted actions no call used (%d; ! marks Write and Permissions management):\n", len(r.Unused))
		for _, g := range r.unusedGroups() {
			mark := " "
			if High(g[0].Level) {
				mark = "!"
			}
			fmt.Fprintf(&b, "%s %s (%d)\n", mark, levelName(g[0].Level), len(g))
			names := make([]string, 0, min(len(g), textListMax))
			for i, u := range g {
				if i == textListMax {
					break
				}
				names = append(names, u.Action)
			}
			more := ""
			if len(g) > textListMax {
				more = fmt.Sprintf(" … and %d more (--format json lists them all)", len(g)-textListMax)
			}
			wrap(&b, "      ", strings.Join(names, ", ")+more, 100)
		}
		fmt.Fprintf(&b, "  granted by:\n")
		for _, s := range r.unusedSources() {
			fmt.Fprintf(&b, "      %s\n", s)
		}
	}

	if len(r.TooBroad) > 0 {
		fmt.Fprintf(&b, "\nTOO BROAD: granted wider than the resources the calls used (%d):\n", len(r.TooBroad))
		for _, t := range r.TooBroad {
			fmt.Fprintf(&b, "  %s on %s (%s)\n", t.Action, t.Resource, t.Statement)
			fmt.Fprintf(&b, "      used on: %s\n", strings.Join(t.Observed, ", "))
		}
	}

	if r.Suggested != nil {
		out, err := r.Suggested.JSON()
		if err == nil {
			fmt.Fprintf(&b, "\nSUGGESTED POLICY: the minimal policy that keeps every observed call working\n%s", out)
		}
	}
	if len(r.Warnings) > 0 {
		fmt.Fprintf(&b, "\nWARNINGS:\n")
		for _, w := range r.Warnings {
			fmt.Fprintf(&b, "  %s\n", w)
		}
	}
	return b.Bytes()
}

// unusedSources lists each statement entry that grants unused actions,
// with how many: "identity policy "p.json" statement #1 (Sid All): s3:* (120)".
func (r *DiffReport) unusedSources() []string {
	type src struct {
		key string
		n   int
	}
	var order []*src
	byKey := map[string]*src{}
	for _, u := range r.Unused {
		key := u.Statement.String() + ": " + u.Pattern
		if u.Statement.Index == 0 {
			key = "a statement iamwatch could not point to: " + u.Pattern
		}
		s := byKey[key]
		if s == nil {
			s = &src{key: key}
			byKey[key] = s
			order = append(order, s)
		}
		s.n++
	}
	out := make([]string, len(order))
	for i, s := range order {
		out[i] = fmt.Sprintf("%s (%d)", s.key, s.n)
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "no policies"
	}
	return s
}

// wrap writes s in lines of at most width characters, breaking after
// ", ", each line indented.
func wrap(b *bytes.Buffer, indent, s string, width int) {
	line := indent
	for _, word := range strings.SplitAfter(s, ", ") {
		if len(line)+len(strings.TrimRight(word, " ")) > width && strings.TrimSpace(line) != "" {
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			line = indent
		}
		line += word
	}
	if strings.TrimSpace(line) != "" {
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
}

// mdDetailsOver is the row count above which a markdown table folds into
// a <details> element.
const mdDetailsOver = 10

func (r *DiffReport) markdown() ([]byte, error) {
	var b bytes.Buffer
	status := "no missing permissions"
	if len(r.Missing) > 0 {
		status = fmt.Sprintf("**%d missing permission(s)**", len(r.Missing))
	}
	fmt.Fprintf(&b, "**iamwatch diff**: %s · %d conditional · %d unused (%d Write or Permissions management) · %d too broad\n\n",
		status, len(r.Conditional), len(r.Unused), r.highUnused(), len(r.TooBroad))
	files := make([]string, len(r.Files))
	for i, f := range r.Files {
		files[i] = mdCode(f)
	}
	fmt.Fprintf(&b, "%d observed permissions (action on resource) compared with %s", r.Observed, orNone(strings.Join(files, ", ")))
	if r.Principal != "" {
		fmt.Fprintf(&b, " for %s", mdCode(r.Principal))
	}
	b.WriteString(".\n")

	table := func(summary string, head []string, rows [][]string) {
		fold := len(rows) > mdDetailsOver
		if fold {
			fmt.Fprintf(&b, "\n<details><summary>%s</summary>\n", summary)
		}
		b.WriteString("\n| " + strings.Join(head, " | ") + " |\n|")
		for range head {
			b.WriteString(" --- |")
		}
		b.WriteString("\n")
		for _, row := range rows {
			b.WriteString("| " + strings.Join(row, " | ") + " |\n")
		}
		if fold {
			b.WriteString("\n</details>\n")
		}
	}
	verdicts := func(title, intro string, vs []Verdict) {
		if len(vs) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n### %s (%d)\n\n%s\n", title, len(vs), intro)
		var rows [][]string
		for _, v := range vs {
			// The notes on placeholders are in the text and JSON reports;
			// a comment keeps to the reason.
			rows = append(rows, []string{mdCode(v.Action), mdCode(v.Resource), mdText(v.Reason)})
		}
		table(fmt.Sprintf("%d %s", len(vs), strings.ToLower(title)), []string{"Action", "Resource", "Why"}, rows)
	}
	verdicts("Missing permissions", "Observed calls these policies would deny.", r.Missing)
	verdicts("Conditional", "Observed calls whose verdict the inputs leave open; they are not counted as allowed.", r.Conditional)

	if len(r.Unused) > 0 {
		fmt.Fprintf(&b, "\n### Unused permissions (%d)\n\nGranted, and no observed call used them. **Write** and **Permissions management** are marked high risk.\n", len(r.Unused))
		for _, g := range r.unusedGroups() {
			label := fmt.Sprintf("%s: %d", levelName(g[0].Level), len(g))
			if High(g[0].Level) {
				label = fmt.Sprintf("<b>%s: %d (high risk)</b>", levelName(g[0].Level), len(g))
			}
			fmt.Fprintf(&b, "\n<details><summary>%s</summary>\n\n| Action | Granted by | Resource |\n| --- | --- | --- |\n", label)
			for _, u := range g {
				by := mdCode(u.Pattern)
				if u.Statement.Index > 0 {
					by += " in " + mdText(u.Statement.String())
				}
				fmt.Fprintf(&b, "| %s | %s | %s |\n", mdCode(u.Action), by, mdCode(u.Resource))
			}
			b.WriteString("\n</details>\n")
		}
	}

	if len(r.TooBroad) > 0 {
		fmt.Fprintf(&b, "\n### Too broad (%d)\n\nGranted on `*` or a wildcard; the calls used only these resources.\n", len(r.TooBroad))
		var rows [][]string
		for _, t := range r.TooBroad {
			used := make([]string, len(t.Observed))
			for i, o := range t.Observed {
				used[i] = mdCode(o)
			}
			rows = append(rows, []string{mdCode(t.Action), mdCode(t.Resource), strings.Join(used, "<br>"), mdText(t.Statement.String())})
		}
		table(fmt.Sprintf("%d grants wider than needed", len(r.TooBroad)), []string{"Action", "Granted on", "Used on", "Statement"}, rows)
	}

	if r.Suggested != nil {
		out, err := r.Suggested.JSON()
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "\n### Suggested policy\n\n<details><summary>The minimal policy that keeps every observed call working (%d statements)</summary>\n\n```json\n%s```\n\n</details>\n",
			len(r.Suggested.Statement), out)
	}
	if len(r.Warnings) > 0 {
		b.WriteString("\n### Warnings\n\n")
		for _, w := range r.Warnings {
			fmt.Fprintf(&b, "- %s\n", mdText(w))
		}
	}
	return b.Bytes(), nil
}

// mdCode is s as a code span that survives a table cell.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\n", " "), "|", "\\|")
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// mdText escapes what would break a table cell or start markup.
func mdText(s string) string {
	r := strings.NewReplacer("\n", " ", "|", "\\|", "<", "&lt;", ">", "&gt;", "*", "\\*", "_", "\\_", "`", "\\`", "[", "\\[", "]", "\\]")
	return r.Replace(s)
}
