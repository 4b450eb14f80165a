package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

// The AWS SDK for JavaScript v3 clients (@aws-sdk/client-* on npm) are the
// freshness source of last resort: the generator reads one only for a
// service whose aws-sdk-go-v2 module the module proxy does not serve. Their
// dist-es/schemas/schemas_0.js holds the service's smithy schemas as
// compact JavaScript literals:
//
//	const _CA = "CreateAsset";
//	export var CreateAsset$ = [9, n0, _CA, { [_end]: ["api."], [_ht]: ["POST", "/assets", 202] }, () => CreateAssetRequest$, () => CreateAssetResponse$];
//	export var CreateAssetRequest$ = [3, n0, _CAR, 0, [_aN, _aMI, _cT], [0, 0, [0, 4]], 2];
//
// An operation is [9, namespace, name, traits, input, output]; a structure
// [3, namespace, name, traits, member names, member schemas, required
// count], whose first <required count> members are required. A member
// schema is a type or [type, traits]; traits are an object of named traits
// or a bit set (1 httpLabel, 2 idempotent, 4 idempotencyToken, 8 sensitive,
// 16 httpPayload, 32 httpResponseCode, 64 httpQueryParams). Simple types are
// numbers: 0 string, 1 number, 2 boolean, 4-7 timestamps, 15 document,
// 21 blob, 64|x list, 128|x map; [0, ns, name, traits, type] names one.

// jsKind is the kind of a parsed JavaScript value.
type jsKind byte

const (
	jsOther jsKind = iota
	jsNum
	jsStr
	jsIdent // a reference to a declaration, resolved lazily
	jsArr
	jsObj
	jsFunc // () => X: the value X
)

// jsVal is a JavaScript literal of the subset the schemas use.
type jsVal struct {
	kind jsKind
	num  int
	str  string // jsStr: the string; jsIdent: the name
	list []jsVal
	keys []jsVal // jsObj: keys, parallel to list
}

// jsParser reads JavaScript literals.
type jsParser struct {
	src string
	pos int
}

var errJS = errors.New("unexpected JavaScript")

func (p *jsParser) skip() {
	for p.pos < len(p.src) {
		switch c := p.src[p.pos]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			p.pos++
		case strings.HasPrefix(p.src[p.pos:], "//"):
			if i := strings.IndexByte(p.src[p.pos:], '\n'); i >= 0 {
				p.pos += i + 1
			} else {
				p.pos = len(p.src)
			}
		case strings.HasPrefix(p.src[p.pos:], "/*"):
			if i := strings.Index(p.src[p.pos+2:], "*/"); i >= 0 {
				p.pos += i + 4
			} else {
				p.pos = len(p.src)
			}
		default:
			return
		}
	}
}

func (p *jsParser) peek() byte {
	p.skip()
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *jsParser) expect(s string) error {
	p.skip()
	if !strings.HasPrefix(p.src[p.pos:], s) {
		return fmt.Errorf("%w at %d: want %q", errJS, p.pos, s)
	}
	p.pos += len(s)
	return nil
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// value reads a value; `a | b` of numbers is their bitwise or.
func (p *jsParser) value() (jsVal, error) {
	v, err := p.primary()
	if err != nil {
		return v, err
	}
	for p.peek() == '|' && !strings.HasPrefix(p.src[p.pos:], "||") {
		p.pos++
		w, err := p.primary()
		if err != nil {
			return v, err
		}
		if v.kind == jsNum && w.kind == jsNum {
			v.num |= w.num
		} else {
			v = jsVal{kind: jsOther}
		}
	}
	return v, nil
}

func (p *jsParser) primary() (jsVal, error) {
	switch c := p.peek(); {
	case c == '"' || c == '\'':
		return p.str()
	case c == '[':
		p.pos++
		var v jsVal
		v.kind = jsArr
		for p.peek() != ']' {
			e, err := p.value()
			if err != nil {
				return v, err
			}
			v.list = append(v.list, e)
			if p.peek() == ',' {
				p.pos++
			} else if p.peek() != ']' {
				return v, fmt.Errorf("%w at %d in an array", errJS, p.pos)
			}
		}
		p.pos++
		return v, nil
	case c == '{':
		p.pos++
		v := jsVal{kind: jsObj}
		for p.peek() != '}' {
			var k jsVal
			var err error
			switch p.peek() {
			case '[':
				p.pos++
				if k, err = p.value(); err != nil {
					return v, err
				}
				if err := p.expect("]"); err != nil {
					return v, err
				}
			case '"', '\'':
				if k, err = p.str(); err != nil {
					return v, err
				}
			default:
				k = jsVal{kind: jsStr, str: p.ident()}
				if k.str == "" {
					return v, fmt.Errorf("%w at %d: object key", errJS, p.pos)
				}
			}
			if err := p.expect(":"); err != nil {
				return v, err
			}
			e, err := p.value()
			if err != nil {
				return v, err
			}
			v.keys, v.list = append(v.keys, k), append(v.list, e)
			if p.peek() == ',' {
				p.pos++
			} else if p.peek() != '}' {
				return v, fmt.Errorf("%w at %d in an object", errJS, p.pos)
			}
		}
		p.pos++
		return v, nil
	case c == '(':
		if err := p.expect("()"); err != nil {
			return jsVal{}, err
		}
		if err := p.expect("=>"); err != nil {
			return jsVal{}, err
		}
		e, err := p.value()
		if err != nil {
			return e, err
		}
		return jsVal{kind: jsFunc, list: []jsVal{e}}, nil
	case c == '-' || c >= '0' && c <= '9':
		start := p.pos
		p.pos++
		for p.pos < len(p.src) && (p.src[p.pos] >= '0' && p.src[p.pos] <= '9' || p.src[p.pos] == 'x' || p.src[p.pos] == 'b' ||
			p.src[p.pos] == '_' || p.src[p.pos] >= 'a' && p.src[p.pos] <= 'f' || p.src[p.pos] == '.') {
			p.pos++
		}
		n, err := strconv.ParseInt(strings.ReplaceAll(p.src[start:p.pos], "_", ""), 0, 64)
		if err != nil {
			return jsVal{kind: jsOther}, nil // a float: nothing the schemas need
		}
		return jsVal{kind: jsNum, num: int(n)}, nil
	case isIdentByte(c):
		name := p.ident()
		for p.peek() == '.' { // schemas_0.X or void 0
			p.pos++
			name += "." + p.ident()
		}
		return jsVal{kind: jsIdent, str: name}, nil
	}
	return jsVal{}, fmt.Errorf("%w at %d", errJS, p.pos)
}

func (p *jsParser) ident() string {
	p.skip()
	start := p.pos
	for p.pos < len(p.src) && isIdentByte(p.src[p.pos]) {
		p.pos++
	}
	return p.src[start:p.pos]
}

func (p *jsParser) str() (jsVal, error) {
	q := p.src[p.pos]
	start := p.pos
	p.pos++
	for p.pos < len(p.src) && p.src[p.pos] != q {
		if p.src[p.pos] == '\\' {
			p.pos++
		}
		p.pos++
	}
	if p.pos >= len(p.src) {
		return jsVal{}, fmt.Errorf("%w: unterminated string", errJS)
	}
	p.pos++
	lit := p.src[start:p.pos]
	if q == '\'' {
		lit = `"` + strings.ReplaceAll(lit[1:len(lit)-1], `"`, `\"`) + `"`
	}
	s, err := strconv.Unquote(lit)
	if err != nil {
		s = lit[1 : len(lit)-1]
	}
	return jsVal{kind: jsStr, str: s}, nil
}

var jsDeclRE = regexp.MustCompile(`(?m)^(?:export )?(?:var|const|let) ([\w$]+) = `)

// jsModule is the top-level declarations of one schemas file.
type jsModule struct {
	decls map[string]jsVal
}

// parseJSModule reads every top-level `var|const X = value;` it can; other
// statements are skipped.
func parseJSModule(src string) *jsModule {
	m := &jsModule{decls: map[string]jsVal{}}
	for _, loc := range jsDeclRE.FindAllStringSubmatchIndex(src, -1) {
		p := &jsParser{src: src, pos: loc[1]}
		v, err := p.value()
		if err != nil {
			continue
		}
		m.decls[src[loc[2]:loc[3]]] = v
	}
	return m
}

// resolve follows identifiers and arrow functions to a value.
func (m *jsModule) resolve(v jsVal) jsVal {
	for i := 0; i < 8; i++ {
		switch v.kind {
		case jsIdent:
			d, ok := m.decls[v.str]
			if !ok {
				return v
			}
			v = d
		case jsFunc:
			v = v.list[0]
		default:
			return v
		}
	}
	return v
}

// str resolves v to a string, or "".
func (m *jsModule) str(v jsVal) string {
	if r := m.resolve(v); r.kind == jsStr {
		return r.str
	}
	return ""
}

// traits turns a traits value (an object or a bit set) into named traits;
// the value of a bit-set trait is "1".
func (m *jsModule) traits(v jsVal) map[string]jsVal {
	out := map[string]jsVal{}
	v = m.resolve(v)
	switch v.kind {
	case jsNum:
		for i, name := range []string{"httpLabel", "idempotent", "idempotencyToken", "sensitive", "httpPayload", "httpResponseCode", "httpQueryParams"} {
			if v.num>>i&1 == 1 {
				out[name] = jsVal{kind: jsNum, num: 1}
			}
		}
	case jsObj:
		for i, k := range v.keys {
			if name := m.str(k); name != "" {
				out[name] = v.list[i]
			}
		}
	}
	return out
}

// scalar reports whether a member schema is a string or a number.
func (m *jsModule) scalar(v jsVal) bool {
	for depth := 0; depth < 8; depth++ {
		v = m.resolve(v)
		switch v.kind {
		case jsNum:
			return v.num == 0 || v.num == 1
		case jsArr:
			if len(v.list) >= 5 && v.list[0].kind == jsNum && v.list[0].num == 0 { // a named simple type
				v = v.list[4]
				continue
			}
		}
		return false
	}
	return false
}

// jsProtocols maps the protocol classes of runtimeConfig.shared.js.
var jsProtocols = map[string][2]string{ // protocol, JSON version
	"AwsRestJsonProtocol":        {"rest-json", ""},
	"AwsRestXmlProtocol":         {"rest-xml", ""},
	"AwsJson1_0Protocol":         {"json", "1.0"},
	"AwsJson1_1Protocol":         {"json", "1.1"},
	"AwsQueryProtocol":           {"query", ""},
	"AwsEc2QueryProtocol":        {"ec2", ""},
	"AwsSmithyRpcV2CborProtocol": {"smithy-rpc-v2-cbor", ""},
	"SmithyRpcV2CborProtocol":    {"smithy-rpc-v2-cbor", ""},
}

var (
	jsAPIVersionRE    = regexp.MustCompile(`apiVersion: "([^"]*)"`)
	jsProtocolRE      = regexp.MustCompile(`protocol: config\?\.protocol \?\? (?:[\w$]+\.)?(\w+)`)
	jsServiceTargetRE = regexp.MustCompile(`serviceTarget: "([^"]*)"`)
	jsServiceIDRE     = regexp.MustCompile(`serviceId: config\?\.serviceId \?\? "([^"]*)"`)
	jsSigningNameRE   = regexp.MustCompile(`signingProperties: \{\s*name: "([^"]+)"`)
	jsHostRE          = regexp.MustCompile(`"https://([a-z0-9][a-z0-9.-]*?)\.\{Region\}`)
	jsQueryCompatRE   = regexp.MustCompile(`awsQueryCompatible`)
	jsNoAuthRE        = regexp.MustCompile(`case "(\w+)": \{\s*options\.push\(createSmithyApiNoAuthHttpAuthOption\(`)
)

// jsFiles are the files of a client package the scraper reads, relative
// to its package/ directory.
var jsFiles = []string{
	"package.json",
	"dist-es/runtimeConfig.shared.js",
	"dist-es/auth/httpAuthSchemeProvider.js",
	"dist-es/schemas/schemas_0.js",
	"dist-es/endpoint/ruleset.js",
	"dist-es/endpoint/bdd.js",
}

// readTgz returns the files of jsFiles in an npm tarball.
func readTgz(data []byte) (map[string]string, error) {
	return tgzFiles(data, func(rel string) bool { return contains(jsFiles, rel) })
}

// tgzFiles returns the files of an npm tarball (paths below package/)
// that keep selects, by path.
func tgzFiles(data []byte, keep func(rel string) bool) (map[string]string, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	out := map[string]string{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		rel, ok := strings.CutPrefix(h.Name, "package/")
		if !ok || !keep(rel) {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(tr, 64<<20))
		if err != nil {
			return nil, err
		}
		out[rel] = string(b)
	}
	return out, nil
}

// scrapeJS builds a model from the files of a client package. The model
// is named as its aws-sdk-go-v2 module would be: the service ID, lower
// case, letters and digits only.
func scrapeJS(files map[string]string) (*model, error) {
	shared := files["dist-es/runtimeConfig.shared.js"]
	schemas := files["dist-es/schemas/schemas_0.js"]
	if shared == "" || schemas == "" {
		return nil, fmt.Errorf("not a schema-based client: no runtimeConfig.shared.js or schemas/schemas_0.js")
	}
	s := &servicemaps.Service{Origin: "js"}
	if m := jsServiceIDRE.FindStringSubmatch(shared); m != nil {
		s.ServiceID = m[1]
	}
	if s.ServiceID == "" {
		return nil, fmt.Errorf("no serviceId in runtimeConfig.shared.js")
	}
	s.Model = norm(s.ServiceID)
	if m := jsAPIVersionRE.FindStringSubmatch(shared); m != nil {
		s.APIVersion = m[1]
	}
	m := jsProtocolRE.FindStringSubmatch(shared)
	if m == nil {
		return nil, fmt.Errorf("no protocol in runtimeConfig.shared.js")
	}
	proto, ok := jsProtocols[m[1]]
	if !ok {
		return nil, fmt.Errorf("unknown protocol %s", m[1])
	}
	s.Protocols, s.JSONVersion = []string{proto[0]}, proto[1]
	if proto[0] == "json" || proto[0] == "smithy-rpc-v2-cbor" {
		if t := jsServiceTargetRE.FindStringSubmatch(shared); t != nil {
			s.TargetPrefix = t[1]
		}
	}
	if proto[0] == "json" && jsQueryCompatRE.MatchString(shared) {
		s.Protocols = append(s.Protocols, "query")
	}
	if t := jsSigningNameRE.FindStringSubmatch(files["dist-es/auth/httpAuthSchemeProvider.js"]); t != nil {
		s.SigningName = t[1]
	}
	count := map[string]int{}
	for _, f := range []string{"dist-es/endpoint/ruleset.js", "dist-es/endpoint/bdd.js"} {
		for _, h := range jsHostRE.FindAllStringSubmatch(files[f], -1) {
			if !strings.Contains(h[1], "fips") && !strings.Contains(h[1], "dualstack") {
				count[h[1]]++
			}
		}
	}
	best := 0
	for _, h := range sortedKeys(count) {
		if count[h] > best {
			s.EndpointPrefix, best = h, count[h]
		}
	}
	if s.EndpointPrefix == "" {
		s.EndpointPrefix = s.SigningName
	}
	if s.SigningName == "" {
		s.SigningName = s.EndpointPrefix
	}
	md := &model{svc: s, fullName: s.ServiceID, inputs: map[string][]inputMember{}, unsigned: map[string]bool{}}
	for _, m := range jsNoAuthRE.FindAllStringSubmatch(files["dist-es/auth/httpAuthSchemeProvider.js"], -1) {
		md.unsigned[m[1]] = true
	}
	mod := parseJSModule(schemas)
	rest := proto[0] == "rest-json" || proto[0] == "rest-xml"
	for _, name := range sortedKeys(mod.decls) {
		v := mod.decls[name]
		if v.kind != jsArr || len(v.list) < 6 || v.list[0].kind != jsNum || v.list[0].num != 9 {
			continue
		}
		op := &servicemaps.Operation{Name: mod.str(v.list[2])}
		if op.Name == "" {
			continue
		}
		t := mod.traits(v.list[3])
		if h := mod.resolve(t["http"]); rest && h.kind == jsArr && len(h.list) >= 2 {
			op.Method, op.URI = mod.str(h.list[0]), stripXID(mod.str(h.list[1]))
		}
		if e := mod.resolve(t["endpoint"]); e.kind == jsArr && len(e.list) > 0 {
			op.HostPrefix = mod.str(e.list[0])
		}
		if _, ok := t["deprecated"]; ok {
			op.Deprecated = true
		}
		in := mod.resolve(v.list[4])
		if in.kind == jsArr && len(in.list) >= 6 && in.list[0].kind == jsNum && in.list[0].num == 3 {
			names, schemas := mod.resolve(in.list[4]), mod.resolve(in.list[5])
			required := 0
			if len(in.list) > 6 {
				if r := mod.resolve(in.list[6]); r.kind == jsNum {
					required = r.num
				}
			}
			for i, nv := range names.list {
				mn := mod.str(nv)
				if mn == "" {
					continue
				}
				var typ, traits jsVal
				if i < len(schemas.list) {
					typ = schemas.list[i]
					if typ.kind == jsArr && len(typ.list) == 2 {
						typ, traits = typ.list[0], typ.list[1]
					}
				}
				req := i < required
				scalar := mod.scalar(typ)
				md.inputs[op.Name] = append(md.inputs[op.Name], inputMember{
					Name:     mn,
					Required: req,
					ARN:      scalar && (strings.HasSuffix(mn, "Arn") || strings.HasSuffix(mn, "ARN") || strings.HasSuffix(mn, "arn")),
					Scalar:   scalar,
				})
				if mb, ok := jsMember(mod, mn, proto[0], mod.traits(traits)); ok {
					mb.Required = req
					op.Members = append(op.Members, mb)
				}
			}
			sort.Slice(md.inputs[op.Name], func(i, j int) bool { return md.inputs[op.Name][i].Name < md.inputs[op.Name][j].Name })
			sort.SliceStable(op.Members, func(i, j int) bool { return op.Members[i].Name < op.Members[j].Name })
		}
		s.Ops = append(s.Ops, op)
	}
	if len(s.Ops) == 0 {
		return nil, fmt.Errorf("no operations in schemas/schemas_0.js")
	}
	sort.Slice(s.Ops, func(i, j int) bool { return s.Ops[i].Name < s.Ops[j].Name })
	return md, nil
}

// jsMember is the wire binding of one input member, if it has one.
func jsMember(mod *jsModule, name, proto string, t map[string]jsVal) (servicemaps.Member, bool) {
	wire := func(k string) string {
		if s := mod.str(t[k]); s != "" {
			return s
		}
		return name
	}
	switch {
	case t["httpLabel"].kind != jsOther:
		return servicemaps.Member{Name: name, Location: "uri", Wire: name}, true
	case t["httpQuery"].kind != jsOther:
		return servicemaps.Member{Name: name, Location: "querystring", Wire: wire("httpQuery")}, true
	case t["httpHeader"].kind != jsOther:
		return servicemaps.Member{Name: name, Location: "header", Wire: wire("httpHeader")}, true
	case t["httpPrefixHeaders"].kind != jsOther:
		return servicemaps.Member{Name: name, Location: "headers", Wire: mod.str(t["httpPrefixHeaders"])}, true
	case t["jsonName"].kind != jsOther && (proto == "json" || proto == "rest-json"):
		if w := wire("jsonName"); w != name {
			return servicemaps.Member{Name: name, Location: "body", Wire: w}, true
		}
	case t["xmlName"].kind != jsOther && (proto == "rest-xml" || proto == "query" || proto == "ec2"):
		if w := wire("xmlName"); w != name {
			return servicemaps.Member{Name: name, Location: "body", Wire: w}, true
		}
	}
	return servicemaps.Member{}, false
}
