import AWSClient
import FoundationEssentials
import Invalidator
import JSONSupport

extension Doctor {
    /// AWS advises a queue's visibility timeout of at least six times the function's timeout
    /// (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html).
    static let visibilityTimeoutFactor = 6

    /// The function's SQS event source mappings and their queues; answers the queues' ARNs.
    func checkEventSourceMappings(_ facts: FunctionFacts) async -> ([Finding], [String]) {
        let mappings: [EventSourceMapping]
        do {
            // By name: Lambda takes a name or an ARN, moto 5.2 only the name.
            mappings = try await clients.lambda.listEventSourceMappings(functionName: facts.function.functionName)
        } catch {
            return (
                [.unchecked("trigger", "event source mapping", error, permission: "lambda:ListEventSourceMappings")], []
            )
        }
        let queues = mappings.filter { $0.eventSourceArn.contains(":sqs:") }
        guard !queues.isEmpty else {
            return ([.ok("trigger", "event source mapping", "none: the function is invoked directly")], [])
        }
        var findings: [Finding] = []
        for mapping in queues {
            findings += Self.mappingFindings(mapping, reservedConcurrency: facts.reservedConcurrency)
            findings += await checkQueue(mapping.eventSourceArn, functionTimeout: facts.function.timeoutSeconds)
        }
        return (findings, queues.map(\.eventSourceArn))
    }

    static func queueName(_ arn: String) -> String {
        arn.split(separator: ":").last.map(String.init) ?? arn
    }

    /// Enabled, `ReportBatchItemFailures`, batch size and window, maximum concurrency.
    static func mappingFindings(_ mapping: EventSourceMapping, reservedConcurrency: Int?) -> [Finding] {
        let area = "trigger"
        let check = "event source mapping \(queueName(mapping.eventSourceArn))"
        let update = "aws lambda update-event-source-mapping --uuid \(mapping.uuid)"
        var findings: [Finding] = []
        if mapping.state == "Enabled" {
            findings.append(.ok(area, check, "enabled"))
        } else {
            findings.append(
                .problem(
                    area, check, "\(mapping.state.isEmpty ? "not enabled" : mapping.state): messages wait on the queue",
                    fix: "\(update) --enabled"))
        }
        if mapping.functionResponseTypes.contains("ReportBatchItemFailures") {
            findings.append(.ok(area, check, "ReportBatchItemFailures on"))
        } else {
            findings.append(
                .problem(
                    area, check,
                    "no ReportBatchItemFailures: Lambda ignores the records the function reports failed, so their "
                        + "changes are deleted from the queue uninvalidated",
                    fix: "\(update) --function-response-types ReportBatchItemFailures"))
        }
        let window = mapping.maximumBatchingWindowSeconds ?? 0
        findings.append(
            .ok(area, check, "batch size \(mapping.batchSize.map(String.init) ?? "default"), window \(window) s"))
        switch (mapping.maximumConcurrency, reservedConcurrency) {
        case (let maximum?, let reserved?) where maximum > reserved:
            findings.append(
                .warning(
                    area, check,
                    "maximum concurrency \(maximum) is above the function's reserved concurrency \(reserved): the "
                        + "extra batches are throttled and return to the queue",
                    fix: "\(update) --scaling-config MaximumConcurrency=\(max(2, reserved))"))
        case (let maximum?, _):
            findings.append(.ok(area, check, "maximum concurrency \(maximum)"))
        case (nil, _):
            findings.append(.ok(area, check, "maximum concurrency not limited"))
        }
        return findings
    }

    /// The queue: its visibility timeout against the function's timeout, its dead-letter queue and that queue's
    /// depth.
    func checkQueue(_ arn: String, functionTimeout: Int) async -> [Finding] {
        let area = "trigger"
        let check = "queue \(Self.queueName(arn))"
        guard let url = SQSClient.queueURL(fromARN: arn) else {
            return [.warning(area, check, "\(arn) is not a queue ARN the doctor can read", fix: "check the mapping")]
        }
        let attributes: [String: String]
        do {
            attributes = try await clients.sqs.getQueueAttributes(queueURL: url)
        } catch {
            return [.unchecked(area, check, error, permission: "sqs:GetQueueAttributes")]
        }
        var findings = Self.queueFindings(attributes, queueName: Self.queueName(arn), functionTimeout: functionTimeout)
        if let deadLetter = Self.deadLetterArn(attributes) {
            findings.append(await checkDeadLetterQueue(deadLetter))
        }
        return findings
    }

    static func queueFindings(_ attributes: [String: String], queueName: String, functionTimeout: Int) -> [Finding] {
        let area = "trigger"
        let check = "queue \(queueName)"
        var findings: [Finding] = []
        let needed = visibilityTimeoutFactor * functionTimeout
        if let visibility = attributes["VisibilityTimeout"].flatMap({ Int($0) }), visibility < needed {
            findings.append(
                .problem(
                    area, check,
                    "visibility timeout \(visibility) s is less than 6 x the function's timeout (\(functionTimeout) s): "
                        + "a batch still running comes back and is handled twice",
                    fix: "set the queue's VisibilityTimeout to at least \(needed) s"))
        } else {
            findings.append(
                .ok(area, check, "visibility timeout \(attributes["VisibilityTimeout"] ?? "?") s (>= \(needed) s)"))
        }
        if let deadLetter = deadLetterArn(attributes) {
            findings.append(.ok(area, check, "dead-letter queue \(Self.queueName(deadLetter))"))
        } else {
            findings.append(
                .warning(
                    area, check,
                    "no dead-letter queue: a message that keeps failing is retried until the retention ends, then lost",
                    fix: "set a RedrivePolicy (maxReceiveCount 5) to a dead-letter queue"))
        }
        return findings
    }

    /// `RedrivePolicy.deadLetterTargetArn`, nil when there is none.
    static func deadLetterArn(_ attributes: [String: String]) -> String? {
        guard let text = attributes["RedrivePolicy"], !text.isEmpty, let policy = try? JSON.parse(text),
            let arn = policy["deadLetterTargetArn"]?.string, !arn.isEmpty
        else { return nil }
        return arn
    }

    func checkDeadLetterQueue(_ arn: String) async -> Finding {
        let area = "trigger"
        let check = "dead-letter queue \(Self.queueName(arn))"
        guard let url = SQSClient.queueURL(fromARN: arn) else {
            return .warning(area, check, "\(arn) is not a queue ARN", fix: "correct the source queue's RedrivePolicy")
        }
        do {
            let attributes = try await clients.sqs.getQueueAttributes(queueURL: url)
            let depth = Int(attributes["ApproximateNumberOfMessages"] ?? "") ?? 0
            guard depth > 0 else { return .ok(area, check, "empty") }
            return .warning(
                area, check, "\(depth) message(s): changes the function gave up on, not invalidated",
                fix:
                    "read why in the function's logs, then redrive them: aws sqs start-message-move-task --source-arn \(arn)"
            )
        } catch {
            if error.code == "QueueDoesNotExist" || error.code == "NonExistentQueue" {
                return .problem(
                    area, check, "does not exist: messages that fail are lost",
                    fix: "create it, or point the RedrivePolicy at one that exists")
            }
            return .unchecked(area, check, error, permission: "sqs:GetQueueAttributes")
        }
    }

    /// The coalescing table: it exists, has the key schema the function writes (`pk` hash, `sk` range), and
    /// expires closed windows through TTL on `expires`.
    func checkCoalescingTable(_ settings: CoalesceSettings) async -> [Finding] {
        let area = "trigger"
        let check = "coalescing table \(settings.table)"
        var findings: [Finding] = []
        do {
            let (status, keys) = try await clients.dynamoDB.describeTable(table: settings.table)
            findings += Self.tableFindings(check: check, status: status, keys: keys)
        } catch {
            if error.code == "ResourceNotFoundException" {
                return [
                    .problem(
                        area, check, "does not exist: every batch fails (COALESCE_TABLE)",
                        fix: "create it: partition key pk (S), sort key sk (S), on demand, TTL on expires")
                ]
            }
            return [.unchecked(area, check, error, permission: "dynamodb:DescribeTable")]
        }
        do {
            let (status, attribute) = try await clients.dynamoDB.describeTimeToLive(table: settings.table)
            if ["ENABLED", "ENABLING"].contains(status), attribute == "expires" {
                findings.append(.ok(area, check, "TTL on expires"))
            } else {
                findings.append(
                    .warning(
                        area, check,
                        "TTL is \(status.isEmpty ? "off" : status) on \(attribute ?? "no attribute"): "
                            + "closed windows are never removed",
                        fix: "aws dynamodb update-time-to-live --table-name \(settings.table) "
                            + "--time-to-live-specification Enabled=true,AttributeName=expires"))
            }
        } catch {
            findings.append(.unchecked(area, check, error, permission: "dynamodb:DescribeTimeToLive"))
        }
        return findings
    }

    static func tableFindings(check: String, status: String, keys: [(name: String, type: String)]) -> [Finding] {
        let shown = keys.map { "\($0.name) \($0.type)" }.joined(separator: ", ")
        guard keys.count == 2, keys.contains(where: { $0.name == "pk" && $0.type == "HASH" }),
            keys.contains(where: { $0.name == "sk" && $0.type == "RANGE" })
        else {
            return [
                .problem(
                    "trigger", check,
                    "key schema is \(shown.isEmpty ? "unknown" : shown), not pk HASH, sk RANGE: "
                        + "every write fails",
                    fix: "create a table with partition key pk (S) and sort key sk (S) and name it in COALESCE_TABLE")
            ]
        }
        if status != "ACTIVE" {
            return [.warning("trigger", check, "status \(status), not ACTIVE", fix: "wait until it is ACTIVE")]
        }
        return [.ok("trigger", check, "exists, key schema pk HASH, sk RANGE")]
    }
}
