package eval

import "strings"

// How a resource-based policy names the caller decides what else must
// allow the request (IAM User Guide, "Policy evaluation logic": resource-
// based policies and implicit denies in other policy types).
const (
	grantNone    = iota
	grantAccount // the caller's account: it delegates to the account's own policies
	grantRole    // the role of the caller's session: limited by a boundary and session policies
	grantDirect  // the caller itself ("*", a user, a session, a service): limited by nothing else
)

// Principal entry kinds.
const (
	peAll = iota
	peAccount
	peRole
	peExact
)

type principalEntry struct {
	kind    uint8
	account string // peAccount, peRole
	name    string // peRole: the role's name, without its path
	exact   string // peExact
	fold    bool   // peExact: compared case-insensitively (service principals)
}

func compilePrincipal(p *Principal) []principalEntry {
	var out []principalEntry
	if p.All {
		out = append(out, principalEntry{kind: peAll})
	}
	for _, s := range p.AWS {
		if s == "*" {
			continue
		}
		out = append(out, awsEntry(s))
	}
	for _, s := range p.Service {
		if s == "*" {
			out = append(out, principalEntry{kind: peAll})
			continue
		}
		out = append(out, principalEntry{kind: peExact, exact: s, fold: true})
	}
	for _, l := range [][]string{p.Federated, p.CanonicalUser} {
		for _, s := range l {
			out = append(out, principalEntry{kind: peExact, exact: s})
		}
	}
	return out
}

// awsEntry reads an AWS principal: an account ID or account root ARN, a
// role ARN (which matches the role's sessions), or any other ARN, matched
// exactly. Wildcards are not patterns in principals.
func awsEntry(s string) principalEntry {
	if isAccountID(s) {
		return principalEntry{kind: peAccount, account: s}
	}
	a, ok := splitARN(s)
	if ok && a.service == "iam" {
		switch {
		case a.resource == "root":
			return principalEntry{kind: peAccount, account: a.account}
		case strings.HasPrefix(a.resource, "role/"):
			name := a.resource[strings.LastIndexByte(a.resource, '/')+1:]
			return principalEntry{kind: peRole, account: a.account, name: name, exact: s}
		}
	}
	return principalEntry{kind: peExact, exact: s}
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

type arnParts struct {
	partition, service, region, account, resource string
}

func splitARN(s string) (arnParts, bool) {
	idx, ok := arnSegments(s)
	if !ok {
		return arnParts{}, false
	}
	return arnParts{
		partition: s[idx[0]+1 : idx[1]],
		service:   s[idx[1]+1 : idx[2]],
		region:    s[idx[2]+1 : idx[3]],
		account:   s[idx[3]+1 : idx[4]],
		resource:  s[idx[4]+1:],
	}, true
}

// Caller kinds.
const (
	callerUnknown   = iota // no principal given: principal matching is undecided
	callerAnonymous        // an unsigned request
	callerRoot             // arn:aws:iam::ACCOUNT:root
	callerUser             // an IAM user
	callerRole             // a role ARN given as the caller: one of its sessions
	callerSession          // arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
	callerFederated        // arn:aws:sts::ACCOUNT:federated-user/NAME (GetFederationToken)
	callerService          // a service principal or other non-ARN principal
	callerOther            // any other ARN
)

type caller struct {
	kind    uint8
	arn     string
	account string
	role    string // callerRole, callerSession: the role name
}

func parseCaller(r *Request) caller {
	c := caller{arn: r.Principal, account: r.PrincipalAccount}
	if r.Anonymous {
		c.kind = callerAnonymous
		return c
	}
	if r.Principal == "" {
		c.kind = callerUnknown
		return c
	}
	a, ok := splitARN(r.Principal)
	if !ok {
		c.kind = callerService
		return c
	}
	if c.account == "" {
		c.account = a.account
	}
	switch {
	case a.service == "iam" && a.resource == "root":
		c.kind = callerRoot
	case a.service == "iam" && strings.HasPrefix(a.resource, "user/"):
		c.kind = callerUser
	case a.service == "iam" && strings.HasPrefix(a.resource, "role/"):
		c.kind = callerRole
		c.role = a.resource[strings.LastIndexByte(a.resource, '/')+1:]
	case a.service == "sts" && strings.HasPrefix(a.resource, "assumed-role/"):
		c.kind = callerSession
		rest := a.resource[len("assumed-role/"):]
		c.role, _, _ = strings.Cut(rest, "/")
	case a.service == "sts" && strings.HasPrefix(a.resource, "federated-user/"):
		c.kind = callerFederated
	default:
		c.kind = callerOther
	}
	return c
}

// match reports whether the entry names the caller, and how.
func (e *principalEntry) match(c *caller) (tri, uint8) {
	if e.kind == peAll {
		return yes, grantDirect
	}
	switch c.kind {
	case callerUnknown:
		return unknown, grantDirect
	case callerAnonymous:
		return no, grantNone
	}
	switch e.kind {
	case peAccount:
		if c.kind != callerService && c.account != "" && c.account == e.account {
			return yes, grantAccount
		}
	case peRole:
		if (c.kind == callerSession || c.kind == callerRole) && c.account == e.account && c.role == e.name {
			return yes, grantRole
		}
	case peExact:
		if c.arn == e.exact || (e.fold && strings.EqualFold(c.arn, e.exact)) {
			return yes, grantDirect
		}
	}
	return no, grantNone
}
