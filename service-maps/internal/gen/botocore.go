package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

// Some services that AWS's Service Authorization Reference lists have no
// client that a reachable registry serves: the module proxy serves no
// version of their aws-sdk-go-v2 module and npm no schema-based JavaScript
// client. botocore (Apache-2.0) ships their models, but PyPI is not
// reachable, so the generator reads them from a committed extract of a
// botocore data directory: botocore.jsonl, one line per service, trimmed
// to the parts of service-2.json the generator reads. `-select-v2
// -botocore-fresh DIR` rewrites it from an installed botocore.

// extractHeader is the first line of the extract.
type extractHeader struct {
	Source  string `json:"source"`  // e.g. "botocore 1.43.11"
	License string `json:"license"` // botocore's license
}

// extractLine is one service of the extract.
type extractLine struct {
	Client string        `json:"client"` // botocore/boto3 client name
	Model  *trimmedModel `json:"model"`
}

// trimmedModel is the part of a service-2.json that parseV1Model reads, in
// the same JSON shape.
type trimmedModel struct {
	Metadata   map[string]json.RawMessage `json:"metadata"`
	Operations map[string]trimmedOp       `json:"operations"`
	Shapes     map[string]trimmedShape    `json:"shapes"`
}

type trimmedOp struct {
	HTTP       json.RawMessage `json:"http,omitempty"`
	Input      json.RawMessage `json:"input,omitempty"`
	Deprecated bool            `json:"deprecated,omitempty"`
	Endpoint   json.RawMessage `json:"endpoint,omitempty"`
	AuthType   string          `json:"authtype,omitempty"`
	Auth       []string        `json:"auth,omitempty"`
}

type trimmedShape struct {
	Type     string                   `json:"type,omitempty"`
	Required []string                 `json:"required,omitempty"`
	Members  map[string]trimmedMember `json:"members,omitempty"`
	Pattern  string                   `json:"pattern,omitempty"`
	Member   *trimmedMember           `json:"member,omitempty"` // list element
}

type trimmedMember struct {
	Shape        string `json:"shape"`
	Location     string `json:"location,omitempty"`
	LocationName string `json:"locationName,omitempty"`
	QueryName    string `json:"queryName,omitempty"`
	JSONName     string `json:"jsonName,omitempty"`
	Flattened    bool   `json:"flattened,omitempty"`
}

// metadataKeys are the metadata fields the generator reads.
var metadataKeys = []string{"apiVersion", "endpointPrefix", "jsonVersion", "protocol", "protocols", "serviceFullName",
	"serviceId", "signingName", "targetPrefix", "globalEndpoint", "awsQueryCompatible"}

// trimModel keeps the metadata, every operation's binding, its input shape
// and the shapes that input reaches (to the depth the generator walks for
// XML and query bodies; one level for JSON ones).
func trimModel(data []byte) (*trimmedModel, error) {
	var full struct {
		Metadata   map[string]json.RawMessage `json:"metadata"`
		Operations map[string]trimmedOp       `json:"operations"`
		Shapes     map[string]trimmedShape    `json:"shapes"`
	}
	if err := json.Unmarshal(data, &full); err != nil {
		return nil, err
	}
	t := &trimmedModel{Metadata: map[string]json.RawMessage{}, Operations: full.Operations, Shapes: map[string]trimmedShape{}}
	for _, k := range metadataKeys {
		if v, ok := full.Metadata[k]; ok {
			t.Metadata[k] = v
		}
	}
	// Nested members matter where wire names differ from member names:
	// XML and query bodies. JSON bodies keep the input's own members.
	depthLimit := 0
	var proto string
	_ = json.Unmarshal(full.Metadata["protocol"], &proto)
	switch proto {
	case "rest-xml", "query", "ec2":
		depthLimit = bodyDepth
	}
	var keep func(name string, depth int)
	keep = func(name string, depth int) {
		s, ok := full.Shapes[name]
		if !ok {
			return
		}
		if _, seen := t.Shapes[name]; seen {
			return
		}
		if depth > depthLimit {
			s.Members, s.Required, s.Member = nil, nil, nil
		}
		t.Shapes[name] = s
		for _, mn := range sortedKeys(s.Members) {
			keep(s.Members[mn].Shape, depth+1)
		}
		if s.Member != nil {
			keep(s.Member.Shape, depth+1)
		}
	}
	for _, name := range sortedKeys(full.Operations) {
		var in struct {
			Shape string `json:"shape"`
		}
		if len(full.Operations[name].Input) > 0 && json.Unmarshal(full.Operations[name].Input, &in) == nil {
			keep(in.Shape, 0)
		}
	}
	return t, nil
}

// newestServiceModel returns the service-2.json (or .gz) of the newest API
// version of client in a botocore data directory.
func newestServiceModel(dir, client string) ([]byte, error) {
	versions, _ := filepath.Glob(filepath.Join(dir, client, "*"))
	sort.Strings(versions)
	for i := len(versions) - 1; i >= 0; i-- {
		if data, err := os.ReadFile(filepath.Join(versions[i], "service-2.json")); err == nil {
			return data, nil
		}
		f, err := os.Open(filepath.Join(versions[i], "service-2.json.gz"))
		if err != nil {
			continue
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("read %s model: %w", client, err)
		}
		return io.ReadAll(zr)
	}
	return nil, fmt.Errorf("no service-2.json for %s in %s", client, dir)
}

// writeExtract writes the extract of the given clients of a botocore data
// directory; clients it lacks are reported, not fatal.
func writeExtract(path, dir, source string, clients []string) (written, missing []string, err error) {
	var b bytes.Buffer
	hdr, _ := json.Marshal(extractHeader{Source: source, License: "Apache-2.0 (botocore's data directory)"})
	b.Write(hdr)
	b.WriteByte('\n')
	sort.Strings(clients)
	for _, c := range clients {
		data, err := newestServiceModel(dir, c)
		if err != nil {
			missing = append(missing, c)
			continue
		}
		t, err := trimModel(data)
		if err != nil {
			return nil, nil, fmt.Errorf("trim %s model: %w", c, err)
		}
		line, err := json.Marshal(extractLine{Client: c, Model: t}) // map keys sort
		if err != nil {
			return nil, nil, err
		}
		b.Write(line)
		b.WriteByte('\n')
		written = append(written, c)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return nil, nil, fmt.Errorf("write botocore extract: %w", err)
	}
	return written, missing, nil
}

// botocoreVersion reads the version of the botocore package whose data
// directory is dir.
func botocoreVersion(dir string) string {
	src, err := os.ReadFile(filepath.Join(filepath.Dir(dir), "__init__.py"))
	if err != nil {
		return "botocore"
	}
	for _, line := range strings.Split(string(src), "\n") {
		if v, ok := strings.CutPrefix(line, "__version__ = "); ok {
			return "botocore " + strings.Trim(v, `'"`)
		}
	}
	return "botocore"
}

// loadExtract reads the committed extract; a missing file is none.
func loadExtract(path string) ([]*model, []servicemaps.Source, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read botocore extract: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 64<<20)
	var hdr extractHeader
	var out []*model
	for n := 1; sc.Scan(); n++ {
		if n == 1 {
			if err := json.Unmarshal(sc.Bytes(), &hdr); err != nil {
				return nil, nil, fmt.Errorf("%s:1: %w", path, err)
			}
			continue
		}
		var l struct {
			Client string          `json:"client"`
			Model  json.RawMessage `json:"model"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		md, err := parseV1Model(l.Client, l.Model)
		if err != nil {
			return nil, nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		// Named as its aws-sdk-go-v2 module would be, like the other
		// fresh sources.
		md.svc.Model, md.svc.Origin = norm(md.svc.ServiceID), "botocore"
		out = append(out, md)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("read botocore extract: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].svc.Model < out[j].svc.Model })
	if len(out) == 0 {
		return nil, nil, nil
	}
	return out, []servicemaps.Source{{Name: "botocore-extract", Version: hdr.Source}}, nil
}
