package proxy_test

import (
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamwatch/iamwatch/proxy"
)

// requireTool skips without the program, except in CI, where
// scripts/test-deps.sh must have installed it.
func requireTool(t *testing.T, path string) string {
	t.Helper()
	p, err := exec.LookPath(path)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing (CI: install it in scripts/test-deps.sh): %v", path, err)
		}
		t.Skipf("%s is missing: %v", path, err)
	}
	return p
}

// TestNameConstraintsRealClients: the CA's name constraints are enforced
// by clients that nobody here wrote, not only by crypto/x509. A server
// presenting a CA-signed leaf for example.com must fail curl's and
// Python's verification with a name-constraint error, while a leaf for an
// AWS host passes (so the failure is the constraint, not the setup).
func TestNameConstraintsRealClients(t *testing.T) {
	curl := requireTool(t, "curl")
	python := requireTool(t, "/usr/bin/python3")
	ca, err := proxy.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, ca.CertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	serve := func(host string) string {
		leaf, err := proxy.SignAnyHost(ca, host)
		if err != nil {
			t.Fatal(err)
		}
		l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{*leaf}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		// The rejecting clients abort their handshakes: keep that quiet.
		hs := &http.Server{
			Handler:  http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }),
			ErrorLog: log.New(io.Discard, "", 0),
		}
		go hs.Serve(l)
		_, port, _ := net.SplitHostPort(l.Addr().String())
		return port
	}
	const pyCheck = `
import socket, ssl, sys
host, port, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=cafile)
try:
    with socket.create_connection(("127.0.0.1", port)) as s:
        with ctx.wrap_socket(s, server_hostname=host):
            print("verified")
except ssl.SSLCertVerificationError as e:
    print("rejected:", e.verify_message)
`
	tests := []struct {
		host string
		ok   bool
	}{
		{"sts.amazonaws.com", true},
		{"example.com", false},
		{"www.amazonaws.com.evil.example", false},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			port := serve(tt.host)
			out, err := exec.Command(curl, "--silent", "--show-error", "--max-time", "10", "--cacert", caFile,
				"--resolve", tt.host+":"+port+":127.0.0.1", "https://"+tt.host+":"+port+"/").CombinedOutput()
			switch {
			case tt.ok && (err != nil || string(out) != "ok"):
				t.Errorf("curl rejected the AWS leaf: %v %s", err, out)
			case !tt.ok && (err == nil || !strings.Contains(strings.ToLower(string(out)), "permitted subtree violation")):
				t.Errorf("curl: %v %s; want a permitted-subtree violation", err, out)
			}

			out, err = exec.Command(python, "-c", pyCheck, tt.host, port, caFile).CombinedOutput()
			got := strings.TrimSpace(string(out))
			switch {
			case err != nil:
				t.Errorf("python: %v %s", err, out)
			case tt.ok && got != "verified":
				t.Errorf("python rejected the AWS leaf: %s", got)
			case !tt.ok && got != "rejected: permitted subtree violation":
				t.Errorf("python: %s; want a permitted-subtree violation", got)
			}
		})
	}
}
