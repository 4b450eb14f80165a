package grants

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// parseJSON decodes one JSON value, keeping numbers as written.
func parseJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("line %d: %w", lineAt(data, se.Offset), err)
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("line %d: %w", lineAt(data, te.Offset), err)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, errors.New("unexpected end of input")
		}
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("line %d: data after the JSON value", lineAt(data, dec.InputOffset()))
	}
	return v, nil
}

func lineAt(data []byte, offset int64) int {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	return bytes.Count(data[:offset], []byte("\n")) + 1
}

// normalize renders a policy document as compact JSON with sorted keys and
// no HTML escaping, so that equal documents are equal bytes.
func normalize(doc any) (json.RawMessage, error) {
	if _, ok := doc.(map[string]any); !ok {
		return nil, fmt.Errorf("policy document is %s, not an object", describe(doc))
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode policy document: %w", err)
	}
	return json.RawMessage(bytes.TrimSuffix(b.Bytes(), []byte("\n"))), nil
}

// policyValue turns a document as files carry it into a decoded object: an
// object as is, or a string of JSON, URL-encoded (RFC 3986) as the IAM API
// returns it or not.
func policyValue(v any) (map[string]any, error) {
	switch v := v.(type) {
	case map[string]any:
		return v, nil
	case string:
		s := strings.TrimSpace(v)
		if !strings.HasPrefix(s, "{") {
			u, err := url.PathUnescape(s)
			if err != nil {
				return nil, fmt.Errorf("policy document is neither JSON nor URL-encoded JSON: %w", err)
			}
			s = strings.TrimSpace(u)
		}
		doc, err := parseJSON([]byte(s))
		if err != nil {
			return nil, fmt.Errorf("policy document: %w", err)
		}
		m, ok := doc.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("policy document is %s, not an object", describe(doc))
		}
		return m, nil
	default:
		return nil, fmt.Errorf("policy document is %s", describe(v))
	}
}

// maxYAMLNodes bounds how many nodes alias expansion may produce, so that a
// small file of nested aliases cannot make a huge tree.
const maxYAMLNodes = 1 << 20

// parseYAML decodes a YAML document into the same shapes as parseJSON,
// turning CloudFormation's short-form tags into their long forms
// (!Ref x → {"Ref": "x"}, !Sub s → {"Fn::Sub": s}).
func parseYAML(data []byte) (any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	budget := maxYAMLNodes
	return fromYAML(&doc, &budget, 0)
}

// intrinsicTags are the short forms CloudFormation accepts, besides !Ref
// and !Condition.
var intrinsicTags = map[string]bool{
	"Base64": true, "Cidr": true, "FindInMap": true, "GetAtt": true, "GetAZs": true,
	"ImportValue": true, "Join": true, "Select": true, "Split": true, "Sub": true,
	"Transform": true, "And": true, "Equals": true, "If": true, "Not": true, "Or": true,
	"Length": true, "ToJsonString": true,
}

var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

const maxYAMLDepth = 1000

func fromYAML(n *yaml.Node, budget *int, depth int) (any, error) {
	*budget--
	if *budget < 0 {
		return nil, errors.New("document too large after alias expansion")
	}
	if depth > maxYAMLDepth {
		return nil, fmt.Errorf("line %d: nested too deep", n.Line)
	}
	var v any
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return fromYAML(n.Content[0], budget, depth+1)
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, fmt.Errorf("line %d: alias to nothing", n.Line)
		}
		return fromYAML(n.Alias, budget, depth+1)
	case yaml.ScalarNode:
		v = yamlScalar(n)
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			e, err := fromYAML(c, budget, depth+1)
			if err != nil {
				return nil, err
			}
			list = append(list, e)
		}
		v = list
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, err := fromYAML(n.Content[i], budget, depth+1)
			if err != nil {
				return nil, err
			}
			e, err := fromYAML(n.Content[i+1], budget, depth+1)
			if err != nil {
				return nil, err
			}
			m[fmt.Sprint(k)] = e
		}
		v = m
	default:
		return nil, fmt.Errorf("line %d: unexpected YAML node", n.Line)
	}
	if !strings.HasPrefix(n.Tag, "!") || strings.HasPrefix(n.Tag, "!!") || n.Tag == "!" {
		return v, nil
	}
	tag := n.Tag[1:]
	switch {
	case tag == "Ref" || tag == "Condition":
		return map[string]any{tag: v}, nil
	case tag == "GetAtt":
		// The short form takes "Resource.Attribute"; attributes may hold
		// dots themselves (Endpoint.Address), the logical ID may not.
		if s, ok := v.(string); ok {
			res, attr, _ := strings.Cut(s, ".")
			v = []any{res, attr}
		}
		return map[string]any{"Fn::GetAtt": v}, nil
	case intrinsicTags[tag]:
		return map[string]any{"Fn::" + tag: v}, nil
	}
	return nil, fmt.Errorf("line %d: unknown tag %s", n.Line, n.Tag)
}

// yamlScalar keeps numbers JSON can carry as written, and everything else
// as text: account IDs with leading zeros or dates like 2012-10-17 must not
// turn into octal numbers or timestamps.
func yamlScalar(n *yaml.Node) any {
	switch n.Tag {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err == nil {
			return b
		}
	case "!!int", "!!float":
		if jsonNumber.MatchString(n.Value) {
			return json.Number(n.Value)
		}
	}
	return n.Value
}
