package generator

import (
	"maps"
	"slices"
	"strings"
)

// collapse replaces, level by level, more than threshold sibling ARNs by a
// wildcard over their common directory, and returns the resources sorted.
//
// Siblings are ARNs whose resource name (the placeholder that ends their
// ARN format: ObjectName, IndexName, RoleNameWithPath) share everything up
// to the last "/". Cutting at a slash rather than at the longest common
// prefix of characters is deliberate: keys like uploads/3f2a… and
// uploads/3f9b… become uploads/*, which also allows the next run's
// uploads/a71c…, where uploads/3f* would not.
//
// A wildcard never reaches above the resource name: partition, service,
// region and account fields and the literal parts of the format stay as
// they are. A name directly under its container (an object at the top of
// a bucket, an index of a table) collapses to container/*, but a
// top-level name (a bucket, a table, a queue, a role) never does: the
// wildcard would span every resource of that type in the account.
func collapse(resources []string, formats []*arnFormat, threshold int) []string {
	entries := make([]collapseEntry, 0, len(resources))
	for _, r := range resources {
		entries = append(entries, newCollapseEntry(r, formats))
	}
	for {
		groups := map[string][]int{}
		for i, e := range entries {
			if dir, ok := e.parent(); ok {
				k := e.head + "\x00" + dir
				groups[k] = append(groups[k], i)
			}
		}
		gone := map[int]bool{}
		var added []collapseEntry
		for _, k := range slices.Sorted(maps.Keys(groups)) {
			idx := groups[k]
			if len(idx) <= threshold {
				continue
			}
			first := entries[idx[0]]
			dir, _ := first.parent()
			for _, i := range idx {
				gone[i] = true
			}
			added = append(added, collapseEntry{arn: first.head + dir + "*", head: first.head, path: dir,
				wild: true, ok: true, contained: first.contained})
		}
		if len(added) == 0 {
			break
		}
		next := added
		for i, e := range entries {
			if !gone[i] {
				next = append(next, e)
			}
		}
		entries = next
	}
	set := make(map[string]bool, len(entries))
	for _, e := range entries {
		set[e.arn] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// collapseEntry is one resource while collapse works.
type collapseEntry struct {
	arn string
	// head is the ARN up to its resource name; path is the name, or, for
	// a wildcard collapse made, the directory it stands for ("" for the
	// whole container).
	head, path string
	wild       bool
	// ok reports that the ARN has a resource name collapse may cut.
	ok        bool
	contained bool
}

func newCollapseEntry(arn string, formats []*arnFormat) collapseEntry {
	e := collapseEntry{arn: arn}
	if arn == "*" || hasWildcard(arn) {
		return e
	}
	for _, f := range formats {
		if f.leaf < 0 {
			continue
		}
		vals, ok := f.match(arn)
		if !ok {
			continue
		}
		name := vals[len(vals)-1]
		e.head, e.path, e.ok, e.contained = arn[:len(arn)-len(name)], name, true, f.contained
		break
	}
	return e
}

// parent returns the directory e would collapse into (with its trailing
// slash, or "" for the container itself), and whether there is one.
func (e collapseEntry) parent() (string, bool) {
	if !e.ok {
		return "", false
	}
	p := e.path
	if e.wild {
		if p == "" {
			return "", false
		}
		p = strings.TrimSuffix(p, "/")
	}
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i+1], true
	}
	return "", e.contained
}

// dropCovered removes the resources that a wildcard resource of the same
// list already grants, and returns the rest in order.
func dropCovered(resources []string) []string {
	var wild []string
	for _, r := range resources {
		if r != "*" && hasWildcard(r) {
			wild = append(wild, r)
		}
	}
	if len(wild) == 0 {
		return resources
	}
	out := resources[:0:0]
	for _, r := range resources {
		if !slices.ContainsFunc(wild, func(w string) bool { return w != r && covers(w, r) }) {
			out = append(out, r)
		}
	}
	return out
}

// covers reports whether wildcard resource w grants every resource r
// stands for. For an r with wildcards of its own it only recognizes the
// plain case of w being a literal prefix followed by "*".
func covers(w, r string) bool {
	if !hasWildcard(r) {
		return globMatch(w, r)
	}
	prefix, ok := strings.CutSuffix(w, "*")
	return ok && !hasWildcard(prefix) && strings.HasPrefix(r, prefix) && !strings.Contains(r[len(prefix):], ":")
}
