package store

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"time"

	"github.com/iamwatch/iamwatch"
)

// The export format (`iamwatch export --format jsonl`) is JSON Lines: one
// object per line, each with "schema_version" (JSONLVersion) and "type":
//
//	{"schema_version":1,"type":"session","name":"ci-42","created":"2026-01-02T03:04:05.123Z","labels":{"ci":"true"}}
//	{"schema_version":1,"type":"principal","access_key_id":"AKIA…","principal_arn":"arn:aws:iam::…","updated":"…"}
//	{"schema_version":1,"type":"call","uid":"0194…","time":"…","session":"ci-42","access_key_id":"AKIA…", …}
//
// Keys are snake_case and times RFC 3339 UTC with nanoseconds. A call line
// has the fields of `iamwatch calls --output json`, with these
// differences, so that nothing is lost: "uid"; "account_id", "model" and
// "protocol"; "latency_ns" (integer nanoseconds) instead of "latency_ms";
// "principal_arn" and "labels" are the call's own, not those it inherits
// from the principals lines and its session's line; and "actions" is a
// list of objects, the possible ones included ("possible": true), instead
// of the names, "possible_actions" and "resources":
//
//	{"action":"s3:GetObject","level":"Read","resources":["arn:aws:s3:::b/k"],"exact":true,"possible":false,
//	 "reason":"…","conditions":{"s3:x":["…"]}}
//
// Fields that are empty may be left out. A reader refuses a line whose
// schema_version it does not know, and a field it does not know: a new
// field comes with a new schema_version, so that an older iamwatch never
// drops data silently.

// JSONLVersion is the schema_version the export format has.
const JSONLVersion = 1

// maxJSONLLine bounds one line of an export: a call with thousands of
// resources is still far below it.
const maxJSONLLine = 16 << 20

type jsonlHead struct {
	SchemaVersion int    `json:"schema_version"`
	Type          string `json:"type"`
}

type jsonlSession struct {
	SchemaVersion int               `json:"schema_version"`
	Type          string            `json:"type"`
	Name          string            `json:"name"`
	Created       string            `json:"created"`
	Labels        map[string]string `json:"labels,omitempty"`
}

type jsonlPrincipal struct {
	SchemaVersion int    `json:"schema_version"`
	Type          string `json:"type"`
	AccessKeyID   string `json:"access_key_id"`
	PrincipalARN  string `json:"principal_arn"`
	Updated       string `json:"updated"`
}

type jsonlCall struct {
	SchemaVersion int                 `json:"schema_version"`
	Type          string              `json:"type"`
	UID           string              `json:"uid"`
	Time          string              `json:"time"`
	Session       string              `json:"session"`
	AccessKeyID   string              `json:"access_key_id"`
	PrincipalARN  string              `json:"principal_arn,omitempty"`
	AccountID     string              `json:"account_id,omitempty"`
	Region        string              `json:"region"`
	Service       string              `json:"service"`
	ServiceID     string              `json:"service_id,omitempty"`
	Model         string              `json:"model,omitempty"`
	Protocol      string              `json:"protocol,omitempty"`
	Operation     string              `json:"operation"`
	Recognized    bool                `json:"recognized"`
	Reason        string              `json:"reason,omitempty"`
	Actions       []jsonlAction       `json:"actions"`
	Conditions    map[string][]string `json:"conditions,omitempty"`
	Status        int                 `json:"status"`
	ErrorCode     string              `json:"error_code"`
	LatencyNS     int64               `json:"latency_ns"`
	Source        string              `json:"source"`
	Pending       bool                `json:"pending,omitempty"`
	Labels        map[string]string   `json:"labels,omitempty"`
}

type jsonlAction struct {
	Action     string              `json:"action"`
	Level      string              `json:"level"`
	Resources  []string            `json:"resources,omitempty"`
	Exact      bool                `json:"exact"`
	Possible   bool                `json:"possible"`
	Reason     string              `json:"reason,omitempty"`
	Conditions map[string][]string `json:"conditions,omitempty"`
}

// Encoder writes Items as JSON Lines.
type Encoder struct {
	enc *json.Encoder
}

// NewEncoder returns an Encoder writing to w, one Write per line.
func NewEncoder(w io.Writer) *Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &Encoder{enc: enc}
}

// Encode writes it as one line.
func (e *Encoder) Encode(it Item) error {
	var v any
	switch {
	case it.Session != nil:
		s := it.Session
		v = jsonlSession{SchemaVersion: JSONLVersion, Type: "session", Name: s.Name, Created: jsonlTime(s.Created), Labels: s.Labels}
	case it.Principal != nil:
		p := it.Principal
		v = jsonlPrincipal{SchemaVersion: JSONLVersion, Type: "principal", AccessKeyID: p.AccessKeyID,
			PrincipalARN: p.PrincipalARN, Updated: jsonlTime(p.Updated)}
	case it.Call != nil:
		v = toJSONLCall(it.Call)
	default:
		return errors.New("encode an empty item")
	}
	return e.enc.Encode(v)
}

func jsonlTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func toJSONLCall(r *iamwatch.Record) jsonlCall {
	c := jsonlCall{
		SchemaVersion: JSONLVersion, Type: "call", UID: r.UID, Time: jsonlTime(r.Time), Session: r.Session,
		AccessKeyID: r.AccessKeyID, PrincipalARN: r.PrincipalARN, AccountID: r.AccountID, Region: r.Region,
		Service: r.Service, ServiceID: r.ServiceID, Model: r.Model, Protocol: r.Protocol, Operation: r.Operation,
		Recognized: r.Recognized, Reason: r.Reason, Actions: []jsonlAction{}, Conditions: r.Conditions,
		Status: r.Status, ErrorCode: r.ErrorCode, LatencyNS: int64(r.Latency), Source: string(r.Source),
		Pending: r.Pending, Labels: r.Labels,
	}
	for _, a := range r.Actions {
		c.Actions = append(c.Actions, jsonlAction{Action: a.Action, Level: string(a.Level), Resources: a.Resources,
			Exact: a.Exact, Possible: a.Possible, Reason: a.Reason, Conditions: a.Conditions})
	}
	return c
}

// Decoder reads Items from JSON Lines. Blank lines are skipped.
type Decoder struct {
	sc   *bufio.Scanner
	line int
}

// NewDecoder returns a Decoder reading r.
func NewDecoder(r io.Reader) *Decoder {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxJSONLLine)
	return &Decoder{sc: sc}
}

// Decode returns the next item, or io.EOF after the last. An error names
// the line.
func (d *Decoder) Decode() (Item, error) {
	for d.sc.Scan() {
		d.line++
		b := bytes.TrimSpace(d.sc.Bytes())
		if len(b) == 0 {
			continue
		}
		it, err := decodeLine(b)
		if err != nil {
			return Item{}, fmt.Errorf("line %d: %w", d.line, err)
		}
		return it, nil
	}
	if err := d.sc.Err(); err != nil {
		return Item{}, fmt.Errorf("line %d: %w", d.line+1, err)
	}
	return Item{}, io.EOF
}

// Items returns the items Decode reads, for Import. It stops at the
// first error, which it yields.
func (d *Decoder) Items() iter.Seq2[Item, error] {
	return func(yield func(Item, error) bool) {
		for {
			it, err := d.Decode()
			if err == io.EOF {
				return
			}
			if !yield(it, err) || err != nil {
				return
			}
		}
	}
}

func decodeLine(b []byte) (Item, error) {
	var h jsonlHead
	if err := json.Unmarshal(b, &h); err != nil {
		return Item{}, err
	}
	switch {
	case h.SchemaVersion == 0:
		return Item{}, errors.New("no schema_version")
	case h.SchemaVersion > JSONLVersion:
		return Item{}, fmt.Errorf("schema_version %d is newer than this iamwatch reads (%d)", h.SchemaVersion, JSONLVersion)
	case h.SchemaVersion != JSONLVersion:
		return Item{}, fmt.Errorf("unknown schema_version %d", h.SchemaVersion)
	}
	strict := func(v any) error {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		// json.Unmarshal above refused anything after the value.
		return dec.Decode(v)
	}
	switch h.Type {
	case "session":
		var s jsonlSession
		if err := strict(&s); err != nil {
			return Item{}, err
		}
		if s.Name == "" {
			return Item{}, errors.New("session without a name")
		}
		created, err := parseJSONLTime("created", s.Created)
		if err != nil {
			return Item{}, err
		}
		return Item{Session: &SessionInfo{Name: s.Name, Created: created, Labels: s.Labels}}, nil
	case "principal":
		var p jsonlPrincipal
		if err := strict(&p); err != nil {
			return Item{}, err
		}
		if p.AccessKeyID == "" {
			return Item{}, errors.New("principal without an access_key_id")
		}
		updated, err := parseJSONLTime("updated", p.Updated)
		if err != nil {
			return Item{}, err
		}
		return Item{Principal: &Principal{AccessKeyID: p.AccessKeyID, PrincipalARN: p.PrincipalARN, Updated: updated}}, nil
	case "call":
		var c jsonlCall
		if err := strict(&c); err != nil {
			return Item{}, err
		}
		r, err := c.record()
		if err != nil {
			return Item{}, err
		}
		return Item{Call: r}, nil
	case "":
		return Item{}, errors.New("no type")
	}
	return Item{}, fmt.Errorf("unknown type %q", h.Type)
}

func (c *jsonlCall) record() (*iamwatch.Record, error) {
	if c.UID == "" {
		return nil, errors.New("call without a uid")
	}
	if c.Session == "" {
		return nil, errors.New("call without a session")
	}
	t, err := parseJSONLTime("time", c.Time)
	if err != nil {
		return nil, err
	}
	if c.LatencyNS < 0 {
		return nil, fmt.Errorf("negative latency_ns %d", c.LatencyNS)
	}
	r := &iamwatch.Record{
		UID: c.UID, Session: c.Session, Time: t, Source: iamwatch.Source(c.Source), AccessKeyID: c.AccessKeyID,
		PrincipalARN: c.PrincipalARN, Labels: c.Labels,
		Call: iamwatch.Call{Service: c.Service, ServiceID: c.ServiceID, Model: c.Model, Protocol: c.Protocol,
			Operation: c.Operation, Region: c.Region, AccountID: c.AccountID, Recognized: c.Recognized,
			Reason: c.Reason, Conditions: c.Conditions},
		Pending: c.Pending, Status: c.Status, ErrorCode: c.ErrorCode, Latency: time.Duration(c.LatencyNS),
	}
	for _, a := range c.Actions {
		if a.Action == "" {
			return nil, errors.New("action without a name")
		}
		r.Actions = append(r.Actions, iamwatch.ActionUse{Action: a.Action, Level: iamwatch.AccessLevel(a.Level),
			Resources: a.Resources, Exact: a.Exact, Possible: a.Possible, Reason: a.Reason, Conditions: a.Conditions})
	}
	return r, nil
}

func parseJSONLTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("no %s", field)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", field, err)
	}
	return t.UTC(), nil
}
