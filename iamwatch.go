// Package iamwatch holds the vocabulary shared by the capture front ends,
// the mapper, the store and the policy generator. It imports only the
// standard library so that every other package can depend on it.
package iamwatch

import (
	"net/http"
	"time"
)

// Source names the front end that saw a call.
type Source string

// The capture front ends.
const (
	SourceProxy      Source = "proxy"
	SourceCSM        Source = "csm"
	SourceCloudTrail Source = "cloudtrail"
)

// MaxBodyPrefix is how much of a request body a front end hands to the
// mapper. Bodies themselves stream; only this bounded prefix is copied.
const MaxBodyPrefix = 64 << 10

// Observation is one AWS call as a capture front end saw it. The proxy fills
// the HTTP fields; the CSM listener fills Service and API, the CloudTrail
// reader Params as well. Header must not be persisted as is: it may carry
// credentials.
type Observation struct {
	Time   time.Time
	Source Source

	// HTTP request, as the client sent it (proxy only).
	Method   string
	Scheme   string // "https" or "http"
	Host     string // Host header, without port when the port is the default
	Path     string // escaped path, as on the wire
	RawQuery string
	Header   http.Header
	// Body is at most MaxBodyPrefix bytes of the request body.
	Body []byte
	// BodyTruncated reports that the body was longer than Body.
	BodyTruncated bool

	// CSM and CloudTrail records carry names instead of a request.
	Service string // CSM "Service" (the service ID, e.g. "CloudWatch Logs") or CloudTrail "eventSource"
	API     string // CSM "Api" or CloudTrail "eventName": the operation name
	// Params are the request's parameters as a JSON object, for a front
	// end that logs them instead of the request: CloudTrail's
	// requestParameters, whose lowerCamel names ("bucketName", "roleArn")
	// the mapper matches to the model's members. Nil means unknown (CSM).
	Params []byte

	// Known context. Empty means unknown; the mapper derives what it can.
	Region       string
	AccessKeyID  string
	AccountID    string
	PrincipalARN string

	// Outcome.
	Status    int    // HTTP status; 0 when no response arrived
	ErrorCode string // AWS error code, e.g. "AccessDenied"
	Latency   time.Duration
	// Fault says why the proxy itself answered instead of the upstream,
	// e.g. "upstream refused the connection".
	Fault string

	// ResponseHeader and ResponseBody (at most MaxBodyPrefix bytes) let the
	// mapper read an error code or STS credentials. Transient: never stored.
	ResponseHeader http.Header
	ResponseBody   []byte
}

// AccessLevel is the IAM access level of an action.
type AccessLevel string

// The access levels of the Service Authorization Reference.
const (
	LevelList                  AccessLevel = "List"
	LevelRead                  AccessLevel = "Read"
	LevelWrite                 AccessLevel = "Write"
	LevelPermissionsManagement AccessLevel = "Permissions management"
	LevelTagging               AccessLevel = "Tagging"
)

// Call is what the mapper makes of one Observation: the operation and the
// IAM permissions it needs.
type Call struct {
	Service   string // SigV4 signing name, e.g. "s3", "monitoring"
	ServiceID string // the API model's service ID, e.g. "CloudWatch"
	Model     string // the API model's name, e.g. "monitoring"
	Protocol  string // wire protocol the request used
	Operation string // e.g. "GetObject"; empty when not recognized
	Region    string
	AccountID string

	// Recognized reports that the operation was identified. An
	// unrecognized call is still kept, with Reason saying why.
	Recognized bool
	Reason     string

	// Actions are the IAM actions the call needs, required first.
	Actions []ActionUse
	// Conditions are condition-key values that hold for every action of
	// the call, e.g. "aws:RequestedRegion". Read-only: the mapper shares
	// one map between the calls of a region.
	Conditions map[string][]string
}

// ActionUse is one IAM action a call needs, with the resources it touches.
type ActionUse struct {
	Action    string      // "s3:GetObject"
	Level     AccessLevel // from the catalog; empty when unknown
	Resources []string    // ARNs, or "*" when the action has no resource type
	// Exact reports that every resource was named by the request itself.
	Exact bool
	// Conditions are condition-key values the request pins down for this
	// action, e.g. "iam:PassedToService" for iam:PassRole.
	Conditions map[string][]string
	// Possible marks an action the call may need, which the request alone
	// cannot decide; Reason says when it is needed.
	Possible bool
	Reason   string
}

// RequiredActions returns the actions of c that are not merely possible.
func (c *Call) RequiredActions() []ActionUse {
	var out []ActionUse
	for _, a := range c.Actions {
		if !a.Possible {
			out = append(out, a)
		}
	}
	return out
}

// Record is one call as the store keeps it: what was called, by whom, with
// what outcome, and the permissions it needs. It holds no request bodies,
// signatures or credentials beyond the access key ID.
type Record struct {
	ID int64
	// UID identifies the call across databases, so that merging and
	// importing them is idempotent. Empty on write means the store makes
	// a new one.
	UID          string
	Session      string
	Time         time.Time
	Source       Source
	AccessKeyID  string
	PrincipalARN string
	Labels       map[string]string
	Call
	// Outcome. Pending is true while the upstream call is in flight.
	Pending   bool
	Status    int
	ErrorCode string
	Latency   time.Duration
}
