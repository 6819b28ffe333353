"""The Python baseline: the function a user would otherwise write with boto3, doing the same job.

SQS batches of S3 notifications in, one CloudFront invalidation per batch out, partial batch failures reported.
Kept deliberately plain (no retries beyond boto3's, no planner): what `make bench` compares the Swift function to.
"""
import hashlib
import json
import os
import urllib.parse

import boto3

cloudfront = boto3.client("cloudfront")
DISTRIBUTION_ID = os.environ["CLOUDFRONT_DISTRIBUTION_ID"]


def paths_of(body):
    for record in json.loads(body).get("Records", []):
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        yield "/" + urllib.parse.quote(key, safe="/~!$&'()+,;=:@")


def handler(event, context):
    paths, ids = set(), []
    for record in event.get("Records", []):
        try:
            paths.update(paths_of(record["body"]))
            ids.append(record["messageId"])
        except (KeyError, ValueError, TypeError):
            print(f"skipping malformed record {record.get('messageId')}")
    if not paths:
        return {"batchItemFailures": []}
    items = sorted(paths) if len(paths) <= 1000 else ["/*"]
    reference = hashlib.sha256("\n".join(ids + items).encode()).hexdigest()[:40]
    try:
        cloudfront.create_invalidation(
            DistributionId=DISTRIBUTION_ID,
            InvalidationBatch={"Paths": {"Quantity": len(items), "Items": items}, "CallerReference": reference},
        )
    except Exception as error:  # noqa: BLE001 - hand the whole batch back
        print(f"invalidation failed: {error}")
        return {"batchItemFailures": [{"itemIdentifier": i} for i in ids]}
    return {"batchItemFailures": []}
