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
	"strings"

	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

// The aws-sdk-go-v2 service modules are newer than the v1 models. They hold
// no model, only generated Go, in one of two styles:
//
//   - serializers.go: per-operation HandleSerialize methods that set the
//     method, URI, X-Amz-Target or Action, and HttpBindings functions that
//     put members in the path, query and headers;
//   - schemas/schemas.go: smithy schemas, operations carrying an HTTP trait
//     and members carrying HTTPLabel/HTTPQuery/HTTPHeader/JSONName/XMLName.
//
// Both styles have api_op_<Op>.go files with the <Op>Input struct, whose
// doc comments mark required members, and api_client.go/auth.go/
// endpoints.go with the service ID, signing name and host.

const v2ModulePrefix = "github.com/aws/aws-sdk-go-v2/service/"

// loadV2 downloads and scrapes every module listed in the file list.
func loadV2(ctx context.Context, list string) ([]*model, []servicemaps.Source, error) {
	mods, err := readV2List(list)
	if err != nil {
		return nil, nil, err
	}
	// One go command fetches every pinned module on a fresh machine and
	// finds them in the module cache on a warm one.
	dirs, errs, err := goModDownloadAll(ctx, mods)
	if err != nil {
		return nil, nil, err
	}
	var out []*model
	var srcs []servicemaps.Source
	for _, mv := range mods {
		if err := errs[mv]; err != nil {
			return nil, nil, fmt.Errorf("%w (go run ./internal/gen -select-v2 pins versions the module proxy serves)", err)
		}
		dir := dirs[mv]
		mod, ver, _ := strings.Cut(mv, "@")
		m, err := scrapeV2(strings.TrimPrefix(mod, v2ModulePrefix), dir)
		if err != nil {
			return nil, nil, fmt.Errorf("scrape %s: %w", mv, err)
		}
		out = append(out, m)
		srcs = append(srcs, servicemaps.Source{Name: mod, Version: ver})
	}
	return out, srcs, nil
}

// readV2List reads module@version lines; blank lines and # comments are
// skipped.
func readV2List(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read v2 module list: %w", err)
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		mod, ver, ok := strings.Cut(line, "@")
		if !ok || !strings.HasPrefix(mod, v2ModulePrefix) || !strings.HasPrefix(ver, "v") {
			return nil, fmt.Errorf("%s:%d: want %s<name>@<version>, got %q", path, n, v2ModulePrefix, line)
		}
		out = append(out, line)
	}
	sort.Strings(out)
	return out, nil
}

var (
	serviceIDRE   = regexp.MustCompile(`(?m)^const ServiceID = "([^"]*)"`)
	apiVersionRE  = regexp.MustCompile(`(?m)^const ServiceAPIVersion = "([^"]*)"`)
	signingNameRE = regexp.MustCompile(`SetSigV4SigningName\(&props, "([^"]+)"\)`)
	hostRE        = regexp.MustCompile(`"https://([a-z0-9][a-z0-9.-]*?)\.?"`)
	protocolRE    = regexp.MustCompile(`options\.Protocol = (\w+)\.(\w+)\(schemas\.(\w+)\)`)
)

// scrapeV2 reads one module directory.
func scrapeV2(name, dir string) (*model, error) {
	read := func(rel string) string {
		data, _ := os.ReadFile(filepath.Join(dir, rel))
		return string(data)
	}
	client := read("api_client.go")
	if client == "" {
		return nil, fmt.Errorf("no api_client.go in %s", dir)
	}
	s := &servicemaps.Service{Model: name, Origin: "v2"}
	if m := serviceIDRE.FindStringSubmatch(client); m != nil {
		s.ServiceID = m[1]
	}
	if m := apiVersionRE.FindStringSubmatch(client); m != nil {
		s.APIVersion = m[1]
	}
	if m := signingNameRE.FindStringSubmatch(read("auth.go")); m != nil {
		s.SigningName = m[1]
	}
	s.EndpointPrefix = endpointPrefixOf(read("endpoints.go"), s.SigningName)
	if s.SigningName == "" {
		s.SigningName = s.EndpointPrefix
	}
	md := &model{svc: s, fullName: s.ServiceID, inputs: map[string][]inputMember{}, unsigned: map[string]bool{}}
	auth := read("auth.go")
	for _, m := range anonymousRE.FindAllStringSubmatch(auth, -1) {
		md.unsigned[m[1]] = true
	}
	bearer := bearerRE.MatchString(auth)
	var ops []*servicemaps.Operation
	var names memberNames
	var err error
	if ser := read("serializers.go"); ser != "" {
		ops, names, err = scrapeSerializers(s, ser)
	} else if sch := read("schemas/schemas.go"); sch != "" {
		ops, names, err = scrapeSchemas(s, client, sch, dir)
	} else {
		err = fmt.Errorf("neither serializers.go nor schemas/schemas.go")
	}
	if err != nil {
		return nil, err
	}
	for _, op := range ops {
		src := read("api_op_" + op.Name + ".go")
		in := inputStruct(src, op.Name+"Input")
		for i := range in {
			in[i].Name = names.name(op.Name, in[i].Name)
		}
		sort.Slice(in, func(i, j int) bool { return in[i].Name < in[j].Name })
		md.inputs[op.Name] = in
		op.HostPrefix = hostPrefixOf(src)
		op.HostPrefix = placeholderRE.ReplaceAllStringFunc(op.HostPrefix, func(p string) string {
			return "{" + names.name(op.Name, p[2:len(p)-1]) + "}"
		})
		for i := range op.Members {
			for _, in := range md.inputs[op.Name] {
				if in.Name == op.Members[i].Name {
					op.Members[i].Required = in.Required
				}
			}
		}
		sort.SliceStable(op.Members, func(i, j int) bool { return op.Members[i].Name < op.Members[j].Name })
		if bearer {
			md.unsigned[op.Name] = true
		}
		s.Ops = append(s.Ops, op)
	}
	sort.Slice(s.Ops, func(i, j int) bool { return s.Ops[i].Name < s.Ops[j].Name })
	return md, nil
}

// endpointPrefixOf picks the most common host label the endpoint rules
// build ("https://sqs." → sqs), ignoring fips and dualstack forms.
func endpointPrefixOf(src, fallback string) string {
	count := map[string]int{}
	for _, m := range hostRE.FindAllStringSubmatch(src, -1) {
		h := m[1]
		if strings.Contains(h, "fips") || strings.Contains(h, "dualstack") || strings.Contains(h, "{") {
			continue
		}
		count[h]++
	}
	best, n := fallback, 0
	for _, h := range sortedKeys(count) {
		if count[h] > n {
			best, n = h, count[h]
		}
	}
	return best
}

// anonymousRE finds the operations whose only auth option is anonymous or
// a bearer token, and bearerRE the services whose only option is a bearer
// token (CodeCatalyst): calls that are not SigV4-signed.
var (
	anonymousRE = regexp.MustCompile(`\n\t"(\w+)": func\(params \*AuthResolverParameters\) \[\]\*smithyauth\.Option \{\s*return \[\]\*smithyauth\.Option\{\s*\{SchemeID: smithyauth\.SchemeID(?:Anonymous|HTTPBearer)\},\s*\}`)
	bearerRE    = regexp.MustCompile(`func serviceAuthOptions\(params \*AuthResolverParameters\) \[\]\*smithyauth\.Option \{\s*return \[\]\*smithyauth\.Option\{\s*\{SchemeID: smithyauth\.SchemeIDHTTPBearer\},\s*\}`)
)

var (
	hostLiteralRE = regexp.MustCompile(`req\.URL\.Host = "([^"]*)" \+ req\.URL\.Host`)
	hostWriteRE   = regexp.MustCompile(`prefix\.WriteString\((?:\*input\.(\w+)|"([^"]*)")\)`)
)

// hostPrefixOf reads an operation's endpoint-prefix middleware.
func hostPrefixOf(src string) string {
	i := strings.Index(src, "endpointPrefix_op")
	if i < 0 {
		return ""
	}
	src = src[i:]
	if m := hostLiteralRE.FindStringSubmatch(src); m != nil {
		return m[1]
	}
	end := strings.Index(src, "req.URL.Host = prefix.String()")
	if end < 0 {
		return ""
	}
	var b strings.Builder
	for _, m := range hostWriteRE.FindAllStringSubmatch(src[:end], -1) {
		if m[1] != "" {
			b.WriteString("{" + m[1] + "}")
		} else {
			b.WriteString(m[2])
		}
	}
	return b.String()
}

// memberNames maps an operation's Go input field names to the model's
// member names (which may start in lower case), so that templates and
// members use the names the wire uses.
type memberNames struct {
	byOp  map[string]map[string]string // op -> lower-case Go field -> member
	camel bool                         // unknown fields start in lower case
}

func (n memberNames) name(op, field string) string {
	if m, ok := n.byOp[op][strings.ToLower(field)]; ok {
		return m
	}
	if n.camel && field != "" {
		return strings.ToLower(field[:1]) + field[1:]
	}
	return field
}

var fieldRE = regexp.MustCompile(`^\t([A-Z]\w*)\s+(\S+)`)

// nameOrARNDocRE finds doc comments that accept a name or an ARN.
var nameOrARNDocRE = regexp.MustCompile(`(?i)\b(name|id|identifier)\b[^.]{0,60}\bor\b[^.]{0,30}\b(arn|amazon resource name)\b|\b(arn|amazon resource name)\b[^.]{0,30}\bor\b[^.]{0,30}\b(name|id|identifier)\b`)

// inputStruct lists the fields of the named struct in an api_op file.
func inputStruct(src, typeName string) []inputMember {
	start := strings.Index(src, "type "+typeName+" struct {")
	if start < 0 {
		return nil
	}
	var out []inputMember
	var doc strings.Builder
	for _, line := range strings.Split(src[start:], "\n")[1:] {
		if line == "}" {
			break
		}
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "//") {
			doc.WriteString(strings.TrimSpace(strings.TrimPrefix(t, "//")) + " ")
			continue
		}
		m := fieldRE.FindStringSubmatch(line)
		if m == nil {
			doc.Reset()
			continue
		}
		text := doc.String()
		doc.Reset()
		typ := m[2]
		scalar := typ == "*string" || typ == "string" || strings.HasPrefix(typ, "*int") || strings.HasPrefix(typ, "int") ||
			strings.HasPrefix(typ, "types.") // value-typed types.X are enums
		out = append(out, inputMember{
			Name:      m[1],
			Required:  strings.Contains(text, "This member is required."),
			NameOrARN: scalar && nameOrARNDocRE.MatchString(text),
			ARN:       scalar && (strings.HasSuffix(m[1], "Arn") || strings.HasSuffix(m[1], "ARN")) && !nameOrARNDocRE.MatchString(text),
			Scalar:    scalar,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// protocolOfPrefix maps the serializer function prefix to a protocol name.
var protocolOfPrefix = map[string]string{
	"awsRestjson1":     "rest-json",
	"awsRestxml":       "rest-xml",
	"awsAwsjson10":     "json",
	"awsAwsjson11":     "json",
	"awsAwsquery":      "query",
	"awsEc2query":      "ec2",
	"smithyRpcv2cbor":  "smithy-rpc-v2-cbor",
	"awsSmithyRpcv2cb": "smithy-rpc-v2-cbor",
}

var (
	handleRE    = regexp.MustCompile(`(?m)^func \(m \*(\w+?)_serializeOp(\w+)\) HandleSerialize\(`)
	splitURIRE  = regexp.MustCompile(`httpbinding\.SplitURI\("([^"]*)"\)`)
	methodRE    = regexp.MustCompile(`request\.Method = "([A-Z]+)"`)
	targetRE    = regexp.MustCompile(`SetHeader\("X-Amz-Target"\)\.String\("([^"]+)\.(\w+)"\)`)
	actionRE    = regexp.MustCompile(`body\.Key\("Version"\)\.String\("([^"]+)"\)`)
	bindingsRE  = regexp.MustCompile(`(?m)^func (\w+?)_serializeOpHttpBindings(\w+)Input\(v \*\w+, encoder \*httpbinding\.Encoder\) error \{`)
	documentRE  = regexp.MustCompile(`(?m)^func (\w+?)_serializeOpDocument(\w+)Input\(v \*\w+, (?:value|object) `)
	fieldUseRE  = regexp.MustCompile(`v\.(\w+)`)
	encoderRE   = regexp.MustCompile(`encoder\.(SetURI|SetQuery|AddQuery|SetHeader|AddHeader|Headers)\(("[^"]*"|locationName)\)`)
	locNameRE   = regexp.MustCompile(`locationName := "([^"]*)"`)
	objectKeyRE = regexp.MustCompile(`object\.(?:Key|FlatKey)\("([^"]*)"\)`)
	jsonVerRE   = regexp.MustCompile(`application/x-amz-json-(1\.[01])`)
)

// funcBody returns src from i to the end of the function that starts there.
func funcBody(src string, i int) string {
	if end := strings.Index(src[i:], "\n}\n"); end >= 0 {
		return src[i : i+end]
	}
	return src[i:]
}

// scrapeSerializers reads a serializers.go.
func scrapeSerializers(s *servicemaps.Service, src string) ([]*servicemaps.Operation, memberNames, error) {
	names := memberNames{byOp: map[string]map[string]string{}}
	ops := map[string]*servicemaps.Operation{}
	protocols := map[string]bool{}
	for _, loc := range handleRE.FindAllStringSubmatchIndex(src, -1) {
		prefix, name := src[loc[2]:loc[3]], src[loc[4]:loc[5]]
		body := funcBody(src, loc[0])
		proto := protocolOfPrefix[prefix]
		if proto == "" {
			return nil, names, fmt.Errorf("unknown serializer prefix %q", prefix)
		}
		protocols[proto] = true
		op := &servicemaps.Operation{Name: name}
		switch proto {
		case "rest-json", "rest-xml":
			if m := splitURIRE.FindStringSubmatch(body); m != nil {
				op.URI = stripXID(m[1])
			}
			if m := methodRE.FindStringSubmatch(body); m != nil {
				op.Method = m[1]
			}
		case "json":
			if m := targetRE.FindStringSubmatch(body); m != nil {
				s.TargetPrefix = m[1]
			}
			if m := jsonVerRE.FindStringSubmatch(body); m != nil {
				s.JSONVersion = m[1]
			}
		case "query", "ec2":
			if m := actionRE.FindStringSubmatch(body); m != nil && s.APIVersion == "" {
				s.APIVersion = m[1]
			}
		}
		ops[name] = op
	}
	// Members bound to the URI, query and headers.
	for _, loc := range bindingsRE.FindAllStringSubmatchIndex(src, -1) {
		op := ops[src[loc[4]:loc[5]]]
		if op == nil {
			continue
		}
		op.Members = append(op.Members, httpBindings(funcBody(src, loc[0]))...)
	}
	// Body keys: the member name when it differs from the Go field only in
	// case, else a wire name of its own.
	lower, upper := 0, 0
	for _, loc := range documentRE.FindAllStringSubmatchIndex(src, -1) {
		opName := src[loc[4]:loc[5]]
		op := ops[opName]
		if op == nil {
			continue
		}
		body := funcBody(src, loc[0])
		field := ""
		for _, line := range strings.Split(body, "\n") {
			if m := fieldUseRE.FindStringSubmatch(line); m != nil {
				field = m[1]
			}
			m := objectKeyRE.FindStringSubmatch(line)
			if m == nil || field == "" || m[1] == "" {
				continue
			}
			key := m[1]
			if key[:1] == strings.ToLower(key[:1]) {
				lower++
			} else {
				upper++
			}
			if strings.EqualFold(key, field) {
				if names.byOp[opName] == nil {
					names.byOp[opName] = map[string]string{}
				}
				names.byOp[opName][strings.ToLower(field)] = key
			} else if !hasMember(op.Members, field) {
				op.Members = append(op.Members, servicemaps.Member{Name: field, Location: "body", Wire: key})
			}
		}
	}
	names.camel = lower > upper && !protocols["query"] && !protocols["ec2"]
	for _, op := range ops {
		for i := range op.Members {
			op.Members[i].Name = names.name(op.Name, op.Members[i].Name)
		}
	}
	s.Protocols = orderedProtocols(protocols)
	out := make([]*servicemaps.Operation, 0, len(ops))
	for _, name := range sortedKeys(ops) {
		out = append(out, ops[name])
	}
	return out, names, nil
}

// httpBindings reads one HttpBindings function: each encoder call binds
// the last field the code touched.
func httpBindings(body string) []servicemaps.Member {
	var out []servicemaps.Member
	field, loc := "", ""
	for _, line := range strings.Split(body, "\n") {
		if m := fieldUseRE.FindStringSubmatch(line); m != nil {
			field = m[1]
		}
		if m := locNameRE.FindStringSubmatch(line); m != nil {
			loc = m[1]
		}
		m := encoderRE.FindStringSubmatch(line)
		if m == nil || field == "" {
			continue
		}
		wire := strings.Trim(m[2], `"`)
		if m[2] == "locationName" {
			wire = loc
		}
		var where string
		switch m[1] {
		case "SetURI":
			where = "uri"
		case "SetQuery", "AddQuery":
			where = "querystring"
		case "SetHeader", "AddHeader":
			where = "header"
		case "Headers":
			where = "headers"
		}
		if !hasMember(out, field) {
			out = append(out, servicemaps.Member{Name: field, Location: where, Wire: wire})
		}
	}
	return out
}

func hasMember(list []servicemaps.Member, name string) bool {
	for _, m := range list {
		if m.Name == name {
			return true
		}
	}
	return false
}

// stripXID removes the x-id=<Op> query that only newer SDKs send.
func stripXID(uri string) string {
	path, query, ok := strings.Cut(uri, "?")
	if !ok {
		return uri
	}
	var keep []string
	for _, kv := range strings.Split(query, "&") {
		if !strings.HasPrefix(kv, "x-id=") && kv != "" {
			keep = append(keep, kv)
		}
	}
	if len(keep) == 0 {
		return path
	}
	return path + "?" + strings.Join(keep, "&")
}

// protocolOrder is the preference order of protocols on a service.
var protocolOrder = []string{"json", "rest-json", "rest-xml", "query", "ec2", "smithy-rpc-v2-cbor"}

func orderedProtocols(set map[string]bool) []string {
	var out []string
	for _, p := range protocolOrder {
		if set[p] {
			out = append(out, p)
		}
	}
	return out
}

var (
	opSchemaRE     = regexp.MustCompile(`(?s)var (\w+) = smithy\.NewSchema\(smithy\.ShapeID\{\s*Namespace:\s*"[^"]*",\s*Name:\s*"(\w+)",\s*\}, smithy\.ShapeTypeOperation, \d+(.*?)\)\n\n`)
	httpTraitRE    = regexp.MustCompile(`(?s)smithytraits\.HTTP\{Method:\s*"([A-Z]+)",\s*URI:\s*"([^"]*)"`)
	addMemberRE    = regexp.MustCompile(`(?m)^\t\w+ = (\w+)\.AddMember\("(\w+)", [\w.]+(.*)$`)
	traitNameRE    = regexp.MustCompile(`smithytraits\.(HTTPLabel|HTTPQuery|HTTPHeader|HTTPPrefixHeaders|JSONName|XMLName)\{(?:Name: "([^"]*)"|Prefix: "([^"]*)")?`)
	writeStructRE  = regexp.MustCompile(`s\.WriteStruct\(schemas\.(\w+)\)`)
	serviceShapeRE = regexp.MustCompile(`(?s)var (\w+) = smithy\.NewSchema\(smithy\.ShapeID\{\s*Namespace:\s*"[^"]*",\s*Name:\s*"([^"]*)",\s*\}, smithy\.ShapeTypeService`)
)

// scrapeSchemas reads a schemas/schemas.go module.
func scrapeSchemas(s *servicemaps.Service, client, src, dir string) ([]*servicemaps.Operation, memberNames, error) {
	names := memberNames{byOp: map[string]map[string]string{}}
	pm := protocolRE.FindStringSubmatch(client)
	if pm == nil {
		return nil, names, fmt.Errorf("no options.Protocol in api_client.go")
	}
	var proto string
	switch pm[1] + "." + pm[2] {
	case "awsjson.New10":
		proto, s.JSONVersion = "json", "1.0"
	case "awsjson.New11":
		proto, s.JSONVersion = "json", "1.1"
	case "restjson1.New":
		proto = "rest-json"
	case "restxml.New":
		proto = "rest-xml"
	case "awsquery.New":
		proto = "query"
	case "ec2query.New":
		proto = "ec2"
	case "rpcv2.NewCBOR":
		proto = "smithy-rpc-v2-cbor"
	default:
		return nil, names, fmt.Errorf("unknown protocol %s.%s", pm[1], pm[2])
	}
	s.Protocols = []string{proto}
	// The service shape's name is the X-Amz-Target prefix (json) and the
	// /service/<name>/ path segment (RPC v2 CBOR).
	for _, m := range serviceShapeRE.FindAllStringSubmatch(src, -1) {
		if strings.TrimPrefix(m[1], "_") == pm[3] && (proto == "json" || proto == "smithy-rpc-v2-cbor") {
			s.TargetPrefix = m[2]
		}
	}
	// Members and their wire traits, by structure variable.
	members := map[string][]servicemaps.Member{}
	all := map[string][]string{} // shape -> every member name
	for _, m := range addMemberRE.FindAllStringSubmatch(src, -1) {
		shape, name, rest := m[1], m[2], m[3]
		all[shape] = append(all[shape], name)
		t := traitNameRE.FindStringSubmatch(rest)
		if t == nil {
			continue
		}
		wire := t[2]
		var where string
		switch t[1] {
		case "HTTPLabel":
			where, wire = "uri", name
		case "HTTPQuery":
			where = "querystring"
		case "HTTPHeader":
			where = "header"
		case "HTTPPrefixHeaders":
			where, wire = "headers", t[3]
		case "JSONName", "XMLName":
			if wire == name || proto == "rest-json" && t[1] == "XMLName" {
				continue
			}
			where = "body"
		}
		members[shape] = append(members[shape], servicemaps.Member{Name: name, Location: where, Wire: wire})
	}
	var ops []*servicemaps.Operation
	for _, m := range opSchemaRE.FindAllStringSubmatch(src, -1) {
		op := &servicemaps.Operation{Name: m[2]}
		if h := httpTraitRE.FindStringSubmatch(m[3]); h != nil && (proto == "rest-json" || proto == "rest-xml") {
			op.Method, op.URI = h[1], stripXID(h[2])
		}
		opSrc, _ := os.ReadFile(filepath.Join(dir, "api_op_"+op.Name+".go"))
		if ws := writeStructRE.FindSubmatch(opSrc); ws != nil {
			shape := string(ws[1])
			op.Members = members[shape]
			names.byOp[op.Name] = map[string]string{}
			for _, n := range all[shape] {
				names.byOp[op.Name][strings.ToLower(n)] = n
			}
		}
		ops = append(ops, op)
	}
	return ops, names, nil
}

// mergeV2 adds newer models (aws-sdk-go-v2 modules, JavaScript clients) to
// older ones: a model whose service an older one already has contributes
// the operations and protocols that one lacks; any other becomes a service
// of its own.
func mergeV2(v1, v2 []*model) []*model {
	byID := map[string]*model{}
	for _, m := range v1 {
		if m.svc.ServiceID != "" {
			byID[m.svc.ServiceID] = m
		}
	}
	out := append([]*model(nil), v1...)
	names := map[string]bool{}
	for _, m := range v1 {
		names[m.svc.Model] = true
	}
	for _, m2 := range v2 {
		m1 := byID[m2.svc.ServiceID]
		if m1 == nil {
			if names[m2.svc.Model] {
				m2.svc.Model += "-" + m2.svc.Origin // a model of another service has the name
			}
			names[m2.svc.Model] = true
			byID[m2.svc.ServiceID] = m2
			out = append(out, m2)
			continue
		}
		mergeInto(m1, m2)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].svc.Model < out[j].svc.Model })
	return out
}

// mergeInto adds m2's new operations and protocols to m1.
func mergeInto(m1, m2 *model) {
	s1, s2 := m1.svc, m2.svc
	for _, p := range s2.Protocols {
		if !contains(s1.Protocols, p) {
			s1.Protocols = append(s1.Protocols, p)
			if (p == "json" || p == "smithy-rpc-v2-cbor") && s1.TargetPrefix == "" {
				s1.TargetPrefix = s2.TargetPrefix
			}
			if p == "json" && s1.JSONVersion == "" {
				s1.JSONVersion = s2.JSONVersion
			}
		}
	}
	if contains(s1.Protocols, "smithy-rpc-v2-cbor") && !contains(s1.Protocols, "json") {
		// Services that moved to RPC v2 CBOR also accept JSON 1.0.
		s1.Protocols = append(s1.Protocols, "json")
		if s1.JSONVersion == "" {
			s1.JSONVersion = "1.0"
		}
	}
	have := map[string]*servicemaps.Operation{}
	for _, o := range s1.Ops {
		have[o.Name] = o
	}
	// S3's v2 URIs drop the bucket, which the SDK puts in the host. Learn
	// such a leading label from the operations both have.
	lead := leadingLabel(have, s2.Ops)
	for _, o := range s2.Ops {
		if have[o.Name] != nil {
			continue
		}
		if lead != "" && o.URI != "" && hasInput(m2, o.Name, lead) && !strings.Contains(o.URI, "{"+lead+"}") {
			if strings.HasPrefix(o.URI, "/?") || o.URI == "/" {
				o.URI = "/{" + lead + "}" + strings.TrimPrefix(o.URI, "/")
			} else {
				o.URI = "/{" + lead + "}" + o.URI
			}
			o.Members = append([]servicemaps.Member{{Name: lead, Location: "uri", Wire: lead, Required: true}}, o.Members...)
		}
		if o.Origin == "" {
			o.Origin = s2.Origin
		}
		s1.Ops = append(s1.Ops, o)
		m1.inputs[o.Name] = m2.inputs[o.Name]
		if m2.unsigned[o.Name] {
			if m1.unsigned == nil {
				m1.unsigned = map[string]bool{}
			}
			m1.unsigned[o.Name] = true
		}
		m1.v2Ops++
	}
	sort.Slice(s1.Ops, func(i, j int) bool { return s1.Ops[i].Name < s1.Ops[j].Name })
	if m1.v2Module == "" {
		m1.v2Module = s2.Model
	}
}

var leadLabelRE = regexp.MustCompile(`^/\{(\w+)\}`)

// leadingLabel returns X when most operations' v1 URI is "/{X}…" and their
// v2 URI the same without it.
func leadingLabel(v1 map[string]*servicemaps.Operation, v2 []*servicemaps.Operation) string {
	count, total := map[string]int{}, 0
	for _, o2 := range v2 {
		o1 := v1[o2.Name]
		if o1 == nil || o1.URI == "" {
			continue
		}
		m := leadLabelRE.FindStringSubmatch(o1.URI)
		if m == nil {
			continue
		}
		total++
		rest := strings.TrimPrefix(stripXID(o1.URI), m[0])
		if rest == "" || strings.HasPrefix(rest, "?") {
			rest = "/" + rest
		}
		if rest == o2.URI {
			count[m[1]]++
		}
	}
	for _, k := range sortedKeys(count) {
		if count[k]*5 >= total*4 {
			return k
		}
	}
	return ""
}
