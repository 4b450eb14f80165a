package proxy_test

import (
	"crypto/x509"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/iamwatch/iamwatch/proxy"
)

func TestCAFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "home")
	ca, err := proxy.LoadOrCreateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path string
		mode fs.FileMode
	}{
		{dir, 0o700 | fs.ModeDir},
		{filepath.Join(dir, proxy.CertFile), 0o644},
		{filepath.Join(dir, proxy.KeyFile), 0o600},
	} {
		fi, err := os.Stat(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != tt.mode {
			t.Errorf("%s: mode %v, want %v", filepath.Base(tt.path), fi.Mode(), tt.mode)
		}
	}
	onDisk, _ := os.ReadFile(filepath.Join(dir, proxy.CertFile))
	if string(onDisk) != string(ca.CertPEM()) {
		t.Error("CertPEM differs from ca.pem")
	}

	again, err := proxy.LoadOrCreateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Certificate().Equal(ca.Certificate()) {
		t.Error("second LoadOrCreateCA made a new CA instead of loading")
	}

	rotated, err := proxy.RotateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	if rotated.Certificate().Equal(ca.Certificate()) {
		t.Error("RotateCA kept the old certificate")
	}
	loaded, err := proxy.LoadCA(dir)
	if err != nil || !loaded.Certificate().Equal(rotated.Certificate()) {
		t.Errorf("LoadCA after rotation: %v", err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, proxy.KeyFile)); fi.Mode() != 0o600 {
		t.Errorf("rotated key mode %v", fi.Mode())
	}

	t.Run("exposed key", func(t *testing.T) {
		if err := os.Chmod(filepath.Join(dir, proxy.KeyFile), 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(filepath.Join(dir, proxy.KeyFile), 0o600)
		if _, err := proxy.LoadOrCreateCA(dir); !errors.Is(err, proxy.ErrKeyExposed) {
			t.Errorf("err = %v, want ErrKeyExposed", err)
		}
	})
	t.Run("half a CA", func(t *testing.T) {
		half := t.TempDir()
		data, _ := os.ReadFile(filepath.Join(dir, proxy.CertFile))
		os.WriteFile(filepath.Join(half, proxy.CertFile), data, 0o644)
		if _, err := proxy.LoadOrCreateCA(half); !errors.Is(err, proxy.ErrCAIncomplete) {
			t.Errorf("err = %v, want ErrCAIncomplete", err)
		}
	})
	t.Run("mismatched key", func(t *testing.T) {
		mixed := t.TempDir()
		other, err := proxy.LoadOrCreateCA(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(mixed, proxy.CertFile), other.CertPEM(), 0o644)
		key, _ := os.ReadFile(filepath.Join(dir, proxy.KeyFile))
		os.WriteFile(filepath.Join(mixed, proxy.KeyFile), key, 0o600)
		if _, err := proxy.LoadCA(mixed); err == nil {
			t.Error("loaded a CA whose key does not match its certificate")
		}
	})
	t.Run("no CA", func(t *testing.T) {
		if _, err := proxy.LoadCA(t.TempDir()); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("err = %v, want fs.ErrNotExist", err)
		}
	})
}

// TestNameConstraints checks with crypto/x509 that the CA can vouch for
// AWS hosts only, whatever its key signs.
func TestNameConstraints(t *testing.T) {
	ca, err := proxy.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	c := ca.Certificate()
	if c.PublicKeyAlgorithm != x509.ECDSA || !c.IsCA || !c.PermittedDNSDomainsCritical {
		t.Fatalf("CA: algorithm %v, IsCA %v, critical constraints %v", c.PublicKeyAlgorithm, c.IsCA, c.PermittedDNSDomainsCritical)
	}
	roots := x509.NewCertPool()
	roots.AddCert(c)
	tests := []struct {
		host string
		ok   bool
	}{
		{"s3.amazonaws.com", true},
		{"photos.s3.us-east-1.amazonaws.com", true},
		{"sts.cn-north-1.amazonaws.com.cn", true},
		{"bedrock.us-east-1.api.aws", true},
		{"example.com", false},
		{"amazonaws.com.evil.example", false},
		{"s3.amazonaws.co", false},
		{"api.aws.example.org", false},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			leaf, err := proxy.SignAnyHost(ca, tt.host)
			if err != nil {
				t.Fatal(err)
			}
			_, err = leaf.Leaf.Verify(x509.VerifyOptions{DNSName: tt.host, Roots: roots})
			if tt.ok && err != nil {
				t.Errorf("leaf for %s rejected: %v", tt.host, err)
			}
			if !tt.ok {
				var inv x509.CertificateInvalidError
				if !errors.As(err, &inv) || inv.Reason != x509.CANotAuthorizedForThisName {
					t.Errorf("leaf for %s: err = %v, want CANotAuthorizedForThisName", tt.host, err)
				}
			}
			_, leafErr := ca.Leaf(tt.host)
			if tt.ok != (leafErr == nil) || !tt.ok && !errors.Is(leafErr, proxy.ErrNotAWSHost) {
				t.Errorf("Leaf(%s) = %v", tt.host, leafErr)
			}
		})
	}
}

func TestLeafCache(t *testing.T) {
	ca, err := proxy.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	a, err := ca.Leaf("sqs.us-east-1.amazonaws.com")
	if err != nil {
		t.Fatal(err)
	}
	b, err := ca.Leaf("SQS.us-east-1.amazonaws.com.")
	if err != nil {
		t.Fatal(err)
	}
	if a != b || proxy.IssuedLeaves(ca) != 1 {
		t.Errorf("second Leaf for the same host signed again (issued %d)", proxy.IssuedLeaves(ca))
	}
	if a.Leaf.NotAfter.Sub(a.Leaf.NotBefore) > 26*60*60*1e9 {
		t.Errorf("leaf valid from %v to %v; want short-lived", a.Leaf.NotBefore, a.Leaf.NotAfter)
	}
}
