import AWSClient
import Formats
import FoundationEssentials

/// CloudFront's invalidation API as documented, where moto is silent: CallerReference idempotency and conflicts,
/// path validation, `InconsistentQuantities`, the in-progress limits (3,000 file paths and 15 wildcard paths per
/// distribution) with invalidations moving from `InProgress` to `Completed` on a controllable clock, a token-bucket
/// rate limit on `CreateInvalidation` that answers `Throttling`, and injectable faults: error answers, reset
/// connections, slow and truncated responses.
///
/// REST-XML on `/2020-05-31/distribution[/{id}/invalidation[/{invalidationId}]|/{id}/config]`; requests must carry
/// a SigV4 `Authorization` for the `cloudfront` scope. Served over HTTP on 127.0.0.1 (`endpoint`), or called
/// in-process (`transport`) where a test drives thousands of requests.
public final class FakeCloudFront: Sendable {
    /// A fault to inject instead of, or on top of, the work.
    public struct Fault: Sendable, Equatable {
        public enum Action: Sendable, Equatable {
            /// Answer this error; nothing is done.
            case answer(status: Int, code: String, message: String)
            /// Drop the connection before reading the request: nothing is done.
            case reset
            /// Do the work, then answer after this long (longer than the client waits: a timeout).
            case slow(Duration)
            /// Do the work, then send half the answer and drop the connection.
            case truncated
        }
        public var action: Action

        public init(_ action: Action) { self.action = action }
        public init(status: Int, code: String, message: String = "") {
            action = .answer(status: status, code: code, message: message)
        }
        public static let accessDenied = Fault(status: 403, code: "AccessDenied", message: "User is not authorized")
        public static let serviceUnavailable = Fault(
            status: 503, code: "ServiceUnavailable", message: "CloudFront encountered an internal error.")
        public static let throttling = Fault(status: 400, code: "Throttling", message: "Rate exceeded")
        public static let reset = Fault(.reset)
        public static let truncated = Fault(.truncated)
        public static func slow(_ duration: Duration) -> Fault { Fault(.slow(duration)) }
    }

    /// What a fault injector is told of each request.
    public struct RequestInfo: Sendable {
        /// `CreateInvalidation`, `GetInvalidation`, `ListInvalidations`, `ListDistributions`,
        /// `GetDistributionConfig`, the tenant operations (`CreateInvalidationForDistributionTenant`,
        /// `GetInvalidationForDistributionTenant`, `ListInvalidationsForDistributionTenant`, `ListDistributionTenants`,
        /// `GetDistributionTenant`), `ListDistributionsByConnectionMode`, or `Unknown`.
        public var operation: String
        /// The distribution named in the path; for a tenant's request, the tenant's distribution (nil when the tenant
        /// is unknown).
        public var distributionId: String?
        public var time: Date
        /// The tenant named in the path of a tenant operation.
        public var tenantId: String? = nil
    }

    /// CloudFront's documented in-progress limits, per distribution. The documentation states them per distribution
    /// and says nothing of tenants, so a tenant's in-progress invalidations count toward its multi-tenant
    /// distribution's limits, shared with the distribution's own and its other tenants': the stricter reading, under
    /// which code that passes also passes if CloudFront turns out to count per tenant.
    public struct Limits: Sendable {
        public var filePaths = 3000
        public var wildcardPaths = 15
        public init(filePaths: Int = 3000, wildcardPaths: Int = 15) {
            self.filePaths = filePaths
            self.wildcardPaths = wildcardPaths
        }
    }

    /// A token bucket on `CreateInvalidation` for the whole account: `burst` calls at once, then `perSecond`.
    public struct RateLimit: Sendable {
        public var burst: Double
        public var perSecond: Double
        public init(burst: Double, perSecond: Double) {
            self.burst = burst
            self.perSecond = perSecond
        }
    }

    /// An invalidation the fake holds.
    public struct Record: Sendable, Equatable {
        public var id: String
        /// For a tenant's invalidation, its multi-tenant distribution's.
        public var distributionId: String
        public var callerReference: String
        public var paths: [String]
        public var created: Date
        /// GetInvalidation calls still answered `InProgress`.
        public var pollsUntilComplete: Int
        /// When it completes on the fake's clock.
        public var completes: Date
        /// The distribution tenant it was made for; nil: the distribution's own.
        public var tenantId: String? = nil

        public func isCompleted(at time: Date) -> Bool { pollsUntilComplete <= 0 && time >= completes }
        public var wildcardCount: Int { paths.filter { $0.hasSuffix("*") }.count }
        /// File paths and cache tag items: a tag counts as one file path toward the in-progress limit.
        public var fileCount: Int { paths.count - wildcardCount }
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
        /// `CacheTagConfig.HeaderName` in `GetDistributionConfig`; nil: no `CacheTagConfig` element.
        public var cacheTagHeader: String?
        /// `tenant-only` for a multi-tenant distribution; nil: no `ConnectionMode` element (a standard one).
        public var connectionMode: String? = nil
        /// `TenantConfig.ParameterDefinitions`: (name, required, default).
        public var parameterDefinitions: [(name: String, required: Bool, defaultValue: String?)] = []
        /// The account that owns it; nil: any signer may call it.
        public var account: String? = nil
    }

    /// How a request was answered, counted.
    public struct Counters: Sendable, Equatable {
        public var requests = 0
        public var created = 0
        public var idempotentReplays = 0
        public var conflicts = 0
        public var throttled = 0
        public var tooManyInProgress = 0
        public var faults = 0
    }

    actor State {
        let clock: any AWSClock
        var limits: Limits
        var rateLimit: RateLimit?
        var tokens: Double = 0
        var lastRefill: Date
        var completionTime: Duration = .zero
        var distributions: Set<String> = []
        var catalogue: [Distribution] = []
        var listRequests = 0
        var configRequests = 0
        var records: [Record] = []
        var faults: [String: [Fault]] = [:]
        var injector: (@Sendable (RequestInfo) -> Fault?)?
        var pollsUntilComplete: [String: Int] = [:]
        var counters = Counters()
        var sequence = 0
        /// The edge-cache models of the distributions a test seeded (`seedEdgeCache`).
        var edgeCaches: [String: EdgeCache] = [:]
        /// Distribution tenants, in creation order.
        var tenants: [FakeCloudFront.Tenant] = []
        /// The owning account of a distribution created with one (`Distribution.account`, `setAccount(_:ofDistribution:)`).
        var distributionAccounts: [String: String] = [:]
        /// The account of each plain access key id a test registered.
        var keyAccounts: [String: String] = [:]
        /// Where keys issued by STS are looked up.
        var sts: FakeSTS?

        init(clock: any AWSClock, limits: Limits, rateLimit: RateLimit?) {
            self.clock = clock
            self.limits = limits
            self.rateLimit = rateLimit
            self.tokens = rateLimit?.burst ?? 0
            self.lastRefill = clock.now()
        }

        static func operation(method: String, parts: [String]) -> String {
            if parts.count >= 2, parts[1] != "distribution" { return tenantOperation(method: method, parts: parts) }
            switch (method, parts.count) {
            case ("GET", 2): return "ListDistributions"
            case ("GET", 4) where parts[3] == "config": return "GetDistributionConfig"
            case ("POST", 4) where parts[3] == "invalidation": return "CreateInvalidation"
            case ("GET", 4) where parts[3] == "invalidation": return "ListInvalidations"
            case ("GET", 5) where parts[3] == "invalidation": return "GetInvalidation"
            default: return "Unknown"
            }
        }

        /// The fault to apply to this request, if any: scripted ones first, then the injector's.
        func fault(for request: LoopbackRequest) -> Fault? {
            let parts = request.path.split(separator: "/").map(String.init)
            guard parts.count >= 2 else { return nil }
            let faultKey = FakeCloudFront.faultKey(parts)
            if var scripted = faults[faultKey], !scripted.isEmpty {
                let fault = scripted.removeFirst()
                faults[faultKey] = scripted
                counters.faults += 1
                return fault
            }
            if let injector {
                let tenantId = parts[1] == "distribution-tenant" && parts.count >= 3 ? parts[2] : nil
                let distributionId =
                    tenantId.map { id in tenants.first { $0.id == id }?.distributionId }
                    ?? (parts[1] == "distribution" && parts.count >= 3 ? parts[2] : nil)
                let info = RequestInfo(
                    operation: Self.operation(method: request.method, parts: parts), distributionId: distributionId,
                    time: clock.now(), tenantId: tenantId)
                if let fault = injector(info) {
                    counters.faults += 1
                    return fault
                }
            }
            return nil
        }

        /// Answers a request, faults included: `nil` when the connection is to be dropped unanswered.
        /// Looks up, before anything else and so before any state is read, whether the request's key is one STS
        /// issued (the one suspension point: the rest of the request is handled without interleaving).
        func serve(_ request: LoopbackRequest) async -> (reply: LoopbackReply, wire: LoopbackReply.WireFault?)? {
            let issued = await issuedCredentials(request)
            counters.requests += 1
            let fault = fault(for: request)
            switch fault?.action {
            case .answer(let status, let code, let message)?:
                return (FakeCloudFront.error(status, code, message), nil)
            case .reset?:
                return nil
            case .slow(let duration)?:
                return (handle(request, issued: issued), .delay(duration))
            case .truncated?:
                return (handle(request, issued: issued), .truncate)
            case nil:
                return (handle(request, issued: issued), nil)
            }
        }

        func handle(_ request: LoopbackRequest, issued: FakeSTS.Issued?) -> LoopbackReply {
            guard let authorization = request.header("authorization"),
                authorization.contains("/cloudfront/aws4_request")
            else { return FakeCloudFront.error(403, "MissingAuthenticationToken", "request is not signed") }
            let caller: FakeCloudFront.Caller
            switch authenticate(request, issued: issued) {
            case .success(let identified): caller = identified
            case .failure(let refusal): return refusal.reply
            }
            let parts = request.path.split(separator: "/").map(String.init)
            guard parts.count >= 2, parts[0] == "2020-05-31" else {
                return FakeCloudFront.error(404, "NotFound", "no such resource \(request.path)")
            }
            if parts[1] != "distribution" { return handleTenantRequest(request, parts: parts, caller: caller) }
            if parts.count >= 3, let refusal = authorize(caller, distribution: parts[2], request: request) {
                return refusal
            }
            if parts.count == 2, request.method == "GET" { return list(query: request.query, caller: caller) }
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
            case ("GET", 4): return listInvalidations(distribution: distribution, query: request.query)
            case ("GET", 5): return get(distribution: distribution, id: parts[4])
            default: return FakeCloudFront.error(405, "MethodNotAllowed", "\(request.method) \(request.path)")
            }
        }

        /// Takes a token from the account's bucket; false: throttled.
        func takeToken() -> Bool {
            guard let rateLimit else { return true }
            let now = clock.now()
            tokens = min(rateLimit.burst, tokens + max(0, now.timeIntervalSince(lastRefill)) * rateLimit.perSecond)
            lastRefill = now
            guard tokens >= 1 else { return false }
            tokens -= 1
            return true
        }

        func create(distribution: String, tenant: String? = nil, body: [UInt8]) -> LoopbackReply {
            guard takeToken() else {
                counters.throttled += 1
                return FakeCloudFront.error(400, "Throttling", "Rate exceeded")
            }
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
            guard !paths.isEmpty else {
                return FakeCloudFront.error(400, "InvalidArgument", "an invalidation batch needs at least one path")
            }
            for path in paths where !FakeCloudFront.isValid(path) {
                return FakeCloudFront.error(
                    400, "InvalidArgument", "Your request contains one or more invalid invalidation paths.")
            }
            if let existing = records.first(where: {
                $0.distributionId == distribution && $0.tenantId == tenant && $0.callerReference == reference
            }) {
                guard existing.paths == paths else {
                    counters.conflicts += 1
                    return FakeCloudFront.error(
                        400, "InvalidationBatchAlreadyExists",
                        "Your request contains a caller reference that was used for a previous invalidation batch "
                            + "for the same \(tenant == nil ? "distribution" : "distribution tenant").")
                }
                counters.idempotentReplays += 1
                return FakeCloudFront.invalidationReply(existing, status: 201, now: clock.now())
            }
            let now = clock.now()
            let wildcards = paths.filter { $0.hasSuffix("*") }.count
            let files = paths.count - wildcards
            guard files <= limits.filePaths, wildcards <= limits.wildcardPaths else {
                return FakeCloudFront.error(413, "BatchTooLarge", "Invalidation batch specified is too large.")
            }
            let running = records.filter { $0.distributionId == distribution && !$0.isCompleted(at: now) }
            guard running.reduce(0, { $0 + $1.fileCount }) + files <= limits.filePaths,
                running.reduce(0, { $0 + $1.wildcardCount }) + wildcards <= limits.wildcardPaths
            else {
                counters.tooManyInProgress += 1
                return FakeCloudFront.error(
                    400, "TooManyInvalidationsInProgress",
                    "Processing your request will cause you to exceed the maximum number of in-progress "
                        + "invalidations.")
            }
            sequence += 1
            counters.created += 1
            let record = Record(
                id: "I\(String(sequence, radix: 36).uppercased())FAKE\(distribution.prefix(4))",
                distributionId: distribution, callerReference: reference, paths: paths, created: now,
                pollsUntilComplete: pollsUntilComplete[distribution] ?? 0,
                completes: now.addingTimeInterval(completionTime.seconds), tenantId: tenant)
            records.append(record)
            if tenant == nil { edgeCaches[distribution]?.record(invalidationId: record.id, created: now, items: paths) }
            return FakeCloudFront.invalidationReply(record, status: 201, now: now)
        }

        func get(distribution: String, tenant: String? = nil, id: String) -> LoopbackReply {
            guard
                let index = records.firstIndex(where: {
                    $0.distributionId == distribution && $0.tenantId == tenant && $0.id == id
                })
            else {
                return FakeCloudFront.error(404, "NoSuchInvalidation", "The specified invalidation does not exist.")
            }
            let reply = FakeCloudFront.invalidationReply(records[index], status: 200, now: clock.now())
            records[index].pollsUntilComplete -= 1
            return reply
        }

        /// Newest first; `Marker` is the id after which a page starts, `NextMarker` the last id of a truncated page.
        func listInvalidations(distribution: String, tenant: String? = nil, query: [String: String]) -> LoopbackReply {
            guard let maxItems = Int(query["MaxItems"] ?? "100"), (1...1000).contains(maxItems) else {
                return FakeCloudFront.error(400, "InvalidArgument", "MaxItems must be 1 to 1000")
            }
            let now = clock.now()
            let newest = records.filter { $0.distributionId == distribution && $0.tenantId == tenant }.reversed()
            let marker = query["Marker"] ?? ""
            let rest = marker.isEmpty ? Array(newest) : Array(newest.drop { $0.id != marker }.dropFirst())
            let xml = FakeCloudFront.listXML(
                root: "InvalidationList", marker: marker, maxItems: maxItems, rest: rest, id: \.id
            ) { record in
                "<InvalidationSummary><Id>\(record.id)</Id>"
                    + "<CreateTime>\(FakeCloudFront.timestamp(record.created))</CreateTime>"
                    + "<Status>\(record.isCompleted(at: now) ? "Completed" : "InProgress")</Status></InvalidationSummary>"
            }
            return LoopbackReply(status: 200, headers: [("content-type", "text/xml")], text: xml)
        }

        func addDistribution(_ id: String, pollsUntilComplete polls: Int) {
            distributions.insert(id)
            pollsUntilComplete[id] = polls
        }

        func add(_ distribution: Distribution) {
            catalogue.append(distribution)
            if let account = distribution.account { distributionAccounts[distribution.id] = account }
            addDistribution(distribution.id, pollsUntilComplete: distribution.pollsUntilComplete)
        }

        /// Pages in id order; `Marker` is the id after which a page starts, `NextMarker` the last id of a
        /// truncated page (as CloudFront documents it).
        /// Standard distributions only, unless `connectionMode` says otherwise (`ListDistributionsByConnectionMode`),
        /// and only those of the caller's account or of none.
        func list(query: [String: String], connectionMode: String? = nil, caller: FakeCloudFront.Caller)
            -> LoopbackReply
        {
            listRequests += 1
            guard let maxItems = Int(query["MaxItems"] ?? "100"), (1...1000).contains(maxItems) else {
                return FakeCloudFront.error(400, "InvalidArgument", "MaxItems must be 1 to 1000")
            }
            let sorted = catalogue.filter {
                ($0.connectionMode ?? "direct") == (connectionMode ?? "direct")
                    && ($0.account == nil || $0.account == caller.account)
            }
            .sorted { $0.id < $1.id }
            let marker = query["Marker"] ?? ""
            let rest = marker.isEmpty ? sorted : Array(sorted.drop { $0.id <= marker })
            let xml = FakeCloudFront.listXML(
                root: "DistributionList", marker: marker, maxItems: maxItems, rest: rest, id: \.id
            ) { distribution in
                "<DistributionSummary><Id>\(distribution.id)</Id><Status>Deployed</Status>"
                    + "<DomainName>\(distribution.id.lowercased()).cloudfront.net</DomainName>"
                    + (distribution.summaryHasOrigins
                        ? FakeCloudFront.originsXML(distribution) + "<Enabled>\(distribution.enabled)</Enabled>" : "")
                    + (distribution.connectionMode.map { "<ConnectionMode>\($0)</ConnectionMode>" } ?? "")
                    + "</DistributionSummary>"
            }
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
                + "<Enabled>\(distribution.enabled)</Enabled>"
                + (distribution.cacheTagHeader.map {
                    "<CacheTagConfig><HeaderName>\(XML.escape($0))</HeaderName></CacheTagConfig>"
                } ?? "") + FakeCloudFront.tenantConfigXML(distribution) + "</DistributionConfig>"
            return LoopbackReply(status: 200, headers: [("content-type", "text/xml"), ("etag", "E\(id)")], text: xml)
        }

        func script(_ distribution: String, _ scripted: [Fault]) { faults[distribution, default: []] += scripted }
        func setInjector(_ injector: (@Sendable (RequestInfo) -> Fault?)?) { self.injector = injector }
        func setCompletionTime(_ duration: Duration) { completionTime = duration }
        func setLimits(_ limits: Limits) { self.limits = limits }
        func seed(_ distribution: String, _ cache: EdgeCache) { edgeCaches[distribution] = cache }
        func clearPurges(_ distribution: String) { edgeCaches[distribution]?.clearPurges() }
        func setRateLimit(_ rateLimit: RateLimit?) {
            self.rateLimit = rateLimit
            tokens = rateLimit?.burst ?? 0
            lastRefill = clock.now()
        }
    }

    /// nil for a fake made `inProcess`.
    let server: LoopbackHTTPServer?
    let state: State

    /// Starts the fake on 127.0.0.1. `clock` drives completion and the rate limit (a test's virtual clock, or
    /// the system's).
    public static func start(
        clock: any AWSClock = SystemClock(), limits: Limits = Limits(), rateLimit: RateLimit? = nil
    ) async throws -> FakeCloudFront {
        let state = State(clock: clock, limits: limits, rateLimit: rateLimit)
        let server = try await LoopbackHTTPServer.start { request in
            guard let (reply, wire) = await state.serve(request) else {
                var dropped = LoopbackReply(status: 500)
                dropped.wireFault = .reset
                return dropped
            }
            var answer = reply
            answer.wireFault = wire
            return answer
        }
        return FakeCloudFront(server: server, state: state)
    }

    /// The fake without a server, for callers that only use `transport`: thousands of simulated deploys start one
    /// each, and a socket and its threads apiece would cost more than the simulation.
    public static func inProcess(
        clock: any AWSClock = SystemClock(), limits: Limits = Limits(), rateLimit: RateLimit? = nil
    ) -> FakeCloudFront {
        FakeCloudFront(server: nil, state: State(clock: clock, limits: limits, rateLimit: rateLimit))
    }

    private init(server: LoopbackHTTPServer?, state: State) {
        self.server = server
        self.state = state
    }

    /// The fake called in-process, with its faults mapped to what `HTTP1Transport` reports for them (a reset or
    /// truncated answer is a transport error; a slow one a timeout when it outlasts the request's time limit, the
    /// wait taken on the fake's clock).
    public var transport: any HTTPTransport { InProcessTransport(state: state) }

    struct InProcessTransport: HTTPTransport {
        let state: State

        func send(_ request: HTTPRequest, timeout: Duration) async throws(AWSError) -> HTTPResponse {
            let uri = request.url.dropFirst(request.origin.count)
            let loopback = LoopbackRequest(
                method: request.method, uri: String(uri), headers: request.headers.map { ($0.name, $0.value) },
                body: request.body)
            guard let (reply, wire) = await state.serve(loopback) else {
                throw AWSError(
                    kind: .transport, code: "ConnectionError", message: "connection reset by peer", service: "",
                    operation: "")
            }
            switch wire {
            case .reset?, .truncate?:
                throw AWSError(
                    kind: .transport, code: "ConnectionError", message: "remote connection closed mid-response",
                    service: "", operation: "")
            case .delay(let duration)?:
                try? await state.clock.sleep(for: min(duration, timeout))
                if duration >= timeout {
                    throw AWSError(
                        kind: .timeout, code: "RequestTimeout", message: "no response within \(timeout)", service: "",
                        operation: "")
                }
            case nil:
                break
            }
            return HTTPResponse(
                statusCode: reply.status, headers: reply.headers.map { HTTPHeader($0.0, $0.1) }, body: reply.body)
        }
    }

    /// The value for `AWS_ENDPOINT_URL_CLOUDFRONT`.
    public var endpoint: String {
        guard let server else { preconditionFailure("a FakeCloudFront made inProcess has no endpoint") }
        return server.origin
    }

    /// Creates a distribution whose invalidations answer `InProgress` to the first `pollsUntilComplete`
    /// GetInvalidation calls (0: completed at once).
    public func addDistribution(_ id: String, pollsUntilComplete: Int = 0) async {
        await state.addDistribution(id, pollsUntilComplete: pollsUntilComplete)
    }

    /// Adds a distribution with these origins, for discovery (`ListDistributions`, `GetDistributionConfig`).
    /// - Parameter cacheTagHeader: its `CacheTagConfig.HeaderName` (nil: the configuration has no `CacheTagConfig`).
    public func addDistribution(
        _ id: String, origins: [(domain: String, path: String)], enabled: Bool = true, summaryHasOrigins: Bool = true,
        pollsUntilComplete: Int = 0, cacheTagHeader: String? = nil, account: String? = nil
    ) async {
        await state.add(
            Distribution(
                id: id, enabled: enabled, origins: origins, summaryHasOrigins: summaryHasOrigins,
                pollsUntilComplete: pollsUntilComplete, cacheTagHeader: cacheTagHeader, account: account))
    }

    /// `ListDistributions` and `GetDistributionConfig` requests answered.
    public var listingRequests: (list: Int, config: Int) {
        get async { (await state.listRequests, await state.configRequests) }
    }

    /// The key under which `script` takes faults for `ListDistributions` (and `ListDistributionsByConnectionMode`).
    public static let listFaultKey = "ListDistributions"
    /// The key under which `script` takes faults for `ListDistributionTenants`.
    public static let tenantListFaultKey = "ListDistributionTenants"

    /// Scripted faults are kept by the id in the path (a distribution's or a tenant's), or by list.
    static func faultKey(_ parts: [String]) -> String {
        switch parts[1] {
        case "distribution-tenants": return tenantListFaultKey
        case "distributionsByConnectionMode": return listFaultKey
        default: return parts.count >= 3 ? parts[2] : listFaultKey
        }
    }

    /// The next requests for `distribution` (or `listFaultKey`) are answered with these faults, in order.
    public func script(_ distribution: String, faults: [Fault]) async { await state.script(distribution, faults) }

    /// Every request's fault is asked of `injector` (after scripted faults); nil removes it.
    public func injectFaults(_ injector: (@Sendable (RequestInfo) -> Fault?)?) async {
        await state.setInjector(injector)
    }

    /// New invalidations complete this long after their creation on the fake's clock (default: at once).
    public func completeInvalidations(after duration: Duration) async { await state.setCompletionTime(duration) }

    public func setLimits(_ limits: Limits) async { await state.setLimits(limits) }
    public func setRateLimit(_ rateLimit: RateLimit?) async { await state.setRateLimit(rateLimit) }

    /// Models `distribution`'s edge caches as holding `objects` (replacing an earlier model): from now on every
    /// invalidation created there records what it purged, for `edgeCache` and `edgeCacheFigures` to tell.
    public func seedEdgeCache(_ distribution: String, objects: [EdgeCache.Object]) async {
        await state.seed(distribution, EdgeCache(objects: objects))
    }

    /// The edge-cache model of `distribution`, with what each invalidation purged; nil when never seeded.
    public func edgeCache(_ distribution: String) async -> EdgeCache? { await state.edgeCaches[distribution] }

    /// Stale and over-invalidated objects of `distribution` for a deploy that made `changes`; nil when never seeded.
    public func edgeCacheFigures(_ distribution: String, changes: [EdgeCache.Change]) async -> EdgeCache.Figures? {
        await state.edgeCaches[distribution]?.figures(changes: changes)
    }

    /// Forgets what `distribution`'s invalidations purged so far, so that the next deploy is measured alone.
    public func clearEdgeCachePurges(_ distribution: String) async { await state.clearPurges(distribution) }

    public var invalidations: [Record] {
        get async { await state.records }
    }

    public var requestCount: Int {
        get async { await state.counters.requests }
    }

    public var counters: Counters {
        get async { await state.counters }
    }

    public func shutdown() async { await server?.shutdown() }

    /// CloudFront's documented path rules: a leading `/`, `*` only last, at most 4,000 characters, and no
    /// character that must be URL-encoded (space, control, non-ASCII); or a cache tag item (`isValidTag`).
    static func isValid(_ path: String) -> Bool {
        if path.utf8.first == UInt8(ascii: "#") { return isValidTag(path) }
        guard path.hasPrefix("/"), path.utf8.count <= 4000 else { return false }
        if let star = path.firstIndex(of: "*"), star != path.index(before: path.endIndex) { return false }
        return path.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    /// A cache tag item as "What you need to know when invalidating tags" in CloudFront's developer guide describes
    /// it: `#`, then 1 to 256 visible ASCII characters (33 to 126) without commas, and no `*` (tags are never
    /// wildcards; the guide does not say CloudFront refuses one rather than matching it literally, so the fake takes
    /// the strict reading, and a plan cannot pass here on a form CloudFront might refuse). The guide says each tag
    /// item counts as one invalidation path toward the concurrent limits; it has no `*`, so the fake counts it as a
    /// file path (`Record.fileCount`), against the 3,000, not the 15 wildcards.
    static func isValidTag(_ item: String) -> Bool {
        let tag = item.utf8.dropFirst()
        return (1...256).contains(tag.count)
            && tag.allSatisfy { (33...126).contains($0) && $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: "*") }
    }

    /// One page of a CloudFront list (`DistributionList`, `InvalidationList`): `rest` is what follows the marker; a
    /// truncated page names its last id as `NextMarker`, as CloudFront documents it.
    static func listXML<Item>(
        root: String, marker: String, maxItems: Int, rest: [Item], id: (Item) -> String, item: (Item) -> String
    ) -> String {
        let page = rest.prefix(maxItems)
        let truncated = rest.count > page.count
        var xml = "<?xml version=\"1.0\"?><\(root) xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\">"
        xml += "<Marker>\(XML.escape(marker))</Marker>"
        if truncated, let last = page.last { xml += "<NextMarker>\(id(last))</NextMarker>" }
        xml +=
            "<MaxItems>\(maxItems)</MaxItems><IsTruncated>\(truncated)</IsTruncated><Quantity>\(page.count)</Quantity>"
        if !page.isEmpty { xml += "<Items>" + page.map(item).joined() + "</Items>" }
        return xml + "</\(root)>"
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

    static func timestamp(_ date: Date) -> String { RFC3339.format(date) }

    static func invalidationReply(_ record: Record, status: Int, now: Date) -> LoopbackReply {
        let items = record.paths.map { "<Path>\(XML.escape($0))</Path>" }.joined()
        let xml = """
            <?xml version="1.0"?><Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">\
            <Id>\(record.id)</Id><Status>\(record.isCompleted(at: now) ? "Completed" : "InProgress")</Status>\
            <CreateTime>\(timestamp(record.created))</CreateTime><InvalidationBatch><Paths>\
            <Quantity>\(record.paths.count)</Quantity><Items>\(items)</Items></Paths>\
            <CallerReference>\(XML.escape(record.callerReference))</CallerReference></InvalidationBatch></Invalidation>
            """
        return LoopbackReply(
            status: status,
            headers: [
                ("content-type", "text/xml"),
                (
                    "location",
                    "https://cloudfront.amazonaws.com/2020-05-31/"
                        + (record.tenantId.map { "distribution-tenant/\($0)" }
                            ?? "distribution/\(record.distributionId)")
                        + "/invalidation/\(record.id)"
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
