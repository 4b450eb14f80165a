package cloudtrail

import (
	"fmt"
	"strings"
)

// dataEventService is a service whose data-plane calls CloudTrail logs as
// data events: only when the trail (or event data store) selects them, and
// never in Event history, which is what lookup-events reads.
type dataEventService struct {
	source       string // eventSource
	prefix       string // IAM prefix
	name         string // as people say it
	resourceType string // resources.type of the trail's event selector
	what         string // what its data events are
	examples     []string
	ops          []string // eventNames that are data events
}

// dataEventServices lists the data-event types of the CloudTrail User Guide
// ("Logging data events", the table of data event types and their
// resources.type values) that an application's own calls produce, with the
// operations each one covers:
//
//   - S3: the object-level operations of the S3 User Guide ("Amazon S3
//     CloudTrail events", object-level actions), with the list and head
//     operations it says are logged as object-level under conditions, and
//     the object retention, legal hold, select and tagging operations,
//     which are object-level too;
//   - Lambda: function execution, the Invoke API;
//   - DynamoDB: item-level operations on tables (PutItem, DeleteItem,
//     UpdateItem, the reads, batches, transactions and PartiQL
//     statements), and the stream reads (AWS::DynamoDB::Stream);
//   - SQS: the message operations (the SQS Developer Guide: SendMessage and
//     the other high-volume queue operations are data events, the queue
//     management ones are management events);
//   - SNS: Publish and PublishBatch on topics;
//   - EBS direct APIs: snapshot block reads and writes.
//
// Data events of other types (Cognito identity pools, SageMaker feature
// stores, Managed Blockchain nodes...) are recognized by the record's own
// eventCategory; they are not listed because their absence says little.
var dataEventServices = []dataEventService{
	{
		source: "s3.amazonaws.com", prefix: "s3", name: "S3", resourceType: "AWS::S3::Object",
		what:     "object-level actions",
		examples: []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"},
		ops: []string{"AbortMultipartUpload", "CompleteMultipartUpload", "CopyObject", "CreateMultipartUpload",
			"DeleteObject", "DeleteObjectTagging", "DeleteObjects", "GetObject", "GetObjectAcl", "GetObjectAttributes",
			"GetObjectLegalHold", "GetObjectRetention", "GetObjectTagging", "GetObjectTorrent", "HeadBucket", "HeadObject",
			"ListMultipartUploads", "ListObjectVersions", "ListObjects", "ListObjectsV2", "ListParts", "PostObject",
			"PutObject", "PutObjectAcl", "PutObjectLegalHold", "PutObjectRetention", "PutObjectTagging", "RestoreObject",
			"SelectObjectContent", "UploadPart", "UploadPartCopy"},
	},
	{
		source: "lambda.amazonaws.com", prefix: "lambda", name: "Lambda", resourceType: "AWS::Lambda::Function",
		what:     "function invocations",
		examples: []string{"lambda:InvokeFunction"},
		ops:      []string{"Invoke"},
	},
	{
		source: "dynamodb.amazonaws.com", prefix: "dynamodb", name: "DynamoDB", resourceType: "AWS::DynamoDB::Table",
		what:     "item-level actions",
		examples: []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"},
		ops: []string{"BatchExecuteStatement", "BatchGetItem", "BatchWriteItem", "DeleteItem", "DescribeStream",
			"ExecuteStatement", "ExecuteTransaction", "GetItem", "GetRecords", "GetShardIterator", "PutItem", "Query",
			"Scan", "TransactGetItems", "TransactWriteItems", "UpdateItem"},
	},
	{
		source: "sqs.amazonaws.com", prefix: "sqs", name: "SQS", resourceType: "AWS::SQS::Queue",
		what:     "message actions",
		examples: []string{"sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"},
		ops: []string{"ChangeMessageVisibility", "ChangeMessageVisibilityBatch", "DeleteMessage", "DeleteMessageBatch",
			"ReceiveMessage", "SendMessage", "SendMessageBatch"},
	},
	{
		source: "sns.amazonaws.com", prefix: "sns", name: "SNS", resourceType: "AWS::SNS::Topic",
		what:     "publishing",
		examples: []string{"sns:Publish"},
		ops:      []string{"Publish", "PublishBatch"},
	},
	{
		source: "ebs.amazonaws.com", prefix: "ebs", name: "EBS direct APIs", resourceType: "AWS::EC2::Snapshot",
		what:     "snapshot block reads and writes",
		examples: []string{"ebs:GetSnapshotBlock", "ebs:PutSnapshotBlock"},
		ops: []string{"CompleteSnapshot", "GetSnapshotBlock", "ListChangedBlocks", "ListSnapshotBlocks",
			"PutSnapshotBlock", "StartSnapshot"},
	},
}

func dataEventsOf(source string) *dataEventService {
	for i := range dataEventServices {
		if strings.EqualFold(dataEventServices[i].source, source) {
			return &dataEventServices[i]
		}
	}
	return nil
}

// IsDataEvent reports whether CloudTrail logs the operation eventName of
// eventSource as a data event, by the table above. Records that carry an
// eventCategory say it themselves.
func IsDataEvent(eventSource, eventName string) bool {
	d := dataEventsOf(eventSource)
	if d == nil {
		return false
	}
	for _, op := range d.ops {
		if op == eventName {
			return true
		}
	}
	return false
}

// Gap kinds.
const (
	// GapDataEvents: the logs have a service's management events but
	// none of its data events.
	GapDataEvents = "data-events"
	// GapReadOnly: the logs have write management events but no
	// read-only ones.
	GapReadOnly = "read-only"
)

// Gap is a kind of call the logs cannot show, though the application
// probably made some.
type Gap struct {
	Kind string
	// Service is the IAM prefix of the service; "" for every service.
	Service string
	// Actions are examples of the actions the logs cannot show.
	Actions []string
	// Note says it in a sentence, with the fix.
	Note string
}

// minWritesForReadGap is how many write management events, and no read
// one, make Coverage suspect a trail that logs writes only: an
// application that changes things also looks at them.
const minWritesForReadGap = 5

// Coverage tallies the events of a set of logs by event source, to tell
// which kinds of calls those logs cannot show. The zero value is ready to
// use.
type Coverage struct {
	sources              map[string]*tally
	mgmtRead, mgmtWrite  int
	dataEvents, apiCalls int
}

type tally struct{ management, data int }

// Add counts e. Events that are not API calls (sign-ins, Insights...)
// say nothing about what the trail logs, and are not counted.
func (c *Coverage) Add(e *Event) {
	if e.Type != "" && e.Type != TypeAPICall {
		return
	}
	if c.sources == nil {
		c.sources = map[string]*tally{}
	}
	src := strings.ToLower(e.Service)
	t := c.sources[src]
	if t == nil {
		t = &tally{}
		c.sources[src] = t
	}
	c.apiCalls++
	switch e.Category {
	case CategoryData:
		t.data++
		c.dataEvents++
	case CategoryManagement:
		t.management++
		if e.ReadOnlyKnown {
			if e.ReadOnly {
				c.mgmtRead++
			} else {
				c.mgmtWrite++
			}
		}
	}
}

// Gaps returns what the logs counted so far cannot show: the data events
// of each listed service whose management events appear, and read-only
// management events when only writes appear.
func (c *Coverage) Gaps() []Gap {
	var out []Gap
	for _, d := range dataEventServices {
		t := c.sources[d.source]
		if t == nil || t.management == 0 || t.data > 0 {
			continue
		}
		out = append(out, Gap{
			Kind:    GapDataEvents,
			Service: d.prefix,
			Actions: d.examples,
			Note: fmt.Sprintf("no %s data events in these logs: %s (%s, …) cannot be seen; enable %s data events (%s) on the trail",
				d.name, d.what, strings.Join(d.examples, ", "), d.name, d.resourceType),
		})
	}
	if c.mgmtRead == 0 && c.mgmtWrite >= minWritesForReadGap {
		out = append(out, Gap{
			Kind: GapReadOnly,
			Note: "no read-only management events in these logs: the trail may log write events only, so Describe, Get and List actions cannot be seen; set its management events to All (ReadWriteType All)",
		})
	}
	return out
}
