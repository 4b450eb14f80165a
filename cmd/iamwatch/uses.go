package main

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/iamwatch/iamwatch"
)

// useSet keeps the distinct action uses of the calls added to it, so that
// memory grows with what an application did, not with how often it did it.
// A call's own condition values are merged into each of its uses, as the
// store does. Not safe for concurrent use.
type useSet map[string]iamwatch.ActionUse

// add adds the uses of c and reports whether any was new.
func (s useSet) add(c iamwatch.Call) bool {
	added := false
	for _, u := range c.Actions {
		if len(c.Conditions) > 0 {
			merged := make(map[string][]string, len(c.Conditions)+len(u.Conditions))
			for k, vs := range c.Conditions {
				merged[k] = vs
			}
			for k, vs := range u.Conditions {
				merged[k] = append(append([]string(nil), merged[k]...), vs...)
			}
			u.Conditions = merged
		}
		k := useKey(u)
		if _, ok := s[k]; !ok {
			s[k] = u
			added = true
		}
	}
	return added
}

// list returns the uses in a stable order.
func (s useSet) list() []iamwatch.ActionUse {
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]iamwatch.ActionUse, len(keys))
	for i, k := range keys {
		out[i] = s[k]
	}
	return out
}

func useKey(u iamwatch.ActionUse) string {
	conds, _ := json.Marshal(u.Conditions) // sorted keys
	return u.Action + "\x00" + strings.Join(u.Resources, "\x01") + "\x00" +
		strconv.FormatBool(u.Exact) + strconv.FormatBool(u.Possible) + "\x00" + string(conds)
}
