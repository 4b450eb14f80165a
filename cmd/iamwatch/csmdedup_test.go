package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/iamwatch/iamwatch"
)

func dedupRecord(service, op, akid, region string, start time.Time, latency time.Duration) *iamwatch.Record {
	return &iamwatch.Record{Time: start, AccessKeyID: akid, Latency: latency,
		Call: iamwatch.Call{Service: service, Operation: op, Region: region, Recognized: true}}
}

func TestCSMDedup(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	now := t0
	d := newCSMDedup()
	d.clock = func() time.Time { return now }

	// The SDK starts the call (CSM timestamp) a little before the proxy
	// sees it, and its latency spans the proxy's.
	proxied := func(op, akid, region string, offset, latency time.Duration) {
		p := d.started(dedupRecord("sqs", op, akid, region, t0.Add(offset), 0))
		d.ended(p, latency)
	}
	claim := func(op, akid, region string, latency time.Duration) bool {
		return d.claim(dedupRecord("sqs", op, akid, region, t0, latency))
	}
	now = t0.Add(50 * time.Millisecond)
	proxied("SendMessage", "AKIA1", "us-east-1", 5*time.Millisecond, 30*time.Millisecond)
	proxied("SendMessage", "AKIA1", "us-east-1", 10*time.Millisecond, 30*time.Millisecond)

	if claim("ReceiveMessage", "AKIA1", "us-east-1", 40*time.Millisecond) {
		t.Error("a report of another operation claimed a proxied call")
	}
	if claim("SendMessage", "AKIA2", "us-east-1", 40*time.Millisecond) {
		t.Error("a report by another access key claimed a proxied call")
	}
	if claim("SendMessage", "AKIA1", "eu-west-1", 40*time.Millisecond) {
		t.Error("a report from another region claimed a proxied call")
	}
	// Two proxied calls answer for two reports, not three.
	for i := range 2 {
		if !claim("SendMessage", "AKIA1", "us-east-1", 40*time.Millisecond) {
			t.Fatalf("report %d matched no proxied call", i+1)
		}
	}
	if claim("SendMessage", "AKIA1", "us-east-1", 40*time.Millisecond) {
		t.Error("a third report claimed one of two proxied calls")
	}

	// CSM reports carry the access key only on attempts; a global service
	// may say aws-global for its region.
	proxied("SendMessage", "AKIA1", "us-east-1", 5*time.Millisecond, 30*time.Millisecond)
	if !claim("SendMessage", "", "aws-global", 40*time.Millisecond) {
		t.Error("a report without an access key, from aws-global, matched nothing")
	}

	// A call still in flight (a streamed response the client has read
	// before the proxy finished) is claimed too.
	if d.started(dedupRecord("sqs", "SendMessage", "AKIA1", "us-east-1", t0.Add(5*time.Millisecond), 0)) == nil {
		t.Fatal("a recognized call was not noted")
	}
	if !claim("SendMessage", "AKIA1", "us-east-1", 40*time.Millisecond) {
		t.Error("a report matched no call in flight")
	}

	// A proxied call outside the report's span is another call.
	proxied("SendMessage", "AKIA1", "us-east-1", time.Minute, 30*time.Millisecond)
	if claim("SendMessage", "AKIA1", "us-east-1", 40*time.Millisecond) {
		t.Error("a report claimed a call made a minute after it")
	}

	// Calls no report came for expire.
	now = t0.Add(time.Hour)
	proxied("GetQueueUrl", "AKIA1", "us-east-1", time.Hour, time.Millisecond)
	if got := len(d.byOp[csmOp{"sqs", "SendMessage"}]); got != 1 {
		t.Errorf("before a sweep, %d SendMessage calls are kept, want 1", got)
	}
	for range csmSweepEvery {
		proxied("GetQueueUrl", "AKIA1", "us-east-1", time.Hour, time.Millisecond)
	}
	if _, ok := d.byOp[csmOp{"sqs", "SendMessage"}]; ok {
		t.Error("an expired call survived a sweep")
	}
	if got := len(d.byOp[csmOp{"sqs", "GetQueueUrl"}]); got != csmMaxPerOp {
		t.Errorf("%d GetQueueUrl calls kept, want the bound %d", got, csmMaxPerOp)
	}

	// Unrecognized calls are left to their CSM report.
	if p := d.started(&iamwatch.Record{Time: t0, Call: iamwatch.Call{Service: "sqs", Operation: "Weird"}}); p != nil {
		t.Error("an unrecognized proxied call was kept for matching")
	}
	d.ended(nil, time.Second) // what finish does for it

	// Calls in flight do not expire with the finished ones.
	now = t0.Add(2 * time.Hour)
	d.started(dedupRecord("sqs", "PurgeQueue", "AKIA1", "us-east-1", now, 0))
	now = now.Add(time.Hour)
	for range csmSweepEvery {
		proxied("GetQueueUrl", "AKIA1", "us-east-1", 3*time.Hour, time.Millisecond)
	}
	if got := len(d.byOp[csmOp{"sqs", "PurgeQueue"}]); got != 1 {
		t.Errorf("%d PurgeQueue calls in flight kept, want 1", got)
	}
}

func TestDeniedSummary(t *testing.T) {
	c := &capture{}
	if got := c.deniedSummary(); got != "" {
		t.Errorf("no denied call: %q", got)
	}
	rec := func(code string, actions ...string) *iamwatch.Record {
		r := &iamwatch.Record{Call: iamwatch.Call{Recognized: true}, ErrorCode: code}
		for _, a := range actions {
			r.Actions = append(r.Actions, iamwatch.ActionUse{Action: a})
		}
		return r
	}
	c.noteDenied(rec("", "s3:GetObject"))
	c.noteDenied(rec("NoSuchKey", "s3:GetObject"))
	c.noteDenied(rec("AccessDenied", "s3:ListBucket"))
	if got, want := c.deniedSummary(), "1 call was denied for lack of a permission (s3:ListBucket)"; got != want {
		t.Errorf("deniedSummary = %q, want %q", got, want)
	}
	possible := rec("UnauthorizedOperation", "ec2:RunInstances")
	possible.Actions = append(possible.Actions, iamwatch.ActionUse{Action: "iam:PassRole", Possible: true})
	c.noteDenied(possible)
	for i := range 10 {
		c.noteDenied(rec("AccessDeniedException", fmt.Sprintf("dynamodb:Action%d", i)))
	}
	got := c.deniedSummary()
	if !strings.HasPrefix(got, "12 calls were denied for lack of a permission (") || !strings.HasSuffix(got, ", …)") ||
		strings.Contains(got, "iam:PassRole") || strings.Count(got, ":") != maxDeniedListed {
		t.Errorf("deniedSummary = %q, want 12 calls, %d actions then …, no possible action", got, maxDeniedListed)
	}
}
