package mapper

import (
	"net/http"
	"net/url"
	"strings"
)

// route is the compiled wire binding of a rest-json or rest-xml operation.
type route struct {
	op       *operation
	method   string
	segs     []segment
	greedy   bool // the last segment is a greedy label
	static   []staticQuery
	reqQuery []string // wire names of required querystring members
	reqHdr   []string // canonical wire names of required header members
	literals int
}

type segment struct {
	literal string // the whole segment, when it has no label
	label   string // member bound to the segment
	prefix  string // literal text around the label within the segment
	suffix  string
	greedy  bool
}

type staticQuery struct {
	key, value string
	hasValue   bool
}

// compileRoute parses a request URI template such as
// "/{Bucket}/{Key+}?uploadId" into a route.
func compileRoute(op *operation) *route {
	o := op.Operation
	if o.Method == "" || o.URI == "" {
		return nil
	}
	r := &route{op: op, method: strings.ToUpper(o.Method)}
	path, query, _ := strings.Cut(o.URI, "?")
	for _, kv := range strings.Split(query, "&") {
		if kv == "" {
			continue
		}
		k, v, has := strings.Cut(kv, "=")
		r.static = append(r.static, staticQuery{key: k, value: v, hasValue: has})
	}
	path = strings.TrimSuffix(strings.TrimPrefix(path, "/"), "/")
	if path != "" {
		for _, s := range strings.Split(path, "/") {
			seg := segment{}
			open := strings.IndexByte(s, '{')
			close := strings.IndexByte(s, '}')
			if open >= 0 && close > open {
				seg.prefix, seg.suffix = s[:open], s[close+1:]
				seg.label = s[open+1 : close]
				if l, ok := strings.CutSuffix(seg.label, "+"); ok {
					seg.label, seg.greedy = l, true
					r.greedy = true
				}
				if seg.prefix != "" || seg.suffix != "" {
					r.literals++ // a partly literal segment is nearly as specific
				}
			} else {
				seg.literal = s
				r.literals++
			}
			r.segs = append(r.segs, seg)
		}
	}
	for _, m := range o.Members {
		if !m.Required {
			continue
		}
		switch m.Location {
		case "querystring":
			r.reqQuery = append(r.reqQuery, m.Wire)
		case "header":
			r.reqHdr = append(r.reqHdr, http.CanonicalHeaderKey(m.Wire))
		}
	}
	return r
}

// routeScore orders matches: literal segments, then static query keys, then
// required members, then non-greedy over greedy, then current over
// deprecated.
type routeScore [5]int

func (a routeScore) better(b routeScore) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] > b[i]
		}
	}
	return false
}

// match matches a request against the route. segs are the escaped path's
// segments and tail the text they span (see labels). It appends the label
// values (unescaped) to dst and returns them with the score.
func (r *route) match(dst []labelValue, method string, segs []string, tail string, q url.Values, h http.Header) ([]labelValue, routeScore, bool) {
	score, ok := r.score(method, segs, q, h)
	if !ok {
		return dst, score, false
	}
	labels, ok := r.labels(dst, segs, tail)
	return labels, score, ok
}

// score reports whether the route can match, and how well, without
// extracting the labels: most candidates lose, and need none.
func (r *route) score(method string, segs []string, q url.Values, h http.Header) (routeScore, bool) {
	var zero routeScore
	if method != r.method {
		return zero, false
	}
	// The path first: it rules out most routes without a map lookup.
	if r.greedy {
		if len(segs) < len(r.segs) {
			return zero, false
		}
	} else if len(segs) != len(r.segs) {
		return zero, false
	}
	for i, s := range r.segs {
		if s.literal != "" {
			if segs[i] != s.literal {
				return zero, false
			}
			continue
		}
		raw := segs[i]
		if s.greedy {
			break // the rest is the label's, checked when extracted
		}
		if !strings.HasPrefix(raw, s.prefix) || !strings.HasSuffix(raw, s.suffix) || len(raw) <= len(s.prefix)+len(s.suffix) {
			return zero, false
		}
	}
	for _, s := range r.static {
		vs, ok := q[s.key]
		if !ok {
			return zero, false
		}
		if s.hasValue && (len(vs) == 0 || vs[0] != s.value) {
			return zero, false
		}
	}
	for _, k := range r.reqQuery {
		if _, ok := q[k]; !ok {
			return zero, false
		}
	}
	for _, k := range r.reqHdr {
		if _, ok := h[k]; !ok {
			return zero, false
		}
	}
	greedy := 1
	if r.greedy {
		greedy = 0
	}
	current := 1
	if r.op.Deprecated {
		current = 0
	}
	return routeScore{r.literals, len(r.static), len(r.reqQuery) + len(r.reqHdr), greedy, current}, true
}

// labelValue is a URI label and its value, unescaped. A request has a few:
// a slice in the caller's buffer costs less than a map per request.
type labelValue struct {
	label, value string
}

// labels appends the label values (unescaped) of a path the route scored
// to dst. segs are the path's segments and tail the text they span, one
// trailing slash included: a greedy label's value is the rest of tail,
// sliced rather than joined again.
func (r *route) labels(dst []labelValue, segs []string, tail string) ([]labelValue, bool) {
	start := len(dst)
	off := 0 // where segs[i] starts in tail
	for i, s := range r.segs {
		if s.literal != "" {
			if segs[i] != s.literal {
				return dst[:start], false
			}
			off += len(segs[i]) + 1
			continue
		}
		raw := segs[i]
		if s.greedy {
			raw = tail[off:]
		}
		off += len(segs[i]) + 1
		if !strings.HasPrefix(raw, s.prefix) || !strings.HasSuffix(raw, s.suffix) || len(raw) < len(s.prefix)+len(s.suffix) {
			return dst[:start], false
		}
		raw = raw[len(s.prefix) : len(raw)-len(s.suffix)]
		if raw == "" {
			return dst[:start], false
		}
		v, err := url.PathUnescape(raw)
		if err != nil {
			v = raw
		}
		dst = setLabel(dst, start, s.label, v)
	}
	return dst, true
}

// setLabel sets label to v among dst[start:], the last value of a label
// that appears twice winning, as it would in a map.
func setLabel(dst []labelValue, start int, label, v string) []labelValue {
	for i := start; i < len(dst); i++ {
		if dst[i].label == label {
			dst[i].value = v
			return dst
		}
	}
	return append(dst, labelValue{label: label, value: v})
}

// splitPath splits an escaped request path into segments, ignoring the
// leading slash and one trailing slash.
func splitPath(p string) []string {
	segs, _ := appendPathSegments(nil, p)
	return segs
}

// appendPathSegments appends the segments of an escaped request path to
// dst, as splitPath splits them, and returns the text they span with the
// path's trailing slash, if it has one: what route.labels slices a greedy
// label from.
func appendPathSegments(dst []string, p string) ([]string, string) {
	tail := strings.TrimPrefix(p, "/")
	p = strings.TrimSuffix(tail, "/")
	if p == "" {
		return dst, tail
	}
	for {
		i := strings.IndexByte(p, '/')
		if i < 0 {
			return append(dst, p), tail
		}
		dst = append(dst, p[:i])
		p = p[i+1:]
	}
}
