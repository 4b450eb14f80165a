// Package cloudtrail reads AWS CloudTrail records and turns each into an
// iamwatch.Observation, so that calls an application made before iamwatch
// watched it can be mapped and stored like captured ones.
//
// It reads the shapes CloudTrail's records come in: log files as a trail
// delivers them to S3 ({"Records": [...]}, gzipped, under
// AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/), the same uncompressed,
// the output of `aws cloudtrail lookup-events` ({"Events": [{"CloudTrailEvent":
// "<the record as a JSON string>", ...}]}), a JSON array of records, and
// records one after another (JSON Lines, or an EventBridge rule's archive).
// It decodes one record at a time: a file takes the memory of its largest
// record, whatever its size.
//
// Like the other capture front ends it knows nothing of the mapper or the
// store: it hands events to a func.
package cloudtrail

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/iamwatch/iamwatch"
)

// Event types (eventType) of CloudTrail records.
const (
	TypeAPICall       = "AwsApiCall"
	TypeServiceEvent  = "AwsServiceEvent"
	TypeConsoleSignIn = "AwsConsoleSignIn"
	TypeInsight       = "AwsCloudTrailInsight"
	TypeVPCEndpoint   = "AwsVpceEvent"
)

// Event categories (eventCategory).
const (
	CategoryManagement = "Management"
	CategoryData       = "Data"
	CategoryInsight    = "Insight"
	CategoryNetwork    = "NetworkActivity"
)

// Event is one CloudTrail record.
type Event struct {
	// Observation is the call: Source is iamwatch.SourceCloudTrail,
	// Service the eventSource ("s3.amazonaws.com"), API the eventName,
	// Params the requestParameters object ("{}" when the record has none),
	// AccountID the recipientAccountId (the account whose resources the
	// call used) or else the caller's, PrincipalARN and AccessKeyID the
	// caller's, and ErrorCode the errorCode (or, when a record has only
	// an errorMessage, that message).
	iamwatch.Observation

	ID       string // eventID
	Type     string // eventType, e.g. TypeAPICall
	Category string // eventCategory, or derived for records that predate it
	// ReadOnly is the record's readOnly; ReadOnlyKnown is false when the
	// record does not say.
	ReadOnly, ReadOnlyKnown bool
	// Resources are the ARNs of the record's resources[].
	Resources []string
	// IdentityType is userIdentity.type: "IAMUser", "AssumedRole",
	// "Root", "AWSService"...
	IdentityType string
	// InvokedBy is the AWS service that made the call for the principal
	// (userIdentity.invokedBy), if any.
	InvokedBy    string
	ErrorMessage string

	uid string
}

// UID returns the event's identity for the store: "ct-" and the eventID,
// or, for a record without a usable eventID, "ct-sha256-" and a digest of
// what identifies the call. It is the same every time the record is read,
// so that importing it twice stores it once.
func (e *Event) UID() string { return e.uid }

// NotAPICall returns why the event is not a call that a principal of the
// account made (a console sign-in, an event AWS generated, a call an AWS
// service made under its own identity), or "" when it is one.
func (e *Event) NotAPICall() string {
	switch {
	case e.Type == TypeInsight || e.Category == CategoryInsight:
		return "CloudTrail Insights event: unusual activity CloudTrail detected, not an API call"
	case e.Type == TypeConsoleSignIn || e.Type == "ConsoleSignin":
		return "console sign-in event (" + e.API + "), not an API call"
	case e.Type == TypeServiceEvent:
		return "AWS service event: something AWS did in the account, not an API call"
	case e.Type == TypeVPCEndpoint || e.Category == CategoryNetwork:
		return "network activity event of a VPC endpoint, not an API call of its own"
	case e.Type != "" && e.Type != TypeAPICall:
		return "event type " + quote(e.Type) + ", not an API call"
	case e.IdentityType == "AWSService":
		by := e.InvokedBy
		if by == "" {
			by = "an AWS service"
		}
		return "made by " + by + " under its own identity, not by a principal of the account"
	}
	return ""
}

// Stats counts what Decode read.
type Stats struct {
	// Events is the number of records handed to the callback.
	Events int
	// Skipped is the number of records that name no event (no
	// eventName, or not a JSON object).
	Skipped int
	// Format is the shape of the input's first JSON value: "records"
	// (a trail's log file), "lookup-events", "array" or "record".
	Format string
}

// ErrNotCloudTrail means the input is JSON, but none of CloudTrail's shapes.
var ErrNotCloudTrail = errors.New("not CloudTrail records")

// maxBareRecord bounds what Decode keeps of a top-level object that has no
// Records or Events list, which may be a single record.
const maxBareRecord = 4 << 20

// Decode reads CloudTrail records from r, gzipped or not (the gzip magic
// number decides), and calls fn with each, in order. fn may keep the
// Event. Records that name no event are skipped and counted. Decode stops
// at the first error of r, of the JSON, or of fn, and returns it with the
// number of the record it was reading and what it counted so far.
func Decode(r io.Reader, fn func(*Event) error) (Stats, error) {
	if fn == nil {
		fn = func(*Event) error { return nil }
	}
	br := bufio.NewReaderSize(r, 64<<10)
	var src io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return Stats{}, fmt.Errorf("read gzip header: %w", err)
		}
		defer zr.Close()
		src = zr
	}
	d := &decoder{dec: json.NewDecoder(src), fn: fn}
	for {
		err := d.value()
		if err == io.EOF {
			return d.st, nil
		}
		if err != nil {
			return d.st, err
		}
	}
}

type decoder struct {
	dec *json.Decoder
	fn  func(*Event) error
	st  Stats
	n   int // records read, delivered or skipped
}

func (d *decoder) format(f string) {
	if d.st.Format == "" {
		d.st.Format = f
	}
}

// value reads one top-level JSON value.
func (d *decoder) value() error {
	tok, err := d.dec.Token()
	if err == io.EOF {
		return io.EOF
	}
	if err != nil {
		return d.wrap(err)
	}
	switch tok {
	case json.Delim('{'):
		return d.object()
	case json.Delim('['):
		d.format("array")
		return d.list()
	}
	return fmt.Errorf("top-level %s: %w", describe(tok), ErrNotCloudTrail)
}

// object reads a top-level object: a log file's {"Records": [...]},
// lookup-events' {"Events": [...], "NextToken": ...}, or one record.
func (d *decoder) object() error {
	var (
		rest    map[string]json.RawMessage
		size    int
		hasList bool
	)
	for d.dec.More() {
		tok, err := d.dec.Token()
		if err != nil {
			return d.wrap(err)
		}
		key, _ := tok.(string)
		if strings.EqualFold(key, "Records") || strings.EqualFold(key, "Events") {
			t, err := d.dec.Token()
			if err != nil {
				return d.wrap(err)
			}
			switch t {
			case nil:
				hasList = true
				continue
			case json.Delim('['):
			default:
				return fmt.Errorf("%q is %s, not a list: %w", key, describe(t), ErrNotCloudTrail)
			}
			hasList = true
			if strings.EqualFold(key, "Records") {
				d.format("records")
			} else {
				d.format("lookup-events")
			}
			if err := d.list(); err != nil {
				return err
			}
			continue
		}
		var v json.RawMessage
		if err := d.dec.Decode(&v); err != nil {
			return d.wrap(err)
		}
		if !hasList && size+len(v) <= maxBareRecord {
			if rest == nil {
				rest = map[string]json.RawMessage{}
			}
			rest[key] = v
			size += len(key) + len(v)
		}
	}
	if _, err := d.dec.Token(); err != nil { // '}'
		return d.wrap(err)
	}
	if hasList || rest == nil {
		return nil
	}
	// No list: one record, when it names an event. Other objects (a
	// trail's digest files) hold no records.
	if _, ok := rest["eventName"]; !ok {
		if _, ok := rest["EventName"]; !ok {
			return nil
		}
	}
	d.format("record")
	b, err := json.Marshal(rest)
	if err != nil {
		return d.wrap(err)
	}
	var rec record
	if err := json.Unmarshal(b, &rec); err != nil && !isTypeError(err) {
		return d.wrap(err)
	}
	d.n++
	return d.deliver(&rec)
}

// list reads the elements of a list whose '[' was read, one at a time.
func (d *decoder) list() error {
	for d.dec.More() {
		var rec record
		err := d.dec.Decode(&rec)
		if err != nil && !isTypeError(err) {
			return fmt.Errorf("record %d: %w", d.n+1, err)
		}
		// A field of the wrong type leaves the rest of the record
		// decoded: what names the call usually survives.
		d.n++
		if err := d.deliver(&rec); err != nil {
			return err
		}
	}
	if _, err := d.dec.Token(); err != nil { // ']'
		return d.wrap(err)
	}
	return nil
}

func (d *decoder) wrap(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF {
		err = fmt.Errorf("truncated JSON: %w", io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("record %d: %w", d.n+1, err)
}

func isTypeError(err error) bool {
	var te *json.UnmarshalTypeError
	return errors.As(err, &te)
}

// deliver converts a record and hands it to fn.
func (d *decoder) deliver(rec *record) error {
	if rec.CloudTrailEvent != "" {
		// lookup-events: the record is a JSON string inside the element.
		var inner record
		if err := json.Unmarshal([]byte(rec.CloudTrailEvent), &inner); err == nil || isTypeError(err) {
			inner.fallback(rec)
			rec = &inner
		}
	}
	if rec.EventName == "" && rec.EventType == TypeInsight {
		rec.EventSource = firstNonEmpty(rec.EventSource, rec.InsightDetails.EventSource)
		rec.EventName = firstNonEmpty(rec.InsightDetails.EventName, TypeInsight)
	}
	if rec.EventName == "" {
		d.st.Skipped++
		return nil
	}
	e := rec.event()
	d.st.Events++
	if err := d.fn(e); err != nil {
		return fmt.Errorf("record %d: %w", d.n, err)
	}
	return nil
}

// record is a CloudTrail record as JSON has it. Fields it does not name
// (responseElements, additionalEventData...) are skipped while decoding:
// a response may hold credentials, and nothing here needs it.
type record struct {
	EventVersion       string          `json:"eventVersion"`
	UserIdentity       userIdentity    `json:"userIdentity"`
	EventTime          flexTime        `json:"eventTime"`
	EventSource        string          `json:"eventSource"`
	EventName          string          `json:"eventName"`
	AWSRegion          string          `json:"awsRegion"`
	ErrorCode          string          `json:"errorCode"`
	ErrorMessage       string          `json:"errorMessage"`
	RequestParameters  json.RawMessage `json:"requestParameters"`
	RequestID          string          `json:"requestID"`
	EventID            string          `json:"eventID"`
	EventType          string          `json:"eventType"`
	ReadOnly           flexBool        `json:"readOnly"`
	Resources          []resource      `json:"resources"`
	ManagementEvent    flexBool        `json:"managementEvent"`
	RecipientAccountID string          `json:"recipientAccountId"`
	EventCategory      string          `json:"eventCategory"`

	// Insights events name the API whose rate or errors were unusual
	// here, not at the top level.
	InsightDetails struct {
		EventSource string `json:"eventSource"`
		EventName   string `json:"eventName"`
	} `json:"insightDetails"`

	// lookup-events elements: the record as a string, and the fields
	// that stand in for it when it is missing (--query may drop it).
	CloudTrailEvent string `json:"CloudTrailEvent"`
	AccessKeyID     string `json:"AccessKeyId"`
	Username        string `json:"Username"`
}

type userIdentity struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId"`
	AccessKeyID string `json:"accessKeyId"`
	InvokedBy   string `json:"invokedBy"`
}

type resource struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId"`
	Type      string `json:"type"`
	// lookup-events: ResourceName, which is sometimes an ARN.
	ResourceName string `json:"ResourceName"`
}

// fallback fills what the inner record of a lookup-events element lacks
// from the element itself.
func (r *record) fallback(outer *record) {
	if r.EventID == "" {
		r.EventID = outer.EventID
	}
	if r.EventName == "" {
		r.EventName = outer.EventName
	}
	if r.EventSource == "" {
		r.EventSource = outer.EventSource
	}
	if r.EventTime.IsZero() {
		r.EventTime = outer.EventTime
	}
	if r.UserIdentity.AccessKeyID == "" {
		r.UserIdentity.AccessKeyID = outer.AccessKeyID
	}
	if !r.ReadOnly.set {
		r.ReadOnly = outer.ReadOnly
	}
}

func (r *record) event() *Event {
	ui := r.UserIdentity
	e := &Event{
		Observation: iamwatch.Observation{
			Time:         r.EventTime.Time,
			Source:       iamwatch.SourceCloudTrail,
			Service:      strings.TrimSpace(r.EventSource),
			API:          strings.TrimSpace(r.EventName),
			Region:       r.AWSRegion,
			AccessKeyID:  firstNonEmpty(ui.AccessKeyID, r.AccessKeyID),
			AccountID:    firstNonEmpty(r.RecipientAccountID, ui.AccountID),
			PrincipalARN: ui.ARN,
			ErrorCode:    r.ErrorCode,
		},
		ID:            r.EventID,
		Type:          r.EventType,
		ReadOnly:      r.ReadOnly.v,
		ReadOnlyKnown: r.ReadOnly.set,
		IdentityType:  ui.Type,
		InvokedBy:     ui.InvokedBy,
		ErrorMessage:  r.ErrorMessage,
	}
	if e.ErrorCode == "" && r.ErrorMessage != "" {
		e.ErrorCode = firstLine(r.ErrorMessage, 120)
	}
	if p := trimJSON(r.RequestParameters); len(p) > 0 && p[0] == '{' {
		e.Params = p
	} else {
		// null, absent, or not an object: the call had no parameters
		// CloudTrail could log.
		e.Params = []byte("{}")
	}
	for _, res := range r.Resources {
		arn := res.ARN
		if arn == "" && strings.HasPrefix(res.ResourceName, "arn:") {
			arn = res.ResourceName
		}
		if arn != "" {
			e.Resources = append(e.Resources, arn)
		}
	}
	e.Category = category(r)
	e.uid = uid(r)
	return e
}

// category returns the record's eventCategory, or, for records written
// before CloudTrail added it (eventVersion 1.08), what managementEvent and
// the list of data-event operations say.
func category(r *record) string {
	switch {
	case r.EventCategory != "":
		return r.EventCategory
	case r.EventType == TypeInsight:
		return CategoryInsight
	case r.ManagementEvent.set && r.ManagementEvent.v:
		return CategoryManagement
	case r.ManagementEvent.set:
		return CategoryData
	case IsDataEvent(r.EventSource, r.EventName):
		return CategoryData
	}
	return CategoryManagement
}

// maxIDLen keeps "ct-"+eventID within what the store accepts as a UID.
const maxIDLen = 120

func uid(r *record) string {
	if id := r.EventID; id != "" && len(id) <= maxIDLen && idChars(id) {
		return "ct-" + id
	}
	// Without an eventID, what CloudTrail says about the call identifies
	// it: the same record read again gives the same digest.
	h := sha256.New()
	for _, s := range []string{r.EventID, r.EventTime.raw, r.EventSource, r.EventName, r.AWSRegion, r.RequestID,
		r.UserIdentity.ARN, r.UserIdentity.AccessKeyID, r.RecipientAccountID, string(r.RequestParameters)} {
		fmt.Fprintf(h, "%d:%s\x00", len(s), s)
	}
	return "ct-sha256-" + hex.EncodeToString(h.Sum(nil)[:16])
}

// idChars reports whether id has only the characters a store UID may have.
func idChars(id string) bool {
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// flexBool reads a JSON boolean, or the strings "true" and "false" that
// lookup-events uses for ReadOnly.
type flexBool struct{ v, set bool }

func (b *flexBool) UnmarshalJSON(data []byte) error {
	switch strings.Trim(string(data), `"`) {
	case "true":
		b.v, b.set = true, true
	case "false":
		b.v, b.set = false, true
	}
	return nil
}

// flexTime reads an RFC 3339 time, or Unix seconds as lookup-events gives
// EventTime in some SDKs' JSON.
type flexTime struct {
	time.Time
	raw string
}

func (t *flexTime) UnmarshalJSON(data []byte) error {
	s := string(data)
	t.raw = s
	if s == "null" {
		return nil
	}
	if unq, err := unquote(data); err == nil {
		if v, err := time.Parse(time.RFC3339Nano, unq); err == nil {
			t.Time = v.UTC()
		}
		return nil
	}
	var f float64
	if err := json.Unmarshal(data, &f); err == nil && f > 0 && f < 1<<40 {
		sec := int64(f)
		t.Time = time.Unix(sec, int64((f-float64(sec))*1e9)).UTC()
	}
	return nil
}

func unquote(data []byte) (string, error) {
	var s string
	err := json.Unmarshal(data, &s)
	return s, err
}

func trimJSON(b []byte) []byte {
	return []byte(strings.TrimSpace(string(b)))
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func firstLine(s string, max int) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > max {
		i := max
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i]
	}
	return s
}

func quote(s string) string {
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return fmt.Sprintf("%q", s)
}

func describe(tok json.Token) string {
	switch t := tok.(type) {
	case nil:
		return "null"
	case json.Delim:
		return "'" + t.String() + "'"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	}
	return "a number"
}
