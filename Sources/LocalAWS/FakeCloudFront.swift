import AWSClient

/// CloudFront's invalidation API as documented, where moto is silent: CallerReference idempotency and conflicts,
/// path validation, `InconsistentQuantities`, invalidations that stay `InProgress` until a test lets them complete,
/// and scripted faults per distribution.
///
/// REST-XML on `/2020-05-31/distribution/{id}/invalidation[/{invalidationId}]`, requests must carry a SigV4
/// `Authorization` for the `cloudfront` scope. Issue 7 grows it (limits, throttling, a controllable clock).
public final class FakeCloudFront: Sendable {
    /// A fault to answer instead of doing the work.
    public struct Fault: Sendable {
        public var status: Int
        public var code: String
        public var message: String
        public init(status: Int, code: String, message: String = "") {
            self.status = status
            self.code = code
            self.message = message
        }
        public static let accessDenied = Fault(status: 403, code: "AccessDenied", message: "User is not authorized")
        public static let serviceUnavailable = Fault(
            status: 503, code: "ServiceUnavailable", message: "CloudFront encountered an internal error.")
    }

    /// An invalidation the fake holds.
    public struct Record: Sendable, Equatable {
        public var id: String
        public var distributionId: String
        public var callerReference: String
        public var paths: [String]
        /// GetInvalidation calls still answered `InProgress`.
        public var pollsUntilComplete: Int
        public var isCompleted: Bool { pollsUntilComplete <= 0 }
    }

    actor State {
        var distributions: Set<String> = []
        var records: [Record] = []
        var faults: [String: [Fault]] = [:]
        var pollsUntilComplete: [String: Int] = [:]
        var requestCount = 0
        var sequence = 0

        func handle(_ request: LoopbackRequest) -> LoopbackReply {
            requestCount += 1
            guard let authorization = request.header("authorization"),
                authorization.contains("/cloudfront/aws4_request")
            else { return FakeCloudFront.error(403, "MissingAuthenticationToken", "request is not signed") }
            let parts = request.path.split(separator: "/").map(String.init)
            guard parts.count >= 4, parts[0] == "2020-05-31", parts[1] == "distribution", parts[3] == "invalidation"
            else { return FakeCloudFront.error(404, "NotFound", "no such resource \(request.path)") }
            let distribution = parts[2]
            if var scripted = faults[distribution], !scripted.isEmpty {
                let fault = scripted.removeFirst()
                faults[distribution] = scripted
                return FakeCloudFront.error(fault.status, fault.code, fault.message)
            }
            guard distributions.contains(distribution) else {
                return FakeCloudFront.error(404, "NoSuchDistribution", "The specified distribution does not exist.")
            }
            switch (request.method, parts.count) {
            case ("POST", 4): return create(distribution: distribution, body: request.body)
            case ("GET", 5): return get(distribution: distribution, id: parts[4])
            default: return FakeCloudFront.error(405, "MethodNotAllowed", "\(request.method) \(request.path)")
            }
        }

        func create(distribution: String, body: [UInt8]) -> LoopbackReply {
            guard let root = try? XML.parse(body), root.localName == "InvalidationBatch" else {
                return FakeCloudFront.error(400, "MalformedXML", "body is not an InvalidationBatch")
            }
            guard let reference = root["CallerReference"], !reference.isEmpty else {
                return FakeCloudFront.error(400, "InvalidArgument", "CallerReference is required")
            }
            guard let quantity = root.child("Paths")?["Quantity"].flatMap({ Int($0) }) else {
                return FakeCloudFront.error(400, "InvalidArgument", "Paths.Quantity is required")
            }
            let paths = root.child("Paths")?.child("Items")?.children(named: "Path").map(\.text) ?? []
            guard quantity == paths.count else {
                return FakeCloudFront.error(
                    400, "InconsistentQuantities", "Quantity \(quantity) does not match \(paths.count) items")
            }
            for path in paths where !FakeCloudFront.isValid(path) {
                return FakeCloudFront.error(
                    400, "InvalidArgument", "Your request contains one or more invalid invalidation paths.")
            }
            if let existing = records.first(where: {
                $0.distributionId == distribution && $0.callerReference == reference
            }) {
                guard existing.paths == paths else {
                    return FakeCloudFront.error(
                        400, "InvalidationBatchAlreadyExists",
                        "Your request contains a caller reference that was used for a previous invalidation batch "
                            + "for the same distribution.")
                }
                return FakeCloudFront.invalidationReply(existing, status: 201)
            }
            sequence += 1
            let record = Record(
                id: "I\(String(sequence, radix: 36).uppercased())FAKE\(distribution.prefix(4))",
                distributionId: distribution, callerReference: reference, paths: paths,
                pollsUntilComplete: pollsUntilComplete[distribution] ?? 0)
            records.append(record)
            return FakeCloudFront.invalidationReply(record, status: 201)
        }

        func get(distribution: String, id: String) -> LoopbackReply {
            guard let index = records.firstIndex(where: { $0.distributionId == distribution && $0.id == id }) else {
                return FakeCloudFront.error(404, "NoSuchInvalidation", "The specified invalidation does not exist.")
            }
            let reply = FakeCloudFront.invalidationReply(records[index], status: 200)
            records[index].pollsUntilComplete -= 1
            return reply
        }

        func addDistribution(_ id: String, pollsUntilComplete polls: Int) {
            distributions.insert(id)
            pollsUntilComplete[id] = polls
        }

        func script(_ distribution: String, _ scripted: [Fault]) { faults[distribution, default: []] += scripted }
    }

    let server: LoopbackHTTPServer
    let state: State

    public static func start() async throws -> FakeCloudFront {
        let state = State()
        let server = try await LoopbackHTTPServer.start { request in await state.handle(request) }
        return FakeCloudFront(server: server, state: state)
    }

    private init(server: LoopbackHTTPServer, state: State) {
        self.server = server
        self.state = state
    }

    /// The value for `AWS_ENDPOINT_URL_CLOUDFRONT`.
    public var endpoint: String { server.origin }

    /// Creates a distribution whose invalidations answer `InProgress` to the first `pollsUntilComplete`
    /// GetInvalidation calls (0: completed at once).
    public func addDistribution(_ id: String, pollsUntilComplete: Int = 0) async {
        await state.addDistribution(id, pollsUntilComplete: pollsUntilComplete)
    }

    /// The next requests for `distribution` are answered with these faults, in order.
    public func script(_ distribution: String, faults: [Fault]) async { await state.script(distribution, faults) }

    public var invalidations: [Record] {
        get async { await state.records }
    }

    public var requestCount: Int {
        get async { await state.requestCount }
    }

    public func shutdown() async { await server.shutdown() }

    /// CloudFront's documented path rules: a leading `/`, `*` only last, at most 4,000 characters, and no
    /// character that must be URL-encoded (space, control, non-ASCII).
    static func isValid(_ path: String) -> Bool {
        guard path.hasPrefix("/"), path.utf8.count <= 4000 else { return false }
        if let star = path.firstIndex(of: "*"), star != path.index(before: path.endIndex) { return false }
        return path.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    static func invalidationReply(_ record: Record, status: Int) -> LoopbackReply {
        let items = record.paths.map { "<Path>\(XML.escape($0))</Path>" }.joined()
        let xml = """
            <?xml version="1.0"?><Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">\
            <Id>\(record.id)</Id><Status>\(record.isCompleted ? "Completed" : "InProgress")</Status>\
            <CreateTime>2026-11-22T10:00:00.000Z</CreateTime><InvalidationBatch><Paths>\
            <Quantity>\(record.paths.count)</Quantity><Items>\(items)</Items></Paths>\
            <CallerReference>\(XML.escape(record.callerReference))</CallerReference></InvalidationBatch></Invalidation>
            """
        return LoopbackReply(
            status: status,
            headers: [
                ("content-type", "text/xml"),
                (
                    "location",
                    "https://cloudfront.amazonaws.com/2020-05-31/distribution/\(record.distributionId)/invalidation/\(record.id)"
                ),
            ], text: xml)
    }

    static func error(_ status: Int, _ code: String, _ message: String) -> LoopbackReply {
        let xml = """
            <?xml version="1.0"?><ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Error>\
            <Type>Sender</Type><Code>\(code)</Code><Message>\(XML.escape(message))</Message></Error>\
            <RequestId>fake-\(code.lowercased())</RequestId></ErrorResponse>
            """
        return LoopbackReply(status: status, headers: [("content-type", "text/xml")], text: xml)
    }
}
