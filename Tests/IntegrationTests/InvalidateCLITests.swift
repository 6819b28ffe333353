import AWSClient
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
            stdin: "docs/a b.html\nü.html\na+b.html\n\njs/x.js\n")
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
            stdin: "docs/a b.html\nü.html\na+b.html\njs/x.js\n")
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
                // Long enough to create the invalidation on a machine busy with the other suites: the fake answers
                // from this process, whose threads the CPU-bound suites can hold for seconds.
                "invalidate", "--distribution-id", "E1CLI", "/index.html", "--wait", "--timeout", "20",
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
        let directory = try InvalidateInputTests.temporaryDirectory("readme")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await InvalidateInputTests.makeRepository(in: directory)
        let result = try await InvalidateInputTests.shell(
            script, in: directory, environment: try Moto.functionEnvironment(["DISTRIBUTION_ID": distribution]))
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("dry run: nothing sent"))
        #expect(result.stdout.contains("all completed"))
        #expect(result.stdout.contains("DISTRIBUTION"))
        let landed = try await Moto.fixture("invalidations", "--distribution-id", distribution)
        #expect(
            landed["invalidations"]?.array?.first?["paths"]
                == .array(
                    [
                        "/", "/caf%C3%A9.html", "/gone.html", "/index.html", "/new.html", "/old.html",
                        "/say%20%22hi%22.html",
                    ].map(JSONValue.string)), "\(landed)")
    }

    static let goldenDirectory = Moto.packageRoot.appending(path: "Tests/IntegrationTests/Fixtures/help")

    @Test(
        "--help of every command matches its golden file (UPDATE_GOLDEN=1 rewrites them)",
        arguments: [
            [], ["invalidate"], ["status"], ["plan"], ["invoke"], ["events"], ["events", "sample"], ["cost"],
            ["doctor"],
        ])
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

/// What `invalidate --changed-from` reads (git output, `aws s3 sync` output, plain lists), its default
/// CallerReference, and where the command line takes its distributions, credentials and region from.
@Suite("invalidator invalidate: change lists, caller references and configuration")
struct InvalidateInputTests {
    static func plannedPaths(_ result: ChildProcess.Result) throws -> [String] {
        let report = try JSON.parse(result.stdout)
        return report["invalidations"]?.array?.first?["paths"]?.array?.compactMap(\.string) ?? []
    }

    static func temporaryDirectory(_ name: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appending(path: "\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Runs `script` with bash in `directory`, the built binaries first on PATH, git configured for this test only.
    static func shell(
        _ script: String, in directory: URL, environment extra: [String: String] = [:]
    ) async throws -> ChildProcess.Result {
        let binaries = URL(fileURLWithPath: CLI.path).deletingLastPathComponent().path
        var environment = extra
        environment.merge([
            "PATH": "\(binaries):/usr/bin:/bin", "HOME": directory.path, "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com", "GIT_COMMITTER_NAME": "Test",
            "GIT_COMMITTER_EMAIL": "test@example.com",
        ]) { $1 }
        return try await ChildProcess.run(
            "/bin/bash", ["-euo", "pipefail", "-c", "cd '\(directory.path)'\n" + script], environment: environment)
    }

    /// A repository whose last commit, under site/, adds a non-ASCII name and a name git quotes, renames a page,
    /// deletes one and modifies one: what a deploy's `git diff` sees.
    static func makeRepository(in directory: URL) async throws {
        let setup = try await shell(
            """
            git init -q -b main .
            mkdir site
            printf 'home' > site/index.html
            printf 'a page that moves somewhere else' > site/old.html
            printf 'bye' > site/gone.html
            printf 'outside the site' > README
            git add -A && git commit -q -m one
            printf 'home, changed' > site/index.html
            git mv site/old.html site/new.html
            git rm -q site/gone.html
            printf 'new' > site/café.html
            printf 'quoted' > 'site/say "hi".html'
            printf 'changed' > README
            git add -A && git commit -q -m two
            """, in: directory)
        #expect(setup.status == 0, "\(setup.stderr)")
    }

    @Test("the README's git recipe: quoted names decoded, both names of a rename, deleted pages, nothing else")
    func gitRecipe() async throws {
        let directory = try Self.temporaryDirectory("git-recipe")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await Self.makeRepository(in: directory)
        let raw = try await Self.shell("git diff --name-status --relative=site/ HEAD~1 HEAD", in: directory)
        #expect(raw.stdout.contains(#""caf\303\251.html""#), "git quotes the name: \(raw.stdout)")
        #expect(raw.stdout.contains("R100\told.html\tnew.html"), "\(raw.stdout)")
        let result = try await Self.shell(
            "git diff --name-status --relative=site/ HEAD~1 HEAD "
                + "| invalidator invalidate --distribution-id E1CLI --keys --changed-from - --dry-run --json",
            in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            try Self.plannedPaths(result) == [
                "/", "/caf%C3%A9.html", "/gone.html", "/index.html", "/new.html", "/old.html",
                "/say%20%22hi%22.html",
            ], "\(result.stdout)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
    }

    @Test("git's C-quoting: escapes and octal bytes, reassembled into UTF-8")
    func gitQuoting() async throws {
        let input = [
            #""tab\there.html""#, #""back\\slash \"q\".html""#, #""caf\303\251/\344\275\240\345\245\275.html""#,
            "D\t" + #""gone \303\274.html""#, "C75\ta.html\t" + #""copy \303\251.html""#, "plain name.html", "",
        ].joined(separator: "\n")
        let result = try await CLI.run(
            ["invalidate", "--distribution-id", "E1CLI", "--keys", "--changed-from", "-", "--dry-run", "--json"],
            stdin: input)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            try Self.plannedPaths(result) == [
                "/back%5Cslash%20%22q%22.html", "/caf%C3%A9/%E4%BD%A0%E5%A5%BD.html", "/copy%20%C3%A9.html",
                "/gone%20%C3%BC.html", "/plain%20name.html", "/tab%09here.html",
            ], "\(result.stdout)")
    }

    @Test("a plain key list keeps names starting with # and leading or trailing spaces")
    func plainKeys() async throws {
        for format in [[], ["--changed-format", "lines"]] {
            let result = try await CLI.run(
                ["invalidate", "--distribution-id", "E1CLI", "--keys", "--changed-from", "-", "--dry-run", "--json"]
                    + format, stdin: "#hash.html\n  two spaces.html \r\nplain.html\n")
            #expect(result.status == 0, "\(result.stderr)")
            #expect(
                try Self.plannedPaths(result) == ["/%20%20two%20spaces.html%20", "/%23hash.html", "/plain.html"],
                "\(result.stdout)")
        }
        let verbatim = try await CLI.run(
            [
                "invalidate", "--distribution-id", "E1CLI", "--keys", "--changed-from", "-", "--dry-run", "--json",
                "--changed-format", "lines",
            ], stdin: "\"quoted\".html\"\n\"x\\303\\251\"\n")
        #expect(try Self.plannedPaths(verbatim) == ["/%22quoted%22.html%22", "/%22x%5C303%5C251%22"])
    }

    /// `aws s3 sync` output as it reaches a pipe: progress records ended by `\r`, the next record padded to their
    /// length, warnings and failures (from standard error, with 2>&1), a final padding-only line.
    static let syncOutput: String = {
        let progress = [
            "Completed 256 Bytes/~1.0 KiB (1.0 KiB/s) with ~6 file(s) remaining (calculating...)",
            "Completed 1.2 KiB/3.4 KiB (5.0 KiB/s) with 5 file(s) remaining",
            "Completed 2.2 KiB/3.4 KiB (5.0 KiB/s) with 4 file(s) remaining",
        ]
        func padded(_ record: String, after previous: String) -> String {
            record + String(repeating: " ", count: max(0, previous.count - record.count)) + "\n"
        }
        return progress[0] + "\r" + padded("upload: ./a.html to s3://site/a.html", after: progress[0])
            + progress[1] + "\r" + padded("upload: ./#notes.html to s3://site/#notes.html", after: progress[1])
            + progress[2] + "\r" + padded("upload: ./ lead.html to s3://site/ lead.html", after: progress[2])
            + "warning: Skipping file /src/link.html. File does not exist.\n"
            + "upload failed: ./big.bin to s3://site/big.bin An error occurred (AccessDenied) when calling the "
            + "PutObject operation: Access Denied\n"
            + "upload: ./odd.html to s3://site/pre to s3://fix/odd.html\n"
            + "copy: s3://old/x to s3://y/p.html to s3://site/x to s3://y/p.html\n"
            + "delete: s3://site/gone page.html\n" + "(dryrun) delete: s3://site/old.html\n"
            + "delete: s3://site/trail \n" + "move: ./m.html to s3://site/m.html\n"
            + "move: s3://site/from.html to s3://site/to.html\n"
            + "download: s3://site/only-local.html to ./only-local.html\n"
            + String(repeating: " ", count: progress[2].count) + "\n"
    }()

    @Test("aws s3 sync output: only transfer records, keys exactly as uploaded; progress and warnings ignored")
    func syncOutput() async throws {
        for keys in [["--keys"], []] {
            let result = try await CLI.run(
                ["invalidate", "--distribution-id", "E1CLI", "--changed-from", "-", "--dry-run", "--json"] + keys,
                stdin: Self.syncOutput)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(
                try Self.plannedPaths(result) == [
                    "/%20lead.html", "/%23notes.html", "/a.html", "/from.html", "/gone%20page.html", "/m.html",
                    "/old.html", "/pre%20to%20s3://fix/odd.html", "/to.html", "/trail%20", "/x%20to%20s3://y/p.html",
                ], "\(result.stdout)")
            #expect(result.stderr.contains("ignored 6 record(s)"), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "one note: \(result.stderr)")
        }
    }

    @Test(
        "a change list naming nothing (no diff, a sync that uploaded nothing) exits 0 and sends nothing",
        arguments: ["", "\n", "Completed 0 file(s) with 0 file(s) remaining\r   \n"])
    func emptyChangeList(input: String) async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E1CLI")
        let result = try await CLI.run(
            ["invalidate", "--distribution-id", "E1CLI", "--keys", "--changed-from", "-", "--wait"],
            environment: InvalidateCLITests.environment(cloudFront), stdin: input)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "nothing to invalidate\n", "\(result.stdout)")
        #expect(await cloudFront.requestCount == 0)
        await cloudFront.shutdown()
    }

    @Test("real aws s3 sync output (the AWS CLI against moto), progress records and all, piped in")
    func realSyncOutput() async throws {
        guard Moto.isAvailable else { return }
        let python = try await ChildProcess.run(
            "/usr/bin/env", ["python3", "-c", "import sys, awscli; print(sys.executable)"],
            environment: ProcessInfo.processInfo.environment)
        guard python.status == 0 else { return }  // the AWS CLI is not installed: nothing to compare with
        let aws = python.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + " -m awscli"
        let directory = try Self.temporaryDirectory("sync")
        defer { try? FileManager.default.removeItem(at: directory) }
        let bucket = Moto.unique("sync")
        let environment = try Moto.functionEnvironment(["BUCKET": bucket])
        let invalidate = "invalidator invalidate --distribution-id E1CLI --changed-from - --dry-run --json"
        let first = try await Self.shell(
            """
            mkdir -p site/docs
            printf a > site/a.html; printf b > 'site/#notes.html'; printf c > 'site/ lead.html'
            printf d > site/café.html; head -c 200000 /dev/zero > site/docs/big.bin
            \(aws) s3 mb "s3://$BUCKET" > /dev/null
            \(aws) s3 sync site/ "s3://$BUCKET/" 2>&1 | tee sync.log | \(invalidate)
            """, in: directory, environment: environment)
        #expect(first.status == 0, "\(first.stderr)")
        let log = (try? String(contentsOf: directory.appending(path: "sync.log"), encoding: .utf8)) ?? ""
        #expect(log.contains("remaining\r"), "progress records in the real output: \(log.debugDescription)")
        #expect(
            try Self.plannedPaths(first) == [
                "/%20lead.html", "/%23notes.html", "/a.html", "/caf%C3%A9.html", "/docs/big.bin",
            ], "\(first.stdout)")
        let second = try await Self.shell(
            """
            rm site/a.html; printf e > 'site/end space.html '
            \(aws) s3 sync site/ "s3://$BUCKET/" --delete --no-progress | \(invalidate)
            """, in: directory, environment: environment)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try Self.plannedPaths(second) == ["/a.html", "/end%20space.html%20"], "\(second.stdout)")
    }

    @Test("without --reference, the same paths twice in one CI job are invalidated twice")
    func defaultReferenceInCI() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E1CLI")
        let ci = [
            "GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/site", "GITHUB_RUN_ID": "4242",
            "GITHUB_RUN_ATTEMPT": "1", "GITHUB_JOB": "deploy", "CI": "true",
        ]
        for _ in 0..<2 {
            let result = try await CLI.run(
                ["invalidate", "--distribution-id", "E1CLI", "/index.html"],
                environment: InvalidateCLITests.environment(cloudFront, ci))
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasPrefix("created I"), "\(result.stdout)")
        }
        #expect(await cloudFront.counters.created == 2)
        #expect(await cloudFront.counters.idempotentReplays == 0)
        let references = await cloudFront.invalidations.map(\.callerReference)
        #expect(Set(references).count == 2, "\(references)")
        await cloudFront.shutdown()
    }

    /// The fake's clock, some time behind: what it creates looks created that long ago.
    struct EarlierClock: AWSClock {
        var offset: TimeInterval
        func now() -> Date { Date().addingTimeInterval(-offset) }
        func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
    }

    @Test("--reference used before with the same paths: told as a replay, nothing new invalidated")
    func replayIsTold() async throws {
        let cloudFront = try await FakeCloudFront.start(clock: EarlierClock(offset: 600))
        await cloudFront.addDistribution("E1CLI")
        let arguments = ["invalidate", "--distribution-id", "E1CLI", "/index.html", "--reference", "deploy-7"]
        let plan = try await CLI.run(
            arguments + ["--dry-run", "--json"], environment: InvalidateCLITests.environment(cloudFront))
        let reference = try #require(
            try JSON.parse(plan.stdout)["invalidations"]?.array?.first?["callerReference"]?.string)
        // An earlier deploy, ten minutes ago, with the same --reference.
        let client = try CloudFrontClient(
            configuration: AWSConfiguration(
                region: "us-east-1", credentials: AWSCredentials(accessKeyId: "AKIDEARLIER", secretAccessKey: "s"),
                environment: ["AWS_ENDPOINT_URL_CLOUDFRONT": cloudFront.endpoint]),
            transport: cloudFront.transport)
        let earlier = try await client.createInvalidation(
            distributionId: "E1CLI", callerReference: reference, paths: ["/index.html"])
        let result = try await CLI.run(arguments, environment: InvalidateCLITests.environment(cloudFront))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout.hasPrefix("already submitted as \(earlier.id) on E1CLI (created \(earlier.createTime), ")
                && result.stdout.contains("nothing new invalidated"), "\(result.stdout)")
        #expect(!result.stdout.contains("created I"), "\(result.stdout)")
        let json = try await CLI.run(arguments + ["--json"], environment: InvalidateCLITests.environment(cloudFront))
        #expect(try JSON.parse(json.stdout)["invalidations"]?.array?.first?["replayed"] == .bool(true))
        #expect(json.stderr.contains("already submitted as \(earlier.id)"), "\(json.stderr)")
        #expect(await cloudFront.counters.created == 1)
        await cloudFront.shutdown()
    }

    @Test("CloudFront needs no region: invalidate and status without AWS_REGION")
    func noRegion() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E1CLI")
        var environment = InvalidateCLITests.environment(cloudFront)
        environment["AWS_REGION"] = nil
        let created = try await CLI.run(
            ["invalidate", "--distribution-id", "E1CLI", "/a"], environment: environment)
        #expect(created.status == 0, "\(created.stderr)")
        environment["CLOUDFRONT_DISTRIBUTION_ID"] = "E1CLI"
        let status = try await CLI.run(["status"], environment: environment)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("E1CLI"), "\(status.stdout)")
        await cloudFront.shutdown()
    }

    @Test("invalidate and status read the distribution from the SSM parameter CF_DIST_ID_LABEL names (moto)")
    func parameterLabel() async throws {
        guard Moto.isAvailable else { return }
        let distribution = try #require(
            try await Moto.fixture("create-distribution", "--bucket", Moto.unique("label"))["id"]?.string)
        let name = "/cli/\(Moto.unique("dist"))"
        try await Moto.fixture("put-parameter", "--name", name, "--value", distribution, "--secure")
        let environment = try Moto.functionEnvironment(["HOME": "/nonexistent", "CF_DIST_ID_LABEL": name])
        let result = try await CLI.run(["invalidate", "--keys", "a b.html", "--json"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try JSON.parse(result.stdout)["invalidations"]?.array?.first?["distributionId"]?.string == distribution)
        let landed = try await Moto.fixture("invalidations", "--distribution-id", distribution)
        #expect(landed["invalidations"]?.array?.first?["paths"] == .array([.string("/a%20b.html")]), "\(landed)")
        let status = try await CLI.run(["status", "--json"], environment: environment)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(
            try JSON.parse(status.stdout)["invalidations"]?.array?.first?["distributionId"]?.string == distribution)
        var noRegion = environment
        noRegion["AWS_REGION"] = nil
        let regionless = try await CLI.run(["status"], environment: noRegion)
        #expect(regionless.status == 1)
        #expect(regionless.stderr.contains("AWS_REGION") && regionless.stderr.contains("CF_DIST_ID_LABEL"))
    }

    /// A home whose shared files hold the credentials and region of profile `site`.
    static func profileHome() throws -> URL {
        let home = try temporaryDirectory("cli-profile")
        try FileManager.default.createDirectory(at: home.appending(path: ".aws"), withIntermediateDirectories: true)
        try Data("[site]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n".utf8)
            .write(to: home.appending(path: ".aws/credentials"))
        try Data("[profile site]\nregion = us-east-1\n".utf8).write(to: home.appending(path: ".aws/config"))
        return home
    }

    @Test("plan reads AWS_PROFILE and ~/.aws for CF_DIST_ID_LABEL's parameter (moto)")
    func planProfile() async throws {
        guard Moto.isAvailable else { return }
        let endpoint = try #require(Moto.endpoint)
        let distribution = try #require(
            try await Moto.fixture("create-distribution", "--bucket", Moto.unique("plan"))["id"]?.string)
        let name = "/cli/\(Moto.unique("plan"))"
        try await Moto.fixture("put-parameter", "--name", name, "--value", distribution)
        let home = try Self.profileHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let sample = try await CLI.run(["events", "sample", "sqs-s3", "--key", "a.html"])
        let result = try await CLI.run(
            ["plan", "--event", "-", "--json"],
            environment: [
                "PATH": "/usr/bin:/bin", "HOME": home.path, "AWS_PROFILE": "site", "AWS_ENDPOINT_URL": endpoint,
                "CF_DIST_ID_LABEL": name,
            ], stdin: sample.stdout)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try JSON.parse(result.stdout)["invalidations"]?.array?.first?["distributionId"]?.string == distribution)
    }

    @Test("invoke reads AWS_PROFILE and ~/.aws for its credentials and region")
    func invokeProfile() async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E1CLI")
        let home = try Self.profileHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let sample = try await CLI.run(["events", "sample", "sqs-s3", "--key", "a.html"])
        let result = try await CLI.run(
            ["invoke", "--event", "-"],
            environment: [
                "PATH": "/usr/bin:/bin", "HOME": home.path, "AWS_PROFILE": "site",
                "AWS_ENDPOINT_URL_CLOUDFRONT": cloudFront.endpoint, "CLOUDFRONT_DISTRIBUTION_ID": "E1CLI",
            ], stdin: sample.stdout)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("batchItemFailures"), "\(result.stdout)")
        #expect(await cloudFront.counters.created == 1)
        await cloudFront.shutdown()
    }

    @Test(
        "time limits out of range are usage errors, never a trap",
        arguments: [
            ["invalidate", "--distribution-id", "E1CLI", "/a", "--timeout", "inf"],
            ["invalidate", "--distribution-id", "E1CLI", "/a", "--timeout", "1e300"],
            ["invalidate", "--distribution-id", "E1CLI", "/a", "--timeout", "nan"],
            ["invalidate", "--distribution-id", "E1CLI", "/a", "--timeout=-5"],
            ["invalidate", "--distribution-id", "E1CLI", "/a", "--timeout", "0"],
            ["invalidate", "--distribution-id", "E1CLI", "/a", "--wait", "--poll-interval", "inf"],
            ["invalidate", "--distribution-id", "E1CLI", "/a", "--wait", "--poll-interval", "1e300"],
            ["invoke", "--event", "-", "--timeout", "9999999999999999"],
            ["invoke", "--event", "-", "--timeout", "901"],
        ])
    func timeLimits(arguments: [String]) async throws {
        let cloudFront = try await FakeCloudFront.start()
        await cloudFront.addDistribution("E1CLI")
        let result = try await CLI.run(
            arguments, environment: InvalidateCLITests.environment(cloudFront), stdin: "{}")
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("invalidator: ") && result.stderr.contains("--"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(await cloudFront.requestCount == 0)
        await cloudFront.shutdown()
    }
}
