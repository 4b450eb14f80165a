package generator

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"unicode/utf8"
)

// IAM's policy size quotas, in characters of the policy document without
// white space.
const (
	LimitManaged     = 6144  // a customer managed policy
	LimitInlineRole  = 10240 // all inline policies of a role together
	LimitInlineUser  = 2048  // all inline policies of a user together
	LimitInlineGroup = 5120  // all inline policies of a group together
)

// ErrTooLarge reports a statement that cannot fit a size limit even alone
// with one action and one resource.
var ErrTooLarge = errors.New("statement too large")

// Size returns the size IAM counts against its quotas: the characters of
// the document's JSON without white space outside strings.
func (p Policy) Size() int {
	return utf8.RuneCount(p.compact())
}

// compact is p's JSON without white space, which is what IAM counts.
func (p Policy) compact() []byte {
	b, _ := marshal(p) // a Policy always encodes
	return b
}

// marshal encodes v compactly without escaping <, > and &, which AWS
// would count as six characters each.
func marshal(v any) ([]byte, error) {
	var buf jsonBuffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.b[:len(buf.b)-1], nil
}

type jsonBuffer struct{ b []byte }

func (w *jsonBuffer) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// Split returns p as the fewest policies of at most limit characters each
// (Size) that together allow exactly what p allows. Statements are packed
// whole where they fit; a statement too large for one policy is first cut
// into statements with the same actions and parts of its resources, then,
// when one resource is still too many, parts of its actions. Each policy
// keeps p's statement order, and policies are ordered by their first
// statement. A p that fits is returned alone, as is.
func Split(p Policy, limit int) ([]Policy, error) {
	if p.Size() <= limit {
		return []Policy{p}, nil
	}
	// A document is base + sum of statement sizes + a comma between two:
	// count each statement with one comma, and the capacity with one more.
	base := utf8.RuneCount((Policy{Version: p.Version, Statement: []Statement{}}).compact())
	capacity := limit - base + 1
	var items []Statement
	for _, s := range p.Statement {
		parts, err := fitStatement(s, capacity-1)
		if err != nil {
			return nil, err
		}
		items = append(items, parts...)
	}
	sizes := make([]int, len(items))
	for i, s := range items {
		sizes[i] = statementSize(s) + 1
	}
	bins := pack(sizes, capacity)
	out := make([]Policy, len(bins))
	for i, bin := range bins {
		out[i] = Policy{Version: p.Version, Statement: make([]Statement, 0, len(bin))}
		for _, j := range bin {
			out[i].Statement = append(out[i].Statement, items[j])
		}
	}
	return out, nil
}

func statementSize(s Statement) int {
	b, _ := marshal(s)
	return utf8.RuneCount(b)
}

// fitStatement cuts s into statements of at most max characters: by
// resources first, which keeps each action's grant in one statement
// where it can, then by actions.
func fitStatement(s Statement, max int) ([]Statement, error) {
	if statementSize(s) <= max {
		return []Statement{s}, nil
	}
	if len(s.Resource) > 1 {
		return cutList(s, max, s.Resource, func(s *Statement, part []string) { s.Resource = part })
	}
	if len(s.Action) > 1 {
		return cutList(s, max, s.Action, func(s *Statement, part []string) { s.Action = part })
	}
	return nil, fmt.Errorf("split policy: statement %s (%d characters) does not fit the limit alone: %w", s.Sid, statementSize(s), ErrTooLarge)
}

// cutList fills statements like s with consecutive parts of list, each as
// long as fits, then fits each part (which may cut the other list).
func cutList(s Statement, max int, list []string, set func(*Statement, []string)) ([]Statement, error) {
	var out []Statement
	for start := 0; start < len(list); {
		// The largest end that fits, found by bisection: sizes grow with
		// the part's length.
		lo, hi := start+1, len(list)
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if statementSize(withPart(s, list[start:mid], set)) <= max {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		part := withPart(s, list[start:lo], set)
		fitted, err := fitStatement(part, max)
		if err != nil {
			return nil, err
		}
		out = append(out, fitted...)
		start = lo
	}
	return out, nil
}

func withPart(s Statement, part []string, set func(*Statement, []string)) Statement {
	t := s
	set(&t, slices.Clip(part))
	t.Sid = Sid(t)
	return t
}

// maxSearchNodes bounds the exact search pack tries after first fit
// decreasing, so that splitting stays fast on thousands of statements.
const maxSearchNodes = 200_000

// pack puts items of the given sizes into the fewest bins of capacity it
// can find, returning the items of each bin in their original order and
// the bins in the order of their first item. It starts from first fit
// decreasing and, while that is above the lower bound of total/capacity,
// searches for a packing with one bin fewer, within maxSearchNodes.
func pack(sizes []int, capacity int) [][]int {
	order := make([]int, len(sizes))
	total := 0
	for i := range order {
		order[i] = i
		total += sizes[i]
	}
	sort.SliceStable(order, func(a, b int) bool { return sizes[order[a]] > sizes[order[b]] })

	best := firstFitDecreasing(order, sizes, capacity)
	lower := (total + capacity - 1) / capacity
	for len(best) > lower {
		found := exactPack(order, sizes, capacity, len(best)-1)
		if found == nil {
			break
		}
		best = found
	}
	for _, bin := range best {
		sort.Ints(bin)
	}
	sort.Slice(best, func(a, b int) bool { return best[a][0] < best[b][0] })
	return best
}

func firstFitDecreasing(order, sizes []int, capacity int) [][]int {
	var bins [][]int
	var free []int
	for _, i := range order {
		placed := false
		for b := range bins {
			if sizes[i] <= free[b] {
				bins[b] = append(bins[b], i)
				free[b] -= sizes[i]
				placed = true
				break
			}
		}
		if !placed {
			bins = append(bins, []int{i})
			free = append(free, capacity-sizes[i])
		}
	}
	return bins
}

// exactPack looks for a packing into n bins by depth-first search over the
// items, largest first, skipping bins with the same free space as one
// already tried. It returns nil when there is none or the search gives up.
func exactPack(order, sizes []int, capacity, n int) [][]int {
	bins := make([][]int, n)
	free := make([]int, n)
	for i := range free {
		free[i] = capacity
	}
	nodes := 0
	var place func(k int) bool
	place = func(k int) bool {
		if k == len(order) {
			return true
		}
		nodes++
		if nodes > maxSearchNodes {
			return false
		}
		i := order[k]
		tried := map[int]bool{}
		for b := range bins {
			if sizes[i] > free[b] || tried[free[b]] {
				continue
			}
			tried[free[b]] = true
			bins[b] = append(bins[b], i)
			free[b] -= sizes[i]
			if place(k + 1) {
				return true
			}
			free[b] += sizes[i]
			bins[b] = bins[b][:len(bins[b])-1]
		}
		return false
	}
	if !place(0) {
		return nil
	}
	return slices.DeleteFunc(bins, func(b []int) bool { return len(b) == 0 })
}
