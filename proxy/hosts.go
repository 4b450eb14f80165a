package proxy

import (
	"net"
	"net/http"
	"strings"
)

// awsDomains are the DNS domains the proxy intercepts and the CA may issue
// certificates for. A function, not a variable, so no caller can change it.
func awsDomains() []string {
	return []string{"amazonaws.com", "amazonaws.com.cn", "api.aws"}
}

// IsAWSHost reports whether host (a name, with or without a port) is a
// subdomain of an AWS API domain: *.amazonaws.com, *.amazonaws.com.cn or
// *.api.aws. Those are the hosts the proxy intercepts.
func IsAWSHost(host string) bool {
	name := normalizeHost(hostOnly(host))
	for _, d := range awsDomains() {
		if strings.HasSuffix(name, "."+d) && len(name) > len(d)+1 {
			return true
		}
	}
	return false
}

// hostOnly strips a port, and the brackets of an IPv6 literal.
func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]")
}

// normalizeHost lowercases a DNS name and drops a trailing dot.
func normalizeHost(name string) string {
	return strings.TrimSuffix(strings.ToLower(name), ".")
}

// validDNSName reports whether name is a plain lowercase DNS name that a
// certificate may carry: letters, digits, hyphens and dots, no empty label.
func validDNSName(name string) bool {
	if name == "" || len(name) > 253 {
		return false
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// carriesAWSSignature reports whether r is signed the AWS way: a SigV4 or
// SigV4a Authorization header or presigned query, or their SigV2 forms,
// which botocore still uses to presign S3 URLs.
func carriesAWSSignature(r *http.Request) bool {
	auth := r.Header.Get("Authorization")
	if strings.HasPrefix(auth, "AWS4-") || strings.HasPrefix(auth, "AWS ") {
		return true
	}
	q := r.URL.Query()
	return q.Has("X-Amz-Algorithm") || q.Has("X-Amz-Signature") ||
		(q.Has("AWSAccessKeyId") && q.Has("Signature"))
}

// observedHost returns the Host header as an Observation carries it: lower
// case and without the port when the port is the scheme's default.
func observedHost(host, scheme string) string {
	h, port, err := net.SplitHostPort(host)
	if err != nil {
		return strings.ToLower(host)
	}
	if scheme == "https" && port == "443" || scheme == "http" && port == "80" {
		if strings.Contains(h, ":") {
			return "[" + strings.ToLower(h) + "]"
		}
		return strings.ToLower(h)
	}
	return strings.ToLower(host)
}

// isLoopbackAddr reports whether addr (host:port, as in RemoteAddr or a
// listener's address) is on the loopback network.
func isLoopbackAddr(addr string) bool {
	ip := net.ParseIP(hostOnly(addr))
	return ip != nil && ip.IsLoopback()
}

// splitRequestURI returns the escaped path and raw query of a request-target
// exactly as they were on the wire, for origin form ("/p?q") and absolute
// form ("http://host/p?q").
func splitRequestURI(ruri string) (path, rawQuery string) {
	if !strings.HasPrefix(ruri, "/") {
		if i := strings.Index(ruri, "://"); i >= 0 {
			rest := ruri[i+3:]
			j := strings.IndexAny(rest, "/?")
			if j < 0 {
				return "/", ""
			}
			ruri = rest[j:]
			if ruri[0] == '?' {
				return "/", ruri[1:]
			}
		}
	}
	path, rawQuery, _ = strings.Cut(ruri, "?")
	if path == "" {
		path = "/"
	}
	return path, rawQuery
}
