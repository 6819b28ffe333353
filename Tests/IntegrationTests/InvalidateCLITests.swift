import Foundation
import JSONSupport
import LocalAWS
import Testing

/// `invalidator invalidate`, `status` and `events sample`: the real binary against the strict fake CloudFront (and
/// moto for the plain wire format), output not a terminal.
@Suite("invalidator invalidate, status and events")
struct InvalidateCLITests {
    static func environment(_ cloudFront: FakeCloudFront, _ extra: [String: String] = [:]) -> [String: String] {
        var environment = [
            "PATH": "/usr/bin:/bin", "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDCLI",
            "AWS_SECRET_ACCESS_KEY": "cli-secret", "AWS_ENDPOINT_URL_CLOUDFRONT": cloudFront.endpoint,
            "HOME": "/nonexistent",
        ]
        environment.merge(extra) { $1 }
        return environment
    }

    @Test("keys from arguments and standard input, encoded as the function does, one request per distribution")
    func success() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E1CLI")
        await cloudFront.addDistribution("E2CLI")
        let result = try await CLI.run(
            [
                "invalidate", "--distribution-id", "E1CLI,E2CLI", "about us.html", "--keys", "--changed-from", "-",
                "--json", "--reference", "run-1",
            ], environment: Self.environment(cloudFront),
            stdin: "docs/a b.html\nü.html\na+b.html\n\n# a comment\n(dryrun) upload: ./x.js to s3://site/js/x.js\n")
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSON.parse(result.stdout)
        let invalidations = try #require(report["invalidations"]?.array)
        #expect(invalidations.compactMap { $0["distributionId"]?.string } == ["E1CLI", "E2CLI"])
        let records = await cloudFront.invalidations
        #expect(records.count == 2)
        #expect(
            records.first?.paths == [
                "/%C3%BC.html", "/a+b.html", "/about%20us.html", "/docs/a%20b.html", "/js/x.js",
            ], "keys encoded as the function encodes them, one request")

        // The same run again: the same CallerReference, nothing new.
        let again = try await CLI.run(
            [
                "invalidate", "--distribution-id", "E1CLI,E2CLI", "about us.html", "--keys", "--changed-from", "-",
                "--reference", "run-1",
            ], environment: Self.environment(cloudFront),
            stdin: "docs/a b.html\nü.html\na+b.html\n(dryrun) upload: ./x.js to s3://site/js/x.js\n")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(await cloudFront.counters.created == 2)
        #expect(await cloudFront.counters.idempotentReplays == 2)
        await cloudFront.shutdown()
    }

    @Test("paths are normalised, never encoded twice; wildcards stay")
    func paths() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E1CLI")
        let result = try await CLI.run(
            ["invalidate", "--distribution-id", "E1CLI", "/about us.html", "/a%20b.html", "/assets/*", "/ü"],
            environment: Self.environment(cloudFront))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            await cloudFront.invalidations.first?.paths == ["/%C3%BC", "/a%20b.html", "/about%20us.html", "/assets/*"])
        await cloudFront.shutdown()
    }

    @Test("--dry-run prints the plan and its billable paths and sends nothing")
    func dryRun() async throws {
        let cloudFront = try await FakeCloudFront.start()
        let paths = (0..<300).map { "/docs/section-\($0 % 7)/page-\($0).html" }
        let result = try await CLI.run(
            ["invalidate", "--distribution-id", "E1CLI", "--dry-run", "--max-paths", "50"] + paths,
            environment: Self.environment(cloudFront))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("distribution E1CLI: 7 paths (7 billable)"), "\(result.stdout)")
        #expect(result.stdout.contains("  /docs/section-3/*"))
        #expect(result.stdout.contains("dry run: nothing sent"))
        #expect(await cloudFront.requestCount == 0)
        await cloudFront.shutdown()
    }

    @Test("throttling, then success: the SDKs' retries")
    func throttledThenSuccess() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E1CLI")
        await cloudFront.script("E1CLI", faults: [.throttling, .serviceUnavailable])
        let result = try await CLI.run(
            ["invalidate", "--distribution-id", "E1CLI", "/index.html"], environment: Self.environment(cloudFront))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("created I"))
        #expect(await cloudFront.requestCount == 3)
        await cloudFront.shutdown()
    }

    @Test("--wait: plain progress lines when not a terminal, then exit 0 once completed")
    func waits() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E1CLI", pollsUntilComplete: 2)
        let result = try await CLI.run(
            ["invalidate", "--distribution-id", "E1CLI", "/index.html", "--wait", "--poll-interval", "0.05"],
            environment: Self.environment(cloudFront))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("\r") && !result.stdout.contains("\u{1B}"), "no terminal control codes")
        let lines = result.stdout.split(separator: "\n")
        #expect(
            lines.contains { $0.hasPrefix("[") && $0.contains(" s] E1CLI I") && $0.hasSuffix("InProgress") }, "\(lines)"
        )
        #expect(lines.contains { $0.hasSuffix("Completed") })
        #expect(lines.last == "all completed")
        await cloudFront.shutdown()
    }

    @Test("--wait past --timeout exits 2 and says the invalidation still runs")
    func timeout() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E1CLI", pollsUntilComplete: 1_000_000)
        let result = try await CLI.run(
            [
                // Long enough to create the invalidation on a machine busy with the other suites.
                "invalidate", "--distribution-id", "E1CLI", "/index.html", "--wait", "--timeout", "6",
                "--poll-interval", "0.2", "--json",
            ], environment: Self.environment(cloudFront))
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("still in progress") && result.stderr.contains("not cancelled"))
        #expect(try JSON.parse(result.stdout)["timedOut"] == .bool(true))
        await cloudFront.shutdown()
    }

    @Test(
        "failures exit 1 with the reason; usage errors exit 64",
        arguments: [
            (["--distribution-id", "E1CLI", "/a"], "AccessDenied", Int32(1)),
            (["--distribution-id", "E9NONE", "/a"], "NoSuchDistribution", 1),
            (["--distribution-id", "E1CLI", "a-key-without-keys"], "must start with /", 64),
            (["/a"], "--distribution-id", 64), (["--distribution-id", "E1CLI"], "nothing to invalidate", 64),
            (["--distribution-id", "e1-bad", "/a"], "--distribution-id", 64),
        ])
    func failures(arguments: [String], message: String, status: Int32) async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E1CLI")
        await cloudFront.script("E1CLI", faults: [.accessDenied])
        let result = try await CLI.run(["invalidate"] + arguments, environment: Self.environment(cloudFront))
        #expect(result.status == status, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "one line")
        await cloudFront.shutdown()
    }

    @Test("AWS_PROFILE and the shared credentials and config files are honoured")
    func profile() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E1CLI")
        let home = FileManager.default.temporaryDirectory.appending(path: "cli-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home.appending(path: ".aws"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        try Data("[site]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n".utf8)
            .write(to: home.appending(path: ".aws/credentials"))
        try Data("[profile site]\nregion = eu-west-1\n".utf8).write(to: home.appending(path: ".aws/config"))
        let environment = [
            "PATH": "/usr/bin:/bin", "HOME": home.path, "AWS_PROFILE": "site",
            "AWS_ENDPOINT_URL_CLOUDFRONT": cloudFront.endpoint,
        ]
        let result = try await CLI.run(["invalidate", "--distribution-id", "E1CLI", "/a"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let missing = try await CLI.run(
            ["invalidate", "--distribution-id", "E1CLI", "/a"],
            environment: environment.merging(["AWS_PROFILE": "nope"]) { $1 })
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("AWS_PROFILE") && missing.stderr.contains("nope"))
        await cloudFront.shutdown()
    }

    @Test("status lists recent invalidations newest first, as a table or JSON")
    func status() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E1CLI", pollsUntilComplete: 5)
        for path in ["/one", "/two", "/three"] {
            let created = try await CLI.run(
                ["invalidate", "--distribution-id", "E1CLI", path], environment: Self.environment(cloudFront))
            #expect(created.status == 0, "\(created.stderr)")
        }
        let table = try await CLI.run(
            ["status", "--distribution-id", "E1CLI", "--limit", "2"], environment: Self.environment(cloudFront))
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.count == 3, "\(table.stdout)")
        #expect(lines.first?.hasPrefix("DISTRIBUTION  INVALIDATION") == true)
        let ids = await cloudFront.invalidations.map(\.id)
        #expect(lines[1].contains(ids[2]) && lines[2].contains(ids[1]), "newest first")
        let json = try JSON.parse(
            try await CLI.run(
                ["status", "--distribution-id", "E1CLI", "--json"], environment: Self.environment(cloudFront)
            ).stdout)
        #expect(json["invalidations"]?.array?.count == 3)
        #expect(json["invalidations"]?.array?.first?["status"]?.string == "InProgress")
        await cloudFront.shutdown()
    }

    @Test(
        "events sample prints an event that plan and the function accept",
        arguments: ["s3", "sqs-s3", "sqs-eventbridge", "sns", "codepipeline"])
    func sample(kind: String) async throws {
        let sample = try await CLI.run(["events", "sample", kind, "--key", "docs/a b.html", "--key", "index.html"])
        #expect(sample.status == 0, "\(sample.stderr)")
        #expect(
            try await CLI.run(["events", "sample", kind, "--key", "docs/a b.html", "--key", "index.html"]).stdout
                == sample.stdout, "reproducible")
        let plan = try await CLI.run(
            ["plan", "--event", "-", "--distribution-id", "E2QWRUHAPOMQZL", "--json"], stdin: sample.stdout)
        #expect(plan.status == 0, "\(plan.stderr)")
        let paths = try JSON.parse(plan.stdout)["invalidations"]?.array?.first?["paths"]
        let expected: [String]
        switch kind {
        case "codepipeline": expected = ["/docs/a%20b.html", "/index.html"]
        case "s3", "sns": expected = ["/docs/a%20b.html"]  // one object per notification: the first key
        default: expected = ["/", "/docs/a%20b.html", "/index.html"]
        }
        #expect(paths == .array(expected.map(JSONValue.string)), "\(plan.stdout)")
        #expect(try JSON.parse(plan.stdout)["skipped"] == .array([]))
    }

    @Test("against moto: the invalidation lands with the encoded paths")
    func moto() async throws {
        guard Moto.isAvailable else { return }
        let bucket = Moto.unique("cli")
        let distribution = try #require(try await Moto.fixture("create-distribution", "--bucket", bucket)["id"]?.string)
        let environment = try Moto.functionEnvironment(["HOME": "/nonexistent"])
        let result = try await CLI.run(
            [
                "invalidate", "--distribution-id", distribution, "--keys", "a b.html", "c+d.html", "--wait",
                "--poll-interval", "0.1",
            ], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let landed = try await Moto.fixture("invalidations", "--distribution-id", distribution)
        #expect(
            landed["invalidations"]?.array?.first?["paths"]
                == .array(["/a%20b.html", "/c+d.html"].map(JSONValue.string)), "\(landed)")
    }

    @Test("the README's from-CI shell example runs as written, against moto")
    func readmeExample() async throws {
        guard Moto.isAvailable else { return }
        let readme = try String(contentsOf: Moto.packageRoot.appending(path: "README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "<!-- ci-example:start -->\n```sh\n"))
        let end = try #require(readme.range(of: "```\n<!-- ci-example:end -->"))
        let script = String(readme[start.upperBound..<end.lowerBound])
        let distribution = try #require(
            try await Moto.fixture("create-distribution", "--bucket", Moto.unique("readme"))["id"]?.string)
        let directory = FileManager.default.temporaryDirectory.appending(path: "readme-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let binaries = URL(fileURLWithPath: CLI.path).deletingLastPathComponent().path
        let environment = try Moto.functionEnvironment([
            "DISTRIBUTION_ID": distribution, "HOME": "/nonexistent", "PATH": "\(binaries):/usr/bin:/bin",
        ])
        let result = try await ChildProcess.run(
            "/bin/bash", ["-euo", "pipefail", "-c", "cd \(directory.path)\n" + script], environment: environment)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("dry run: nothing sent"))
        #expect(result.stdout.contains("all completed"))
        #expect(result.stdout.contains("DISTRIBUTION"))
        let landed = try await Moto.fixture("invalidations", "--distribution-id", distribution)
        #expect(
            landed["invalidations"]?.array?.first?["paths"]
                == .array(["/", "/docs/getting%20started.html", "/index.html"].map(JSONValue.string)))
    }

    static let goldenDirectory = Moto.packageRoot.appending(path: "Tests/IntegrationTests/Fixtures/help")

    @Test(
        "--help of every command matches its golden file (UPDATE_GOLDEN=1 rewrites them)",
        arguments: [[], ["invalidate"], ["status"], ["plan"], ["invoke"], ["events"], ["events", "sample"]])
    func help(command: [String]) async throws {
        let result = try await CLI.run(command + ["--help"], environment: ["PATH": "/usr/bin:/bin", "COLUMNS": "100"])
        #expect(result.status == 0)
        let name = (["invalidator"] + command).joined(separator: "-") + ".txt"
        let file = Self.goldenDirectory.appending(path: name)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.goldenDirectory, withIntermediateDirectories: true)
            try Data(result.stdout.utf8).write(to: file)
        }
        let golden = try String(contentsOf: file, encoding: .utf8)
        #expect(result.stdout == golden, "invalidator \(command.joined(separator: " ")) --help changed")
    }
}
