package mapper

import (
	"sort"

	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

// Stats says how completely the maps cover AWS's operations.
type Stats struct {
	Services   int `json:"services"`
	Operations int `json:"operations"`
	// Recognized operations have a wire binding the mapper can match.
	Recognized    int     `json:"recognized"`
	RecognizedPct float64 `json:"recognized_pct"`
	// Mapped operations name at least one action the catalog has, or say
	// deliberately that they need none.
	Mapped    int     `json:"mapped"`
	MappedPct float64 `json:"mapped_pct"`
	// WithResources operations have resource templates for every required
	// action that has resource types.
	WithResources    int     `json:"with_resources"`
	WithResourcesPct float64 `json:"with_resources_pct"`
	// Model counts restrict the above to the aws-sdk-go v1 models.
	ModelOperations int     `json:"model_operations"`
	ModelMapped     int     `json:"model_mapped"`
	ModelMappedPct  float64 `json:"model_mapped_pct"`
	// Reference coverage: AWS Service Authorization Reference operations
	// with authorized actions, and how many have a wire binding.
	ReferenceOperations    int     `json:"reference_operations"`
	ReferenceRecognized    int     `json:"reference_recognized"`
	ReferenceRecognizedPct float64 `json:"reference_recognized_pct"`

	Unmapped        []OpRef `json:"unmapped"`
	Unrecognized    []OpRef `json:"unrecognized"`
	InvalidActions  []OpRef `json:"invalid_actions"`
	ReferenceMissed []OpRef `json:"reference_missed"`
	// Unbound are mapped operations with an action whose catalog entry
	// has resource types but no resource template here: their policies
	// grant that action on "*". Action names the first such action.
	Unbound         []OpRef  `json:"unbound"`
	CatalogServices int      `json:"catalog_services"`
	CatalogActions  int      `json:"catalog_actions"`
	Sources         []string `json:"sources"`
}

// OpRef names an operation, and an action where one is at fault.
type OpRef struct {
	Model     string `json:"model"`
	Operation string `json:"operation"`
	Action    string `json:"action,omitempty"`
}

// Stats computes coverage figures for the index's maps.
func (ix *Index) Stats() Stats {
	m := ix.maps
	// Empty lists, not nulls, in the JSON contract.
	st := Stats{Unmapped: []OpRef{}, Unrecognized: []OpRef{}, InvalidActions: []OpRef{}, ReferenceMissed: []OpRef{}, Unbound: []OpRef{}, Sources: []string{}}
	for _, src := range m.Sources {
		st.Sources = append(st.Sources, src.Name+" "+src.Version)
	}
	for _, s := range ix.services {
		st.Services++
		s.compile()
		for _, mo := range s.Ops {
			op := s.ops[mo.Name]
			st.Operations++
			// The v1 figure counts the aws-sdk-go v1.55.8 model operations
			// only, not the newer ones merged into those services.
			v1 := s.Origin == "v1" && mo.Origin == ""
			if v1 {
				st.ModelOperations++
			}
			if ix.wireBound(s, op) {
				st.Recognized++
			} else {
				st.Unrecognized = append(st.Unrecognized, OpRef{Model: s.Model, Operation: mo.Name})
			}
			valid, invalid := 0, ""
			for _, a := range mo.Actions {
				if m.Action(a.Action) != nil {
					valid++
				} else if invalid == "" {
					invalid = a.Action
				}
			}
			if invalid != "" {
				st.InvalidActions = append(st.InvalidActions, OpRef{Model: s.Model, Operation: mo.Name, Action: invalid})
			}
			// An operation curated to need no permission, or that the model
			// says is not signed with AWS credentials, counts as mapped.
			if valid > 0 && invalid == "" || len(mo.Actions) == 0 && (mo.Source == "curated" || mo.Source == "unsigned") {
				st.Mapped++
				if v1 {
					st.ModelMapped++
				}
			} else {
				st.Unmapped = append(st.Unmapped, OpRef{Model: s.Model, Operation: mo.Name})
			}
			if unbound, ok := ix.unboundAction(mo); ok {
				st.WithResources++
			} else if unbound != "" && valid > 0 && invalid == "" {
				st.Unbound = append(st.Unbound, OpRef{Model: s.Model, Operation: mo.Name, Action: unbound})
			}
		}
	}
	for _, s := range m.IAM {
		st.CatalogServices++
		st.CatalogActions += len(s.Actions)
	}
	st.ReferenceOperations = m.Reference.Operations
	st.ReferenceRecognized = m.Reference.Operations - len(m.Reference.Missed)
	for _, o := range m.Reference.Missed {
		st.ReferenceMissed = append(st.ReferenceMissed, OpRef{Model: o.Prefix, Operation: o.Operation})
	}
	st.RecognizedPct = pct(st.Recognized, st.Operations)
	st.MappedPct = pct(st.Mapped, st.Operations)
	st.WithResourcesPct = pct(st.WithResources, st.Operations)
	st.ModelMappedPct = pct(st.ModelMapped, st.ModelOperations)
	st.ReferenceRecognizedPct = pct(st.ReferenceRecognized, st.ReferenceOperations)
	for _, l := range [][]OpRef{st.Unmapped, st.Unrecognized, st.InvalidActions, st.ReferenceMissed, st.Unbound} {
		sort.Slice(l, func(i, j int) bool {
			if l[i].Model != l[j].Model {
				return l[i].Model < l[j].Model
			}
			return l[i].Operation < l[j].Operation
		})
	}
	return st
}

// wireBound reports whether the mapper can recognize op on the wire.
func (ix *Index) wireBound(s *service, op *operation) bool {
	switch {
	case s.protocol[ProtoJSON] && s.TargetPrefix != "":
		return true
	case s.protocol[ProtoQuery] || s.protocol[ProtoEC2] || s.protocol[ProtoCBOR]:
		return true
	case s.protocol[ProtoRESTJSON] || s.protocol[ProtoRESTXML]:
		return op.Method != "" && op.URI != ""
	}
	return false
}

// unboundAction reports whether every required action of mo that has
// resource types in the catalog has resource templates; when not, it
// names the first action that lacks them ("" when mo has no actions or
// one the catalog lacks).
func (ix *Index) unboundAction(mo *servicemaps.Operation) (string, bool) {
	if len(mo.Actions) == 0 {
		return "", false
	}
	for _, a := range mo.Actions {
		cat := ix.maps.Action(a.Action)
		if cat == nil {
			return "", false
		}
		if len(cat.ResourceTypes) > 0 && len(a.Resources) == 0 {
			return a.Action, false
		}
	}
	return "", true
}

func pct(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(int(float64(n)*10000/float64(d))) / 100
}
