import AWSClient
import AWSTestSupport
import FoundationEssentials
import LocalAWS
import Testing

/// The strict fakes' own behaviour, as the documentation describes the real services: the reliability and chaos
/// tests lean on it, so it is pinned here, apart from the function.
@Suite("FakeCloudFront")
struct FakeCloudFrontTests {
    static let environment = [
        "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret",
    ]

    @Test("the fake's limits: BatchTooLarge over 3,000 files or 15 wildcards in one request; InconsistentQuantities")
    func fakeLimits() async throws {
        let clock = VirtualClock()
        let cloudFront = try await FakeCloudFront.start(clock: clock)
        await cloudFront.addDistribution("E1")
        await cloudFront.completeInvalidations(after: .seconds(60))
        let client = try CloudFrontClient(
            configuration: AWSConfiguration(environment: FakeCloudFrontTests.environment),
            transport: cloudFront.transport, clock: clock)
        func create(_ reference: String, _ paths: [String]) async -> String {
            do {
                return try await client.createInvalidation(
                    distributionId: "E1", callerReference: reference, paths: paths
                )
                .status
            } catch {
                return error.code
            }
        }
        #expect(await create("big", (0...3000).map { "/f\($0)" }) == "BatchTooLarge")
        #expect(await create("wild", (0...15).map { "/d\($0)/*" }) == "BatchTooLarge")
        #expect(await create("w1", (0..<10).map { "/d\($0)/*" }) == "InProgress")
        #expect(await create("w2", (10..<16).map { "/d\($0)/*" }) == "TooManyInvalidationsInProgress")
        #expect(await create("f1", (0..<3000).map { "/f\($0)" }) == "InProgress")
        #expect(await create("f2", ["/one-more"]) == "TooManyInvalidationsInProgress")
        clock.advance(by: .seconds(61))
        #expect(await create("f2", ["/one-more"]) == "InProgress", "accepted: the others completed on the clock")
        #expect(await create("bad", ["no-slash"]) == "InvalidArgument")
        #expect(await create("mid", ["/a*b"]) == "InvalidArgument")
        let page = try await client.listInvalidations(distributionId: "E1", maxItems: 2)
        #expect(page.invalidations.count == 2 && page.nextMarker != nil, "newest first, paged")
        let rest = try await client.listInvalidations(distributionId: "E1", marker: page.nextMarker, maxItems: 10)
        #expect(rest.invalidations.count == 1 && rest.nextMarker == nil)
        await cloudFront.shutdown()
    }

    @Test("a CallerReference reused with the same paths answers the earlier invalidation; with other paths, a conflict")
    func callerReferences() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E1")
        let client = try CloudFrontClient(
            configuration: AWSConfiguration(environment: Self.environment), transport: cloudFront.transport)
        let first = try await client.createInvalidation(distributionId: "E1", callerReference: "r", paths: ["/a"])
        let again = try await client.createInvalidation(distributionId: "E1", callerReference: "r", paths: ["/a"])
        #expect(again.id == first.id)
        #expect(await cloudFront.counters.idempotentReplays == 1)
        await #expect {
            try await client.createInvalidation(distributionId: "E1", callerReference: "r", paths: ["/b"])
        } throws: {
            ($0 as? AWSError)?.code == "InvalidationBatchAlreadyExists"
        }
        await #expect {
            try await client.createInvalidation(distributionId: "E9", callerReference: "x", paths: ["/a"])
        } throws: {
            ($0 as? AWSError)?.code == "NoSuchDistribution"
        }
        await cloudFront.shutdown()
    }
}

@Suite("FakeCodePipeline")
struct FakeCodePipelineTests {
    @Test("a job ends once: a second result is InvalidJobStateException, an unknown job JobNotFoundException")
    func jobResults() async throws {
        let codePipeline = try await FakeCodePipeline.start()
        await codePipeline.addJob("job-1")
        var environment = FakeCloudFrontTests.environment
        environment["AWS_ENDPOINT_URL_CODEPIPELINE"] = codePipeline.endpoint
        // An attempt may take 60 s: on a loaded machine (the suite runs in parallel) a slow answer must not become a
        // retry, which would count as a fifth call.
        let client = CodePipelineClient(
            client: try AWSServiceClient(
                service: .codePipeline, configuration: AWSConfiguration(environment: environment),
                transport: HTTP1Transport(), errorProtocol: .json, requestTimeout: .seconds(60)))
        try await client.putJobSuccessResult(
            jobId: "job-1", summary: "waiting", externalExecutionId: "I1", percentComplete: 50,
            continuationToken: "t")
        #expect(await codePipeline.job("job-1") == .continuing(token: "t"))
        try await client.putJobFailureResult(
            jobId: "job-1", type: .jobFailed, message: "no", externalExecutionId: nil)
        #expect(await codePipeline.job("job-1") == .failed(type: "JobFailed", message: "no"))
        await #expect {
            try await client.putJobSuccessResult(jobId: "job-1", summary: "late", externalExecutionId: nil)
        } throws: {
            ($0 as? AWSError)?.code == "InvalidJobStateException"
        }
        await #expect {
            try await client.putJobSuccessResult(jobId: "job-2", summary: "who", externalExecutionId: nil)
        } throws: {
            ($0 as? AWSError)?.code == "JobNotFoundException"
        }
        #expect(await codePipeline.calls.count == 4)
        await codePipeline.shutdown()
    }
}
