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

    /// A distribution the fake holds.
    public struct Distribution: Sendable {
        public var id: String
        public var enabled: Bool
        /// (domain, OriginPath) pairs.
        public var origins: [(domain: String, path: String)]
        /// false: `ListDistributions` summaries lack `Origins` and `Enabled`, as moto 5.2's do.
        public var summaryHasOrigins: Bool
        public var pollsUntilComplete: Int
    }

    actor State {
        var distributions: Set<String> = []
        var catalogue: [Distribution] = []
        var listRequests = 0
        var configRequests = 0
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
            guard parts.count >= 2, parts[0] == "2020-05-31", parts[1] == "distribution" else {
                return FakeCloudFront.error(404, "NotFound", "no such resource \(request.path)")
            }
            let faultKey = parts.count >= 3 ? parts[2] : FakeCloudFront.listFaultKey
            if var scripted = faults[faultKey], !scripted.isEmpty {
                let fault = scripted.removeFirst()
                faults[faultKey] = scripted
                return FakeCloudFront.error(fault.status, fault.code, fault.message)
            }
            if parts.count == 2, request.method == "GET" { return list(query: request.query) }
            if parts.count == 4, parts[3] == "config", request.method == "GET" { return config(id: parts[2]) }
            guard parts.count >= 4, parts[3] == "invalidation" else {
                return FakeCloudFront.error(404, "NotFound", "no such resource \(request.path)")
            }
            let distribution = parts[2]
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

        func add(_ distribution: Distribution) {
            catalogue.append(distribution)
            addDistribution(distribution.id, pollsUntilComplete: distribution.pollsUntilComplete)
        }

        /// Pages in id order; `Marker` is the id after which a page starts, `NextMarker` the last id of a
        /// truncated page (as CloudFront documents it).
        func list(query: [String: String]) -> LoopbackReply {
            listRequests += 1
            guard let maxItems = Int(query["MaxItems"] ?? "100"), (1...1000).contains(maxItems) else {
                return FakeCloudFront.error(400, "InvalidArgument", "MaxItems must be 1 to 1000")
            }
            let sorted = catalogue.sorted { $0.id < $1.id }
            let marker = query["Marker"] ?? ""
            let rest = marker.isEmpty ? sorted[...] : sorted.drop { $0.id <= marker }
            let page = Array(rest.prefix(maxItems))
            let truncated = rest.count > page.count
            var xml =
                "<?xml version=\"1.0\"?><DistributionList xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\">"
            xml += "<Marker>\(XML.escape(marker))</Marker>"
            if truncated, let last = page.last { xml += "<NextMarker>\(last.id)</NextMarker>" }
            xml +=
                "<MaxItems>\(maxItems)</MaxItems><IsTruncated>\(truncated)</IsTruncated><Quantity>\(page.count)</Quantity>"
            if !page.isEmpty {
                xml += "<Items>"
                for distribution in page {
                    xml += "<DistributionSummary><Id>\(distribution.id)</Id><Status>Deployed</Status>"
                    xml += "<DomainName>\(distribution.id.lowercased()).cloudfront.net</DomainName>"
                    if distribution.summaryHasOrigins {
                        xml += FakeCloudFront.originsXML(distribution) + "<Enabled>\(distribution.enabled)</Enabled>"
                    }
                    xml += "</DistributionSummary>"
                }
                xml += "</Items>"
            }
            xml += "</DistributionList>"
            return LoopbackReply(status: 200, headers: [("content-type", "text/xml")], text: xml)
        }

        func config(id: String) -> LoopbackReply {
            configRequests += 1
            guard let distribution = catalogue.first(where: { $0.id == id }) else {
                return FakeCloudFront.error(404, "NoSuchDistribution", "The specified distribution does not exist.")
            }
            let xml =
                "<?xml version=\"1.0\"?><DistributionConfig xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\">"
                + "<CallerReference>fake</CallerReference>" + FakeCloudFront.originsXML(distribution)
                + "<Enabled>\(distribution.enabled)</Enabled></DistributionConfig>"
            return LoopbackReply(status: 200, headers: [("content-type", "text/xml"), ("etag", "E\(id)")], text: xml)
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

    /// Adds a distribution with these origins, for discovery (`ListDistributions`, `GetDistributionConfig`).
    public func addDistribution(
        _ id: String, origins: [(domain: String, path: String)], enabled: Bool = true, summaryHasOrigins: Bool = true,
        pollsUntilComplete: Int = 0
    ) async {
        await state.add(
            Distribution(
                id: id, enabled: enabled, origins: origins, summaryHasOrigins: summaryHasOrigins,
                pollsUntilComplete: pollsUntilComplete))
    }

    /// `ListDistributions` and `GetDistributionConfig` requests answered.
    public var listingRequests: (list: Int, config: Int) {
        get async { (await state.listRequests, await state.configRequests) }
    }

    /// The key under which `script` takes faults for `ListDistributions`.
    public static let listFaultKey = "ListDistributions"

    /// The next requests for `distribution` (or `listFaultKey`) are answered with these faults, in order.
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

    static func originsXML(_ distribution: Distribution) -> String {
        var xml = "<Origins><Quantity>\(distribution.origins.count)</Quantity>"
        if !distribution.origins.isEmpty {
            xml += "<Items>"
            for (index, origin) in distribution.origins.enumerated() {
                xml += "<Origin><Id>origin-\(index)</Id><DomainName>\(XML.escape(origin.domain))</DomainName>"
                xml += "<OriginPath>\(XML.escape(origin.path))</OriginPath></Origin>"
            }
            xml += "</Items>"
        }
        return xml + "</Origins>"
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
