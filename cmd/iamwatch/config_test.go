package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// loadConfig reads data as the config file of `iamwatch proxy` and returns
// the capture options it yields, as the command would before starting.
func loadConfig(t testing.TB, data []byte) (captureOptions, error) {
	t.Helper()
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, "config.yaml"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	a := &app{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, v: newViper()}
	a.v.Set("home", home)
	root := a.rootCommand()
	cmd, _, err := root.Find([]string{"proxy"})
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.ParseFlags(nil); err != nil { // merges the root's flags in
		t.Fatal(err)
	}
	if err := a.bind(cmd); err != nil {
		return captureOptions{}, err
	}
	if _, err := a.logger(); err != nil {
		return captureOptions{}, err
	}
	return a.captureOptions("")
}

// checkConfig fails unless err is a usage error or o is a configuration
// the proxy may run with.
func checkConfig(t testing.TB, o captureOptions, err error) {
	t.Helper()
	if err != nil {
		var u usageError
		if !errors.As(err, &u) {
			t.Fatalf("config error is not a usage error (exit 2): %v", err)
		}
		return
	}
	switch {
	case o.onStoreError != failOpen && o.onStoreError != failClosed:
		t.Fatalf("accepted on-store-error %q", o.onStoreError)
	case o.dialTimeout < 0 || o.respTimeout < 0:
		t.Fatalf("accepted negative timeouts %v %v", o.dialTimeout, o.respTimeout)
	case !o.allowRemote && !isLoopbackAddr(o.listen):
		t.Fatalf("accepted non-loopback listen %q without allow-remote", o.listen)
	case o.allowRemote && o.proxyToken == "":
		t.Fatal("accepted allow-remote without a token")
	case o.session == "":
		t.Fatal("no session name")
	}
}

func TestConfigFile(t *testing.T) {
	tests := []struct {
		file  string
		valid bool
		check func(t *testing.T, o captureOptions)
	}{
		{"proxy.yaml", true, func(t *testing.T, o captureOptions) {
			if o.listen != "127.0.0.1:10080" || o.upstream != "http://localhost:4566" || o.accountID != "123456789012" ||
				o.dialTimeout != 5*time.Second || o.respTimeout != 90*time.Second || o.onStoreError != failClosed ||
				o.labels["team"] != "payments" || o.labels["env"] != "dev" {
				t.Errorf("options %+v", o)
			}
		}},
		{"remote.yaml", true, func(t *testing.T, o captureOptions) {
			if !o.allowRemote || o.proxyToken != "0123456789abcdef" {
				t.Errorf("options %+v", o)
			}
		}},
		{"remote-no-token.yaml", false, nil},
		{"bad-values.yaml", false, nil},
		{"broken.yaml", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "config", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			o, err := loadConfig(t, data)
			checkConfig(t, o, err)
			if tt.valid != (err == nil) {
				t.Fatalf("valid %v, err %v", tt.valid, err)
			}
			if tt.check != nil {
				tt.check(t, o)
			}
		})
	}
}

// FuzzConfig: whatever the config file holds, reading it gives a usage
// error or a configuration the proxy may run with, never a panic.
func FuzzConfig(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "config", "*.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range seeds {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := loadConfig(t, data)
		checkConfig(t, o, err)
	})
}

// TestProxyTokenFromEnv: the token may come from IAMWATCH_PROXY_TOKEN, so
// that it stays out of the process list.
func TestProxyTokenFromEnv(t *testing.T) {
	t.Setenv("IAMWATCH_PROXY_TOKEN", "from-env")
	data, err := os.ReadFile(filepath.Join("testdata", "config", "remote-no-token.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := loadConfig(t, data)
	if err != nil || !o.allowRemote || o.proxyToken != "from-env" {
		t.Errorf("options %+v, err %v; want the token from the environment", o, err)
	}
}
