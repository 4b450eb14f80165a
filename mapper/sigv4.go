package mapper

import (
	"github.com/iamwatch/iamwatch"

	"net/http"
	"net/url"
	"strings"
)

// signature is what a request's signature says about it. Only the
// credential scope is read; the signature itself is never kept.
type signature struct {
	Version     string // "v4", "v4a", "v2", or "" when unsigned
	AccessKeyID string
	Date        string
	Region      string
	Service     string // SigV4 signing name
	Presigned   bool
}

// parseSignature reads the credential scope from the Authorization header or,
// for presigned URLs, from the query string.
func parseSignature(h http.Header, q url.Values) signature {
	if auth := headerValue(h, "Authorization"); auth != "" {
		switch {
		case strings.HasPrefix(auth, "AWS4-HMAC-SHA256 "), strings.HasPrefix(auth, "AWS4-ECDSA-P256-SHA256 "):
			s := signature{Version: "v4"}
			if strings.HasPrefix(auth, "AWS4-ECDSA") {
				s.Version = "v4a"
			}
			if i := strings.Index(auth, "Credential="); i >= 0 {
				cred := auth[i+len("Credential="):]
				if j := strings.IndexAny(cred, ", "); j >= 0 {
					cred = cred[:j]
				}
				s.fillScope(cred)
			}
			if s.Version == "v4a" && s.Region == "" {
				s.Region = h.Get("X-Amz-Region-Set")
			}
			return s
		case strings.HasPrefix(auth, "AWS "):
			// SigV2 (S3 legacy): "AWS AKID:signature".
			akid, _, _ := strings.Cut(strings.TrimPrefix(auth, "AWS "), ":")
			return signature{Version: "v2", AccessKeyID: strings.TrimSpace(akid)}
		}
	}
	if cred := q.Get("X-Amz-Credential"); cred != "" {
		s := signature{Version: "v4", Presigned: true}
		if strings.HasPrefix(q.Get("X-Amz-Algorithm"), "AWS4-ECDSA") {
			s.Version = "v4a"
		}
		s.fillScope(cred)
		return s
	}
	if akid := q.Get("AWSAccessKeyId"); akid != "" && q.Get("Signature") != "" {
		return signature{Version: "v2", AccessKeyID: akid, Presigned: true}
	}
	if akid := q.Get("AWSAccessKeyId"); akid != "" {
		// Query-protocol SigV2 (SignatureVersion=2) carries the key too.
		return signature{Version: "v2", AccessKeyID: akid}
	}
	return signature{}
}

// fillScope parses "AKID/20240101/us-east-1/s3/aws4_request". SigV4a scopes
// have no region: "AKID/20240101/s3/aws4_request".
func (s *signature) fillScope(cred string) {
	var parts [6]string
	n := 0
	for n < len(parts) {
		p, rest, more := strings.Cut(cred, "/")
		parts[n] = p
		n++
		if !more {
			break
		}
		cred = rest
	}
	switch n {
	case 5:
		s.AccessKeyID, s.Date, s.Region, s.Service = parts[0], parts[1], parts[2], parts[3]
	case 4:
		s.AccessKeyID, s.Date, s.Service = parts[0], parts[1], parts[2]
	default:
		s.AccessKeyID = parts[0]
	}
}

// AccessKeyID returns the access key ID that signed obs, from its
// Authorization header or presigned query, or the one the front end saw.
func AccessKeyID(obs *iamwatch.Observation) string {
	if obs.AccessKeyID != "" || obs.Header == nil {
		return obs.AccessKeyID
	}
	// Most requests are signed in the header: the query is parsed only
	// when that says nothing.
	if akid := parseSignature(obs.Header, nil).AccessKeyID; akid != "" || obs.RawQuery == "" {
		return akid
	}
	q, _ := url.ParseQuery(obs.RawQuery)
	return parseSignature(obs.Header, q).AccessKeyID
}

// headerValue is h.Get for a key already in canonical form, without
// canonicalizing it again on the hot path.
func headerValue(h http.Header, canonicalKey string) string {
	if v := h[canonicalKey]; len(v) > 0 {
		return v[0]
	}
	return ""
}
