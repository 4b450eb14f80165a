package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	servicemaps "github.com/iamwatch/iamwatch/service-maps"
)

// jsPin is one line of the JavaScript client list: an npm package, its
// version and the integrity of its tarball.
type jsPin struct {
	Name, Version, Integrity string
}

func (p jsPin) spec() string { return p.Name + "@" + p.Version }

// readJSList reads `name@version integrity` lines; blank lines and #
// comments are skipped. A missing file is an empty list.
func readJSList(path string) ([]jsPin, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read js client list: %w", err)
	}
	var out []jsPin
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		i := strings.LastIndexByte(f[0], '@')
		if len(f) != 2 || i <= 0 || !strings.HasPrefix(f[0], jsClientPrefix) || !strings.HasPrefix(f[1], "sha512-") {
			return nil, fmt.Errorf("%s:%d: want %s<name>@<version> sha512-<integrity>, got %q", path, n, jsClientPrefix, line)
		}
		out = append(out, jsPin{Name: f[0][:i], Version: f[0][i+1:], Integrity: f[1]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

const jsClientPrefix = "@aws-sdk/client-"

// integrity is the npm integrity string of data.
func integrity(data []byte) string {
	sum := sha512.Sum512(data)
	return "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
}

// npmCacheDir is where the generator keeps the client tarballs it fetched.
func npmCacheDir(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("locate a cache directory for npm tarballs: %w", err)
	}
	return filepath.Join(base, "iamwatch-gen", "npm"), nil
}

func tarballName(p jsPin) string {
	return strings.NewReplacer("@", "", "/", "-").Replace(p.Name) + "-" + p.Version + ".tgz"
}

// fetchJS returns the tarball of every pin, from the cache when it is
// there with the pinned integrity, else packed by npm (one npm command for
// all that are missing) and checked against the pin.
func fetchJS(ctx context.Context, pins []jsPin, cacheDir string) (map[string][]byte, error) {
	out := map[string][]byte{}
	var missing []jsPin
	for _, p := range pins {
		data, err := os.ReadFile(filepath.Join(cacheDir, tarballName(p)))
		if err == nil && integrity(data) == p.Integrity {
			out[p.spec()] = data
			continue
		}
		missing = append(missing, p)
	}
	if len(missing) == 0 {
		return out, nil
	}
	packed, err := npmPack(ctx, missing, cacheDir)
	if err != nil {
		return nil, err
	}
	for _, p := range missing {
		data := packed[p.spec()]
		if data == nil {
			return nil, fmt.Errorf("npm pack %s: no tarball", p.spec())
		}
		if got := integrity(data); got != p.Integrity {
			return nil, fmt.Errorf("npm pack %s: integrity %s, want the pinned %s", p.spec(), got, p.Integrity)
		}
		out[p.spec()] = data
	}
	return out, nil
}

// npmPack runs `npm pack` for the pins' name@version specs into cacheDir
// and returns each tarball's bytes. The integrity of a pin may be empty.
func npmPack(ctx context.Context, pins []jsPin, cacheDir string) (map[string][]byte, error) {
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return nil, fmt.Errorf("npm pack: %w", err)
	}
	work, err := os.MkdirTemp("", "iamwatch-gen-npm-")
	if err != nil {
		return nil, fmt.Errorf("npm pack: %w", err)
	}
	defer os.RemoveAll(work)
	args := []string{"pack", "--json", "--ignore-scripts", "--pack-destination", work}
	for _, p := range pins {
		args = append(args, p.spec())
	}
	cmd := exec.CommandContext(ctx, "npm", args...)
	cmd.Dir = work
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("npm pack: %w: %s", err, firstLine(strings.TrimSpace(stderr.String())))
	}
	var packed []struct {
		Name, Version, Filename string
	}
	if err := json.Unmarshal(stdout.Bytes(), &packed); err != nil {
		return nil, fmt.Errorf("npm pack: parse its answer: %w", err)
	}
	out := map[string][]byte{}
	for _, p := range packed {
		data, err := os.ReadFile(filepath.Join(work, p.Filename))
		if err != nil {
			return nil, fmt.Errorf("npm pack: %w", err)
		}
		pin := jsPin{Name: p.Name, Version: p.Version}
		if err := os.WriteFile(filepath.Join(cacheDir, tarballName(pin)), data, 0o644); err != nil {
			return nil, fmt.Errorf("npm pack: %w", err)
		}
		out[pin.spec()] = data
	}
	return out, nil
}

// npmVersion asks the npm registry for the newest version of a package;
// "" when it has none.
func npmVersion(ctx context.Context, name string) string {
	cmd := exec.CommandContext(ctx, "npm", "view", name, "version")
	cmd.Dir = os.TempDir()
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// loadJS fetches and scrapes every client of the list.
func loadJS(ctx context.Context, list, cacheDir string) ([]*model, []servicemaps.Source, error) {
	pins, err := readJSList(list)
	if err != nil || len(pins) == 0 {
		return nil, nil, err
	}
	if cacheDir, err = npmCacheDir(cacheDir); err != nil {
		return nil, nil, err
	}
	tgz, err := fetchJS(ctx, pins, cacheDir)
	if err != nil {
		return nil, nil, err
	}
	var out []*model
	var srcs []servicemaps.Source
	for _, p := range pins {
		files, err := readTgz(tgz[p.spec()])
		if err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", p.spec(), err)
		}
		md, err := scrapeJS(files)
		if err != nil {
			return nil, nil, fmt.Errorf("scrape %s: %w", p.spec(), err)
		}
		out = append(out, md)
		srcs = append(srcs, servicemaps.Source{Name: p.Name, Version: p.Version})
	}
	return out, srcs, nil
}
