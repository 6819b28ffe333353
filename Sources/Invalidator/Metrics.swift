import Formats
import FoundationEssentials
import JSONSupport
import LambdaRuntime

/// What one invocation did, as CloudWatch metrics: one Embedded Metric Format line per invocation, which CloudWatch
/// Logs turns into metrics without an API call (and without a permission).
///
/// Namespace `METRICS_NAMESPACE` (default `CloudFrontInvalidator`), one dimension, `DistributionId`: the invocation's
/// distribution, or its distributions joined by commas, or `none`.
public struct InvocationMetrics: Sendable, Equatable {
    public var distributionIds: [String] = []
    public var changesReceived = 0
    public var pathsSubmitted = 0
    public var billablePaths = 0
    public var invalidationsCreated = 0
    public var retries = 0
    public var throttles = 0
    /// Waits for CloudFront's in-progress limits.
    public var limitWaits = 0
    public var skippedRecords = 0
    public var batchItemFailures = 0
    /// Coalescing: changes recorded in a window (their invalidation comes with the window's flush).
    public var changesRecorded = 0
    /// Coalescing: windows this invocation flushed. A coalescing function that records and never flushes is a
    /// broken wiring (its flush messages do not come back): alarm on `ChangesRecorded` without `WindowsFlushed`.
    public var windowsFlushed = 0
    /// The month's billable paths so far, this invocation's included (`MonthlyPathTally`): the coalescing table's
    /// count, or this container's own when `monthBillablePathsEstimated`. nil when unknown: the line leaves it out.
    public var monthBillablePaths: Int?
    /// Whether `monthBillablePaths` is this container's estimate (no coalescing table, or it could not be used).
    public var monthBillablePathsEstimated = false

    public static let defaultNamespace = "CloudFrontInvalidator"

    public init() {}

    /// The metrics in the order they are declared.
    public var values: [(name: String, value: Int)] {
        [
            ("ChangesReceived", changesReceived), ("PathsSubmitted", pathsSubmitted), ("BillablePaths", billablePaths),
            ("InvalidationsCreated", invalidationsCreated), ("Retries", retries), ("Throttles", throttles),
            ("LimitWaits", limitWaits), ("SkippedRecords", skippedRecords), ("BatchItemFailures", batchItemFailures),
            ("ChangesRecorded", changesRecorded), ("WindowsFlushed", windowsFlushed),
        ] + (monthBillablePaths.map { [("MonthBillablePaths", $0)] } ?? [])
    }

    /// The property saying how the month's figure was had: `MonthBillablePathsEstimated`, `true` or `false`.
    static let estimatedProperty = "MonthBillablePathsEstimated"

    /// The invocation's distribution, its distributions joined by commas, or `none`; `several (N)` past
    /// CloudWatch's 1,024 characters for a dimension value.
    public var dimension: String {
        let joined = distributionIds.isEmpty ? "none" : Array(Set(distributionIds)).sorted().joined(separator: ",")
        return joined.utf8.count <= 1024 ? joined : "several (\(Set(distributionIds).count))"
    }

    /// The line to write through `logger`: the EMF document with the logger's context (the request id) and, in the
    /// JSON log format, `timestamp`, `message` and a `level` that passes the configured filter (Lambda treats a JSON
    /// line without `level` as INFO, so with an application log level of WARN it would drop the metrics).
    public func line(namespace: String, timestamp: Date, logger: Logger) -> String {
        var context = logger.metadata
        if logger.format == .json {
            context += [
                ("timestamp", RFC3339.format(timestamp)), ("level", max(LogLevel.info, logger.level).name),
                ("message", "metrics"),
            ]
        }
        return emf(namespace: namespace, timestamp: timestamp, context: context)
    }

    /// The EMF document, on one line, with `context` as extra string members.
    public func emf(namespace: String, timestamp: Date, context: [(String, String)] = []) -> String {
        let definitions = values.map { "{\"Name\":\"\($0.name)\",\"Unit\":\"Count\"}" }.joined(separator: ",")
        var line = "{\"_aws\":{\"Timestamp\":\(Int64(timestamp.timeIntervalSince1970 * 1000)),"
        line += "\"CloudWatchMetrics\":[{\"Namespace\":\(JSON.quote(namespace)),\"Dimensions\":[[\"DistributionId\"]],"
        line += "\"Metrics\":[\(definitions)]}]},\"DistributionId\":\(JSON.quote(dimension))"
        for (name, value) in values { line += ",\"\(name)\":\(value)" }
        if monthBillablePaths != nil {
            line += ",\"\(Self.estimatedProperty)\":\"\(monthBillablePathsEstimated)\""
        }
        let names = Set(values.map(\.name) + ["_aws", "DistributionId", Self.estimatedProperty])
        for (key, value) in context where !names.contains(key) {
            line += "," + JSON.quote(key) + ":" + JSON.quote(value)
        }
        return line + "}"
    }

    /// Why a namespace cannot be used, or nil: CloudWatch takes 1 to 255 characters of letters, digits and
    /// `.-_/#: `, and reserves `AWS/`.
    public static func namespaceProblem(_ namespace: String) -> String? {
        guard (1...255).contains(namespace.count) else { return "must be 1 to 255 characters" }
        guard !namespace.hasPrefix("AWS/") else { return "must not start with AWS/ (reserved for AWS services)" }
        let allowed = namespace.unicodeScalars.allSatisfy {
            $0.isASCII
                && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || ".-_/#: ".unicodeScalars.contains($0))
        }
        return allowed ? nil : "may hold letters, digits and . - _ / # : and spaces only"
    }
}
