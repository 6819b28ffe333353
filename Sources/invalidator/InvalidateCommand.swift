import AWSClient
import ArgumentParser
import FoundationEssentials
import InvalidationCore
import Invalidator
import JSONSupport
import LambdaRuntime
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The environment with the shared configuration files applied (`AWS_PROFILE`, `~/.aws/credentials`,
/// `~/.aws/config`), as every AWS tool reads it.
func awsEnvironment() throws -> [String: String] {
    do {
        return try SharedConfig.environment(overlaying: ProcessInfo.processInfo.environment)
    } catch {
        throw fail(error.description)
    }
}

func parseIds(_ values: [String]) throws -> [String] {
    var ids: [String] = []
    for value in values {
        do {
            ids += try Configuration.parseDistributionIds(value, source: "--distribution-id")
        } catch {
            throw ValidationError(error.description)
        }
    }
    return ids
}

/// What makes this run this run, for the CallerReference: `--reference`, else the CI system's run (or pipeline, or
/// build) id, which stays the same when a job of the run is retried, else a value of this process alone (a retried
/// command then creates a new invalidation: it costs its paths again, and never leaves a cache stale).
func runIdentity(_ reference: String?, environment: [String: String]) -> String {
    if let reference, !reference.isEmpty { return reference }
    let ciVariables = [
        ["GITHUB_REPOSITORY", "GITHUB_RUN_ID"], ["CI_PROJECT_ID", "CI_PIPELINE_ID"], ["CODEBUILD_BUILD_ID"],
        ["BUILDKITE_BUILD_ID"], ["CIRCLE_WORKFLOW_ID"], ["BUILD_TAG"],
    ]
    for names in ciVariables where environment[names.last!].map({ !$0.isEmpty }) ?? false {
        return names.map { environment[$0] ?? "" }.joined(separator: "/")
    }
    return "process \(getpid()) at \(Date().timeIntervalSince1970) \(UInt64.random(in: 0...UInt64.max))"
}

extension ChangeInput.Format: ExpressibleByArgument {}

struct Invalidate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Invalidate paths (or object keys) on one or more distributions, as the function would.",
        discussion: """
            Paths come from the arguments and from --changed-from (a file, or - for standard input): URL paths \
            (/docs/index.html, /assets/*), or object keys with --keys. --changed-format says how that input is \
            read: lines (one name a line, as it stands: only the line terminator is removed), git (lines as \
            git diff --name-only or --name-status prints them: a line that starts and ends with " is a C-quoted \
            name and is decoded; "R100<tab>old<tab>new" gives both names, "D<tab>name" the deleted one), s3-sync \
            (aws s3 sync output: only its upload:, copy:, move: and delete: records, "(dryrun)" or not, each \
            giving the key of its s3:// destination; progress, warning and failure records are ignored and \
            counted on standard error), or auto (the default: s3-sync when a record of the input is an aws s3 \
            sync transfer or progress record, else git).
            The names are planned with the function's budget (MAX_PATHS, MAX_WILDCARDS, INDEX_DOCUMENT, the URL \
            forms, INCLUDE / EXCLUDE and KEY_PREFIX for keys) and sent as one request per distribution, with the \
            SDKs' retries (AWS_MAX_ATTEMPTS, AWS_RETRY_MODE) and waits for CloudFront's in-progress limits.
            The CallerReference derives from the paths and --reference (default: the CI run id, else the current \
            minute), so a retried run creates nothing twice.
            Credentials and region: the AWS_* environment variables, else AWS_PROFILE's profile in \
            ~/.aws/credentials and ~/.aws/config.
            Exit status: 0 done (with --wait: completed; also when --changed-from names nothing), 1 failure, 2 \
            --timeout expired while waiting (the invalidation still runs), 64 usage error.
            """)

    @Option(
        name: .customLong("distribution-id"),
        help: ArgumentHelp(
            "A distribution (repeatable, or comma-separated; default: CLOUDFRONT_DISTRIBUTION_ID).", valueName: "id"))
    var distributionIds: [String] = []

    @Argument(help: ArgumentHelp("Paths (or keys with --keys) to invalidate.", valueName: "path-or-key"))
    var items: [String] = []

    @Option(
        name: .customLong("changed-from"),
        help: ArgumentHelp("Read paths or keys from a file (- for standard input).", valueName: "file"))
    var changedFrom: String?

    @Option(
        name: .customLong("changed-format"),
        help: ArgumentHelp("How --changed-from is read (see above).", valueName: "format"))
    var changedFormat: ChangeInput.Format = .auto

    @Flag(name: .long, help: "Treat the items as object keys, encoded as the function encodes S3 keys.")
    var keys = false

    @Option(name: .customLong("max-paths"), help: ArgumentHelp("Overrides MAX_PATHS (1 to 3000).", valueName: "n"))
    var maxPaths: Int?

    @Flag(name: .long, help: "Wait until every invalidation has completed.")
    var wait = false

    @Option(
        name: .long,
        help: ArgumentHelp("The time limit for sending and, with --wait, waiting.", valueName: "seconds"))
    var timeout: Double = 900

    @Option(
        name: .customLong("poll-interval"),
        help: ArgumentHelp(
            "With --wait: the first pause between status checks; it doubles up to 20 s.", valueName: "seconds"))
    var pollInterval: Double = 5

    @Option(
        name: .long,
        help: ArgumentHelp(
            "What makes this run unique (a commit, a CI run id), for the CallerReference.", valueName: "text"))
    var reference: String?

    @Flag(name: .customLong("dry-run"), help: "Print the plan and its billable paths; send nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        _ = try parseIds(distributionIds)
        if let maxPaths, !(1...3000).contains(maxPaths) { throw ValidationError("--max-paths must be 1 to 3000") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        guard pollInterval > 0 else { throw ValidationError("--poll-interval must be positive") }
    }

    func run() async throws {
        let started = ContinuousClock.now
        let startedAt = Date()
        let environment = try awsEnvironment()
        let configuration: Configuration
        do {
            configuration = try Configuration(environment: environment)
        } catch {
            throw fail(error.description)
        }
        var ids = try parseIds(distributionIds)
        if ids.isEmpty, case .ids(let configured) = configuration.distributions { ids = configured }
        guard !ids.isEmpty else {
            throw ValidationError("name a distribution with --distribution-id (or set CLOUDFRONT_DISTRIBUTION_ID)")
        }
        var entries = items.map { ChangeList.Entry(text: $0, isKey: keys) }
        if let changedFrom {
            let input = ChangeInput.parse(try readEvent(changedFrom), format: changedFormat, keys: keys)
            if input.ignoredRecords > 0 {
                FileHandleStandardError.write(
                    "invalidator: read --changed-from as aws s3 sync output; ignored \(input.ignoredRecords) "
                        + "record(s) naming no uploaded, copied or deleted key (progress, warnings, failures)"
                        + (input.firstIgnored.map { ", such as \(ChangeInput.shown($0))" } ?? ""))
            }
            entries += input.entries
        } else if entries.isEmpty {
            throw ValidationError("nothing to invalidate: give paths, or --changed-from FILE (- for standard input)")
        }
        var settings = configuration.planner
        if let maxPaths {
            var budget = settings.budget ?? PathBudget()
            budget.maximumPaths = maxPaths
            settings.budget = budget
        }
        var paths: [String] = []
        var skipped: [String] = []
        for entry in entries {
            if entry.isKey {
                guard !entry.text.contains("*") else {
                    skipped.append("\(entry.text): a key holding * cannot be invalidated exactly; give a path instead")
                    continue
                }
                guard settings.filter.isEmpty || settings.filter.keeps(entry.text) else {
                    skipped.append("\(entry.text): excluded by INCLUDE / EXCLUDE")
                    continue
                }
                let target = DistributionTarget(distributionId: ids[0], keyPrefix: configuration.keyPrefix)
                guard let key = target.servedKey(entry.text) else {
                    skipped.append("\(entry.text): outside KEY_PREFIX \(configuration.keyPrefix)")
                    continue
                }
                paths += CloudFrontPath.paths(
                    forKey: String(key), indexDocument: settings.indexDocument, forms: settings.forms)
            } else {
                do {
                    paths.append(try CloudFrontPath.normalizeUserPath(entry.text))
                } catch {
                    throw ValidationError("\(error.message) (object keys need --keys)")
                }
            }
        }
        let planned = Planner.plan(
            userPaths: paths, distributionIds: ids, run: runIdentity(reference, environment: environment),
            settings: settings)
        if dryRun {
            printPlan(planned, skipped: skipped)
            return
        }
        guard !planned.isEmpty else {
            printPlan(planned, skipped: skipped)
            return
        }
        let aws: AWSConfiguration
        do {
            aws = try AWSConfiguration(environment: environment)
        } catch {
            throw fail(error.description)
        }
        let deadline = Date().addingTimeInterval(timeout)
        var client = try CloudFrontClient(configuration: aws, transport: AsyncHTTPTransport()).client
        client.deadline = deadline
        let cloudFront = CloudFrontClient(client: client)
        let logger = Logger.fromEnvironment(environment, write: { FileHandleStandardError.write($0) })
        let submission = Submission(cloudFront: cloudFront, waitDeadline: deadline.addingTimeInterval(-1))
        var created: [(PlannedInvalidation, Invalidation)] = []
        for item in planned {
            switch await submission.submit(item, logger: logger).result {
            case .success(let invalidation):
                created.append((item, invalidation))
                if !json {
                    print(
                        "created \(invalidation.id) on \(item.distributionId): \(item.paths.count) paths "
                            + "(\(item.billablePaths) billable), \(invalidation.status)"
                            + (Self.isEarlier(invalidation, than: startedAt)
                                ? " (already created by an earlier run with the same --reference)" : ""))
                }
            case .failure(let error):
                if json { print(Self.report(created, extra: ["error": .string(error.description)])) }
                throw fail("distribution \(item.distributionId): \(error)")
            }
        }
        guard wait else {
            if json { print(Self.report(created)) }
            return
        }
        let progress = Progress(terminal: isatty(1) == 1, quiet: json, started: started)
        var statuses = created.map { $0.1.status }
        var interval = pollInterval
        while true {
            progress.show(zip(created, statuses).map { ($0.0.0.distributionId, $0.0.1.id, $0.1) })
            if statuses.allSatisfy({ $0.lowercased() == "completed" }) {
                progress.finish()
                if json { print(Self.report(created, statuses: statuses)) } else { print("all completed") }
                return
            }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0.2 {
                progress.finish()
                let running = zip(created, statuses).filter { $0.1.lowercased() != "completed" }
                    .map { "\($0.0.1.id) on \($0.0.0.distributionId)" }.joined(separator: ", ")
                if json { print(Self.report(created, statuses: statuses, extra: ["timedOut": .bool(true)])) }
                FileHandleStandardError.write(
                    "invalidator: --timeout expired while waiting; \(running) still in progress. It was not cancelled "
                        + "and will complete on its own.")
                throw ExitCode(2)
            }
            try? await Task.sleep(for: .milliseconds(Int64(min(interval, remaining - 0.1) * 1000)))
            interval = min(interval * 2, 20)
            for (index, (item, invalidation)) in created.enumerated()
            where statuses[index].lowercased() != "completed" {
                do {
                    statuses[index] = try await cloudFront.getInvalidation(
                        distributionId: item.distributionId, id: invalidation.id
                    ).status
                } catch  where error.isRetryable || error.code == "DeadlineReached" {
                    continue
                } catch {
                    progress.finish()
                    if json {
                        print(Self.report(created, statuses: statuses, extra: ["error": .string(error.description)]))
                    }
                    throw fail("distribution \(item.distributionId): \(error)")
                }
            }
        }
    }

    func printPlan(_ planned: [PlannedInvalidation], skipped: [String]) {
        if json {
            let invalidations = planned.map { item -> JSONValue in
                .object([
                    "distributionId": .string(item.distributionId), "callerReference": .string(item.callerReference),
                    "paths": .array(item.paths.map { .string($0) }),
                    "billablePaths": .number(String(item.billablePaths)),
                ])
            }
            print(
                JSON.serialize(
                    .object([
                        "dryRun": .bool(dryRun), "invalidations": .array(invalidations),
                        "skipped": .array(skipped.map { .string($0) }),
                    ])))
            return
        }
        for line in skipped { print("skipped \(line)") }
        if planned.isEmpty { print("nothing to invalidate") }
        for item in planned {
            print(
                "distribution \(item.distributionId): \(item.paths.count) paths (\(item.billablePaths) billable), "
                    + "caller reference \(item.callerReference)")
            for path in item.paths { print("  \(path)") }
        }
        if dryRun { print("dry run: nothing sent") }
    }

    /// Whether CloudFront answered with an invalidation created before this run (an idempotent replay).
    static func isEarlier(_ invalidation: Invalidation, than start: Date) -> Bool {
        guard let created = RFC3339.parse(invalidation.createTime) else { return false }
        return created < start.addingTimeInterval(-5)
    }

    static func report(
        _ created: [(PlannedInvalidation, Invalidation)], statuses: [String]? = nil, extra: [String: JSONValue] = [:]
    ) -> String {
        var object: [String: JSONValue] = [
            "invalidations": .array(
                created.enumerated().map { index, pair in
                    .object([
                        "distributionId": .string(pair.0.distributionId), "invalidationId": .string(pair.1.id),
                        "status": .string(statuses?[index] ?? pair.1.status),
                        "callerReference": .string(pair.0.callerReference),
                        "paths": .array(pair.0.paths.map { .string($0) }),
                        "billablePaths": .number(String(pair.0.billablePaths)),
                    ])
                })
        ]
        for (key, value) in extra { object[key] = value }
        return JSON.serialize(.object(object))
    }
}

/// `--wait`'s progress: one line rewritten in place on a terminal, a plain line per change otherwise.
final class Progress: Sendable {
    let terminal: Bool
    /// With `--json`: standard output holds the one JSON object, so no progress.
    let quiet: Bool
    let started: ContinuousClock.Instant
    private let last = Mutex("")

    init(terminal: Bool, quiet: Bool, started: ContinuousClock.Instant) {
        self.terminal = terminal
        self.quiet = quiet
        self.started = started
    }

    func show(_ items: [(distribution: String, invalidation: String, status: String)]) {
        guard !quiet else { return }
        let seconds = Int((ContinuousClock.now - started).components.seconds)
        let states = items.map { "\($0.distribution) \($0.invalidation) \($0.status)" }.joined(separator: ", ")
        if terminal {
            writeOut("\r\u{1B}[K[\(seconds) s] \(states)")
        } else if last.withLock({ previous in
            defer { previous = states }; return previous
        }) != states {
            print("[\(seconds) s] \(states)")
        }
    }

    func finish() {
        if terminal && !quiet { writeOut("\n") }
    }

    private func writeOut(_ text: String) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { _ = Glibc.write(1, $0.baseAddress!, $0.count) }
    }
}
