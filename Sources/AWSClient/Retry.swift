import FoundationEssentials
import Synchronization

/// Wall-clock time and waiting, injected so that tests of retries and deadlines run in milliseconds.
public protocol AWSClock: Sendable {
    func now() -> Date
    /// Waits `duration`; throws when the task is cancelled.
    func sleep(for duration: Duration) async throws
}

/// The real clock.
public struct SystemClock: AWSClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

/// How failed calls are retried: the AWS SDKs' retry settings (`AWS_RETRY_MODE`, `AWS_MAX_ATTEMPTS`), with the
/// standard mode's behaviour (botocore `retries/standard.py`): full-jitter exponential backoff
/// `random(0, 1) × min(2^(attempt-1), 20)` seconds, retries of throttling, transient and connection errors only,
/// and a retry quota shared by the client's calls.
public struct RetryPolicy: Sendable, Equatable {
    public enum Mode: String, Sendable {
        /// The old SDK default: 5 attempts, no retry quota.
        case legacy
        /// The SDKs' standard mode: 3 attempts, a retry quota.
        case standard
        /// Standard mode plus a client-side rate limiter in the SDKs. Here it behaves as `standard`: one invocation
        /// sends a handful of requests, so there is nothing for a client-side limiter to smooth.
        case adaptive
    }

    public var mode: Mode
    /// Attempts in all, the first one included (at least 1).
    public var maxAttempts: Int
    /// The longest wait between two attempts.
    public var maximumBackoff: Duration = .seconds(20)
    /// Whether a retry quota applies (standard and adaptive).
    public var usesQuota: Bool { mode != .legacy }

    public init(mode: Mode = .standard, maxAttempts: Int? = nil) {
        self.mode = mode
        self.maxAttempts = max(1, maxAttempts ?? (mode == .legacy ? 5 : 3))
    }

    /// The standard mode with its default of 3 attempts.
    public static let standard = RetryPolicy()
    /// One attempt, no retry.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// Reads `AWS_RETRY_MODE` (`legacy`, `standard` or `adaptive`; default `standard`) and `AWS_MAX_ATTEMPTS`
    /// (a whole number of at least 1, the first attempt included).
    public init(environment: [String: String]) throws(EndpointError) {
        var mode = Mode.standard
        if let value = environment["AWS_RETRY_MODE"], !value.isEmpty {
            guard let parsed = Mode(rawValue: value.lowercased()) else {
                throw EndpointError(
                    variable: "AWS_RETRY_MODE",
                    description: "AWS_RETRY_MODE must be legacy, standard or adaptive (got \(value))")
            }
            mode = parsed
        }
        var attempts: Int?
        if let value = environment["AWS_MAX_ATTEMPTS"], !value.isEmpty {
            guard let parsed = Int(value), parsed >= 1 else {
                throw EndpointError(
                    variable: "AWS_MAX_ATTEMPTS",
                    description: "AWS_MAX_ATTEMPTS must be a whole number of at least 1 (got \(value))")
            }
            attempts = min(parsed, 100)
        }
        self.init(mode: mode, maxAttempts: attempts)
    }

    /// The wait before attempt `attempt + 1`, after attempt `attempt` (1-based) failed: full jitter over
    /// `min(2^(attempt-1), 20)` seconds.
    public func backoff(afterAttempt attempt: Int, random: Double) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = min(Double(1 << exponent), Double(maximumBackoff.components.seconds))
        return .milliseconds(Int64((min(max(random, 0), 1) * ceiling * 1000).rounded(.down)))
    }
}

/// The standard mode's retry quota: 500 tokens; a retry costs 5 (10 after a timeout); a success refunds what its last
/// retry cost, or 1 when it needed none. With the bucket empty, failures are not retried: a sick service is not
/// hammered.
public final class RetryQuota: Sendable {
    public static let capacity = 500
    public static let retryCost = 5
    public static let timeoutRetryCost = 10
    private let tokens = Mutex(RetryQuota.capacity)

    public init() {}

    public var available: Int { tokens.withLock { $0 } }

    /// Takes the cost of one retry; false when the quota cannot pay for it.
    func acquire(afterTimeout: Bool) -> Int? {
        let cost = afterTimeout ? Self.timeoutRetryCost : Self.retryCost
        return tokens.withLock { tokens in
            guard tokens >= cost else { return nil }
            tokens -= cost
            return cost
        }
    }

    func release(_ amount: Int) {
        tokens.withLock { $0 = min(Self.capacity, $0 + amount) }
    }
}

extension AWSError {
    /// The error codes the SDKs' standard mode treats as throttling.
    public static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown",
        "PriorRequestNotComplete", "EC2ThrottledException",
    ]
    /// Error codes the standard mode treats as transient. `ReplicatedWriteConflictException` is DynamoDB's one error
    /// modeled `retryable` (not throttling) in botocore's model, which the standard mode's `ModeledRetryableChecker`
    /// retries; DynamoDB's `TransactionConflictException` and `TransactionCanceledException` are neither listed nor
    /// modeled retryable, so they are not retried (the caller decides, knowing what the transaction meant).
    public static let transientCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete", "ReplicatedWriteConflictException",
    ]
    /// A DynamoDB response whose body does not match its `x-amz-crc32` header (botocore's `RetryDDBChecksumError`).
    public static let checksumMismatchCode = "CRC32CheckFailed"

    /// A throttling answer (`Throttling`, `Rate exceeded`…), by its error code as botocore decides it.
    public var isThrottling: Bool {
        kind == .service && Self.throttlingCodes.contains(code)
    }

    /// A failure that may pass: HTTP 500/502/503/504, a transient code, a connection failure, a timeout, or a DynamoDB
    /// body damaged on the way (its CRC-32 mismatch). STS's `IDPCommunicationError` is retried for STS only, as
    /// botocore's standard mode does (`retries/special.py`, `RetryIDPCommunicationError`; the legacy mode's
    /// `_retry.json` has the same rule under `sts`): the model does not mark it `retryable`.
    public var isTransient: Bool {
        switch kind {
        case .transport, .timeout: return true
        case .service:
            return Self.transientCodes.contains(code) || [500, 502, 503, 504].contains(statusCode ?? 0)
                || (service == AWSService.sts.rawValue && code == "IDPCommunicationError")
        case .malformedResponse: return code == Self.checksumMismatchCode
        case .invalidRequest: return false
        }
    }

    /// Whether the SDKs would retry it. `AccessDenied`, `InvalidArgument`, `NoSuchDistribution` and
    /// `TooManyInvalidationsInProgress` are not retried here (the last is waited out by the caller, which knows the
    /// deadline).
    public var isRetryable: Bool { isThrottling || isTransient }
}
