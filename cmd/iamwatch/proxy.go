package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"github.com/iamwatch/iamwatch"

	"github.com/spf13/cobra"
)

func addCaptureFlags(cmd *cobra.Command, listenDefault, csmDefault string) {
	f := cmd.Flags()
	f.String("listen", listenDefault, "proxy address (loopback unless --allow-remote)")
	f.String("csm-listen", csmDefault, "AWS SDK Client-Side Monitoring UDP address, or off")
	f.String("db", "", "database file (default $IAMWATCH_HOME/iamwatch.db)")
	f.String("session", "", "session name (default: a timestamped name)")
	f.StringArray("label", nil, "label the session, key=value (repeatable); a client labels one call with the header X-Iamwatch-Label: key=value")
	f.String("upstream", "", "send every intercepted AWS request to this URL instead of its real host, e.g. http://localhost:4566")
	f.String("account-id", "", "account ID for calls whose account cannot be derived")
	f.Bool("allow-remote", false, "allow a non-loopback --listen (requires --proxy-token)")
	f.String("proxy-token", "", "password clients must send, as in HTTPS_PROXY=http://iamwatch:TOKEN@host:port (prefer IAMWATCH_PROXY_TOKEN: flags show in ps)")
	// The old name of --proxy-token. Not MarkDeprecated: cobra would
	// print the notice on stdout, which is for data.
	f.String("auth-token", "", "")
	f.MarkHidden("auth-token")
	f.Duration("dial-timeout", 10*time.Second, "upstream connect timeout, TLS handshake included")
	f.Duration("response-header-timeout", 2*time.Minute, "how long an upstream may make no progress before the client gets a 504")
	f.String("on-store-error", failOpen, "when the database cannot be written: fail-open forwards calls and warns; fail-closed answers 503 until it can")
}

func (a *app) captureOptions(sessionPrefix string) (captureOptions, error) {
	labels, err := parseLabels(a.v.GetStringSlice("label"))
	if err != nil {
		return captureOptions{}, err
	}
	o := captureOptions{
		listen:       a.v.GetString("listen"),
		csmListen:    a.v.GetString("csm-listen"),
		session:      a.v.GetString("session"),
		labels:       labels,
		upstream:     a.v.GetString("upstream"),
		accountID:    a.v.GetString("account-id"),
		allowRemote:  a.v.GetBool("allow-remote"),
		proxyToken:   a.v.GetString("proxy-token"),
		onStoreError: a.v.GetString("on-store-error"),
	}
	if old := a.v.GetString("auth-token"); o.proxyToken == "" && old != "" {
		fmt.Fprintln(a.stderr, "iamwatch: warning: --auth-token is deprecated; use --proxy-token or IAMWATCH_PROXY_TOKEN")
		o.proxyToken = old
	}
	for _, d := range []struct {
		name string
		to   *time.Duration
	}{{"dial-timeout", &o.dialTimeout}, {"response-header-timeout", &o.respTimeout}} {
		// Not GetDuration: it reads garbage as zero, which would mean
		// the default.
		raw := a.v.GetString(d.name)
		v, err := time.ParseDuration(raw)
		if err != nil || v < 0 {
			return o, usageError{fmt.Errorf("--%s %q is not a duration like 30s", d.name, raw)}
		}
		*d.to = v
	}
	if o.session == "" {
		o.session = defaultSession(sessionPrefix)
	}
	if o.onStoreError != failOpen && o.onStoreError != failClosed {
		return o, usageError{fmt.Errorf("--on-store-error must be %s or %s, not %q", failOpen, failClosed, o.onStoreError)}
	}
	if o.allowRemote && o.proxyToken == "" {
		return o, hintError{usageError{errors.New("--allow-remote requires a proxy token")},
			"IAMWATCH_PROXY_TOKEN=$(openssl rand -hex 16) iamwatch proxy --listen " + o.listen + " --allow-remote"}
	}
	if !o.allowRemote && !isLoopbackAddr(o.listen) {
		return o, hintError{usageError{fmt.Errorf("--listen %s is not a loopback address", o.listen)},
			"IAMWATCH_PROXY_TOKEN=$(openssl rand -hex 16) iamwatch proxy --listen " + o.listen + " --allow-remote   (or --listen 127.0.0.1:10080)"}
	}
	return o, nil
}

// isLoopbackAddr reports whether a host:port listens on loopback only.
func isLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (a *app) proxyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "proxy",
		Short: "Run the capturing proxy and CSM listener until interrupted",
		Long: `Run the capturing proxy and the SDK Client-Side-Monitoring listener until
SIGINT or SIGTERM, recording every AWS call into a session. Point your
application at it with the exports that 'iamwatch env' prints.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := a.logger()
			if err != nil {
				return err
			}
			o, err := a.captureOptions("")
			if err != nil {
				return err
			}
			r, err := a.startCapture(cmd.Context(), o, log)
			if err != nil {
				return err
			}
			var live *liveView
			switch output := a.v.GetString("output"); {
			case output == "json":
				// One JSON object per finished call on stdout, for machines.
				enc := json.NewEncoder(a.stdout)
				var mu sync.Mutex
				r.cap.onRecord = func(rec *iamwatch.Record) {
					mu.Lock()
					defer mu.Unlock()
					enc.Encode(toCallJSON(rec))
				}
			case output != "text":
				r.stop()
				return usageError{fmt.Errorf("--output must be text or json, not %q", output)}
			case isTerminal(a.stderr) && os.Getenv("NO_COLOR") == "":
				live = newLiveView(a.stderr)
				r.cap.onRecord = func(rec *iamwatch.Record) { live.record(rec, callLine(rec)) }
			default:
				lines := newLineBuffer(a.stderr)
				defer lines.Close()
				r.cap.lines = lines
			}
			host, port := r.csmAddr()
			fmt.Fprintf(a.stderr, "iamwatch: proxy on %s, session %q, CA %s\n", r.proxyURL(), r.session, r.caPath)
			if port != "" {
				fmt.Fprintf(a.stderr, "iamwatch: CSM on %s:%s\n", host, port)
			}
			fmt.Fprintf(a.stderr, "iamwatch: set up a shell with: eval \"$(iamwatch env --proxy %s)\"\n", r.proxyURL())
			var serveErr error
			select {
			case <-cmd.Context().Done():
			case serveErr = <-r.served:
			}
			stopErr := r.stop()
			if live != nil {
				live.stop()
			}
			fmt.Fprintf(a.stderr, "iamwatch: recorded %s in session %q\n", r.cap.callsSummary(), r.session)
			if d := r.cap.deniedSummary(); d != "" {
				fmt.Fprintf(a.stderr, "iamwatch: %s; iamwatch policy --session %s grants what they needed\n", d, shellQuote(r.session))
			}
			if serveErr != nil {
				return fmt.Errorf("proxy: %w", serveErr)
			}
			if stopErr != nil {
				return stopErr
			}
			return r.notStored()
		},
	}
	addCaptureFlags(cmd, "127.0.0.1:10080", "127.0.0.1:31000")
	cmd.Flags().StringP("output", "o", "text", "text: a line per call on stderr (and the live policy on a terminal); json: a JSON object per call on stdout")
	return cmd
}
