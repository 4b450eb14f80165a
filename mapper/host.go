package mapper

import (
	"net"
	"slices"
	"strings"
)

// dnsSuffixes are the partitions' DNS suffixes, longest first so that
// "amazonaws.com.cn" wins over "amazonaws.com", plus the suffix that
// LocalStack resolves to loopback.
var dnsSuffixes = []string{
	"api.amazonwebservices.com.cn",
	"localhost.localstack.cloud",
	"amazonaws.com.cn",
	"csp.hci.ic.gov",
	"sc2s.sgov.gov",
	"cloud.adc-e.uk",
	"amazonaws.com",
	"amazonaws.eu",
	"c2s.ic.gov",
	"api.aws",
	"on.aws",
}

// isRegion reports whether s looks like an AWS region name:
// ^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+$, without a regexp on the hot path.
func isRegion(s string) bool {
	if len(s) < 6 || !isLower(s[0]) || !isLower(s[1]) || s[2] != '-' {
		return false
	}
	var buf [4]string
	parts := buf[:0]
	for rest := s[3:]; ; {
		i := strings.IndexByte(rest, '-')
		if i < 0 {
			parts = append(parts, rest)
			break
		}
		if len(parts) == 3 {
			return false
		}
		parts = append(parts, rest[:i])
		rest = rest[i+1:]
	}
	if len(parts) == 3 {
		if parts[0] != "gov" && !(strings.HasPrefix(parts[0], "iso") && len(parts[0]) <= 4) {
			return false
		}
		parts = parts[1:]
	}
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return false
	}
	for i := 0; i < len(parts[0]); i++ {
		if !isLower(parts[0][i]) {
			return false
		}
	}
	return isDigits(parts[1])
}

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }

// partitionOf returns the partition of a region.
func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-isof-"):
		return "aws-iso-f"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "aws-iso-e"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	}
	return "aws"
}

// hostInfo is what a hostname says about a request.
type hostInfo struct {
	Name      string   // lowercased, without port
	AWS       bool     // under an AWS DNS suffix
	Suffix    string   // the DNS suffix, when AWS
	Labels    []string // labels before the suffix, region and variant labels removed
	Region    string
	Partition string // from the suffix, when it says
	// S3 host forms.
	S3Kind    string // "", "s3", "accesspoint", "object-lambda", "control", "express", "express-control"
	S3Bucket  string // virtual-hosted bucket or directory bucket
	S3Name    string // access point name
	AccountID string // from access point or S3 Control hosts
}

// parseHost splits a Host header into what the mapper needs.
func parseHost(host string) hostInfo {
	h := strings.ToLower(host)
	if strings.IndexByte(h, ':') >= 0 {
		if hn, _, err := net.SplitHostPort(h); err == nil {
			h = hn
		}
	}
	h = strings.TrimSuffix(h, ".")
	hi := hostInfo{Name: h}
	rest := h
	for _, s := range dnsSuffixes {
		if h == s {
			rest, hi.Suffix = "", s
			break
		}
		if n := len(h) - len(s); n > 0 && h[n-1] == '.' && h[n:] == s {
			rest, hi.Suffix = h[:n-1], s
			break
		}
	}
	if hi.Suffix == "" {
		return hi
	}
	hi.AWS = true
	if strings.HasSuffix(hi.Suffix, ".cn") {
		hi.Partition = "aws-cn"
	}
	// The labels are split into a buffer on the stack; only the ones kept
	// are copied into hi.
	var buf [8]string
	labels := buf[:0]
	for r := rest; r != ""; {
		l, tail, more := strings.Cut(r, ".")
		labels = append(labels, l)
		if !more {
			break
		}
		if tail == "" {
			labels = append(labels, "") // a trailing empty label, as strings.Split gives
		}
		r = tail
	}
	// S3 first: bucket names may contain dots and dashed legacy regions.
	if parseS3Host(&hi, labels, rest) {
		return hi
	}
	// Account-based endpoints: 123456789012.ddb.us-east-1.amazonaws.com.
	if len(labels) > 1 && isAccountID(labels[0]) {
		hi.AccountID = labels[0]
	}
	kept := labels[:0] // filtered in place
	for _, l := range labels {
		switch {
		case isRegion(l):
			hi.Region = l
		case l == "fips" || l == "dualstack":
		default:
			if strings.HasSuffix(l, "-fips") {
				// e.g. "sts-fips": the service with a FIPS variant.
				l = strings.TrimSuffix(l, "-fips")
			}
			kept = append(kept, l)
		}
	}
	if len(kept) > 0 {
		hi.Labels = slices.Clone(kept)
	}
	return hi
}

// parseS3Host recognizes the S3 host forms, moving the bucket, access point
// or account from the host into hi. labels are host's labels, split at
// its dots.
func parseS3Host(hi *hostInfo, labels []string, host string) bool {
	off := 0 // where labels[i] starts in host
	for i, l := range labels {
		lead := host[:max(off-1, 0)] // labels[:i], dots included
		off += len(l) + 1
		kind := ""
		switch {
		case l == "s3" || l == "s3-external-1" || l == "s3-fips" || l == "s3-global" || l == "s3-accelerate":
			kind = "s3"
		case strings.HasPrefix(l, "s3-") && isRegion(strings.TrimPrefix(l, "s3-")):
			kind = "s3"
			hi.Region = strings.TrimPrefix(l, "s3-")
		case l == "s3-accesspoint" || l == "s3-accesspoint-fips":
			kind = "accesspoint"
		case l == "s3-object-lambda" || l == "s3-object-lambda-fips":
			kind = "object-lambda"
		case l == "s3-control" || l == "s3-control-fips":
			kind = "control"
		case l == "s3express-control":
			kind = "express-control"
		case strings.HasPrefix(l, "s3express-"):
			kind = "express"
		}
		if kind == "" {
			continue
		}
		hi.S3Kind = kind
		for _, r := range labels[i+1:] {
			if isRegion(r) {
				hi.Region = r
			}
		}
		switch kind {
		case "s3", "express":
			hi.S3Bucket = lead
		case "accesspoint", "object-lambda":
			// "<name>-<account>"
			if j := strings.LastIndexByte(lead, '-'); j > 0 && isAccountID(lead[j+1:]) {
				hi.S3Name, hi.AccountID = lead[:j], lead[j+1:]
			} else {
				hi.S3Name = lead
			}
		case "control", "express-control":
			if isAccountID(lead) {
				hi.AccountID = lead
			}
		}
		hi.Labels = []string{l}
		return true
	}
	return false
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
