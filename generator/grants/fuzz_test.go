package grants_test

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/iamwatch/iamwatch/generator/grants"
)

// seed adds every input in testdata, and the probe template, to the
// corpus.
func seed(f *testing.F, keep func(name string) bool) {
	f.Helper()
	for _, name := range inputFiles(f) {
		if !keep(name) {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// fuzzRead reads data and checks what holds for any input: no panic, the
// same result twice, and a well-formed Input when there is no error.
func fuzzRead(t *testing.T, r grants.Reader, data []byte) {
	in, err := r.Read("fuzz", data)
	again, err2 := r.Read("fuzz", data)
	if (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() {
		t.Fatalf("Read is not deterministic: %v, then %v", err, err2)
	}
	if err != nil {
		if !strings.HasPrefix(err.Error(), "fuzz: ") {
			t.Fatalf("error %q does not start with the file name", err)
		}
		return
	}
	if !reflect.DeepEqual(in, again) {
		t.Fatalf("Read is not deterministic:\n%+v\n%+v", in, again)
	}
	checkInput(t, in)
}

func FuzzRead(f *testing.F) {
	seed(f, func(string) bool { return true })
	f.Add([]byte(strings.Replace(probeTemplate, "EXPR", `!Sub ["${A}-${Env}", {A: !Select [0, !Cidr ["10.0.0.0/16", 2, 8]]}]`, 1)))
	f.Add([]byte(`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`))
	f.Add([]byte(`{"PolicyVersion":{"Document":"%7B%22Statement%22%3A%5B%5D%7D"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, grants.Reader{}, data)
	})
}

func FuzzReadCloudFormation(f *testing.F) {
	seed(f, func(name string) bool { return strings.Contains(name, "template") })
	for _, expr := range []string{"!Ref Env", `!Join [":", [!GetAtt Role.Arn, !Ref Queue]]`, "!If [LoopA, !FindInMap [Regions, !Ref AWS::Region, Zones], !GetAZs '']"} {
		f.Add([]byte(strings.Replace(probeTemplate, "EXPR", expr, 1)))
	}
	r := grants.Reader{AccountID: "123456789012", Region: "eu-west-1", Format: grants.FormatCloudFormation,
		Parameters: map[string]string{"NoDefault": "x"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, r, data)
	})
}

func FuzzReadTerraform(f *testing.F) {
	seed(f, func(name string) bool { return strings.Contains(name, "plan") || strings.Contains(name, "state") })
	r := grants.Reader{Format: grants.FormatTerraform}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, r, data)
	})
}
