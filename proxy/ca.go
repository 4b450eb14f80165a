package proxy

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"
)

// The files of a CA directory.
const (
	CertFile = "ca.pem"     // the CA certificate, mode 0644
	KeyFile  = "ca-key.pem" // its private key, mode 0600
)

const (
	caValidity   = 10 * 365 * 24 * time.Hour
	leafValidity = 24 * time.Hour
	// leafRenewBefore is how long before expiry a cached leaf is replaced.
	leafRenewBefore = time.Hour
	// clockSkew backdates certificates for clients whose clock lags.
	clockSkew = time.Hour
	// maxLeaves bounds the leaf cache; every S3 bucket is its own host.
	maxLeaves = 4096
)

// Errors of the CA.
var (
	// ErrCAIncomplete means the directory holds one of ca.pem and
	// ca-key.pem but not the other.
	ErrCAIncomplete = errors.New("CA directory holds only half of the CA")
	// ErrKeyExposed means the CA key file can be read by other users.
	ErrKeyExposed = errors.New("CA key file is readable by other users")
	// ErrNotAWSHost means a leaf certificate was asked for a host outside
	// the AWS domains the CA is constrained to.
	ErrNotAWSHost = errors.New("host is not an AWS API host")
)

// CA is a local certificate authority that issues short-lived leaf
// certificates for AWS API hosts. Its certificate is name-constrained to the
// AWS domains (amazonaws.com, amazonaws.com.cn, api.aws), so a client that
// trusts it cannot be fooled for any other site even if the key leaks.
// A CA is safe for concurrent use.
type CA struct {
	cert    *x509.Certificate
	certPEM []byte
	key     *ecdsa.PrivateKey

	leafKeyOnce sync.Once
	leafKey     *ecdsa.PrivateKey
	leafKeyErr  error

	mu     sync.Mutex
	leaves map[string]*tls.Certificate
	issued int // leaves signed, for tests and stats
}

// LoadOrCreateCA loads the CA kept in dir, creating dir (mode 0700) and a
// new CA (ca.pem 0644, ca-key.pem 0600) when neither file exists.
func LoadOrCreateCA(dir string) (*CA, error) {
	ca, err := loadCA(dir)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return ca, err
	}
	return createCA(dir)
}

// RotateCA replaces the CA kept in dir with a new one and returns it. Clients
// must trust the new certificate; leaves of the old CA stop verifying.
func RotateCA(dir string) (*CA, error) {
	return createCA(dir)
}

// LoadCA loads the CA kept in dir. It fails with an error matching
// fs.ErrNotExist when dir holds no CA, and ErrCAIncomplete when it holds
// only one of the two files.
func LoadCA(dir string) (*CA, error) {
	return loadCA(dir)
}

func loadCA(dir string) (*CA, error) {
	certPath, keyPath := filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	certPEM, certErr := os.ReadFile(certPath)
	keyInfo, keyErr := os.Stat(keyPath)
	switch {
	case errors.Is(certErr, fs.ErrNotExist) && errors.Is(keyErr, fs.ErrNotExist):
		return nil, fmt.Errorf("load CA from %q: %w", dir, fs.ErrNotExist)
	case errors.Is(certErr, fs.ErrNotExist) || errors.Is(keyErr, fs.ErrNotExist):
		return nil, fmt.Errorf("load CA from %q: %w", dir, ErrCAIncomplete)
	case certErr != nil:
		return nil, fmt.Errorf("load CA: %w", certErr)
	case keyErr != nil:
		return nil, fmt.Errorf("load CA: %w", keyErr)
	}
	if runtime.GOOS != "windows" && keyInfo.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("load CA key %q (mode %04o): %w", keyPath, keyInfo.Mode().Perm(), ErrKeyExposed)
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, fmt.Errorf("load CA: %w", err)
	}
	ca, err := parseCA(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("load CA from %q: %w", dir, err)
	}
	return ca, nil
}

func parseCA(certPEM, keyPEM []byte) (*CA, error) {
	cb, _ := pem.Decode(certPEM)
	if cb == nil || cb.Type != "CERTIFICATE" {
		return nil, errors.New("no CERTIFICATE block in " + CertFile)
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", CertFile, err)
	}
	if !cert.IsCA {
		return nil, errors.New(CertFile + " is not a CA certificate")
	}
	kb, _ := pem.Decode(keyPEM)
	if kb == nil {
		return nil, errors.New("no PEM block in " + KeyFile)
	}
	var key any
	switch kb.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(kb.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(kb.Bytes)
	default:
		err = fmt.Errorf("unexpected PEM block %q", kb.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", KeyFile, err)
	}
	ecKey, ok := key.(*ecdsa.PrivateKey)
	if !ok {
		return nil, errors.New(KeyFile + " is not an ECDSA key")
	}
	if !ecKey.PublicKey.Equal(cert.PublicKey) {
		return nil, errors.New(KeyFile + " does not match " + CertFile)
	}
	return &CA{cert: cert, certPEM: pem.EncodeToMemory(cb), key: ecKey}, nil
}

// NewCA makes a CA in memory only, for tests and throwaway proxies.
func NewCA() (*CA, error) {
	ca, _, err := generateCA()
	return ca, err
}

func generateCA() (*CA, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generate CA key: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, nil, fmt.Errorf("generate CA: %w", err)
	}
	skid := sha1.Sum(pub)
	serial, err := randomSerial()
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			Organization:       []string{"iamwatch local CA"},
			OrganizationalUnit: []string{whoami()},
			CommonName:         "iamwatch " + whoami(),
		},
		SubjectKeyId:          skid[:],
		NotBefore:             now.Add(-clockSkew),
		NotAfter:              now.Add(caValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
		// The constraint is what makes a leaked key harmless outside AWS.
		PermittedDNSDomainsCritical: true,
		PermittedDNSDomains:         awsDomains(),
		ExcludedIPRanges: []*net.IPNet{
			{IP: net.IPv4zero, Mask: net.CIDRMask(0, 32)},
			{IP: net.IPv6zero, Mask: net.CIDRMask(0, 128)},
		},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("generate CA: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("generate CA: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("generate CA: %w", err)
	}
	ca := &CA{
		cert:    cert,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		key:     key,
	}
	return ca, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}

func createCA(dir string) (*CA, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create CA directory: %w", err)
	}
	ca, keyPEM, err := generateCA()
	if err != nil {
		return nil, err
	}
	// The key goes first: a crash in between leaves a key without a
	// certificate, which LoadCA reports instead of using.
	if err := writeFileAtomic(filepath.Join(dir, KeyFile), keyPEM, 0o600); err != nil {
		return nil, fmt.Errorf("write CA key: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, CertFile), ca.certPEM, 0o644); err != nil {
		return nil, fmt.Errorf("write CA certificate: %w", err)
	}
	return ca, nil
}

// writeFileAtomic writes data to a temporary file with mode perm and renames
// it over path, so readers see the old file or the new one, never a part.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // a no-op after the rename
	if err := f.Chmod(perm); err != nil && runtime.GOOS != "windows" {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

func whoami() string {
	host, _ := os.Hostname()
	user := os.Getenv("USER")
	if user == "" {
		user = os.Getenv("USERNAME")
	}
	switch {
	case user != "" && host != "":
		return user + "@" + host
	case host != "":
		return host
	}
	return "local"
}

func randomSerial() (*big.Int, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("generate serial number: %w", err)
	}
	return serial, nil
}

// CertPEM returns the CA certificate, PEM-encoded, as in ca.pem.
func (ca *CA) CertPEM() []byte { return bytes.Clone(ca.certPEM) }

// Certificate returns the parsed CA certificate. Callers must not modify it.
func (ca *CA) Certificate() *x509.Certificate { return ca.cert }

// Leaf returns a certificate for the AWS API host name, signed by ca and
// valid for a day. Leaves are cached per host and renewed an hour before
// they expire. A host outside the AWS domains gets ErrNotAWSHost.
func (ca *CA) Leaf(host string) (*tls.Certificate, error) {
	name := normalizeHost(host)
	if !IsAWSHost(name) || !validDNSName(name) {
		return nil, fmt.Errorf("issue certificate for %q: %w", host, ErrNotAWSHost)
	}
	now := time.Now()
	ca.mu.Lock()
	if c, ok := ca.leaves[name]; ok && now.Before(c.Leaf.NotAfter.Add(-leafRenewBefore)) {
		ca.mu.Unlock()
		return c, nil
	}
	ca.mu.Unlock()

	c, err := ca.sign(name, now)
	if err != nil {
		return nil, fmt.Errorf("issue certificate for %q: %w", host, err)
	}

	ca.mu.Lock()
	defer ca.mu.Unlock()
	if prev, ok := ca.leaves[name]; ok && now.Before(prev.Leaf.NotAfter.Add(-leafRenewBefore)) {
		return prev, nil // another goroutine signed one meanwhile
	}
	if ca.leaves == nil || len(ca.leaves) >= maxLeaves {
		ca.leaves = make(map[string]*tls.Certificate)
	}
	ca.leaves[name] = c
	ca.issued++
	return c, nil
}

// sign issues a leaf for name. All leaves of a CA share one key, made on
// first use and kept in memory only.
func (ca *CA) sign(name string, now time.Time) (*tls.Certificate, error) {
	ca.leafKeyOnce.Do(func() {
		ca.leafKey, ca.leafKeyErr = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	})
	if ca.leafKeyErr != nil {
		return nil, ca.leafKeyErr
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	notAfter := now.Add(leafValidity)
	if notAfter.After(ca.cert.NotAfter) {
		notAfter = ca.cert.NotAfter
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{Organization: []string{"iamwatch"}, CommonName: name},
		DNSNames:     []string{name},
		NotBefore:    now.Add(-clockSkew),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &ca.leafKey.PublicKey, ca.key)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &tls.Certificate{
		Certificate: [][]byte{der},
		PrivateKey:  ca.leafKey,
		Leaf:        leaf,
	}, nil
}

// issuedLeaves reports how many leaves ca has signed.
func (ca *CA) issuedLeaves() int {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	return ca.issued
}
