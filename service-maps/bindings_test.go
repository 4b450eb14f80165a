package servicemaps_test

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/iamwatch/iamwatch"
	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

// keyModels are the models of the most used services. Their resource
// templates must have no binding the check below flags, except those in
// acceptedBindings.
var keyModels = []string{
	"s3", "dynamodb", "sqs", "sns", "lambda", "iam", "sts", "kms", "secretsmanager", "ssm",
	"logs", "ec2", "ecs", "ecr", "cloudformation", "states", "events", "eventbridge", "kinesis",
	"rds", "monitoring", "s3control",
}

// acceptedBindings are flagged bindings of key models that are right: the
// request member names the resource although its name says otherwise. The
// key is a finding's String without its category.
var acceptedBindings = map[string]string{
	"iam.CreateServiceLinkedRole iam:CreateServiceLinkedRole ${RoleNameWithPath} <- AWSServiceName":         serviceLinkedRole,
	"iam.CreateServiceLinkedRole iam:PutRolePolicy ${RoleNameWithPath} <- AWSServiceName":                   serviceLinkedRole,
	"secretsmanager.CreateSecret secretsmanager:CreateSecret ${SecretId} <- Name":                           secretARN,
	"secretsmanager.CreateSecret secretsmanager:TagResource ${SecretId} <- Name":                            secretARN,
	"secretsmanager.CreateSecret secretsmanager:ReplicateSecretToRegions ${SecretId} <- Name":               secretARN,
	"ssm.StartSession ssm:StartSession ${InstanceId} <- Target":                                             "StartSession's Target is the ID of the instance or managed node the session opens on",
	"ssm.GetCalendarState ssm:GetCalendarState ${DocumentName} <- CalendarNames|name":                       "a change calendar is an SSM document; CalendarNames are the documents' names or ARNs",
	"s3control.DeleteAccessGrant s3:DeleteAccessGrant ${Token} <- AccessGrantId":                            accessGrant,
	"s3control.GetAccessGrant s3:GetAccessGrant ${Token} <- AccessGrantId":                                  accessGrant,
	"s3control.DeleteAccessGrantsLocation s3:DeleteAccessGrantsLocation ${Token} <- AccessGrantsLocationId": accessGrant,
	"s3control.GetAccessGrantsLocation s3:GetAccessGrantsLocation ${Token} <- AccessGrantsLocationId":       accessGrant,
	"s3control.UpdateAccessGrantsLocation s3:UpdateAccessGrantsLocation ${Token} <- AccessGrantsLocationId": accessGrant,
	"states.StartExecution states:DescribeExecution ${ExecutionId} <- name":                                 "an execution's ARN ends in its name, which StartExecution's name gives",
	"iam.DeleteVirtualMFADevice iam:DeleteVirtualMFADevice ${MfaTokenIdWithPath} <- SerialNumber|name":      virtualMFA,
	"iam.ListMFADeviceTags iam:ListMFADeviceTags ${MfaTokenIdWithPath} <- SerialNumber|name":                virtualMFA,
	"iam.TagMFADevice iam:TagMFADevice ${MfaTokenIdWithPath} <- SerialNumber|name":                          virtualMFA,
	"iam.UntagMFADevice iam:UntagMFADevice ${MfaTokenIdWithPath} <- SerialNumber|name":                      virtualMFA,
	"ec2.CreateNetworkAclEntry ec2:CreateNetworkAclEntry ${NaclId} <- NetworkAclId":                         networkACL,
	"ec2.DeleteNetworkAcl ec2:DeleteNetworkAcl ${NaclId} <- NetworkAclId":                                   networkACL,
	"ec2.DeleteNetworkAclEntry ec2:DeleteNetworkAclEntry ${NaclId} <- NetworkAclId":                         networkACL,
	"ec2.ReplaceNetworkAclAssociation ec2:ReplaceNetworkAclAssociation ${NaclId} <- NetworkAclId":           networkACL,
	"ec2.ReplaceNetworkAclEntry ec2:ReplaceNetworkAclEntry ${NaclId} <- NetworkAclId":                       networkACL,
}

const (
	serviceLinkedRole = "a service-linked role's ARN is role/aws-service-role/SERVICE/ROLE: the service name is part of the role's path"
	secretARN         = "a secret's ARN ends in its name, a hyphen and six random characters: ${SecretId} is filled as NAME-??????"
	accessGrant       = "an S3 Access Grants grant's or location's ARN ends in its ID, which the catalog calls ${Token}"
	virtualMFA        = "a virtual MFA device's serial number is its ARN, which ends in mfa/ and the device's name"
	networkACL        = "the catalog calls a network ACL's ID ${NaclId}; the API calls it NetworkAclId"
)

// TestBindingsAgree fits every resource template of the maps to the catalog
// ARN format it fills and checks that the request member bound to each
// placeholder names the same kind of thing: a ${TableName} filled from
// IndexName, a ${KeyPairName} from KeyPairId or a stack's ${Name} from
// ChangeSetName would grant on the wrong resource. Findings of the key
// models fail the test; the others are counted.
func TestBindingsAgree(t *testing.T) {
	m, err := servicemaps.Load()
	if err != nil {
		t.Fatal(err)
	}
	findings := checkBindings(m)
	key := map[string]bool{}
	for _, k := range keyModels {
		key[k] = true
	}
	byModel := map[string]int{}
	var keyCount int
	seen := map[string]bool{}
	for _, f := range findings {
		seen[f.id()] = true
		byModel[f.model]++
		if testing.Verbose() {
			t.Logf("ALL %s", f)
		}
		if !key[f.model] {
			continue
		}
		keyCount++
		if _, ok := acceptedBindings[f.id()]; ok {
			continue
		}
		t.Errorf("%s", f)
	}
	for id := range acceptedBindings {
		if !seen[id] {
			t.Errorf("accepted binding %q is no longer in the maps: remove it from acceptedBindings", id)
		}
	}
	var top []string
	for k, n := range byModel {
		top = append(top, fmt.Sprintf("%5d %s", n, k))
	}
	sort.Sort(sort.Reverse(sort.StringSlice(top)))
	if len(top) > 15 {
		top = top[:15]
	}
	t.Logf("flagged bindings: %d in all, %d in key models (%d accepted); most flagged models:\n%s",
		len(findings), keyCount, len(acceptedBindings), strings.Join(top, "\n"))
}

// TestCheckBindings pins what the check flags and what it lets pass.
func TestCheckBindings(t *testing.T) {
	cat := &servicemaps.IAMService{
		Prefix: "svc",
		Actions: []*servicemaps.IAMAction{
			{Name: "Get", Level: iamwatch.LevelRead, ResourceTypes: []string{"table", "index", "key-pair", "stack"}},
		},
		ResourceTypes: []*servicemaps.ResourceType{
			{Name: "table", ARNFormats: []string{"arn:${Partition}:svc:${Region}:${Account}:table/${TableName}"}},
			{Name: "index", ARNFormats: []string{"arn:${Partition}:svc:${Region}:${Account}:table/${TableName}/index/${IndexName}"}},
			{Name: "key-pair", ARNFormats: []string{"arn:${Partition}:svc:${Region}:${Account}:key-pair/${KeyPairName}"}},
			{Name: "stack", ARNFormats: []string{"arn:${Partition}:svc:${Region}:${Account}:stack/${StackName}/${Id}"}},
		},
	}
	tests := []struct {
		name     string
		resource string
		want     string // category, or "" for no finding
	}{
		{"same kind", "arn:${Partition}:svc:${Region}:${Account}:table/${TableName}", ""},
		{"nested member", "arn:${Partition}:svc:${Region}:${Account}:table/${Spec.N.TableName}", ""},
		{"other kind", "arn:${Partition}:svc:${Region}:${Account}:table/${IndexName}", "kind"},
		{"index format", "arn:${Partition}:svc:${Region}:${Account}:table/${TableName}/index/${IndexName}", ""},
		{"name from id", "arn:${Partition}:svc:${Region}:${Account}:key-pair/${KeyPairId}", "name-id"},
		{"wildcard", "arn:${Partition}:svc:${Region}:${Account}:key-pair/*", ""},
		{"generic placeholder of another type", "arn:${Partition}:svc:${Region}:${Account}:stack/${StackName}/${ChangeSetName}", "kind"},
		{"filter says the kind", "arn:${Partition}:svc:${Region}:${Account}:table/${Statement|partiqltable}", ""},
		{"account from a member", "arn:${Partition}:svc:${Region}:${TableArn|account}:table/${TableArn|name}", ""},
		{"whole ARN member", "${TableArn}", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &servicemaps.Maps{
				IAM: []*servicemaps.IAMService{cat},
				Services: []*servicemaps.Service{{Model: "svc", Ops: []*servicemaps.Operation{{
					Name:    "Get",
					Actions: []servicemaps.ActionTemplate{{Action: "svc:Get", Resources: []string{tt.resource}}},
				}}}},
			}
			m, err := servicemaps.Decode(mustEncode(t, m))
			if err != nil {
				t.Fatal(err)
			}
			fs := checkBindings(m)
			var got string
			if len(fs) > 0 {
				got = fs[0].category
			}
			if got != tt.want || len(fs) > 1 {
				t.Errorf("findings %v, want category %q", fs, tt.want)
			}
		})
	}
}

func mustEncode(t *testing.T, m *servicemaps.Maps) []byte {
	t.Helper()
	b, err := servicemaps.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// bindingFinding is a placeholder filled from a member that names
// something else.
type bindingFinding struct {
	model, op, action    string
	placeholder, member  string
	category, resourceTy string
}

func (f bindingFinding) id() string {
	return fmt.Sprintf("%s.%s %s ${%s} <- %s", f.model, f.op, f.action, f.placeholder, f.member)
}

func (f bindingFinding) String() string {
	return fmt.Sprintf("%s (%s, resource type %s)", f.id(), f.category, f.resourceTy)
}

var (
	placeholderRE = regexp.MustCompile(`\$\{([^}]*)\}`)
	formatREs     = map[string]*formatRE{}
)

// formatRE matches a filled template against a catalog ARN format; each
// placeholder becomes a group.
type formatRE struct {
	re      *regexp.Regexp
	names   []string
	literal int // literal characters: the most specific format wins
}

func compileFormat(f string) *formatRE {
	if fr, ok := formatREs[f]; ok {
		return fr
	}
	fr := &formatRE{}
	var b strings.Builder
	b.WriteString("^")
	last := 0
	for _, loc := range placeholderRE.FindAllStringSubmatchIndex(f, -1) {
		lit := f[last:loc[0]]
		fr.literal += len(lit)
		b.WriteString(regexp.QuoteMeta(lit))
		b.WriteString("(.*?)")
		fr.names = append(fr.names, f[loc[2]:loc[3]])
		last = loc[1]
	}
	fr.literal += len(f[last:])
	b.WriteString(regexp.QuoteMeta(f[last:]))
	b.WriteString("$")
	fr.re = regexp.MustCompile(b.String())
	formatREs[f] = fr
	return fr
}

// checkBindings returns the flagged bindings of every resource template.
func checkBindings(m *servicemaps.Maps) []bindingFinding {
	var out []bindingFinding
	for _, s := range m.Services {
		for _, o := range s.Ops {
			members := opMembers(o)
			check := func(a servicemaps.ActionTemplate) {
				for _, r := range a.Resources {
					out = append(out, checkResource(m, s.Model, o.Name, a.Action, r, members)...)
				}
			}
			for _, a := range o.Actions {
				check(a)
			}
			for _, a := range o.Possible {
				check(a)
			}
			for _, r := range o.Rules {
				for _, a := range r.Add {
					check(a)
				}
			}
		}
	}
	return out
}

// opMembers lists the names of the members an operation's templates and
// wire binding name.
func opMembers(o *servicemaps.Operation) []string {
	seen := map[string]bool{}
	for _, mb := range o.Members {
		seen[mb.Name] = true
	}
	all := append(append([]servicemaps.ActionTemplate(nil), o.Actions...), o.Possible...)
	for _, r := range o.Rules {
		all = append(all, r.Add...)
	}
	for _, a := range all {
		for _, r := range a.Resources {
			for _, ref := range placeholderRE.FindAllStringSubmatch(r, -1) {
				seen[refMember(ref[1])] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		if n != "" {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func checkResource(m *servicemaps.Maps, model, op, action, tmpl string, members []string) []bindingFinding {
	cat := m.Action(action)
	if cat == nil {
		return nil
	}
	prefix, _, _ := strings.Cut(action, ":")
	svc := m.IAMService(prefix)
	// The most specific format the template fits.
	var best *formatRE
	var bestRT string
	var groups []string
	for _, rtName := range cat.ResourceTypes {
		rt := svc.ResourceType(rtName)
		if rt == nil {
			continue
		}
		for _, f := range rt.ARNFormats {
			fr := compileFormat(f)
			g := fr.re.FindStringSubmatch(tmpl)
			if g == nil || (best != nil && fr.literal <= best.literal) {
				continue
			}
			best, bestRT, groups = fr, rtName, g[1:]
		}
	}
	if best == nil {
		return nil
	}
	var out []bindingFinding
	for i, ph := range best.names {
		switch ph {
		case "Partition", "Region", "Account":
			continue
		}
		// A part filled from several members (a path and a name, a
		// function and its qualifier) is right when one of them names the
		// placeholder's kind: the others qualify it.
		var flagged []bindingFinding
		agreed := false
		for _, ref := range placeholderRE.FindAllStringSubmatch(groups[i], -1) {
			name, filters := splitRef(ref[1])
			if name == "" || isContext(name) {
				continue
			}
			member := refMember(ref[1])
			cat := disagree(ph, bestRT, member, filters, members)
			if cat == "" {
				agreed = true
				break
			}
			flagged = append(flagged, bindingFinding{model: model, op: op, action: action, placeholder: ph,
				member: ref[1], category: cat, resourceTy: bestRT})
		}
		if !agreed {
			out = append(out, flagged...)
		}
	}
	return out
}

func isContext(name string) bool {
	return name == "Partition" || name == "Region" || name == "Account" || strings.HasPrefix(name, "@")
}

func splitRef(ref string) (name string, filters []string) {
	parts := strings.Split(ref, "|")
	return parts[0], parts[1:]
}

// refMember is the member a reference names: the last path element of a
// nested member that is not a list index, or a header or query key.
func refMember(ref string) string {
	name, _ := splitRef(ref)
	if k, ok := strings.CutPrefix(name, "h:"); ok {
		return k
	}
	if k, ok := strings.CutPrefix(name, "q:"); ok {
		return k
	}
	if strings.HasPrefix(name, "@") || isContext(name) {
		return ""
	}
	segs := strings.Split(name, ".")
	for i := len(segs) - 1; i >= 0; i-- {
		if segs[i] != "N" && segs[i] != "member" && segs[i] != "" {
			return segs[i]
		}
	}
	return name
}

// filterKinds are the words of what a filter extracts from its value.
var filterKinds = map[string][]string{
	"copybucket": {"bucket"}, "copykey": {"object", "key"}, "partiqltable": {"table"},
	"partiqlindex": {"index"}, "loggroup": {"log", "group"}, "lambdafn": {"function"},
	"keyid": {"key"}, "alias": {"alias"}, "ecsfamily": {"task", "definition", "family"},
	"ecsrevision": {"task", "definition", "revision"}, "ssmparam": {"parameter"}, "secret": {"secret"}, "bedrockmodel": {"model"}, "bedrockprofile": {"profile"}, "bedrockprofilemodel": {"model"}, "queueurl": {"queue"},
	"snstopic": {"topic"},
}

// wordSynonyms are words that name the same thing in ARN placeholders and
// request members.
var wordSynonyms = map[string][]string{
	"object":    {"key"},
	"qualifier": {"alias", "version"}, // Lambda: an alias or version
}

// generic words say nothing about the kind of resource.
var generic = map[string]bool{
	"name": true, "id": true, "arn": true, "identifier": true, "resource": true, "with": true,
	"path": true, "the": true, "of": true, "url": true, "uri": true, "n": true, "member": true,
}

// disagree returns why member should not fill placeholder ph of resource
// type rt, or "".
func disagree(ph, rt, member string, filters []string, members []string) string {
	if strings.EqualFold(ph, member) {
		return ""
	}
	if hasFilter(filters, "keys") {
		// The keys of a map member: its name does not say what they are.
		return ""
	}
	pw, pLast := words(ph)
	mw, mLast := words(member)
	for _, f := range filters {
		mw = append(mw, filterKinds[f]...)
	}
	pSpecific := specific(pw)
	mSpecific := specific(mw)
	if len(pSpecific) == 0 {
		// ${Name}, ${Id}, ${ResourceId}: the resource type says the kind.
		rw, _ := words(rt)
		pSpecific = specific(rw)
	}
	if len(mSpecific) > 0 && len(pSpecific) > 0 && !overlap(pSpecific, mSpecific) {
		return "kind"
	}
	if len(mSpecific) == 0 && len(pSpecific) > 0 {
		// A generic member (Name, Id): wrong when another member names
		// the placeholder's kind.
		for _, other := range members {
			if other == member {
				continue
			}
			ow, oLast := words(other)
			if overlap(specific(ow), pSpecific) && sameKindOfValue(pLast, oLast) && !overlap(specific(ow), wordsOf("role", "policy", "tag", "kms")) {
				return "generic-member"
			}
		}
	}
	if !sameKindOfValue(pLast, mLast) && !hasFilter(filters, "name", "last", "keyid", "alias", "lambdafn", "loggroup", "ssmparam", "secret", "queueurl") {
		return "name-id"
	}
	return ""
}

func hasFilter(fs []string, names ...string) bool {
	for _, f := range fs {
		for _, n := range names {
			if f == n {
				return true
			}
		}
	}
	return false
}

func wordsOf(ws ...string) []string { return ws }

// sameKindOfValue is false for a name filled from an ID or an ID from a
// name.
func sameKindOfValue(a, b string) bool {
	return !(a == "name" && b == "id" || a == "id" && b == "name")
}

func specific(ws []string) []string {
	var out []string
	for _, w := range ws {
		if !generic[w] {
			out = append(out, w)
		}
	}
	return out
}

func overlap(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y || strings.HasPrefix(x, y) && len(y) >= 3 || strings.HasPrefix(y, x) && len(x) >= 3 {
				return true
			}
			// A resource type written as one word ends in the member's:
			// SSM's maintenancewindow is a WindowId's, servicesetting a
			// SettingId's.
			if strings.HasSuffix(x, y) && len(y) >= 5 || strings.HasSuffix(y, x) && len(x) >= 5 {
				return true
			}
			for _, s := range wordSynonyms[x] {
				if s == y {
					return true
				}
			}
			for _, s := range wordSynonyms[y] {
				if s == x {
					return true
				}
			}
		}
	}
	return false
}

// words splits a camelCase, kebab-case or snake_case name into lower-case,
// singular words, and returns the last one ("name", "id", ...).
func words(s string) (ws []string, last string) {
	var cur []rune
	flush := func() {
		if len(cur) == 0 {
			return
		}
		w := strings.ToLower(string(cur))
		if w == "ids" || w == "arns" {
			w = strings.TrimSuffix(w, "s")
		} else if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") &&
			!strings.HasSuffix(w, "as") && !strings.HasSuffix(w, "is") && !strings.HasSuffix(w, "us") {
			w = strings.TrimSuffix(w, "s")
		}
		ws = append(ws, w)
		cur = cur[:0]
	}
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
			continue
		case unicode.IsUpper(r) && len(cur) > 0:
			prevLower := unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1])
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if prevLower || (unicode.IsUpper(rs[i-1]) && nextLower) {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	if len(ws) > 0 {
		last = ws[len(ws)-1]
		if last == "identifier" {
			last = ""
		}
	}
	return ws, last
}
