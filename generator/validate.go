package generator

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

// maxProblems bounds how many violations one error lists.
const maxProblems = 20

// Validate checks p against the IAM catalog m (nil: the embedded one):
// every action must be in the catalog, and every resource must be "*" or
// an ARN that one ARN format of its action's resource types allows. The
// error wraps ErrInvalid and names each violation.
//
// "*" is always accepted: IAM requires it for actions without resource
// types, ResourcesService emits it on purpose, and a call whose resource
// nobody saw can be allowed no other way. A specific ARN on an action
// without resource types is a violation, because IAM never matches it and
// the policy would deny the call. A wildcard ARN is accepted only when its
// wildcards fall inside placeholders of one format, so that everything it
// grants is of a resource type the action takes (arn:aws:s3:::bucket/*
// for s3:GetObject; never arn:aws:s3:::*, which would also match buckets).
func Validate(p Policy, m *servicemaps.Maps) error {
	cat, err := newCatalog(m)
	if err != nil {
		return err
	}
	return validate(p, cat)
}

func validate(p Policy, cat *catalog) error {
	var problems []error
	report := func(format string, args ...any) {
		problems = append(problems, fmt.Errorf(format, args...))
	}
	if p.Version != Version {
		report("version %q is not %q", p.Version, Version)
	}
	for _, s := range p.Statement {
		if s.Effect != "Allow" {
			report("statement %s: effect %q is not Allow", s.Sid, s.Effect)
		}
		if len(s.Action) == 0 || len(s.Resource) == 0 {
			report("statement %s: no action or no resource", s.Sid)
		}
		for _, a := range s.Action {
			entry := cat.action(a)
			if entry == nil {
				report("statement %s: action %q is not in the IAM catalog", s.Sid, a)
				continue
			}
			formats := cat.formatsOf(cat.canonical(a))
			for _, r := range s.Resource {
				if r == "*" {
					continue
				}
				if !utf8.ValidString(r) {
					report("statement %s: resource %q is not UTF-8", s.Sid, r)
					continue
				}
				if len(entry.ResourceTypes) == 0 {
					report("statement %s: %s takes no resource type, so it needs \"*\", not %q", s.Sid, a, r)
					continue
				}
				if !matchesAny(formats, r) {
					report("statement %s: %q matches no ARN format of %s's resource types (%s)",
						s.Sid, r, a, strings.Join(entry.ResourceTypes, ", "))
				}
			}
		}
	}
	if len(problems) == 0 {
		return nil
	}
	n := len(problems)
	if n > maxProblems {
		problems = append(problems[:maxProblems], fmt.Errorf("and %d more", n-maxProblems))
	}
	return fmt.Errorf("%w (%d problems): %w", ErrInvalid, n, errors.Join(problems...))
}

func matchesAny(formats []*arnFormat, arn string) bool {
	for _, f := range formats {
		if _, ok := f.match(arn); ok {
			return true
		}
	}
	return false
}
