"""The calls gen.py makes: one Spec per fixture.

Operations unknown to the running botocore are skipped (and reported).
"""

BUCKET = "example-app-bucket"
KEY = "reports/2026/01/summary.csv"
VERSION_ID = "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"
UPLOAD_ID = "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA"
KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
AP_ARN = "arn:aws:s3:us-east-1:123456789012:accesspoint/app-ap"
EXPRESS_BUCKET = "fast-data--use1-az4--x-s3"
ROLE = "arn:aws:iam::123456789012:role/app-role"
QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/orders"
TOPIC = "arn:aws:sns:us-east-1:123456789012:order-events"
LOCALSTACK = "http://localhost:4566"
CSV = b"date,region,total\n2026-01-01,us-east-1,42\n2026-01-02,eu-west-1,17\n"
TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
ORDER_KEY = {"pk": {"S": "CUSTOMER#42"}, "sk": {"S": "ORDER#2026-01-15#0001"}}


def specs(Spec, Config):
    import datetime

    lock_until = datetime.datetime(2027, 1, 1, tzinfo=datetime.timezone.utc)
    start = datetime.datetime(2026, 1, 15, 11, 0, tzinfo=datetime.timezone.utc)
    end = datetime.datetime(2026, 1, 15, 12, 0, tzinfo=datetime.timezone.utc)
    path_style = Config(s3={"addressing_style": "path"})
    sigv2 = Config(signature_version="s3")
    sigv4 = Config(signature_version="s3v4")

    def s3(op, params=None, variant="", note="", **kw):
        return Spec("s3", op, params, variant, note, **kw)

    out = [
        # --- S3 ---------------------------------------------------------------
        s3("ListBuckets"),
        s3("ListObjects", {"Bucket": BUCKET, "Prefix": "reports/", "Delimiter": "/"}, note="prefix and delimiter"),
        s3("ListObjects", {"Bucket": BUCKET, "Marker": "reports/2025/"}, "path-style", "addressing_style=path", config=path_style),
        s3("ListObjectsV2", {"Bucket": BUCKET, "Prefix": "reports/2026/", "MaxKeys": 50}, note="list-type=2"),
        s3("ListObjectsV2", {"Bucket": "logs.example.com"}, "dotted-bucket", "bucket name with dots"),
        s3("ListObjectsV2", {"Bucket": AP_ARN, "Prefix": "shared/"}, "access-point-arn", "access point ARN as Bucket"),
        s3("HeadBucket", {"Bucket": BUCKET}),
        s3("HeadObject", {"Bucket": BUCKET, "Key": KEY}),
        s3("HeadObject", {"Bucket": BUCKET, "Key": KEY, "VersionId": VERSION_ID}, "versionId"),
        s3("GetObject", {"Bucket": BUCKET, "Key": KEY}, note="virtual-hosted"),
        s3("GetObject", {"Bucket": BUCKET, "Key": KEY, "VersionId": VERSION_ID}, "versionId", "virtual-hosted, versionId"),
        s3("GetObject", {"Bucket": BUCKET, "Key": KEY, "Range": "bytes=0-1023", "ResponseContentType": "text/plain"}, "range",
           "Range header and response overrides"),
        s3("GetObject", {"Bucket": BUCKET, "Key": KEY}, "path-style", "addressing_style=path", config=path_style),
        s3("GetObject", {"Bucket": BUCKET, "Key": "my folder//naïve résumé+v1~final (1).pdf"}, "special-key",
           "key with spaces, unicode, plus, tilde and consecutive slashes"),
        s3("GetObject", {"Bucket": AP_ARN, "Key": "shared/data.json"}, "access-point-arn", "access point ARN as Bucket"),
        s3("GetObject", {"Bucket": "arn:aws:s3-object-lambda:us-east-1:123456789012:accesspoint/redact-olap", "Key": "customers.csv"},
           "object-lambda-arn", "S3 Object Lambda access point ARN as Bucket"),
        s3("GetObject", {"Bucket": BUCKET, "Key": KEY}, "accelerate", "use_accelerate_endpoint",
           config=Config(s3={"use_accelerate_endpoint": True})),
        s3("GetObject", {"Bucket": BUCKET, "Key": KEY}, "dualstack", "use_dualstack_endpoint",
           config=Config(s3={"use_dualstack_endpoint": True})),
        s3("GetObject", {"Bucket": BUCKET, "Key": KEY}, "sigv2", "signature_version=s3 (SigV2 header auth)", config=sigv2),
        s3("PutObject", {"Bucket": BUCKET, "Key": KEY, "Body": CSV, "ContentType": "text/csv"}, note="bytes body"),
        s3("PutObject", {"Bucket": BUCKET, "Key": "public/index.html", "Body": b"<html></html>", "ACL": "bucket-owner-full-control"},
           "acl", "canned ACL"),
        s3("PutObject", {"Bucket": BUCKET, "Key": "shared/report.pdf", "Body": b"%PDF-1.4",
                         "GrantRead": 'uri="http://acs.amazonaws.com/groups/global/AllUsers"',
                         "GrantFullControl": 'id="79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"'},
           "grants", "grant headers"),
        s3("PutObject", {"Bucket": BUCKET, "Key": KEY, "Body": CSV, "Tagging": "project=atlas&classification=internal"}, "tagging"),
        s3("PutObject", {"Bucket": "example-locked-bucket", "Key": "audit/2026-01-15.log", "Body": b"audit line\n",
                         "ObjectLockMode": "GOVERNANCE", "ObjectLockRetainUntilDate": lock_until, "ObjectLockLegalHoldStatus": "ON"},
           "object-lock", "object lock mode, retain-until date and legal hold"),
        s3("PutObject", {"Bucket": BUCKET, "Key": "secure/data.bin", "Body": b"secret-ish", "ServerSideEncryption": "aws:kms",
                         "SSEKMSKeyId": KMS_KEY, "SSEKMSEncryptionContext": "eyJhcHAiOiJleGFtcGxlIn0=", "BucketKeyEnabled": True},
           "sse-kms", "SSE-KMS with key id, encryption context and bucket key"),
        s3("PutObject", {"Bucket": BUCKET, "Key": "assets/logo.png", "Body": b"\x89PNG\r\n", "Metadata": {"uploaded-by": "ci"},
                         "StorageClass": "STANDARD_IA", "CacheControl": "max-age=3600"}, "metadata"),
        s3("PutObject", {"Bucket": BUCKET, "Key": "stream/upload.txt", "Body": _FileLike(CSV)}, "file-body",
           "file-like body (as upload_fileobj/put_object with a file)"),
        s3("PutObject", {"Bucket": BUCKET, "Key": KEY, "Body": CSV}, "path-style", "addressing_style=path", config=path_style),
        s3("CopyObject", {"Bucket": "example-backup-bucket", "Key": "backup/" + KEY, "CopySource": {"Bucket": BUCKET, "Key": KEY}},
           note="x-amz-copy-source"),
        s3("CopyObject", {"Bucket": "example-backup-bucket", "Key": "backup/summary.csv",
                          "CopySource": {"Bucket": BUCKET, "Key": KEY, "VersionId": VERSION_ID},
                          "TaggingDirective": "REPLACE", "Tagging": "retention=long", "ServerSideEncryption": "aws:kms", "SSEKMSKeyId": KMS_KEY},
           "versionId-tagging", "copy source with versionId, tagging directive, SSE-KMS"),
        s3("CreateMultipartUpload", {"Bucket": BUCKET, "Key": "big/archive.tar", "ContentType": "application/x-tar"}),
        s3("UploadPart", {"Bucket": BUCKET, "Key": "big/archive.tar", "UploadId": UPLOAD_ID, "PartNumber": 1, "Body": b"part-one " * 64}),
        s3("UploadPartCopy", {"Bucket": BUCKET, "Key": "big/archive.tar", "UploadId": UPLOAD_ID, "PartNumber": 2,
                              "CopySource": "example-source-bucket/big/part2.bin", "CopySourceRange": "bytes=0-5242879"}),
        s3("CompleteMultipartUpload", {"Bucket": BUCKET, "Key": "big/archive.tar", "UploadId": UPLOAD_ID,
                                       "MultipartUpload": {"Parts": [{"ETag": '"7778aef83f66abc1fa1e8477f296d394"', "PartNumber": 1}]}}),
        s3("AbortMultipartUpload", {"Bucket": BUCKET, "Key": "big/archive.tar", "UploadId": UPLOAD_ID}),
        s3("ListMultipartUploads", {"Bucket": BUCKET}),
        s3("ListParts", {"Bucket": BUCKET, "Key": "big/archive.tar", "UploadId": UPLOAD_ID}),
        s3("DeleteObject", {"Bucket": BUCKET, "Key": KEY}),
        s3("DeleteObject", {"Bucket": BUCKET, "Key": KEY, "VersionId": VERSION_ID, "BypassGovernanceRetention": True}, "versionId"),
        s3("DeleteObjects", {"Bucket": BUCKET, "Delete": {"Objects": [{"Key": "tmp/a.txt"}, {"Key": "tmp/b.txt", "VersionId": VERSION_ID}],
                                                         "Quiet": True}}),
        s3("GetBucketPolicy", {"Bucket": BUCKET}),
        s3("PutBucketPolicy", {"Bucket": BUCKET, "Policy": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"'
                               + ROLE + '"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::example-app-bucket/*"}]}'}),
        s3("GetBucketAcl", {"Bucket": BUCKET}),
        s3("PutBucketAcl", {"Bucket": BUCKET, "ACL": "private"}),
        s3("GetObjectAcl", {"Bucket": BUCKET, "Key": KEY}),
        s3("GetBucketLocation", {"Bucket": BUCKET}),
        s3("CreateBucket", {"Bucket": "example-new-bucket", "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"}},
           note="location constraint"),
        s3("PutBucketTagging", {"Bucket": BUCKET, "Tagging": {"TagSet": [{"Key": "team", "Value": "platform"}]}}),
        s3("GetObjectTagging", {"Bucket": BUCKET, "Key": KEY}),
        s3("GetBucketLifecycleConfiguration", {"Bucket": BUCKET}),
        s3("PutBucketLifecycleConfiguration", {"Bucket": BUCKET, "LifecycleConfiguration": {"Rules": [
            {"ID": "expire-tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 7}}]}}),
        s3("GetBucketNotificationConfiguration", {"Bucket": BUCKET}),
        s3("PutBucketNotificationConfiguration", {"Bucket": BUCKET, "NotificationConfiguration": {"LambdaFunctionConfigurations": [
            {"LambdaFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:thumbnailer", "Events": ["s3:ObjectCreated:*"]}]}}),
        s3("ListObjectVersions", {"Bucket": BUCKET, "Prefix": "reports/"}),
        s3("PutBucketVersioning", {"Bucket": BUCKET, "VersioningConfiguration": {"Status": "Enabled"}}),
        s3("PutObjectRetention", {"Bucket": "example-locked-bucket", "Key": "audit/2026-01-15.log",
                                  "Retention": {"Mode": "COMPLIANCE", "RetainUntilDate": lock_until}}),
        s3("SelectObjectContent", {"Bucket": BUCKET, "Key": KEY, "Expression": "SELECT s.region FROM S3Object s",
                                   "ExpressionType": "SQL", "InputSerialization": {"CSV": {"FileHeaderInfo": "USE"}},
                                   "OutputSerialization": {"JSON": {}}}),
        s3("ListDirectoryBuckets", {}, note="s3express-control endpoint"),
        s3("GetObject", {"Bucket": EXPRESS_BUCKET, "Key": "shard/0001.parquet"}, "directory-bucket",
           "s3express directory bucket: zonal endpoint, session token"),
        s3("PutObject", {"Bucket": EXPRESS_BUCKET, "Key": "shard/0002.parquet", "Body": b"PAR1"}, "directory-bucket",
           "s3express directory bucket"),
        # Presigned URLs.
        s3("GetObject", {"Bucket": BUCKET, "Key": KEY}, "presigned-default", "generate_presigned_url with the default signature version",
           presign=True),
        s3("GetObject", {"Bucket": BUCKET, "Key": KEY}, "presigned-sigv2", "generate_presigned_url, signature_version=s3 (SigV2 query auth)",
           config=sigv2, presign=True),
        s3("GetObject", {"Bucket": BUCKET, "Key": KEY, "VersionId": VERSION_ID}, "presigned-sigv4",
           "generate_presigned_url, signature_version=s3v4, versionId", config=sigv4, presign=True, expires=3600),
        s3("PutObject", {"Bucket": BUCKET, "Key": "uploads/incoming.json", "ContentType": "application/json"}, "presigned-sigv4",
           "presigned PUT, signature_version=s3v4", config=sigv4, presign=True, http_method="PUT"),
        s3("PutObject", {"Bucket": BUCKET, "Key": "uploads/incoming.json"}, "presigned-sigv2", "presigned PUT, SigV2",
           config=sigv2, presign=True, http_method="PUT"),
        s3("GetObject", {"Bucket": "example-eu-bucket", "Key": KEY}, "presigned-eu-west-1", "presigned URL in eu-west-1",
           region="eu-west-1", presign=True),
        # Regions, partitions, custom endpoints.
        s3("ListObjectsV2", {"Bucket": "example-eu-bucket"}, "eu-west-1", region="eu-west-1"),
        s3("GetObject", {"Bucket": "example-cn-bucket", "Key": KEY}, "cn-north-1", "aws-cn partition", region="cn-north-1"),
        s3("PutObject", {"Bucket": "example-gov-bucket", "Key": KEY, "Body": CSV}, "us-gov-west-1", "aws-us-gov partition",
           region="us-gov-west-1"),
        s3("ListBuckets", {}, "localstack", "custom endpoint_url (LocalStack)", endpoint_url=LOCALSTACK),
        s3("PutObject", {"Bucket": BUCKET, "Key": KEY, "Body": CSV}, "localstack", "custom endpoint_url (LocalStack)",
           endpoint_url=LOCALSTACK),
        s3("GetObject", {"Bucket": BUCKET, "Key": KEY}, "localstack", "custom endpoint_url (LocalStack)", endpoint_url=LOCALSTACK),
        s3("GetObject", {"Bucket": BUCKET, "Key": KEY}, "localstack-presigned", "presigned against custom endpoint_url",
           endpoint_url=LOCALSTACK, config=sigv4, presign=True),
        Spec("s3control", "ListAccessPoints", {"AccountId": "123456789012", "Bucket": BUCKET}, note="{AccountId}. host prefix"),
        Spec("s3control", "GetPublicAccessBlock", {"AccountId": "123456789012"}),
        Spec("s3control", "PutPublicAccessBlock", {"AccountId": "123456789012", "PublicAccessBlockConfiguration": {
            "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True}}),

        # --- rest-xml / rest-json ------------------------------------------------
        Spec("route53", "ListHostedZones", {"MaxItems": "50"}),
        Spec("route53", "ChangeResourceRecordSets", {"HostedZoneId": "/hostedzone/Z0123456789ABCDEFGHIJ", "ChangeBatch": {"Changes": [
            {"Action": "UPSERT", "ResourceRecordSet": {"Name": "api.example.com.", "Type": "A", "TTL": 300,
                                                        "ResourceRecords": [{"Value": "192.0.2.10"}]}}]}}),
        Spec("route53", "GetHostedZone", {"Id": "Z0123456789ABCDEFGHIJ"}),
        Spec("cloudfront", "ListDistributions", {}),
        Spec("cloudfront", "CreateInvalidation", {"DistributionId": "E2QWRUHEXAMPLE", "InvalidationBatch": {
            "CallerReference": "deploy-1234", "Paths": {"Quantity": 1, "Items": ["/index.html"]}}}),
        Spec("cloudfront", "GetDistribution", {"Id": "E2QWRUHEXAMPLE"}),
        Spec("lambda", "CreateFunction", {"FunctionName": "order-processor", "Role": ROLE, "Runtime": "python3.12", "Handler": "app.handler",
                                          "Code": {"S3Bucket": "example-artifacts", "S3Key": "lambda/order-processor.zip"},
                                          "Layers": ["arn:aws:lambda:us-east-1:123456789012:layer:shared-libs:7"],
                                          "Tags": {"team": "orders"}}, note="Role and Layers"),
        Spec("lambda", "Invoke", {"FunctionName": "order-processor", "Payload": b'{"orderId":"o-123"}'}),
        Spec("lambda", "Invoke", {"FunctionName": "order-processor", "Qualifier": "live", "InvocationType": "Event",
                                  "Payload": b"{}"}, "async-qualifier"),
        Spec("lambda", "GetFunction", {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:order-processor"}, "arn"),
        Spec("lambda", "ListFunctions", {}),
        Spec("lambda", "AddPermission", {"FunctionName": "order-processor", "StatementId": "s3-invoke", "Action": "lambda:InvokeFunction",
                                         "Principal": "s3.amazonaws.com", "SourceArn": "arn:aws:s3:::example-app-bucket"}),
        Spec("lambda", "Invoke", {"FunctionName": "order-processor", "Payload": b"{}"}, "localstack", "custom endpoint_url (LocalStack)",
             endpoint_url=LOCALSTACK),
        Spec("apigateway", "GetRestApis", {"limit": 25}),
        Spec("apigateway", "CreateDeployment", {"restApiId": "a1b2c3d4e5", "stageName": "prod"}),
        Spec("apigatewayv2", "GetApis", {}),
        Spec("eks", "DescribeCluster", {"name": "prod"}),
        Spec("eks", "CreateCluster", {"name": "prod", "roleArn": "arn:aws:iam::123456789012:role/eks-cluster-role",
                                      "resourcesVpcConfig": {"subnetIds": ["subnet-0a1b2c3d4e5f60718"]}}, note="roleArn"),
        Spec("eks", "ListClusters", {}),
        Spec("batch", "SubmitJob", {"jobName": "nightly-report", "jobQueue": "default", "jobDefinition": "report:3"}),
        Spec("sesv2", "SendEmail", {"FromEmailAddress": "noreply@example.com", "Destination": {"ToAddresses": ["alice@example.org"]},
                                    "Content": {"Simple": {"Subject": {"Data": "Your order"}, "Body": {"Text": {"Data": "Thanks!"}}}}}),
        Spec("sesv2", "CreateEmailIdentity", {"EmailIdentity": "example.com"}),
        Spec("iot-data", "Publish", {"topic": "devices/42/telemetry", "qos": 1, "payload": b'{"temp":21.5}'},
             note="data-ats IoT endpoint"),

        # --- json ---------------------------------------------------------------
        Spec("dynamodb", "GetItem", {"TableName": "orders", "Key": ORDER_KEY, "ConsistentRead": True}),
        Spec("dynamodb", "PutItem", {"TableName": "orders", "Item": {"pk": {"S": "CUSTOMER#42"}, "sk": {"S": "ORDER#2"},
                                                                   "total": {"N": "99.95"}}, "ConditionExpression": "attribute_not_exists(pk)"}),
        Spec("dynamodb", "UpdateItem", {"TableName": "orders", "Key": ORDER_KEY, "UpdateExpression": "SET #s = :s",
                                        "ExpressionAttributeNames": {"#s": "status"},
                                        "ExpressionAttributeValues": {":s": {"S": "SHIPPED"}}}),
        Spec("dynamodb", "DeleteItem", {"TableName": "orders", "Key": ORDER_KEY}),
        Spec("dynamodb", "Query", {"TableName": "orders", "IndexName": "by-status", "KeyConditionExpression": "#s = :s",
                                   "ExpressionAttributeNames": {"#s": "status"}, "ExpressionAttributeValues": {":s": {"S": "PENDING"}}}),
        Spec("dynamodb", "Scan", {"TableName": "orders"}),
        Spec("dynamodb", "BatchGetItem", {"RequestItems": {"orders": {"Keys": [ORDER_KEY]}, "customers": {"Keys": [{"id": {"S": "42"}}]}}}),
        Spec("dynamodb", "BatchWriteItem", {"RequestItems": {
            "orders": [{"PutRequest": {"Item": {"pk": {"S": "CUSTOMER#7"}, "sk": {"S": "ORDER#1"}}}}],
            "order-audit": [{"DeleteRequest": {"Key": {"id": {"S": "a-1"}}}}]}}),
        Spec("dynamodb", "TransactWriteItems", {"TransactItems": [
            {"Put": {"TableName": "orders", "Item": {"pk": {"S": "CUSTOMER#42"}, "sk": {"S": "ORDER#3"}}}},
            {"Update": {"TableName": "inventory", "Key": {"sku": {"S": "sku-1"}}, "UpdateExpression": "SET qty = qty - :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            {"ConditionCheck": {"TableName": "customers", "Key": {"id": {"S": "42"}}, "ConditionExpression": "attribute_exists(id)"}}]}),
        Spec("dynamodb", "ExecuteStatement", {"Statement": 'SELECT * FROM "orders" WHERE pk = ?', "Parameters": [{"S": "CUSTOMER#42"}]},
             note="PartiQL"),
        Spec("dynamodb", "CreateTable", {"TableName": "orders", "BillingMode": "PAY_PER_REQUEST",
                                         "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                                         "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}),
        Spec("dynamodb", "ListTables", {}),
        Spec("dynamodb", "GetItem", {"TableName": "orders", "Key": ORDER_KEY}, "localstack", "custom endpoint_url (LocalStack)",
             endpoint_url=LOCALSTACK),
        Spec("dynamodb", "PutItem", {"TableName": "sessions", "Item": {"id": {"S": "sess-1"}}}, "eu-west-1", region="eu-west-1"),
        Spec("kms", "Encrypt", {"KeyId": "alias/app-key", "Plaintext": b"hello", "EncryptionContext": {"app": "orders"}}),
        Spec("kms", "Decrypt", {"CiphertextBlob": b"\x01\x02\x03fake-ciphertext", "KeyId": KMS_KEY}),
        Spec("kms", "GenerateDataKey", {"KeyId": KMS_KEY, "KeySpec": "AES_256"}),
        Spec("kms", "DescribeKey", {"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"}),
        Spec("secretsmanager", "GetSecretValue", {"SecretId": "prod/orders/db"}),
        Spec("secretsmanager", "CreateSecret", {"Name": "prod/orders/api-key", "SecretString": '{"key":"not-a-real-secret"}',
                                                "KmsKeyId": KMS_KEY}),
        Spec("secretsmanager", "GetSecretValue", {"SecretId": "prod/orders/db"}, "localstack", "custom endpoint_url (LocalStack)",
             endpoint_url=LOCALSTACK),
        Spec("ssm", "GetParameter", {"Name": "/orders/prod/db-host", "WithDecryption": True}),
        Spec("ssm", "PutParameter", {"Name": "/orders/prod/db-password", "Value": "fake-password", "Type": "SecureString",
                                     "KeyId": "alias/app-key", "Overwrite": True}),
        Spec("ssm", "GetParametersByPath", {"Path": "/orders/prod/", "Recursive": True}),
        Spec("ssm", "SendCommand", {"DocumentName": "AWS-RunShellScript", "InstanceIds": ["i-0123456789abcdef0"],
                                    "Parameters": {"commands": ["uptime"]}}),
        Spec("logs", "CreateLogGroup", {"logGroupName": "/app/orders"}),
        Spec("logs", "PutLogEvents", {"logGroupName": "/app/orders", "logStreamName": "web-1",
                                      "logEvents": [{"timestamp": 1768474800000, "message": "order created"}]}),
        Spec("logs", "FilterLogEvents", {"logGroupName": "/app/orders", "filterPattern": "ERROR"}),
        Spec("logs", "DescribeLogGroups", {"logGroupNamePrefix": "/app/"}),
        Spec("ecs", "RunTask", {"cluster": "prod", "taskDefinition": "orders-web:12", "launchType": "FARGATE",
                                "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-0a1b2c3d4e5f60718"]}},
                                "overrides": {"taskRoleArn": "arn:aws:iam::123456789012:role/orders-migrate"}}),
        Spec("ecs", "RegisterTaskDefinition", {"family": "orders-web", "taskRoleArn": ROLE,
                                               "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
                                               "containerDefinitions": [{"name": "web", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/orders:1.4.2"}]},
             note="taskRoleArn and executionRoleArn"),
        Spec("ecs", "ListClusters", {}),
        Spec("kinesis", "PutRecord", {"StreamName": "clickstream", "PartitionKey": "user-42", "Data": b'{"page":"/"}'}),
        Spec("kinesis", "PutRecord", {"StreamARN": "arn:aws:kinesis:us-east-1:123456789012:stream/clickstream", "PartitionKey": "user-42",
                                      "Data": b'{"page":"/cart"}'}, "stream-arn", "StreamARN"),
        Spec("kinesis", "DescribeStream", {"StreamName": "clickstream"}),
        Spec("stepfunctions", "StartExecution", {"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:order-flow",
                                                 "input": '{"orderId":"o-123"}'}),
        Spec("stepfunctions", "StartSyncExecution", {"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:express-quote",
                                                     "input": "{}"}, note="sync-states. host prefix"),
        Spec("stepfunctions", "CreateStateMachine", {"name": "order-flow", "roleArn": "arn:aws:iam::123456789012:role/sfn-order-flow",
                                                     "definition": '{"StartAt":"Done","States":{"Done":{"Type":"Succeed"}}}'}),
        Spec("sqs", "SendMessage", {"QueueUrl": QUEUE_URL, "MessageBody": '{"orderId":"o-123"}',
                                    "MessageAttributes": {"source": {"DataType": "String", "StringValue": "web"}}}),
        Spec("sqs", "ReceiveMessage", {"QueueUrl": QUEUE_URL, "MaxNumberOfMessages": 10}),
        Spec("sqs", "DeleteMessage", {"QueueUrl": QUEUE_URL, "ReceiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a=="}),
        Spec("sqs", "CreateQueue", {"QueueName": "orders.fifo", "Attributes": {"FifoQueue": "true"}, "tags": {"team": "orders"}}),
        Spec("sqs", "GetQueueUrl", {"QueueName": "orders"}),
        Spec("sqs", "SendMessageBatch", {"QueueUrl": QUEUE_URL, "Entries": [{"Id": "1", "MessageBody": "a"}, {"Id": "2", "MessageBody": "b"}]}),
        Spec("sqs", "SendMessage", {"QueueUrl": "http://localhost:4566/000000000000/orders", "MessageBody": "hi"}, "localstack",
             "custom endpoint_url (LocalStack)", endpoint_url=LOCALSTACK),
        Spec("sqs", "SendMessage", {"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/123456789012/eu-orders", "MessageBody": "hi"},
             "eu-west-1", region="eu-west-1"),
        Spec("ecr", "GetAuthorizationToken", {}),
        Spec("ecr", "DescribeRepositories", {"repositoryNames": ["orders"]}),
        Spec("ecr-public", "GetAuthorizationToken", {}),
        Spec("events", "PutEvents", {"Entries": [{"Source": "app.orders", "DetailType": "OrderCreated", "Detail": '{"orderId":"o-123"}',
                                                  "EventBusName": "orders-bus"}]}),
        Spec("events", "PutRule", {"Name": "nightly", "ScheduleExpression": "cron(0 3 * * ? *)"}),
        Spec("cloudtrail", "LookupEvents", {"StartTime": start, "EndTime": end}),
        Spec("cloudtrail", "DescribeTrails", {}),
        Spec("glue", "GetTable", {"DatabaseName": "analytics", "Name": "events"}),
        Spec("glue", "StartJobRun", {"JobName": "nightly-etl", "Arguments": {"--day": "2026-01-15"}}),
        Spec("athena", "StartQueryExecution", {"QueryString": "SELECT 1", "WorkGroup": "primary",
                                               "ResultConfiguration": {"OutputLocation": "s3://example-athena-results/"}}),
        # CloudWatch is json/query in old botocore and rpc-v2-cbor in new; the
        # same goes for the other CBOR services below.
        Spec("cloudwatch", "PutMetricData", {"Namespace": "App/Orders", "MetricData": [
            {"MetricName": "OrdersCreated", "Value": 3.0, "Unit": "Count", "Timestamp": start,
             "Dimensions": [{"Name": "Env", "Value": "prod"}]}]}),
        Spec("cloudwatch", "GetMetricData", {"StartTime": start, "EndTime": end, "MetricDataQueries": [
            {"Id": "m1", "MetricStat": {"Metric": {"Namespace": "AWS/EC2", "MetricName": "CPUUtilization",
                                                   "Dimensions": [{"Name": "InstanceId", "Value": "i-0123456789abcdef0"}]},
                                        "Period": 300, "Stat": "Average"}}]}),
        Spec("cloudwatch", "DescribeAlarms", {"AlarmNamePrefix": "orders-"}),
        Spec("cloudwatch", "PutMetricAlarm", {"AlarmName": "orders-errors", "Namespace": "App/Orders", "MetricName": "Errors",
                                              "Statistic": "Sum", "Period": 60, "EvaluationPeriods": 1, "Threshold": 5.0,
                                              "ComparisonOperator": "GreaterThanThreshold",
                                              "AlarmActions": ["arn:aws:sns:us-east-1:123456789012:alerts"]}),
        Spec("cloudwatch", "ListMetrics", {"Namespace": "AWS/Lambda"}),
        Spec("cloudwatch", "PutMetricData", {"Namespace": "App/Orders", "MetricData": [{"MetricName": "Hits", "Value": 1.0}]},
             "localstack", "custom endpoint_url (LocalStack)", endpoint_url=LOCALSTACK),
        Spec("gamelift", "ListFleets", {"Limit": 10}),
        Spec("gamelift", "DescribeFleetAttributes", {"FleetIds": ["fleet-2222bbbb-33cc-44dd-55ee-6666ffff77aa"]}),
        Spec("compute-optimizer", "GetEC2InstanceRecommendations",
             {"instanceArns": ["arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"]}),
        Spec("arc-region-switch", "ListPlans", {}),

        # --- query --------------------------------------------------------------
        Spec("sts", "GetCallerIdentity", {}),
        Spec("sts", "AssumeRole", {"RoleArn": "arn:aws:iam::210987654321:role/cross-account-reader", "RoleSessionName": "iamwatch-fixture",
                                   "ExternalId": "ext-1234", "DurationSeconds": 3600,
                                   "Tags": [{"Key": "project", "Value": "atlas"}]}),
        Spec("sts", "AssumeRoleWithWebIdentity", {"RoleArn": "arn:aws:iam::123456789012:role/github-actions", "RoleSessionName": "gha-run-1",
                                                  "WebIdentityToken": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmV4YW1wbGUifQ.ZmFrZQ"},
             note="unsigned operation"),
        Spec("sts", "GetSessionToken", {"DurationSeconds": 900}),
        Spec("sts", "GetCallerIdentity", {}, "eu-west-1", region="eu-west-1"),
        Spec("sts", "GetCallerIdentity", {}, "cn-north-1", "aws-cn partition", region="cn-north-1"),
        Spec("sts", "GetCallerIdentity", {}, "us-gov-west-1", "aws-us-gov partition", region="us-gov-west-1"),
        Spec("sts", "GetCallerIdentity", {}, "localstack", "custom endpoint_url (LocalStack)", endpoint_url=LOCALSTACK),
        Spec("sts", "GetCallerIdentity", {}, "presigned", "presigned GetCallerIdentity (as used by IAM auth for Vault/EKS tokens)",
             presign=True, expires=60),
        Spec("iam", "CreateRole", {"RoleName": "app-role", "Path": "/service/", "AssumeRolePolicyDocument": TRUST,
                                   "Tags": [{"Key": "team", "Value": "platform"}]}),
        Spec("iam", "GetRole", {"RoleName": "app-role"}),
        Spec("iam", "AttachRolePolicy", {"RoleName": "app-role", "PolicyArn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}),
        Spec("iam", "PutRolePolicy", {"RoleName": "app-role", "PolicyName": "pass-role", "PolicyDocument":
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"' + ROLE + '"}]}'}),
        Spec("iam", "AddRoleToInstanceProfile", {"InstanceProfileName": "app-profile", "RoleName": "app-role"}),
        Spec("iam", "ListRoles", {"PathPrefix": "/service/"}),
        Spec("iam", "CreateRole", {"RoleName": "app-role", "AssumeRolePolicyDocument": TRUST}, "localstack",
             "custom endpoint_url (LocalStack)", endpoint_url=LOCALSTACK),
        Spec("sns", "Publish", {"TopicArn": TOPIC, "Message": '{"orderId":"o-123"}', "Subject": "Order",
                                "MessageAttributes": {"type": {"DataType": "String", "StringValue": "created"}}}),
        Spec("sns", "CreateTopic", {"Name": "order-events", "Tags": [{"Key": "team", "Value": "orders"}]}),
        Spec("sns", "Subscribe", {"TopicArn": TOPIC, "Protocol": "sqs", "Endpoint": "arn:aws:sqs:us-east-1:123456789012:orders"}),
        Spec("sns", "ListTopics", {}),
        Spec("cloudformation", "CreateStack", {"StackName": "orders-prod", "TemplateURL": "https://example-artifacts.s3.amazonaws.com/cfn/orders.yaml",
                                               "RoleARN": "arn:aws:iam::123456789012:role/cfn-deployer", "Capabilities": ["CAPABILITY_NAMED_IAM"],
                                               "Tags": [{"Key": "team", "Value": "orders"}]}, note="RoleARN, capabilities, tags"),
        Spec("cloudformation", "DescribeStacks", {"StackName": "orders-prod"}),
        Spec("cloudformation", "DeleteStack", {"StackName": "orders-old"}),
        Spec("elbv2", "DescribeLoadBalancers", {"Names": ["orders-alb"]}),
        Spec("elbv2", "CreateTargetGroup", {"Name": "orders-web", "Protocol": "HTTP", "Port": 8080, "VpcId": "vpc-0abc1234def567890"}),
        Spec("elbv2", "RegisterTargets", {"TargetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/orders-web/73e2d6bc24d8a067",
                                          "Targets": [{"Id": "10.0.1.15", "Port": 8080}]}),
        Spec("elb", "DescribeLoadBalancers", {"LoadBalancerNames": ["legacy-elb"]}, note="classic ELB shares the endpoint with ELBv2"),
        Spec("rds", "DescribeDBInstances", {"DBInstanceIdentifier": "orders-db"}),
        Spec("rds", "CreateDBSnapshot", {"DBInstanceIdentifier": "orders-db", "DBSnapshotIdentifier": "orders-db-2026-01-15"}),
        Spec("rds", "CreateDBInstance", {"DBInstanceIdentifier": "orders-db", "DBInstanceClass": "db.t4g.medium", "Engine": "postgres",
                                         "MasterUsername": "app", "AllocatedStorage": 50, "KmsKeyId": KMS_KEY, "StorageEncrypted": True,
                                         "MonitoringInterval": 60, "MonitoringRoleArn": "arn:aws:iam::123456789012:role/rds-monitoring-role"}),
        Spec("ses", "SendEmail", {"Source": "noreply@example.com", "Destination": {"ToAddresses": ["alice@example.org"]},
                                  "Message": {"Subject": {"Data": "Your order"}, "Body": {"Text": {"Data": "Thanks!"}}}}),
        Spec("ses", "VerifyEmailIdentity", {"EmailAddress": "noreply@example.com"}),
        Spec("autoscaling", "DescribeAutoScalingGroups", {"AutoScalingGroupNames": ["orders-web"]}),
        Spec("autoscaling", "SetDesiredCapacity", {"AutoScalingGroupName": "orders-web", "DesiredCapacity": 3}),
        Spec("elasticache", "DescribeCacheClusters", {"CacheClusterId": "sessions"}),

        # --- ec2 ----------------------------------------------------------------
        Spec("ec2", "RunInstances", {"ImageId": "ami-0abcdef1234567890", "InstanceType": "t3.micro", "MinCount": 1, "MaxCount": 1,
                                     "SubnetId": "subnet-0a1b2c3d4e5f60718", "SecurityGroupIds": ["sg-0123456789abcdef0"],
                                     "IamInstanceProfile": {"Arn": "arn:aws:iam::123456789012:instance-profile/app-profile"},
                                     "TagSpecifications": [{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "orders-web-1"}]},
                                                           {"ResourceType": "volume", "Tags": [{"Key": "team", "Value": "orders"}]}]},
             note="TagSpecifications and IamInstanceProfile"),
        Spec("ec2", "DescribeInstances", {"Filters": [{"Name": "tag:team", "Values": ["orders"]}]}),
        Spec("ec2", "DescribeInstances", {"InstanceIds": ["i-0123456789abcdef0"]}, "ids"),
        Spec("ec2", "CreateTags", {"Resources": ["i-0123456789abcdef0"], "Tags": [{"Key": "owner", "Value": "alice"}]}),
        Spec("ec2", "TerminateInstances", {"InstanceIds": ["i-0123456789abcdef0"]}),
        Spec("ec2", "CreateSecurityGroup", {"GroupName": "orders-web", "Description": "orders web tier", "VpcId": "vpc-0abc1234def567890"}),
        Spec("ec2", "AuthorizeSecurityGroupIngress", {"GroupId": "sg-0123456789abcdef0", "IpPermissions": [
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}),
        Spec("ec2", "DescribeImages", {"Owners": ["amazon"]}),
        Spec("ec2", "DescribeVpcs", {}),
        Spec("ec2", "CopySnapshot", {"SourceRegion": "us-west-2", "SourceSnapshotId": "snap-0123456789abcdef0", "Encrypted": True,
                                     "KmsKeyId": KMS_KEY}, note="botocore injects a presigned PresignedUrl parameter"),
        Spec("ec2", "DescribeInstances", {}, "cn-north-1", "aws-cn partition", region="cn-north-1"),
        Spec("ec2", "DescribeInstances", {}, "localstack", "custom endpoint_url (LocalStack)", endpoint_url=LOCALSTACK),
    ]
    return out


class _FileLike:
    """A minimal seekable file object (what open(..., 'rb') gives botocore)."""

    def __init__(self, data):
        import io

        self._b = io.BytesIO(data)

    def read(self, *a):
        return self._b.read(*a)

    def seek(self, *a):
        return self._b.seek(*a)

    def tell(self):
        return self._b.tell()
