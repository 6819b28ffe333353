import AWSClient
import InvalidationCore
import Invalidator

/// What one simulated deploy runs through: the event source mapping, the queue, the function's mode, CloudFront's
/// limits and, for the chaos tests, the faults.
public struct Scenario: Sendable {
    public var deploy: Deploy
    public var mapping: EventSourceMapping
    /// The queue's `VisibilityTimeout`, seconds.
    public var visibilityTimeout: Double = 600
    /// The redrive policy's `maxReceiveCount`; nil: no dead-letter queue.
    public var maxReceiveCount: Int? = 5
    /// `DelaySeconds` of the upload messages.
    public var delaySeconds: Double = 0
    public var cloudFront = CloudFrontSettings()
    /// Coalescing's settings (the table and queue are the simulation's); nil: each batch is planned on its own.
    public var coalescing: CoalesceSettings?
    public var chaos: Chaos?
    /// `TAG_RULES` and the site's edge cache; nil: no rules, and no edge-cache figures.
    public var tags: Tags?
    /// The function's planning settings (the budget); `tags` adds its rules.
    public var planner = PlannerSettings()
    public var seed: UInt64
    /// The simulation stops here (virtual seconds), whatever is left.
    public var limitSeconds: Double = 6 * 3600

    public init(deploy: Deploy, mapping: EventSourceMapping, seed: UInt64) {
        self.deploy = deploy
        self.mapping = mapping
        self.seed = seed
    }

    /// The fake CloudFront's settings: CloudFront's documented limits.
    public struct CloudFrontSettings: Sendable {
        public var ratePerSecond = 0.5
        public var burst = 1.0
        /// Seconds from creation to `Completed`.
        public var completion = 20.0
        public init(ratePerSecond: Double = 0.5, burst: Double = 1, completion: Double = 20) {
            self.ratePerSecond = ratePerSecond
            self.burst = burst
            self.completion = completion
        }
    }

    /// Cache tags: the function's `TAG_RULES`, the distribution's `CacheTagConfig` header (nil: none), and the
    /// site's unchanged objects. The edge cache is seeded with every uploaded and unchanged key's paths, each carrying
    /// the tags the rules give its key (the deploy follows its rules), so that the run's figures say which changes
    /// were left stale and which unchanged objects were purged.
    public struct Tags: Sendable {
        public var rules: String
        public var header: String?
        public var unchanged: [String]

        public init(rules: String, header: String? = "x-amz-meta-cache-tag", unchanged: [String] = []) {
            self.rules = rules
            self.header = header
            self.unchanged = unchanged
        }
    }

    /// Faults, each with its probability.
    public struct Chaos: Sendable {
        /// An invocation dies at one of its AWS calls (chosen at random among its first `crashWithinCalls`), before
        /// or after the call takes effect; nothing it does after counts, and Lambda sees an invocation error.
        public var crash = 0.0
        public var crashWithinCalls = 12
        /// SQS delivers a received message again at once, to another poller (at-least-once delivery).
        public var duplicate = 0.0
        /// A DynamoDB call is throttled (`ProvisionedThroughputExceededException`), or fails after taking effect.
        public var dynamoDBThrottle = 0.0
        public var dynamoDBLostAnswer = 0.0
        /// An SQS `SendMessage` fails, or fails after the message was sent.
        public var sqsFailure = 0.0
        public var sqsLostAnswer = 0.0
        /// A CloudFront call answers `ServiceUnavailable`.
        public var cloudFrontFailure = 0.0

        public init() {}
    }
}
