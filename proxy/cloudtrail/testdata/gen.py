#!/usr/bin/env python3
"""Writes the CloudTrail fixtures of this directory (run from it: python3 gen.py).

The records follow the record format of the CloudTrail User Guide (record
contents, the userIdentity element) and the example entries of each
service's "Logging ... API calls with AWS CloudTrail" page; the account,
names, keys and IDs are made up. The output is deterministic: re-running
the script rewrites the same bytes.
"""
import copy
import gzip
import json
import os
import uuid

ACCT = "111122223333"
NS = uuid.UUID("6f1c1e2a-9d3b-4c55-8f0e-2b7c1a9d4e10")

DEPLOYER = {
    "type": "IAMUser",
    "principalId": "AIDACKCEVSQ6C2EXAMPLE",
    "arn": f"arn:aws:iam::{ACCT}:user/deployer",
    "accountId": ACCT,
    "accessKeyId": "AKIAIOSFODNN7EXAMPLE",
    "userName": "deployer",
}
APP = {
    "type": "AssumedRole",
    "principalId": "AROAJ2UCCR6DPCEXAMPLE:i-0a1b2c3d4e5f60718",
    "arn": f"arn:aws:sts::{ACCT}:assumed-role/orders-app/i-0a1b2c3d4e5f60718",
    "accountId": ACCT,
    "accessKeyId": "ASIAIOSFODNN7EXAMPLE",
    "sessionContext": {
        "sessionIssuer": {
            "type": "Role",
            "principalId": "AROAJ2UCCR6DPCEXAMPLE",
            "arn": f"arn:aws:iam::{ACCT}:role/orders-app",
            "accountId": ACCT,
            "userName": "orders-app",
        },
        "attributes": {"creationDate": "2026-03-14T08:55:00Z", "mfaAuthenticated": "false"},
    },
}
LAMBDA_SVC = {"type": "AWSService", "invokedBy": "lambda.amazonaws.com"}

SDK = "aws-sdk-go-v2/1.36.3 ua/2.1 os/linux lang/go#1.24.1 md/GOOS#linux md/GOARCH#amd64 api/{}"
CLI = "aws-cli/2.24.10 md/awscrt#0.23.8 ua/2.1 os/linux#6.8.0 md/arch#x86_64 lang/python#3.12.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#{}"

counter = [0]


def ev(who, source, name, params, *, region="us-east-1", read_only=False, category="Management",
       resources=None, error=None, response=None, version="1.09", event_type="AwsApiCall", minute=None,
       extra=None):
    counter[0] += 1
    n = counter[0]
    rec = {"eventVersion": version}
    if who is not None:
        rec["userIdentity"] = copy.deepcopy(who)
    rec["eventTime"] = f"2026-03-14T{9 + n // 60:02d}:{n % 60:02d}:{(n * 7) % 60:02d}Z"
    rec["eventSource"] = source
    rec["eventName"] = name
    rec["awsRegion"] = region
    if who is not None and who.get("type") == "AWSService":
        rec["sourceIPAddress"] = who["invokedBy"]
        rec["userAgent"] = who["invokedBy"]
    else:
        rec["sourceIPAddress"] = "198.51.100.23"
        rec["userAgent"] = (CLI if who is DEPLOYER else SDK).format(source.split(".")[0])
    if error:
        rec["errorCode"], rec["errorMessage"] = error
    rec["requestParameters"] = params
    rec["responseElements"] = response
    if extra:
        rec.update(extra)
    rec["requestID"] = str(uuid.uuid5(NS, f"request-{n}")).upper() if source == "s3.amazonaws.com" else str(uuid.uuid5(NS, f"request-{n}"))
    rec["eventID"] = str(uuid.uuid5(NS, f"event-{n}"))
    rec["readOnly"] = read_only
    if resources:
        rec["resources"] = resources
    rec["eventType"] = event_type
    if version >= "1.06":
        rec["managementEvent"] = category == "Management"
    rec["recipientAccountId"] = ACCT
    if version >= "1.08":
        rec["eventCategory"] = category
    if source != "signin.amazonaws.com":
        rec["tlsDetails"] = {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                             "clientProvidedHostHeader": f"{source.split('.')[0]}.{region}.amazonaws.com"}
    return rec


def res(arn, typ, acct=ACCT):
    r = {"accountId": acct, "type": typ, "ARN": arn}
    if acct is None:
        del r["accountId"]
    return r


BUCKET = f"orders-artifacts-{ACCT}"
DATA_BUCKET = "orders-data-111122223333"
KEY_ID = "0f5e8a3b-4c2d-4e1f-9a8b-7c6d5e4f3a2b"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCT}:key/{KEY_ID}"
ROLE_ARN = f"arn:aws:iam::{ACCT}:role/orders-app"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def us_east_1():
    d, a = DEPLOYER, APP
    return [
        ev(d, "sts.amazonaws.com", "GetCallerIdentity", None, read_only=True),
        ev(d, "iam.amazonaws.com", "CreateRole", {"roleName": "orders-app", "assumeRolePolicyDocument": TRUST, "path": "/"},
           response={"role": {"path": "/", "roleName": "orders-app", "roleId": "AROAJ2UCCR6DPCEXAMPLE", "arn": ROLE_ARN, "createDate": "Mar 14, 2026 9:02:14 AM"}}),
        ev(d, "iam.amazonaws.com", "AttachRolePolicy", {"roleName": "orders-app", "policyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}),
        ev(d, "iam.amazonaws.com", "PutRolePolicy", {"roleName": "orders-app", "policyName": "orders-data",
           "policyDocument": json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "*"}]})}),
        ev(d, "iam.amazonaws.com", "GetRole", {"roleName": "orders-app"}, read_only=True),
        ev(d, "s3.amazonaws.com", "CreateBucket", {"bucketName": BUCKET, "Host": "s3.amazonaws.com", "x-amz-object-ownership": "BucketOwnerEnforced"},
           extra={"additionalEventData": {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredIn": 0, "AuthenticationMethod": "AuthHeader", "x-amz-id-2": "EXAMPLEid2=", "bytesTransferredOut": 0}},
           resources=[res(f"arn:aws:s3:::{BUCKET}", "AWS::S3::Bucket", None)]),
        ev(d, "s3.amazonaws.com", "PutBucketEncryption", {"bucketName": BUCKET, "Host": f"{BUCKET}.s3.us-east-1.amazonaws.com", "encryption": "",
           "ServerSideEncryptionConfiguration": {"xmlns": "http://s3.amazonaws.com/doc/2006-03-01/", "Rule": {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY_ARN}, "BucketKeyEnabled": True}}},
           resources=[res(f"arn:aws:s3:::{BUCKET}", "AWS::S3::Bucket")]),
        ev(d, "s3.amazonaws.com", "GetBucketLocation", {"bucketName": BUCKET, "Host": f"{BUCKET}.s3.us-east-1.amazonaws.com", "location": ""}, read_only=True,
           resources=[res(f"arn:aws:s3:::{BUCKET}", "AWS::S3::Bucket")]),
        ev(d, "s3.amazonaws.com", "ListBuckets", {"Host": "s3.us-east-1.amazonaws.com"}, read_only=True),
        ev(d, "s3.amazonaws.com", "PutObject", {"bucketName": BUCKET, "Host": f"{BUCKET}.s3.us-east-1.amazonaws.com", "key": "releases/orders-ingest-1.4.2.zip",
           "x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id": KEY_ARN},
           category="Data", response={"x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id": KEY_ARN},
           resources=[res(f"arn:aws:s3:::{BUCKET}/releases/orders-ingest-1.4.2.zip", "AWS::S3::Object", None), res(f"arn:aws:s3:::{BUCKET}", "AWS::S3::Bucket")]),
        ev(a, "s3.amazonaws.com", "GetObject", {"bucketName": DATA_BUCKET, "Host": f"{DATA_BUCKET}.s3.us-east-1.amazonaws.com", "key": "incoming/2026-03-14/batch-0001.csv"},
           category="Data", read_only=True,
           resources=[res(f"arn:aws:s3:::{DATA_BUCKET}/incoming/2026-03-14/batch-0001.csv", "AWS::S3::Object", None), res(f"arn:aws:s3:::{DATA_BUCKET}", "AWS::S3::Bucket")]),
        ev(a, "s3.amazonaws.com", "ListObjects", {"bucketName": DATA_BUCKET, "Host": f"{DATA_BUCKET}.s3.us-east-1.amazonaws.com", "prefix": "incoming/2026-03-14/", "list-type": "2", "encoding-type": "url"},
           category="Data", read_only=True, resources=[res(f"arn:aws:s3:::{DATA_BUCKET}", "AWS::S3::Bucket")]),
        ev(a, "s3.amazonaws.com", "DeleteObject", {"bucketName": DATA_BUCKET, "Host": f"{DATA_BUCKET}.s3.us-east-1.amazonaws.com", "key": "incoming/2026-03-14/batch-0001.csv"},
           category="Data",
           resources=[res(f"arn:aws:s3:::{DATA_BUCKET}/incoming/2026-03-14/batch-0001.csv", "AWS::S3::Object", None), res(f"arn:aws:s3:::{DATA_BUCKET}", "AWS::S3::Bucket")]),
        ev(a, "s3.amazonaws.com", "PutBucketPolicy", {"bucketName": DATA_BUCKET, "Host": f"{DATA_BUCKET}.s3.us-east-1.amazonaws.com", "policy": "", "bucketPolicy": {"Version": "2012-10-17", "Statement": []}},
           error=("AccessDenied", "Access Denied"), resources=[res(f"arn:aws:s3:::{DATA_BUCKET}", "AWS::S3::Bucket")]),
        ev(d, "lambda.amazonaws.com", "CreateFunction20150331", {"functionName": "orders-ingest", "runtime": "python3.12", "role": ROLE_ARN,
           "handler": "app.handler", "code": {"s3Bucket": BUCKET, "s3Key": "releases/orders-ingest-1.4.2.zip"}, "timeout": 30, "memorySize": 256, "publish": True,
           "environment": {}, "tags": {"team": "orders"}},
           response={"functionName": "orders-ingest", "functionArn": f"arn:aws:lambda:us-east-1:{ACCT}:function:orders-ingest", "runtime": "python3.12", "role": ROLE_ARN}),
        ev(d, "lambda.amazonaws.com", "UpdateFunctionCode20150331v2", {"functionName": "orders-ingest", "s3Bucket": BUCKET, "s3Key": "releases/orders-ingest-1.4.2.zip", "publish": True, "dryRun": False}),
        ev(d, "lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": "orders-ingest"}, read_only=True),
        ev(d, "lambda.amazonaws.com", "AddPermission20150331v2", {"functionName": "orders-ingest", "statementId": "s3-invoke", "action": "lambda:InvokeFunction",
           "principal": "s3.amazonaws.com", "sourceArn": f"arn:aws:s3:::{DATA_BUCKET}", "sourceAccount": ACCT}),
        ev(d, "lambda.amazonaws.com", "CreateEventSourceMapping20150331", {"eventSourceArn": f"arn:aws:sqs:eu-west-1:{ACCT}:orders-eu", "functionName": "orders-ingest", "enabled": True, "batchSize": 10}),
        ev(d, "dynamodb.amazonaws.com", "CreateTable", {"tableName": "orders", "attributeDefinitions": [{"attributeName": "id", "attributeType": "S"}],
           "keySchema": [{"attributeName": "id", "keyType": "HASH"}], "billingMode": "PAY_PER_REQUEST"},
           resources=[res(f"arn:aws:dynamodb:us-east-1:{ACCT}:table/orders", "AWS::DynamoDB::Table")]),
        ev(d, "dynamodb.amazonaws.com", "DescribeTable", {"tableName": "orders"}, read_only=True,
           resources=[res(f"arn:aws:dynamodb:us-east-1:{ACCT}:table/orders", "AWS::DynamoDB::Table")]),
        ev(a, "dynamodb.amazonaws.com", "PutItem", {"tableName": "orders", "key": {"id": "o-1001"}}, category="Data",
           resources=[res(f"arn:aws:dynamodb:us-east-1:{ACCT}:table/orders", "AWS::DynamoDB::Table")]),
        ev(a, "dynamodb.amazonaws.com", "Query", {"tableName": "orders", "indexName": "by-customer", "keyConditionExpression": "customer = :c", "select": "ALL_ATTRIBUTES"},
           category="Data", read_only=True, resources=[res(f"arn:aws:dynamodb:us-east-1:{ACCT}:table/orders", "AWS::DynamoDB::Table")]),
        ev(a, "dynamodb.amazonaws.com", "UpdateItem", {"tableName": "orders", "key": {"id": "o-1001"}, "updateExpression": "SET #s = :s"}, category="Data",
           resources=[res(f"arn:aws:dynamodb:us-east-1:{ACCT}:table/orders", "AWS::DynamoDB::Table")]),
        ev(a, "dynamodb.amazonaws.com", "DeleteTable", {"tableName": "orders"}, error=("AccessDeniedException",
           f"User: {APP['arn']} is not authorized to perform: dynamodb:DeleteTable on resource: arn:aws:dynamodb:us-east-1:{ACCT}:table/orders because no identity-based policy allows the dynamodb:DeleteTable action")),
        ev(d, "ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {"items": [{"name": "tag:app", "valueSet": {"items": [{"value": "orders"}]}}]}}, read_only=True),
        ev(d, "ec2.amazonaws.com", "RunInstances", {"instancesSet": {"items": [{"imageId": "ami-0abcdef1234567890", "minCount": 1, "maxCount": 1, "keyName": "orders-ops"}]},
           "groupSet": {"items": [{"groupId": "sg-0123456789abcdef0"}]}, "instanceType": "t3.micro", "blockDeviceMapping": {}, "monitoring": {"enabled": False},
           "disableApiTermination": False, "subnetId": "subnet-0fedcba9876543210", "clientToken": "7b1e5c2a-orders",
           "tagSpecificationSet": {"items": [{"resourceType": "instance", "tags": [{"key": "app", "value": "orders"}]}]}},
           response={"requestId": "3f2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "reservationId": "r-0123456789abcdef0", "ownerId": ACCT}),
        ev(d, "ec2.amazonaws.com", "CreateTags", {"resourcesSet": {"items": [{"resourceId": "i-0a1b2c3d4e5f60718"}]}, "tagSet": {"items": [{"key": "owner", "value": "orders-team"}]}}),
        ev(d, "ec2.amazonaws.com", "TerminateInstances", {"instancesSet": {"items": [{"instanceId": "i-0a1b2c3d4e5f60718"}]}}),
        ev(d, "sts.amazonaws.com", "AssumeRole", {"roleArn": ROLE_ARN, "roleSessionName": "deployer-check", "durationSeconds": 900},
           response={"credentials": {"accessKeyId": "ASIAI44QH8DHBEXAMPLE", "sessionToken": "IQoJb3JpZ2luX2VjEXAMPLEtokenDoNotStoreThisValueAnywhereZZZZZZZZ", "expiration": "Mar 14, 2026, 9:45:12 AM"},
                     "assumedRoleUser": {"assumedRoleId": "AROAJ2UCCR6DPCEXAMPLE:deployer-check", "arn": f"arn:aws:sts::{ACCT}:assumed-role/orders-app/deployer-check"}},
           resources=[res(ROLE_ARN, "AWS::IAM::Role")], extra={"sharedEventID": str(uuid.uuid5(NS, "shared-assume"))}),
        ev(d, "monitoring.amazonaws.com", "PutMetricAlarm", {"alarmName": "orders-ingest-errors", "namespace": "AWS/Lambda", "metricName": "Errors",
           "statistic": "Sum", "period": 300, "evaluationPeriods": 1, "threshold": 1.0, "comparisonOperator": "GreaterThanOrEqualToThreshold",
           "dimensions": [{"name": "FunctionName", "value": "orders-ingest"}]}),
        ev(a, "monitoring.amazonaws.com", "DescribeAlarms", {"alarmNames": ["orders-ingest-errors"]}, read_only=True),
    ]


def eu_west_1():
    # eventVersion 1.05 records have neither eventCategory nor
    # managementEvent: the reader derives the category.
    a, d = APP, DEPLOYER
    q = f"https://sqs.eu-west-1.amazonaws.com/{ACCT}/orders-eu"
    kw = dict(region="eu-west-1", version="1.05")
    return [
        ev(d, "sqs.amazonaws.com", "CreateQueue", {"queueName": "orders-eu", "attributes": {"VisibilityTimeout": "60", "KmsMasterKeyId": "alias/aws/sqs"}, "tags": {"team": "orders"}},
           response={"queueUrl": q}, **kw),
        ev(a, "sqs.amazonaws.com", "GetQueueUrl", {"queueName": "orders-eu"}, read_only=True, **kw),
        ev(a, "sqs.amazonaws.com", "SendMessage", {"queueUrl": q, "messageBody": "HIDDEN_DUE_TO_SECURITY_REASONS", "messageAttributes": {"kind": {"stringValue": "order", "dataType": "String"}}},
           resources=[res(f"arn:aws:sqs:eu-west-1:{ACCT}:orders-eu", "AWS::SQS::Queue")], **kw),
        ev(a, "sqs.amazonaws.com", "ReceiveMessage", {"queueUrl": q, "maxNumberOfMessages": 10, "waitTimeSeconds": 20}, read_only=True,
           resources=[res(f"arn:aws:sqs:eu-west-1:{ACCT}:orders-eu", "AWS::SQS::Queue")], **kw),
        ev(a, "sqs.amazonaws.com", "DeleteMessage", {"queueUrl": q, "receiptHandle": "HIDDEN_DUE_TO_SECURITY_REASONS"},
           resources=[res(f"arn:aws:sqs:eu-west-1:{ACCT}:orders-eu", "AWS::SQS::Queue")], **kw),
        ev(d, "sqs.amazonaws.com", "SetQueueAttributes", {"queueUrl": q, "attributes": {"MessageRetentionPeriod": "345600"}}, **kw),
        ev(a, "kms.amazonaws.com", "Decrypt", {"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "encryptionContext": {"aws:sqs:arn": f"arn:aws:sqs:eu-west-1:{ACCT}:orders-eu"}},
           read_only=True, resources=[res(f"arn:aws:kms:eu-west-1:{ACCT}:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "AWS::KMS::Key")], **kw),
        ev(a, "sts.amazonaws.com", "GetCallerIdentity", None, read_only=True, **kw),
    ]


def plain():
    a, d = APP, DEPLOYER
    topic = f"arn:aws:sns:us-east-1:{ACCT}:orders-events"
    secret = f"arn:aws:secretsmanager:us-east-1:{ACCT}:secret:orders/db-Xy12Ab"
    recs = [
        ev(d, "kms.amazonaws.com", "CreateKey", {"description": "orders data key", "keyUsage": "ENCRYPT_DECRYPT", "keySpec": "SYMMETRIC_DEFAULT", "origin": "AWS_KMS",
           "bypassPolicyLockoutSafetyCheck": False, "tags": [{"tagKey": "team", "tagValue": "orders"}]},
           response={"keyMetadata": {"aWSAccountId": ACCT, "keyId": KEY_ID, "arn": KEY_ARN, "keyState": "Enabled"}},
           resources=[res(KEY_ARN, "AWS::KMS::Key")]),
        ev(d, "kms.amazonaws.com", "CreateAlias", {"aliasName": "alias/orders", "targetKeyId": KEY_ID},
           resources=[res(f"arn:aws:kms:us-east-1:{ACCT}:alias/orders", "AWS::KMS::Key"), res(KEY_ARN, "AWS::KMS::Key")]),
        ev(a, "kms.amazonaws.com", "GenerateDataKey", {"keyId": KEY_ARN, "encryptionContext": {"aws:s3:arn": f"arn:aws:s3:::{BUCKET}"}, "keySpec": "AES_256"},
           read_only=True, resources=[res(KEY_ARN, "AWS::KMS::Key")]),
        ev(a, "kms.amazonaws.com", "Decrypt", {"encryptionContext": {"aws:s3:arn": f"arn:aws:s3:::{BUCKET}"}, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
           read_only=True, resources=[res(KEY_ARN, "AWS::KMS::Key")]),
        ev(d, "secretsmanager.amazonaws.com", "CreateSecret", {"name": "orders/db", "clientRequestToken": "0b9d4b8e-6f8c-4d7e-9a6b-5c4d3e2f1a0b",
           "description": "orders database", "kmsKeyId": "alias/orders", "secretString": "HIDDEN_DUE_TO_SECURITY_REASONS"},
           response={"aRN": secret, "name": "orders/db"}),
        ev(a, "secretsmanager.amazonaws.com", "GetSecretValue", {"secretId": secret}, read_only=True),
        ev(a, "secretsmanager.amazonaws.com", "GetSecretValue", {"secretId": "orders/api-token"}, read_only=True,
           error=("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")),
        ev(d, "logs.amazonaws.com", "CreateLogGroup", {"logGroupName": "/aws/lambda/orders-ingest", "tags": {"team": "orders"}}),
        ev(d, "logs.amazonaws.com", "PutRetentionPolicy", {"logGroupName": "/aws/lambda/orders-ingest", "retentionInDays": 30}),
        ev(d, "logs.amazonaws.com", "DescribeLogGroups", {"logGroupNamePrefix": "/aws/lambda/orders"}, read_only=True),
        ev(d, "sns.amazonaws.com", "CreateTopic", {"name": "orders-events", "attributes": {"KmsMasterKeyId": "alias/orders"}}, response={"topicArn": topic}),
        ev(d, "sns.amazonaws.com", "Subscribe", {"topicArn": topic, "protocol": "sqs", "endpoint": f"arn:aws:sqs:eu-west-1:{ACCT}:orders-eu", "returnSubscriptionArn": True}),
        ev(d, "cloudformation.amazonaws.com", "CreateStack", {"stackName": "orders-network", "templateURL": f"https://{BUCKET}.s3.amazonaws.com/templates/network.yaml",
           "roleARN": f"arn:aws:iam::{ACCT}:role/orders-cfn", "capabilities": ["CAPABILITY_NAMED_IAM"], "tags": [{"key": "team", "value": "orders"}]},
           response={"stackId": f"arn:aws:cloudformation:us-east-1:{ACCT}:stack/orders-network/6b2e8f10-2a5c-11f0-9c3e-0a1b2c3d4e5f"}),
        ev(d, "cloudformation.amazonaws.com", "DescribeStacks", {"stackName": "orders-network"}, read_only=True),
        ev(d, "signin.amazonaws.com", "ConsoleLogin", None, event_type="AwsConsoleSignIn", response={"ConsoleLogin": "Success"},
           extra={"additionalEventData": {"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAUsed": "Yes"}}),
        ev({"accountId": ACCT, "invokedBy": "kms.amazonaws.com"}, "kms.amazonaws.com", "RotateKey", None, event_type="AwsServiceEvent",
           resources=[res(KEY_ARN, "AWS::KMS::Key")], extra={"serviceEventDetails": {"keyOrigin": "AWS_KMS"}}),
        ev(LAMBDA_SVC, "sts.amazonaws.com", "AssumeRole", {"roleArn": ROLE_ARN, "roleSessionName": "orders-ingest"},
           resources=[res(ROLE_ARN, "AWS::IAM::Role")]),
    ]
    # A CloudTrail Insights event names the API in insightDetails.
    counter[0] += 1
    n = counter[0]
    recs.append({
        "eventVersion": "1.08",
        "eventTime": "2026-03-14T10:15:00Z",
        "awsRegion": "us-east-1",
        "eventID": str(uuid.uuid5(NS, f"event-{n}")),
        "eventType": "AwsCloudTrailInsight",
        "recipientAccountId": ACCT,
        "sharedEventID": str(uuid.uuid5(NS, "shared-insight")),
        "insightDetails": {"state": "Start", "eventSource": "dynamodb.amazonaws.com", "eventName": "DescribeTable",
                           "insightType": "ApiCallRateInsight", "insightContext": {"statistics": {"baseline": {"average": 0.5}, "insight": {"average": 12.0}}}},
        "eventCategory": "Insight",
    })
    return recs


def lookup_events():
    a, d = APP, DEPLOYER
    recs = [
        ev(a, "sts.amazonaws.com", "GetCallerIdentity", None, read_only=True),
        ev(d, "iam.amazonaws.com", "ListRoles", {"pathPrefix": "/"}, read_only=True),
        ev(d, "lambda.amazonaws.com", "ListFunctions20150331", None, read_only=True),
        ev(d, "sqs.amazonaws.com", "ListQueues", {"queueNamePrefix": "orders"}, read_only=True, region="eu-west-1"),
        ev(d, "ec2.amazonaws.com", "DescribeVpcs", {"vpcSet": {}, "filterSet": {}}, read_only=True),
        ev(d, "s3.amazonaws.com", "GetBucketVersioning", {"bucketName": BUCKET, "Host": f"{BUCKET}.s3.us-east-1.amazonaws.com", "versioning": ""}, read_only=True,
           resources=[res(f"arn:aws:s3:::{BUCKET}", "AWS::S3::Bucket")]),
        ev(d, "dynamodb.amazonaws.com", "ListTables", None, read_only=True),
        ev(a, "secretsmanager.amazonaws.com", "DescribeSecret", {"secretId": "orders/db"}, read_only=True),
        ev(d, "sns.amazonaws.com", "ListTopics", None, read_only=True),
        ev(d, "logs.amazonaws.com", "DescribeLogStreams", {"logGroupName": "/aws/lambda/orders-ingest", "descending": True, "orderBy": "LastEventTime"}, read_only=True),
    ]
    events = []
    for r in recs:
        e = {
            "EventId": r["eventID"],
            "EventName": r["eventName"],
            "ReadOnly": "true" if r["readOnly"] else "false",
            "AccessKeyId": r["userIdentity"]["accessKeyId"],
            "EventTime": r["eventTime"].replace("Z", "+00:00"),
            "EventSource": r["eventSource"],
            "Username": r["userIdentity"].get("userName", r["userIdentity"]["principalId"].split(":")[-1]),
            "Resources": [{"ResourceType": x["type"], "ResourceName": x["ARN"]} for x in r.get("resources", [])],
            "CloudTrailEvent": json.dumps(r, separators=(",", ":")),
        }
        events.append(e)
    # Without CloudTrailEvent (a --query that dropped it), the element's
    # own fields stand in for the record.
    counter[0] += 1
    n = counter[0]
    events.append({
        "EventId": str(uuid.uuid5(NS, f"event-{n}")),
        "EventName": "DescribeSecurityGroups",
        "ReadOnly": "true",
        "AccessKeyId": DEPLOYER["accessKeyId"],
        "EventTime": "2026-03-14T10:20:00+00:00",
        "EventSource": "ec2.amazonaws.com",
        "Username": "deployer",
        "Resources": [],
    })
    return {"Events": events, "NextToken": "eyJOZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAxfQ=="}


def write_gz(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = json.dumps(obj, separators=(",", ":")).encode()
    with open(path, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0) as z:
            z.write(data)


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def main():
    base = f"logs/AWSLogs/{ACCT}"
    write_gz(f"{base}/CloudTrail/us-east-1/2026/03/14/{ACCT}_CloudTrail_us-east-1_20260314T0905Z_3Kf9QxT2LmB7RwZc.json.gz", {"Records": us_east_1()})
    write_gz(f"{base}/CloudTrail/eu-west-1/2026/03/14/{ACCT}_CloudTrail_eu-west-1_20260314T0935Z_8HvN2pRt5YcJ1sDe.json.gz", {"Records": eu_west_1()})
    # A digest file sits beside the logs and holds no records.
    write_gz(f"{base}/CloudTrail-Digest/us-east-1/2026/03/14/{ACCT}_CloudTrail-Digest_us-east-1_orders-trail_us-east-1_20260314T100000Z.json.gz", {
        "awsAccountId": ACCT, "digestStartTime": "2026-03-14T09:00:00Z", "digestEndTime": "2026-03-14T10:00:00Z",
        "digestS3Bucket": "orders-trail-logs", "digestS3Object": "AWSLogs/111122223333/CloudTrail-Digest/...",
        "logFiles": [], "digestPublicKeyFingerprint": "0123456789abcdef0123456789abcdef", "digestSignatureAlgorithm": "SHA256withRSA"})
    write_json("plain/orders-events.json", {"Records": plain()})
    write_json("lookup/lookup-events.json", lookup_events())


if __name__ == "__main__":
    main()
