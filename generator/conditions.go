package generator

import (
	"maps"
	"slices"
	"strings"
)

// conditions returns the condition block for one action: every condition
// key that all of the action's uses pinned, with the values they pinned,
// under the operator its catalog type calls for. A key some use left open
// is left out, as is a key the action does not support (IAM would see it
// absent and deny): a condition must never deny a call that was observed.
//
// Values of different uses are alternatives ("us-east-1" or "eu-west-1"),
// which is what a list of values means to every operator used here. A
// multi-valued key (catalog type ArrayOf…) gets ForAllValues: each
// observed request's values are among the union of them all.
func (acc *actionAcc) conditions(cat *catalog, action string) map[string]map[string][]string {
	var out map[string]map[string][]string
	for _, k := range slices.Sorted(maps.Keys(acc.conds)) {
		c := acc.conds[k]
		if c.uses < acc.uses {
			continue
		}
		typ, ok := cat.conditionKeyType(action, k)
		if !ok {
			continue
		}
		op := operator(typ)
		if out == nil {
			out = map[string]map[string][]string{}
		}
		if out[op] == nil {
			out[op] = map[string][]string{}
		}
		out[op][k] = slices.Sorted(maps.Keys(c.values))
	}
	return out
}

// operator returns the condition operator that tests a key of a catalog
// type for equality with one of a list of values.
func operator(typ string) string {
	base, multi := strings.CutPrefix(typ, "ArrayOf")
	var op string
	switch strings.ToLower(base) {
	case "arn":
		op = "ArnEquals"
	case "numeric", "long", "integer":
		op = "NumericEquals"
	case "bool", "boolean":
		op = "Bool"
	case "date":
		op = "DateEquals"
	case "ipaddress":
		op = "IpAddress"
	case "binary":
		op = "BinaryEquals"
	default:
		op = "StringEquals"
	}
	if multi {
		return "ForAllValues:" + op
	}
	return op
}
