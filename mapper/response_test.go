package mapper

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/iamwatch/iamwatch"
)

func TestErrorCode(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header http.Header
		body   string
		want   string
	}{
		{"ok", 200, nil, `<x/>`, ""},
		{"s3 xml", 403, nil, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`, "AccessDenied"},
		{"query xml", 403, nil, `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>AccessDenied</Code></Error></ErrorResponse>`, "AccessDenied"},
		{"ec2 xml", 403, nil, `<Response><Errors><Error><Code>UnauthorizedOperation</Code></Error></Errors></Response>`, "UnauthorizedOperation"},
		{"json __type", 400, nil, `{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"x"}`, "ResourceNotFoundException"},
		{"rest-json header", 403, http.Header{"X-Amzn-Errortype": {"AccessDeniedException:http://internal.amazon.com/coral/com.amazonaws.lambda/"}}, `{}`, "AccessDeniedException"},
		{"json code", 400, nil, `{"code":"BadRequestException"}`, "BadRequestException"},
		{"head without body", 404, nil, ``, "NotFound"},
		{"garbage", 500, nil, `<<<`, "InternalServerError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.header
			if h == nil {
				h = http.Header{}
			}
			if got := ErrorCode(tt.status, h, []byte(tt.body)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestIdentities(t *testing.T) {
	assume := `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<AssumedRoleUser><AssumedRoleId>AROA:s</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/app-role/s</Arn></AssumedRoleUser>
<Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>tok</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials>
</AssumeRoleResult></AssumeRoleResponse>`
	got := Identities(iamwatch.Call{Service: "sts", Operation: "AssumeRole"}, &iamwatch.Observation{Status: 200, ResponseBody: []byte(assume)})
	want := []Identity{{AccessKeyID: "ASIAEXAMPLE", PrincipalARN: "arn:aws:iam::123456789012:role/app-role", AccountID: "123456789012"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AssumeRole: got %+v, want %+v", got, want)
	}
	who := `{"Account":"123456789012","Arn":"arn:aws:iam::123456789012:user/dev","UserId":"AIDA"}`
	got = Identities(iamwatch.Call{Service: "sts", Operation: "GetCallerIdentity"}, &iamwatch.Observation{Status: 200, AccessKeyID: "AKIAX", ResponseBody: []byte(who)})
	want = []Identity{{AccessKeyID: "AKIAX", PrincipalARN: "arn:aws:iam::123456789012:user/dev", AccountID: "123456789012"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GetCallerIdentity: got %+v, want %+v", got, want)
	}
	if f := responseFields([]byte(assume)); f["SecretAccessKey"] != "" || f["SessionToken"] != "" {
		t.Errorf("responseFields kept a secret: %v", f)
	}
}

// TestResponseFieldsJSONIsDeterministic: of two JSON leaves of one name,
// the shallowest wins, every time, whatever the map order.
func TestResponseFieldsJSONIsDeterministic(t *testing.T) {
	body := []byte(`{"AssumedRoleUser":{"Arn":"arn:aws:sts::123456789012:assumed-role/deep/s"},
		"Arn":"arn:aws:sts::123456789012:assumed-role/top/s",
		"Other":{"Arn":"arn:aws:sts::123456789012:assumed-role/other/s"}}`)
	for range 50 {
		if got := responseFields(body)["Arn"]; got != "arn:aws:sts::123456789012:assumed-role/top/s" {
			t.Fatalf("Arn = %q, want the top-level one", got)
		}
	}
	nested := []byte(`{"Z":{"Arn":"z"},"A":{"Arn":"a"}}`)
	for range 50 {
		if got := responseFields(nested)["Arn"]; got != "a" {
			t.Fatalf("Arn = %q, want the first path in byte order (A.Arn)", got)
		}
	}
}
