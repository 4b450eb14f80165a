package grants

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// cfn is a CloudFormation template being read.
type cfn struct {
	r         Reader
	params    map[string]map[string]any
	mappings  map[string]any
	conds     map[string]any
	res       map[string]map[string]any // logical ID → resource (Type, Properties, Condition)
	condMemo  map[string]condResult
	nameMemo  map[string]decided
	busy      map[string]bool // conditions and names being resolved, against cycles
	transform []string
}

type condResult struct {
	v       tri
	reasons []string
}

// decided is a value resolved on its own, with the notes that say what in
// it the template leaves undecided.
type decided struct {
	v     any
	notes []string
}

type tri int

const (
	triUnknown tri = iota
	triTrue
	triFalse
)

// unresolved stands for a value only the deployment decides. It becomes
// its text, a "${...}" placeholder, in the output.
type unresolved struct {
	text string
	list bool // stands for a list
}

// noValue is AWS::NoValue: the property or element is left out.
type noValue struct{}

// resolver evaluates intrinsic functions, noting what it cannot decide.
type resolver struct {
	t     *cfn
	notes []string
	steps int
}

// maxSteps bounds the work of one resolution; names are memoized, so only a
// hostile template comes near it.
const maxSteps = 200000

func (x *resolver) note(path, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	for _, n := range x.notes {
		if n == msg {
			return
		}
	}
	x.notes = append(x.notes, msg)
}

// resolve evaluates the intrinsic functions in v. path locates v for notes.
func (t *cfn) resolve(v any, path string) decided {
	x := &resolver{t: t}
	out := finalize(x.value(v, path))
	return decided{out, x.notes}
}

// text returns a resolved scalar as a string: a decided one when there are
// no notes.
func (d decided) text() (string, bool) {
	s, ok := scalarText(d.v)
	return s, ok && len(d.notes) == 0
}

func (x *resolver) value(v any, path string) any {
	x.steps++
	if x.steps > maxSteps {
		x.note(path, "too many steps to resolve; left undecided")
		return unresolved{text: "${…}"}
	}
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 1 {
			for k, arg := range v {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") {
					return x.intrinsic(k, arg, path)
				}
			}
		}
		out := make(map[string]any, len(v))
		for _, k := range sortedKeys(v) {
			e := x.value(v[k], join(path, k))
			if _, ok := e.(noValue); !ok {
				out[k] = e
			}
		}
		return out
	case []any:
		out := make([]any, 0, len(v))
		for i, e := range v {
			e = x.value(e, fmt.Sprintf("%s[%d]", path, i))
			if _, ok := e.(noValue); !ok {
				out = append(out, e)
			}
		}
		return out
	}
	return v
}

func (x *resolver) intrinsic(fn string, arg any, path string) any {
	args, _ := arg.([]any)
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			x.note(path, "Ref takes a name, not %s", describe(arg))
			return unresolved{text: "${Ref}"}
		}
		return x.ref(name, path)
	case "Fn::GetAtt":
		var res, attr string
		switch a := arg.(type) {
		case string:
			res, attr, _ = strings.Cut(a, ".")
		case []any:
			if len(a) == 2 {
				res = str(a[0])
				attr, _ = x.text(x.value(a[1], path), path)
			}
		}
		if res == "" || attr == "" {
			x.note(path, "Fn::GetAtt takes [resource, attribute]")
			return unresolved{text: "${Fn::GetAtt}"}
		}
		return x.getAtt(res, attr, path)
	case "Fn::Sub":
		return x.sub(arg, path)
	case "Fn::Join":
		if len(args) != 2 {
			x.note(path, "Fn::Join takes [delimiter, list]")
			return unresolved{text: "${Fn::Join}"}
		}
		delim, _ := x.text(x.value(args[0], path), path)
		l := x.value(args[1], path)
		if u, ok := l.(unresolved); ok {
			return unresolved{text: u.text}
		}
		items, ok := l.([]any)
		if !ok {
			x.note(path, "Fn::Join needs a list, got %s", describe(l))
			return unresolved{text: "${Fn::Join}"}
		}
		parts := make([]string, 0, len(items))
		for _, e := range items {
			s, _ := x.text(e, path)
			parts = append(parts, s)
		}
		return strings.Join(parts, delim)
	case "Fn::If":
		if len(args) != 3 {
			x.note(path, "Fn::If takes [condition, then, else]")
			return unresolved{text: "${Fn::If}"}
		}
		name := str(args[0])
		c := x.t.condition(name)
		switch c.v {
		case triTrue:
			return x.value(args[1], path)
		case triFalse:
			return x.value(args[2], path)
		}
		x.note(path, "Fn::If %s: %s; assumed true", name, undecidable(c.reasons))
		return x.value(args[1], path)
	case "Fn::Select":
		if len(args) != 2 {
			x.note(path, "Fn::Select takes [index, list]")
			return unresolved{text: "${Fn::Select}"}
		}
		is, _ := x.text(x.value(args[0], path), path)
		i, err := strconv.Atoi(is)
		l := x.value(args[1], path)
		if u, ok := l.(unresolved); ok {
			return unresolved{text: "${" + strings.TrimSuffix(strings.TrimPrefix(u.text, "${"), "}") + "[" + is + "]}"}
		}
		items, ok := l.([]any)
		if err != nil || !ok || i < 0 || i >= len(items) {
			x.note(path, "Fn::Select: index %s is not in the list", is)
			return unresolved{text: "${Fn::Select}"}
		}
		return items[i]
	case "Fn::Split":
		if len(args) != 2 {
			x.note(path, "Fn::Split takes [delimiter, string]")
			return unresolved{text: "${Fn::Split}", list: true}
		}
		delim, _ := x.text(x.value(args[0], path), path)
		src := x.value(args[1], path)
		if u, ok := src.(unresolved); ok {
			return unresolved{text: u.text, list: true}
		}
		s, _ := x.text(src, path)
		if delim == "" {
			x.note(path, "Fn::Split: empty delimiter")
			return []any{s}
		}
		var out []any
		for _, p := range strings.Split(s, delim) {
			out = append(out, p)
		}
		return out
	case "Fn::ImportValue":
		name, _ := x.text(x.value(arg, path), path)
		x.note(path, "Fn::ImportValue %s: another stack's export, known at deploy", name)
		return unresolved{text: "${ImportValue:" + name + "}"}
	case "Fn::FindInMap":
		return x.findInMap(args, path)
	case "Fn::Base64":
		v := x.value(arg, path)
		if u, ok := v.(unresolved); ok {
			return u
		}
		s, _ := x.text(v, path)
		return base64.StdEncoding.EncodeToString([]byte(s))
	case "Fn::Cidr":
		return x.cidr(args, path)
	case "Fn::GetAZs":
		x.note(path, "Fn::GetAZs: the availability zones are listed at deploy")
		return unresolved{text: "${Fn::GetAZs}", list: true}
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not":
		c := x.t.evalCondition(map[string]any{fn: arg})
		switch c.v {
		case triTrue:
			return true
		case triFalse:
			return false
		}
		x.note(path, "%s: %s", fn, undecidable(c.reasons))
		return unresolved{text: "${" + fn + "}"}
	case "Fn::Length":
		l := x.value(arg, path)
		if items, ok := l.([]any); ok {
			return json.Number(strconv.Itoa(len(items)))
		}
		x.note(path, "Fn::Length: the list is decided at deploy")
		return unresolved{text: "${Fn::Length}"}
	case "Fn::ToJsonString":
		v := finalize(x.value(arg, path))
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			x.note(path, "Fn::ToJsonString: %v", err)
			return unresolved{text: "${Fn::ToJsonString}"}
		}
		return strings.TrimSuffix(b.String(), "\n")
	case "Fn::Transform":
		x.note(path, "Fn::Transform: a macro's output is known at deploy")
		return unresolved{text: "${Fn::Transform}"}
	}
	x.note(path, "%s is not supported", fn)
	return unresolved{text: "${" + fn + "}"}
}

func undecidable(reasons []string) string {
	if len(reasons) == 0 {
		return "undecidable"
	}
	return "undecidable (" + strings.Join(reasons, "; ") + ")"
}

// text renders a resolved scalar for string contexts (Sub, Join): an
// unresolved value becomes its placeholder.
func (x *resolver) text(v any, path string) (string, bool) {
	if s, ok := scalarText(v); ok {
		return s, true
	}
	x.note(path, "expected a string, got %s", describe(v))
	return "", false
}

func scalarText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	case unresolved:
		return v.text, true
	}
	return "", false
}

// finalize turns placeholders into their text and drops AWS::NoValue.
func finalize(v any) any {
	switch v := v.(type) {
	case unresolved:
		if v.list {
			return []any{v.text}
		}
		return v.text
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			if _, ok := e.(noValue); !ok {
				out[k] = finalize(e)
			}
		}
		return out
	case []any:
		out := make([]any, 0, len(v))
		for _, e := range v {
			if _, ok := e.(noValue); !ok {
				out = append(out, finalize(e))
			}
		}
		return out
	case noValue:
		return nil
	}
	return v
}

func (t *cfn) partition() string {
	if t.r.Partition != "" {
		return t.r.Partition
	}
	return "aws"
}

// urlSuffixes are AWS::URLSuffix by partition.
var urlSuffixes = map[string]string{
	"aws":        "amazonaws.com",
	"aws-cn":     "amazonaws.com.cn",
	"aws-us-gov": "amazonaws.com",
	"aws-iso":    "c2s.ic.gov",
	"aws-iso-b":  "sc2s.sgov.gov",
}

func (x *resolver) pseudo(name, value, path string) any {
	if value != "" {
		return value
	}
	x.note(path, "%s is not known", name)
	return unresolved{text: "${" + name + "}"}
}

func (x *resolver) ref(name, path string) any {
	t := x.t
	switch name {
	case "AWS::AccountId":
		return x.pseudo(name, t.r.AccountID, path)
	case "AWS::Region":
		return x.pseudo(name, t.r.Region, path)
	case "AWS::Partition":
		return t.partition()
	case "AWS::URLSuffix":
		return x.pseudo(name, urlSuffixes[t.partition()], path)
	case "AWS::StackName":
		return x.pseudo(name, t.r.StackName, path)
	case "AWS::StackId", "AWS::NotificationARNs":
		x.note(path, "%s is known at deploy", name)
		return unresolved{text: "${" + name + "}", list: name == "AWS::NotificationARNs"}
	case "AWS::NoValue":
		return noValue{}
	}
	if p, ok := t.params[name]; ok {
		return x.param(name, p, path)
	}
	if _, ok := t.res[name]; ok {
		return x.resource(name, "", path)
	}
	x.note(path, "Ref %s: no such parameter or resource", name)
	return unresolved{text: "${" + name + "}"}
}

func (x *resolver) param(name string, p map[string]any, path string) any {
	typ := str(p["Type"])
	isList := typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<")
	if strings.HasPrefix(typ, "AWS::SSM::Parameter::Value<") {
		x.note(path, "parameter %s is read from Systems Manager at deploy", name)
		return unresolved{text: "${" + name + "}", list: strings.Contains(typ, "List<")}
	}
	v, given := x.t.r.Parameters[name]
	if !given {
		switch d := p["Default"].(type) {
		case nil:
			x.note(path, "parameter %s has no Default and no value was given", name)
			return unresolved{text: "${" + name + "}", list: isList}
		case []any:
			return d
		default:
			v, _ = scalarText(d)
		}
	}
	if !isList {
		return v
	}
	var out []any
	for _, e := range strings.Split(v, ",") {
		out = append(out, strings.TrimSpace(e))
	}
	return out
}

// cfnKind says how a resource type answers Ref and Fn::GetAtt, for the
// types whose physical IDs follow from a name the template can set.
type cfnKind struct {
	nameProp string
	ref      string            // what Ref returns: "name", "arn" or "url"; "" when it is decided at deploy
	arn      string            // ARN pattern: {p} partition, {r} region, {a} account, {path} IAM path, {n} name
	attrs    map[string]string // GetAtt attribute → "name", "arn" or "url"
}

var cfnKinds = map[string]cfnKind{
	"AWS::IAM::Role":                   {"RoleName", "name", "arn:{p}:iam::{a}:role{path}{n}", map[string]string{"Arn": "arn"}},
	"AWS::IAM::User":                   {"UserName", "name", "arn:{p}:iam::{a}:user{path}{n}", map[string]string{"Arn": "arn"}},
	"AWS::IAM::Group":                  {"GroupName", "name", "arn:{p}:iam::{a}:group{path}{n}", map[string]string{"Arn": "arn"}},
	"AWS::IAM::ManagedPolicy":          {"ManagedPolicyName", "arn", "arn:{p}:iam::{a}:policy{path}{n}", map[string]string{"PolicyArn": "arn"}},
	"AWS::IAM::InstanceProfile":        {"InstanceProfileName", "name", "arn:{p}:iam::{a}:instance-profile{path}{n}", map[string]string{"Arn": "arn"}},
	"AWS::S3::Bucket":                  {"BucketName", "name", "arn:{p}:s3:::{n}", map[string]string{"Arn": "arn"}},
	"AWS::SQS::Queue":                  {"QueueName", "url", "arn:{p}:sqs:{r}:{a}:{n}", map[string]string{"Arn": "arn", "QueueName": "name", "QueueUrl": "url"}},
	"AWS::SNS::Topic":                  {"TopicName", "arn", "arn:{p}:sns:{r}:{a}:{n}", map[string]string{"TopicArn": "arn", "TopicName": "name"}},
	"AWS::DynamoDB::Table":             {"TableName", "name", "arn:{p}:dynamodb:{r}:{a}:table/{n}", map[string]string{"Arn": "arn"}},
	"AWS::Lambda::Function":            {"FunctionName", "name", "arn:{p}:lambda:{r}:{a}:function:{n}", map[string]string{"Arn": "arn"}},
	"AWS::Logs::LogGroup":              {"LogGroupName", "name", "arn:{p}:logs:{r}:{a}:log-group:{n}:*", map[string]string{"Arn": "arn"}},
	"AWS::Kinesis::Stream":             {"Name", "name", "arn:{p}:kinesis:{r}:{a}:stream/{n}", map[string]string{"Arn": "arn"}},
	"AWS::StepFunctions::StateMachine": {"StateMachineName", "arn", "arn:{p}:states:{r}:{a}:stateMachine:{n}", map[string]string{"Arn": "arn", "Name": "name"}},
	"AWS::ECR::Repository":             {"RepositoryName", "name", "arn:{p}:ecr:{r}:{a}:repository/{n}", map[string]string{"Arn": "arn"}},
	"AWS::Events::EventBus":            {"Name", "name", "arn:{p}:events:{r}:{a}:event-bus/{n}", map[string]string{"Arn": "arn", "Name": "name"}},
	"AWS::SSM::Parameter":              {"Name", "name", "", nil},
	"AWS::KMS::Alias":                  {"AliasName", "name", "", nil},
	"AWS::SecretsManager::Secret":      {"Name", "", "", nil}, // its ARN ends in a random suffix
}

// resource answers Ref (attr "") and Fn::GetAtt for a resource of the
// template.
func (x *resolver) resource(logical, attr, path string) any {
	res := x.t.res[logical]
	typ := str(res["Type"])
	k, ok := cfnKinds[typ]
	what := k.ref
	expr := "Ref " + logical
	placeholder := "${" + logical + "}"
	if attr != "" {
		what = k.attrs[attr]
		expr = "Fn::GetAtt " + logical + "." + attr
		placeholder = "${" + logical + "." + attr + "}"
	}
	if !ok || what == "" {
		x.note(path, "%s: the value for a %s is known at deploy", expr, typ)
		return unresolved{text: placeholder}
	}
	props := obj(res["Properties"])
	if props[k.nameProp] == nil {
		x.note(path, "%s: %s %s sets no %s; CloudFormation generates the name", expr, typ, logical, k.nameProp)
		return unresolved{text: placeholder}
	}
	name := x.t.name(logical, k.nameProp)
	for _, n := range name.notes {
		x.note(path, "%s: %s", expr, n)
	}
	n, ok := scalarText(name.v)
	if !ok {
		x.note(path, "%s: %s is %s", expr, k.nameProp, describe(name.v))
		return unresolved{text: placeholder}
	}
	switch what {
	case "name":
		return n
	case "url":
		region := x.pseudo("AWS::Region", x.t.r.Region, path)
		account := x.pseudo("AWS::AccountId", x.t.r.AccountID, path)
		suffix := x.pseudo("AWS::URLSuffix", urlSuffixes[x.t.partition()], path)
		r, _ := scalarText(region)
		a, _ := scalarText(account)
		s, _ := scalarText(suffix)
		return "https://sqs." + r + "." + s + "/" + a + "/" + n
	}
	if k.arn == "" {
		x.note(path, "%s: the ARN of a %s is known at deploy", expr, typ)
		return unresolved{text: placeholder}
	}
	iamPath := "/"
	if props["Path"] != nil {
		d := x.t.resolve(props["Path"], "Resources."+logical+".Properties.Path")
		for _, n := range d.notes {
			x.note(path, "%s: %s", expr, n)
		}
		iamPath, _ = scalarText(d.v)
	}
	repl := func(key, pseudo, value string) string {
		if !strings.Contains(k.arn, key) {
			return ""
		}
		v, _ := scalarText(x.pseudo(pseudo, value, path))
		return v
	}
	return strings.NewReplacer(
		"{p}", x.t.partition(),
		"{r}", repl("{r}", "AWS::Region", x.t.r.Region),
		"{a}", repl("{a}", "AWS::AccountId", x.t.r.AccountID),
		"{path}", iamPath,
		"{n}", n,
	).Replace(k.arn)
}

// name resolves a resource's name property once.
func (t *cfn) name(logical, prop string) decided {
	if d, ok := t.nameMemo[logical]; ok {
		return d
	}
	if t.busy["name "+logical] {
		return decided{unresolved{text: "${" + logical + "}"}, []string{"Resources." + logical + "." + prop + " refers to itself"}}
	}
	t.busy["name "+logical] = true
	d := t.resolve(obj(t.res[logical]["Properties"])[prop], "Resources."+logical+".Properties."+prop)
	delete(t.busy, "name "+logical)
	t.nameMemo[logical] = d
	return d
}

func (x *resolver) getAtt(logical, attr, path string) any {
	if _, ok := x.t.res[logical]; !ok {
		x.note(path, "Fn::GetAtt %s.%s: no such resource", logical, attr)
		return unresolved{text: "${" + logical + "." + attr + "}"}
	}
	return x.resource(logical, attr, path)
}

// sub evaluates Fn::Sub: "${Name}" is a parameter, resource or pseudo
// parameter (or a variable of the second form), "${Name.Attr}" an
// attribute, and "${!Text}" the literal "${Text}".
func (x *resolver) sub(arg any, path string) any {
	var tmpl string
	var vars map[string]any // resolved when used, in the template's order
	switch a := arg.(type) {
	case string:
		tmpl = a
	case []any:
		if len(a) != 2 {
			x.note(path, "Fn::Sub takes a string or [string, variables]")
			return unresolved{text: "${Fn::Sub}"}
		}
		tmpl, _ = x.text(x.value(a[0], path), path)
		vars = obj(a[1])
	default:
		x.note(path, "Fn::Sub takes a string or [string, variables]")
		return unresolved{text: "${Fn::Sub}"}
	}
	var b strings.Builder
	for {
		i := strings.Index(tmpl, "${")
		if i < 0 {
			b.WriteString(tmpl)
			break
		}
		b.WriteString(tmpl[:i])
		j := strings.Index(tmpl[i:], "}")
		if j < 0 {
			b.WriteString(tmpl[i:])
			break
		}
		name := strings.TrimSpace(tmpl[i+2 : i+j])
		tmpl = tmpl[i+j+1:]
		if strings.HasPrefix(name, "!") {
			b.WriteString("${" + name[1:] + "}")
			continue
		}
		var v any
		if raw, ok := vars[name]; ok {
			v = x.value(raw, path)
		} else if _, ok := x.t.params[name]; ok || strings.HasPrefix(name, "AWS::") {
			v = x.ref(name, path)
		} else if _, ok := x.t.res[name]; ok {
			v = x.ref(name, path)
		} else if res, attr, ok := strings.Cut(name, "."); ok && x.t.res[res] != nil {
			v = x.getAtt(res, attr, path)
		} else {
			x.note(path, "Fn::Sub: ${%s} names no parameter, resource or pseudo parameter (an IAM policy variable is written ${!%s})", name, name)
			v = unresolved{text: "${" + name + "}"}
		}
		if _, ok := v.(noValue); ok {
			continue
		}
		s, _ := x.text(v, path)
		b.WriteString(s)
	}
	return b.String()
}

func (x *resolver) findInMap(args []any, path string) any {
	if len(args) < 3 {
		x.note(path, "Fn::FindInMap takes [map, top-level key, second-level key]")
		return unresolved{text: "${Fn::FindInMap}"}
	}
	keys := make([]string, 3)
	for i := range keys {
		v := x.value(args[i], path)
		if u, ok := v.(unresolved); ok {
			return unresolved{text: "${Fn::FindInMap:" + str(args[0]) + ":" + strings.Trim(u.text, "${}") + "}"}
		}
		keys[i], _ = x.text(v, path)
	}
	v, ok := obj(obj(x.t.mappings[keys[0]])[keys[1]])[keys[2]]
	if !ok {
		if len(args) == 4 {
			// The AWS::LanguageExtensions form: [map, key, key, {DefaultValue: v}].
			if d, ok := obj(args[3])["DefaultValue"]; ok {
				return x.value(d, path)
			}
		}
		x.note(path, "Fn::FindInMap: Mappings has no %s.%s.%s", keys[0], keys[1], keys[2])
		return unresolved{text: "${Fn::FindInMap:" + strings.Join(keys, ":") + "}"}
	}
	return x.value(v, path)
}

// maxCidrs is the most subnets Fn::Cidr makes, as CloudFormation allows.
const maxCidrs = 256

func (x *resolver) cidr(args []any, path string) any {
	if len(args) != 3 {
		x.note(path, "Fn::Cidr takes [ipBlock, count, cidrBits]")
		return unresolved{text: "${Fn::Cidr}", list: true}
	}
	var s [3]string
	for i := range s {
		v := x.value(args[i], path)
		if u, ok := v.(unresolved); ok {
			return unresolved{text: u.text, list: true}
		}
		s[i], _ = x.text(v, path)
	}
	block, err := netip.ParsePrefix(s[0])
	count, err2 := strconv.Atoi(s[1])
	bits, err3 := strconv.Atoi(s[2])
	size := block.Addr().BitLen()
	if err != nil || err2 != nil || err3 != nil || count < 1 || count > maxCidrs || bits < 1 || size-bits < block.Bits() {
		x.note(path, "Fn::Cidr: cannot split %s into %s subnets of %s host bits", s[0], s[1], s[2])
		return unresolved{text: "${Fn::Cidr}", list: true}
	}
	prefix := size - bits
	if prefix-block.Bits() < 30 && count > 1<<(prefix-block.Bits()) {
		x.note(path, "Fn::Cidr: %s holds fewer than %d subnets of %d host bits", s[0], count, bits)
		return unresolved{text: "${Fn::Cidr}", list: true}
	}
	out := make([]any, 0, count)
	addr := block.Masked().Addr()
	for i := 0; i < count; i++ {
		out = append(out, netip.PrefixFrom(addr, prefix).String())
		addr = addAddr(addr, bits)
	}
	return out
}

// addAddr returns a + 2^bits.
func addAddr(a netip.Addr, bits int) netip.Addr {
	b := a.AsSlice()
	byteIdx := len(b) - 1 - bits/8
	carry := 1 << (bits % 8)
	for i := byteIdx; i >= 0 && carry > 0; i-- {
		sum := int(b[i]) + carry
		b[i] = byte(sum)
		carry = sum >> 8
	}
	out, _ := netip.AddrFromSlice(b)
	return out
}

// condition evaluates a named condition of the Conditions section once.
func (t *cfn) condition(name string) condResult {
	if c, ok := t.condMemo[name]; ok {
		return c
	}
	expr, ok := t.conds[name]
	if !ok {
		return condResult{triUnknown, []string{"no condition named " + name}}
	}
	if t.busy["cond "+name] {
		return condResult{triUnknown, []string{"condition " + name + " refers to itself"}}
	}
	t.busy["cond "+name] = true
	c := t.evalCondition(expr)
	delete(t.busy, "cond "+name)
	t.condMemo[name] = c
	return c
}

// evalCondition evaluates a condition expression: Fn::Equals, Fn::And,
// Fn::Or, Fn::Not and {"Condition": name}.
func (t *cfn) evalCondition(expr any) condResult {
	m := obj(expr)
	if len(m) != 1 {
		if b, ok := expr.(bool); ok {
			if b {
				return condResult{v: triTrue}
			}
			return condResult{v: triFalse}
		}
		return condResult{triUnknown, []string{"not a condition expression"}}
	}
	for fn, arg := range m {
		args, _ := arg.([]any)
		switch fn {
		case "Condition":
			return t.condition(str(arg))
		case "Fn::Equals":
			if len(args) != 2 {
				return condResult{triUnknown, []string{"Fn::Equals takes two values"}}
			}
			a, b := t.resolve(args[0], ""), t.resolve(args[1], "")
			if len(a.notes) > 0 || len(b.notes) > 0 {
				return condResult{triUnknown, append(a.notes, b.notes...)}
			}
			if equalValues(a.v, b.v) {
				return condResult{v: triTrue}
			}
			return condResult{v: triFalse}
		case "Fn::Not":
			if len(args) != 1 {
				return condResult{triUnknown, []string{"Fn::Not takes one condition"}}
			}
			c := t.evalCondition(args[0])
			switch c.v {
			case triTrue:
				c.v = triFalse
			case triFalse:
				c.v = triTrue
			}
			return c
		case "Fn::And", "Fn::Or":
			decisive, other := triFalse, triTrue
			if fn == "Fn::Or" {
				decisive, other = triTrue, triFalse
			}
			out := condResult{v: other}
			for _, a := range args {
				c := t.evalCondition(a)
				if c.v == decisive {
					return condResult{v: decisive}
				}
				if c.v == triUnknown {
					out.v = triUnknown
					out.reasons = append(out.reasons, c.reasons...)
				}
			}
			return out
		case "Fn::If", "Ref", "Fn::FindInMap":
			// A value used as a condition: it must come out true or false.
			d := t.resolve(expr, "")
			if b, ok := d.v.(bool); ok && len(d.notes) == 0 {
				if b {
					return condResult{v: triTrue}
				}
				return condResult{v: triFalse}
			}
			if s, ok := d.text(); ok && (s == "true" || s == "false") {
				if s == "true" {
					return condResult{v: triTrue}
				}
				return condResult{v: triFalse}
			}
			return condResult{triUnknown, d.notes}
		}
		return condResult{triUnknown, []string{fn + " is not a condition function"}}
	}
	return condResult{}
}

// equalValues compares as CloudFormation does: strings by text, lists
// element by element.
func equalValues(a, b any) bool {
	if as, ok := scalarText(a); ok {
		bs, ok := scalarText(b)
		return ok && as == bs
	}
	al, aok := a.([]any)
	bl, bok := b.([]any)
	if !aok || !bok || len(al) != len(bl) {
		if aok || bok {
			return false
		}
		aj, _ := json.Marshal(a)
		bj, _ := json.Marshal(b)
		return bytes.Equal(aj, bj)
	}
	for i := range al {
		if !equalValues(al[i], bl[i]) {
			return false
		}
	}
	return true
}
