// Calls AWS through the AWS SDK for JavaScript v3 the way an application
// would, for the e2e tests. Credentials and region come from the
// environment. Node ignores HTTPS_PROXY: under `iamwatch run` the calls
// reach iamwatch through the preload it puts in NODE_OPTIONS.
//
// Calls on iamwatch-denied-* resources must fail with an access-denied
// error; any other failure is printed as a FAILED line on stderr and makes
// the exit status 1.
import { BedrockRuntimeClient, ConverseCommand, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeLogStreamsCommand, PutRetentionPolicyCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient, PutItemCommand, ScanCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { KMSClient, EncryptCommand, SignCommand } from '@aws-sdk/client-kms';
import { LambdaClient, CreateFunctionCommand, InvokeCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { S3Client, PutObjectCommand, GetObjectCommand, ListObjectsV2Command, DeleteObjectCommand, GetBucketPolicyCommand } from '@aws-sdk/client-s3';
import { SQSClient, SendMessageCommand, ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';

const account = '123456789012';
const region = 'us-east-1';
const bucket = 'e2e-bucket';
const table = 'e2e-table';
const queueUrl = `https://sqs.${region}.amazonaws.com/${account}/e2e-queue`;
const keyArn = `arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const conf = { region, maxAttempts: 2 };

let failed = false;

async function ok(name, client, command) {
  try {
    const out = await client.send(command);
    if (out.Body && typeof out.Body.transformToString === 'function') {
      await out.Body.transformToString();
    }
    return out;
  } catch (err) {
    console.error(`FAILED: ${name}: ${err.name}: ${err.message}`);
    failed = true;
    return undefined;
  }
}

async function denied(name, client, command) {
  try {
    await client.send(command);
  } catch (err) {
    if (/AccessDenied|Forbidden|UnauthorizedOperation/.test(err.name + ' ' + (err.Code || ''))) {
      return;
    }
    console.error(`FAILED: ${name}: want an access-denied error, got ${err.name}: ${err.message}`);
    failed = true;
    return;
  }
  console.error(`FAILED: ${name}: want an access-denied error, got success`);
  failed = true;
}

const s3 = new S3Client(conf);
await ok('s3 PutObject', s3, new PutObjectCommand({ Bucket: bucket, Key: 'js/object.txt', Body: 'hello from the JS SDK v3\n' }));
// 2 MiB: the JS SDK sends Expect: 100-continue from 2 MiB on.
await ok('s3 PutObject 2 MiB', s3, new PutObjectCommand({ Bucket: bucket, Key: 'js/big.bin', Body: Buffer.alloc(2 << 20, 'x') }));
await ok('s3 GetObject', s3, new GetObjectCommand({ Bucket: bucket, Key: 'js/object.txt' }));
await ok('s3 ListObjectsV2', s3, new ListObjectsV2Command({ Bucket: bucket, Prefix: 'js/' }));
await ok('s3 DeleteObject', s3, new DeleteObjectCommand({ Bucket: bucket, Key: 'js/object.txt' }));
await denied('s3 GetBucketPolicy', s3, new GetBucketPolicyCommand({ Bucket: 'iamwatch-denied-bucket' }));

const ddb = new DynamoDBClient(conf);
await ok('dynamodb PutItem', ddb, new PutItemCommand({ TableName: table, Item: { id: { S: 'js' } } }));
await ok('dynamodb Scan', ddb, new ScanCommand({ TableName: table }));
await ok('dynamodb TransactWriteItems', ddb, new TransactWriteItemsCommand({
  TransactItems: [{ Put: { TableName: table, Item: { id: { S: 'js2' } } } }],
}));

const sqs = new SQSClient(conf);
await ok('sqs SendMessage', sqs, new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'hello' }));
await ok('sqs ChangeMessageVisibility', sqs, new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: 'rh', VisibilityTimeout: 10 }));
await denied('sqs SendMessage denied', sqs, new SendMessageCommand({ QueueUrl: `https://sqs.${region}.amazonaws.com/${account}/iamwatch-denied-queue`, MessageBody: 'x' }));

const sts = new STSClient(conf);
await ok('sts GetCallerIdentity', sts, new GetCallerIdentityCommand({}));
await ok('sts AssumeRole', sts, new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/e2e-js-role`, RoleSessionName: 'js' }));

const lambda = new LambdaClient(conf);
await ok('lambda CreateFunction', lambda, new CreateFunctionCommand({
  FunctionName: 'e2e-js-fn', Runtime: 'nodejs20.x', Handler: 'index.handler',
  Role: `arn:aws:iam::${account}:role/e2e-lambda-role`, Code: { ZipFile: Buffer.from('PK\x05\x06' + '\0'.repeat(18), 'binary') },
}));
await ok('lambda UpdateFunctionConfiguration', lambda, new UpdateFunctionConfigurationCommand({
  FunctionName: 'e2e-js-fn', Role: `arn:aws:iam::${account}:role/e2e-lambda-role2`,
}));
await ok('lambda Invoke', lambda, new InvokeCommand({ FunctionName: 'e2e-js-fn', Payload: Buffer.from('{}') }));
await denied('lambda Invoke denied', lambda, new InvokeCommand({ FunctionName: 'iamwatch-denied-fn' }));

const kms = new KMSClient(conf);
await ok('kms Encrypt', kms, new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('x') }));
await ok('kms Sign', kms, new SignCommand({ KeyId: keyArn, Message: Buffer.from('x'), SigningAlgorithm: 'ECDSA_SHA_256' }));

const cw = new CloudWatchClient(conf);
await ok('cloudwatch PutMetricData', cw, new PutMetricDataCommand({ Namespace: 'E2E/JS', MetricData: [{ MetricName: 'Calls', Value: 1 }] }));

const logs = new CloudWatchLogsClient(conf);
await ok('logs DescribeLogStreams', logs, new DescribeLogStreamsCommand({ logGroupName: 'e2e-group' }));
await ok('logs PutRetentionPolicy', logs, new PutRetentionPolicyCommand({ logGroupName: 'e2e-group', retentionInDays: 7 }));

// Bedrock's runtime shares its signing name with the control plane; a
// cross-Region inference profile needs its model in every Region too.
const bedrock = new BedrockRuntimeClient(conf);
await ok('bedrock InvokeModel', bedrock, new InvokeModelCommand({
  modelId: 'us.anthropic.claude-3-5-haiku-20241022-v1:0', contentType: 'application/json', body: Buffer.from('{}'),
}));
await ok('bedrock Converse', bedrock, new ConverseCommand({
  modelId: 'amazon.nova-lite-v1:0', messages: [{ role: 'user', content: [{ text: 'hi' }] }],
}));

process.exit(failed ? 1 : 0);
