package e2e

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	_ "github.com/mattn/go-sqlite3"

	"github.com/iamwatch/iamwatch"
	"github.com/iamwatch/iamwatch/store"
)

// crashRounds is how many times TestCrashSafety kills the proxy: 3 in
// `make test`, IAMWATCH_CRASH_ROUNDS (10 in `make soak`) otherwise.
func crashRounds(t *testing.T) int {
	t.Helper()
	s := os.Getenv("IAMWATCH_CRASH_ROUNDS")
	if s == "" {
		return 3
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		t.Fatalf("IAMWATCH_CRASH_ROUNDS=%q is not a positive number", s)
	}
	return n
}

var proxyURLRE = regexp.MustCompile(`proxy on (http://[^,\s]+),`)

// proxyProc is a running `iamwatch proxy`.
type proxyProc struct {
	cmd    *exec.Cmd
	url    *url.URL
	stderr *syncBuffer
	done   chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startProxy starts `iamwatch proxy` on a free loopback port and waits
// until it listens, which is after it replayed what a killed predecessor
// left in its journal.
func startProxy(t *testing.T, e *env, args ...string) *proxyProc {
	t.Helper()
	cmd := exec.Command(iamwatchBin, append([]string{"proxy", "--listen", "127.0.0.1:0", "--csm-listen", "off"}, args...)...)
	cmd.Dir = e2eDir
	cmd.Env = e.vars
	pr, pw := io.Pipe()
	p := &proxyProc{cmd: cmd, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = io.MultiWriter(pw, p.stderr)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.done <- cmd.Wait()
		pw.Close()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if m := proxyURLRE.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case u := <-found:
		p.url, _ = url.Parse(u)
	case err := <-p.done:
		t.Fatalf("iamwatch proxy exited: %v\n%s", err, p.stderr)
	case <-time.After(30 * time.Second):
		t.Fatalf("iamwatch proxy did not start:\n%s", p.stderr)
	}
	return p
}

// TestCrashSafety kills `iamwatch proxy` with SIGKILL at random moments
// under load, restarting it on the same database each time. After every
// kill the database passes PRAGMA integrity_check, and once the next
// proxy has started (replaying the journal), every call whose response
// reached a client is in it: each call names a table of its own, so each
// is found by its resource ARN.
func TestCrashSafety(t *testing.T) {
	t.Parallel()
	rounds := crashRounds(t)
	var served atomic.Int64
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		io.WriteString(w, `{}`)
		served.Add(1)
	}))
	defer up.Close()
	e := newEnv(t)
	db := filepath.Join(e.dir, "crash.db")
	args := []string{"--db", db, "--session", "crash", "--upstream", up.URL, "--account-id", acct}

	var (
		mu    sync.Mutex
		acked []string // tables whose GetItem got its response
	)
	for round := 0; round <= rounds; round++ {
		p := startProxy(t, e, args...)
		mu.Lock()
		want := append([]string(nil), acked...)
		mu.Unlock()
		if round > 0 {
			missing := missingTables(t, db, want)
			if len(missing) > 0 {
				t.Fatalf("round %d: %d of %d acknowledged calls missing after restart, e.g. %v", round, len(missing), len(want), missing[:min(5, len(missing))])
			}
			t.Logf("round %d: all %d acknowledged calls recorded after restart", round, len(want))
		}
		if round == rounds {
			// The last proxy stops cleanly: nothing stays pending.
			p.cmd.Process.Signal(syscall.SIGTERM)
			if err := <-p.done; err != nil {
				t.Errorf("iamwatch proxy stopped with %v:\n%s", err, p.stderr)
			}
			p.done <- nil
			checkIntegrity(t, db)
			break
		}

		client := crashClient(t, e, p.url)
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		var seq atomic.Int64
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					table := fmt.Sprintf("crash-%d-%d", round, seq.Add(1))
					_, err := client.GetItem(ctx, &dynamodb.GetItemInput{
						TableName: aws.String(table),
						Key:       map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: "1"}},
					})
					if err == nil {
						mu.Lock()
						acked = append(acked, table)
						mu.Unlock()
					}
				}
			}()
		}
		// Kill at a random moment once calls flow.
		time.Sleep(time.Duration(150+rand.IntN(1000)) * time.Millisecond)
		p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.done
		p.done <- nil
		cancel()
		wg.Wait()
		if strings.Contains(p.stderr.String(), "panic") {
			t.Errorf("round %d: the proxy panicked:\n%s", round, p.stderr)
		}
		checkIntegrity(t, db)
		mu.Lock()
		t.Logf("round %d: killed after %d acknowledged calls in all (upstream served %d)", round, len(acked), served.Load())
		mu.Unlock()
	}
	mu.Lock()
	defer mu.Unlock()
	if len(acked) < rounds {
		t.Fatalf("only %d calls acknowledged in %d rounds: the check proves little", len(acked), rounds)
	}
}

// crashClient is a DynamoDB client that goes through the proxy at u and
// trusts its CA; it does not retry, so an acknowledged call is one call.
func crashClient(t *testing.T, e *env, u *url.URL) *dynamodb.Client {
	t.Helper()
	home := ""
	for _, kv := range e.vars {
		if v, ok := strings.CutPrefix(kv, "IAMWATCH_HOME="); ok {
			home = v
		}
	}
	pemData, err := os.ReadFile(filepath.Join(home, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemData)
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		Proxy:               http.ProxyURL(u),
		TLSClientConfig:     &tls.Config{RootCAs: pool},
		MaxIdleConnsPerHost: 16,
	}}
	return dynamodb.NewFromConfig(aws.Config{
		Region:           region,
		Credentials:      credentials.NewStaticCredentialsProvider(plantedKeyID, plantedSecretKey, ""),
		HTTPClient:       hc,
		RetryMaxAttempts: 1,
	})
}

// checkIntegrity runs PRAGMA integrity_check on the database as the kill
// left it.
func checkIntegrity(t *testing.T, path string) {
	t.Helper()
	conn, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var res string
	if err := conn.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check: %q %v", res, err)
	}
}

// missingTables returns the tables of want that no recorded call names.
func missingTables(t *testing.T, path string, want []string) []string {
	t.Helper()
	db, err := store.Options{ReadOnly: true}.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	have := map[string]bool{}
	err = db.EachCall(context.Background(), store.Filter{}, func(r *iamwatch.Record) error {
		for _, a := range r.Actions {
			for _, res := range a.Resources {
				if name, ok := strings.CutPrefix(res, "arn:aws:dynamodb:"+region+":"+acct+":table/"); ok {
					have[name] = true
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, w := range want {
		if !have[w] {
			missing = append(missing, w)
		}
	}
	return missing
}
