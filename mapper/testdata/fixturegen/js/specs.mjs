// The calls gen.mjs makes: one spec per fixture.
// { client, op, input, variant?, note?, region?, config?, presign?: "GET"|"PUT", expires? }

const BUCKET = "example-app-bucket";
const KEY = "reports/2026/01/summary.csv";
const VERSION_ID = "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY";
const UPLOAD_ID = "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA";
const KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ROLE = "arn:aws:iam::123456789012:role/app-role";
const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/orders";
const CSV = "date,region,total\n2026-01-01,us-east-1,42\n2026-01-02,eu-west-1,17\n";
const ORDER_KEY = { pk: { S: "CUSTOMER#42" }, sk: { S: "ORDER#2026-01-15#0001" } };
const start = new Date(Date.UTC(2026, 0, 15, 11, 0, 0));
const end = new Date(Date.UTC(2026, 0, 15, 12, 0, 0));
const enc = (s) => new TextEncoder().encode(s);

export function specs() {
  const s3 = (op, input, variant = "", note = "", extra = {}) => ({ client: "s3", op, input, variant, note, ...extra });
  return [
    s3("ListBuckets", {}),
    s3("ListObjectsV2", { Bucket: BUCKET, Prefix: "reports/2026/", MaxKeys: 50 }, "", "list-type=2"),
    s3("ListObjects", { Bucket: BUCKET, Prefix: "reports/", Delimiter: "/" }),
    s3("HeadObject", { Bucket: BUCKET, Key: KEY }),
    s3("GetObject", { Bucket: BUCKET, Key: KEY }, "", "virtual-hosted"),
    s3("GetObject", { Bucket: BUCKET, Key: KEY, VersionId: VERSION_ID }, "versionId", "virtual-hosted, versionId"),
    s3("GetObject", { Bucket: BUCKET, Key: KEY }, "path-style", "forcePathStyle", { config: { forcePathStyle: true } }),
    s3("GetObject", { Bucket: "arn:aws:s3:us-east-1:123456789012:accesspoint/app-ap", Key: "shared/data.json" },
      "access-point-arn", "access point ARN as Bucket"),
    s3("GetObject", { Bucket: "fast-data--use1-az4--x-s3", Key: "shard/0001.parquet" }, "directory-bucket",
      "s3express directory bucket: zonal endpoint, session token"),
    s3("PutObject", { Bucket: BUCKET, Key: KEY, Body: CSV, ContentType: "text/csv" }, "", "string body"),
    s3("PutObject", { Bucket: BUCKET, Key: "secure/data.bin", Body: "secret-ish", ServerSideEncryption: "aws:kms",
      SSEKMSKeyId: KMS_KEY, Tagging: "classification=confidential", ACL: "bucket-owner-full-control" },
      "sse-kms-tagging-acl", "SSE-KMS, tagging and canned ACL headers"),
    s3("PutObject", { Bucket: "example-locked-bucket", Key: "audit/2026-01-15.log", Body: "audit line\n",
      ObjectLockMode: "GOVERNANCE", ObjectLockRetainUntilDate: new Date(Date.UTC(2027, 0, 1)), ObjectLockLegalHoldStatus: "ON" },
      "object-lock", "object lock headers"),
    s3("CopyObject", { Bucket: "example-backup-bucket", Key: "backup/" + KEY, CopySource: `${BUCKET}/${KEY}?versionId=${VERSION_ID}` },
      "", "x-amz-copy-source with versionId"),
    s3("CreateMultipartUpload", { Bucket: BUCKET, Key: "big/archive.tar" }),
    s3("UploadPart", { Bucket: BUCKET, Key: "big/archive.tar", UploadId: UPLOAD_ID, PartNumber: 1, Body: "part-one ".repeat(64) }),
    s3("UploadPartCopy", { Bucket: BUCKET, Key: "big/archive.tar", UploadId: UPLOAD_ID, PartNumber: 2,
      CopySource: "example-source-bucket/big/part2.bin", CopySourceRange: "bytes=0-5242879" }),
    s3("CompleteMultipartUpload", { Bucket: BUCKET, Key: "big/archive.tar", UploadId: UPLOAD_ID,
      MultipartUpload: { Parts: [{ ETag: '"7778aef83f66abc1fa1e8477f296d394"', PartNumber: 1 }] } }),
    s3("DeleteObjects", { Bucket: BUCKET, Delete: { Objects: [{ Key: "tmp/a.txt" }, { Key: "tmp/b.txt" }] } }),
    s3("PutBucketPolicy", { Bucket: BUCKET, Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow",
      Principal: { AWS: ROLE }, Action: "s3:GetObject", Resource: "arn:aws:s3:::example-app-bucket/*" }] }) }),
    s3("GetBucketAcl", { Bucket: BUCKET }),
    s3("PutBucketTagging", { Bucket: BUCKET, Tagging: { TagSet: [{ Key: "team", Value: "platform" }] } }),
    s3("GetObject", { Bucket: BUCKET, Key: KEY }, "presigned", "getSignedUrl, no Authorization header", { presign: "GET" }),
    s3("PutObject", { Bucket: BUCKET, Key: "uploads/incoming.json" }, "presigned", "getSignedUrl for PUT", { presign: "PUT", expires: 3600 }),
    s3("ListObjectsV2", { Bucket: "example-eu-bucket" }, "eu-west-1", "", { region: "eu-west-1" }),

    { client: "dynamodb", op: "GetItem", input: { TableName: "orders", Key: ORDER_KEY, ConsistentRead: true } },
    { client: "dynamodb", op: "PutItem", input: { TableName: "orders", Item: { pk: { S: "CUSTOMER#42" }, sk: { S: "ORDER#2" } } } },
    { client: "dynamodb", op: "Query", input: { TableName: "orders", KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": { S: "CUSTOMER#42" } } } },
    { client: "dynamodb", op: "BatchWriteItem", input: { RequestItems: {
      orders: [{ PutRequest: { Item: { pk: { S: "CUSTOMER#7" }, sk: { S: "ORDER#1" } } } }],
      "order-audit": [{ DeleteRequest: { Key: { id: { S: "a-1" } } } }] } } },
    { client: "dynamodb", op: "TransactWriteItems", input: { TransactItems: [
      { Put: { TableName: "orders", Item: { pk: { S: "CUSTOMER#42" }, sk: { S: "ORDER#3" } } } },
      { ConditionCheck: { TableName: "customers", Key: { id: { S: "42" } }, ConditionExpression: "attribute_exists(id)" } }] } },
    { client: "dynamodb", op: "ExecuteStatement", input: { Statement: 'SELECT * FROM "orders" WHERE pk = ?',
      Parameters: [{ S: "CUSTOMER#42" }] }, note: "PartiQL" },
    { client: "dynamodb", op: "GetItem", variant: "account-endpoint", note: "credentials carry an account ID: account-based endpoint",
      input: { TableName: "orders", Key: ORDER_KEY },
      config: { credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", accountId: "123456789012" } } },

    { client: "sqs", op: "SendMessage", input: { QueueUrl: QUEUE_URL, MessageBody: '{"orderId":"o-123"}' } },
    { client: "sqs", op: "ReceiveMessage", input: { QueueUrl: QUEUE_URL, MaxNumberOfMessages: 10 } },
    { client: "sqs", op: "CreateQueue", input: { QueueName: "orders.fifo", Attributes: { FifoQueue: "true" } } },

    { client: "cloudwatch", op: "PutMetricData", input: { Namespace: "App/Orders", MetricData: [
      { MetricName: "OrdersCreated", Value: 3, Unit: "Count", Timestamp: start, Dimensions: [{ Name: "Env", Value: "prod" }] }] } },
    { client: "cloudwatch", op: "GetMetricData", input: { StartTime: start, EndTime: end, MetricDataQueries: [{ Id: "m1",
      MetricStat: { Metric: { Namespace: "AWS/EC2", MetricName: "CPUUtilization" }, Period: 300, Stat: "Average" } }] } },
    { client: "cloudwatch", op: "DescribeAlarms", input: { AlarmNamePrefix: "orders-" } },

    { client: "sts", op: "GetCallerIdentity", input: {} },
    { client: "sts", op: "AssumeRole", input: { RoleArn: "arn:aws:iam::210987654321:role/cross-account-reader",
      RoleSessionName: "iamwatch-fixture", Tags: [{ Key: "project", Value: "atlas" }] } },

    { client: "lambda", op: "CreateFunction", note: "Role and Layers", input: { FunctionName: "order-processor", Role: ROLE,
      Runtime: "nodejs20.x", Handler: "index.handler", Code: { S3Bucket: "example-artifacts", S3Key: "lambda/order-processor.zip" },
      Layers: ["arn:aws:lambda:us-east-1:123456789012:layer:shared-libs:7"] } },
    { client: "lambda", op: "Invoke", input: { FunctionName: "order-processor", Payload: enc('{"orderId":"o-123"}') } },
    { client: "lambda", op: "Invoke", variant: "async-qualifier", input: { FunctionName: "order-processor", Qualifier: "live",
      InvocationType: "Event", Payload: enc("{}") } },

    { client: "sns", op: "Publish", input: { TopicArn: "arn:aws:sns:us-east-1:123456789012:order-events", Message: "hello" } },
    { client: "sns", op: "CreateTopic", input: { Name: "order-events", Tags: [{ Key: "team", Value: "orders" }] } },

    { client: "kms", op: "Encrypt", input: { KeyId: "alias/app-key", Plaintext: enc("hello") } },
    { client: "kms", op: "Decrypt", input: { CiphertextBlob: enc("fake-ciphertext"), KeyId: KMS_KEY } },

    { client: "iam", op: "CreateRole", input: { RoleName: "app-role", AssumeRolePolicyDocument:
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
      Tags: [{ Key: "team", Value: "platform" }] } },
    { client: "iam", op: "AttachRolePolicy", input: { RoleName: "app-role", PolicyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" } },

    { client: "ec2", op: "RunInstances", note: "TagSpecifications and IamInstanceProfile", input: { ImageId: "ami-0abcdef1234567890",
      InstanceType: "t3.micro", MinCount: 1, MaxCount: 1, IamInstanceProfile: { Name: "app-profile" },
      TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: "orders-web-1" }] }] } },
    { client: "ec2", op: "DescribeInstances", input: { Filters: [{ Name: "tag:team", Values: ["orders"] }] } },
    { client: "ec2", op: "CreateTags", input: { Resources: ["i-0123456789abcdef0"], Tags: [{ Key: "owner", Value: "alice" }] } },

    { client: "secrets-manager", op: "GetSecretValue", input: { SecretId: "prod/orders/db" } },
    { client: "cloudwatch-logs", op: "PutLogEvents", input: { logGroupName: "/app/orders", logStreamName: "web-1",
      logEvents: [{ timestamp: 1768474800000, message: "order created" }] } },
  ];
}
