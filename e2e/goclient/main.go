// Command goclient calls AWS through aws-sdk-go-v2 the way an application
// would, for the e2e tests: it loads the default configuration (credentials
// and region from the environment, HTTPS_PROXY, AWS_CA_BUNDLE) and makes a
// fixed set of calls. Calls on iamwatch-denied-* resources must fail with
// an access-denied error; any other failure is printed as a FAILED line and
// makes the exit status 1.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/computeoptimizer"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

const (
	bucket   = "e2e-bucket"
	table    = "e2e-table"
	queueURL = "https://sqs.us-east-1.amazonaws.com/123456789012/e2e-queue"
	roleARN  = "arn:aws:iam::123456789012:role/e2e-go-role"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAILED: load config:", err)
		os.Exit(1)
	}
	failed := false
	ok := func(name string, err error) {
		if err != nil {
			fmt.Fprintf(os.Stderr, "FAILED: %s: %v\n", name, err)
			failed = true
		}
	}
	denied := func(name string, err error) {
		var ae smithy.APIError
		if !errors.As(err, &ae) || !strings.Contains(ae.ErrorCode(), "AccessDenied") {
			fmt.Fprintf(os.Stderr, "FAILED: %s: want an access-denied error, got %v\n", name, err)
			failed = true
		}
	}
	key := aws.String("go/object.txt")
	tableKey := map[string]ddbtypes.AttributeValue{"id": &ddbtypes.AttributeValueMemberS{Value: "1"}}

	stsc := sts.NewFromConfig(cfg)
	_, err = stsc.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	ok("sts GetCallerIdentity", err)

	s3c := s3.NewFromConfig(cfg)
	_, err = s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: key, Body: strings.NewReader("hello from aws-sdk-go-v2\n")})
	ok("s3 PutObject", err)
	out, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: key})
	ok("s3 GetObject", err)
	if err == nil {
		out.Body.Close()
	}
	_, err = s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: key})
	ok("s3 HeadObject", err)
	_, err = s3c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{{Key: key}}}})
	ok("s3 DeleteObjects", err)
	_, err = s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("iamwatch-denied-bucket"), Key: key})
	denied("s3 GetObject denied", err)

	ddb := dynamodb.NewFromConfig(cfg)
	_, err = ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: tableKey})
	ok("dynamodb PutItem", err)
	_, err = ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: tableKey})
	ok("dynamodb GetItem", err)
	_, err = ddb.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(table), IndexName: aws.String("by-v"),
		KeyConditionExpression: aws.String("v = :v"), ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":v": &ddbtypes.AttributeValueMemberS{Value: "x"}}})
	ok("dynamodb Query", err)
	_, err = ddb.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]ddbtypes.KeysAndAttributes{
		table: {Keys: []map[string]ddbtypes.AttributeValue{tableKey}}, "e2e-other": {Keys: []map[string]ddbtypes.AttributeValue{tableKey}}}})
	ok("dynamodb BatchGetItem", err)
	_, err = ddb.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("iamwatch-denied-table"), Key: tableKey})
	denied("dynamodb DeleteItem denied", err)

	sqsc := sqs.NewFromConfig(cfg)
	_, err = sqsc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String("hello")})
	ok("sqs SendMessage", err)
	_, err = sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), WaitTimeSeconds: 0})
	ok("sqs ReceiveMessage", err)
	_, err = sqsc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(queueURL)})
	ok("sqs GetQueueAttributes", err)

	cw := cloudwatch.NewFromConfig(cfg)
	_, err = cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("E2E/Go"),
		MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("Calls"), Value: aws.Float64(1)}}})
	ok("cloudwatch PutMetricData", err)
	_, err = cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"iamwatch-denied-alarm"}})
	denied("cloudwatch DescribeAlarms denied", err)

	co := computeoptimizer.NewFromConfig(cfg)
	_, err = co.GetEnrollmentStatus(ctx, &computeoptimizer.GetEnrollmentStatusInput{})
	ok("compute-optimizer GetEnrollmentStatus", err)

	// The temporary credentials of an assumed role: iamwatch maps their
	// key to the role.
	as, err := stsc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("go")})
	ok("sts AssumeRole", err)
	if err == nil {
		c := as.Credentials
		roleCfg := cfg.Copy()
		roleCfg.Credentials = credentials.NewStaticCredentialsProvider(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
		_, err = s3.NewFromConfig(roleCfg).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("go/")})
		ok("s3 ListObjectsV2 as the role", err)
	}
	if failed {
		os.Exit(1)
	}
}
