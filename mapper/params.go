package mapper

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/smithy-go/encoding/cbor"
)

// Bounds on the work one request body may cause.
const (
	maxParamValues = 4096
	maxBodyDepth   = 32
)

// Params are a request's parameters, by model member name or dotted body
// path. A body object's own path holds its keys, so that a map member such
// as DynamoDB's RequestItems lists its table names.
type Params struct {
	vals   map[string][]string
	header http.Header
	query  url.Values
	n      int
	// The request body is parsed on the first lookup that needs it: most
	// operations' rules and templates only read the URI, query and
	// headers. bodyPending says it is still to parse, with what
	// deferBody was given.
	bodyPending bool
	body        []byte
	form        url.Values
	contentType string
	op          *operation
	proto       string
	// fixed are the names bound to the URI, query or headers: a body key of
	// the same name does not add to them. A pooled Params keeps the map,
	// empty, for the next call.
	fixed map[string]bool
	slab  []string
	// qmap and fmap are what parseQuery parses the request's query string
	// and form body into, kept (empty) by a pooled Params.
	qmap, fmap url.Values
}

// deferBody arranges for the body to be parsed, as parseBody does, on the
// first lookup that needs it.
func (p *Params) deferBody(body []byte, form url.Values, contentType string, op *operation, proto string) {
	p.bodyPending = true
	p.body, p.form, p.contentType, p.op, p.proto = body, form, contentType, op, proto
}

func (p *Params) load() {
	if !p.bodyPending {
		return
	}
	p.bodyPending = false
	if p.fixed == nil {
		p.fixed = make(map[string]bool, len(p.vals))
	}
	for k := range p.vals {
		p.fixed[k] = true
	}
	parseBody(p, p.body, p.form, p.contentType, p.op, p.proto)
}

func newParams(h http.Header, q url.Values) *Params {
	return &Params{vals: make(map[string][]string, 8), header: h, query: q}
}

// paramsPool recycles Params between calls, with the maps Map parses the
// query and form into: nothing a Call holds refers to a Params (the strings
// it keeps are immutable; no slice or map is shared).
var paramsPool = sync.Pool{New: func() any { return newParams(nil, nil) }}

func getParams(h http.Header, q url.Values) *Params {
	p := paramsPool.Get().(*Params)
	p.header, p.query = h, q
	return p
}

func putParams(p *Params) {
	if p.n > 256 {
		return // let an unusually large one go
	}
	clear(p.vals)
	clear(p.fixed)
	clear(p.slab)
	clear(p.qmap)
	clear(p.fmap)
	*p = Params{vals: p.vals, fixed: p.fixed, slab: p.slab[:0], qmap: p.qmap, fmap: p.fmap}
	paramsPool.Put(p)
}

// maxPooledPairs bounds the pairs parseQuery parses itself: a longer query
// goes to url.ParseQuery, and so meets its bound on the number of pairs
// (10000 unless GODEBUG urlmaxqueryparams lowers it) as it always did. A
// shorter one is within that bound unless it is set below 64.
const maxPooledPairs = 64

// queryMap and formMap return the maps for parseQuery to fill with the
// query string and a form body.
func (p *Params) queryMap() url.Values {
	if p.qmap == nil {
		p.qmap = make(url.Values, 8)
	}
	return p.qmap
}

func (p *Params) formMap() url.Values {
	if p.fmap == nil {
		p.fmap = make(url.Values, 8)
	}
	return p.fmap
}

// parseQuery parses a query string or form body as url.ParseQuery does,
// pair by pair, into m, an empty map that p keeps between calls, with each
// key's first value carved from p's slab: a request's query costs no
// allocation unless it has escapes. It returns the values and whether
// url.ParseQuery would have returned an error with them.
func (p *Params) parseQuery(m url.Values, s string) (url.Values, bool) {
	if strings.Count(s, "&") >= maxPooledPairs {
		v, err := url.ParseQuery(s)
		return v, err != nil
	}
	failed := false
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if strings.Contains(pair, ";") {
			failed = true
			continue
		}
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, err := url.QueryUnescape(k)
		if err != nil {
			failed = true
			continue
		}
		if v, err = url.QueryUnescape(v); err != nil {
			failed = true
			continue
		}
		if cur, ok := m[k]; ok {
			m[k] = append(cur, v)
		} else {
			m[k] = p.carve(v)
		}
	}
	return m, failed
}

// Get returns the values of a parameter: a member name or a body path.
func (p *Params) Get(name string) []string {
	if p == nil {
		return nil
	}
	if v, ok := p.vals[name]; ok {
		return v
	}
	p.load()
	return p.vals[name]
}

// First returns the first value of name, or "".
func (p *Params) First(name string) string {
	if v := p.Get(name); len(v) > 0 {
		return v[0]
	}
	return ""
}

// Names returns the parameter names, sorted.
func (p *Params) Names() []string {
	p.load()
	names := make([]string, 0, len(p.vals))
	for k := range p.vals {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func (p *Params) add(name, value string) {
	if name == "" || p.n >= maxParamValues || p.fixed[name] {
		return
	}
	p.n++
	if cur, ok := p.vals[name]; ok {
		p.vals[name] = append(cur, value)
		return
	}
	p.vals[name] = p.carve(value)
}

// carve returns a list of one value. Most parameters have one value: they
// are carved from a shared slab, each with capacity one, so that a second
// value reallocates. Each new slab is larger, up to a bound, and a pooled
// Params keeps its last one: a request with many parameters needs few
// slabs, and the next call perhaps none.
func (p *Params) carve(value string) []string {
	if len(p.slab) == cap(p.slab) {
		p.slab = make([]string, 0, min(max(8, 2*cap(p.slab)), 64))
	}
	p.slab = append(p.slab, value)
	n := len(p.slab)
	return p.slab[n-1 : n : n]
}

// addFlat adds a value under its path and, when the path has list indexes
// or query-protocol list/map markers, under the path without them as well:
// "TagSpecification.1.ResourceType" is also "TagSpecification.ResourceType".
func (p *Params) addFlat(path, value string) {
	p.add(path, value)
	if c := collapsePath(path); c != path {
		p.add(c, value)
	}
}

// normalizeName turns a parameter reference written with list markers,
// "Tags.member.N.Key" or "SecurityGroupId.N", into the collapsed path the
// mapper stores: "Tags.Key", "SecurityGroupId". Header and query
// references are kept as they are.
func normalizeName(name string) string {
	if strings.HasPrefix(name, "h:") || strings.HasPrefix(name, "q:") || !strings.ContainsRune(name, '.') {
		return name
	}
	parts := strings.Split(name, ".")
	out := parts[:0]
	for _, s := range parts {
		if s == "N" || s == "member" || s == "entry" || isDigits(s) {
			continue
		}
		out = append(out, s)
	}
	return strings.Join(out, ".")
}

func collapsePath(path string) string {
	if strings.IndexByte(path, '.') < 0 {
		return path
	}
	// Most paths have nothing to drop: check before building a new one.
	drop := false
	for rest := path; rest != ""; {
		seg, tail, _ := strings.Cut(rest, ".")
		if seg == "member" || seg == "entry" || isDigits(seg) {
			drop = true
			break
		}
		rest = tail
	}
	if !drop {
		return path
	}
	var b strings.Builder
	b.Grow(len(path))
	for rest := path; rest != ""; {
		seg, tail, _ := strings.Cut(rest, ".")
		rest = tail
		if seg == "member" || seg == "entry" || isDigits(seg) {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(seg)
	}
	return b.String()
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// match reports whether a parameter term is present: a member or path name,
// "h:header", "q:key", each with an optional trailing "*" for a prefix.
func (p *Params) lookup(term string) []string {
	switch {
	case strings.HasPrefix(term, "h:"):
		name := term[2:]
		if prefix, ok := strings.CutSuffix(name, "*"); ok {
			var out []string
			for k, v := range p.header {
				if strings.HasPrefix(strings.ToLower(k), strings.ToLower(prefix)) {
					out = append(out, v...)
				}
			}
			return out
		}
		return p.header.Values(name)
	case strings.HasPrefix(term, "q:"):
		name := term[2:]
		if prefix, ok := strings.CutSuffix(name, "*"); ok {
			var out []string
			for k, v := range p.query {
				if strings.HasPrefix(k, prefix) {
					out = append(out, v...)
				}
			}
			return out
		}
		return p.query[name]
	}
	if prefix, ok := strings.CutSuffix(term, "*"); ok {
		p.load()
		var out []string
		for k, v := range p.vals {
			if strings.HasPrefix(k, prefix) {
				out = append(out, v...)
			}
		}
		return out
	}
	return p.Get(term)
}

// parseJSONBody adds the members of a JSON body. A truncated body yields
// what precedes the cut.
func (p *Params) parseJSONBody(body []byte) {
	p.flattenJSON(body)
}

func joinPath(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

// parseFormBody adds the fields of a query-protocol form body.
func (p *Params) parseFormBody(form url.Values) {
	var buf [32]string
	keys := buf[:0]
	for k := range form {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range form[k] {
			p.addFlat(k, v)
		}
	}
	// Query-protocol maps: "Attributes.entry.1.key=K&Attributes.entry.1.value=V"
	// and "Attribute.1.Name=K&Attribute.1.Value=V" also give "Attributes.K=V".
	for _, k := range keys {
		for _, pair := range [][2]string{{".key", ".value"}, {".Name", ".Value"}, {".Key", ".Value"}} {
			base, ok := strings.CutSuffix(k, pair[0])
			if !ok {
				continue
			}
			vs := form[base+pair[1]]
			if len(vs) == 0 || len(form[k]) == 0 {
				continue
			}
			p.add(collapsePath(base)+"."+form[k][0], vs[0])
		}
	}
}

// parseXMLBody adds the elements of an XML body by their path, root
// element included: "Delete.Object.Key".
func (p *Params) parseXMLBody(body []byte) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = false
	var path []string
	var text strings.Builder
	for {
		tok, err := dec.RawToken()
		if err != nil {
			if err != io.EOF {
				return
			}
			return
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(path) >= maxBodyDepth {
				return
			}
			path = append(path, t.Name.Local)
			text.Reset()
		case xml.CharData:
			if text.Len() < 4096 {
				text.Write(t)
			}
		case xml.EndElement:
			if len(path) == 0 {
				return
			}
			if v := strings.TrimSpace(text.String()); v != "" {
				p.add(strings.Join(path, "."), v)
			}
			text.Reset()
			path = path[:len(path)-1]
		}
	}
}

// parseCBORBody adds the members of an rpc-v2-cbor body.
func (p *Params) parseCBORBody(body []byte) {
	v, err := cbor.Decode(body)
	if err != nil {
		return
	}
	p.walkCBOR("", v, 0)
}

func (p *Params) walkCBOR(path string, v cbor.Value, depth int) {
	if depth > maxBodyDepth {
		return
	}
	switch t := v.(type) {
	case cbor.Map:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if path != "" {
				p.add(path, k)
			}
			p.walkCBOR(joinPath(path, k), t[k], depth+1)
		}
	case cbor.List:
		for _, e := range t {
			p.walkCBOR(path, e, depth+1)
		}
	case cbor.String:
		p.add(path, string(t))
	case cbor.Uint:
		p.add(path, strconv.FormatUint(uint64(t), 10))
	case cbor.NegInt:
		p.add(path, "-"+strconv.FormatUint(uint64(t), 10))
	case cbor.Bool:
		p.add(path, strconv.FormatBool(bool(t)))
	case cbor.Float32:
		p.add(path, strconv.FormatFloat(float64(t), 'g', -1, 32))
	case cbor.Float64:
		p.add(path, strconv.FormatFloat(float64(t), 'g', -1, 64))
	case *cbor.Tag:
		p.walkCBOR(path, t.Value, depth+1)
	}
}

// tagShapes are where requests carry tags: key and value paths of a list
// of pairs, as JSON, query and ec2 requests flatten them.
var tagShapes = [][2]string{
	{"Tags.Key", "Tags.Value"},
	{"tags.key", "tags.value"},
	{"Tags.key", "Tags.value"},
	{"TagSpecification.Tag.Key", "TagSpecification.Tag.Value"},
	{"TagSpecifications.Tags.Key", "TagSpecifications.Tags.Value"},
	{"Tag.Key", "Tag.Value"},
	{"TagList.Key", "TagList.Value"},
}

// requestTags returns the tags a request sets, sorted by key, from a list
// of key/value pairs or a map member named Tags or tags. The keys and
// values are copies: a parameter may be a slice of the whole request body
// (see flattenJSON), which a Call must not keep alive.
func requestTags(p *Params) (keys, vals []string) {
	tags := map[string]string{}
	for _, s := range tagShapes {
		ks, vs := p.Get(s[0]), p.Get(s[1])
		if len(ks) == 0 || len(ks) != len(vs) {
			continue
		}
		for i, k := range ks {
			tags[k] = vs[i]
		}
	}
	if len(tags) == 0 {
		for _, m := range []string{"Tags", "tags"} {
			for _, k := range p.Get(m) {
				if v := p.Get(m + "." + k); len(v) == 1 {
					tags[k] = v[0]
				}
			}
		}
	}
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		keys[i] = strings.Clone(k)
		vals = append(vals, strings.Clone(tags[k]))
	}
	return keys, vals
}
