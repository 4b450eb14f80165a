package mapper

import (
	"net/http"
	"testing"

	"github.com/iamwatch/iamwatch"
)

// TestAccessKeyID: the key comes from the Authorization header when it
// has one, else from a presigned or SigV2 query, else from what the front
// end saw.
func TestAccessKeyID(t *testing.T) {
	v4 := "AWS4-HMAC-SHA256 Credential=AKIAHEADER/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0"
	tests := []struct {
		name, auth, query, seen, want string
	}{
		{"sigv4 header", v4, "", "", "AKIAHEADER"},
		{"header wins over query", v4, "X-Amz-Credential=AKIAQUERY%2F20240101%2Fus-east-1%2Fs3%2Faws4_request", "", "AKIAHEADER"},
		{"sigv2 header", "AWS AKIAV2:c2ln", "", "", "AKIAV2"},
		{"presigned v4", "", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAQUERY%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=0", "", "AKIAQUERY"},
		{"presigned v2", "", "AWSAccessKeyId=AKIAPRE&Signature=x&Expires=1", "", "AKIAPRE"},
		{"query sigv2", "", "Action=ListUsers&AWSAccessKeyId=AKIAQ2&SignatureVersion=2", "", "AKIAQ2"},
		{"v4 header without credential", "AWS4-HMAC-SHA256 SignedHeaders=host", "AWSAccessKeyId=AKIAIGNORED", "", ""},
		{"unsigned", "", "a=b", "", ""},
		{"front end saw it", "", "", "AKIASEEN", "AKIASEEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.auth != "" {
				h.Set("Authorization", tt.auth)
			}
			obs := &iamwatch.Observation{Header: h, RawQuery: tt.query, AccessKeyID: tt.seen}
			if got := AccessKeyID(obs); got != tt.want {
				t.Errorf("AccessKeyID = %q, want %q", got, tt.want)
			}
		})
	}
}
