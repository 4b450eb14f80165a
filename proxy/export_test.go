package proxy

import (
	"crypto/tls"
	"time"
)

// Test seams, compiled into tests only.

// IssuedLeaves reports how many leaf certificates ca has signed.
func IssuedLeaves(ca *CA) int { return ca.issuedLeaves() }

// SignAnyHost signs a leaf for name without the AWS-host guard of Leaf,
// to show that clients reject what the name constraints forbid.
func SignAnyHost(ca *CA, name string) (*tls.Certificate, error) { return ca.sign(name, time.Now()) }

// CATLSCertificate returns ca as a tls.Certificate with its key, for the
// benchmark's bare goproxy MITM.
func CATLSCertificate(ca *CA) tls.Certificate {
	return tls.Certificate{Certificate: [][]byte{ca.cert.Raw}, PrivateKey: ca.key, Leaf: ca.cert}
}
