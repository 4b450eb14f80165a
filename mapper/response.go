package mapper

import (
	"bytes"
	"cmp"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"slices"
	"strings"

	"github.com/aws/smithy-go/encoding/cbor"

	"github.com/iamwatch/iamwatch"
)

// ErrorCode returns the AWS error code of a failed response: from the
// x-amzn-ErrorType header, a JSON or CBOR "__type"/"code", or an XML
// <Code>. A failed response without one (S3 HEAD, say) gives a code named
// after the status. A successful response gives "".
func ErrorCode(status int, h http.Header, body []byte) string {
	if status < 300 || status == 304 {
		return ""
	}
	if t := h.Get("X-Amzn-Errortype"); t != "" {
		code, _, _ := strings.Cut(t, ":")
		return trimErrorType(code)
	}
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
	case trimmed[0] == '{':
		var v map[string]any
		if err := json.Unmarshal(trimmed, &v); err == nil {
			for _, k := range []string{"__type", "code", "Code"} {
				if s, ok := v[k].(string); ok && s != "" {
					return trimErrorType(s)
				}
			}
			if e, ok := v["Error"].(map[string]any); ok {
				if s, ok := e["Code"].(string); ok && s != "" {
					return s
				}
			}
		}
	case trimmed[0] == '<':
		if code := xmlErrorCode(trimmed); code != "" {
			return code
		}
	default:
		if v, err := cbor.Decode(trimmed); err == nil {
			if m, ok := v.(cbor.Map); ok {
				for _, k := range []string{"__type", "code", "Code"} {
					if s, ok := m[k].(cbor.String); ok && s != "" {
						return trimErrorType(string(s))
					}
				}
			}
		}
	}
	switch status {
	case http.StatusForbidden:
		return "Forbidden"
	case http.StatusNotFound:
		return "NotFound"
	}
	return strings.ReplaceAll(http.StatusText(status), " ", "")
}

// trimErrorType turns "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"
// or "aws.protocoltests#Err" into the bare code.
func trimErrorType(s string) string {
	if i := strings.LastIndexByte(s, '#'); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimSpace(s)
}

func xmlErrorCode(body []byte) string {
	dec := xml.NewDecoder(bytes.NewReader(body))
	var path []string
	for {
		tok, err := dec.RawToken()
		if err != nil {
			return ""
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
			if len(path) > 8 {
				return ""
			}
		case xml.EndElement:
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
		case xml.CharData:
			if len(path) >= 2 && path[len(path)-1] == "Code" && path[len(path)-2] == "Error" {
				return strings.TrimSpace(string(t))
			}
		}
	}
}

// IsAccessDenied reports whether an error code says the caller lacked a
// permission.
func IsAccessDenied(code string) bool {
	switch code {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess",
		"AuthorizationError", "AuthorizationErrorException", "Forbidden", "ForbiddenException",
		"NotAuthorized", "UnauthorizedException", "AccessDeniedFault", "AuthFailure":
		return true
	}
	return false
}

// Identity is what a response says about who holds an access key.
type Identity struct {
	AccessKeyID  string // the key the identity belongs to
	PrincipalARN string // IAM role or user ARN
	AccountID    string
}

// Identities reads the identities an STS response reveals: the temporary
// key an AssumeRole* call returns and the role it belongs to, or the
// caller's own ARN from GetCallerIdentity. call is the mapped request.
func Identities(call iamwatch.Call, obs *iamwatch.Observation) []Identity {
	if call.Service != "sts" || obs.Status < 200 || obs.Status >= 300 || len(obs.ResponseBody) == 0 {
		return nil
	}
	fields := responseFields(obs.ResponseBody)
	switch call.Operation {
	case "GetCallerIdentity":
		arn := fields["Arn"]
		if arn == "" || obs.AccessKeyID == "" {
			return nil
		}
		return []Identity{{AccessKeyID: obs.AccessKeyID, PrincipalARN: PrincipalOf(arn), AccountID: fields["Account"]}}
	case "AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML", "GetFederationToken", "GetSessionToken", "AssumeRoot":
		key := fields["AccessKeyId"]
		if key == "" {
			return nil
		}
		arn := fields["Arn"] // AssumedRoleUser/Arn or FederatedUser/Arn
		if arn == "" && call.Operation == "GetSessionToken" {
			// The temporary key acts as the caller: inherit its principal.
			return []Identity{{AccessKeyID: key, PrincipalARN: obs.PrincipalARN, AccountID: obs.AccountID}}
		}
		id := Identity{AccessKeyID: key, PrincipalARN: PrincipalOf(arn)}
		id.AccountID = arnField(arn, 4)
		return []Identity{id}
	}
	return nil
}

// PrincipalOf returns the IAM principal a caller ARN acts as: an STS
// assumed-role ARN becomes its role's ARN (without path, which the
// assumed-role ARN does not carry).
func PrincipalOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[2] != "sts" {
		return arn
	}
	res := parts[5]
	if rest, ok := strings.CutPrefix(res, "assumed-role/"); ok {
		role, _, _ := strings.Cut(rest, "/")
		return "arn:" + parts[1] + ":iam::" + parts[4] + ":role/" + role
	}
	return arn
}

// responseFields collects the leaf elements of an XML or JSON response by
// local name. Of two leaves of one name, an XML response's first wins, a
// JSON response's shallowest (then the first of their paths in byte
// order): JSON is read into a map, which keeps no document order, and the
// choice must not depend on map order. Secret fields are skipped so that
// they are never copied.
func responseFields(body []byte) map[string]string {
	out := map[string]string{}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		p := newParams(nil, nil)
		p.parseJSONBody(trimmed)
		keys := make([]string, 0, len(p.vals))
		for k := range p.vals {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b string) int {
			if c := cmp.Compare(strings.Count(a, "."), strings.Count(b, ".")); c != 0 {
				return c
			}
			return strings.Compare(a, b)
		})
		for _, k := range keys {
			v := p.vals[k]
			name := k
			if i := strings.LastIndexByte(k, '.'); i >= 0 {
				name = k[i+1:]
			}
			if isSecretField(name) || len(v) == 0 {
				continue
			}
			if _, ok := out[name]; !ok {
				// A copy: v[0] is a slice of the whole body (see
				// flattenJSON), secrets included.
				out[name] = strings.Clone(v[0])
			}
		}
		return out
	}
	dec := xml.NewDecoder(bytes.NewReader(trimmed))
	var cur string
	for {
		tok, err := dec.RawToken()
		if err != nil {
			return out
		}
		switch t := tok.(type) {
		case xml.StartElement:
			cur = t.Name.Local
		case xml.EndElement:
			cur = ""
		case xml.CharData:
			if cur == "" || isSecretField(cur) {
				continue
			}
			if _, ok := out[cur]; !ok {
				if v := strings.TrimSpace(string(t)); v != "" {
					out[cur] = v
				}
			}
		}
	}
}

func isSecretField(name string) bool {
	switch name {
	case "SecretAccessKey", "SessionToken", "Token", "SecretKey":
		return true
	}
	return false
}
