// Package grants reads what a configuration grants, for `iamwatch diff
// --against FILE`: IAM policy documents (JSON or YAML), the output of
// `aws iam get-account-authorization-details`, Terraform plans and states
// from `terraform show -json`, and CloudFormation templates (YAML or JSON).
//
// It is pure: it takes the bytes of one file and the file's name (for
// messages) and never opens files itself. Its output is raw policy
// documents, normalized to compact JSON with sorted keys; evaluating them is
// another package's business.
//
// Nothing the input leaves undecided is dropped silently. A value that is
// only known at deploy time (an unknown-after-apply Terraform attribute, a
// CloudFormation !Ref to a generated name, an unknown account ID) stays in
// the document as a "${...}" placeholder naming what it stands for, and the
// grant's Conditional lists where and why: "${AWS::AccountId}",
// "${DataBucket.Arn}", "${aws_s3_bucket.data.arn}". A placeholder is never
// a wildcard, and its name is no request context key, so an evaluator
// should let it match nothing: a grant is never widened by what cannot be
// read, and the notes say where it may be narrower than deployed. Policies
// that are referenced but whose content is not in the file (AWS-managed
// policies, say) are named in the warnings.
//
// What each format yields:
//
//   - A policy document: one grant of Reader.Kind, attached to no one (or
//     to the role, user or group that get-role-policy output names).
//   - Authorization details: every role, user and group with its inline
//     policies, the default version of each attached managed policy and its
//     permissions boundary; a user also gets its groups' grants. Trust
//     policies are not grants and are skipped.
//   - A Terraform plan or state: aws_iam_role, _user and _group with their
//     inline_policy blocks, managed_policy_arns and permissions_boundary;
//     aws_iam_*_policy, the policy attachments and group memberships;
//     bucket, queue, topic, repository and key policies. Links go by value
//     when it is known and through the configuration's references (module
//     inputs and outputs included) when it is not. A policy that is unknown
//     until apply but comes from an aws_iam_policy_document data source is
//     rendered from the data source's arguments.
//   - A CloudFormation template: AWS::IAM::Role, User and Group (Policies,
//     ManagedPolicyArns, PermissionsBoundary, Groups), AWS::IAM::Policy,
//     ManagedPolicy, RolePolicy, UserPolicy, GroupPolicy and
//     UserToGroupAddition, and bucket, queue, topic, key and repository
//     policies. A resource whose Condition is false is left out; an
//     undecidable Fn::If or resource Condition is assumed true and noted.
//
// A managed policy that the file defines but attaches to no one is left
// out with a warning, unless the file defines no principal at all.
package grants

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Kind is a grant's role in evaluation.
type Kind string

// The kinds of grant.
const (
	// KindIdentity is an identity-based policy: inline or managed, attached
	// to a role, user or group.
	KindIdentity Kind = "identity"
	// KindBoundary is a permissions boundary: it caps, never grants.
	KindBoundary Kind = "boundary"
	// KindResource is a resource-based policy (bucket, queue, topic, key
	// policy); it names its principals inside the document.
	KindResource Kind = "resource"
	// KindSCP is a service control policy. No input format here carries
	// one; a bare policy file becomes one when Reader.Kind says so.
	KindSCP Kind = "scp"
)

// Format is the kind of file an Input was read from.
type Format string

// The formats Read recognizes.
const (
	FormatPolicy         Format = "policy"         // an IAM policy document, JSON or YAML
	FormatAuthz          Format = "authz"          // aws iam get-account-authorization-details
	FormatTerraform      Format = "terraform"      // terraform show -json, of a plan or a state
	FormatCloudFormation Format = "cloudformation" // a CloudFormation template, YAML or JSON
)

// The principal types.
const (
	TypeRole  = "role"
	TypeUser  = "user"
	TypeGroup = "group"
)

// Principal is a role, user or group that the input defines or attaches
// policies to.
type Principal struct {
	Type string `json:"type"` // TypeRole, TypeUser or TypeGroup
	// Name is the IAM name, empty when the input leaves it to deploy time.
	Name string `json:"name,omitempty"`
	// ARN is empty when the input does not determine it.
	ARN string `json:"arn,omitempty"`
	// Address is where the input defines the principal: a Terraform
	// resource address ("module.app.aws_iam_role.this") or a CloudFormation
	// logical ID ("AppRole"). Empty for authorization details, and for a
	// principal the input only refers to by name.
	Address string `json:"address,omitempty"`
	// Groups are the IDs of the groups a user belongs to.
	Groups []string `json:"groups,omitempty"`
}

// ID is the key that Grant.Principal and Principal.Groups use: the ARN when
// known, else the address, else "type/name".
func (p Principal) ID() string {
	switch {
	case p.ARN != "":
		return p.ARN
	case p.Address != "":
		return p.Address
	default:
		return p.Type + "/" + p.Name
	}
}

// String describes the principal for messages: "role app-role (arn:…)".
func (p Principal) String() string {
	name := p.Name
	if name == "" {
		name = p.Address
	}
	s := p.Type + " " + name
	if id := p.ID(); id != name && id != p.Type+"/"+p.Name {
		s += " (" + id + ")"
	}
	return s
}

// Grant is one policy document in the role it plays for one principal. A
// managed policy attached to two roles is two grants.
type Grant struct {
	Kind Kind `json:"kind"`
	// Principal is the ID of the principal the grant is attached to; empty
	// for resource policies and for a policy the input attaches to no one.
	Principal string `json:"principal,omitempty"`
	// Source locates the document for a person: "plan.json:
	// aws_iam_role_policy.app", "template.yaml: Resources.AppRole.Policies[0]".
	Source string `json:"source"`
	// Document is the policy, compact JSON with sorted keys.
	Document json.RawMessage `json:"document"`
	// Conditional lists the parts of the document that the input leaves
	// undecided ("Statement[0].Resource: …"), each kept as a placeholder.
	Conditional []string `json:"conditional,omitempty"`
}

// Input is what one file grants.
type Input struct {
	Name       string // the file name given to Read
	Format     Format
	Principals []Principal
	Grants     []Grant
	// Warnings name what the file refers to but does not contain, and what
	// was left out, with the principal concerned when there is one.
	Warnings []string

	warnFor   [][]string      // warnFor[i] are the principal IDs Warnings[i] concerns; empty for all
	grantKeys map[string]bool // principal, kind and source of each grant
}

// Selection is the part of an Input that applies to one principal.
type Selection struct {
	// Principal is the chosen principal; nil when the input names none.
	Principal *Principal
	// Grants are the principal's identity policies (its groups' included),
	// its boundary, and every resource policy in the input.
	Grants []Grant
	// Warnings are the input's warnings about this principal, its groups
	// or no principal in particular.
	Warnings []string
}

// Errors returned by Read and For, checked with errors.Is.
var (
	ErrUnrecognized       = errors.New("not a policy document, Terraform plan, CloudFormation template or authorization details")
	ErrNoPrincipal        = errors.New("no such principal")
	ErrAmbiguousPrincipal = errors.New("more than one principal")
)

// PrincipalError says why For could not choose a principal, with the
// candidates to choose from. It unwraps to ErrNoPrincipal or
// ErrAmbiguousPrincipal.
type PrincipalError struct {
	File       string
	Query      string // what was asked for; empty when nothing was
	Candidates []Principal
	Err        error
}

// maxCandidates bounds the list an error message spells out; an account's
// authorization details can hold hundreds of roles.
const maxCandidates = 20

func (e *PrincipalError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	b.WriteString(": ")
	if e.Query != "" {
		fmt.Fprintf(&b, "principal %q: ", e.Query)
	}
	b.WriteString(e.Err.Error())
	if len(e.Candidates) == 0 {
		b.WriteString("; the file defines no role, user or group")
		return b.String()
	}
	b.WriteString("; choose one of: ")
	for i, p := range e.Candidates {
		if i == maxCandidates {
			fmt.Fprintf(&b, ", and %d more", len(e.Candidates)-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

func (e *PrincipalError) Unwrap() error { return e.Err }

// Reader reads with knowledge the file may lack. Its zero value is ready to
// use: unknown account and region stay placeholders.
type Reader struct {
	// AccountID, Region and Partition fill CloudFormation's pseudo
	// parameters. Partition defaults to "aws".
	AccountID string
	Region    string
	Partition string
	// StackName fills AWS::StackName.
	StackName string
	// Parameters are CloudFormation parameter values; they override the
	// template's defaults. List parameters are comma-separated.
	Parameters map[string]string
	// Kind is the kind of grant a bare policy document makes; KindIdentity
	// when empty.
	Kind Kind
	// Format skips detection when set.
	Format Format
}

// Read reads one file with a zero Reader.
func Read(name string, data []byte) (*Input, error) {
	return Reader{}.Read(name, data)
}

// Read detects the file's format and reads what it grants. name is used in
// messages and grant sources only.
func (r Reader) Read(name string, data []byte) (*Input, error) {
	tree, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %s", name, ErrUnrecognized, err)
	}
	format := r.Format
	if format == "" {
		format, err = detect(tree)
		if err != nil {
			return nil, fmt.Errorf("%s: %w: %s", name, ErrUnrecognized, err)
		}
	}
	top, ok := tree.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: read %s: top level is %s, not an object", name, format, describe(tree))
	}
	in := &Input{Name: name, Format: format}
	switch format {
	case FormatPolicy:
		err = r.readPolicy(in, top)
	case FormatAuthz:
		err = readAuthz(in, top)
	case FormatTerraform:
		err = readTerraform(in, top)
	case FormatCloudFormation:
		err = r.readCloudFormation(in, top)
	default:
		return nil, fmt.Errorf("%s: unknown format %q", name, format)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: read %s: %w", name, format, err)
	}
	in.warnExternalGroups()
	return in, nil
}

// warnExternalGroups names the groups that users belong to but the file
// does not define: their policies are missing from the comparison.
func (in *Input) warnExternalGroups() {
	byID := map[string]Principal{}
	for _, p := range in.Principals {
		byID[p.ID()] = p
	}
	for _, p := range in.Principals {
		for _, g := range p.Groups {
			if gp := byID[g]; gp.Address == "" && gp.ARN == "" && in.Format != FormatAuthz {
				in.warn(p.ID(), "%s: %s is in group %s, which the file does not define; the group's policies are unknown", in.Name, p, gp.Name)
			}
		}
	}
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// decode parses JSON, or YAML when the data does not start like JSON.
func decode(data []byte) (any, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errors.New("the file is empty")
	}
	if trimmed[0] == '{' || trimmed[0] == '[' {
		v, err := parseJSON(trimmed)
		if err != nil {
			return nil, fmt.Errorf("invalid JSON: %w", err)
		}
		return v, nil
	}
	v, err := parseYAML(data)
	if err != nil {
		return nil, fmt.Errorf("neither JSON nor valid YAML: %w", err)
	}
	return v, nil
}

// detect names the format of a decoded file by its top-level keys.
func detect(tree any) (Format, error) {
	top, ok := tree.(map[string]any)
	if !ok {
		return "", fmt.Errorf("top level is %s, not an object", describe(tree))
	}
	has := func(k string) bool { _, ok := top[k]; return ok }
	switch {
	case has("format_version") && (has("planned_values") || has("prior_state") || has("resource_changes") || has("values") || has("configuration")):
		return FormatTerraform, nil
	case has("RoleDetailList") || has("UserDetailList") || has("GroupDetailList"):
		return FormatAuthz, nil
	case has("Resources") || has("AWSTemplateFormatVersion"):
		return FormatCloudFormation, nil
	case has("Statement") || has("PolicyDocument") || has("PolicyVersion"):
		return FormatPolicy, nil
	}
	if _, ok := top["Policies"].([]any); ok {
		return FormatAuthz, nil // a Filter=LocalManagedPolicy listing
	}
	keys := sortedKeys(top)
	if len(keys) == 0 {
		return "", errors.New("an empty object")
	}
	if len(keys) > 6 {
		keys = append(keys[:6], "…")
	}
	return "", fmt.Errorf("an object with keys %s", strings.Join(keys, ", "))
}

func describe(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		return "a string"
	case nil:
		return "null"
	default:
		return "a scalar"
	}
}

// For chooses the grants that apply to one principal, named by ARN, name or
// address (a Terraform address may leave out its module path when that is
// unambiguous). An empty name chooses the only role or user the input
// defines; in an input that defines no principal it chooses every grant.
// When the name fits no principal, or several, the error is a
// *PrincipalError listing the candidates.
func (in *Input) For(name string) (Selection, error) {
	var sel Selection
	if len(in.Principals) == 0 {
		if name != "" {
			return sel, &PrincipalError{File: in.Name, Query: name, Err: ErrNoPrincipal}
		}
		sel.Grants = append(sel.Grants, in.Grants...)
		sel.Warnings = append(sel.Warnings, in.Warnings...)
		return sel, nil
	}
	p, err := in.find(name)
	if err != nil {
		return sel, err
	}
	sel.Principal = &p
	if p.Address == "" && in.Format != FormatAuthz {
		sel.Warnings = append(sel.Warnings, fmt.Sprintf("%s: %s is defined elsewhere; only the policies this file attaches to it are compared", in.Name, p))
	}
	ids := map[string]bool{p.ID(): true}
	for _, g := range p.Groups {
		ids[g] = true
	}
	for _, g := range in.Grants {
		if ids[g.Principal] || g.Kind == KindResource && g.Principal == "" {
			sel.Grants = append(sel.Grants, g)
		}
	}
	for i, w := range in.Warnings {
		concerns := len(in.warnFor[i]) == 0
		for _, id := range in.warnFor[i] {
			concerns = concerns || ids[id]
		}
		if concerns {
			sel.Warnings = append(sel.Warnings, w)
		}
	}
	return sel, nil
}

func (in *Input) find(name string) (Principal, error) {
	if name == "" {
		var pick []Principal
		for _, p := range in.Principals {
			if p.Type != TypeGroup {
				pick = append(pick, p)
			}
		}
		if len(pick) == 0 {
			pick = in.Principals // a file that defines only groups
		}
		if len(pick) == 1 {
			return pick[0], nil
		}
		return Principal{}, &PrincipalError{File: in.Name, Candidates: in.Principals, Err: ErrAmbiguousPrincipal}
	}
	// A principal's ID first (IDs are unique, so For(p.ID()) always
	// chooses p, even when another principal's name is that ID), then
	// other exact matches, then IAM's case-insensitive names, then a
	// Terraform address without its module path.
	tests := []func(Principal) bool{
		func(p Principal) bool { return p.ID() == name },
		func(p Principal) bool { return p.ARN == name || p.Address == name || p.Name == name },
		func(p Principal) bool { return p.Name != "" && strings.EqualFold(p.Name, name) },
		func(p Principal) bool { return strings.HasSuffix(p.Address, "."+name) },
	}
	for _, match := range tests {
		var found []Principal
		for _, p := range in.Principals {
			if match(p) {
				found = append(found, p)
			}
		}
		switch len(found) {
		case 0:
			continue
		case 1:
			return found[0], nil
		default:
			return Principal{}, &PrincipalError{File: in.Name, Query: name, Candidates: found, Err: ErrAmbiguousPrincipal}
		}
	}
	return Principal{}, &PrincipalError{File: in.Name, Query: name, Candidates: in.Principals, Err: ErrNoPrincipal}
}

// warn records a warning about the principal with ID principal ("" for the
// file as a whole).
func (in *Input) warn(principal, format string, args ...any) {
	w := fmt.Sprintf(format, args...)
	for i, old := range in.Warnings {
		if old != w {
			continue
		}
		// The same warning about another principal: it concerns both, and
		// one about the whole file concerns everyone.
		switch {
		case len(in.warnFor[i]) == 0:
		case principal == "":
			in.warnFor[i] = nil
		default:
			in.warnFor[i] = dedupe(append(in.warnFor[i], principal))
		}
		return
	}
	in.Warnings = append(in.Warnings, w)
	var concerns []string
	if principal != "" {
		concerns = []string{principal}
	}
	in.warnFor = append(in.warnFor, concerns)
}

// addGrant normalizes doc and appends the grant, once per principal, kind
// and source.
func (in *Input) addGrant(g Grant, doc any) error {
	raw, err := normalize(doc)
	if err != nil {
		return err
	}
	g.Document = raw
	key := g.Principal + "\x00" + string(g.Kind) + "\x00" + g.Source
	if in.grantKeys[key] {
		return nil
	}
	if in.grantKeys == nil {
		in.grantKeys = map[string]bool{}
	}
	in.grantKeys[key] = true
	in.Grants = append(in.Grants, g)
	return nil
}

// addPrincipal returns the index of p in in.Principals, adding it when no
// principal has its ID.
func (in *Input) addPrincipal(p Principal) int {
	id := p.ID()
	for i, old := range in.Principals {
		if old.ID() == id {
			return i
		}
	}
	in.Principals = append(in.Principals, p)
	return len(in.Principals) - 1
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// dedupe returns s without repeats, in first-seen order.
func dedupe(s []string) []string {
	seen := map[string]bool{}
	out := s[:0:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
