import Formats
import JSONSupport

/// What a waiting job carries from one invocation to the next in its continuation token.
public struct PipelineWaitState: Sendable, Equatable {
    public struct Pending: Sendable, Equatable {
        public var target: CloudFrontTarget
        public var invalidationId: String
        public init(target: CloudFrontTarget, invalidationId: String) {
            self.target = target
            self.invalidationId = invalidationId
        }
    }

    /// When the first invocation created the invalidations (seconds since the epoch).
    public var startedAt: Int64
    public var maxWaitSeconds: Int
    public var invalidations: [Pending]

    public init(startedAt: Int64, maxWaitSeconds: Int, invalidations: [Pending]) {
        self.startedAt = startedAt
        self.maxWaitSeconds = maxWaitSeconds
        self.invalidations = invalidations
    }

    /// CodePipeline allows 2,048 characters.
    public static let maximumTokenLength = 2048

    /// A compact JSON token, at most 2,048 characters.
    public var token: String {
        let pairs = invalidations.map { JSONValue.array([.string($0.target.key), .string($0.invalidationId)]) }
        return JSON.serialize(
            .object([
                "v": .number("1"), "start": .number(String(startedAt)), "max": .number(String(maxWaitSeconds)),
                "inv": .array(pairs),
            ]))
    }

    /// The instants a token's `start` may name: written by this function, so after 2020 and before 2100. Anything
    /// else did not come from here, and bounding it keeps `now - start` from overflowing.
    static let plausibleStart: ClosedRange<Int64> = 1_577_836_800...4_102_444_800

    /// Reads a token this function wrote; nil for anything else.
    ///
    /// Anyone allowed to invoke the function can hand it a token, so every field is checked before it is used: the
    /// start within `plausibleStart` and not in the future (beyond a little clock skew), `max` within what
    /// `UserParameters` accepts, the targets and ids CloudFront's kinds of id (they go into a request path), and the token within
    /// CodePipeline's 2,048 characters.
    public init?(token: String, now: Int64) {
        guard token.utf8.count <= Self.maximumTokenLength,
            let json = try? JSON.parse(token, rejectingDuplicateMembers: true), json["v"] == .number("1"),
            let start = json["start"]?.wholeNumber, Self.plausibleStart.contains(start), start <= now + 300,
            let max = json["max"]?.wholeNumber, (1...Int64(PipelineRequest.maximumWaitSeconds)).contains(max),
            let pairs = json["inv"]?.array, !pairs.isEmpty
        else { return nil }
        var pending: [Pending] = []
        for pair in pairs {
            guard let values = pair.array, values.count == 2, let key = values[0].string,
                let target = CloudFrontTarget(key: key), let invalidation = values[1].string,
                DistributionId.isValid(invalidation)
            else { return nil }
            pending.append(Pending(target: target, invalidationId: invalidation))
        }
        self.init(startedAt: start, maxWaitSeconds: Int(max), invalidations: pending)
    }

    /// Seconds since `startedAt` at `now`; never traps (a token's fields are bounded, `now` is the clock's).
    public func elapsed(now: Int64) -> Int64 {
        let (difference, overflow) = now.subtractingReportingOverflow(startedAt)
        guard overflow else { return difference }
        return now < startedAt ? Int64.min : Int64.max
    }
}

extension JSONValue {
    /// A JSON number written as a whole number that fits in 64 bits (`12`, not `1.2e1` or `1e300`); nil otherwise.
    var wholeNumber: Int64? {
        guard case .number(let text) = self else { return nil }
        return Int64(text)
    }
}
