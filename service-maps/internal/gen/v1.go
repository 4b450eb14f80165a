package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

// bodyDepth is how deep the generator walks input shapes for body members
// whose wire name differs from their member name.
const bodyDepth = 3

// v1Module is the aws-sdk-go release whose models are the primary source.
const v1Module = "github.com/aws/aws-sdk-go@v1.55.8"

// apiModel is the part of an api-2.json the generator reads.
type apiModel struct {
	Metadata struct {
		APIVersion         string          `json:"apiVersion"`
		EndpointPrefix     string          `json:"endpointPrefix"`
		JSONVersion        string          `json:"jsonVersion"`
		Protocol           string          `json:"protocol"`
		Protocols          []string        `json:"protocols"`
		ServiceFullName    string          `json:"serviceFullName"`
		ServiceID          string          `json:"serviceId"`
		SigningName        string          `json:"signingName"`
		TargetPrefix       string          `json:"targetPrefix"`
		GlobalEndpoint     string          `json:"globalEndpoint"`
		AWSQueryCompatible json.RawMessage `json:"awsQueryCompatible"`
	} `json:"metadata"`
	Operations map[string]struct {
		HTTP struct {
			Method     string `json:"method"`
			RequestURI string `json:"requestUri"`
		} `json:"http"`
		Input *struct {
			Shape        string `json:"shape"`
			LocationName string `json:"locationName"` // rest-xml: the root element of a body that is not a payload
		} `json:"input"`
		Deprecated bool     `json:"deprecated"`
		AuthType   string   `json:"authtype"`
		Auth       []string `json:"auth"`
		Endpoint   *struct {
			Deprecated bool   `json:"deprecated"`
			HostPrefix string `json:"hostPrefix"`
		} `json:"endpoint"`
	} `json:"operations"`
	Shapes map[string]apiShape `json:"shapes"`
}

type apiShape struct {
	Type      string               `json:"type"`
	Required  []string             `json:"required"`
	Members   map[string]apiMember `json:"members"`
	Pattern   string               `json:"pattern"`
	Payload   string               `json:"payload"`
	Member    *apiMember           `json:"member"` // a list's element
	Flattened bool                 `json:"flattened"`
}

type apiMember struct {
	Shape        string `json:"shape"`
	Location     string `json:"location"`
	LocationName string `json:"locationName"`
	QueryName    string `json:"queryName"`
	JSONName     string `json:"jsonName"`
	Flattened    bool   `json:"flattened"`
}

// model is one service as the generator sees it, whichever SDK it came from.
type model struct {
	svc      *servicemaps.Service
	fullName string
	// inputs lists every top-level input member of each operation, so that
	// resource templates can use body members too.
	inputs map[string][]inputMember
	// v2Module names the aws-sdk-go-v2 module merged into a v1 model, and
	// v2Ops counts the operations it added.
	v2Module string
	v2Ops    int
	// unsigned are the operations the model says are not signed (authtype
	// none, smithy noAuth): bearer-token or public calls that no identity
	// policy governs.
	unsigned map[string]bool
	// shapes, for models parsed from api-2.json: what bodyRenames walks.
	shapes *shapeIndex
}

// shapeIndex is a model's input shapes, for walking nested body members.
type shapeIndex struct {
	protocol string
	shapes   map[string]apiShape
	input    map[string]string // operation -> input shape
	root     map[string]string // operation -> root element of a rest-xml body that is no payload
}

// inputMember is a top-level member of an operation's input.
type inputMember struct {
	Name     string
	Required bool
	// NameOrARN: the member takes a name or an ARN (its pattern allows
	// an optional "arn:" prefix), so templates use ${Member|name}.
	NameOrARN bool
	// ARN: the member's pattern requires a full ARN.
	ARN bool
	// Scalar: the member is a string or number, so it can fill a template.
	Scalar bool
	// Elems, for a list of strings, is the template expression of its
	// elements, one resource each: ${Ids} in a JSON body, ${Id.N} (the
	// flattened key) in an EC2 query, ${Ids.member.N} in a query. Empty
	// for other members and where the list's wire form is not known.
	Elems string
}

var (
	optionalARNRE = regexp.MustCompile(`^\^?\(arn:`)
	fullARNRE     = regexp.MustCompile(`^\^?arn:`)
)

// loadV1 reads every models/apis/<model>/<version>/api-2.json of the
// aws-sdk-go module in dir.
func loadV1(dir string) ([]*model, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "models", "apis", "*", "*", "api-2.json"))
	if err != nil || len(paths) == 0 {
		return nil, fmt.Errorf("list aws-sdk-go models in %q: none found", dir)
	}
	sort.Strings(paths)
	var out []*model
	seen := map[string]bool{}
	for i := len(paths) - 1; i >= 0; i-- { // newest version of each model
		name := filepath.Base(filepath.Dir(filepath.Dir(paths[i])))
		if seen[name] {
			continue
		}
		seen[name] = true
		data, err := os.ReadFile(paths[i])
		if err != nil {
			return nil, fmt.Errorf("read model: %w", err)
		}
		m, err := parseV1Model(name, data)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].svc.Model < out[j].svc.Model })
	return out, nil
}

// parseV1Model turns one api-2.json into a model.
func parseV1Model(name string, data []byte) (*model, error) {
	var am apiModel
	if err := json.Unmarshal(data, &am); err != nil {
		return nil, fmt.Errorf("parse model %s: %w", name, err)
	}
	md := am.Metadata
	s := &servicemaps.Service{
		Model:          name,
		ServiceID:      md.ServiceID,
		SigningName:    md.SigningName,
		EndpointPrefix: md.EndpointPrefix,
		TargetPrefix:   md.TargetPrefix,
		JSONVersion:    md.JSONVersion,
		APIVersion:     md.APIVersion,
		GlobalEndpoint: md.GlobalEndpoint,
		Origin:         "v1",
	}
	if s.SigningName == "" {
		s.SigningName = md.EndpointPrefix
	}
	s.Protocols = append(s.Protocols, md.Protocols...)
	if len(s.Protocols) == 0 {
		s.Protocols = []string{md.Protocol}
	}
	if len(md.AWSQueryCompatible) > 0 && !contains(s.Protocols, "query") {
		// The service moved from the query protocol; older SDKs still
		// send query requests.
		s.Protocols = append(s.Protocols, "query")
	}
	protocol := s.Protocols[0]
	rest := protocol == "rest-json" || protocol == "rest-xml"
	m := &model{svc: s, fullName: md.ServiceFullName, inputs: map[string][]inputMember{}, unsigned: map[string]bool{},
		shapes: &shapeIndex{protocol: protocol, shapes: am.Shapes, input: map[string]string{}, root: map[string]string{}}}
	for _, opName := range sortedKeys(am.Operations) {
		o := am.Operations[opName]
		op := &servicemaps.Operation{Name: opName, Deprecated: o.Deprecated}
		if o.AuthType == "none" || len(o.Auth) == 1 && o.Auth[0] == "smithy.api#noAuth" {
			m.unsigned[opName] = true
		}
		if rest {
			op.Method, op.URI = o.HTTP.Method, o.HTTP.RequestURI
		}
		if o.Endpoint != nil {
			op.HostPrefix = o.Endpoint.HostPrefix
		}
		if o.Input != nil {
			in := am.Shapes[o.Input.Shape]
			m.shapes.input[opName] = o.Input.Shape
			if protocol == "rest-xml" && in.Payload == "" && o.Input.LocationName != "" {
				m.shapes.root[opName] = o.Input.LocationName
			}
			req := map[string]bool{}
			for _, r := range in.Required {
				req[r] = true
			}
			for _, mn := range sortedKeys(in.Members) {
				mb := in.Members[mn]
				pattern := am.Shapes[mb.Shape].Pattern
				m.inputs[opName] = append(m.inputs[opName], inputMember{
					Name:      mn,
					Required:  req[mn],
					NameOrARN: optionalARNRE.MatchString(pattern),
					ARN:       fullARNRE.MatchString(pattern),
					Scalar:    scalarType(am.Shapes[mb.Shape].Type),
					Elems:     listElems(&am, protocol, mn, mb),
				})
				switch mb.Location {
				case "uri", "querystring", "header", "headers":
					wire := mb.LocationName
					if wire == "" {
						wire = mn
					}
					op.Members = append(op.Members, servicemaps.Member{Name: mn, Location: mb.Location, Wire: wire, Required: req[mn]})
				case "":
					if wire := bodyWireName(protocol, mn, mb); wire != mn {
						op.Members = append(op.Members, servicemaps.Member{Name: mn, Location: "body", Wire: wire, Required: req[mn]})
					}
				}
			}
		}
		s.Ops = append(s.Ops, op)
	}
	return m, nil
}

func scalarType(t string) bool {
	switch t {
	case "string", "integer", "long":
		return true
	}
	return false
}

// bodyWireName is the name a body member has on the wire.
func bodyWireName(protocol, name string, mb apiMember) string {
	if protocol == "ec2" {
		switch {
		case mb.QueryName != "":
			return mb.QueryName
		case mb.LocationName != "":
			return strings.ToUpper(mb.LocationName[:1]) + mb.LocationName[1:]
		}
		return name
	}
	if mb.JSONName != "" {
		return mb.JSONName
	}
	if mb.LocationName != "" {
		return mb.LocationName
	}
	return name
}

// listElems returns the template expression of the elements of body
// member mn when it is a list of strings, or "".
func listElems(am *apiModel, protocol, mn string, mb apiMember) string {
	sh := am.Shapes[mb.Shape]
	if mb.Location != "" || sh.Type != "list" || sh.Member == nil || am.Shapes[sh.Member.Shape].Type != "string" {
		return ""
	}
	wire := bodyWireName(protocol, mn, mb)
	switch protocol {
	case "json", "rest-json":
		return "${" + wire + "}"
	case "ec2":
		// EC2 flattens every list under the member's wire name.
		return "${" + wire + ".N}"
	case "query":
		if mb.Flattened || sh.Flattened {
			return ""
		}
		elem := "member"
		if sh.Member.LocationName != "" {
			elem = sh.Member.LocationName
		}
		return "${" + wire + "." + elem + ".N}"
	}
	return ""
}

// endpointsFile is the part of endpoints.json the generator reads.
type endpointsFile struct {
	Partitions []struct {
		Partition string `json:"partition"`
		DNSSuffix string `json:"dnsSuffix"`
		Regions   map[string]json.RawMessage
		Services  map[string]struct {
			Defaults struct {
				CredentialScope struct {
					Service string `json:"service"`
				} `json:"credentialScope"`
				SSLCommonName string `json:"sslCommonName"`
			} `json:"defaults"`
			Endpoints map[string]struct {
				Hostname        string `json:"hostname"`
				CredentialScope struct {
					Service string `json:"service"`
				} `json:"credentialScope"`
			} `json:"endpoints"`
		} `json:"services"`
	} `json:"partitions"`
}

// endpointHosts returns, per endpoint prefix, the hostnames that do not
// follow {prefix}.{region}.{dnsSuffix} or its fips and dualstack variants,
// and, per credential-scope service, the hosts of endpoint prefixes that no
// model uses (e.g. data.iot signed as iotdata).
func endpointHosts(data []byte) (byPrefix map[string][]string, scoped map[string]scopedHosts, err error) {
	var ef endpointsFile
	if err := json.Unmarshal(data, &ef); err != nil {
		return nil, nil, fmt.Errorf("parse endpoints.json: %w", err)
	}
	byPrefix, scoped = map[string][]string{}, map[string]scopedHosts{}
	for _, p := range ef.Partitions {
		for _, prefix := range sortedKeys(p.Services) {
			ps := p.Services[prefix]
			regular := func(host string) bool {
				for _, region := range sortedKeys(ps.Endpoints) {
					for _, h := range []string{
						prefix + "." + region + "." + p.DNSSuffix,
						prefix + "-fips." + region + "." + p.DNSSuffix,
						prefix + ".dualstack." + region + "." + p.DNSSuffix,
						prefix + "-fips.dualstack." + region + "." + p.DNSSuffix,
					} {
						if host == h {
							return true
						}
					}
				}
				return false
			}
			for _, region := range sortedKeys(ps.Endpoints) {
				e := ps.Endpoints[region]
				host := e.Hostname
				if host == "" && ps.Defaults.SSLCommonName != "" && strings.Contains(ps.Defaults.SSLCommonName, "{region}") {
					if _, ok := p.Regions[region]; ok {
						host = strings.NewReplacer("{region}", region, "{service}", prefix, "{dnsSuffix}", p.DNSSuffix).Replace(ps.Defaults.SSLCommonName)
					}
				}
				if host == "" || strings.ContainsAny(host, "{}:") || regular(host) {
					continue
				}
				byPrefix[prefix] = append(byPrefix[prefix], host)
			}
			if scope := ps.Defaults.CredentialScope.Service; scope != "" && scope != prefix {
				sh := scoped[prefix]
				sh.Scope = scope
				for _, region := range sortedKeys(ps.Endpoints) {
					if _, ok := p.Regions[region]; ok && ps.Endpoints[region].Hostname == "" {
						sh.Hosts = append(sh.Hosts, prefix+"."+region+"."+p.DNSSuffix)
					}
				}
				scoped[prefix] = sh
			}
		}
	}
	return byPrefix, scoped, nil
}

// scopedHosts are the regional hosts of an endpoint prefix whose requests
// are signed for another service.
type scopedHosts struct {
	Scope string
	Hosts []string
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// bodyRenames returns the body members of op that a dotted member path
// (Delete.Objects.Key) crosses and whose wire path differs
// (Delete.Object.Key on the XML wire): one for each member whose own wire
// name differs, named by its full member path and its full wire path, so
// that the mapper finds the values under the member path. The walk follows
// structure members and lists, at most bodyDepth deep; it stops at a map
// key or a name the shapes do not have (Tags.member.N.Key in query form).
func (m *model) bodyRenames(op, path string) []servicemaps.Member {
	si := m.shapes
	if si == nil || si.input[op] == "" {
		return nil
	}
	shape := si.shapes[si.input[op]]
	var out []servicemaps.Member
	var names, wires []string
	root := si.root[op]
	if root != "" {
		wires = append(wires, root)
	}
	for depth, seg := range strings.Split(path, ".") {
		if depth > bodyDepth || shape.Type != "structure" {
			break
		}
		mb, ok := shape.Members[seg]
		if !ok || mb.Location != "" {
			break
		}
		wire := bodyWireName(si.protocol, seg, mb)
		target := si.shapes[mb.Shape]
		if target.Type == "list" && target.Member != nil && si.protocol == "rest-xml" {
			// An XML list is an element per item: flattened, named after
			// the member; else wrapped, items named after the list's member.
			if mb.Flattened || target.Flattened {
				if wire == seg && target.Member.LocationName != "" {
					wire = target.Member.LocationName
				}
			} else {
				item := target.Member.LocationName
				if item == "" {
					item = "member"
				}
				wire += "." + item
			}
			target = si.shapes[target.Member.Shape]
		}
		names, wires = append(names, seg), append(wires, wire)
		if wire != seg || depth == 0 && root != "" {
			out = append(out, servicemaps.Member{Name: strings.Join(names, "."), Location: "body", Wire: strings.Join(wires, ".")})
		}
		shape = target
	}
	return out
}
