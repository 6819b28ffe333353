import AWSClient
import AWSTestSupport
import FoundationEssentials
import InvalidationCore
import Invalidator
import JSONSupport
import LambdaRuntime
import LocalAWS
import Synchronization
import Testing

/// Discovery against the project's strict fake CloudFront over real HTTP (moto's summaries lack Origins and it
/// does not paginate, so paging and the fallback are proven here; tests/IntegrationTests cover moto).
@Suite("Distribution discovery")
struct DiscoveryTests {
    func handler(
        _ cloudFront: FakeCloudFront, settings: DiscoverySettings = DiscoverySettings(),
        clock: VirtualClock = VirtualClock(),
        map: DistributionMap? = nil, ids: [String] = []
    ) throws -> InvalidationHandler {
        var environment = HandlerTestsEnvironment.values
        environment["AWS_ENDPOINT_URL_CLOUDFRONT"] = cloudFront.endpoint
        let aws = try AWSConfiguration(environment: environment)
        var service = try CloudFrontClient(configuration: aws, transport: HTTP1Transport(), clock: clock).client
        // Real HTTP on a loaded machine (the whole suite runs in parallel): no attempt may time out and be retried,
        // or the listing counts below would count the retry.
        service.requestTimeout = .seconds(60)
        let client = CloudFrontClient(client: service)
        let discovery =
            DistributionResolver.discoveryApplies(settings, ids: ids, map: map)
            ? DistributionDiscovery(
                cloudFront: client, settings: settings, logger: Logger(write: { _ in })) : nil
        return InvalidationHandler(
            resolver: DistributionResolver(ids: ids, map: map, discovery: discovery), planner: PlannerSettings(),
            cloudFront: client,
            codePipeline: try CodePipelineClient(configuration: aws, transport: HTTP1Transport()))
    }

    @Test("every matching distribution, any endpoint form, each in its own request; OriginPath maps keys")
    func matches() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E1REST", origins: [("site.s3.amazonaws.com", "")])
        await cloudFront.addDistribution("E2WEB", origins: [("site.s3-website-eu-west-1.amazonaws.com", "")])
        await cloudFront.addDistribution(
            "E3PATHS", origins: [("site.s3.eu-west-1.amazonaws.com", "/prod"), ("site.s3.amazonaws.com", "/staging")])
        await cloudFront.addDistribution("E4OTHER", origins: [("other.s3.amazonaws.com", "")])
        await cloudFront.addDistribution("E5OFF", origins: [("site.s3.amazonaws.com", "")], enabled: false)
        let log = RecordingLog()
        let result = try await handler(cloudFront).handle(
            invocation(sqsEvent([(id: "m1", body: s3Body("prod/index.html", "staging/a.css", "b.js"))])),
            logger: log.logger)
        #expect(try result.get() == Array(#"{"batchItemFailures":[]}"#.utf8), "\(log.all)")
        let landed = await cloudFront.invalidations.sorted { $0.distributionId < $1.distributionId }
        try #require(landed.map(\.distributionId) == ["E1REST", "E2WEB", "E3PATHS"])
        #expect(landed[0].paths == ["/b.js", "/prod/", "/prod/index.html", "/staging/a.css"])
        #expect(landed[2].paths == ["/", "/a.css", "/index.html"])
        await cloudFront.shutdown()
    }

    @Test("disabled distributions are included when configured so")
    func includeDisabled() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E5OFF", origins: [("site.s3.amazonaws.com", "")], enabled: false)
        var settings = DiscoverySettings()
        settings.includeDisabled = true
        _ = try await handler(cloudFront, settings: settings).handle(
            invocation(Array(s3Body("a").utf8)), logger: RecordingLog().logger)
        #expect(await cloudFront.invalidations.map(\.distributionId) == ["E5OFF"])
        await cloudFront.shutdown()
    }

    @Test("hundreds of distributions over several pages; summaries without Origins fall back to the config")
    func paging() async throws {
        let cloudFront = try await FakeCloudFront.start()
        for index in 0..<250 {
            let id = "E" + String(1000 + index)
            let bucket = index == 7 || index == 241 ? "site" : "bucket-\(index)"
            await cloudFront.addDistribution(
                id, origins: [("\(bucket).s3.amazonaws.com", "")], summaryHasOrigins: index != 241)
        }
        _ = try await handler(cloudFront).handle(invocation(Array(s3Body("a").utf8)), logger: RecordingLog().logger)
        #expect(Set(await cloudFront.invalidations.map(\.distributionId)) == ["E1007", "E1241"])
        let requests = await cloudFront.listingRequests
        // Three pages of standard distributions, and one (empty) of multi-tenant ones.
        #expect(requests.list == 4)
        #expect(requests.config == 1)
        await cloudFront.shutdown()
    }

    @Test("an account with no distributions: records acknowledged, the bucket logged once per TTL")
    func noDistributions() async throws {
        let cloudFront = try await FakeCloudFront.start()
        let clock = VirtualClock()
        let handler = try handler(cloudFront, clock: clock)
        let log = RecordingLog()
        let event = invocation(sqsEvent([(id: "m1", body: s3Body("a"))]))
        for _ in 0..<3 {
            #expect(
                try await handler.handle(event, logger: log.logger).get() == Array(#"{"batchItemFailures":[]}"#.utf8))
        }
        #expect(log.all.filter { $0.contains("no CloudFront distribution serves bucket site") }.count == 1)
        // A listing is one page of standard distributions and one of multi-tenant ones.
        #expect(await cloudFront.listingRequests.list == 2, "one listing per TTL")
        clock.advance(by: .seconds(301))
        // Deadlines are measured on the handler's clock.
        _ = await handler.handle(
            invocation(sqsEvent([(id: "m1", body: s3Body("a"))]), clock: clock, seconds: 30), logger: log.logger)
        #expect(log.all.filter { $0.contains("no CloudFront distribution serves bucket site") }.count == 2)
        #expect(await cloudFront.listingRequests.list == 4)
        await cloudFront.shutdown()
    }

    @Test("a failed listing hands the bucket's messages back instead of dropping them")
    func listingFails() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E1", origins: [("site.s3.amazonaws.com", "")])
        await cloudFront.addDistribution("E2", origins: [("other.s3.amazonaws.com", "")])
        // Three attempts, as the SDKs' standard mode makes: all of them fail.
        await cloudFront.script(FakeCloudFront.listFaultKey, faults: Array(repeating: .serviceUnavailable, count: 3))
        let log = RecordingLog()
        let result = try await handler(cloudFront).handle(
            invocation(sqsEvent([(id: "m1", body: s3Body("a"))])), logger: log.logger)
        #expect(
            try JSON.parse(try result.get())["batchItemFailures"]
                == .array([.object(["itemIdentifier": .string("m1")])]))
        #expect(log.all.contains { $0.contains("could not find its distributions") })
        await cloudFront.shutdown()
    }

    @Test("discovery's retries count in the invocation's log line and metrics")
    func discoveryRetriesCounted() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E1", origins: [("site.s3.amazonaws.com", "")])
        await cloudFront.script(FakeCloudFront.listFaultKey, faults: [.serviceUnavailable])
        var environment = HandlerTestsEnvironment.values
        environment["AWS_ENDPOINT_URL_CLOUDFRONT"] = cloudFront.endpoint
        // As bootstrap builds it: discovery and submission share one client, and so its statistics.
        let handler = try await Startup(environment: environment, transport: HTTP1Transport())
            .makeHandler(logger: Logger(write: { _ in }))
        let log = RecordingLog()
        let result = await handler.handle(invocation(sqsEvent([(id: "m1", body: s3Body("a"))])), logger: log.logger)
        #expect(try JSON.parse(try result.get())["batchItemFailures"] == .array([]))
        #expect(log.all.contains { $0.contains("invalidated") && $0.contains("retries=1") }, "\(log.all)")
        #expect(log.all.contains { $0.contains(#""Retries":1"#) }, "\(log.all)")
        await cloudFront.shutdown()
    }

    @Test("explicit configuration wins: the map for its buckets, no listing")
    func explicitWins() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("EMAPPED", origins: [])
        await cloudFront.addDistribution("EFOUND", origins: [("site.s3.amazonaws.com", "")])
        let map = try DistributionMap(json: #"{"site/docs":"EMAPPED"}"#)
        _ = try await handler(cloudFront, map: map).handle(
            invocation(Array(s3Body("docs/a.html", "b.html").utf8)), logger: RecordingLog().logger)
        #expect(await cloudFront.invalidations.map(\.distributionId) == ["EMAPPED"])
        #expect(await cloudFront.invalidations.first?.paths == ["/a.html"])
        #expect(await cloudFront.listingRequests.list == 0)
        await cloudFront.shutdown()
    }

    @Test("DISTRIBUTION_DISCOVERY=on also discovers buckets the map does not name")
    func discoveryOn() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("EMAPPED", origins: [])
        await cloudFront.addDistribution("EFOUND", origins: [("other.s3.amazonaws.com", "")])
        var settings = DiscoverySettings()
        settings.mode = .on
        let map = try DistributionMap(json: #"{"site":"EMAPPED"}"#)
        _ = try await handler(cloudFront, settings: settings, map: map).handle(
            invocation(Array(s3Body(bucket: "other", "x.html").utf8)), logger: RecordingLog().logger)
        #expect(await cloudFront.invalidations.map(\.distributionId) == ["EFOUND"])
        await cloudFront.shutdown()
    }

    @Test("configuration: DISTRIBUTION_MAP, DISTRIBUTION_DISCOVERY, DISCOVERY_TTL_SECONDS, DISCOVERY_INCLUDE_DISABLED")
    func configuration() throws {
        let configuration = try Configuration(environment: [
            "DISTRIBUTION_MAP": #"{"site":"E1"}"#, "DISTRIBUTION_DISCOVERY": "on", "DISCOVERY_TTL_SECONDS": "60",
            "DISCOVERY_INCLUDE_DISABLED": "true",
        ])
        #expect(configuration.map?.targets["site"] == [DistributionTarget(distributionId: "E1")])
        #expect(configuration.discovery.mode == .on)
        #expect(configuration.discovery.ttlSeconds == 60)
        #expect(configuration.discovery.includeDisabled)
        for (variable, value) in [
            ("DISTRIBUTION_MAP", "{"), ("DISTRIBUTION_MAP", #"{"site/docs/*":"E1"}"#),
            ("DISTRIBUTION_MAP", #"{"s3://site":"E1"}"#), ("DISTRIBUTION_DISCOVERY", "sometimes"),
            ("DISCOVERY_TTL_SECONDS", "-1"),
            ("DISCOVERY_INCLUDE_DISABLED", "maybe"),
        ] {
            #expect { try Configuration(environment: [variable: value]) } throws: { error in
                (error as? ConfigurationError)?.variable == variable
            }
        }
        #expect(!DistributionResolver.discoveryApplies(DiscoverySettings(), ids: ["E1"], map: nil))
        #expect(DistributionResolver.discoveryApplies(DiscoverySettings(), ids: [], map: nil))
    }
}

@Suite("Planning settings")
struct PlanningSettingsTests {
    @Test("MAX_PATHS, MAX_WILDCARDS, URL forms, INCLUDE / EXCLUDE and KEY_PREFIX are read and checked")
    func settings() throws {
        let configuration = try Configuration(environment: [
            "MAX_PATHS": "250", "MAX_WILDCARDS": "4", "INVALIDATE_DIRECTORY_WITHOUT_SLASH": "true",
            "PRETTY_URLS": "on", "QUERY_STRING_VARIANTS": "false", "INCLUDE": "site/*", "EXCLUDE": "*.map, tmp/*",
            "KEY_PREFIX": "site",
        ])
        #expect(configuration.planner.budget == PathBudget(maximumPaths: 250, maximumWildcards: 4))
        #expect(configuration.planner.forms == URLForms(directoryWithoutSlash: true, prettyURLs: true))
        #expect(configuration.planner.filter == KeyFilter(include: ["site/*"], exclude: ["*.map", "tmp/*"]))
        #expect(configuration.keyPrefix == "site")
        for (variable, value) in [
            ("MAX_PATHS", "0"), ("MAX_PATHS", "3001"), ("MAX_WILDCARDS", "16"), ("PRETTY_URLS", "maybe"),
            ("KEY_PREFIX", "a*"),
        ] {
            #expect { try Configuration(environment: [variable: value]) } throws: { error in
                (error as? ConfigurationError)?.variable == variable
            }
        }
    }

    @Test("KEY_PREFIX strips a prefix for the configured ids; keys outside it are not sent")
    func keyPrefix() async throws {
        let resolver = DistributionResolver(ids: ["E1"], map: nil, discovery: nil, keyPrefix: "prod")
        let event = EventDecoder.decode(Array(s3Body("prod/a.html", "staging/b.html").utf8))
        let (plan, _) = await InvalidationHandler.plan(event, resolver: resolver, planner: PlannerSettings())
        #expect(plan.invalidations.first?.paths == ["/a.html"])
        #expect(plan.notes.count == 1)
    }
}
