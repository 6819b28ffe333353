import AWSClient
import JSONSupport

extension Doctor {
    /// Each bucket's notification configuration, and when it sends to EventBridge, the rules that carry its events
    /// to the function or its queue.
    func checkBuckets(_ buckets: [String], facts: FunctionFacts?) async -> [Finding] {
        guard !buckets.isEmpty else {
            guard facts != nil else { return [] }
            return [
                .warning(
                    "trigger", "bucket", "no bucket named, so its notifications were not checked",
                    fix: "pass --bucket with the bucket the function serves")
            ]
        }
        var findings: [Finding] = []
        for bucket in buckets {
            let configuration: BucketNotificationConfiguration
            do {
                configuration = try await clients.s3.getBucketNotificationConfiguration(bucket: bucket)
            } catch {
                if error.code == "NoSuchBucket" {
                    findings.append(.problem("trigger", "bucket \(bucket)", "does not exist", fix: "check --bucket"))
                } else {
                    findings.append(
                        .unchecked("trigger", "bucket \(bucket)", error, permission: "s3:GetBucketNotification"))
                }
                continue
            }
            let targets = facts.map { [$0.function.functionArn] + $0.queueArns } ?? []
            // A direct notification that reaches the function is the wiring, whether EventBridge is on or not.
            let direct = (configuration.functions + configuration.queues).contains {
                Self.reaches($0.arn, targets: targets)
            }
            var checked = configuration
            if direct { checked.eventBridgeEnabled = false }
            findings += Self.notificationFindings(checked, bucket: bucket, targets: targets)
            if checked.eventBridgeEnabled, !targets.isEmpty {
                findings += await checkRules(bucket: bucket, targets: targets)
            }
        }
        return findings
    }

    /// Whether a notification's ARN is one of `targets` (a function's ARN also matches it with a qualifier).
    static func reaches(_ arn: String, targets: [String]) -> Bool {
        targets.contains { arn == $0 || arn.hasPrefix($0 + ":") }
    }

    /// The bucket's notifications: EventBridge on, or a notification that reaches the function (directly or
    /// through its queue) for both created and removed objects.
    static func notificationFindings(
        _ configuration: BucketNotificationConfiguration, bucket: String, targets: [String]
    ) -> [Finding] {
        let check = "bucket \(bucket) notifications"
        let enable = "scripts/enable-bucket-notifications --bucket \(bucket) --wiring eventbridge"
        if configuration.eventBridgeEnabled {
            return [.ok("trigger", check, "EventBridge notifications on")]
        }
        let all = configuration.functions + configuration.queues + configuration.topics
        guard !targets.isEmpty else {
            guard !all.isEmpty else {
                return [.problem("trigger", check, "EventBridge off and no notification at all", fix: enable)]
            }
            return [
                .warning(
                    "trigger", check,
                    "EventBridge off; notifications go to \(all.map(\.arn).joined(separator: ", ")), which the doctor "
                        + "cannot match to a function without --function-name",
                    fix: "pass --function-name to check that one reaches the function")
            ]
        }
        let reaching = (configuration.functions + configuration.queues).filter { reaches($0.arn, targets: targets) }
        guard !reaching.isEmpty else {
            if !configuration.topics.isEmpty {
                return [
                    .warning(
                        "trigger", check,
                        "EventBridge off; topic \(configuration.topics.map(\.arn).joined(separator: ", ")) may reach the "
                            + "function, but the doctor does not follow SNS subscriptions",
                        fix: "confirm the topic's subscription delivers to the function's queue, or \(enable)")
                ]
            }
            let others =
                all.isEmpty ? "" : " (it holds \(all.count) other notification(s): overwritten by another deploy?)"
            return [
                .problem(
                    "trigger", check, "EventBridge off and no notification reaches the function\(others)", fix: enable)
            ]
        }
        let events = reaching.flatMap(\.events)
        var missing: [String] = []
        if !events.contains(where: { $0.hasPrefix("s3:ObjectCreated:") }) { missing.append("s3:ObjectCreated:*") }
        if !events.contains(where: { $0.hasPrefix("s3:ObjectRemoved:") }) { missing.append("s3:ObjectRemoved:*") }
        let names = reaching.map { $0.id.isEmpty ? $0.arn : $0.id }.joined(separator: ", ")
        guard missing.isEmpty else {
            return [
                .problem(
                    "trigger", check,
                    "notification \(names) lacks \(missing.joined(separator: " and ")): those "
                        + "changes are never invalidated",
                    fix: "add \(missing.joined(separator: ", ")) to \(names), or \(enable)")
            ]
        }
        return [.ok("trigger", check, "notification \(names) sends created and removed objects to the function")]
    }

    /// The EventBridge rules with the function or its queue as a target: one enabled rule must match the
    /// bucket's `Object Created` and `Object Deleted` events.
    func checkRules(bucket: String, targets: [String]) async -> [Finding] {
        let check = "bucket \(bucket) rule"
        var created: [String] = []
        var deleted: [String] = []
        var findings: [Finding] = []
        for target in targets {
            let names: [String]
            do {
                names = try await clients.eventBridge.listRuleNamesByTarget(targetArn: target)
            } catch {
                return [.unchecked("trigger", check, error, permission: "events:ListRuleNamesByTarget")]
            }
            for name in names {
                let rule: EventBridgeRule
                do {
                    rule = try await clients.eventBridge.describeRule(name: name)
                } catch {
                    findings.append(.unchecked("trigger", check, error, permission: "events:DescribeRule"))
                    continue
                }
                guard let coverage = Self.ruleCoverage(rule.eventPattern, bucket: bucket) else { continue }
                guard rule.state == "ENABLED" else {
                    findings.append(
                        .problem(
                            "trigger", check, "rule \(name) matches the bucket but is \(rule.state)",
                            fix: "aws events enable-rule --name \(name)"))
                    continue
                }
                if coverage.created { created.append(name) }
                if coverage.deleted { deleted.append(name) }
            }
        }
        findings += Self.ruleFindings(check: check, bucket: bucket, created: created, deleted: deleted)
        return findings
    }

    static func ruleFindings(check: String, bucket: String, created: [String], deleted: [String]) -> [Finding] {
        let pattern =
            "{\"source\":[\"aws.s3\"],\"detail-type\":[\"Object Created\",\"Object Deleted\"],"
            + "\"detail\":{\"bucket\":{\"name\":[\"\(bucket)\"]}}}"
        switch (created.isEmpty, deleted.isEmpty) {
        case (false, false):
            let names = Set(created + deleted).sorted().joined(separator: ", ")
            return [.ok("trigger", check, "rule \(names) sends Object Created and Object Deleted to the function")]
        case (true, true):
            return [
                .problem(
                    "trigger", check,
                    "no enabled rule sends the bucket's events to the function or its queue: EventBridge drops them",
                    fix: "add a rule with the pattern \(pattern) targeting the queue (or the function)")
            ]
        default:
            let missing = created.isEmpty ? "Object Created" : "Object Deleted"
            return [
                .problem(
                    "trigger", check,
                    "no enabled rule sends \(missing) events to the function: those changes are "
                        + "never invalidated",
                    fix: "add \"\(missing)\" to the rule's detail-type (pattern \(pattern))")
            ]
        }
    }

    /// Which of the bucket's object events an event pattern matches; nil when it matches none of them (another
    /// source, another bucket, no pattern). A filter the doctor does not model (`anything-but`, `wildcard`) is
    /// taken to match, so that it is never reported as broken when it may not be.
    static func ruleCoverage(_ pattern: String?, bucket: String) -> (created: Bool, deleted: Bool)? {
        guard let pattern, let json = try? JSON.parse(pattern), json.isObject else { return nil }
        guard matches(json["source"], "aws.s3"), matches(json["detail"]?["bucket"]?["name"], bucket) else { return nil }
        let created = matches(json["detail-type"], "Object Created")
        let deleted = matches(json["detail-type"], "Object Deleted")
        return created || deleted ? (created, deleted) : nil
    }

    /// Whether a pattern's field (absent: anything; an array of values or of filters) matches `value`.
    static func matches(_ field: JSONValue?, _ value: String) -> Bool {
        guard let field else { return true }
        guard let values = field.array else { return false }
        return values.contains { candidate in
            if let text = candidate.string { return text == value }
            if let prefix = candidate["prefix"]?.string { return value.hasPrefix(prefix) }
            if let suffix = candidate["suffix"]?.string { return value.hasSuffix(suffix) }
            if let ignoring = candidate["equals-ignore-case"]?.string {
                return ignoring.lowercased() == value.lowercased()
            }
            return candidate.isObject
        }
    }
}
