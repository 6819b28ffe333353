import Foundation
import JSONSupport
import LambdaEmulator
import LocalAWS
import Testing

/// The CodePipeline action end to end: the real `bootstrap`, the project's fake CodePipeline (moto does not
/// implement job results) and its strict fake CloudFront (moto completes invalidations at once and has no
/// CallerReference idempotency).
@Suite("CodePipeline action through the real bootstrap")
struct PipelineTests {
    static let secrets = [
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY-PIPELINE", "PIPELINE-TOKEN", "AKIAIOSFODNN7PIPELINE",
    ]

    /// The documented job event with this id and UserParameters.
    func jobEvent(_ userParameters: String, id: String = UUID().uuidString.lowercased()) throws -> [UInt8] {
        let fixture = try Data(contentsOf: CLI.fixtures.appending(path: "aws/codepipeline.json"))
        guard case .object(var root) = try JSON.parse(Array(fixture)),
            case .object(var job)? = root["CodePipeline.job"],
            case .object(var data)? = job["data"], case .object(var action)? = data["actionConfiguration"]
        else { throw FixtureError(description: "unexpected fixture shape") }
        action["configuration"] = .object([
            "FunctionName": .string("invalidator"), "UserParameters": .string(userParameters),
        ])
        data["actionConfiguration"] = .object(action)
        job["data"] = .object(data)
        job["id"] = .string(id)
        root["CodePipeline.job"] = .object(job)
        return Array(JSON.serialize(.object(root)).utf8)
    }

    func environment(_ cloudFront: FakeCloudFront, _ extra: [String: String] = [:]) -> [String: String] {
        var environment = [
            "AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKIDFUNCTION", "AWS_SECRET_ACCESS_KEY": "function-secret",
            "AWS_SESSION_TOKEN": "function-session-token", "AWS_ENDPOINT_URL_CLOUDFRONT": cloudFront.endpoint,
            "LOG_LEVEL": "DEBUG",
        ]
        environment.merge(extra) { $1 }
        return environment
    }

    func run(
        _ userParameters: String, cloudFront: FakeCloudFront, extra: [String: String] = [:],
        interval: Duration = .zero
    ) async throws -> (PipelineSimulation.Report, [FakeCodePipeline.Call]) {
        let codePipeline = try await FakeCodePipeline.start()
        let report = try await PipelineSimulation.run(
            executable: Moto.bootstrap, environment: environment(cloudFront, extra),
            jobEvent: try jobEvent(userParameters), codePipeline: codePipeline, interval: interval)
        let calls = await codePipeline.calls
        await codePipeline.shutdown()
        for secret in Self.secrets + ["function-secret", "function-session-token"] {
            #expect(!report.session.logs.contains(secret), "a secret reached the log")
        }
        return (report, calls)
    }

    @Test("success: the paths are encoded, one invalidation, the job succeeds naming it")
    func success() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E1PIPE")
        let (report, calls) = try await run(
            #"{"distributionId":"E1PIPE","paths":["/index.html","/a b.html","/a%20b.html","/assets/*"]}"#,
            cloudFront: cloudFront)
        #expect(report.finalState == .succeeded, "\(report.session.logs)")
        let invalidations = await cloudFront.invalidations
        #expect(invalidations.count == 1)
        #expect(invalidations.first?.paths == ["/a%20b.html", "/assets/*", "/index.html"])
        let id = try #require(invalidations.first?.id)
        #expect(calls.map(\.operation) == ["PutJobSuccessResult"])
        #expect(calls.first?.body["executionDetails"]?["summary"]?.string?.contains(id) == true)
        #expect(calls.first?.body["executionDetails"]?["externalExecutionId"]?.string == id)
        #expect(calls.first?.body["continuationToken"] == nil)
        #expect(report.session.responses.first?.contains(#""result":"succeeded""#) == true)
        await cloudFront.shutdown()
    }

    @Test("a function deployed only for CodePipeline starts cleanly; empty UserParameters use the configured /*")
    func configuredFallback() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E2CONF")
        let (report, _) = try await run("", cloudFront: cloudFront, extra: ["CLOUDFRONT_DISTRIBUTION_ID": "E2CONF"])
        #expect(report.finalState == .succeeded)
        #expect(await cloudFront.invalidations.first?.paths == ["/*"])
        #expect(await cloudFront.invalidations.first?.distributionId == "E2CONF")
        await cloudFront.shutdown()
    }

    @Test(
        "every failure class ends the job reported, with a message a person can act on",
        arguments: [
            ("", nil, "ConfigurationError", "no distribution"),
            (#"{"distributionId":"E3FAIL","paths":["index.html"]}"#, nil, "ConfigurationError", "must start with /"),
            (#"{"distributionID":"E3FAIL"}"#, nil, "ConfigurationError", "unknown member"),
            (#"{"distributionId":"E9NONE"}"#, nil, "ConfigurationError", "does not exist"),
            (#"{"distributionId":"E3FAIL"}"#, "AccessDenied", "PermissionError", "cloudfront:CreateInvalidation"),
            (#"{"distributionId":"E3FAIL"}"#, "ServiceUnavailable", "JobFailed", "ServiceUnavailable"),
        ])
    func failures(userParameters: String, fault: String?, type: String, message: String) async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E3FAIL")
        if fault == "AccessDenied" { await cloudFront.script("E3FAIL", faults: [.accessDenied]) }
        if fault == "ServiceUnavailable" {
            // The SDKs' three attempts, all answered 503.
            await cloudFront.script("E3FAIL", faults: Array(repeating: .serviceUnavailable, count: 3))
        }
        let (report, calls) = try await run(userParameters, cloudFront: cloudFront)
        guard case .failed(let reportedType, let reportedMessage)? = report.finalState else {
            Issue.record("job not failed: \(String(describing: report.finalState)) \(report.session.logs)")
            return
        }
        #expect(reportedType == type)
        #expect(reportedMessage.contains(message), "\(reportedMessage)")
        #expect(calls.map(\.operation) == ["PutJobFailureResult"])
        #expect(report.session.invocations.count == 1)
        if case .response? = report.session.invocations.first?.outcome {
        } else {
            Issue.record("the function must answer success to Lambda once the job is reported")
        }
        if type == "ConfigurationError" && fault == nil && !message.contains("does not exist") {
            #expect(await cloudFront.requestCount == 0, "nothing is sent before the parameters are valid")
        }
        await cloudFront.shutdown()
    }

    @Test("a 503 then a reset connection are retried in the real binary, and the job succeeds")
    func retried() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E4RETRY")
        await cloudFront.script("E4RETRY", faults: [.serviceUnavailable, .reset])
        let (report, calls) = try await run(#"{"distributionId":"E4RETRY"}"#, cloudFront: cloudFront)
        #expect(report.finalState == .succeeded, "\(report.session.logs)")
        #expect(calls.map(\.operation) == ["PutJobSuccessResult"])
        #expect(await cloudFront.invalidations.count == 1)
        #expect(await cloudFront.requestCount == 3)
        await cloudFront.shutdown()
    }

    @Test(
        "no credential, session token or artifact credential in any output, at every log level and format",
        arguments: ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], ["text", "JSON"])
    func secretsAtEveryLevel(level: String, format: String) async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E5OK")
        await cloudFront.addDistribution("E5DENIED")
        await cloudFront.script("E5DENIED", faults: [.accessDenied])
        let extra = ["LOG_LEVEL": level, "AWS_LAMBDA_LOG_FORMAT": format]
        for distribution in ["E5OK", "E5DENIED"] {
            let codePipeline = try await FakeCodePipeline.start()
            let report = try await PipelineSimulation.run(
                executable: Moto.bootstrap, environment: environment(cloudFront, extra),
                jobEvent: try jobEvent("{\"distributionId\":\"\(distribution)\"}"), codePipeline: codePipeline,
                interval: .zero)
            let sent = await codePipeline.calls.map { JSON.serialize($0.body) }
            await codePipeline.shutdown()
            #expect(report.finalState != nil, "the job was reported")
            let output = ([report.session.logs] + report.session.responses + sent).joined(separator: "\n")
            for secret in Self.secrets + ["function-secret", "function-session-token"] {
                #expect(!output.contains(secret), "a secret reached the output at \(level) \(format)")
            }
            if level == "TRACE" || level == "DEBUG" { #expect(!report.session.logs.isEmpty) }
        }
        await cloudFront.shutdown()
    }

    @Test("wait: continuation tokens until the invalidation completes, no invocation sleeps")
    func waitsToCompletion() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E4WAIT", pollsUntilComplete: 2)
        let (report, calls) = try await run(#"{"distributionId":"E4WAIT","wait":true}"#, cloudFront: cloudFront)
        #expect(report.finalState == .succeeded, "\(report.session.logs)")
        #expect(calls.count == 4)
        #expect(calls.dropLast().allSatisfy { $0.body["continuationToken"]?.string != nil })
        #expect(calls.last?.body["continuationToken"] == nil)
        #expect(calls.last?.body["executionDetails"]?["summary"]?.string?.contains("completed") == true)
        // Each invocation polls once and returns: three re-invocations, three GetInvalidation calls.
        #expect(report.session.invocations.count == 4)
        #expect(await cloudFront.invalidations.map(\.pollsUntilComplete) == [-1])
        await cloudFront.shutdown()
    }

    @Test("wait: past maxWaitSeconds the job fails saying the invalidation still runs and was not cancelled")
    func waitTimesOut() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E5SLOW", pollsUntilComplete: 1000)
        let (report, calls) = try await run(
            #"{"distributionId":"E5SLOW","wait":true,"maxWaitSeconds":1}"#, cloudFront: cloudFront,
            interval: .milliseconds(1100))
        guard case .failed("JobFailed", let message)? = report.finalState else {
            Issue.record("expected JobFailed, got \(String(describing: report.finalState))")
            return
        }
        #expect(message.contains("still in progress") && message.contains("not cancelled"))
        #expect(calls.map(\.operation) == ["PutJobSuccessResult", "PutJobFailureResult"])
        await cloudFront.shutdown()
    }

    @Test("a retried invocation creates no second invalidation; the second report is logged, not fatal")
    func retriedInvocation() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E6RETRY")
        let codePipeline = try await FakeCodePipeline.start()
        let id = UUID().uuidString.lowercased()
        await codePipeline.addJob(id)
        let event = try jobEvent("E6RETRY", id: id)
        let session = try await EmulatorSession.run(
            executable: Moto.bootstrap,
            environment: environment(cloudFront, ["AWS_ENDPOINT_URL_CODEPIPELINE": codePipeline.endpoint]),
            events: [event, event])
        #expect(session.responses.count == 2, "\(session.logs)")
        #expect(await cloudFront.invalidations.count == 1)
        #expect(await codePipeline.calls.map(\.error) == [nil, "InvalidJobStateException"])
        #expect(session.logs.contains("already reported"))
        await codePipeline.shutdown()
        await cloudFront.shutdown()
    }

    @Test("when the result cannot be reported, the invocation fails so Lambda retries it")
    func reportFails() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E7LOST")
        let session = try await EmulatorSession.run(
            executable: Moto.bootstrap,
            // One attempt: the job's report to CodePipeline is refused, and retrying it would only make the test slow.
            environment: environment(
                cloudFront, ["AWS_ENDPOINT_URL_CODEPIPELINE": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1"]),
            events: [try jobEvent("E7LOST")])
        guard case .error(_, let errorType)? = session.invocations.first?.outcome else {
            Issue.record("expected an invocation error: \(session.logs)")
            return
        }
        #expect(errorType == "Invalidator.JobReportFailed")
        await cloudFront.shutdown()
    }
}
