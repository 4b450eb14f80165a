package generator

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/iamwatch/iamwatch"
)

// TestSize: IAM counts the document without white space; Size must equal
// that count for the indented JSON the generator prints.
func TestSize(t *testing.T) {
	p := mustGenerate(t, mapRequests(t, "../cmd/iamwatch/demo/*.http"), Options{Conditions: true})
	js, err := p.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Size(), len(stripSpace(string(js))); got != want {
		t.Errorf("Size %d, minified JSON %d", got, want)
	}
	if p.Size() < 1000 {
		t.Errorf("demo policy of %d characters", p.Size())
	}
}

// stripSpace removes white space outside JSON strings.
func stripSpace(js string) string {
	var b strings.Builder
	in, esc := false, false
	for _, c := range js {
		switch {
		case esc:
			esc = false
		case in && c == '\\':
			esc = true
		case c == '"':
			in = !in
		case !in && unicode.IsSpace(c):
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// bigPolicy has n statements of distinct actions, each on its own
// resources.
func bigPolicy(t *testing.T, n, resources int) Policy {
	t.Helper()
	actions := []string{"sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
		"sqs:ChangeMessageVisibility", "sqs:PurgeQueue", "sqs:GetQueueUrl", "sqs:SetQueueAttributes"}
	var cs []iamwatch.Call
	for i := range n {
		for j := range resources {
			arn := fmt.Sprintf("arn:aws:sqs:us-east-1:123456789012:a-queue-with-a-long-descriptive-name-%d-%d", i, j)
			cs = append(cs, calls(use(actions[i%len(actions)], arn))...)
		}
	}
	return mustGenerate(t, cs, Options{})
}

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		name  string
		p     Policy
		limit int
		parts int // expected policies
	}{
		{"fits", bigPolicy(t, 4, 3), LimitManaged, 1},
		{"managed", bigPolicy(t, 8, 40), LimitManaged, 0},
		{"inline role", bigPolicy(t, 8, 60), LimitInlineRole, 0},
		{"inline user", bigPolicy(t, 8, 10), LimitInlineUser, 0},
		{"inline group", bigPolicy(t, 8, 30), LimitInlineGroup, 0},
		// One statement with 400 resources: cut by resources.
		{"one statement, many resources", bigPolicy(t, 1, 400), LimitManaged, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parts, err := Split(tc.p, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if tc.parts > 0 && len(parts) != tc.parts {
				t.Errorf("%d policies, want %d", len(parts), tc.parts)
			}
			if tc.parts == 0 && len(parts) < 2 {
				t.Errorf("a policy of %d characters was not split for %d", tc.p.Size(), tc.limit)
			}
			assertSplit(t, tc.p, parts, tc.limit)
		})
	}
}

// TestSplitStatementByActions: a statement with one resource and too many
// actions is cut by actions.
func TestSplitStatementByActions(t *testing.T) {
	var cs []iamwatch.Call
	for _, a := range []string{"ec2:DescribeInstances", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
		"ec2:DescribeImages", "ec2:DescribeVolumes", "ec2:DescribeSnapshots", "ec2:DescribeRegions", "ec2:DescribeTags",
		"ec2:DescribeAddresses", "ec2:DescribeKeyPairs", "ec2:DescribeRouteTables", "ec2:DescribeNetworkInterfaces"} {
		cs = append(cs, calls(use(a, "*"))...)
	}
	p := mustGenerate(t, cs, Options{})
	if len(p.Statement) != 1 {
		t.Fatalf("%d statements", len(p.Statement))
	}
	parts, err := Split(p, 200)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) < 3 {
		t.Errorf("%d policies", len(parts))
	}
	assertSplit(t, p, parts, 200)

	_, err = Split(p, 80)
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("a limit below one action and one resource: %v", err)
	}
}

// assertSplit checks parts against the policy they came from: each fits
// and is valid, together they grant exactly what p grants, and there is
// no obviously wasted policy (two that would fit in one).
func assertSplit(t *testing.T, p Policy, parts []Policy, limit int) {
	t.Helper()
	all := map[string]bool{}
	var sizes []int
	for i, q := range parts {
		if q.Size() > limit {
			t.Errorf("policy %d: %d characters, over %d", i+1, q.Size(), limit)
		}
		if err := Validate(q, nil); err != nil {
			t.Errorf("policy %d: %v", i+1, err)
		}
		for g := range grants(q) {
			all[g] = true
		}
		sizes = append(sizes, q.Size())
	}
	if want := grants(p); !reflect.DeepEqual(all, want) {
		t.Errorf("the parts grant %d triples, the policy %d", len(all), len(want))
	}
	base := (Policy{Version: Version, Statement: []Statement{}}).Size()
	for i := range sizes {
		for j := i + 1; j < len(sizes); j++ {
			if sizes[i]+sizes[j]-base+1 <= limit {
				t.Errorf("policies %d and %d (%d and %d characters) would fit in one", i+1, j+1, sizes[i], sizes[j])
			}
		}
	}
}

// TestPackOptimal compares pack with an exhaustive search on small
// random instances.
func TestPackOptimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 300 {
		n := 1 + rng.IntN(9)
		capacity := 100
		sizes := make([]int, n)
		for i := range sizes {
			sizes[i] = 10 + rng.IntN(81)
		}
		bins := pack(sizes, capacity)
		if want := optimalBins(sizes, capacity); len(bins) != want {
			t.Fatalf("round %d: sizes %v: %d bins, optimum %d", round, sizes, len(bins), want)
		}
		seen := map[int]bool{}
		for _, b := range bins {
			sum := 0
			for k, i := range b {
				if seen[i] || k > 0 && b[k-1] > i {
					t.Fatalf("round %d: bins %v", round, bins)
				}
				seen[i] = true
				sum += sizes[i]
			}
			if sum > capacity {
				t.Fatalf("round %d: bin %v over capacity", round, b)
			}
		}
		if len(seen) != n {
			t.Fatalf("round %d: bins %v lose items", round, bins)
		}
	}
}

func optimalBins(sizes []int, capacity int) int {
	best := len(sizes)
	var free []int
	var rec func(i int)
	rec = func(i int) {
		if len(free) >= best {
			return
		}
		if i == len(sizes) {
			best = len(free)
			return
		}
		for b := range free {
			if sizes[i] <= free[b] {
				free[b] -= sizes[i]
				rec(i + 1)
				free[b] += sizes[i]
			}
		}
		free = append(free, capacity-sizes[i])
		rec(i + 1)
		free = free[:len(free)-1]
	}
	rec(0)
	return best
}
