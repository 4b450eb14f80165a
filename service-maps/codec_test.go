package servicemaps_test

import (
	"bytes"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/iamwatch/iamwatch"
	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

// shorthandMaps exercises every shorthand of format 2.
func shorthandMaps() *servicemaps.Maps {
	const f1 = "arn:${Partition}:widgets:${Region}:${Account}:widget/${widgetId}"
	const f2 = "arn:${Partition}:widgets:${Region}:${Account}:widget/${Name}"
	return &servicemaps.Maps{
		Sources: []servicemaps.Source{{Name: "test", Version: "1"}},
		Services: []*servicemaps.Service{{
			Model: "widgets", ServiceID: "Widgets", SigningName: "widgets", EndpointPrefix: "widgets",
			Protocols: []string{"rest-json"}, IAMPrefix: "widgets", Origin: "v1",
			Ops: []*servicemaps.Operation{
				{Name: "GetWidget", Method: "GET", URI: "/widgets/{widgetId}", Source: "reference",
					Members: []servicemaps.Member{
						{Name: "Version", Location: "querystring", Wire: "v", Required: true},
						{Name: "widgetId", Location: "uri", Wire: "widgetId", Required: true},
					},
					Actions:  []servicemaps.ActionTemplate{{Action: "widgets:GetWidget", Resources: []string{f1, f2}}},
					Possible: []servicemaps.ActionTemplate{{Action: "widgets:Other", Resources: []string{f1 + "/x"}, Reason: servicemaps.DefaultPossibleReason}},
				},
				{Name: "ListUsers", Method: "GET", URI: "/accounts/{accountId}/users/{userId+}", Source: "name", Origin: "v2", Deprecated: true,
					Members: []servicemaps.Member{
						{Name: "AccountId", Location: "uri", Wire: "accountId", Required: true},
						{Name: "UserId", Location: "uri", Wire: "userId", Required: true},
					},
					Actions: []servicemaps.ActionTemplate{{Action: "widgets:ListUsers"}},
					Rules:   []servicemaps.Rule{{When: "AccountId", Reason: "r", Add: []servicemaps.ActionTemplate{{Action: "widgets:GetWidget", Resources: []string{"*"}}}}},
				},
				{Name: "Mixed", Method: "PUT", URI: "/m/{a}/{B}/{c}", Source: "unsigned",
					Members: []servicemaps.Member{
						{Name: "a", Location: "uri", Wire: "a", Required: true},
						{Name: "B", Location: "uri", Wire: "B", Required: true},
						{Name: "C", Location: "uri", Wire: "c", Required: true}, // named otherwise: explicit
					},
				},
				{Name: "Optional", Method: "GET", URI: "/o/{id}", Source: "curated",
					Members: []servicemaps.Member{{Name: "id", Location: "uri", Wire: "id"}}, // not required: explicit
				},
			},
		}},
		IAM: []*servicemaps.IAMService{{
			Prefix: "widgets", Name: "Widgets",
			ResourceTypes: []*servicemaps.ResourceType{{Name: "other", ARNFormats: []string{"arn:${Partition}:widgets:::other"}}, {Name: "widget", ARNFormats: []string{f1, f2}}},
			ConditionKeys: []*servicemaps.ConditionKey{{Name: "widgets:Mode", Type: "String"}},
			Actions: []*servicemaps.IAMAction{
				{Name: "GetWidget", Level: iamwatch.LevelRead, ResourceTypes: []string{"widget", "other"}, ConditionKeys: []string{"widgets:Mode"}},
				{Name: "ListUsers", Level: iamwatch.LevelList},
				{Name: "Other", Level: iamwatch.LevelWrite, ResourceTypes: []string{"widget"}},
			},
		}},
		Reference: servicemaps.ReferenceCoverage{Operations: 2, Missed: []servicemaps.ReferenceOp{{Prefix: "widgets", SDK: "widgets", Operation: "Gone"}}},
	}
}

func TestShorthands(t *testing.T) {
	data, err := servicemaps.Encode(shorthandMaps())
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, want := range []string{
		"iamwatch-maps\t2\n",
		"op\tGetWidget\tGET\t/widgets/{widgetId}\t\tr\nm\tVersion\tquerystring\tv\t1\na\t=\t@widget @widget#2\np\twidgets:Other\t~widget/${widgetId}/x\n",
		"op\tListUsers\tGET\t/accounts/{accountId}/users/{userId+}\t\tn\tdu\tv2\na\t=\nr\tAccountId\tr\nra\twidgets:GetWidget\t*\n",
		"op\tMixed\tPUT\t/m/{a}/{B}/{c}\t\tu\nm\tC\turi\tc\t1\n",
		"op\tOptional\tGET\t/o/{id}\t\tc\nm\tid\turi\tid\t0\n",
		"ref\t2\nrefmiss\twidgets\twidgets\tGone\n",
		"ac\tGetWidget\tR\t1,0\t0\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("encoding lacks %q:\n%s", want, text)
		}
	}
	m, err := servicemaps.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	orig := shorthandMaps()
	orig.Sort()
	for i, o := range m.Services[0].Ops {
		w := orig.Services[0].Ops[i]
		sortMembers := func(ms []servicemaps.Member) []servicemaps.Member {
			out := append([]servicemaps.Member(nil), ms...)
			sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
			return out
		}
		if !reflect.DeepEqual(sortMembers(o.Members), sortMembers(w.Members)) {
			t.Errorf("%s members = %+v, want %+v", o.Name, o.Members, w.Members)
		}
		oc, wc := *o, *w
		oc.Members, wc.Members = nil, nil
		if !reflect.DeepEqual(oc, wc) {
			t.Errorf("%s = %+v, want %+v", o.Name, oc, wc)
		}
	}
	if got := m.Action("widgets:GetWidget"); got == nil || !reflect.DeepEqual(got.ResourceTypes, []string{"widget", "other"}) {
		t.Errorf("catalog action = %+v", got)
	}
	again, err := servicemaps.Encode(m)
	if err != nil || !bytes.Equal(again, data) {
		t.Errorf("re-encoding differs (%v):\n%s", err, again)
	}
}

func TestDecodeFormat1(t *testing.T) {
	const v1 = "iamwatch-maps\t1\n" +
		"svc\tw\tW\tw\tw\trest-json\t\t\t\tw\t\t\tv1\t\n" +
		"op\tGet\tGET\t/x/{id}\t\tn\t\n" +
		"m\tid\turi\tid\t1\n" +
		"a\tw:Get\t\t\t\n" +
		"iam\tw\tW\n" +
		"rt\tthing\tarn:${Partition}:w:::thing\n" +
		"ac\tGet\tR\tthing\t\n"
	m, err := servicemaps.Decode([]byte(v1))
	if err != nil {
		t.Fatal(err)
	}
	op := m.Services[0].Ops[0]
	if len(op.Members) != 1 || op.Actions[0].Action != "w:Get" || m.Action("w:Get").ResourceTypes[0] != "thing" {
		t.Errorf("decoded %+v, %+v", op, m.Action("w:Get"))
	}
}

func TestDecodeShorthandErrors(t *testing.T) {
	for name, text := range map[string]string{
		"own action without prefix": "iamwatch-maps\t2\nsvc\tw\tW\tw\tw\tjson\tW\t\t\t\t\t\tv1\t\nop\tGet\na\t=\n",
		"unknown resource type":     "iamwatch-maps\t2\nsvc\tw\tW\tw\tw\tjson\tW\t\t\tw\t\t\tv1\t\nop\tGet\na\t=\t@nope\niam\tw\tW\nac\tGet\tR\n",
		"bad rt index":              "iamwatch-maps\t2\niam\tw\tW\nrt\tthing\tarn:x\nac\tGet\tR\t3\n",
	} {
		if _, err := servicemaps.Decode([]byte(text)); err == nil {
			t.Errorf("%s: Decode accepted it", name)
		}
	}
}
