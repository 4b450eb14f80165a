package main

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/ecrpublic"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kinesistypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

const (
	table     = "orders"
	queueURL  = "https://sqs.us-east-1.amazonaws.com/123456789012/orders"
	streamARN = "arn:aws:kinesis:us-east-1:123456789012:stream/clickstream"
	smARN     = "arn:aws:states:us-east-1:123456789012:stateMachine:order-flow"
)

func s(v string) ddbtypes.AttributeValue { return &ddbtypes.AttributeValueMemberS{Value: v} }
func n(v string) ddbtypes.AttributeValue { return &ddbtypes.AttributeValueMemberN{Value: v} }

func jsonCalls() []call {
	ddb := mk("dynamodb", "DynamoDB", "json")
	km := mk("kms", "KMS", "json")
	sm := mk("secretsmanager", "Secrets Manager", "json")
	ss := mk("ssm", "SSM", "json")
	lg := mk("cloudwatchlogs", "CloudWatch Logs", "json")
	ec := mk("ecs", "ECS", "json")
	kn := mk("kinesis", "Kinesis", "json")
	sf := mk("sfn", "SFN", "json")
	sq := mk("sqs", "SQS", "json")
	er := mk("ecr", "ECR", "json")
	erp := mk("ecrpublic", "ECR PUBLIC", "json")
	eb := mk("eventbridge", "EventBridge", "json")
	ct := mk("cloudtrail", "CloudTrail", "json")
	cw := mk("cloudwatch", "CloudWatch", "rpc-v2-cbor")

	newDDB := func(cfg aws.Config) *dynamodb.Client { return dynamodb.NewFromConfig(cfg, fix[dynamodb.Options]) }
	// With an account ID in the credentials, DynamoDB uses account-based
	// endpoints (<account>.ddb.<region>.amazonaws.com).
	newDDBAccount := func(cfg aws.Config) *dynamodb.Client {
		cfg.Credentials = credentials.StaticCredentialsProvider{Value: aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey, AccountID: account, Source: "fixture"}}
		return dynamodb.NewFromConfig(cfg, fix[dynamodb.Options])
	}
	newKMS := func(cfg aws.Config) *kms.Client { return kms.NewFromConfig(cfg, fix[kms.Options]) }
	newSM := func(cfg aws.Config) *secretsmanager.Client {
		return secretsmanager.NewFromConfig(cfg, fix[secretsmanager.Options])
	}
	newSSM := func(cfg aws.Config) *ssm.Client { return ssm.NewFromConfig(cfg, fix[ssm.Options]) }
	newLogs := func(cfg aws.Config) *cloudwatchlogs.Client {
		return cloudwatchlogs.NewFromConfig(cfg, fix[cloudwatchlogs.Options])
	}
	newECS := func(cfg aws.Config) *ecs.Client { return ecs.NewFromConfig(cfg, fix[ecs.Options]) }
	newKin := func(cfg aws.Config) *kinesis.Client { return kinesis.NewFromConfig(cfg, fix[kinesis.Options]) }
	newSFN := func(cfg aws.Config) *sfn.Client { return sfn.NewFromConfig(cfg, fix[sfn.Options]) }
	newSQS := func(cfg aws.Config) *sqs.Client { return sqs.NewFromConfig(cfg, fix[sqs.Options]) }
	newECR := func(cfg aws.Config) *ecr.Client { return ecr.NewFromConfig(cfg, fix[ecr.Options]) }
	newECRP := func(cfg aws.Config) *ecrpublic.Client { return ecrpublic.NewFromConfig(cfg, fix[ecrpublic.Options]) }
	newEB := func(cfg aws.Config) *eventbridge.Client {
		return eventbridge.NewFromConfig(cfg, fix[eventbridge.Options])
	}
	newCT := func(cfg aws.Config) *cloudtrail.Client { return cloudtrail.NewFromConfig(cfg, fix[cloudtrail.Options]) }
	newCW := func(cfg aws.Config) *cloudwatch.Client { return cloudwatch.NewFromConfig(cfg, fix[cloudwatch.Options]) }

	start := time.Date(2026, 1, 15, 11, 0, 0, 0, time.UTC)
	end := start.Add(time.Hour)
	orderKey := map[string]ddbtypes.AttributeValue{"pk": s("CUSTOMER#42"), "sk": s("ORDER#2026-01-15#0001")}

	return []call{
		// DynamoDB (json 1.0).
		ddb("GetItem", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newDDB(cfg).GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: orderKey, ConsistentRead: aws.Bool(true), ProjectionExpression: aws.String("#s, total"), ExpressionAttributeNames: map[string]string{"#s": "status"}})
			return err
		}),
		ddb("PutItem", "", "condition expression", func(ctx context.Context, cfg aws.Config) error {
			_, err := newDDB(cfg).PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]ddbtypes.AttributeValue{"pk": s("CUSTOMER#42"), "sk": s("ORDER#2026-01-15#0002"), "total": n("99.95"), "items": &ddbtypes.AttributeValueMemberL{Value: []ddbtypes.AttributeValue{s("sku-1"), s("sku-2")}}}, ConditionExpression: aws.String("attribute_not_exists(pk)")})
			return err
		}),
		ddb("UpdateItem", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newDDB(cfg).UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: orderKey, UpdateExpression: aws.String("SET #s = :s"), ExpressionAttributeNames: map[string]string{"#s": "status"}, ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":s": s("SHIPPED")}, ReturnValues: ddbtypes.ReturnValueUpdatedNew})
			return err
		}),
		ddb("DeleteItem", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newDDB(cfg).DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: orderKey})
			return err
		}),
		ddb("Query", "", "global secondary index", func(ctx context.Context, cfg aws.Config) error {
			_, err := newDDB(cfg).Query(ctx, &dynamodb.QueryInput{TableName: aws.String(table), IndexName: aws.String("by-status"), KeyConditionExpression: aws.String("#s = :s"), ExpressionAttributeNames: map[string]string{"#s": "status"}, ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":s": s("PENDING")}, Limit: aws.Int32(25)})
			return err
		}),
		ddb("Scan", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newDDB(cfg).Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table), Segment: aws.Int32(0), TotalSegments: aws.Int32(4)})
			return err
		}),
		ddb("BatchGetItem", "", "two tables", func(ctx context.Context, cfg aws.Config) error {
			_, err := newDDB(cfg).BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]ddbtypes.KeysAndAttributes{
				table:       {Keys: []map[string]ddbtypes.AttributeValue{orderKey}},
				"customers": {Keys: []map[string]ddbtypes.AttributeValue{{"id": s("42")}}},
			}})
			return err
		}),
		ddb("BatchWriteItem", "", "put and delete across two tables", func(ctx context.Context, cfg aws.Config) error {
			_, err := newDDB(cfg).BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]ddbtypes.WriteRequest{
				table:         {{PutRequest: &ddbtypes.PutRequest{Item: map[string]ddbtypes.AttributeValue{"pk": s("CUSTOMER#7"), "sk": s("ORDER#1")}}}},
				"order-audit": {{DeleteRequest: &ddbtypes.DeleteRequest{Key: map[string]ddbtypes.AttributeValue{"id": s("a-1")}}}},
			}})
			return err
		}),
		ddb("TransactWriteItems", "", "put, update and condition check on three tables", func(ctx context.Context, cfg aws.Config) error {
			_, err := newDDB(cfg).TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []ddbtypes.TransactWriteItem{
				{Put: &ddbtypes.Put{TableName: aws.String(table), Item: map[string]ddbtypes.AttributeValue{"pk": s("CUSTOMER#42"), "sk": s("ORDER#3")}}},
				{Update: &ddbtypes.Update{TableName: aws.String("inventory"), Key: map[string]ddbtypes.AttributeValue{"sku": s("sku-1")}, UpdateExpression: aws.String("SET qty = qty - :one"), ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":one": n("1")}}},
				{ConditionCheck: &ddbtypes.ConditionCheck{TableName: aws.String("customers"), Key: map[string]ddbtypes.AttributeValue{"id": s("42")}, ConditionExpression: aws.String("attribute_exists(id)")}},
			}})
			return err
		}),
		ddb("TransactGetItems", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newDDB(cfg).TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []ddbtypes.TransactGetItem{{Get: &ddbtypes.Get{TableName: aws.String(table), Key: orderKey}}, {Get: &ddbtypes.Get{TableName: aws.String("customers"), Key: map[string]ddbtypes.AttributeValue{"id": s("42")}}}}})
			return err
		}),
		ddb("ExecuteStatement", "", "PartiQL SELECT", func(ctx context.Context, cfg aws.Config) error {
			_, err := newDDB(cfg).ExecuteStatement(ctx, &dynamodb.ExecuteStatementInput{Statement: aws.String(`SELECT * FROM "orders" WHERE pk = ?`), Parameters: []ddbtypes.AttributeValue{s("CUSTOMER#42")}})
			return err
		}),
		ddb("ExecuteStatement", "update", "PartiQL UPDATE", func(ctx context.Context, cfg aws.Config) error {
			_, err := newDDB(cfg).ExecuteStatement(ctx, &dynamodb.ExecuteStatementInput{Statement: aws.String(`UPDATE "orders" SET status = 'PAID' WHERE pk = 'CUSTOMER#42' AND sk = 'ORDER#3'`)})
			return err
		}),
		ddb("BatchExecuteStatement", "", "PartiQL batch", func(ctx context.Context, cfg aws.Config) error {
			_, err := newDDB(cfg).BatchExecuteStatement(ctx, &dynamodb.BatchExecuteStatementInput{Statements: []ddbtypes.BatchStatementRequest{{Statement: aws.String(`INSERT INTO "order-audit" VALUE {'id': 'a-2'}`)}, {Statement: aws.String(`DELETE FROM "orders" WHERE pk = 'CUSTOMER#1' AND sk = 'ORDER#1'`)}}})
			return err
		}),
		ddb("CreateTable", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newDDB(cfg).CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(table), BillingMode: ddbtypes.BillingModePayPerRequest,
				AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}, {AttributeName: aws.String("sk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
				KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}, {AttributeName: aws.String("sk"), KeyType: ddbtypes.KeyTypeRange}},
				Tags:                 []ddbtypes.Tag{{Key: aws.String("team"), Value: aws.String("orders")}}})
			return err
		}),
		ddb("DescribeTable", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newDDB(cfg).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
			return err
		}),
		ddb("ListTables", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newDDB(cfg).ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(100)})
			return err
		}),
		ddb("GetItem", "table-arn", "TableName given as ARN", func(ctx context.Context, cfg aws.Config) error {
			_, err := newDDB(cfg).GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("arn:aws:dynamodb:us-east-1:123456789012:table/orders"), Key: orderKey})
			return err
		}),
		ddb("GetItem", "account-endpoint", "credentials carry an account ID: account-based endpoint", func(ctx context.Context, cfg aws.Config) error {
			_, err := newDDBAccount(cfg).GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: orderKey})
			return err
		}),
		ddb("Query", "account-endpoint", "credentials carry an account ID: account-based endpoint", func(ctx context.Context, cfg aws.Config) error {
			_, err := newDDBAccount(cfg).Query(ctx, &dynamodb.QueryInput{TableName: aws.String(table), KeyConditionExpression: aws.String("pk = :pk"), ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":pk": s("CUSTOMER#42")}})
			return err
		}),
		inRegion("eu-west-1", ddb("PutItem", "eu-west-1", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newDDB(cfg).PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("sessions"), Item: map[string]ddbtypes.AttributeValue{"id": s("sess-1")}})
			return err
		})),
		inRegion("cn-north-1", ddb("GetItem", "cn-north-1", "aws-cn partition", func(ctx context.Context, cfg aws.Config) error {
			_, err := newDDB(cfg).GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("sessions"), Key: map[string]ddbtypes.AttributeValue{"id": s("sess-1")}})
			return err
		})),

		// KMS.
		km("Encrypt", "", "key alias", func(ctx context.Context, cfg aws.Config) error {
			_, err := newKMS(cfg).Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/app-key"), Plaintext: []byte("hello"), EncryptionContext: map[string]string{"app": "orders"}})
			return err
		}),
		km("Decrypt", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newKMS(cfg).Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: []byte("\x01\x02\x03fake-ciphertext"), KeyId: aws.String(kmsKeyARN)})
			return err
		}),
		km("GenerateDataKey", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newKMS(cfg).GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(kmsKeyARN), KeySpec: kmstypes.DataKeySpecAes256})
			return err
		}),
		km("CreateKey", "", "key policy and tags", func(ctx context.Context, cfg aws.Config) error {
			_, err := newKMS(cfg).CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("app key"), Tags: []kmstypes.Tag{{TagKey: aws.String("team"), TagValue: aws.String("platform")}}, Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"}]}`)})
			return err
		}),
		km("DescribeKey", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newKMS(cfg).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("1234abcd-12ab-34cd-56ef-1234567890ab")})
			return err
		}),
		km("Sign", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newKMS(cfg).Sign(ctx, &kms.SignInput{KeyId: aws.String("arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab"), Message: []byte("digest"), SigningAlgorithm: kmstypes.SigningAlgorithmSpecEcdsaSha256, MessageType: kmstypes.MessageTypeRaw})
			return err
		}),

		// Secrets Manager.
		sm("GetSecretValue", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSM(cfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/orders/db")})
			return err
		}),
		sm("GetSecretValue", "arn", "SecretId as ARN, version stage", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSM(cfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/orders/db-AbCdEf"), VersionStage: aws.String("AWSPREVIOUS")})
			return err
		}),
		sm("CreateSecret", "", "KMS key and tags", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSM(cfg).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("prod/orders/api-key"), SecretString: aws.String(`{"key":"not-a-real-secret"}`), KmsKeyId: aws.String(kmsKeyARN)})
			return err
		}),
		sm("PutSecretValue", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSM(cfg).PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("prod/orders/api-key"), SecretString: aws.String(`{"key":"rotated-fake"}`)})
			return err
		}),
		sm("ListSecrets", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSM(cfg).ListSecrets(ctx, &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(20)})
			return err
		}),

		// SSM.
		ss("GetParameter", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSSM(cfg).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/orders/prod/db-host"), WithDecryption: aws.Bool(true)})
			return err
		}),
		ss("GetParametersByPath", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSSM(cfg).GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/orders/prod/"), Recursive: aws.Bool(true), WithDecryption: aws.Bool(true)})
			return err
		}),
		ss("PutParameter", "", "SecureString with KMS key", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSSM(cfg).PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/orders/prod/db-password"), Value: aws.String("fake-password"), Type: ssmtypes.ParameterTypeSecureString, KeyId: aws.String("alias/app-key"), Overwrite: aws.Bool(true)})
			return err
		}),
		ss("SendCommand", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSSM(cfg).SendCommand(ctx, &ssm.SendCommandInput{DocumentName: aws.String("AWS-RunShellScript"), InstanceIds: []string{"i-0123456789abcdef0"}, Parameters: map[string][]string{"commands": {"uptime"}}, ServiceRoleArn: aws.String("arn:aws:iam::123456789012:role/ssm-notify")})
			return err
		}),
		ss("StartSession", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSSM(cfg).StartSession(ctx, &ssm.StartSessionInput{Target: aws.String("i-0123456789abcdef0")})
			return err
		}),

		// CloudWatch Logs.
		lg("CreateLogGroup", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newLogs(cfg).CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/app/orders"), KmsKeyId: aws.String(kmsKeyARN), Tags: map[string]string{"team": "orders"}})
			return err
		}),
		lg("PutLogEvents", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newLogs(cfg).PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("/app/orders"), LogStreamName: aws.String("web-1"), LogEvents: []logstypes.InputLogEvent{{Message: aws.String("order created"), Timestamp: aws.Int64(start.UnixMilli())}}})
			return err
		}),
		lg("FilterLogEvents", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newLogs(cfg).FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/app/orders"), FilterPattern: aws.String("ERROR"), StartTime: aws.Int64(start.UnixMilli())})
			return err
		}),
		lg("DescribeLogGroups", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newLogs(cfg).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/app/")})
			return err
		}),
		lg("StartQuery", "", "Logs Insights", func(ctx context.Context, cfg aws.Config) error {
			_, err := newLogs(cfg).StartQuery(ctx, &cloudwatchlogs.StartQueryInput{LogGroupNames: []string{"/app/orders"}, QueryString: aws.String("fields @timestamp, @message | limit 20"), StartTime: aws.Int64(start.Unix()), EndTime: aws.Int64(end.Unix())})
			return err
		}),

		// ECS.
		ec("RegisterTaskDefinition", "", "taskRoleArn and executionRoleArn (iam:PassRole)", func(ctx context.Context, cfg aws.Config) error {
			_, err := newECS(cfg).RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("orders-web"), TaskRoleArn: aws.String(appRole), ExecutionRoleArn: aws.String("arn:aws:iam::123456789012:role/ecsTaskExecutionRole"), NetworkMode: ecstypes.NetworkModeAwsvpc, RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate}, Cpu: aws.String("256"), Memory: aws.String("512"),
				ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String("123456789012.dkr.ecr.us-east-1.amazonaws.com/orders:1.4.2"), Essential: aws.Bool(true), PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(8080)}}}}})
			return err
		}),
		ec("RunTask", "", "Fargate with network configuration and overrides", func(ctx context.Context, cfg aws.Config) error {
			_, err := newECS(cfg).RunTask(ctx, &ecs.RunTaskInput{Cluster: aws.String("prod"), TaskDefinition: aws.String("orders-web:12"), LaunchType: ecstypes.LaunchTypeFargate, Count: aws.Int32(1),
				NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: []string{"subnet-0a1b2c3d4e5f60718"}, SecurityGroups: []string{"sg-0123456789abcdef0"}}},
				Overrides:            &ecstypes.TaskOverride{TaskRoleArn: aws.String("arn:aws:iam::123456789012:role/orders-migrate")},
				Tags:                 []ecstypes.Tag{{Key: aws.String("job"), Value: aws.String("migrate")}}})
			return err
		}),
		ec("CreateService", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newECS(cfg).CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("prod"), ServiceName: aws.String("orders-web"), TaskDefinition: aws.String("arn:aws:ecs:us-east-1:123456789012:task-definition/orders-web:12"), DesiredCount: aws.Int32(2), LaunchType: ecstypes.LaunchTypeFargate})
			return err
		}),
		ec("DescribeTasks", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newECS(cfg).DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("prod"), Tasks: []string{"arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef"}})
			return err
		}),
		ec("ListClusters", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newECS(cfg).ListClusters(ctx, &ecs.ListClustersInput{})
			return err
		}),

		// Kinesis.
		kn("PutRecord", "", "StreamName", func(ctx context.Context, cfg aws.Config) error {
			_, err := newKin(cfg).PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("clickstream"), PartitionKey: aws.String("user-42"), Data: []byte(`{"page":"/"}`)})
			return err
		}),
		kn("PutRecord", "stream-arn", "StreamARN: account-based data endpoint", func(ctx context.Context, cfg aws.Config) error {
			_, err := newKin(cfg).PutRecord(ctx, &kinesis.PutRecordInput{StreamARN: aws.String(streamARN), PartitionKey: aws.String("user-42"), Data: []byte(`{"page":"/cart"}`)})
			return err
		}),
		kn("PutRecords", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newKin(cfg).PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("clickstream"), Records: []kinesistypes.PutRecordsRequestEntry{{PartitionKey: aws.String("a"), Data: []byte("1")}, {PartitionKey: aws.String("b"), Data: []byte("2")}}})
			return err
		}),
		kn("GetRecords", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newKin(cfg).GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("AAAAAAAAAAETYyAYzd665+8e0X7JTsASDM/Hr2rSwc0X2qz93iuA3udrjTH+ikQvpQk/1ZcMMLzRdAesqwBGPnsthzU0/CBlM/U8/8oEqGwX3pKw0XyeDNRAAZyXBo3MqkQtCpXhr942BRTjvWKhFz7OmCb2Ncfr8Tl2cBktooi6kJhr+djN5WYkB38Rr3akRgCl9qaU4dY="), Limit: aws.Int32(100)})
			return err
		}),
		kn("DescribeStreamSummary", "stream-arn", "StreamARN: account-based control endpoint", func(ctx context.Context, cfg aws.Config) error {
			_, err := newKin(cfg).DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String(streamARN)})
			return err
		}),
		kn("CreateStream", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newKin(cfg).CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("clickstream"), ShardCount: aws.Int32(2)})
			return err
		}),

		// Step Functions.
		sf("StartExecution", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSFN(cfg).StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smARN), Name: aws.String("order-o-123"), Input: aws.String(`{"orderId":"o-123"}`)})
			return err
		}),
		sf("StartSyncExecution", "", "sync-states. host prefix", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSFN(cfg).StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String("arn:aws:states:us-east-1:123456789012:stateMachine:express-quote"), Input: aws.String(`{}`)})
			return err
		}),
		sf("CreateStateMachine", "", "roleArn (iam:PassRole)", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSFN(cfg).CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("order-flow"), RoleArn: aws.String("arn:aws:iam::123456789012:role/sfn-order-flow"), Definition: aws.String(`{"StartAt":"Done","States":{"Done":{"Type":"Succeed"}}}`)})
			return err
		}),
		sf("DescribeExecution", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSFN(cfg).DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String("arn:aws:states:us-east-1:123456789012:execution:order-flow:order-o-123")})
			return err
		}),
		sf("ListStateMachines", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSFN(cfg).ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
			return err
		}),

		// SQS (json 1.0 with awsQueryCompatible).
		sq("SendMessage", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSQS(cfg).SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String(`{"orderId":"o-123"}`), MessageAttributes: map[string]sqstypes.MessageAttributeValue{"source": {DataType: aws.String("String"), StringValue: aws.String("web")}}})
			return err
		}),
		sq("ReceiveMessage", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSQS(cfg).ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll}})
			return err
		}),
		sq("DeleteMessage", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSQS(cfg).DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queueURL), ReceiptHandle: aws.String("AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a==")})
			return err
		}),
		sq("SendMessageBatch", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSQS(cfg).SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(queueURL), Entries: []sqstypes.SendMessageBatchRequestEntry{{Id: aws.String("1"), MessageBody: aws.String("a")}, {Id: aws.String("2"), MessageBody: aws.String("b")}}})
			return err
		}),
		sq("CreateQueue", "", "FIFO with KMS and tags", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSQS(cfg).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders.fifo"), Attributes: map[string]string{"FifoQueue": "true", "KmsMasterKeyId": "alias/app-key"}, Tags: map[string]string{"team": "orders"}})
			return err
		}),
		sq("GetQueueUrl", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSQS(cfg).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("orders"), QueueOwnerAWSAccountId: aws.String(account)})
			return err
		}),
		inRegion("eu-west-1", sq("SendMessage", "eu-west-1", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newSQS(cfg).SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String("https://sqs.eu-west-1.amazonaws.com/123456789012/eu-orders"), MessageBody: aws.String("hi")})
			return err
		})),

		// ECR and ECR Public.
		er("GetAuthorizationToken", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newECR(cfg).GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
			return err
		}),
		er("DescribeRepositories", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newECR(cfg).DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"orders"}})
			return err
		}),
		er("CreateRepository", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newECR(cfg).CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("orders")})
			return err
		}),
		er("BatchGetImage", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newECR(cfg).BatchGetImage(ctx, &ecr.BatchGetImageInput{RepositoryName: aws.String("orders"), RegistryId: aws.String(account), ImageIds: []ecrtypes.ImageIdentifier{{ImageTag: aws.String("1.4.2")}}})
			return err
		}),
		erp("GetAuthorizationToken", "", "api.ecr-public endpoint", func(ctx context.Context, cfg aws.Config) error {
			_, err := newECRP(cfg).GetAuthorizationToken(ctx, &ecrpublic.GetAuthorizationTokenInput{})
			return err
		}),
		erp("DescribeRepositories", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newECRP(cfg).DescribeRepositories(ctx, &ecrpublic.DescribeRepositoriesInput{RepositoryNames: []string{"tools"}})
			return err
		}),

		// EventBridge.
		eb("PutEvents", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newEB(cfg).PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{Source: aws.String("app.orders"), DetailType: aws.String("OrderCreated"), Detail: aws.String(`{"orderId":"o-123"}`), EventBusName: aws.String("orders-bus")}}})
			return err
		}),
		eb("PutRule", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newEB(cfg).PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("nightly"), ScheduleExpression: aws.String("cron(0 3 * * ? *)"), RoleArn: aws.String("arn:aws:iam::123456789012:role/events-invoke")})
			return err
		}),
		eb("PutTargets", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newEB(cfg).PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("nightly"), Targets: []ebtypes.Target{{Id: aws.String("report"), Arn: aws.String("arn:aws:lambda:us-east-1:123456789012:function:nightly-report")}}})
			return err
		}),

		// CloudTrail.
		ct("LookupEvents", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newCT(cfg).LookupEvents(ctx, &cloudtrail.LookupEventsInput{StartTime: &start, EndTime: &end, MaxResults: aws.Int32(50)})
			return err
		}),
		ct("DescribeTrails", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newCT(cfg).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
			return err
		}),
		ct("CreateTrail", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newCT(cfg).CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("org-trail"), S3BucketName: aws.String("example-trail-logs"), IsMultiRegionTrail: aws.Bool(true), KmsKeyId: aws.String(kmsKeyARN)})
			return err
		}),

		// CloudWatch: the current v2 module speaks Smithy RPC v2 CBOR.
		cw("PutMetricData", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newCW(cfg).PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("App/Orders"), MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("OrdersCreated"), Value: aws.Float64(3), Unit: cwtypes.StandardUnitCount, Timestamp: &start, Dimensions: []cwtypes.Dimension{{Name: aws.String("Env"), Value: aws.String("prod")}}}}})
			return err
		}),
		cw("GetMetricData", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newCW(cfg).GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: &start, EndTime: &end, MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("m1"), MetricStat: &cwtypes.MetricStat{Metric: &cwtypes.Metric{Namespace: aws.String("AWS/EC2"), MetricName: aws.String("CPUUtilization"), Dimensions: []cwtypes.Dimension{{Name: aws.String("InstanceId"), Value: aws.String("i-0123456789abcdef0")}}}, Period: aws.Int32(300), Stat: aws.String("Average")}}}})
			return err
		}),
		cw("DescribeAlarms", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newCW(cfg).DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("orders-"), StateValue: cwtypes.StateValueAlarm})
			return err
		}),
		cw("PutMetricAlarm", "", "alarm actions and tags", func(ctx context.Context, cfg aws.Config) error {
			_, err := newCW(cfg).PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("orders-errors"), Namespace: aws.String("App/Orders"), MetricName: aws.String("Errors"), Statistic: cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(5), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold, AlarmActions: []string{"arn:aws:sns:us-east-1:123456789012:alerts"}, Tags: []cwtypes.Tag{{Key: aws.String("team"), Value: aws.String("orders")}}})
			return err
		}),
		cw("ListMetrics", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newCW(cfg).ListMetrics(ctx, &cloudwatch.ListMetricsInput{Namespace: aws.String("AWS/Lambda")})
			return err
		}),
		cw("GetMetricStatistics", "", "", func(ctx context.Context, cfg aws.Config) error {
			_, err := newCW(cfg).GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("AWS/SQS"), MetricName: aws.String("ApproximateNumberOfMessagesVisible"), StartTime: &start, EndTime: &end, Period: aws.Int32(300), Statistics: []cwtypes.Statistic{cwtypes.StatisticMaximum}})
			return err
		}),
	}
}
