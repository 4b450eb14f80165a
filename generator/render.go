package generator

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Format is an output format of Render.
type Format string

// The formats Render writes.
const (
	// FormatJSON is the policy document AWS takes.
	FormatJSON Format = "json"
	// FormatYAML is the same document in YAML.
	FormatYAML Format = "yaml"
	// FormatTerraform is an aws_iam_policy_document data source in HCL,
	// laid out as `terraform fmt` lays it out.
	FormatTerraform Format = "terraform"
	// FormatCloudFormation is a CloudFormation template (YAML) with an
	// AWS::IAM::ManagedPolicy resource per policy.
	FormatCloudFormation Format = "cloudformation"
)

// Formats returns the formats Render writes.
func Formats() []Format {
	return []Format{FormatJSON, FormatYAML, FormatTerraform, FormatCloudFormation}
}

// DefaultName is the name Render gives a policy when it is given none.
const DefaultName = "iamwatch"

// Render writes policies in format f, as one file: JSON documents one
// after the other, YAML documents separated by "---", one Terraform data
// source each, or one CloudFormation template with a resource each. name
// ("" for DefaultName) names the data sources (name, or name_1, name_2…
// for several) and the template's resources (NamePolicy, or NamePolicy1…),
// made into a valid identifier.
func Render(f Format, name string, policies ...Policy) ([]byte, error) {
	if name == "" {
		name = DefaultName
	}
	var b bytes.Buffer
	switch f {
	case FormatJSON:
		for _, p := range policies {
			out, err := p.JSON()
			if err != nil {
				return nil, err
			}
			b.Write(out)
		}
	case FormatYAML:
		for i, p := range policies {
			if i > 0 {
				b.WriteString("---\n")
			}
			yamlDocument(&b, 0, p)
		}
	case FormatTerraform:
		id := terraformName(name)
		for i, p := range policies {
			if i > 0 {
				b.WriteByte('\n')
			}
			n := id
			if len(policies) > 1 {
				n += "_" + strconv.Itoa(i+1)
			}
			terraformDataSource(&b, n, p)
		}
	case FormatCloudFormation:
		cloudFormation(&b, logicalID(name), policies)
	default:
		return nil, fmt.Errorf("render policy: unknown format %q", f)
	}
	return b.Bytes(), nil
}

// YAML renders p as a YAML policy document.
func (p Policy) YAML() []byte {
	var b bytes.Buffer
	yamlDocument(&b, 0, p)
	return b.Bytes()
}

// yamlDocument writes p as a block mapping indented by indent spaces.
func yamlDocument(b *bytes.Buffer, indent int, p Policy) {
	pad := strings.Repeat(" ", indent)
	fmt.Fprintf(b, "%sVersion: %s\n", pad, yamlScalar(p.Version))
	if len(p.Statement) == 0 {
		fmt.Fprintf(b, "%sStatement: []\n", pad)
		return
	}
	fmt.Fprintf(b, "%sStatement:\n", pad)
	for _, s := range p.Statement {
		// The first key shares the line of the item's "- ".
		item := pad + "  - "
		in := pad + "    "
		if s.Sid != "" {
			fmt.Fprintf(b, "%sSid: %s\n", item, yamlScalar(s.Sid))
			item = in
		}
		fmt.Fprintf(b, "%sEffect: %s\n", item, yamlScalar(s.Effect))
		yamlList(b, in, "Action", s.Action)
		yamlList(b, in, "Resource", s.Resource)
		if len(s.Condition) > 0 {
			fmt.Fprintf(b, "%sCondition:\n", in)
			for _, op := range slices.Sorted(maps.Keys(s.Condition)) {
				fmt.Fprintf(b, "%s  %s:\n", in, yamlScalar(op))
				for _, k := range slices.Sorted(maps.Keys(s.Condition[op])) {
					yamlList(b, in+"    ", k, s.Condition[op][k])
				}
			}
		}
	}
}

func yamlList(b *bytes.Buffer, pad, key string, vs []string) {
	if len(vs) == 0 {
		fmt.Fprintf(b, "%s%s: []\n", pad, yamlScalar(key))
		return
	}
	fmt.Fprintf(b, "%s%s:\n", pad, yamlScalar(key))
	for _, v := range vs {
		fmt.Fprintf(b, "%s  - %s\n", pad, yamlScalar(v))
	}
}

// yamlScalar writes s plain when every YAML parser reads that back as the
// same string, and double-quoted otherwise. Plain needs a leading letter
// (no indicator, no number, no date), no characters that YAML treats
// specially (space, #, {, [, quotes…), no trailing colon, and none of the
// words YAML 1.1 reads as booleans or null, which older parsers still do.
// A JSON string is a valid YAML double-quoted scalar.
func yamlScalar(s string) string {
	plain := s != "" && !strings.HasSuffix(s, ":")
	for i, c := range s {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if i == 0 && !letter || !letter && !(c >= '0' && c <= '9') && !strings.ContainsRune(":/._*@+=,$-", c) {
			plain = false
			break
		}
	}
	switch strings.ToLower(s) {
	case "y", "n", "yes", "no", "on", "off", "true", "false", "null":
		plain = false
	}
	if plain {
		return s
	}
	q, _ := marshal(s)
	return string(q)
}

// terraformDataSource writes p as an aws_iam_policy_document data source.
// Layout follows `terraform fmt`: two spaces per level, the "=" of
// consecutive one-line arguments aligned, a multi-line argument breaking
// the alignment; lists of one value stay on one line. Blank lines
// separate blocks.
func terraformDataSource(b *bytes.Buffer, name string, p Policy) {
	fmt.Fprintf(b, "data \"aws_iam_policy_document\" %s {\n", hclString(name))
	if p.Version != "" && p.Version != Version {
		hclBody(b, 1, []hclItem{hclAttr("version", hclString(p.Version))})
	}
	for i, s := range p.Statement {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("  statement {\n")
		var items []hclItem
		if s.Sid != "" {
			items = append(items, hclAttr("sid", hclString(s.Sid)))
		}
		items = append(items, hclAttr("effect", hclString(s.Effect)), hclList("actions", s.Action), hclList("resources", s.Resource))
		for _, op := range slices.Sorted(maps.Keys(s.Condition)) {
			for _, k := range slices.Sorted(maps.Keys(s.Condition[op])) {
				items = append(items, hclItem{block: "condition", body: []hclItem{
					hclAttr("test", hclString(op)),
					hclAttr("variable", hclString(k)),
					hclList("values", s.Condition[op][k]),
				}})
			}
		}
		hclBody(b, 2, items)
		b.WriteString("  }\n")
	}
	b.WriteString("}\n")
}

// hclItem is an argument (name and the lines of its value) or a nested
// block of a body.
type hclItem struct {
	name  string
	lines []string
	block string
	body  []hclItem
}

func hclAttr(name, value string) hclItem { return hclItem{name: name, lines: []string{value}} }

func hclList(name string, vs []string) hclItem {
	if len(vs) <= 1 {
		quoted := make([]string, len(vs))
		for i, v := range vs {
			quoted[i] = hclString(v)
		}
		return hclAttr(name, "["+strings.Join(quoted, ", ")+"]")
	}
	lines := []string{"["}
	for _, v := range vs {
		lines = append(lines, "  "+hclString(v)+",")
	}
	return hclItem{name: name, lines: append(lines, "]")}
}

// hclBody writes items at the given depth. Runs of one-line arguments are
// aligned on "="; a block is set off by a blank line from what precedes it.
func hclBody(b *bytes.Buffer, depth int, items []hclItem) {
	pad := strings.Repeat("  ", depth)
	for i := 0; i < len(items); {
		it := items[i]
		if it.block != "" {
			if i > 0 {
				b.WriteByte('\n')
			}
			fmt.Fprintf(b, "%s%s {\n", pad, it.block)
			hclBody(b, depth+1, it.body)
			fmt.Fprintf(b, "%s}\n", pad)
			i++
			continue
		}
		if len(it.lines) > 1 {
			fmt.Fprintf(b, "%s%s = %s\n", pad, it.name, it.lines[0])
			for _, l := range it.lines[1:] {
				fmt.Fprintf(b, "%s%s\n", pad, l)
			}
			i++
			continue
		}
		j, width := i, 0
		for ; j < len(items) && items[j].block == "" && len(items[j].lines) == 1; j++ {
			width = max(width, len(items[j].name))
		}
		for _, a := range items[i:j] {
			fmt.Fprintf(b, "%s%-*s = %s\n", pad, width, a.name, a.lines[0])
		}
		i = j
	}
}

// hclString quotes s as an HCL string literal. "${" and "%{" are doubled
// so that Terraform reads them literally (an IAM policy variable such as
// ${aws:username} is for IAM, not Terraform, to fill in).
func hclString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, c := range s {
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteRune(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case (c == '$' || c == '%') && strings.HasPrefix(s[i+1:], "{"):
			b.WriteRune(c)
			b.WriteRune(c)
		case !unicode.IsPrint(c):
			fmt.Fprintf(&b, `\u%04X`, c)
		default:
			b.WriteRune(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// terraformName makes name a Terraform identifier: letters, digits,
// underscores and hyphens, starting with a letter or underscore.
func terraformName(name string) string {
	var b strings.Builder
	for _, c := range name {
		if c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c) || c == '_' || c == '-') {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	id := b.String()
	if id == "" || !(id[0] == '_' || unicode.IsLetter(rune(id[0]))) {
		id = "_" + id
	}
	return id
}

// logicalID makes name a CloudFormation logical ID (ASCII letters and
// digits) ending in "Policy": "my-app" becomes "MyAppPolicy".
func logicalID(name string) string {
	var b strings.Builder
	upper := true
	for _, c := range name {
		switch {
		case c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c)):
			if upper {
				c = unicode.ToUpper(c)
			}
			b.WriteRune(c)
			upper = false
		default:
			upper = true
		}
	}
	id := b.String()
	if id == "" || unicode.IsDigit(rune(id[0])) {
		id = "Iamwatch" + id
	}
	if !strings.HasSuffix(id, "Policy") {
		id += "Policy"
	}
	return id
}

// cloudFormation writes a template with one AWS::IAM::ManagedPolicy per
// policy and outputs their ARNs, to attach to roles, users or groups.
func cloudFormation(b *bytes.Buffer, id string, policies []Policy) {
	ids := make([]string, len(policies))
	for i := range policies {
		ids[i] = id
		if len(policies) > 1 {
			ids[i] += strconv.Itoa(i + 1)
		}
	}
	b.WriteString("AWSTemplateFormatVersion: \"2010-09-09\"\n")
	b.WriteString("Description: Least-privilege IAM policy written by iamwatch from the AWS calls it observed\n")
	b.WriteString("Resources:\n")
	for i, p := range policies {
		fmt.Fprintf(b, "  %s:\n", ids[i])
		b.WriteString("    Type: AWS::IAM::ManagedPolicy\n")
		b.WriteString("    Properties:\n")
		b.WriteString("      PolicyDocument:\n")
		yamlDocument(b, 8, p)
	}
	b.WriteString("Outputs:\n")
	for _, id := range ids {
		fmt.Fprintf(b, "  %sArn:\n", id)
		fmt.Fprintf(b, "    Value: !Ref %s\n", id)
	}
}
