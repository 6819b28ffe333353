import Formats

/// `COALESCE_TABLE` and its companions: one invalidation per distribution per deploy, however many Lambda batches
/// the deploy arrives in (docs/DESIGN.md, "One invalidation per deploy").
public struct CoalesceSettings: Sendable, Equatable {
    /// `COALESCE_TABLE`: the DynamoDB table holding the open windows (partition key `pk`, sort key `sk`).
    public var table: String
    /// `COALESCE_QUEUE_URL`: where flush messages go; nil: the queue the batch came from (its `eventSourceARN`).
    public var queueURL: String?
    /// `QUIET_SECONDS`: a window is flushed once no change has arrived for this long.
    public var quietSeconds: Int
    /// `MAX_DELAY_SECONDS`: a window is flushed this long after its first change, however busy the bucket is.
    public var maxDelaySeconds: Int

    public static let defaultQuietSeconds = 20
    public static let defaultMaxDelaySeconds = 300

    public init(
        table: String, queueURL: String? = nil, quietSeconds: Int = Self.defaultQuietSeconds,
        maxDelaySeconds: Int = Self.defaultMaxDelaySeconds
    ) {
        self.table = table
        self.queueURL = queueURL
        self.quietSeconds = quietSeconds
        self.maxDelaySeconds = maxDelaySeconds
    }

    /// The settings from the environment; nil when `COALESCE_TABLE` is unset or empty.
    static func parse(_ environment: [String: String]) throws(ConfigurationError) -> CoalesceSettings? {
        let table = environment["COALESCE_TABLE"]?.trimmingWhitespace() ?? ""
        guard !table.isEmpty else {
            for variable in ["COALESCE_QUEUE_URL", "QUIET_SECONDS", "MAX_DELAY_SECONDS"]
            where !(environment[variable]?.trimmingWhitespace().isEmpty ?? true) {
                throw ConfigurationError(
                    variable: variable, message: "is set, but COALESCE_TABLE is not: coalescing is off without a table")
            }
            return nil
        }
        // DynamoDB's table names: 3 to 255 of A-Z a-z 0-9 _ - . (an ARN is not accepted here).
        guard (3...255).contains(table.utf8.count),
            table.utf8.allSatisfy({ byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == 0x5F || byte == 0x2D || byte == 0x2E
            })
        else {
            throw ConfigurationError(
                variable: "COALESCE_TABLE",
                message: "\(quoted(table)) is not a DynamoDB table name (3-255 letters, digits, _ - .)")
        }
        var settings = CoalesceSettings(table: table)
        if let url = environment["COALESCE_QUEUE_URL"]?.trimmingWhitespace(), !url.isEmpty {
            guard url.hasPrefix("https://") || url.hasPrefix("http://"), !url.contains(" ") else {
                throw ConfigurationError(
                    variable: "COALESCE_QUEUE_URL", message: "\(quoted(url)) is not an SQS queue URL")
            }
            settings.queueURL = url
        }
        // SQS delays a message by at most 900 s, and a flush is one delayed message.
        settings.quietSeconds =
            try Configuration.integer(environment, "QUIET_SECONDS", in: 1...900) ?? Self.defaultQuietSeconds
        settings.maxDelaySeconds =
            try Configuration.integer(environment, "MAX_DELAY_SECONDS", in: 1...3600) ?? Self.defaultMaxDelaySeconds
        guard settings.maxDelaySeconds >= settings.quietSeconds else {
            throw ConfigurationError(
                variable: "MAX_DELAY_SECONDS",
                message: "\(settings.maxDelaySeconds) is less than QUIET_SECONDS (\(settings.quietSeconds))")
        }
        return settings
    }
}
