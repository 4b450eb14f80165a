package generator

import (
	"reflect"
	"testing"

	"github.com/iamwatch/iamwatch"
)

func TestGenerateGroupsAndUnseenStar(t *testing.T) {
	calls := []iamwatch.Call{
		{Actions: []iamwatch.ActionUse{{Action: "s3:GetObject", Resources: []string{"arn:aws:s3:::b/k"}, Exact: true}}},
		// A CSM record of the same action: "*" only because nothing was seen.
		{Actions: []iamwatch.ActionUse{{Action: "s3:GetObject", Resources: []string{"*"}}}},
		{Actions: []iamwatch.ActionUse{{Action: "s3:PutObject", Resources: []string{"arn:aws:s3:::b/k"}, Exact: true}}},
		{Actions: []iamwatch.ActionUse{{Action: "sqs:SendMessage", Resources: []string{"*"}}}},
		{Actions: []iamwatch.ActionUse{{Action: "s3:ListAllMyBuckets", Resources: []string{"*"}, Exact: true}}},
		{Actions: []iamwatch.ActionUse{{Action: "kms:Decrypt", Resources: []string{"*"}, Possible: true}}},
	}
	p := Generate(calls, Options{})
	var got [][2][]string
	for _, s := range p.Statement {
		got = append(got, [2][]string{s.Action, s.Resource})
	}
	want := [][2][]string{
		{{"s3:GetObject", "s3:PutObject"}, {"arn:aws:s3:::b/k"}},
		{{"s3:ListAllMyBuckets", "sqs:SendMessage"}, {"*"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if p2 := Generate(calls, Options{}); !reflect.DeepEqual(p, p2) {
		t.Error("Generate is not deterministic")
	}
	if p.Statement[0].Sid == "" || p.Statement[0].Sid == p.Statement[1].Sid {
		t.Errorf("Sids %q %q", p.Statement[0].Sid, p.Statement[1].Sid)
	}
	withPossible := Generate(calls, Options{IncludePossible: true})
	if got := withPossible.Statement[0].Action; !reflect.DeepEqual(got, []string{"kms:Decrypt", "s3:ListAllMyBuckets", "sqs:SendMessage"}) {
		t.Errorf("IncludePossible: %v", got)
	}
}
