#!/usr/bin/env python3
"""Drive a moto server (the local AWS stand-in) for the integration tests and the demo.

Every subcommand prints exactly one JSON document on stdout and exits 0; on failure it prints one
line on stderr and exits non-zero (2 for usage errors). Endpoint: --endpoint or $MOTO_ENDPOINT.
Region us-east-1, dummy credentials; no AWS profile, config file or endpoint variable is read.

  wire --route s3-sqs|s3-sns-sqs|s3-eventbridge-sqs --bucket B [--queue Q]
  put --bucket B --key K [--body TEXT]        delete --bucket B --key K
  drain --queue-url U [--region R] [--expect N] [--timeout S]
  create-distribution --bucket B [--origin-path /p] [--website]
  invalidations --distribution-id ID
  put-parameter --name N --value V [--secure]
  create-function --name N [--timeout S] [--memory MB] [--environment JSON]
                                              notification-config --bucket B
  put-notification-config --bucket B --configuration JSON [--region R]   (creates the bucket when missing)
  function-policy --function N                (the statements of a function's resource policy, [] when none)
  create-table --name T                       a coalescing table (pk, sk; on demand; TTL on expires)
  table-items --name T                        every item of a table, as plain JSON values
  create-role --name N [--trusted-principal ARN] [--external-id E]
                                              an IAM role the principal may assume (with the external id);
                                              moto's STS does not enforce the trust policy
  call --service S --operation OP [--parameters JSON]
                                              one boto3 call (snake_case operation), its answer as JSON: for the
                                              doctor's tests, which break and mend a wiring step by step
  distributions                               the ids of the account's distributions
  issued-credentials --role-arn ARN           what moto's STS issued for the role (from /moto-api/data.json):
                                              key ids, secrets, session tokens, session names, external ids

Every command takes --role-arn ARN [--assume-external-id E]: it then acts in the role's account, with the credentials
moto's STS AssumeRole gives for it (moto derives the account from the role's ARN and the temporary key; the role need
not exist). issued-credentials reads the role from its own --role-arn and assumes nothing.
"""

import argparse
import json
import os
import sys
import time
import uuid

# Never touch a real account: drop every variable that could point boto3 at one, before importing it.
for _name in list(os.environ):
    if _name.startswith("AWS_"):
        del os.environ[_name]
os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
})

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402

REGION = "us-east-1"
EVENTS = ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]
LAMBDA_SQS_ATTRIBUTES = ["ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp",
                         "AWSTraceHeader", "MessageGroupId", "MessageDeduplicationId", "SequenceNumber",
                         "DeadLetterQueueSourceArn"]


class Fail(Exception):
    """A failure with a message meant for the user (printed as one stderr line)."""


_ASSUMED = {}


def client(args, service, region=REGION):
    config = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=60,
                    s3={"addressing_style": "path"})
    credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    role_arn = getattr(args, "role_arn", None)
    if role_arn and args.command != "issued-credentials":
        credentials = assumed_credentials(args, role_arn, config)
    return boto3.client(service, endpoint_url=args.endpoint, region_name=region, config=config, **credentials)


def assumed_credentials(args, role_arn, config):
    """The role's credentials from moto's STS, assumed once per run: requests signed with them act in its account."""
    if role_arn not in _ASSUMED:
        sts = boto3.client("sts", endpoint_url=args.endpoint, region_name=REGION, config=config,
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        request = {"RoleArn": role_arn, "RoleSessionName": "aws-fixture"}
        if getattr(args, "external_id_for_role", None):
            request["ExternalId"] = args.external_id_for_role
        issued = sts.assume_role(**request)["Credentials"]
        _ASSUMED[role_arn] = {"aws_access_key_id": issued["AccessKeyId"],
                              "aws_secret_access_key": issued["SecretAccessKey"],
                              "aws_session_token": issued["SessionToken"]}
    return _ASSUMED[role_arn]


def queue_arn(sqs, queue_url):
    return sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def allow_send(sqs, queue_url, queue_arn_, principal, source_arn):
    """Queue policy letting an AWS service principal send to the queue (moto does not enforce it)."""
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": principal}, "Action": "sqs:SendMessage",
        "Resource": queue_arn_, "Condition": {"ArnEquals": {"aws:SourceArn": source_arn}}}]}
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps(policy)})


def cmd_wire(args):
    s3, sqs = client(args, "s3"), client(args, "sqs")
    bucket = args.bucket
    queue = args.queue or f"{bucket}-queue"
    s3.create_bucket(Bucket=bucket)
    queue_url = sqs.create_queue(QueueName=queue)["QueueUrl"]
    q_arn = queue_arn(sqs, queue_url)
    bucket_arn = f"arn:aws:s3:::{bucket}"

    if args.route == "s3-sqs":
        allow_send(sqs, queue_url, q_arn, "s3.amazonaws.com", bucket_arn)
        config = {"QueueConfigurations": [{"Id": f"{bucket}-to-sqs", "QueueArn": q_arn, "Events": EVENTS}]}
    elif args.route == "s3-sns-sqs":
        sns = client(args, "sns")
        topic_arn = sns.create_topic(Name=f"{bucket}-topic")["TopicArn"]
        topic_policy = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sns:Publish",
            "Resource": topic_arn, "Condition": {"ArnLike": {"aws:SourceArn": bucket_arn}}}]}
        sns.set_topic_attributes(TopicArn=topic_arn, AttributeName="Policy", AttributeValue=json.dumps(topic_policy))
        allow_send(sqs, queue_url, q_arn, "sns.amazonaws.com", topic_arn)
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=q_arn,
                      Attributes={"RawMessageDelivery": "false"})
        config = {"TopicConfigurations": [{"Id": f"{bucket}-to-sns", "TopicArn": topic_arn, "Events": EVENTS}]}
    else:  # s3-eventbridge-sqs
        events = client(args, "events")
        rule = f"{bucket}-rule"
        pattern = {"source": ["aws.s3"], "detail-type": ["Object Created", "Object Deleted"],
                   "detail": {"bucket": {"name": [bucket]}}}
        rule_arn = events.put_rule(Name=rule, EventPattern=json.dumps(pattern), State="ENABLED")["RuleArn"]
        allow_send(sqs, queue_url, q_arn, "events.amazonaws.com", rule_arn)
        events.put_targets(Rule=rule, Targets=[{"Id": "queue", "Arn": q_arn}])
        config = {"EventBridgeConfiguration": {}}

    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
    return {"route": args.route, "bucket": bucket, "queueUrl": queue_url, "queueArn": q_arn}


def cmd_put(args):
    body = args.key if args.body is None else args.body
    client(args, "s3").put_object(Bucket=args.bucket, Key=args.key, Body=body.encode("utf-8"))
    return {"bucket": args.bucket, "key": args.key}


def cmd_delete(args):
    client(args, "s3").delete_object(Bucket=args.bucket, Key=args.key)
    return {"bucket": args.bucket, "key": args.key}


def lambda_record(message, source_arn, region):
    """One SQS message as the Lambda SQS event source mapping presents it."""
    attributes = message.get("Attributes", {})
    record = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {k: attributes[k] for k in LAMBDA_SQS_ATTRIBUTES if k in attributes},
        "messageAttributes": {
            name: {"stringValue": value.get("StringValue"), "binaryValue": value.get("BinaryValue"),
                   "stringListValues": [], "binaryListValues": [], "dataType": value["DataType"]}
            for name, value in message.get("MessageAttributes", {}).items()},
        "md5OfBody": message["MD5OfBody"],
    }
    if "MD5OfMessageAttributes" in message:
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    record.update({"eventSource": "aws:sqs", "eventSourceARN": source_arn, "awsRegion": region})
    return record


def cmd_drain(args):
    sqs = client(args, "sqs", args.region)
    source_arn = queue_arn(sqs, args.queue_url)
    deadline = time.monotonic() + args.timeout
    messages, empty_in_a_row = [], 0
    while empty_in_a_row < 2 or len(messages) < args.expect:
        if empty_in_a_row >= 2 and time.monotonic() >= deadline:
            # Make what we hid visible again so a retry can still see it, then fail.
            for m in messages:
                sqs.change_message_visibility(QueueUrl=args.queue_url, ReceiptHandle=m["ReceiptHandle"],
                                              VisibilityTimeout=0)
            raise Fail(f"expected {args.expect} messages, got {len(messages)} within {args.timeout:g}s")
        batch = sqs.receive_message(QueueUrl=args.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                    AttributeNames=["All"], MessageAttributeNames=["All"]).get("Messages", [])
        messages += batch
        empty_in_a_row = 0 if batch else empty_in_a_row + 1
    for m in messages:
        sqs.delete_message(QueueUrl=args.queue_url, ReceiptHandle=m["ReceiptHandle"])
    return {"Records": [lambda_record(m, source_arn, args.region) for m in messages]}


def cmd_create_distribution(args):
    bucket = args.bucket
    origin = {"Id": f"origin-{bucket}", "OriginPath": args.origin_path or ""}
    if args.website:
        origin["DomainName"] = f"{bucket}.s3-website-{REGION}.amazonaws.com"
        origin["CustomOriginConfig"] = {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"}
    else:
        origin["DomainName"] = f"{bucket}.s3.amazonaws.com"
        origin["S3OriginConfig"] = {"OriginAccessIdentity": ""}
    config = {
        "CallerReference": f"aws-fixture-{uuid.uuid4()}",
        "Comment": f"aws_fixture distribution for {bucket}",
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": {
            "TargetOriginId": origin["Id"],
            "ViewerProtocolPolicy": "redirect-to-https",
            "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
            "MinTTL": 0,
        },
    }
    dist = client(args, "cloudfront").create_distribution(DistributionConfig=config)["Distribution"]
    return {"id": dist["Id"], "domainName": dist["DomainName"], "originDomain": origin["DomainName"]}


def cmd_invalidations(args):
    cloudfront = client(args, "cloudfront")
    summaries = []
    for page in cloudfront.get_paginator("list_invalidations").paginate(DistributionId=args.distribution_id):
        summaries += page["InvalidationList"].get("Items", [])
    # moto lists oldest first, real CloudFront newest first; the stable sort gives oldest first for both.
    summaries.sort(key=lambda s: s["CreateTime"])
    invalidations = []
    for summary in summaries:
        inv = cloudfront.get_invalidation(DistributionId=args.distribution_id, Id=summary["Id"])["Invalidation"]
        batch = inv["InvalidationBatch"]
        invalidations.append({"id": inv["Id"], "status": inv["Status"], "callerReference": batch["CallerReference"],
                              "paths": batch["Paths"].get("Items", [])})
    return {"distributionId": args.distribution_id, "invalidations": invalidations}


def cmd_create_function(args):
    import io
    import zipfile
    iam = client(args, "iam")
    role = iam.create_role(RoleName=f"{args.name}-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    artifact = io.BytesIO()
    with zipfile.ZipFile(artifact, "w") as archive:
        archive.writestr("bootstrap", "#!/bin/sh\n")
    extra = {}
    if args.timeout is not None:
        extra["Timeout"] = args.timeout
    if args.memory is not None:
        extra["MemorySize"] = args.memory
    if args.environment is not None:
        extra["Environment"] = {"Variables": json.loads(args.environment)}
    function = client(args, "lambda").create_function(
        FunctionName=args.name, Runtime="provided.al2023", Role=role, Handler="bootstrap",
        Code={"ZipFile": artifact.getvalue()}, **extra)
    return {"functionArn": function["FunctionArn"], "roleArn": role}


def cmd_call(args):
    answer = getattr(client(args, args.service), args.operation)(**json.loads(args.parameters))
    answer.pop("ResponseMetadata", None)
    # Timestamps and bodies as text: the answer must be JSON whatever the operation.
    return json.loads(json.dumps(answer, default=str))


def cmd_notification_config(args):
    configuration = client(args, "s3").get_bucket_notification_configuration(Bucket=args.bucket)
    configuration.pop("ResponseMetadata", None)
    return configuration


def cmd_put_notification_config(args):
    s3 = client(args, "s3", args.region)
    try:
        if args.region == REGION:
            s3.create_bucket(Bucket=args.bucket)
        else:
            s3.create_bucket(Bucket=args.bucket, CreateBucketConfiguration={"LocationConstraint": args.region})
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    s3.put_bucket_notification_configuration(Bucket=args.bucket,
                                             NotificationConfiguration=json.loads(args.configuration))
    return cmd_notification_config(args)


def cmd_function_policy(args):
    lambda_client = client(args, "lambda")
    try:
        policy = json.loads(lambda_client.get_policy(FunctionName=args.function)["Policy"])
    except lambda_client.exceptions.ResourceNotFoundException:
        return {"statements": []}
    return {"statements": policy.get("Statement", [])}


def cmd_put_parameter(args):
    client(args, "ssm").put_parameter(Name=args.name, Value=args.value, Overwrite=True,
                                      Type="SecureString" if args.secure else "String")
    return {"name": args.name}


def cmd_create_table(args):
    dynamodb = client(args, "dynamodb")
    dynamodb.create_table(TableName=args.name, BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                                {"AttributeName": "sk", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                     {"AttributeName": "sk", "KeyType": "RANGE"}])
    dynamodb.update_time_to_live(TableName=args.name,
                                 TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    return {"table": args.name}


def cmd_table_items(args):
    from boto3.dynamodb.types import TypeDeserializer
    plain = TypeDeserializer()
    pages = client(args, "dynamodb").get_paginator("scan").paginate(TableName=args.name, ConsistentRead=True)
    items = [{k: plain.deserialize(v) for k, v in item.items()} for page in pages for item in page["Items"]]
    for item in items:
        for key, value in item.items():
            if not isinstance(value, (str, bool)) and value is not None and not isinstance(value, list):
                item[key] = int(value) if value == int(value) else float(value)
    return {"items": sorted(items, key=lambda item: (item["pk"], item["sk"]))}


def cmd_create_role(args):
    statement = {"Effect": "Allow", "Principal": {"AWS": args.trusted_principal}, "Action": "sts:AssumeRole"}
    if args.external_id:
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": args.external_id}}
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    role = client(args, "iam").create_role(RoleName=args.name, AssumeRolePolicyDocument=json.dumps(policy))["Role"]
    return {"arn": role["Arn"], "roleId": role["RoleId"], "name": role["RoleName"]}


def cmd_distributions(args):
    cloudfront = client(args, "cloudfront")
    ids = []
    for page in cloudfront.get_paginator("list_distributions").paginate():
        ids += [item["Id"] for item in page["DistributionList"].get("Items", [])]
    return {"ids": sorted(ids)}


def cmd_issued_credentials(args):
    """Every AssumeRole answer moto gave for the role, secrets included: what a log must never show."""
    if not args.role_arn:
        raise Fail("--role-arn is required")
    import urllib.request
    with urllib.request.urlopen(args.endpoint.rstrip("/") + "/moto-api/data.json", timeout=30) as answer:
        state = json.load(answer)
    issued = [{"accessKeyId": role["access_key_id"], "secretAccessKey": role["secret_access_key"],
               "sessionToken": role["session_token"], "sessionName": role["session_name"],
               "externalId": role["external_id"], "accountId": role["account_id"]}
              for role in state.get("sts", {}).get("AssumedRole", []) if role.get("role_arn") == args.role_arn]
    return {"roleArn": args.role_arn, "issued": issued}


def parser():
    p = argparse.ArgumentParser(prog="aws_fixture.py", description=__doc__.splitlines()[0])
    p.add_argument("--endpoint", default=os.environ.get("MOTO_ENDPOINT"),
                   help="moto endpoint, e.g. http://127.0.0.1:5000 (default: $MOTO_ENDPOINT)")
    sub = p.add_subparsers(dest="command", required=True)
    # --endpoint is accepted before or after the subcommand.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--endpoint", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    # Any command in another account: the role's, through moto's STS (moto does not check the trust policy).
    common.add_argument("--role-arn", help="act in this role's account, with credentials moto's STS issues for it")
    common.add_argument("--assume-external-id", dest="external_id_for_role", help="the ExternalId to assume it with")

    s = sub.add_parser("wire", parents=[common], help="bucket, queue (+ topic or rule), bucket notification")
    s.add_argument("--route", required=True, choices=["s3-sqs", "s3-sns-sqs", "s3-eventbridge-sqs"])
    s.add_argument("--bucket", required=True)
    s.add_argument("--queue", help="queue name (default: BUCKET-queue)")
    s.set_defaults(run=cmd_wire)

    for name, run in (("put", cmd_put), ("delete", cmd_delete)):
        s = sub.add_parser(name, parents=[common], help=f"{name} one object")
        s.add_argument("--bucket", required=True)
        s.add_argument("--key", required=True)
        if name == "put":
            s.add_argument("--body", help="object body (default: the key)")
        s.set_defaults(run=run)

    s = sub.add_parser("drain", parents=[common], help="receive + delete all messages, print a Lambda SQS event")
    s.add_argument("--queue-url", required=True)
    s.add_argument("--region", default=REGION)
    s.add_argument("--expect", type=int, default=0, help="keep polling until at least N messages arrived")
    s.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for --expect (default 20)")
    s.set_defaults(run=cmd_drain)

    s = sub.add_parser("create-distribution", parents=[common], help="distribution whose only origin is the bucket")
    s.add_argument("--bucket", required=True)
    s.add_argument("--origin-path", help="OriginPath, e.g. /production")
    s.add_argument("--website", action="store_true", help="use the S3 website endpoint (custom origin)")
    s.set_defaults(run=cmd_create_distribution)

    s = sub.add_parser("invalidations", parents=[common], help="all invalidations of a distribution, oldest first")
    s.add_argument("--distribution-id", required=True)
    s.set_defaults(run=cmd_invalidations)

    s = sub.add_parser("put-parameter", parents=[common], help="SSM String or SecureString parameter")
    s.add_argument("--name", required=True)
    s.add_argument("--value", required=True)
    s.add_argument("--secure", action="store_true")
    s.set_defaults(run=cmd_put_parameter)

    s = sub.add_parser("create-function", parents=[common], help="a Lambda function (and its role) to notify")
    s.add_argument("--name", required=True)
    s.add_argument("--timeout", type=int, help="Timeout in seconds (default: Lambda's, 3)")
    s.add_argument("--memory", type=int, help="MemorySize in MB (default: Lambda's, 128)")
    s.add_argument("--environment", help="the function's environment variables, a JSON object")
    s.set_defaults(run=cmd_create_function)

    s = sub.add_parser("notification-config", parents=[common], help="a bucket's notification configuration")
    s.add_argument("--bucket", required=True)
    s.set_defaults(run=cmd_notification_config)

    s = sub.add_parser("put-notification-config", parents=[common],
                       help="set a bucket's notification configuration (JSON), creating the bucket when missing")
    s.add_argument("--bucket", required=True)
    s.add_argument("--configuration", required=True, help="a NotificationConfiguration as JSON")
    s.add_argument("--region", default=REGION, help="the Region of a bucket created here (default us-east-1)")
    s.set_defaults(run=cmd_put_notification_config)

    s = sub.add_parser("function-policy", parents=[common], help="the statements of a function's resource policy")
    s.add_argument("--function", required=True, help="function name or ARN")
    s.set_defaults(run=cmd_function_policy)

    s = sub.add_parser("create-table", parents=[common], help="a coalescing table: pk, sk, on demand, TTL on expires")
    s.add_argument("--name", required=True)
    s.set_defaults(run=cmd_create_table)

    s = sub.add_parser("table-items", parents=[common], help="every item of a table, as plain JSON values")
    s.add_argument("--name", required=True)
    s.set_defaults(run=cmd_table_items)

    s = sub.add_parser("create-role", parents=[common], help="an IAM role a principal may assume")
    s.add_argument("--name", required=True)
    s.add_argument("--trusted-principal", default="arn:aws:iam::123456789012:root",
                   help="the AWS principal its trust policy names (default: moto's account)")
    s.add_argument("--external-id", help="the sts:ExternalId its trust policy requires")
    s.set_defaults(run=cmd_create_role)

    s = sub.add_parser("call", parents=[common], help="one boto3 call, its answer as JSON")
    s.add_argument("--service", required=True, help="boto3 service name: sqs, lambda, events, s3...")
    s.add_argument("--operation", required=True, help="boto3 method name, e.g. set_queue_attributes")
    s.add_argument("--parameters", default="{}", help="its keyword arguments, a JSON object")
    s.set_defaults(run=cmd_call)

    s = sub.add_parser("distributions", parents=[common], help="the ids of the account's distributions")
    s.set_defaults(run=cmd_distributions)

    s = sub.add_parser("issued-credentials", parents=[common],
                       help="what moto's STS issued for --role-arn: key ids, secrets, tokens, session names")
    s.set_defaults(run=cmd_issued_credentials)
    return p


def main():
    args = parser().parse_args()
    if not args.endpoint:
        print("aws_fixture.py: no endpoint: pass --endpoint or set MOTO_ENDPOINT", file=sys.stderr)
        return 2
    try:
        result = args.run(args)
    except Exception as error:  # one line on stderr, whatever went wrong
        reason = str(error).replace("\n", " ")
        if not isinstance(error, Fail):
            reason = f"{type(error).__name__}: {reason}"
        print(f"aws_fixture.py {args.command}: {reason}", file=sys.stderr)
        return 1
    # UTF-8 bytes whatever the locale; compact, keys in insertion order, bodies untouched.
    sys.stdout.buffer.write(json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
