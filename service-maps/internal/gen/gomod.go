package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
)

// The generator reads its SDK sources from the Go module cache and fetches
// them with the go command, so a fresh machine needs nothing but a module
// proxy. The go command runs outside any main module, so that the
// project's go.mod stays untouched.

// goCmd runs `go args...` outside any main module and returns its stdout.
// A non-zero exit is not an error here: `go mod download -json` and
// `go list -e -json` report per-module errors in their output.
func goCmd(ctx context.Context, args ...string) ([]byte, string, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GO111MODULE=on")
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return nil, "", fmt.Errorf("go %s: %w", args[0], err)
	}
	return stdout.Bytes(), strings.TrimSpace(stderr.String()), nil
}

// goModDownload runs `go mod download -json mod@version` and returns the
// module's directory in the module cache.
func goModDownload(ctx context.Context, mod string) (string, error) {
	dirs, errs, err := goModDownloadAll(ctx, []string{mod})
	if err != nil {
		return "", err
	}
	if e := errs[mod]; e != nil {
		return "", e
	}
	return dirs[mod], nil
}

// goModDownloadAll downloads every mod@version of mods with one go command
// and returns each one's directory, or its error.
func goModDownloadAll(ctx context.Context, mods []string) (dirs map[string]string, errs map[string]error, err error) {
	dirs, errs = map[string]string{}, map[string]error{}
	if len(mods) == 0 {
		return dirs, errs, nil
	}
	out, stderr, err := goCmd(ctx, append([]string{"mod", "download", "-json"}, mods...)...)
	if err != nil {
		return nil, nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var info struct {
			Path, Version, Dir, Error string
		}
		if err := dec.Decode(&info); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, nil, fmt.Errorf("go mod download: parse its answer: %w", err)
		}
		mv := info.Path + "@" + info.Version
		switch {
		case info.Error != "":
			errs[mv] = fmt.Errorf("go mod download %s: %s", mv, info.Error)
		case info.Dir == "":
			errs[mv] = fmt.Errorf("go mod download %s: no directory in its answer", mv)
		default:
			dirs[mv] = info.Dir
		}
	}
	for _, mv := range mods {
		if dirs[mv] == "" && errs[mv] == nil {
			msg := stderr
			if msg == "" {
				msg = "no answer"
			}
			errs[mv] = fmt.Errorf("go mod download %s: %s", mv, firstLine(msg))
		}
	}
	return dirs, errs, nil
}

// goListVersions asks the module proxy which release versions of each
// module it serves, newest first. A module the proxy knows nothing about
// has none.
func goListVersions(ctx context.Context, mods []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(mods) == 0 {
		return out, nil
	}
	stdout, stderr, err := goCmd(ctx, append([]string{"list", "-m", "-versions", "-json", "-e"}, mods...)...)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(stdout))
	n := 0
	for {
		var info struct {
			Path     string
			Versions []string
		}
		if err := dec.Decode(&info); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, fmt.Errorf("go list -m -versions: parse its answer: %w", err)
		}
		n++
		var vs []string
		for _, v := range info.Versions {
			if versionRE.MatchString(v) {
				vs = append(vs, v)
			}
		}
		sort.Slice(vs, func(i, j int) bool { return compareVersions(vs[i], vs[j]) > 0 })
		out[info.Path] = vs
	}
	if n == 0 && stderr != "" {
		return nil, fmt.Errorf("go list -m -versions: %s", firstLine(stderr))
	}
	return out, nil
}
