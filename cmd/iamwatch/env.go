package main

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iamwatch/iamwatch/proxy"
)

//go:embed assets/node-proxy.js
var nodePreload []byte

// clientEnv is the environment that makes AWS clients use iamwatch.
type clientEnv struct {
	vars     [][2]string
	warnings []string
}

// systemRootFiles are where Linux distributions and macOS keep the system
// trust store as one PEM file.
var systemRootFiles = []string{
	"/etc/ssl/certs/ca-certificates.crt", // Debian, Ubuntu, Alpine
	"/etc/pki/tls/certs/ca-bundle.crt",   // Fedora, RHEL
	"/etc/ssl/ca-bundle.pem",             // openSUSE
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	"/etc/ssl/cert.pem", // macOS, Alpine
}

// writeBundle writes home/ca-bundle.pem: the roots the client would have
// trusted (the user's own bundle variable if set, else the system's) plus
// the iamwatch CA. Variables such as SSL_CERT_FILE and AWS_CA_BUNDLE replace
// a client's roots, so they must point at such a bundle, not at the CA
// alone, or every non-AWS TLS connection would fail.
func writeBundle(home string, ca *proxy.CA, getenv func(string) string) (string, error) {
	var base []byte
	for _, v := range []string{"AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"} {
		if p := getenv(v); p != "" && !strings.HasPrefix(p, home) {
			if b, err := os.ReadFile(p); err == nil {
				base = b
				break
			}
		}
	}
	if base == nil {
		for _, p := range systemRootFiles {
			if b, err := os.ReadFile(p); err == nil {
				base = b
				break
			}
		}
	}
	var buf bytes.Buffer
	buf.Write(base)
	if len(base) > 0 && !bytes.HasSuffix(base, []byte("\n")) {
		buf.WriteByte('\n')
	}
	buf.WriteString("# iamwatch CA\n")
	buf.Write(ca.CertPEM())
	path := filepath.Join(home, "ca-bundle.pem")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("write CA bundle: %w", err)
	}
	return path, nil
}

// nodeExtraCA returns the file for NODE_EXTRA_CA_CERTS: the iamwatch CA,
// plus the certificates the user already added to Node's roots that way
// (a company CA, say), which replacing the variable would otherwise drop.
func nodeExtraCA(home string, ca *proxy.CA, getenv func(string) string) (string, error) {
	own := filepath.Join(home, proxy.CertFile)
	p := getenv("NODE_EXTRA_CA_CERTS")
	if p == "" || p == own || strings.HasPrefix(p, home) {
		return own, nil
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return own, nil // Node ignores an unreadable file too
	}
	var buf bytes.Buffer
	buf.Write(b)
	if len(b) > 0 && !bytes.HasSuffix(b, []byte("\n")) {
		buf.WriteByte('\n')
	}
	buf.WriteString("# iamwatch CA\n")
	buf.Write(ca.CertPEM())
	path := filepath.Join(home, "node-extra-ca.pem")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("write the Node CA file: %w", err)
	}
	return path, nil
}

// buildClientEnv returns the variables for a proxy at proxyURL.
func buildClientEnv(home string, ca *proxy.CA, proxyURL, csmHost, csmPort string, getenv func(string) string) (clientEnv, error) {
	var e clientEnv
	bundle, err := writeBundle(home, ca, getenv)
	if err != nil {
		return e, err
	}
	preload := filepath.Join(home, "node-proxy.js")
	if err := os.WriteFile(preload, nodePreload, 0o644); err != nil {
		return e, fmt.Errorf("write the Node preload: %w", err)
	}
	set := func(k, v string) { e.vars = append(e.vars, [2]string{k, v}) }
	set("HTTPS_PROXY", proxyURL)
	set("https_proxy", proxyURL)
	set("HTTP_PROXY", proxyURL)
	set("http_proxy", proxyURL)
	set("IAMWATCH_PROXY", proxyURL)
	set("AWS_CA_BUNDLE", bundle)
	set("REQUESTS_CA_BUNDLE", bundle)
	set("SSL_CERT_FILE", bundle)
	nodeCA, err := nodeExtraCA(home, ca, getenv)
	if err != nil {
		return e, err
	}
	set("NODE_EXTRA_CA_CERTS", nodeCA)
	nodeOpts := "--require " + preload
	if cur := getenv("NODE_OPTIONS"); cur != "" && !strings.Contains(cur, preload) {
		nodeOpts = cur + " " + nodeOpts
	}
	set("NODE_OPTIONS", nodeOpts)
	if csmPort != "" {
		set("AWS_CSM_ENABLED", "true")
		set("AWS_CSM_HOST", csmHost)
		set("AWS_CSM_PORT", csmPort)
	}
	for _, k := range []string{"NO_PROXY", "no_proxy"} {
		for _, entry := range strings.Split(getenv(k), ",") {
			entry = strings.TrimSpace(entry)
			if entry == "" {
				continue
			}
			if entry == "*" || strings.HasSuffix("amazonaws.com", strings.TrimPrefix(entry, ".")) || strings.HasSuffix(strings.TrimPrefix(entry, "*"), "amazonaws.com") {
				e.warnings = append(e.warnings, fmt.Sprintf("%s=%s contains %q: AWS calls matching it bypass iamwatch and will be missing from the policy", k, getenv(k), entry))
			}
		}
	}
	return e, nil
}

// render prints the variables for a shell.
func (e clientEnv) render(w io.Writer, shell string) error {
	vars := append([][2]string(nil), e.vars...)
	sort.SliceStable(vars, func(i, j int) bool { return vars[i][0] < vars[j][0] })
	for _, kv := range vars {
		k, v := kv[0], kv[1]
		switch shell {
		case "bash", "zsh", "sh":
			fmt.Fprintf(w, "export %s=%s\n", k, shQuote(v))
		case "fish":
			fmt.Fprintf(w, "set -gx %s %s\n", k, shQuote(v))
		case "powershell":
			fmt.Fprintf(w, "$Env:%s = '%s'\n", k, strings.ReplaceAll(v, "'", "''"))
		default:
			return usageError{fmt.Errorf("--shell must be bash, zsh, fish or powershell, not %q", shell)}
		}
	}
	return nil
}

func shQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func (a *app) envCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "env",
		Short: "Print the environment that sends AWS clients through a running iamwatch proxy",
		Example: `  eval "$(iamwatch env)"
  iamwatch env --shell fish | source
  iamwatch env --shell powershell | Invoke-Expression`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			shell := a.v.GetString("shell")
			if shell == "" {
				shell = filepath.Base(os.Getenv("SHELL"))
				if shell != "zsh" && shell != "fish" {
					shell = "bash"
				}
			}
			proxyURL := a.v.GetString("proxy")
			u, err := url.Parse(proxyURL)
			if err != nil || u.Host == "" {
				return usageError{fmt.Errorf("--proxy %q is not a URL like http://127.0.0.1:10080", proxyURL)}
			}
			home, err := a.home()
			if err != nil {
				return err
			}
			ca, err := proxy.LoadCA(home)
			if err != nil {
				return hintError{fmt.Errorf("load the CA: %w", err), "iamwatch ca init"}
			}
			csmHost, csmPort := "", ""
			if c := a.v.GetString("csm"); c != "off" {
				h, p, err := net.SplitHostPort(c)
				if err != nil {
					return usageError{fmt.Errorf("--csm %q is not host:port or off", c)}
				}
				csmHost, csmPort = h, p
			}
			e, err := buildClientEnv(home, ca, proxyURL, csmHost, csmPort, os.Getenv)
			if err != nil {
				return err
			}
			for _, w := range e.warnings {
				fmt.Fprintf(a.stderr, "iamwatch: warning: %s\n", w)
			}
			if conn, err := net.Dial("tcp", u.Host); err != nil {
				fmt.Fprintf(a.stderr, "iamwatch: warning: nothing listens on %s yet; start it with: iamwatch proxy --listen %s\n", u.Host, u.Host)
			} else {
				conn.Close()
			}
			return e.render(a.stdout, shell)
		},
	}
	cmd.Flags().String("shell", "", "bash, zsh, fish or powershell (default: from $SHELL)")
	cmd.Flags().String("proxy", "http://127.0.0.1:10080", "the proxy's URL")
	cmd.Flags().String("csm", "127.0.0.1:31000", "the CSM listener's host:port, or off")
	return cmd
}
