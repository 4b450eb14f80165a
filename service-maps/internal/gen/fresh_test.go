package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

func TestPinV2(t *testing.T) {
	const p = v2ModulePrefix
	served := map[string][]string{ // what the fake proxy lists
		p + "vectors": {"v1.7.2", "v1.5.0"},
		p + "tables":  {"v1.16.2"},
		p + "gone":    nil,
	}
	refuse := map[string]bool{ // and refuses to download
		p + "vectors@v1.17.0": true,
		p + "vectors@v1.7.2":  true, // listed but refused: the next one down is tried
		p + "tables@v1.25.0":  true,
		p + "gone@v1.3.0":     true,
	}
	var asked []string
	g := &generator{log: io.Discard,
		download: func(_ context.Context, mods []string) (map[string]string, map[string]error, error) {
			asked = append(asked, mods...)
			dirs, errs := map[string]string{}, map[string]error{}
			for _, mv := range mods {
				if refuse[mv] {
					errs[mv] = errors.New("403 Forbidden")
				} else {
					dirs[mv] = "/cache/" + mv
				}
			}
			return dirs, errs, nil
		},
		listVersions: func(_ context.Context, mods []string) (map[string][]string, error) {
			out := map[string][]string{}
			for _, m := range mods {
				out[m] = served[m]
			}
			return out, nil
		},
	}
	want := map[string]string{"vectors": "x", "tables": "x", "gone": "x", "s3": "x"}
	latest := map[string]string{"vectors": "v1.17.0", "tables": "v1.25.0", "gone": "v1.3.0", "s3": "v1.114.9"}
	old := &v2Pins{pinned: map[string]string{"s3": "v1.114.8"}, refused: map[string]bool{p + "tables@v1.25.0": true}}
	pins, err := g.pinV2(context.Background(), want, latest, old)
	if err != nil {
		t.Fatal(err)
	}
	if wantPins := map[string]string{"vectors": "v1.5.0", "tables": "v1.16.2", "s3": "v1.114.8"}; !reflect.DeepEqual(pins.pinned, wantPins) {
		t.Errorf("pinned = %v, want %v", pins.pinned, wantPins)
	}
	if !reflect.DeepEqual(pins.unavailable, []string{"gone"}) {
		t.Errorf("unavailable = %v, want [gone]", pins.unavailable)
	}
	for _, mv := range []string{p + "vectors@v1.17.0", p + "vectors@v1.7.2", p + "tables@v1.25.0", p + "gone@v1.3.0"} {
		if !pins.refused[mv] {
			t.Errorf("refused lacks %s", mv)
		}
	}
	for _, mv := range asked {
		if mv == p+"tables@v1.25.0" {
			t.Error("a version recorded as refused was asked for again")
		}
	}
	// The list it writes reads back as the same pins.
	path := filepath.Join(t.TempDir(), "v2modules.txt")
	if err := os.WriteFile(path, []byte(pins.format()), 0o644); err != nil {
		t.Fatal(err)
	}
	again, err := readV2Pins(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.pinned, pins.pinned) || !reflect.DeepEqual(again.refused, pins.refused) {
		t.Errorf("read back %+v, want %+v", again, pins)
	}
	mods, err := readV2List(path)
	if err != nil || len(mods) != 3 || mods[0] != p+"s3@v1.114.8" {
		t.Errorf("readV2List = %v, %v", mods, err)
	}
}

func TestWantedV2(t *testing.T) {
	mk := func(name, id string, ops ...string) *model {
		s := &servicemaps.Service{Model: name, ServiceID: id, EndpointPrefix: name, SigningName: name}
		for _, o := range ops {
			s.Ops = append(s.Ops, &servicemaps.Operation{Name: o})
		}
		return &model{svc: s}
	}
	models := []*model{mk("cloudwatch", "CloudWatch", "PutMetricData", "GetMetricData"), mk("full", "Full", "A", "B")}
	sar := map[string]map[string]*sarOp{
		"cloudwatch": {"putmetricdata": {Name: "PutMetricData"}, "getmetricdata": {Name: "GetMetricData"}, "newop": {Name: "NewOp"}},
		"full":       {"a": {Name: "A"}, "b": {Name: "B"}},
		"s3vectors":  {"createindex": {Name: "CreateIndex"}}, // no authorized actions, still wanted
		"nomodule":   {"x": {Name: "X"}},
	}
	latest := map[string]string{"cloudwatch": "v1.0.0", "full": "v1.0.0", "s3vectors": "v1.0.0"}
	want, jsNames, clientOf, missing := wantedV2(models, sar, latest)
	for _, m := range []string{"cloudwatch", "s3vectors"} {
		if want[m] == "" {
			t.Errorf("want lacks %s: %v", m, want)
		}
	}
	if want["full"] != "" {
		t.Errorf("a module whose model has every operation is wanted: %v", want)
	}
	if !reflect.DeepEqual(missing, []string{"nomodule"}) {
		t.Errorf("missing = %v", missing)
	}
	if clientOf["s3vectors"] != "s3vectors" || !contains(jsNames["cloudwatch"], "@aws-sdk/client-cloudwatch") {
		t.Errorf("clientOf = %v, jsNames = %v", clientOf, jsNames)
	}
}

// jsFixture is a schema-based JavaScript client, reduced to what the
// scraper reads.
var jsFixture = map[string]string{
	"dist-es/runtimeConfig.shared.js": `export const getRuntimeConfig = (config) => {
    return {
        apiVersion: "2024-01-01",
        protocol: config?.protocol ?? AwsRestJsonProtocol,
        protocolSettings: config?.protocolSettings ?? {
            defaultNamespace: "com.amazonaws.widgets",
            serviceTarget: "Widgets",
        },
        serviceId: config?.serviceId ?? "Widgets",
    };
};`,
	"dist-es/auth/httpAuthSchemeProvider.js": `function createAwsAuthSigv4HttpAuthOption(authParameters) {
    return {
        schemeId: "aws.auth#sigv4",
        signingProperties: {
            name: "widgets",
            region: authParameters.region,
        },
    };
}
export const defaultWidgetsHttpAuthSchemeProvider = (authParameters) => {
    const options = [];
    switch (authParameters.operation) {
        case "Ping": {
            options.push(createSmithyApiNoAuthHttpAuthOption(authParameters));
            break;
        }
        default: {
            options.push(createAwsAuthSigv4HttpAuthOption(authParameters));
        }
    }
    return options;
};`,
	"dist-es/endpoint/bdd.js": `const a = ["https://widgets-fips.{Region}.{PartitionResult#dnsSuffix}", "https://widgets.{Region}.{PartitionResult#dnsSuffix}", "https://widgets.{Region}.{PartitionResult#dualStackDnsSuffix}"];`,
	"dist-es/schemas/schemas_0.js": `const _CW = "CreateWidget";
const _CWR = "CreateWidgetRequest";
const _GW = "GetWidget";
const _GWR = "GetWidgetRequest";
const _P = "Ping";
const _end = "endpoint";
const _ht = "http";
const _hQ = "httpQuery";
const _hH = "httpHeader";
const _jN = "jsonName";
const _n = "name";
const _rA = "roleArn";
const _cT = "clientToken";
const _ta = "tags";
const _wI = "widgetId";
const _v = "version";
const _t = "token";
const n0 = "com.amazonaws.widgets";
import { TypeRegistry } from "@smithy/core/schema";
var SensitiveString = [0, n0, _SS, 8, 0];
export var CreateWidgetRequest$ = [3, n0, _CWR,
    0,
    [_n, _rA, _cT, _ta],
    [[0, { [_jN]: "Name" }], 0, [0, 4], 128 | 0], 2
];
export var GetWidgetRequest$ = [3, n0, _GWR,
    0,
    [_wI, _v, _t],
    [[0, 1], [1, { [_hQ]: "v" }], [() => SensitiveString, { [_hH]: "x-token" }]], 1
];
export var CreateWidget$ = [9, n0, _CW,
    { [_end]: ["api."], [_ht]: ["POST", "/widgets", 200] }, () => CreateWidgetRequest$, () => __Unit
];
export var GetWidget$ = [9, n0, _GW,
    { [_ht]: ["GET", "/widgets/{widgetId}?x-id=GetWidget", 200] }, () => GetWidgetRequest$, () => __Unit
];
export var Ping$ = [9, n0, _P,
    { [_ht]: ["GET", "/ping", 200] }, () => __Unit, () => __Unit
];
`,
}

func TestScrapeJS(t *testing.T) {
	md, err := scrapeJS(jsFixture)
	if err != nil {
		t.Fatal(err)
	}
	s := md.svc
	if s.Model != "widgets" || s.ServiceID != "Widgets" || s.SigningName != "widgets" || s.EndpointPrefix != "widgets" ||
		!reflect.DeepEqual(s.Protocols, []string{"rest-json"}) || s.APIVersion != "2024-01-01" || s.Origin != "js" || s.TargetPrefix != "" {
		t.Errorf("service = %+v", s)
	}
	if len(s.Ops) != 3 {
		t.Fatalf("ops = %d, want 3", len(s.Ops))
	}
	create, get := s.Ops[0], s.Ops[1]
	if create.Name != "CreateWidget" || create.Method != "POST" || create.URI != "/widgets" || create.HostPrefix != "api." {
		t.Errorf("CreateWidget = %+v", create)
	}
	if want := []servicemaps.Member{{Name: "name", Location: "body", Wire: "Name", Required: true}}; !reflect.DeepEqual(create.Members, want) {
		t.Errorf("CreateWidget members = %+v, want %+v", create.Members, want)
	}
	wantIn := []inputMember{
		{Name: "clientToken", Scalar: true},
		{Name: "name", Required: true, Scalar: true},
		{Name: "roleArn", Required: true, ARN: true, Scalar: true},
		{Name: "tags"},
	}
	if !reflect.DeepEqual(md.inputs["CreateWidget"], wantIn) {
		t.Errorf("CreateWidget inputs = %+v, want %+v", md.inputs["CreateWidget"], wantIn)
	}
	if get.URI != "/widgets/{widgetId}" || get.Method != "GET" {
		t.Errorf("GetWidget = %+v", get)
	}
	wantM := []servicemaps.Member{
		{Name: "token", Location: "header", Wire: "x-token"},
		{Name: "version", Location: "querystring", Wire: "v"},
		{Name: "widgetId", Location: "uri", Wire: "widgetId", Required: true},
	}
	if !reflect.DeepEqual(get.Members, wantM) {
		t.Errorf("GetWidget members = %+v, want %+v", get.Members, wantM)
	}
	if !md.unsigned["Ping"] || md.unsigned["GetWidget"] {
		t.Errorf("unsigned = %v, want only Ping", md.unsigned)
	}
	if _, err := scrapeJS(map[string]string{"dist-cjs/index.js": "x"}); err == nil {
		t.Error("scrapeJS read a client that is not schema-based")
	}
}

func TestJSParser(t *testing.T) {
	tests := []struct {
		src  string
		want jsVal
	}{
		{`128 | 0`, jsVal{kind: jsNum, num: 128}},
		{`64 | 1`, jsVal{kind: jsNum, num: 65}},
		{`0b1000`, jsVal{kind: jsNum, num: 8}},
		{`"a\"b"`, jsVal{kind: jsStr, str: `a"b`}},
		{`'it''`, jsVal{kind: jsStr, str: "it"}},
		{`() => X$`, jsVal{kind: jsFunc, list: []jsVal{{kind: jsIdent, str: "X$"}}}},
		{`[1, /* c */ _a,]`, jsVal{kind: jsArr, list: []jsVal{{kind: jsNum, num: 1}, {kind: jsIdent, str: "_a"}}}},
		{`{ [_k]: "v", b: 2 }`, jsVal{kind: jsObj, keys: []jsVal{{kind: jsIdent, str: "_k"}, {kind: jsStr, str: "b"}}, list: []jsVal{{kind: jsStr, str: "v"}, {kind: jsNum, num: 2}}}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			p := &jsParser{src: tt.src}
			got, err := p.value()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("value(%s) = %+v, want %+v", tt.src, got, tt.want)
			}
		})
	}
	for _, bad := range []string{`[1, 2`, `{ a 1 }`, `"open`, `)`} {
		if _, err := (&jsParser{src: bad}).value(); err == nil {
			t.Errorf("value(%s) did not fail", bad)
		}
	}
}

func tgz(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, name := range sortedKeys(files) {
		if err := tw.WriteHeader(&tar.Header{Name: "package/" + name, Mode: 0o644, Size: int64(len(files[name]))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(files[name])); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFetchJS(t *testing.T) {
	data := tgz(t, jsFixture)
	pin := jsPin{Name: "@aws-sdk/client-widgets", Version: "3.1.0", Integrity: integrity(data)}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, tarballName(pin)), data, 0o644); err != nil {
		t.Fatal(err)
	}
	// A cached tarball with the pinned integrity is used as it is.
	got, err := fetchJS(context.Background(), []jsPin{pin}, dir)
	if err != nil || !bytes.Equal(got[pin.spec()], data) {
		t.Fatalf("fetchJS = %v, %v", len(got[pin.spec()]), err)
	}
	files, err := readTgz(got[pin.spec()])
	if err != nil || files["dist-es/schemas/schemas_0.js"] == "" {
		t.Fatalf("readTgz = %v, %v", len(files), err)
	}
	list := filepath.Join(dir, "jsclients.txt")
	line := "# comment\n" + pin.spec() + " " + pin.Integrity + "\n"
	if err := os.WriteFile(list, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	pins, err := readJSList(list)
	if err != nil || !reflect.DeepEqual(pins, []jsPin{pin}) {
		t.Errorf("readJSList = %+v, %v", pins, err)
	}
	if err := os.WriteFile(list, []byte("@aws-sdk/client-widgets@3.1.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readJSList(list); err == nil {
		t.Error("readJSList accepted a line without integrity")
	}
	models, srcs, err := loadJS(context.Background(), filepath.Join(dir, "jsclients-missing.txt"), dir)
	if err != nil || models != nil || srcs != nil {
		t.Errorf("loadJS of no list = %v, %v, %v", models, srcs, err)
	}
}

func TestExtract(t *testing.T) {
	dir := t.TempDir()
	const svc = `{"metadata": {"apiVersion": "2025-01-01", "endpointPrefix": "agent", "protocol": "rest-json", "serviceId": "Security Agent",
	  "signingName": "securityagent", "uid": "dropped", "documentation": "dropped"},
	 "operations": {"GetAgent": {"name": "GetAgent", "http": {"method": "GET", "requestUri": "/agents/{agentId}"}, "input": {"shape": "GetAgentInput"}, "documentation": "dropped"},
	                "Hello": {"name": "Hello", "http": {"method": "GET", "requestUri": "/hello"}, "authtype": "none"}},
	 "shapes": {"GetAgentInput": {"type": "structure", "required": ["agentId"], "members": {"agentId": {"shape": "Id", "location": "uri", "locationName": "agentId"}}},
	            "Id": {"type": "string", "pattern": "^[a-z]+$"}, "Unused": {"type": "structure", "members": {}}}}`
	if err := os.MkdirAll(filepath.Join(dir, "securityagent", "2025-01-01"), 0o755); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(svc))
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, "securityagent", "2025-01-01", "service-2.json.gz"), gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "botocore.jsonl")
	written, missing, err := writeExtract(path, dir, "botocore 9.9.9", []string{"securityagent", "nothere"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(written, []string{"securityagent"}) || !reflect.DeepEqual(missing, []string{"nothere"}) {
		t.Errorf("written %v, missing %v", written, missing)
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), "dropped") || strings.Contains(string(data), "Unused") {
		t.Errorf("the extract keeps what the generator does not read:\n%s", data)
	}
	models, srcs, err := loadExtract(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(models) != 1 || !reflect.DeepEqual(srcs, []servicemaps.Source{{Name: "botocore-extract", Version: "botocore 9.9.9"}}) {
		t.Fatalf("loadExtract = %d models, %v", len(models), srcs)
	}
	md := models[0]
	if md.svc.Model != "securityagent" || md.svc.Origin != "botocore" || md.svc.SigningName != "securityagent" || len(md.svc.Ops) != 2 {
		t.Errorf("model = %+v", md.svc)
	}
	if !md.unsigned["Hello"] || md.unsigned["GetAgent"] {
		t.Errorf("unsigned = %v", md.unsigned)
	}
	if m, _, err := loadExtract(filepath.Join(dir, "none.jsonl")); err != nil || m != nil {
		t.Errorf("loadExtract of a missing file = %v, %v", m, err)
	}
}

func TestMergeV2(t *testing.T) {
	mk := func(name, id, origin string, ops ...string) *model {
		s := &servicemaps.Service{Model: name, ServiceID: id, Origin: origin}
		for _, o := range ops {
			s.Ops = append(s.Ops, &servicemaps.Operation{Name: o})
		}
		return &model{svc: s, inputs: map[string][]inputMember{}, unsigned: map[string]bool{}}
	}
	v1 := []*model{mk("glue", "Glue", "v1", "A")}
	newer := []*model{mk("glue", "Glue", "v2", "A", "B"), mk("omics", "Omics", "v2", "X"), mk("omics", "Omics", "js", "X", "Y"), mk("glue", "Other", "js", "Z")}
	newer[2].unsigned["Y"] = true
	out := mergeV2(v1, newer)
	names := map[string]*model{}
	for _, m := range out {
		names[m.svc.Model] = m
	}
	if len(out) != 3 || names["glue"] == nil || names["omics"] == nil || names["glue-js"] == nil {
		t.Fatalf("models = %v", sortedKeys(names))
	}
	glue := names["glue"].svc
	if len(glue.Ops) != 2 || glue.Ops[1].Name != "B" || glue.Ops[1].Origin != "v2" || glue.Ops[0].Origin != "" {
		t.Errorf("glue ops = %+v %+v", glue.Ops[0], glue.Ops[1])
	}
	omics := names["omics"]
	if len(omics.svc.Ops) != 2 || omics.svc.Ops[1].Origin != "js" || !omics.unsigned["Y"] {
		t.Errorf("omics = %+v, unsigned %v", omics.svc.Ops, omics.unsigned)
	}
}

// FuzzScrapeJS feeds arbitrary schema files to the JavaScript scraper: it
// may reject them, but must not panic or loop.
func FuzzScrapeJS(f *testing.F) {
	f.Add(jsFixture["dist-es/schemas/schemas_0.js"])
	f.Add(`export var X$ = [9, n0, _a, { [_ht]: ["GET", "/{a}"] }, () => Y$, () => Y$];
export var Y$ = [3, n0, _b, 0, [_c], [[0, { [_hQ]: 1 }]], 7];`)
	f.Add(`const _a = "A"; export var A$ = [9, n0, _a, 1 | 2 | , () => A$];`)
	f.Fuzz(func(t *testing.T, schemas string) {
		files := map[string]string{}
		for k, v := range jsFixture {
			files[k] = v
		}
		files["dist-es/schemas/schemas_0.js"] = schemas
		md, err := scrapeJS(files)
		if err == nil && len(md.svc.Ops) == 0 {
			t.Fatal("scrapeJS returned a model without operations")
		}
	})
}
