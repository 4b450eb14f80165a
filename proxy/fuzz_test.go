package proxy

import (
	"bufio"
	"crypto/x509"
	"os"
	"strings"
	"testing"
)

// FuzzHostParsing drives the proxy's parsers of hosts and request-targets
// and the CA's leaf issuing with arbitrary input: nothing panics, a
// request-target is relayed byte for byte, and the CA issues leaves for
// exactly the hosts it intercepts, each one its own name constraints
// accept.
func FuzzHostParsing(f *testing.F) {
	seeds, err := os.Open("testdata/hosts.txt")
	if err != nil {
		f.Fatal(err)
	}
	sc := bufio.NewScanner(seeds)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			host, target, _ := strings.Cut(line, "\t")
			f.Add(host, target)
		}
	}
	seeds.Close()
	ca, err := NewCA()
	if err != nil {
		f.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Certificate())
	f.Fuzz(func(t *testing.T, host, target string) {
		path, rawQuery := splitRequestURI(target)
		if strings.Contains(path, "?") {
			t.Fatalf("splitRequestURI(%q): path %q holds the query", target, path)
		}
		if strings.HasPrefix(target, "/") {
			u := upstreamURL(nil, "https", "sts.amazonaws.com:443", path, rawQuery)
			want := path
			if rawQuery != "" {
				want += "?" + rawQuery
			}
			if got := u.RequestURI(); got != want && !strings.HasPrefix(path, "//") {
				t.Fatalf("request-target %q relayed as %q", want, got)
			}
		}
		_ = observedHost(host, "https")
		parseServerError([]byte(target))

		// Leaf takes what the TLS handshake names: no port.
		name := normalizeHost(hostOnly(host))
		leaf, err := ca.Leaf(name)
		if want := IsAWSHost(host) && validDNSName(name); want != (err == nil) {
			t.Fatalf("IsAWSHost(%q) = %v, valid name %v, but Leaf: %v", host, IsAWSHost(host), validDNSName(name), err)
		}
		if err != nil {
			return
		}
		if _, err := leaf.Leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: roots}); err != nil {
			t.Fatalf("the CA issued a leaf for %q that its constraints reject: %v", name, err)
		}
	})
}
