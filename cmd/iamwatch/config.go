package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// home returns iamwatch's directory: --home, IAMWATCH_HOME, the config file,
// or ~/.iamwatch. It creates it with mode 0700 when missing.
func (a *app) home() (string, error) {
	dir := a.v.GetString("home")
	if dir == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", hintError{fmt.Errorf("find the home directory: %w", err), "export IAMWATCH_HOME=/path/to/dir"}
		}
		dir = filepath.Join(h, ".iamwatch")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	return dir, nil
}

// dbPath returns --db, or iamwatch.db in the home directory.
func (a *app) dbPath() (string, error) {
	if p := a.v.GetString("db"); p != "" {
		return p, nil
	}
	h, err := a.home()
	if err != nil {
		return "", err
	}
	return filepath.Join(h, "iamwatch.db"), nil
}

// bind makes the executing command's flags the top layer of the
// configuration (flags > IAMWATCH_* environment > config file > defaults),
// then reads the config file from the home directory if there is one.
func (a *app) bind(cmd *cobra.Command) error {
	var err error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if e := a.v.BindPFlag(f.Name, f); e != nil && err == nil {
			err = e
		}
	})
	if err != nil {
		return err
	}
	dir := a.v.GetString("home")
	if dir == "" {
		if h, herr := os.UserHomeDir(); herr == nil {
			dir = filepath.Join(h, ".iamwatch")
		}
	}
	if dir == "" {
		return nil
	}
	path := a.v.GetString("config")
	explicit := path != ""
	if !explicit {
		path = filepath.Join(dir, "config.yaml")
	}
	if _, statErr := os.Stat(path); statErr != nil {
		if explicit {
			return usageError{fmt.Errorf("config file %s: %w", path, statErr)}
		}
		return nil
	}
	a.v.SetConfigFile(path)
	if err := a.v.ReadInConfig(); err != nil {
		return usageError{fmt.Errorf("read config file %s: %w", path, err)}
	}
	return nil
}

// logger returns the slog logger for --log-level, writing to stderr.
func (a *app) logger() (*slog.Logger, error) {
	var level slog.Level
	switch strings.ToLower(a.v.GetString("log-level")) {
	case "debug":
		level = slog.LevelDebug
	case "info", "":
		level = slog.LevelInfo
	case "warn", "warning":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	default:
		return nil, usageError{fmt.Errorf("--log-level must be debug, info, warn or error, not %q", a.v.GetString("log-level"))}
	}
	return slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: level})), nil
}

// parseLabels turns key=value flags into a map.
func parseLabels(list []string) (map[string]string, error) {
	if len(list) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(list))
	for _, kv := range list {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, usageError{fmt.Errorf("--label %q is not key=value", kv)}
		}
		out[k] = v
	}
	return out, nil
}

// isTerminal reports whether w is a terminal.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

var errInterrupted = errors.New("interrupted")
