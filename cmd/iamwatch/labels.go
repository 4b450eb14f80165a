package main

import (
	"net/http"
	"strings"

	"github.com/iamwatch/iamwatch/proxy"
)

// Bounds on the labels a client puts on its calls: the proxy listens on
// loopback for the user's own programs, but a label is stored with every
// call.
const (
	maxCallLabels = 16
	maxLabelKey   = 128
	maxLabelValue = 512
)

// callLabels returns the labels a client put on its call with
// proxy.LabelHeader: key=value pairs, comma-separated, in one header or
// several. A pair without "=", with an empty key or past the bounds is
// ignored.
func callLabels(h http.Header) map[string]string {
	var out map[string]string
	for _, v := range h.Values(proxy.LabelHeader) {
		for _, kv := range strings.Split(v, ",") {
			k, val, ok := strings.Cut(strings.TrimSpace(kv), "=")
			k, val = strings.TrimSpace(k), strings.TrimSpace(val)
			if !ok || k == "" || len(k) > maxLabelKey || len(val) > maxLabelValue {
				continue
			}
			if out == nil {
				out = map[string]string{}
			}
			if _, seen := out[k]; !seen && len(out) == maxCallLabels {
				continue
			}
			out[k] = val
		}
	}
	return out
}
