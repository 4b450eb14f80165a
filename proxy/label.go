package proxy

import (
	"net/http"
	"net/url"
	"strings"
)

// LabelHeader is a request header with which a client labels its own
// call, e.g. a test naming itself: "X-Iamwatch-Label: test=TestUpload".
// The Recorder sees it in the Observation's Header; the proxy removes it
// from the request it forwards, unless the request's signature covers it.
const LabelHeader = "X-Iamwatch-Label"

// stripLabel removes LabelHeader from h, the header going upstream, when
// that cannot change what the upstream verifies. SigV4 (and SigV4a) sign
// only the headers the request lists in SignedHeaders (in Authorization)
// or X-Amz-SignedHeaders (in a presigned URL's query); SigV2 signs no
// header of this name. The header stays, then, whenever its name appears
// in the Authorization header or the query at all: a signed header is
// never removed, and an upstream ignores one it does not know.
func stripLabel(h http.Header, rawQuery string) {
	if _, ok := h[LabelHeader]; !ok {
		return
	}
	name := strings.ToLower(LabelHeader)
	for _, v := range h.Values("Authorization") {
		if strings.Contains(strings.ToLower(v), name) {
			return
		}
	}
	q := strings.ToLower(rawQuery)
	if u, err := url.QueryUnescape(q); err == nil {
		q += "\n" + u
	} else if strings.Contains(q, "%") {
		return // an escape we cannot read might spell the name
	}
	if strings.Contains(q, name) {
		return
	}
	h.Del(LabelHeader)
}
