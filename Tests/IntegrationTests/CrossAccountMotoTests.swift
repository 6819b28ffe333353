import Foundation
import JSONSupport
import LambdaEmulator
import LocalAWS
import Testing

/// Distributions in other accounts, end to end against moto: the real `bootstrap` under the emulator and the real
/// `invalidator`, each assuming a role through moto's STS.
///
/// moto keeps one set of resources per account and picks the account of a request from the access key id in its
/// signature: the function's own key (`testing`) acts in moto's default account 123456789012, a key moto's
/// `AssumeRole` issued for `arn:aws:iam::<account>:role/<name>` acts in `<account>` (moto's
/// `iam.models.get_account_id_from` and `sts.models.STSBackend._create_access_key`). So a distribution created with a
/// role's credentials exists in that account only, and an invalidation signed with the wrong account's key fails
/// with `NoSuchDistribution`. moto checks no signature, so what this proves is which key id signed each request.
///
/// What moto's STS enforces (5.2.1, `sts/responses.py` and `sts/models.py`): only a `RoleSessionName` longer than 64
/// characters (a `ValidationError`). The role need not exist, its trust policy and the external id are not checked,
/// `DurationSeconds` is not bounded, and any `RoleArn`, even one that is not an ARN, is accepted. A role that cannot
/// be assumed is therefore made here with an STS endpoint that refuses connections.
@Suite("Cross-account targets against moto", .enabled(if: Moto.isAvailable))
struct CrossAccountMotoTests {
    /// A 12-digit account of the test's own, so that parallel tests never list each other's distributions.
    static func account() -> String {
        String(UInt64.random(in: 100_000_000_000...999_999_999_999))
    }

    static func role(in account: String) -> String {
        "arn:aws:iam::\(account):role/\(Moto.unique("cdn-invalidation"))"
    }

    /// The ids of an account's distributions: moto's default account, or a role's.
    static func distributions(roleArn: String? = nil) async throws -> Set<String> {
        let listed: JSONValue
        if let roleArn {
            listed = try await Moto.fixture("distributions", "--role-arn", roleArn)
        } else {
            listed = try await Moto.fixture("distributions")
        }
        return Set((listed["ids"]?.array ?? []).compactMap(\.string))
    }

    /// The paths of each invalidation of a distribution, as the account (default, or the role's) sees it; moto
    /// lists none for a distribution the account does not have.
    static func invalidations(_ distribution: String, roleArn: String? = nil) async throws -> [[String]] {
        let landed: JSONValue
        if let roleArn {
            landed = try await Moto.fixture("invalidations", "--distribution-id", distribution, "--role-arn", roleArn)
        } else {
            landed = try await Moto.fixture("invalidations", "--distribution-id", distribution)
        }
        return (landed["invalidations"]?.array ?? []).map { ($0["paths"]?.array ?? []).compactMap(\.string) }
    }

    /// What moto's STS issued for `roleArn`: every key id, secret and session token, with its session's name.
    static func issued(_ roleArn: String) async throws -> [JSONValue] {
        try await Moto.fixture("issued-credentials", "--role-arn", roleArn)["issued"]?.array ?? []
    }

    /// The secrets among `issued` that `text` shows: a secret access key, a session token or a 24-character piece
    /// of either, taken every 12 characters, so that any 35 characters of one in a row are found (a truncated token
    /// in a log line is still a leak). Names which one, never the value.
    static func leaks(in text: String, issued: [JSONValue]) -> [String] {
        var found: [String] = []
        for (index, credentials) in issued.enumerated() {
            for member in ["secretAccessKey", "sessionToken"] {
                guard let secret = credentials[member]?.string, secret.count >= 24 else { continue }
                let pieces = stride(from: 0, to: secret.count - 23, by: 12).map {
                    String(secret.dropFirst($0).prefix(24))
                }
                if pieces.contains(where: text.contains) { found.append("issued[\(index)].\(member)") }
            }
        }
        return found
    }

    /// Shapes of moto's secrets, whoever issued them: a session token starts with `FQoGZXIvYXdzEBYaD`
    /// (`moto/sts/utils.py`); a secret access key is 40 random characters of `A-Za-z0-9+/` (`moto/iam/utils.py`),
    /// so a run of exactly 40 of those with both cases in it (hex digests, as in caller references, have one case
    /// only; moto's request ids, logged with an error, are 52 long, `moto/utilities/aws_headers.py`). Member names
    /// and the signing header's parts must never be printed either.
    static func secretShapes(in text: String) -> [String] {
        var found: [String] = []
        for marker in ["FQoGZXIvYXdzEBYaD", "SecretAccessKey", "SessionToken", "Signature=", "X-Amz-Security-Token"]
        where text.contains(marker) {
            found.append(marker)
        }
        let base64 = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var run = ""
        for character in text + " " {
            if base64.contains(character) {
                run.append(character)
                continue
            }
            if run.count == 40, run.contains(where: \.isUppercase), run.contains(where: \.isLowercase) {
                found.append("40 base64 characters in both cases, starting \(run.prefix(4))")
            }
            run = ""
        }
        return found
    }

    @Test(
        "one batch over two buckets: one invalidation per distribution, each in its own account, no secret logged")
    func twoAccounts() async throws {
        let account = Self.account()
        let roleArn = Self.role(in: account)
        let externalId = Moto.unique("external")
        let functionName = Moto.unique("xacct-fn")
        let remoteBucket = Moto.unique("edge-site")
        let localBucket = Moto.unique("home-site")
        let remote = try #require(
            try await Moto.fixture("create-distribution", "--bucket", remoteBucket, "--role-arn", roleArn)["id"]?
                .string)
        let local = try #require(try await Moto.fixture("create-distribution", "--bucket", localBucket)["id"]?.string)
        #expect(try await Self.distributions(roleArn: roleArn) == [remote], "the role's account holds only its own")
        #expect(try await !Self.distributions().contains(remote))

        // One queue for both buckets: one batch that touches both.
        let queue = Moto.unique("xacct-queue")
        let wired = try await Moto.fixture("wire", "--route", "s3-sqs", "--bucket", remoteBucket, "--queue", queue)
        try await Moto.fixture("wire", "--route", "s3-sqs", "--bucket", localBucket, "--queue", queue)
        for key in ["index.html", "a b.html"] { try await Moto.fixture("put", "--bucket", remoteBucket, "--key", key) }
        try await Moto.fixture("put", "--bucket", localBucket, "--key", "docs/page.html")
        let event = try await Moto.fixture(
            "drain", "--queue-url", try #require(wired["queueUrl"]?.string), "--expect", "5")
        #expect(event["Records"]?.array?.count == 5, "three objects and each bucket's s3:TestEvent")

        let map = JSON.serialize(
            .object([
                remoteBucket: .object([
                    "id": .string(remote), "roleArn": .string(roleArn), "externalId": .string(externalId),
                ]),
                localBucket: .string(local),
            ]))
        let report = try await EmulatorSession.run(
            executable: Moto.bootstrap,
            environment: try Moto.functionEnvironment([
                "DISTRIBUTION_MAP": map, "AWS_LAMBDA_FUNCTION_NAME": functionName,
            ]),
            events: [Array(JSON.serialize(event).utf8)])
        #expect(report.initError == nil, "init error: \(report.logs)")
        #expect(report.responses == [#"{"batchItemFailures":[]}"#], "logs: \(report.logs)")

        #expect(try await Self.invalidations(remote, roleArn: roleArn) == [["/", "/a%20b.html", "/index.html"]])
        #expect(try await Self.invalidations(remote) == [], "nothing for that id in the function's own account")
        #expect(try await Self.invalidations(local) == [["/docs/page.html"]])
        #expect(
            try await Self.invalidations(local, roleArn: roleArn) == [], "nothing for that id in the role's account")

        // The role was assumed once (at start-up, cached for the batch), with the map's external id, in a session
        // named for the function.
        let issued = try await Self.issued(roleArn)
        let function = issued.filter { $0["sessionName"]?.string?.hasPrefix(functionName + "-") == true }
        #expect(function.count == 1, "\(function.map { $0["sessionName"] ?? .null })")
        #expect(function.first?["externalId"]?.string == externalId)
        #expect(function.first?["accountId"]?.string == account)

        // The scan looks at real logs (they name both distributions) for every secret moto issued for the role.
        #expect(report.logs.contains(remote) && report.logs.contains(local), "\(report.logs)")
        #expect(issued.count >= 2, "the fixture's session and the function's")
        #expect(Self.leaks(in: report.logs, issued: issued) == [])
        #expect(Self.secretShapes(in: report.logs) == [])
        #expect(!report.logs.contains(externalId), "the external id is never logged")
        #expect(!report.logs.contains("session-token-that-must-not-be-logged"))
    }

    /// A port where nothing listens: bound, read back and closed (by Python, as `scripts/moto-server` does).
    /// An endpoint nothing listens on. A port below 1024 (9, the discard service, which nothing here runs): a port
    /// freed after binding it was once taken by another test's fake in between, whose answer then stood for STS's.
    static let refusingEndpoint = "http://127.0.0.1:9"

    @Test(
        "a role that cannot be assumed (STS refuses connections) is an init error naming the role and its variable",
        arguments: ["DISTRIBUTION_MAP", "DISCOVERY_ROLE_ARNS"])
    func unassumableRole(variable: String) async throws {
        let roleArn = Self.role(in: Self.account())
        let externalId = Moto.unique("external")
        let settings: [String: String] =
            variable == "DISTRIBUTION_MAP"
            ? [
                "DISTRIBUTION_MAP": JSON.serialize(
                    .object([
                        Moto.unique("bucket"): .object([
                            "id": .string("E2QWRUHAPOMQZL"), "roleArn": .string(roleArn),
                            "externalId": .string(externalId),
                        ])
                    ]))
            ] : ["DISCOVERY_ROLE_ARNS": roleArn, "EXTERNAL_ID": externalId]
        var environment = try Moto.functionEnvironment(settings)
        environment["AWS_ENDPOINT_URL_STS"] = Self.refusingEndpoint
        let clock = ContinuousClock()
        let started = clock.now
        let report = try await EmulatorSession.run(
            executable: Moto.bootstrap, environment: environment, events: [Array(#"{"Records":[]}"#.utf8)])
        let elapsed = clock.now - started
        let body = try #require(report.initError, "logs: \(report.logs)")
        let error = try JSON.parse(body)
        let message = try #require(error["errorMessage"]?.string)
        #expect(error["errorType"]?.string == "Invalidator.ConfigurationError")
        #expect(message.contains(variable), "\(message)")
        #expect(message.contains("AssumeRole failed") && message.contains("role \(roleArn)"), "\(message)")
        #expect(report.exitStatus != nil && report.exitStatus != 0)
        #expect(report.invocations.isEmpty)
        // A refused connection fails each attempt at once: the retries' backoff (about 2 s alone, several more when
        // the whole suite loads the machine), not start-up's whole 8 s budget as when every attempt waited out its
        // timeout, which the error would then name.
        #expect(message.contains("ConnectionError") && !message.contains("RequestTimeout"), "\(message)")
        #expect(elapsed < .seconds(30), "took \(elapsed)")
        #expect(!message.contains(externalId) && !report.logs.contains(externalId), "the external id is never shown")
        #expect(!report.logs.contains("session-token-that-must-not-be-logged"))
        #expect(Self.secretShapes(in: report.logs + message) == [])
    }

    @Test("invalidator invalidate and status --role-arn act in the role's account")
    func commandLine() async throws {
        let roleArn = Self.role(in: Self.account())
        let externalId = Moto.unique("external")
        let distribution = try #require(
            try await Moto.fixture(
                "create-distribution", "--bucket", Moto.unique("cli-edge"), "--role-arn", roleArn)["id"]?.string)
        let environment = try Moto.functionEnvironment(["HOME": "/nonexistent"])

        // Without the role the function's own account has no such distribution: the role is what reaches it.
        let own = try await CLI.run(
            ["invalidate", "--distribution-id", distribution, "/a.html"], environment: environment)
        #expect(own.status == 1, "\(own.stdout) \(own.stderr)")
        #expect(own.stderr.contains("NoSuchDistribution"), "\(own.stderr)")

        let created = try await CLI.run(
            [
                "invalidate", "--distribution-id", distribution, "--role-arn", roleArn, "--external-id", externalId,
                "--json", "/a.html",
            ], environment: environment)
        #expect(created.status == 0, "\(created.stderr)")
        let answer = try JSON.parse(created.stdout)["invalidations"]?.array?.first
        #expect(answer?["distributionId"]?.string == distribution)
        #expect(answer?["roleArn"]?.string == roleArn)
        let id = try #require(answer?["invalidationId"]?.string, "\(created.stdout)")
        #expect(try await Self.invalidations(distribution, roleArn: roleArn) == [["/a.html"]])
        #expect(try await Self.invalidations(distribution) == [])

        let status = try await CLI.run(
            ["status", "--distribution-id", distribution, "--role-arn", roleArn, "--json"], environment: environment)
        #expect(status.status == 0, "\(status.stderr)")
        let listed = try JSON.parse(status.stdout)["invalidations"]?.array ?? []
        #expect(listed.compactMap { $0["invalidationId"]?.string } == [id], "\(status.stdout)")
        #expect(listed.first?["roleArn"]?.string == roleArn)

        let table = try await CLI.run(
            ["status", "--distribution-id", distribution, "--role-arn", roleArn], environment: environment)
        #expect(table.status == 0 && table.stdout.contains(id), "\(table.stdout) \(table.stderr)")

        let issued = try await Self.issued(roleArn)
        let sessions = issued.filter { $0["sessionName"]?.string?.hasPrefix("invalidator-") == true }
        #expect(sessions.count == 3, "one AssumeRole per command run with --role-arn")
        #expect(sessions.first?["externalId"]?.string == externalId, "--external-id reaches STS")
        let output = [created, status, table].map { $0.stdout + $0.stderr }.joined(separator: "\n")
        #expect(Self.leaks(in: output, issued: issued) == [])
        #expect(Self.secretShapes(in: output) == [])
    }

    /// A CodePipeline job through the real bootstrap: moto for STS and CloudFront, the project's fake CodePipeline
    /// (moto does not implement job results).
    static func pipelineJob(
        _ userParameters: JSONValue, environment: [String: String]
    ) async throws -> (PipelineSimulation.Report, [FakeCodePipeline.Call]) {
        let codePipeline = try await FakeCodePipeline.start()
        let report = try await PipelineSimulation.run(
            executable: Moto.bootstrap, environment: environment,
            jobEvent: try PipelineTests().jobEvent(JSON.serialize(userParameters)), codePipeline: codePipeline,
            interval: .zero)
        let calls = await codePipeline.calls
        await codePipeline.shutdown()
        return (report, calls)
    }

    @Test("a CodePipeline job's roleArn and externalId: the invalidation lands in the role's account, the job succeeds")
    func pipelineRole() async throws {
        let account = Self.account()
        let roleArn = Self.role(in: account)
        let externalId = Moto.unique("external")
        let functionName = Moto.unique("xacct-pipe")
        let distribution = try #require(
            try await Moto.fixture(
                "create-distribution", "--bucket", Moto.unique("pipe-edge"), "--role-arn", roleArn)["id"]?.string)
        let (report, calls) = try await Self.pipelineJob(
            .object([
                "distributionId": .string(distribution), "roleArn": .string(roleArn),
                "externalId": .string(externalId), "paths": .array([.string("/index.html"), .string("/a b.html")]),
            ]),
            environment: try Moto.functionEnvironment(["AWS_LAMBDA_FUNCTION_NAME": functionName]))
        #expect(report.finalState == .succeeded, "\(report.session.logs)")
        #expect(calls.map(\.operation) == ["PutJobSuccessResult"])
        #expect(try await Self.invalidations(distribution, roleArn: roleArn) == [["/a%20b.html", "/index.html"]])
        #expect(try await Self.invalidations(distribution) == [])
        let issued = try await Self.issued(roleArn)
        let function = issued.filter { $0["sessionName"]?.string?.hasPrefix(functionName + "-") == true }
        #expect(function.count == 1 && function.first?["externalId"]?.string == externalId, "\(function.count)")
        #expect(Self.leaks(in: report.session.logs, issued: issued) == [])
        #expect(Self.secretShapes(in: report.session.logs) == [])
        #expect(!report.session.logs.contains(externalId))
    }

    @Test("a CodePipeline job whose role cannot be assumed (STS refuses connections) fails, naming the role")
    func pipelineUnassumableRole() async throws {
        let roleArn = Self.role(in: Self.account())
        let externalId = Moto.unique("external")
        var environment = try Moto.functionEnvironment([:])
        environment["AWS_ENDPOINT_URL_STS"] = Self.refusingEndpoint
        let (report, calls) = try await Self.pipelineJob(
            .object([
                "distributionId": .string("E2QWRUHAPOMQZL"), "roleArn": .string(roleArn),
                "externalId": .string(externalId),
            ]),
            environment: environment)
        // A refused connection is not a permission problem: running the stage again may succeed.
        guard case .failed(let type, let message)? = report.finalState else {
            Issue.record("job not failed: \(String(describing: report.finalState)) \(report.session.logs)")
            return
        }
        #expect(type == "JobFailed", "\(type): \(message)")
        #expect(message.contains(roleArn) && message.contains("retry the stage"), "\(message)")
        #expect(calls.map(\.operation) == ["PutJobFailureResult"])
        #expect(!message.contains(externalId) && !report.session.logs.contains(externalId))
        #expect(Self.secretShapes(in: report.session.logs + message) == [])
    }
}

/// The scans above must be able to fail: each finds what it looks for in a log line made to leak it.
@Suite("Cross-account secret scans")
struct CrossAccountSecretScanTests {
    static let issued: [JSONValue] = [
        .object([
            "accessKeyId": .string("ASIAQNZGKIQY3EXAMPLE"),
            "secretAccessKey": .string("tzKFAVPtGh+yXdkDMk6/qjyBvDyoGqZ4xLRabcde"),
            "sessionToken": .string("FQoGZXIvYXdzEBYaD" + String(repeating: "Zm9vYmFy", count: 40)),
        ])
    ]

    @Test(
        "a secret, a piece of a session token, or their shapes in a log line are found",
        arguments: [
            ("INFO assumed secret=tzKFAVPtGh+yXdkDMk6/qjyBvDyoGqZ4xLRabcde", ["issued[0].secretAccessKey"]),
            ("DEBUG token=…mFyZm9vYmFyZm9vYmFyZm9vYmFy…", ["issued[0].sessionToken"]),
        ])
    func leaks(line: String, expected: [String]) {
        #expect(CrossAccountMotoTests.leaks(in: line, issued: Self.issued) == expected)
        #expect(CrossAccountMotoTests.leaks(in: "INFO invalidated E2QWRUHAPOMQZL", issued: Self.issued) == [])
    }

    @Test("shapes: moto's token prefix, a mixed-case 40-character run; not a hex digest nor a request id")
    func shapes() {
        #expect(CrossAccountMotoTests.secretShapes(in: "x FQoGZXIvYXdzEBYaDabc") == ["FQoGZXIvYXdzEBYaD"])
        #expect(CrossAccountMotoTests.secretShapes(in: "k=tzKFAVPtGh+yXdkDMk6/qjyBvDyoGqZ4xLRabcde").count == 1)
        #expect(CrossAccountMotoTests.secretShapes(in: "ref=cfinv-805574787941d24efcd97d02673d80b54ee06ce4") == [])
        #expect(CrossAccountMotoTests.secretShapes(in: "path=/docs/a%20b.html") == [])
        let requestId = "iRWmDk0yVqjbqZ9PXQm3vQ4YtOOtpmsRr5pOwJx0JYvbUUuRz8Lt"
        #expect(requestId.count == 52 && CrossAccountMotoTests.secretShapes(in: "request id \(requestId)") == [])
    }
}
