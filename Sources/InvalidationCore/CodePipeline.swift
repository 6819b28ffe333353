import Formats
import JSONSupport

/// A CodePipeline "invoke Lambda" job, as much of it as the function needs.
///
/// The event also carries `artifactCredentials` (temporary keys to the pipeline's artifact bucket): they are never
/// read here, never stored, never logged.
public struct PipelineJob: Sendable, Equatable {
    public var id: String
    /// The action's `UserParameters` (empty when not set).
    public var userParameters: String
    /// Set on re-invocations, as the function handed it back with `PutJobSuccessResult`.
    public var continuationToken: String?

    /// Reads `CodePipeline.job` (a key with a dot: looked up whole, never as a path). nil without a job id.
    public init?(event: JSONValue) {
        guard let job = event["CodePipeline.job"], let id = job["id"]?.string, !id.isEmpty else { return nil }
        self.id = id
        let data = job["data"]
        userParameters = data?["actionConfiguration"]?["configuration"]?["UserParameters"]?.string ?? ""
        continuationToken = data?["continuationToken"]?.string.flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// What a pipeline job asks for, from its `UserParameters`.
public struct PipelineRequest: Sendable, Equatable {
    /// Empty: the function's configured distribution(s).
    public var distributionIds: [String]
    /// Encoded CloudFront paths (default `/*`).
    public var paths: [String]
    /// Keep the job open until every invalidation has completed.
    public var wait: Bool
    /// How long the job may wait before it fails (the invalidation itself keeps running).
    public var maxWaitSeconds: Int

    public static let defaultMaxWaitSeconds = 600
    /// The longest wait `maxWaitSeconds` may ask for: a day.
    public static let maximumWaitSeconds = 86_400

    public init(
        distributionIds: [String] = [], paths: [String] = ["/*"], wait: Bool = false,
        maxWaitSeconds: Int = PipelineRequest.defaultMaxWaitSeconds
    ) {
        self.distributionIds = distributionIds
        self.paths = paths
        self.wait = wait
        self.maxWaitSeconds = maxWaitSeconds
    }

    /// Parses `UserParameters`: empty, a bare distribution id, or a JSON object with `distributionId` or
    /// `distributionIds`, optional `paths`, `wait` and `maxWaitSeconds`. Unknown members are errors, so a typo such
    /// as `distributionID` fails the job instead of silently invalidating the wrong thing.
    public init(userParameters: String) throws(PipelineParameterError) {
        self.init()
        let text = userParameters.trimmingWhitespace()
        if text.isEmpty { return }
        guard text.hasPrefix("{") || text.hasPrefix("[") || text.hasPrefix("\"") else {
            distributionIds = try Self.ids(text.split(separator: ",").map { $0.trimmingWhitespace() })
            return
        }
        let json: JSONValue
        do {
            json = try JSON.parse(text, rejectingDuplicateMembers: true)
        } catch {
            throw PipelineParameterError("UserParameters is not valid JSON (\(error))")
        }
        guard case .object(let members) = json else {
            throw PipelineParameterError("UserParameters is not an object: give a distribution id or a JSON object")
        }
        let known = ["distributionId", "distributionIds", "paths", "wait", "maxWaitSeconds"]
        if let unknown = members.keys.sorted().first(where: { !known.contains($0) }) {
            throw PipelineParameterError(
                "UserParameters has an unknown member \(JSON.quote(unknown)); allowed: \(known.joined(separator: ", "))"
            )
        }
        var ids: [String] = []
        if let single = members["distributionId"] {
            guard let id = single.string else { throw PipelineParameterError("distributionId must be a string") }
            ids.append(id)
        }
        if let list = members["distributionIds"] {
            guard let values = list.array, !values.isEmpty, values.allSatisfy({ $0.string != nil }) else {
                throw PipelineParameterError("distributionIds must be a non-empty array of strings")
            }
            ids += values.compactMap(\.string)
        }
        distributionIds = try Self.ids(ids)
        if let list = members["paths"] {
            guard let values = list.array, !values.isEmpty, values.allSatisfy({ $0.string != nil }) else {
                throw PipelineParameterError("paths must be a non-empty array of strings")
            }
            var paths: [String] = []
            for value in values.compactMap(\.string) {
                let path = try CloudFrontPath.normalizeUserPath(value)
                if !paths.contains(path) { paths.append(path) }
            }
            self.paths = paths
        }
        if let flag = members["wait"] {
            guard case .bool(let value) = flag else { throw PipelineParameterError("wait must be true or false") }
            wait = value
        }
        if let limit = members["maxWaitSeconds"] {
            guard let seconds = limit.wholeNumber, (1...Int64(Self.maximumWaitSeconds)).contains(seconds) else {
                throw PipelineParameterError("maxWaitSeconds must be a whole number of seconds from 1 to 86400")
            }
            maxWaitSeconds = Int(seconds)
        }
    }

    private static func ids(_ values: [String]) throws(PipelineParameterError) -> [String] {
        var ids: [String] = []
        for id in values {
            guard DistributionId.isValid(id) else {
                throw PipelineParameterError(
                    "\(JSON.quote(String(id.prefix(80)))) is not a CloudFront distribution id (like E2QWRUHAPOMQZL)")
            }
            if !ids.contains(id) { ids.append(id) }
        }
        return ids
    }
}

/// Why `UserParameters` cannot be used; the message is what the pipeline's console shows.
public struct PipelineParameterError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// CloudFront distribution ids: upper-case letters and digits (E2QWRUHAPOMQZL).
public enum DistributionId {
    public static func isValid(_ id: some StringProtocol) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) }
    }
}

/// What a waiting job carries from one invocation to the next in its continuation token.
public struct PipelineWaitState: Sendable, Equatable {
    public struct Pending: Sendable, Equatable {
        public var distributionId: String
        public var invalidationId: String
        public init(distributionId: String, invalidationId: String) {
            self.distributionId = distributionId
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
        let pairs = invalidations.map { JSONValue.array([.string($0.distributionId), .string($0.invalidationId)]) }
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
    /// `UserParameters` accepts, the ids CloudFront's kind of id (they go into a request path), and the token within
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
            guard let values = pair.array, values.count == 2, let distribution = values[0].string,
                let invalidation = values[1].string, DistributionId.isValid(distribution),
                DistributionId.isValid(invalidation)
            else { return nil }
            pending.append(Pending(distributionId: distribution, invalidationId: invalidation))
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
