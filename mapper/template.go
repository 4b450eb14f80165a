package mapper

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
)

// template is a compiled resource or condition template: literal text and
// ${var|filter} references (see service-maps/curation/README.md).
type template []tpart

type tpart struct {
	lit     string
	name    string   // variable, when lit is empty
	filters []string // applied left to right
	isVar   bool
}

// maxExpansion caps the resources one template yields from list values.
const maxExpansion = 64

var knownFilters = map[string]bool{
	"name": true, "last": true, "account": true, "region": true, "arn": true,
	"keys": true, "trimslash": true, "copysource": true, "copybucket": true, "copykey": true, "lower": true,
	"queueurl": true, "keyid": true, "alias": true, "lambdafn": true, "ecsfamily": true, "ecsrevision": true,
	"ssmparam": true, "secret": true, "bedrockmodel": true, "bedrockprofile": true, "bedrockprofilemodel": true, "loggroup": true, "partiqltable": true, "partiqlindex": true, "urlencode": true,
	"ec2arn": true, "cfnstack": true, "snstopic": true, "s3bucket": true, "s3key": true, "cbproject": true,
	"cfnstackset": true,
}

func parseTemplate(s string) (template, error) {
	var t template
	for s != "" {
		i := strings.Index(s, "${")
		if i < 0 {
			t = append(t, tpart{lit: s})
			break
		}
		if i > 0 {
			t = append(t, tpart{lit: s[:i]})
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return nil, fmt.Errorf("unclosed ${ in %q", s)
		}
		ref := strings.Split(s[i+2:i+j], "|")
		name := normalizeName(ref[0])
		if name == "" {
			return nil, fmt.Errorf("empty variable in %q", s)
		}
		for _, f := range ref[1:] {
			if !knownFilters[f] {
				return nil, fmt.Errorf("unknown filter %q in %q", f, s)
			}
		}
		t = append(t, tpart{name: name, filters: ref[1:], isVar: true})
		s = s[i+j+1:]
	}
	return t, nil
}

// context is what a template may use besides the request's parameters.
type tctx struct {
	partition, region, account string
	path                       string // unescaped request path
	params                     *Params
}

// expand fills t. It returns no values when a filter rules the template
// out (an "arn" filter on a non-ARN), and exact=false when a parameter was
// missing and its part became "*".
func (t template) expand(c *tctx) (out []string, exact bool) {
	return t.appendExpand(nil, c)
}

// appendExpand is expand appending the values to dst, so that a caller
// collecting several templates' values needs no list per template.
func (t template) appendExpand(dst []string, c *tctx) (out []string, exact bool) {
	// Fast path: every variable has at most one value. The value is built
	// in a buffer on the stack, then copied once into its string.
	var buf [256]byte
	b := buf[:0]
	exact = true
	for _, p := range t {
		if !p.isVar {
			b = append(b, p.lit...)
			continue
		}
		var v string
		switch p.name {
		case "Partition":
			v = c.partition
		case "Region":
			v = c.region
		case "Account":
			v = c.account
		case "@path":
			v = c.path
		default:
			vals := c.params.lookup(p.name)
			if len(vals) > 1 {
				all, allExact := t.expandAll(c)
				if dst == nil {
					return all, allExact
				}
				return append(dst, all...), allExact
			}
			if len(vals) == 1 {
				v = vals[0]
			}
			if v == "" {
				exact = false
			}
		}
		if v == "" {
			b = append(b, '*')
			continue
		}
		f, res := applyFilters(p.filters, v, c)
		switch res {
		case filterDrop:
			return dst, exact
		case filterMissing:
			b = append(b, '*')
			exact = false
			continue
		case filterPartial:
			exact = false
		}
		b = append(b, f...)
	}
	return append(dst, string(b)), exact
}

// filterResult says what a filter made of a value.
type filterResult int

const (
	filterOK      filterResult = iota
	filterMissing              // the filter does not apply: the part becomes "*"
	filterDrop                 // the template yields nothing
	filterPartial              // the value has a "*" the request could not fill: usable, but inexact
)

func applyFilters(fs []string, v string, c *tctx) (string, filterResult) {
	partial := false
	for _, f := range fs {
		var res filterResult
		v, res = applyFilter(f, v, c)
		switch res {
		case filterOK:
		case filterPartial:
			partial = true
		default:
			return "", res
		}
	}
	if partial {
		return v, filterPartial
	}
	return v, filterOK
}

// expandAll expands a template whose variables have several values: one
// result per element when they all range over the same parameter (zipped),
// otherwise one per combination, capped at maxExpansion.
func (t template) expandAll(c *tctx) (out []string, exact bool) {
	exact = true
	vals := map[string][]string{}
	var names []string
	for _, p := range t {
		if !p.isVar {
			continue
		}
		if _, ok := vals[p.name]; ok {
			continue
		}
		v := c.values(p.name)
		if len(v) == 0 {
			v = []string{""}
			if !isContextVar(p.name) {
				exact = false
			}
		}
		vals[p.name] = v
		names = append(names, p.name)
	}
	// Index combinations: an odometer over the distinct names.
	idx := make([]int, len(names))
	pos := make(map[string]int, len(names))
	for i, n := range names {
		pos[n] = i
	}
	// Bound the combinations tried, not only those kept: a template whose
	// filter drops every combination must not walk a product of thousands
	// of values.
	for tries := 0; len(out) < maxExpansion && tries < 4*maxExpansion; tries++ {
		var b strings.Builder
		ok := true
		for _, p := range t {
			if !p.isVar {
				b.WriteString(p.lit)
				continue
			}
			v := vals[p.name][idx[pos[p.name]]]
			if v == "" {
				b.WriteByte('*')
				continue
			}
			f, res := applyFilters(p.filters, v, c)
			switch res {
			case filterDrop:
				ok = false
			case filterMissing:
				b.WriteByte('*')
				exact = false
			case filterPartial:
				b.WriteString(f)
				exact = false
			default:
				b.WriteString(f)
			}
		}
		if ok {
			out = append(out, b.String())
		}
		i := len(idx) - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < len(vals[names[i]]) {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			break
		}
	}
	return dedupe(out), exact
}

func isContextVar(name string) bool {
	return name == "Partition" || name == "Region" || name == "Account"
}

func (c *tctx) values(name string) []string {
	switch name {
	case "Partition":
		return []string{c.partition}
	case "Region":
		if c.region == "" {
			return nil
		}
		return []string{c.region}
	case "Account":
		if c.account == "" {
			return nil
		}
		return []string{c.account}
	case "@path":
		return []string{c.path}
	}
	return c.params.lookup(name)
}

func applyFilter(f, v string, c *tctx) (string, filterResult) {
	ok := func(s string) (string, filterResult) { return s, filterOK }
	missing := func() (string, filterResult) { return "", filterMissing }
	switch f {
	case "name":
		return ok(resourceName(v))
	case "last":
		v = strings.TrimSuffix(v, "/")
		if i := strings.LastIndexByte(v, '/'); i >= 0 {
			return ok(v[i+1:])
		}
		return ok(v)
	case "queueurl":
		// An SQS queue URL's last segment, or a queue ARN's name.
		if strings.HasPrefix(v, "arn:") {
			return ok(resourceName(v))
		}
		return applyFilter("last", v, c)
	case "account":
		if a := arnField(v, 4); a != "" {
			return ok(a)
		}
		if u := urlWithHost(v); u != nil {
			if segs := splitPath(u.Path); len(segs) > 0 && isAccountID(segs[0]) {
				return ok(segs[0])
			}
		}
		if isAccountID(v) {
			return ok(v)
		}
		if a, _, found := strings.Cut(v, ":"); found && isAccountID(a) {
			return ok(a) // partial ARN "123456789012:function:f"
		}
		if c.account == "" {
			return ok("*")
		}
		return ok(c.account)
	case "region":
		if r := arnField(v, 3); r != "" {
			return ok(r)
		}
		if u := urlWithHost(v); u != nil {
			if hi := parseHost(u.Host); hi.Region != "" {
				return ok(hi.Region)
			}
		}
		if c.region == "" {
			return ok("*")
		}
		return ok(c.region)
	case "arn":
		if strings.HasPrefix(v, "arn:") {
			return ok(v)
		}
		return "", filterDrop
	case "keys", "lower":
		if f == "lower" {
			return ok(strings.ToLower(v))
		}
		return ok(v)
	case "trimslash":
		return ok(strings.TrimPrefix(v, "/"))
	case "urlencode":
		return ok(url.QueryEscape(v))
	case "copysource", "copybucket", "copykey":
		// "/bucket/key?versionId=v", URL-encoded; access point ARN
		// sources are not a bucket and key.
		if i := strings.Index(v, "?versionId="); i >= 0 {
			v = v[:i]
		}
		if u, err := url.PathUnescape(v); err == nil {
			v = u
		}
		v = strings.TrimPrefix(v, "/")
		if f == "copysource" {
			return ok(v)
		}
		if strings.HasPrefix(v, "arn:") {
			return missing()
		}
		return pairPart(v, "/", f == "copykey")
	case "s3bucket", "s3key":
		// An S3 URI, s3://bucket/key (a key prefix, often): the bucket,
		// or the key, "" when the URI names the bucket alone.
		rest, found := strings.CutPrefix(v, "s3://")
		if !found {
			return missing()
		}
		bucket, key, _ := strings.Cut(rest, "/")
		if bucket == "" {
			return missing()
		}
		if f == "s3bucket" {
			return ok(bucket)
		}
		return ok(key)
	case "cbproject":
		// A CodeBuild build or build batch ID, PROJECT:UUID, or its ARN
		// (build/PROJECT:UUID, build-batch/PROJECT:UUID): the project.
		if strings.HasPrefix(v, "arn:") {
			_, id, found := strings.Cut(arnField(v, 5), "/")
			if !found {
				return missing()
			}
			v = id
		}
		project, _, found := strings.Cut(v, ":")
		if !found || project == "" {
			return missing()
		}
		return ok(project)
	case "keyid":
		// A KMS key ID (UUID or mrk-…) or key ARN; aliases are not keys.
		if strings.HasPrefix(v, "arn:") {
			res := arnField(v, 5)
			if id, found := strings.CutPrefix(res, "key/"); found {
				return ok(id)
			}
			return missing()
		}
		if strings.HasPrefix(v, "alias/") || v == "" {
			return missing()
		}
		return ok(v)
	case "alias":
		if strings.HasPrefix(v, "arn:") {
			v = arnField(v, 5)
		}
		if name, found := strings.CutPrefix(v, "alias/"); found {
			return ok(name)
		}
		return missing()
	case "lambdafn":
		// name, name:qualifier, account:function:name[:q], or a full ARN.
		if strings.HasPrefix(v, "arn:") {
			v = arnField(v, 5)
		} else if parts := strings.SplitN(v, ":", 3); len(parts) == 3 && parts[1] == "function" {
			v = "function:" + parts[2]
		}
		if rest, found := strings.CutPrefix(v, "function:"); found {
			return ok(rest)
		}
		return ok(v)
	case "ecsfamily", "ecsrevision":
		if strings.HasPrefix(v, "arn:") {
			v = resourceAfterSlash(arnField(v, 5))
		}
		return pairPart(v, ":", f == "ecsrevision")
	case "ssmparam":
		if strings.HasPrefix(v, "arn:") {
			v = strings.TrimPrefix(arnField(v, 5), "parameter")
		}
		v = strings.TrimPrefix(v, "/")
		if i := strings.LastIndexByte(v, ':'); i >= 0 {
			v = v[:i]
		}
		return ok(v)
	case "secret":
		// A secret's ARN ends in its name, a hyphen and six random
		// characters. A name, or a partial ARN (one without them), gives
		// NAME-??????; a full ARN its own name and suffix.
		if strings.HasPrefix(v, "arn:") {
			i := strings.Index(v, ":secret:")
			if i < 0 {
				return missing()
			}
			v = v[i+len(":secret:"):]
			if hasSecretSuffix(v) {
				return ok(v)
			}
		}
		if v == "" {
			return missing()
		}
		return ok(v + "-??????")
	case "bedrockmodel":
		// A foundation model ID: neither an ARN nor a cross-Region
		// inference profile's ID (a geography prefix and a model ID).
		if strings.HasPrefix(v, "arn:") || bedrockGeography(v) != "" {
			return "", filterDrop
		}
		return ok(v)
	case "bedrockprofile", "bedrockprofilemodel":
		// A cross-Region inference profile's ID, or the ID of the model
		// it routes to.
		g := bedrockGeography(v)
		if g == "" || strings.HasPrefix(v, "arn:") {
			return "", filterDrop
		}
		if f == "bedrockprofilemodel" {
			return ok(v[len(g):])
		}
		return ok(v)
	case "ec2arn":
		return ec2ARN(v, c)
	case "cfnstack":
		// A stack name, or a stack ID (the stack's ARN, which ends in
		// stack/NAME/ID). IAM grants on a stack by name with stack/NAME/*.
		if strings.HasPrefix(v, "arn:") {
			res := arnField(v, 5)
			if rest, found := strings.CutPrefix(res, "stack/"); found && strings.Contains(rest, "/") {
				return ok(rest)
			}
			return missing()
		}
		return ok(v + "/*")
	case "cfnstackset":
		// A stack set's name, or its ID (NAME:UUID): the name. A stack
		// set's ARN ends in NAME:UUID, and a template grants on the
		// name with ":*" after it, which covers the ID as well.
		name, _, _ := strings.Cut(v, ":")
		if name == "" {
			return missing()
		}
		return ok(name)
	case "snstopic":
		// A subscription's ARN is its topic's ARN and ":ID".
		res := arnField(v, 5)
		if i := strings.LastIndexByte(res, ':'); i > 0 {
			return ok(v[:len(v)-len(res)+i])
		}
		return missing()
	case "loggroup":
		if strings.HasPrefix(v, "arn:") {
			v = strings.TrimPrefix(arnField(v, 5), "log-group:")
		}
		return ok(strings.TrimSuffix(v, ":*"))
	case "partiqltable", "partiqlindex":
		table, index := partiqlTarget(v)
		if f == "partiqltable" {
			if table == "" {
				return missing()
			}
			return ok(table)
		}
		if index == "" {
			return "", filterDrop
		}
		return ok(index)
	}
	return ok(v)
}

// urlWithHost parses v as a URL that has a host, or returns nil. Only a
// value with "//" can have one: the others are not parsed.
func urlWithHost(v string) *url.URL {
	if !strings.Contains(v, "//") {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" {
		return nil
	}
	return u
}

// ec2Type is an EC2 resource type that an ID prefix names.
type ec2Type struct {
	prefix, typ string
	noAccount   bool // public AMIs and snapshots: arn:…:ec2:REGION::image/ami-…
	noRegion    bool // IPAM resources: arn:…:ec2::ACCOUNT:ipam/ipam-…
	byName      bool // the ARN names the resource, which its ID does not give
}

// ec2Types maps the prefixes of EC2 resource IDs to the resource types of
// the Service Authorization Reference, longest prefix first, so that
// tgw-attach- wins over tgw-.
var ec2Types = func() []ec2Type {
	ts := []ec2Type{
		{prefix: "i-", typ: "instance"},
		{prefix: "vol-", typ: "volume"},
		{prefix: "snap-", typ: "snapshot", noAccount: true},
		{prefix: "ami-", typ: "image", noAccount: true},
		{prefix: "sg-", typ: "security-group"},
		{prefix: "sgr-", typ: "security-group-rule"},
		{prefix: "subnet-", typ: "subnet"},
		{prefix: "vpc-", typ: "vpc"},
		{prefix: "eni-", typ: "network-interface"},
		{prefix: "igw-", typ: "internet-gateway"},
		{prefix: "eigw-", typ: "egress-only-internet-gateway"},
		{prefix: "rtb-", typ: "route-table"},
		{prefix: "acl-", typ: "network-acl"},
		{prefix: "eipalloc-", typ: "elastic-ip"},
		{prefix: "nat-", typ: "natgateway"},
		{prefix: "lt-", typ: "launch-template"},
		{prefix: "key-", typ: "key-pair", byName: true},
		{prefix: "pg-", typ: "placement-group", byName: true},
		{prefix: "dopt-", typ: "dhcp-options"},
		{prefix: "pl-", typ: "prefix-list"},
		{prefix: "tgw-", typ: "transit-gateway"},
		{prefix: "tgw-attach-", typ: "transit-gateway-attachment"},
		{prefix: "tgw-rtb-", typ: "transit-gateway-route-table"},
		{prefix: "tgw-mcast-domain-", typ: "transit-gateway-multicast-domain"},
		{prefix: "tgw-ptb-", typ: "transit-gateway-policy-table"},
		{prefix: "tgw-connect-peer-", typ: "transit-gateway-connect-peer"},
		{prefix: "vgw-", typ: "vpn-gateway"},
		{prefix: "cgw-", typ: "customer-gateway"},
		{prefix: "vpn-", typ: "vpn-connection"},
		{prefix: "pcx-", typ: "vpc-peering-connection"},
		{prefix: "vpce-", typ: "vpc-endpoint"},
		{prefix: "vpce-svc-", typ: "vpc-endpoint-service"},
		{prefix: "fl-", typ: "vpc-flow-log"},
		{prefix: "h-", typ: "dedicated-host"},
		{prefix: "hr-", typ: "host-reservation"},
		{prefix: "cr-", typ: "capacity-reservation"},
		{prefix: "crf-", typ: "capacity-reservation-fleet"},
		{prefix: "fleet-", typ: "fleet"},
		{prefix: "sfr-", typ: "spot-fleet-request"},
		{prefix: "sir-", typ: "spot-instances-request"},
		{prefix: "egpu-", typ: "elastic-gpu"},
		{prefix: "afi-", typ: "fpga-image"},
		{prefix: "export-i-", typ: "export-instance-task"},
		{prefix: "export-ami-", typ: "export-image-task"},
		{prefix: "import-ami-", typ: "import-image-task"},
		{prefix: "import-snap-", typ: "import-snapshot-task"},
		{prefix: "cvpn-endpoint-", typ: "client-vpn-endpoint"},
		{prefix: "cagw-", typ: "carrier-gateway"},
		{prefix: "lgw-", typ: "local-gateway"},
		{prefix: "lgw-rtb-", typ: "local-gateway-route-table"},
		{prefix: "lgw-vif-", typ: "local-gateway-virtual-interface"},
		{prefix: "lgw-vif-grp-", typ: "local-gateway-virtual-interface-group"},
		{prefix: "ipam-", typ: "ipam", noRegion: true},
		{prefix: "ipam-pool-", typ: "ipam-pool", noRegion: true},
		{prefix: "ipam-scope-", typ: "ipam-scope", noRegion: true},
		{prefix: "ipam-res-disco-", typ: "ipam-resource-discovery", noRegion: true},
		{prefix: "ipam-res-disco-assoc-", typ: "ipam-resource-discovery-association", noRegion: true},
		{prefix: "ipv4pool-ec2-", typ: "ipv4pool-ec2"},
		{prefix: "ipv6pool-ec2-", typ: "ipv6pool-ec2"},
		{prefix: "ipv4pool-coip-", typ: "coip-pool"},
		{prefix: "tmf-", typ: "traffic-mirror-filter"},
		{prefix: "tmfr-", typ: "traffic-mirror-filter-rule"},
		{prefix: "tms-", typ: "traffic-mirror-session"},
		{prefix: "tmt-", typ: "traffic-mirror-target"},
		{prefix: "nip-", typ: "network-insights-path"},
		{prefix: "nia-", typ: "network-insights-analysis"},
		{prefix: "nis-", typ: "network-insights-access-scope"},
		{prefix: "nisa-", typ: "network-insights-access-scope-analysis"},
		{prefix: "iew-", typ: "instance-event-window"},
		{prefix: "eice-", typ: "instance-connect-endpoint"},
		{prefix: "vai-", typ: "verified-access-instance"},
		{prefix: "vagr-", typ: "verified-access-group"},
		{prefix: "vae-", typ: "verified-access-endpoint"},
		{prefix: "vatp-", typ: "verified-access-trust-provider"},
		{prefix: "replacevol-", typ: "replace-root-volume-task"},
	}
	sort.SliceStable(ts, func(i, j int) bool { return len(ts[i].prefix) > len(ts[j].prefix) })
	return ts
}()

// ec2ARN returns the ARN of the EC2 resource an ID names ("i-0abc…" is
// instance/i-0abc…), in the call's region and account. An ARN stays as it
// is; an ID of no known type does not apply.
func ec2ARN(id string, c *tctx) (string, filterResult) {
	if strings.HasPrefix(id, "arn:") {
		return id, filterOK
	}
	for _, t := range ec2Types {
		rest, ok := strings.CutPrefix(id, t.prefix)
		if !ok || rest == "" {
			continue
		}
		region, account := c.region, c.account
		if region == "" {
			region = "*"
		}
		if account == "" {
			account = "*"
		}
		if t.noAccount {
			account = ""
		}
		if t.noRegion {
			region = ""
		}
		partition := c.partition
		if partition == "" {
			partition = "aws"
		}
		arn := "arn:" + partition + ":ec2:" + region + ":" + account + ":" + t.typ + "/"
		if t.byName {
			return arn + "*", filterPartial
		}
		return arn + id, filterOK
	}
	return "", filterMissing
}

// pairPart returns the part of "first<sep>second" a filter wants; a
// missing second part does not apply.
func pairPart(v, sep string, second bool) (string, filterResult) {
	first, rest, found := strings.Cut(v, sep)
	if !second {
		return first, filterOK
	}
	if !found || rest == "" {
		return "", filterMissing
	}
	return rest, filterOK
}

func resourceAfterSlash(res string) string {
	if i := strings.IndexByte(res, '/'); i >= 0 {
		return res[i+1:]
	}
	return res
}

// partiqlTarget returns the table and index a PartiQL statement names after
// FROM, INTO or UPDATE: `SELECT * FROM "T"."I" WHERE …` gives T and I.
func partiqlTarget(stmt string) (table, index string) {
	fields := strings.Fields(stmt)
	for i, f := range fields {
		switch strings.ToUpper(f) {
		case "FROM", "INTO", "UPDATE":
			if i+1 >= len(fields) {
				return "", ""
			}
			return splitPartiQLName(fields[i+1])
		}
	}
	return "", ""
}

func splitPartiQLName(s string) (table, index string) {
	s = strings.TrimRight(s, ";,(")
	var parts []string
	for s != "" {
		if s[0] == '"' {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				parts = append(parts, s[1:])
				break
			}
			parts = append(parts, s[1:1+end])
			s = strings.TrimPrefix(s[end+2:], ".")
			continue
		}
		part, rest, _ := strings.Cut(s, ".")
		parts = append(parts, part)
		s = rest
	}
	if len(parts) > 0 {
		table = parts[0]
	}
	if len(parts) > 1 {
		index = parts[1]
	}
	return table, index
}

// resourceName returns the name of an ARN's resource ("function:fn:1" →
// "fn", "role/path/r" → "r"), or v itself when it is not an ARN.
func resourceName(v string) string {
	var parts [6]string
	if !strings.HasPrefix(v, "arn:") || !splitARN(v, &parts) {
		return v
	}
	res := parts[5]
	if i := strings.LastIndexByte(res, '/'); i >= 0 {
		return res[i+1:]
	}
	if typ, rest, ok := strings.Cut(res, ":"); ok && typ != "" {
		name, _, _ := strings.Cut(rest, ":")
		return name
	}
	return res
}

// arnField returns field i (0 = "arn") of an ARN, or "".
func arnField(v string, i int) string {
	var parts [6]string
	if !strings.HasPrefix(v, "arn:") || !splitARN(v, &parts) {
		return ""
	}
	return parts[i]
}

// splitARN splits an ARN into its six fields, as strings.SplitN(v, ":", 6)
// would (the resource keeps its colons), without a list on the heap. It
// reports false when v has fewer fields.
func splitARN(v string, parts *[6]string) bool {
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(v, ':')
		if j < 0 {
			return false
		}
		parts[i], v = v[:j], v[j+1:]
	}
	parts[5] = v
	return true
}

func dedupe(s []string) []string {
	if len(s) < 2 {
		return s
	}
	if len(s) <= 16 {
		// A few values: comparing each with those kept costs less than
		// a map.
		out := s[:1]
		for _, v := range s[1:] {
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		return out
	}
	seen := make(map[string]bool, len(s))
	out := s[:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// CheckTemplate reports whether s is a template the mapper can fill: the
// generator validates curated templates with it.
func CheckTemplate(s string) error {
	_, err := parseTemplate(s)
	return err
}

// hasSecretSuffix reports whether a secret's name from its ARN ends in the
// hyphen and six letters or digits that Secrets Manager appends.
func hasSecretSuffix(name string) bool {
	if len(name) < 8 || name[len(name)-7] != '-' {
		return false
	}
	for _, c := range name[len(name)-6:] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// bedrockGeography returns the geography prefix of a Bedrock cross-Region
// inference profile's ID (us.anthropic.claude-...), or "".
func bedrockGeography(id string) string {
	for _, g := range [...]string{"us.", "us-gov.", "eu.", "apac.", "ca.", "jp.", "au.", "global."} {
		if strings.HasPrefix(id, g) {
			return g
		}
	}
	return ""
}
