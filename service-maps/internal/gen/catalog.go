package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/iamwatch/iamwatch"
	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

// refService is one file of the Service Authorization Reference.
type refService struct {
	Name    string `json:"Name"`
	Version string `json:"Version"`
	Actions []struct {
		Name                string   `json:"Name"`
		ActionConditionKeys []string `json:"ActionConditionKeys"`
		Annotations         struct {
			Properties struct {
				IsList                 bool `json:"IsList"`
				IsPermissionManagement bool `json:"IsPermissionManagement"`
				IsTaggingOnly          bool `json:"IsTaggingOnly"`
				IsWrite                bool `json:"IsWrite"`
			} `json:"Properties"`
		} `json:"Annotations"`
		Resources []struct {
			Name string `json:"Name"`
		} `json:"Resources"`
	} `json:"Actions"`
	Resources []struct {
		Name       string   `json:"Name"`
		ARNFormats []string `json:"ARNFormats"`
	} `json:"Resources"`
	ConditionKeys []struct {
		Name  string   `json:"Name"`
		Types []string `json:"Types"`
	} `json:"ConditionKeys"`
	Operations []refOperation `json:"Operations"`
}

type refOperation struct {
	Name              string `json:"Name"`
	AuthorizedActions []struct {
		Name    string `json:"Name"`
		Service string `json:"Service"`
	} `json:"AuthorizedActions"`
	SDK []struct {
		Name    string `json:"Name"`
		Method  string `json:"Method"`
		Package string `json:"Package"`
	} `json:"SDK"`
}

// reference is the loaded Service Authorization Reference.
type reference struct {
	Services []*refService // sorted by Name
	Version  string        // snapshot commit or fetch date
}

var commitRE = regexp.MustCompile(`(?m)^- Commit: ([0-9a-f]{40})`)

// loadReference reads every <service>.json of dir. The snapshot's version is
// the commit named in dir/SOURCE.md, or else a hash of the files.
func loadReference(dir string) (*reference, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("list reference %q: %w", dir, err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("list reference %q: no <service>.json files", dir)
	}
	sort.Strings(names)
	ref := &reference{}
	h := sha256.New()
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read reference: %w", err)
		}
		h.Write(data)
		var s refService
		if err := json.Unmarshal(data, &s); err != nil {
			return nil, fmt.Errorf("parse reference %q: %w", name, err)
		}
		if s.Name == "" {
			s.Name = strings.TrimSuffix(filepath.Base(name), ".json")
		}
		ref.Services = append(ref.Services, &s)
	}
	ref.Version = "sha256:" + hex.EncodeToString(h.Sum(nil))[:16]
	if src, err := os.ReadFile(filepath.Join(dir, "SOURCE.md")); err == nil {
		if m := commitRE.FindSubmatch(src); m != nil {
			ref.Version = string(m[1])
		}
	}
	sort.Slice(ref.Services, func(i, j int) bool { return ref.Services[i].Name < ref.Services[j].Name })
	return ref, nil
}

// liveReferenceURL is where AWS publishes the Service Authorization
// Reference.
const liveReferenceURL = "https://servicereference.us-east-1.amazonaws.com/v1/service-list.json"

// fetchReference downloads the reference from AWS: the service list, then
// each service's file. Its version is the fetch date.
func fetchReference(ctx context.Context, client *http.Client, now time.Time) (*reference, error) {
	get := func(url string, v any) error {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("get %s: %s", url, resp.Status)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		if err != nil {
			return fmt.Errorf("get %s: %w", url, err)
		}
		if err := json.Unmarshal(data, v); err != nil {
			return fmt.Errorf("parse %s: %w", url, err)
		}
		return nil
	}
	var list []struct {
		Service string `json:"service"`
		URL     string `json:"url"`
	}
	if err := get(liveReferenceURL, &list); err != nil {
		return nil, fmt.Errorf("fetch reference: %w", err)
	}
	ref := &reference{Version: "live:" + now.UTC().Format("2006-01-02")}
	for _, e := range list {
		var s refService
		if err := get(e.URL, &s); err != nil {
			return nil, fmt.Errorf("fetch reference: %w", err)
		}
		if s.Name == "" {
			s.Name = e.Service
		}
		ref.Services = append(ref.Services, &s)
	}
	sort.Slice(ref.Services, func(i, j int) bool { return ref.Services[i].Name < ref.Services[j].Name })
	return ref, nil
}

// level maps the reference's action annotations to an access level.
func level(list, write, perm, tagging bool) iamwatch.AccessLevel {
	switch {
	case perm:
		return iamwatch.LevelPermissionsManagement
	case tagging:
		return iamwatch.LevelTagging
	case write:
		return iamwatch.LevelWrite
	case list:
		return iamwatch.LevelList
	default:
		return iamwatch.LevelRead
	}
}

// catalog builds the IAM catalog of the reference.
func (ref *reference) catalog() []*servicemaps.IAMService {
	var out []*servicemaps.IAMService
	for _, rs := range ref.Services {
		s := &servicemaps.IAMService{Prefix: rs.Name, Name: rs.Name}
		seen := map[string]bool{}
		for _, a := range rs.Actions {
			if seen[strings.ToLower(a.Name)] {
				continue
			}
			seen[strings.ToLower(a.Name)] = true
			p := a.Annotations.Properties
			ia := &servicemaps.IAMAction{Name: a.Name, Level: level(p.IsList, p.IsWrite, p.IsPermissionManagement, p.IsTaggingOnly)}
			for _, r := range a.Resources {
				ia.ResourceTypes = append(ia.ResourceTypes, r.Name)
			}
			ia.ConditionKeys = append(ia.ConditionKeys, a.ActionConditionKeys...)
			s.Actions = append(s.Actions, ia)
		}
		for _, r := range rs.Resources {
			s.ResourceTypes = append(s.ResourceTypes, &servicemaps.ResourceType{Name: r.Name, ARNFormats: append([]string(nil), r.ARNFormats...)})
		}
		for _, k := range rs.ConditionKeys {
			ck := &servicemaps.ConditionKey{Name: k.Name}
			if len(k.Types) > 0 {
				ck.Type = k.Types[0]
			}
			s.ConditionKeys = append(s.ConditionKeys, ck)
		}
		out = append(out, s)
	}
	return out
}
