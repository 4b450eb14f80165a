package proxy

import (
	"net/http"
	"testing"
)

func TestStripLabel(t *testing.T) {
	tests := []struct {
		name, auth, query string
		kept              bool
	}{
		{"no signature", "", "", false},
		{"sigv4 without it", "AWS4-HMAC-SHA256 Credential=AKIA/20260102/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=00", "", false},
		{"sigv4 with it", "AWS4-HMAC-SHA256 Credential=AKIA/20260102/us-east-1/s3/aws4_request, SignedHeaders=host;X-Iamwatch-Label;x-amz-date, Signature=00", "", true},
		{"sigv4a with it", "AWS4-ECDSA-P256-SHA256 Credential=AKIA/20260102/s3/aws4_request, SignedHeaders=host;x-iamwatch-label, Signature=00", "", true},
		{"sigv2", "AWS AKIAIOSFODNN7EXAMPLE:c2lnbmF0dXJl", "", false},
		{"presigned without it", "", "X-Amz-SignedHeaders=host&X-Amz-Signature=00", false},
		{"presigned with it", "", "X-Amz-SignedHeaders=host%3Bx-iamwatch-label&X-Amz-Signature=00", true},
		{"escaped name", "", "X-Amz-SignedHeaders=host%3B%78-iamwatch-label", true},
		{"unreadable escape", "", "X-Amz-SignedHeaders=host%3B%zz", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{LabelHeader: {"test=TestX"}, "X-Amz-Date": {"20260102T030405Z"}}
			if tt.auth != "" {
				h.Set("Authorization", tt.auth)
			}
			stripLabel(h, tt.query)
			if kept := h.Get(LabelHeader) != ""; kept != tt.kept {
				t.Errorf("label kept: %v, want %v", kept, tt.kept)
			}
			if h.Get("X-Amz-Date") == "" {
				t.Error("another header was removed")
			}
		})
	}
}
