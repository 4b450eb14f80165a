"""Calls AWS through boto3 the way an application would, for the e2e tests.

    ops.py mitm               many services, real AWS endpoints
    ops.py endpoint URL       a few calls to endpoint_url=URL
    ops.py secrets S V P      calls that carry secrets: SecretString S, SecureString V,
                              password P (RDS master password, IAM login profile)
    ops.py sleep SECONDS      one call, then "ready" on stdout, then sleep

Calls on iamwatch-denied-* resources must fail with an access-denied error;
any other failure is printed as a FAILED line on stderr and makes the exit
status 1.
"""
import sys
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ACCOUNT = "123456789012"
REGION = "us-east-1"
BUCKET = "e2e-bucket"
TABLE = "e2e-table"
QUEUE_URL = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/e2e-queue"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:e2e-topic"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
CONFIG = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=10, read_timeout=30)

failed = False


def client(service, endpoint=None):
    return boto3.client(service, region_name=REGION, config=CONFIG, endpoint_url=endpoint)


def ok(c, op, **kw):
    global failed
    try:
        return getattr(c, op)(**kw)
    except Exception as e:  # noqa: BLE001 - any failure is reported
        print(f"FAILED: {c.meta.service_model.service_name} {op}: {e!r}", file=sys.stderr)
        failed = True


def denied(c, op, **kw):
    global failed
    try:
        getattr(c, op)(**kw)
    except ClientError as e:
        code = e.response.get("Error", {}).get("Code", "")
        if code in ("AccessDenied", "AccessDeniedException", "403", "UnauthorizedOperation"):
            return
        print(f"FAILED: {op}: want an access-denied error, got {code}", file=sys.stderr)
    else:
        print(f"FAILED: {op}: want an access-denied error, got success", file=sys.stderr)
    failed = True


def mitm():
    s3 = client("s3")
    ok(s3, "list_buckets")
    up = ok(s3, "create_multipart_upload", Bucket=BUCKET, Key="py/big.bin")
    upload_id = up["UploadId"] if up else "none"
    part = ok(s3, "upload_part", Bucket=BUCKET, Key="py/big.bin", UploadId=upload_id, PartNumber=1, Body=b"x" * 1024)
    etag = part["ETag"] if part else '"none"'
    ok(s3, "complete_multipart_upload", Bucket=BUCKET, Key="py/big.bin", UploadId=upload_id,
       MultipartUpload={"Parts": [{"ETag": etag, "PartNumber": 1}]})
    ok(s3, "copy_object", Bucket=BUCKET, Key="py/copy.bin", CopySource={"Bucket": BUCKET, "Key": "py/big.bin"})
    ok(s3, "get_object", Bucket=BUCKET, Key="py/copy.bin", VersionId="v1")
    ok(s3, "put_object_tagging", Bucket=BUCKET, Key="py/copy.bin", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    ok(s3, "delete_object", Bucket=BUCKET, Key="py/copy.bin")
    denied(s3, "put_object", Bucket="iamwatch-denied-bucket", Key="py/x", Body=b"x")

    ddb = client("dynamodb")
    key = {"id": {"S": "1"}}
    ok(ddb, "query", TableName=TABLE, KeyConditionExpression="id = :id", ExpressionAttributeValues={":id": {"S": "1"}})
    ok(ddb, "update_item", TableName=TABLE, Key=key, UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"S": "y"}})
    ok(ddb, "delete_item", TableName=TABLE, Key=key)
    ok(ddb, "batch_write_item", RequestItems={TABLE: [{"PutRequest": {"Item": key}}]})

    sqs = client("sqs")
    ok(sqs, "receive_message", QueueUrl=QUEUE_URL, WaitTimeSeconds=0)
    ok(sqs, "delete_message", QueueUrl=QUEUE_URL, ReceiptHandle="rh")
    denied(sqs, "send_message", QueueUrl=f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/iamwatch-denied-queue", MessageBody="x")

    sns = client("sns")
    ok(sns, "create_topic", Name="e2e-topic")
    ok(sns, "subscribe", TopicArn=TOPIC_ARN, Protocol="sqs", Endpoint=f"arn:aws:sqs:{REGION}:{ACCOUNT}:e2e-queue")

    kms = client("kms")
    ok(kms, "decrypt", KeyId=KEY_ARN, CiphertextBlob=b"ciphertext")
    ok(kms, "generate_data_key", KeyId=KEY_ARN, KeySpec="AES_256")

    ssm = client("ssm")
    ok(ssm, "get_parameters_by_path", Path="/e2e/", Recursive=True)

    sm = client("secretsmanager")
    ok(sm, "describe_secret", SecretId="e2e-secret")
    # A partial ARN (no random suffix): the policy must still match the secret.
    ok(sm, "get_secret_value", SecretId="arn:aws:secretsmanager:us-east-1:123456789012:secret:e2e-partial")

    logs = client("logs")
    ok(logs, "create_log_group", logGroupName="e2e-group")
    ok(logs, "create_log_stream", logGroupName="e2e-group", logStreamName="e2e-stream")
    ok(logs, "filter_log_events", logGroupName="e2e-group")

    cw = client("cloudwatch")
    ok(cw, "put_metric_alarm", AlarmName="e2e-alarm", MetricName="Calls", Namespace="E2E", Statistic="Sum",
       Period=60, EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold")

    ec2 = client("ec2")
    ok(ec2, "describe_vpcs")
    ok(ec2, "create_security_group", GroupName="e2e-sg", Description="e2e", VpcId="vpc-12345678")
    ok(ec2, "stop_instances", InstanceIds=["i-0123456789abcdef0"])

    iam = client("iam")
    ok(iam, "get_role", RoleName="e2e-role")
    ok(iam, "list_roles")

    lam = client("lambda")
    ok(lam, "invoke", FunctionName="e2e-fn", Payload=b"{}")
    ok(lam, "get_function", FunctionName="e2e-fn")
    denied(lam, "delete_function", FunctionName="iamwatch-denied-fn")

    kinesis = client("kinesis")
    ok(kinesis, "put_record", StreamName="e2e-stream", Data=b"x", PartitionKey="p")

    events = client("events")
    ok(events, "put_events", Entries=[{"Source": "e2e", "DetailType": "t", "Detail": "{}", "EventBusName": "e2e-bus"}])

    sfn = client("stepfunctions")
    ok(sfn, "start_execution", stateMachineArn=f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:e2e-sm", input="{}")

    cfn = client("cloudformation")
    ok(cfn, "describe_stacks", StackName="e2e-stack")

    sts = client("sts")
    ok(sts, "get_caller_identity")


def endpoint(url):
    ok(client("s3", url), "list_buckets")
    ok(client("s3", url), "put_object", Bucket=BUCKET, Key="ep/object.txt", Body=b"hello")
    ok(client("dynamodb", url), "get_item", TableName=TABLE, Key={"id": {"S": "1"}})
    ok(client("sqs", url), "send_message", QueueUrl=QUEUE_URL, MessageBody="hi")
    ok(client("sts", url), "get_caller_identity")
    denied(client("dynamodb", url), "describe_table", TableName="iamwatch-denied-table")


def secrets():
    # The credentials are temporary (AWS_SESSION_TOKEN is set).
    sm = client("secretsmanager")
    ok(sm, "create_secret", Name="e2e-planted", SecretString=sys.argv[2])
    ok(sm, "put_secret_value", SecretId="e2e-planted", SecretString=sys.argv[2])
    ok(sm, "get_secret_value", SecretId="e2e-planted")
    ssm = client("ssm")
    ok(ssm, "put_parameter", Name="/e2e/planted", Type="SecureString", Value=sys.argv[3], Overwrite=True)
    ok(ssm, "get_parameter", Name="/e2e/planted", WithDecryption=True)
    s3 = client("s3")
    ok(s3, "put_object", Bucket=BUCKET, Key="secrets/object.txt", Body=sys.argv[2].encode())
    # Passwords in request bodies (query protocol).
    rds = client("rds")
    ok(rds, "create_db_instance", DBInstanceIdentifier="e2e-planted-db", DBInstanceClass="db.t3.micro",
       Engine="postgres", MasterUsername="e2eadmin", MasterUserPassword=sys.argv[4], AllocatedStorage=20)
    iam = client("iam")
    ok(iam, "create_login_profile", UserName="e2e-planted-user", Password=sys.argv[4])


def sleep(seconds):
    ok(client("s3"), "list_objects_v2", Bucket=BUCKET)
    print("ready", flush=True)
    time.sleep(seconds)


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "mitm"
    if mode == "mitm":
        mitm()
    elif mode == "endpoint":
        endpoint(sys.argv[2])
    elif mode == "secrets":
        secrets()
    elif mode == "sleep":
        sleep(float(sys.argv[2]))
    else:
        print(f"unknown mode {mode}", file=sys.stderr)
        return 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
