package eval

// ExpandActions returns the actions of catalog that the statement's Action
// or NotAction covers, in catalog order: "s3:Get*" against the catalog of
// every known action.
func (st *Statement) ExpandActions(catalog []string) []string {
	var out []string
	for _, a := range catalog {
		if st.MatchesAction(a) {
			out = append(out, a)
		}
	}
	return out
}

// coversEverything reports whether a statement applies to every resource
// and every caller whatever the context: such a Deny blocks its actions
// outright.
func (st *Statement) coversEverything(kind Kind) bool {
	if len(st.Conditions) > 0 || st.NotResource != nil || st.NotPrincipal != nil {
		return false
	}
	if (kind == KindResource || kind == KindRCP) && (st.Principal == nil || !st.Principal.All) {
		return false
	}
	if st.Resource == nil {
		return true
	}
	for i := range st.resources {
		if st.resources[i].any {
			return true
		}
	}
	return false
}

// AllowableActions returns the actions of catalog, in catalog order, that
// the set could allow for some resource and request context: an
// identity-based or resource-based policy allows the action, the
// boundary, every SCP level and the session policies (when present) have
// an Allow for it, and no unconditional Deny on every resource blocks it.
// Resources, principals and conditions are not otherwise considered, so
// the answer is an upper bound; Evaluate decides a concrete request.
func (s *Set) AllowableActions(catalog []string) []string {
	var out []string
	for _, a := range catalog {
		if s.allowable(a) {
			out = append(out, a)
		}
	}
	return out
}

func (s *Set) allowable(action string) bool {
	allows := func(ps []*Policy) bool {
		for _, p := range ps {
			if p == nil {
				continue
			}
			for _, st := range p.Statements {
				if st.Effect == Allow && st.MatchesAction(action) {
					return true
				}
			}
		}
		return false
	}
	if !allows(s.Identity) && !allows(s.Resource) {
		return false
	}
	if s.Boundary != nil && !allows([]*Policy{s.Boundary}) {
		return false
	}
	if len(s.Session) > 0 && !allows(s.Session) {
		return false
	}
	for _, level := range s.SCPs {
		if !allows(level) {
			return false
		}
	}
	blocked := func(kind Kind, ps []*Policy) bool {
		for _, p := range ps {
			if p == nil {
				continue
			}
			for _, st := range p.Statements {
				if st.Effect == Deny && st.MatchesAction(action) && st.coversEverything(kind) {
					return true
				}
			}
		}
		return false
	}
	if blocked(KindIdentity, s.Identity) || blocked(KindBoundary, []*Policy{s.Boundary}) ||
		blocked(KindSession, s.Session) || blocked(KindRCP, s.RCPs) || blocked(KindResource, s.Resource) {
		return false
	}
	for _, level := range s.SCPs {
		if blocked(KindSCP, level) {
			return false
		}
	}
	return true
}
