import AWSClient
import AWSTestSupport
import FoundationEssentials
import Invalidator
import LambdaRuntime
import LocalAWS
import Testing

/// The check that a distribution stores the deploy's cache tags before any is sent to it, against the strict fake
/// CloudFront over real HTTP, on a virtual clock.
@Suite("Cache tag check")
struct CacheTagCheckTests {
    func check(
        _ cloudFront: FakeCloudFront, clock: VirtualClock, settings: CacheTagSettings = CacheTagSettings()
    ) throws -> CacheTagCheck {
        var environment = HandlerTestsEnvironment.values
        environment["AWS_ENDPOINT_URL_CLOUDFRONT"] = cloudFront.endpoint
        var service = try CloudFrontClient(
            configuration: AWSConfiguration(environment: environment), transport: HTTP1Transport(), clock: clock
        ).client
        service.requestTimeout = .seconds(60)
        return CacheTagCheck(cloudFront: CloudFrontClient(client: service), settings: settings)
    }

    @Test("a CacheTagConfig naming the deploy's header, in any case, is confirmed without a warning")
    func confirmed() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution(
            "E1TAGS", origins: [("site.s3.amazonaws.com", "")], cacheTagHeader: "X-Amz-Meta-Cache-Tag")
        let log = RecordingLog()
        let check = try check(cloudFront, clock: VirtualClock())
        #expect(await check.verdict(distributionId: "E1TAGS", logger: log.logger) == .confirmed)
        #expect(log.all.isEmpty, "\(log.all)")
        await cloudFront.shutdown()
    }

    @Test("no CacheTagConfig: unconfirmed, one warning naming the distribution, once per TTL however many batches")
    func missingOncePerTTL() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E2PLAIN", origins: [("site.s3.amazonaws.com", "")])
        let log = RecordingLog()
        let clock = VirtualClock()
        let check = try check(cloudFront, clock: clock, settings: CacheTagSettings(ttlSeconds: 60))
        for _ in 0..<5 {
            let verdict = await check.verdict(distributionId: "E2PLAIN", logger: log.logger)
            #expect(!verdict.isConfirmed)
            clock.advance(by: .seconds(10))
        }
        #expect(await check.checks == 1)
        #expect(await cloudFront.listingRequests.config == 1)
        let warnings = log.all.filter { $0.contains("cache tags not used") }
        #expect(warnings.count == 1, "\(log.all)")
        #expect(warnings.first?.contains("distribution E2PLAIN: it has no CacheTagConfig") == true, "\(warnings)")
        #expect(warnings.first?.contains("invalidated by path") == true)
        clock.advance(by: .seconds(11))
        _ = await check.verdict(distributionId: "E2PLAIN", logger: log.logger)
        #expect(await check.checks == 2)
        #expect(log.all.filter { $0.contains("cache tags not used") }.count == 2)
        await cloudFront.shutdown()
    }

    @Test("a CacheTagConfig reading another header is unconfirmed, naming both headers")
    func otherHeader() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution(
            "E3OTHER", origins: [("site.s3.amazonaws.com", "")], cacheTagHeader: "Surrogate-Key")
        let log = RecordingLog()
        let checker = try check(cloudFront, clock: VirtualClock())
        let verdict = await checker.verdict(distributionId: "E3OTHER", logger: log.logger)
        guard case .unconfirmed(let reason) = verdict else {
            Issue.record("confirmed a distribution reading Surrogate-Key")
            return
        }
        #expect(reason.contains("header Surrogate-Key, not from x-amz-meta-cache-tag"), "\(reason)")
        #expect(log.all.count == 1)
        await cloudFront.shutdown()
    }

    @Test("a failed check is unconfirmed, never an error, and says what is missing when access was denied")
    func failedCheck() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution(
            "E4DENY", origins: [("site.s3.amazonaws.com", "")], cacheTagHeader: "x-amz-meta-cache-tag")
        await cloudFront.script("E4DENY", faults: [.accessDenied])
        let log = RecordingLog()
        let checker = try check(cloudFront, clock: VirtualClock())
        let verdict = await checker.verdict(distributionId: "E4DENY", logger: log.logger)
        guard case .unconfirmed(let reason) = verdict else {
            Issue.record("confirmed a distribution whose configuration could not be read")
            return
        }
        #expect(reason.contains("could not be read") && reason.contains("cloudfront:GetDistributionConfig"))
        #expect(log.all.filter { $0.contains("E4DENY") }.count == 1, "\(log.all)")
        await cloudFront.shutdown()
    }

    @Test("CACHE_TAG_HEADER and CACHE_TAG_CHECK_TTL_SECONDS: defaults, values, and what is refused")
    func configuration() throws {
        let defaults = try Configuration(environment: [:]).cacheTags
        #expect(defaults == CacheTagSettings(header: "x-amz-meta-cache-tag", ttlSeconds: 300))
        let set = try Configuration(
            environment: ["CACHE_TAG_HEADER": " Surrogate-Key ", "CACHE_TAG_CHECK_TTL_SECONDS": "30"]
        ).cacheTags
        #expect(set == CacheTagSettings(header: "Surrogate-Key", ttlSeconds: 30))
        #expect(throws: ConfigurationError.self) {
            try Configuration(environment: ["CACHE_TAG_HEADER": "cache tag"])
        }
        #expect(throws: ConfigurationError.self) {
            try Configuration(environment: ["CACHE_TAG_CHECK_TTL_SECONDS": "-1"])
        }
    }
}
