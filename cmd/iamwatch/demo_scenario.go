package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// The demo application's credentials are AWS's documented example keys:
// the fake upstream never checks them, and they grant nothing anywhere.
const (
	demoAccessKeyID = "AKIAIOSFODNN7EXAMPLE"
	demoSecretKey   = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	demoRegion      = "us-east-1"
)

// The resources the demo application works on.
const (
	demoBucket    = "iamwatch-demo-orders"
	demoObjectKey = "exports/2026/01/orders.csv"
	demoTable     = "demo-orders"
	demoQueue     = "demo-order-events"
	demoMessage   = `{"order":"order-1","status":"NEW"}`
	demoFunction  = "demo-order-processor"
	demoRole      = "demo-order-processor-role"
)

func demoPrincipalARN(account string) string { return "arn:aws:iam::" + account + ":user/demo-app" }
func demoRoleARN(account string) string      { return "arn:aws:iam::" + account + ":role/" + demoRole }

// demoClientConfig is an SDK configuration that sends every call through
// the proxy at proxyURL, trusting only the proxy's CA. It is built by hand,
// not loaded: nothing of the user's AWS environment (profiles, endpoints,
// HTTPS_PROXY) may reach the demo.
func demoClientConfig(proxyURL *url.URL, ca *x509.Certificate) (aws.Config, *http.Transport) {
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	tr := &http.Transport{
		Proxy:               http.ProxyURL(proxyURL),
		TLSClientConfig:     &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout: 5 * time.Second,
	}
	return aws.Config{
		Region:      demoRegion,
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(demoAccessKeyID, demoSecretKey, "")),
		HTTPClient:  &http.Client{Transport: tr, Timeout: 10 * time.Second},
		// A failed call is a bug in the demo: show it at once.
		RetryMaxAttempts: 1,
	}, tr
}

// demoStep is one SDK call of the scenario.
type demoStep struct {
	name string
	call func(context.Context) error
}

// demoScenario is what a small order-processing application does: who am
// I, store an export in S3, keep orders in DynamoDB, queue events in SQS,
// and deploy and invoke a Lambda function that runs as its own role.
func demoScenario(cfg aws.Config, account string) ([]demoStep, error) {
	code, err := demoFunctionZip()
	if err != nil {
		return nil, err
	}
	stsc, s3c, ddb, sqsc, lam := sts.NewFromConfig(cfg), s3.NewFromConfig(cfg), dynamodb.NewFromConfig(cfg), sqs.NewFromConfig(cfg), lambda.NewFromConfig(cfg)
	key := map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "order-1"}}
	var queueURL, receipt *string
	return []demoStep{
		{"sts GetCallerIdentity", func(ctx context.Context) error {
			_, err := stsc.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		}},
		{"s3 CreateBucket", func(ctx context.Context) error {
			_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(demoBucket)})
			return err
		}},
		{"s3 PutObject", func(ctx context.Context) error {
			_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(demoBucket), Key: aws.String(demoObjectKey),
				Body: strings.NewReader(demoObject), ContentType: aws.String("text/csv")})
			return err
		}},
		{"s3 GetObject", func(ctx context.Context) error {
			out, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(demoBucket), Key: aws.String(demoObjectKey)})
			if err != nil {
				return err
			}
			defer out.Body.Close()
			// Reading to the end is what checks the body's checksum.
			_, err = io.Copy(io.Discard, out.Body)
			return err
		}},
		{"s3 ListObjectsV2", func(ctx context.Context) error {
			_, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(demoBucket), Prefix: aws.String("exports/")})
			return err
		}},
		{"dynamodb CreateTable", func(ctx context.Context) error {
			_, err := ddb.CreateTable(ctx, &dynamodb.CreateTableInput{
				TableName:            aws.String(demoTable),
				AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
				KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
				BillingMode:          ddbtypes.BillingModePayPerRequest,
			})
			return err
		}},
		{"dynamodb PutItem", func(ctx context.Context) error {
			_, err := ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(demoTable), Item: map[string]ddbtypes.AttributeValue{
				"pk": &ddbtypes.AttributeValueMemberS{Value: "order-1"}, "status": &ddbtypes.AttributeValueMemberS{Value: "NEW"}}})
			return err
		}},
		{"dynamodb GetItem", func(ctx context.Context) error {
			_, err := ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(demoTable), Key: key})
			return err
		}},
		{"dynamodb Query", func(ctx context.Context) error {
			_, err := ddb.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(demoTable),
				KeyConditionExpression:    aws.String("pk = :pk"),
				ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":pk": &ddbtypes.AttributeValueMemberS{Value: "order-1"}}})
			return err
		}},
		{"sqs CreateQueue", func(ctx context.Context) error {
			out, err := sqsc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(demoQueue)})
			if err == nil {
				queueURL = out.QueueUrl
			}
			return err
		}},
		{"sqs SendMessage", func(ctx context.Context) error {
			_, err := sqsc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: queueURL, MessageBody: aws.String(demoMessage)})
			return err
		}},
		{"sqs ReceiveMessage", func(ctx context.Context) error {
			out, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: queueURL, MaxNumberOfMessages: 1})
			if err != nil {
				return err
			}
			if len(out.Messages) != 1 {
				return fmt.Errorf("received %d messages, want 1", len(out.Messages))
			}
			receipt = out.Messages[0].ReceiptHandle
			return nil
		}},
		{"sqs DeleteMessage", func(ctx context.Context) error {
			_, err := sqsc.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: queueURL, ReceiptHandle: receipt})
			return err
		}},
		{"lambda CreateFunction", func(ctx context.Context) error {
			_, err := lam.CreateFunction(ctx, &lambda.CreateFunctionInput{
				FunctionName: aws.String(demoFunction),
				Role:         aws.String(demoRoleARN(account)),
				Runtime:      lambdatypes.RuntimePython312,
				Handler:      aws.String("app.handler"),
				Code:         &lambdatypes.FunctionCode{ZipFile: code},
			})
			return err
		}},
		{"lambda Invoke", func(ctx context.Context) error {
			out, err := lam.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(demoFunction), Payload: []byte(demoMessage)})
			if err == nil && out.FunctionError != nil {
				err = fmt.Errorf("function error %s", *out.FunctionError)
			}
			return err
		}},
	}, nil
}

// demoFunctionZip is the Lambda function's deployment package.
func demoFunctionZip() ([]byte, error) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	f, err := zw.Create("app.py")
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(f, "def handler(event, context):\n    return {\"processed\": 1}\n"); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("zip the demo function: %w", err)
	}
	return b.Bytes(), nil
}
