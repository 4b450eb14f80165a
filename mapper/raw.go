package mapper

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/iamwatch/iamwatch"
)

// ParseRaw reads a raw HTTP/1.1 request, as a client puts it on the wire,
// into an Observation. scheme is "https" or "http". At most
// iamwatch.MaxBodyPrefix bytes of the body are kept.
func ParseRaw(data []byte, scheme string) (*iamwatch.Observation, error) {
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(data)))
	if err != nil {
		return nil, fmt.Errorf("parse raw request: %w", err)
	}
	defer req.Body.Close()
	body, err := io.ReadAll(io.LimitReader(req.Body, iamwatch.MaxBodyPrefix+1))
	if err != nil && len(body) == 0 && !strings.Contains(err.Error(), "EOF") {
		return nil, fmt.Errorf("read raw request body: %w", err)
	}
	return ObservationFromRequest(req, scheme, body), nil
}

// ObservationFromRequest builds an Observation from a server-side request
// and the prefix of its body that was read. body may be longer than
// iamwatch.MaxBodyPrefix; it is cut.
func ObservationFromRequest(req *http.Request, scheme string, body []byte) *iamwatch.Observation {
	obs := &iamwatch.Observation{
		Source:   iamwatch.SourceProxy,
		Method:   req.Method,
		Scheme:   scheme,
		Host:     req.Host,
		Path:     req.URL.EscapedPath(),
		RawQuery: req.URL.RawQuery,
		Header:   req.Header.Clone(),
	}
	if obs.Host == "" {
		obs.Host = req.URL.Host
	}
	if len(body) > iamwatch.MaxBodyPrefix {
		body, obs.BodyTruncated = body[:iamwatch.MaxBodyPrefix], true
	}
	obs.Body = body
	return obs
}
