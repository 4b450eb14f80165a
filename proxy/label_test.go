package proxy_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/iamwatch/iamwatch/proxy"
)

// TestLabelHeader checks that a client's label reaches the Recorder, and
// goes upstream only when the signature covers it: the upstream verifies
// the real SDK signer's signature over what it received, so a removed
// header would have to be unsigned.
func TestLabelHeader(t *testing.T) {
	creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey}
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	emptySHA := hex.EncodeToString(sha256.New().Sum(nil))
	tests := []struct {
		name     string
		presign  bool
		signed   bool // the label is set before signing, so signed
		upstream bool // the upstream sees the label
	}{
		{"unsigned header", false, false, false},
		{"signed header", false, true, true},
		{"presigned, unsigned header", true, false, false},
		{"presigned, signed header", true, true, true},
	}
	f := newFixture(t)
	client := f.client()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest("GET", "https://photos.s3.us-east-1.amazonaws.com/k?x-id=GetObject", nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.signed {
				req.Header.Set(proxy.LabelHeader, "test=TestLabel")
			}
			signer := v4.NewSigner()
			if tt.presign {
				u, _, err := signer.PresignHTTP(context.Background(), creds, req, emptySHA, "s3", "us-east-1", when)
				if err != nil {
					t.Fatal(err)
				}
				req.URL = mustParseURL(t, u)
			} else {
				req.Header.Set("X-Amz-Content-Sha256", emptySHA)
				if err := signer.SignHTTP(context.Background(), creds, req, emptySHA, "s3", "us-east-1", when); err != nil {
					t.Fatal(err)
				}
			}
			req.Header.Set(proxy.LabelHeader, "test=TestLabel")
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()

			got := f.stub.requests()[i]
			if has := got.Header.Get(proxy.LabelHeader) != ""; has != tt.upstream {
				t.Errorf("upstream got the label: %v, want %v", has, tt.upstream)
			}
			verify(t, got, creds, emptySHA, when, tt.presign)
			obs := f.rec.waitFinished(t, i+1)
			if l := obs[i].Header.Get(proxy.LabelHeader); l != "test=TestLabel" {
				t.Errorf("the Recorder got label %q", l)
			}
		})
	}
}

// verify signs again what the upstream received, with only the headers
// the request says it signed, and compares the signatures.
func verify(t *testing.T, got seen, creds aws.Credentials, payload string, when time.Time, presigned bool) {
	t.Helper()
	u := mustParseURL(t, "https://"+got.Host+got.RequestURI)
	req, _ := http.NewRequest(got.Method, u.String(), nil)
	var signedList, wantSig string
	if presigned {
		q := u.Query()
		signedList, wantSig = q.Get("X-Amz-SignedHeaders"), q.Get("X-Amz-Signature")
		for _, k := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature"} {
			q.Del(k)
		}
		req.URL.RawQuery = q.Encode()
	} else {
		auth := got.Header.Get("Authorization")
		_, rest, _ := strings.Cut(auth, "SignedHeaders=")
		signedList, _, _ = strings.Cut(rest, ",")
		_, wantSig, _ = strings.Cut(auth, "Signature=")
	}
	for _, h := range strings.Split(signedList, ";") {
		if h != "host" {
			req.Header[http.CanonicalHeaderKey(h)] = got.Header.Values(h)
		}
	}
	req.Header.Del("X-Amz-Date") // the signer sets it from when
	signer := v4.NewSigner()
	var gotSig string
	if presigned {
		s, _, err := signer.PresignHTTP(context.Background(), creds, req, payload, "s3", "us-east-1", when)
		if err != nil {
			t.Fatal(err)
		}
		gotSig = mustParseURL(t, s).Query().Get("X-Amz-Signature")
	} else {
		if err := signer.SignHTTP(context.Background(), creds, req, payload, "s3", "us-east-1", when); err != nil {
			t.Fatal(err)
		}
		_, gotSig, _ = strings.Cut(req.Header.Get("Authorization"), "Signature=")
	}
	if gotSig == "" || gotSig != wantSig {
		t.Errorf("the signature does not verify upstream (signed headers %q)", signedList)
	}
}
