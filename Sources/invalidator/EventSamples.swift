import Digests
import Formats
import InvalidationCore
import JSONSupport

/// Realistic events for trying the function locally (`invalidator events sample`), in the shapes AWS documents
/// (the event examples of the S3, SQS, SNS, EventBridge and CodePipeline documentation). Deterministic: the same
/// kind, bucket and keys give the same event, ids included.
enum EventSamples {
    enum Kind: String, CaseIterable, Sendable {
        case s3
        case sqsS3 = "sqs-s3"
        case sqsEventBridge = "sqs-eventbridge"
        case sns
        case codePipeline = "codepipeline"
    }

    static let account = "123456789012"
    static let region = "us-east-1"
    static let time = "2026-11-22T10:00:00.000Z"

    /// One event of `kind` for these keys (for `codepipeline`, the keys become the job's paths). S3 notifies one object
    /// per event: `s3` and `sns` samples use the first key; `sqs-s3` and `sqs-eventbridge` carry one message per key.
    static func event(
        _ kind: Kind, bucket: String = "my-site-bucket", keys: [String] = ["index.html", "assets/app.js"],
        distributionId: String = "E2QWRUHAPOMQZL"
    ) -> String {
        switch kind {
        case .s3:
            return JSON.serialize(
                .object(["Records": .array(keys.prefix(1).map { s3Record(bucket: bucket, key: $0) })]))
        case .sqsS3:
            let messages = keys.map { key in
                sqsMessage(body: JSON.serialize(.object(["Records": .array([s3Record(bucket: bucket, key: key)])])))
            }
            return JSON.serialize(.object(["Records": .array(messages)]))
        case .sqsEventBridge:
            let messages = keys.map { sqsMessage(body: JSON.serialize(eventBridge(bucket: bucket, key: $0))) }
            return JSON.serialize(.object(["Records": .array(messages)]))
        case .sns:
            let message = JSON.serialize(
                .object(["Records": .array(keys.prefix(1).map { s3Record(bucket: bucket, key: $0) })]))
            let id = uuid("sns", message)
            let topic = "arn:aws:sns:\(region):\(account):\(bucket)-changes"
            return JSON.serialize(
                .object([
                    "Records": .array([
                        .object([
                            "EventSource": .string("aws:sns"), "EventVersion": .string("1.0"),
                            "EventSubscriptionArn": .string("\(topic):\(uuid("subscription", topic))"),
                            "Sns": .object([
                                "Type": .string("Notification"), "MessageId": .string(id), "TopicArn": .string(topic),
                                "Subject": .string("Amazon S3 Notification"), "Message": .string(message),
                                "Timestamp": .string(time), "SignatureVersion": .string("1"),
                                "Signature": .string("EXAMPLE"),
                                "SigningCertUrl": .string(
                                    "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-EXAMPLE.pem"),
                                "UnsubscribeUrl": .string(
                                    "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=\(topic)"),
                                "MessageAttributes": .object([:]),
                            ]),
                        ])
                    ])
                ]))
        case .codePipeline:
            let paths = keys.map { "/" + $0 }
            let parameters = JSON.serialize(
                .object(["distributionId": .string(distributionId), "paths": .array(paths.map { .string($0) })]))
            return JSON.serialize(
                .object([
                    "CodePipeline.job": .object([
                        "id": .string(uuid("job", parameters)), "accountId": .string(account),
                        "data": .object([
                            "actionConfiguration": .object([
                                "configuration": .object([
                                    "FunctionName": .string("cloudfront-invalidator"),
                                    "UserParameters": .string(parameters),
                                ])
                            ]),
                            "inputArtifacts": .array([]), "outputArtifacts": .array([]),
                            "artifactCredentials": .object([
                                "accessKeyId": .string("AKIAIOSFODNN7EXAMPLE"),
                                "secretAccessKey": .string("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                                "sessionToken": .string("EXAMPLE-SESSION-TOKEN"),
                            ]),
                        ]),
                    ])
                ]))
        }
    }

    static func s3Record(bucket: String, key: String) -> JSONValue {
        let etag = Hex.string(Array(MD5Digest.hash(Array(key.utf8))))
        return .object([
            "eventVersion": .string("2.1"), "eventSource": .string("aws:s3"), "awsRegion": .string(region),
            "eventTime": .string(time),
            "eventName": .string("ObjectCreated:Put"),
            "userIdentity": .object(["principalId": .string("AWS:AIDAEXAMPLEEXAMPLE")]),
            "requestParameters": .object(["sourceIPAddress": .string("203.0.113.10")]),
            "responseElements": .object([
                "x-amz-request-id": .string(String(etag.prefix(16)).uppercased()),
                "x-amz-id-2": .string(etag + "/EXAMPLE"),
            ]),
            "s3": .object([
                "s3SchemaVersion": .string("1.0"), "configurationId": .string("invalidate-cloudfront"),
                "bucket": .object([
                    "name": .string(bucket), "ownerIdentity": .object(["principalId": .string("A3NL1KOZZKExample")]),
                    "arn": .string("arn:aws:s3:::\(bucket)"),
                ]),
                "object": .object([
                    "key": .string(ObjectKey.notificationForm(key)), "size": .number("1024"), "eTag": .string(etag),
                    "sequencer": .string(String(etag.prefix(18)).uppercased()),
                ]),
            ]),
        ])
    }

    static func eventBridge(bucket: String, key: String) -> JSONValue {
        let etag = Hex.string(Array(MD5Digest.hash(Array(key.utf8))))
        return .object([
            "version": .string("0"), "id": .string(uuid("eventbridge", bucket + "/" + key)),
            "detail-type": .string("Object Created"),
            "source": .string("aws.s3"), "account": .string(account), "time": .string("2026-11-22T10:00:00Z"),
            "region": .string(region),
            "resources": .array([.string("arn:aws:s3:::\(bucket)")]),
            "detail": .object([
                "version": .string("0"), "bucket": .object(["name": .string(bucket)]),
                "object": .object([
                    "key": .string(key), "size": .number("1024"), "etag": .string(etag),
                    "sequencer": .string(String(etag.prefix(18)).uppercased()),
                ]),
                "request-id": .string(String(etag.prefix(16)).uppercased()), "requester": .string(account),
                "source-ip-address": .string("203.0.113.10"), "reason": .string("PutObject"),
            ]),
        ])
    }

    static func sqsMessage(body: String) -> JSONValue {
        .object([
            "messageId": .string(uuid("sqs", body)),
            "receiptHandle": .string("AQEB" + Hex.string(Array(SHA256Hasher.hash(Array(body.utf8))))),
            "body": .string(body),
            "attributes": .object([
                "ApproximateReceiveCount": .string("1"), "SentTimestamp": .string("1795341600000"),
                "SenderId": .string("AIDAEXAMPLEEXAMPLE"),
                "ApproximateFirstReceiveTimestamp": .string("1795341600010"),
            ]),
            "messageAttributes": .object([:]),
            "md5OfBody": .string(Hex.string(Array(MD5Digest.hash(Array(body.utf8))))),
            "eventSource": .string("aws:sqs"),
            "eventSourceARN": .string("arn:aws:sqs:\(region):\(account):site-changes"),
            "awsRegion": .string(region),
        ])
    }

    /// A version-4-shaped UUID derived from the content, so samples are reproducible.
    static func uuid(_ salt: String, _ content: String) -> String {
        let digits = Array(Hex.string(SHA256Hasher.hash(Array("\(salt)\n\(content)".utf8))))
        let text =
            String(digits[0..<8]) + "-" + String(digits[8..<12]) + "-4" + String(digits[13..<16]) + "-a"
            + String(digits[17..<20]) + "-" + String(digits[20..<32])
        return text
    }

}
