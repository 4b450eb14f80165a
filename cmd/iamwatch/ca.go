package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/iamwatch/iamwatch/proxy"
)

// debianAnchor is where Debian's update-ca-certificates picks up local CAs.
const debianAnchor = "/usr/local/share/ca-certificates/iamwatch.crt"

func (a *app) caCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ca",
		Short: "Manage the local CA that the proxy uses for AWS hosts",
		Long: `iamwatch's CA signs certificates for AWS hostnames only: it is name-constrained
to amazonaws.com, amazonaws.com.cn and api.aws, so its key cannot be used to
impersonate any other site. The certificate is $IAMWATCH_HOME/ca.pem and the
key $IAMWATCH_HOME/ca-key.pem (mode 0600).`,
	}
	load := func(create bool) (*proxy.CA, string, error) {
		home, err := a.home()
		if err != nil {
			return nil, "", err
		}
		var ca *proxy.CA
		if create {
			ca, err = proxy.LoadOrCreateCA(home)
		} else {
			ca, err = proxy.LoadCA(home)
		}
		if err != nil {
			hint := "iamwatch ca init"
			if errors.Is(err, proxy.ErrKeyExposed) {
				hint = "chmod 600 " + filepath.Join(home, proxy.KeyFile)
			}
			return nil, "", hintError{fmt.Errorf("load the CA: %w", err), hint}
		}
		return ca, filepath.Join(home, proxy.CertFile), nil
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "init",
		Short: "Create the CA if it does not exist, and print its path",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, path, err := load(true)
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, path)
			return nil
		},
	}, &cobra.Command{
		Use:   "path",
		Short: "Print the CA certificate's path",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, path, err := load(false)
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, path)
			return nil
		},
	}, &cobra.Command{
		Use:   "rotate",
		Short: "Replace the CA with a new one (clients must trust the new certificate)",
		Args:  cobra.NoArgs,
		Long: `Replace the CA with a new key and certificate, for instance when the key
may have leaked. The old key is deleted; the old certificate is kept as
ca-old-TIME.pem so that it can be found in trust stores and removed. The CA
bundles that 'iamwatch env' and 'iamwatch run' wrote are rewritten with the
new certificate. Running proxies keep the old CA until they restart.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			home, err := a.home()
			if err != nil {
				return err
			}
			return a.rotateCA(home)
		},
	}, &cobra.Command{
		Use:   "install",
		Short: "Add the CA to the operating system's trust store",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ca, path, err := load(true)
			if err != nil {
				return err
			}
			return a.trustStore(true, ca, path)
		},
	}, &cobra.Command{
		Use:   "uninstall",
		Short: "Remove the CA from the operating system's trust store",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ca, path, err := load(false)
			if err != nil {
				return err
			}
			return a.trustStore(false, ca, path)
		},
	})
	return cmd
}

// trustStore installs or removes the CA, idempotently, and says the exact
// command to run when it cannot.
func (a *app) trustStore(install bool, ca *proxy.CA, path string) error {
	switch runtime.GOOS {
	case "linux":
		if _, err := exec.LookPath("update-ca-certificates"); err != nil {
			return hintError{errors.New("no update-ca-certificates on this system"),
				"add " + path + " to your distribution's trust store, or rely on the CA variables that 'iamwatch env' prints"}
		}
		if install {
			if cur, err := os.ReadFile(debianAnchor); err == nil && bytes.Equal(cur, ca.CertPEM()) {
				fmt.Fprintln(a.stderr, "iamwatch: the CA is already installed")
				return nil
			}
			if err := os.WriteFile(debianAnchor, ca.CertPEM(), 0o644); err != nil {
				return hintError{fmt.Errorf("install the CA: %w", err), "sudo iamwatch ca install"}
			}
		} else {
			if err := os.Remove(debianAnchor); err != nil {
				if errors.Is(err, os.ErrNotExist) {
					fmt.Fprintln(a.stderr, "iamwatch: the CA is not installed")
					return nil
				}
				return hintError{fmt.Errorf("uninstall the CA: %w", err), "sudo iamwatch ca uninstall"}
			}
		}
		args := []string{}
		if !install {
			args = append(args, "--fresh")
		}
		out, err := exec.Command("update-ca-certificates", args...).CombinedOutput()
		if err != nil {
			return hintError{fmt.Errorf("update-ca-certificates: %w: %s", err, bytes.TrimSpace(out)), "sudo update-ca-certificates"}
		}
	case "darwin":
		var c *exec.Cmd
		if install {
			c = exec.Command("security", "add-trusted-cert", "-d", "-r", "trustRoot", "-k", "/Library/Keychains/System.keychain", path)
		} else {
			c = exec.Command("security", "remove-trusted-cert", "-d", path)
		}
		if out, err := c.CombinedOutput(); err != nil {
			return hintError{fmt.Errorf("%s: %w: %s", c.String(), err, bytes.TrimSpace(out)), "sudo " + c.String()}
		}
	default:
		return hintError{fmt.Errorf("installing into the %s trust store is not supported", runtime.GOOS),
			"import " + path + " into the trust store by hand, or rely on the CA variables that 'iamwatch env' prints"}
	}
	if install {
		fmt.Fprintf(a.stderr, "iamwatch: installed %s into the system trust store\n", path)
	} else {
		fmt.Fprintf(a.stderr, "iamwatch: removed the iamwatch CA from the system trust store\n")
	}
	return nil
}

// rotateCA replaces the CA in home: it keeps the old certificate aside,
// deletes the old key, and rewrites the bundles that carried the old
// certificate.
func (a *app) rotateCA(home string) error {
	certPath, keyPath := filepath.Join(home, proxy.CertFile), filepath.Join(home, proxy.KeyFile)
	oldPEM, err := os.ReadFile(certPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("rotate the CA: %w", err)
	}
	var kept string
	if oldPEM != nil {
		kept = filepath.Join(home, "ca-old-"+time.Now().UTC().Format("20060102T150405Z")+".pem")
		if err := os.WriteFile(kept, oldPEM, 0o644); err != nil {
			return fmt.Errorf("rotate the CA: keep the old certificate: %w", err)
		}
	}
	ca, err := proxy.RotateCA(home) // replaces both files, the key first
	if err != nil {
		return fmt.Errorf("rotate the CA: %w", err)
	}
	fmt.Fprintln(a.stdout, certPath)
	if kept != "" {
		fmt.Fprintf(a.stderr, "iamwatch: replaced the CA in %s; the old key is gone (%s is the new one), the old certificate is kept as %s\n", home, keyPath, kept)
	} else {
		fmt.Fprintf(a.stderr, "iamwatch: created a CA in %s\n", home)
	}
	for _, name := range []string{"ca-bundle.pem", "node-extra-ca.pem"} {
		path := filepath.Join(home, name)
		b, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("rotate the CA: %w", err)
		}
		if oldPEM != nil && bytes.Contains(b, oldPEM) {
			b = bytes.ReplaceAll(b, oldPEM, ca.CertPEM())
		} else {
			b = append(append(b, "# iamwatch CA\n"...), ca.CertPEM()...)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return fmt.Errorf("rotate the CA: rewrite %s: %w", name, err)
		}
		fmt.Fprintf(a.stderr, "iamwatch: rewrote %s with the new certificate\n", path)
	}
	if cur, err := os.ReadFile(debianAnchor); err == nil && oldPEM != nil && bytes.Equal(cur, oldPEM) {
		fmt.Fprintln(a.stderr, "iamwatch: the system trust store still holds the old CA; replace it with: sudo iamwatch ca install")
	}
	fmt.Fprintln(a.stderr, "iamwatch: restart running iamwatch proxies so that they use the new CA")
	return nil
}
