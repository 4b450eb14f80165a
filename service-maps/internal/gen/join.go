package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// sarOp is what the reference says about one SDK operation: every action
// it lists, merged over the reference's files, in first-seen order.
type sarOp struct {
	Name    string
	Actions []string // "prefix:Name"
}

// sarByClient indexes the reference's operations by boto3 client name and
// lower-cased operation name.
func sarByClient(ref *reference) map[string]map[string]*sarOp {
	out := map[string]map[string]*sarOp{}
	for _, rs := range ref.Services {
		for _, o := range rs.Operations {
			for _, sdk := range o.SDK {
				ops := out[sdk.Name]
				if ops == nil {
					ops = map[string]*sarOp{}
					out[sdk.Name] = ops
				}
				key := strings.ToLower(o.Name)
				so := ops[key]
				if so == nil {
					so = &sarOp{Name: o.Name}
					ops[key] = so
				}
				for _, a := range o.AuthorizedActions {
					act := a.Service + ":" + a.Name
					if !contains(so.Actions, act) {
						so.Actions = append(so.Actions, act)
					}
				}
			}
		}
	}
	return out
}

// joinExceptions names the boto3 clients whose model the data cannot pick.
// Keep it short: every entry is a case the scoring gets wrong.
var joinExceptions = map[string]string{}

// norm lower-cases s and keeps only letters and digits.
func norm(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// joinCandidate scores one (client, model) pairing.
type joinCandidate struct {
	client string
	model  int
	score  float64
}

// joinClients pairs each boto3 client name of the reference with at most one
// model, and each model with at most one client. A pairing needs shared
// operation names; a name match (client vs model directory, service ID,
// endpoint prefix or signing name) weighs most, then the share of
// operations in common.
func joinClients(models []*model, sar map[string]map[string]*sarOp) map[string]string {
	opsOf := make([]map[string]bool, len(models))
	df := map[string]int{} // how many models have an operation name
	for i, m := range models {
		opsOf[i] = map[string]bool{}
		for _, o := range m.svc.Ops {
			k := strings.ToLower(o.Name)
			if !opsOf[i][k] {
				opsOf[i][k] = true
				df[k]++
			}
		}
	}
	// Operations many models share (TagResource…) say little about which
	// model a client is: weigh each name by 1/df.
	weight := func(k string) float64 {
		if df[k] == 0 {
			return 1
		}
		return 1 / float64(df[k])
	}
	// Sums run over sorted keys: float addition must not depend on map order.
	modelWeight := make([]float64, len(models))
	for i := range models {
		for _, k := range sortedKeys(opsOf[i]) {
			modelWeight[i] += weight(k)
		}
	}
	var cands []joinCandidate
	for _, client := range sortedKeys(sar) {
		ops := sar[client]
		keys := sortedKeys(ops)
		nc := norm(client)
		clientWeight := 0.0
		for _, k := range keys {
			clientWeight += weight(k)
		}
		for i, m := range models {
			overlap, wOverlap := 0, 0.0
			for _, k := range keys {
				if opsOf[i][k] {
					overlap++
					wOverlap += weight(k)
				}
			}
			if overlap == 0 {
				continue
			}
			fracClient := wOverlap / clientWeight
			fracModel := wOverlap / modelWeight[i]
			s := m.svc
			name := 0.0
			switch {
			case nc == norm(s.Model) || nc == norm(s.ServiceID):
				name = 2
			case nc == norm(s.EndpointPrefix) || nc == norm(s.SigningName):
				name = 1.5
			case strings.Contains(norm(s.ServiceID), nc) || strings.Contains(nc, norm(s.ServiceID)) ||
				strings.Contains(norm(s.Model), nc) || strings.Contains(nc, norm(s.Model)):
				name = 0.5
			}
			if name < 1.5 && (fracClient < 0.5 || fracModel < 0.2) {
				continue
			}
			cands = append(cands, joinCandidate{client: client, model: i, score: name + fracClient + fracModel})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].score != cands[j].score {
			return cands[i].score > cands[j].score
		}
		if cands[i].client != cands[j].client {
			return cands[i].client < cands[j].client
		}
		return models[cands[i].model].svc.Model < models[cands[j].model].svc.Model
	})
	join := map[string]string{} // model -> client
	first := map[string]int{}   // client -> index of its model
	for client, modelName := range joinExceptions {
		join[modelName] = client
		for i, m := range models {
			if m.svc.Model == modelName {
				first[client] = i
			}
		}
	}
	for _, c := range cands {
		mn := models[c.model].svc.Model
		if _, taken := first[c.client]; taken || join[mn] != "" {
			continue
		}
		join[mn] = c.client
		first[c.client] = c.model
	}
	// A sibling model whose operations are (nearly) a subset or superset of
	// a joined one's (EventBridge and CloudWatch Events) shares its client.
	for _, c := range cands {
		mn := models[c.model].svc.Model
		if join[mn] != "" {
			continue
		}
		if j, ok := first[c.client]; ok && containment(opsOf[c.model], opsOf[j]) >= 0.9 {
			join[mn] = c.client
		}
	}
	return join
}

// containment is the share of the smaller set that the other contains.
func containment(a, b map[string]bool) float64 {
	inter := 0
	for k := range a {
		if b[k] {
			inter++
		}
	}
	small := min(len(a), len(b))
	if small == 0 {
		return 0
	}
	return float64(inter) / float64(small)
}

// botocoreServiceIDs reads the optional botocore data directory: client
// name -> service ID. It is a cross-check only; the output never depends on
// it.
func botocoreServiceIDs(dir string) map[string]string {
	paths, _ := filepath.Glob(filepath.Join(dir, "*", "*", "service-2.json"))
	out := map[string]string{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		var sm struct {
			Metadata struct {
				ServiceID string `json:"serviceId"`
			} `json:"metadata"`
		}
		if json.Unmarshal(data, &sm) == nil && sm.Metadata.ServiceID != "" {
			out[filepath.Base(filepath.Dir(filepath.Dir(p)))] = sm.Metadata.ServiceID
		}
	}
	return out
}
