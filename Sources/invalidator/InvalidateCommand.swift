import AWSClient
import ArgumentParser
import Formats
import FoundationEssentials
import InvalidationCore
import Invalidator
import JSONSupport
import LambdaRuntime
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What goes into the CallerReference with the paths: `--reference` when given (explicit idempotency: the same text
/// with the same paths gets the earlier invalidation back, and nothing new), else a value of this process alone, so
/// every run invalidates, even the same paths twice in one CI job (a retried command then creates a new
/// invalidation: it costs its paths again, and never leaves a cache stale).
func runIdentity(_ reference: String?) -> String {
    if let reference, !reference.isEmpty { return reference }
    return "process \(getpid()) at \(Date().timeIntervalSince1970) \(UInt64.random(in: 0...UInt64.max))"
}

extension ChangeInput.Format: ExpressibleByArgument {}

struct Invalidate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Invalidate paths (or object keys) on one or more distributions, as the function would.",
        discussion: """
            Paths come from the arguments and from --changed-from (a file, or - for standard input): URL paths \
            (/docs/index.html, /assets/*), or object keys with --keys. A path argument or line that starts with \
            # is a cache tag (#html), as with --tag; with --keys it stays a key. --changed-format says how that input is \
            read: lines (one name a line, as it stands: only the line terminator is removed), git (lines as \
            git diff --name-only or --name-status prints them: a line that starts and ends with " is a C-quoted \
            name and is decoded; "R100<tab>old<tab>new" gives both names, "D<tab>name" the deleted one), s3-sync \
            (aws s3 sync output: only its upload:, copy:, move: and delete: records, "(dryrun)" or not, each \
            giving the key of its s3:// destination; progress, warning and failure records are ignored and \
            counted on standard error), or auto (the default: s3-sync when a record of the input is an aws s3 \
            sync transfer or progress record, else git).
            Cache tags (--tag html, repeatable) invalidate every cached object whose origin named the tag in the \
            distribution's CacheTagConfig header: printable ASCII without commas or *, at most 256 characters, \
            compared case-insensitively (repeats are dropped). Each is billable like a path and is never collapsed. \
            Before sending tags, the distribution's CacheTagConfig must name CACHE_TAG_HEADER (default \
            x-amz-meta-cache-tag): otherwise the tags would purge nothing, and the command exits 1 unless \
            --force-tags.
            The names are planned with the function's budget (MAX_PATHS, MAX_WILDCARDS, INDEX_DOCUMENT, the URL \
            forms, INCLUDE / EXCLUDE and KEY_PREFIX for keys) and sent as one request per distribution, with the \
            SDKs' retries (AWS_MAX_ATTEMPTS, AWS_RETRY_MODE) and waits for CloudFront's in-progress limits.
            The CallerReference derives from the paths and --reference. Without --reference every run is new \
            (a random value of this process): the same paths invalidated twice in one CI job are invalidated \
            twice. With it, the same --reference and paths again get the earlier invalidation back and nothing \
            new, which is reported: "already submitted as I… (created …, Completed): nothing new invalidated".
            Distributions: --distribution-id, else CLOUDFRONT_DISTRIBUTION_ID, else the SSM parameter named by \
            CF_DIST_ID_LABEL. Credentials: the AWS_* environment variables, else AWS_PROFILE's profile in \
            ~/.aws/credentials and ~/.aws/config. CloudFront needs no region (it is signed for us-east-1); \
            reading CF_DIST_ID_LABEL's parameter does (AWS_REGION, or the profile's region).
            Exit status: 0 done (with --wait: completed; also when --changed-from names nothing), 1 failure, 2 \
            --timeout expired while waiting (the invalidation still runs), 64 usage error.
            """)

    @OptionGroup var distributions: DistributionOptions

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

    @Option(
        name: .customLong("tag"),
        help: ArgumentHelp("A cache tag to invalidate (with or without its #); repeatable.", valueName: "tag"))
    var tags: [String] = []

    @Flag(
        name: .customLong("force-tags"),
        help: "Send cache tags even to a distribution whose CacheTagConfig does not name CACHE_TAG_HEADER.")
    var forceTags = false

    @Option(name: .customLong("max-paths"), help: ArgumentHelp("Overrides MAX_PATHS (1 to 3000).", valueName: "n"))
    var maxPaths: Int?

    @Flag(name: .long, help: "Wait until every invalidation has completed.")
    var wait = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The time limit for sending and, with --wait, waiting (at most 86400).", valueName: "seconds"))
    var timeout: Double = 900

    @Option(
        name: .customLong("poll-interval"),
        help: ArgumentHelp(
            "With --wait: the first pause between status checks; it doubles up to 20 s (at most 3600).",
            valueName: "seconds"))
    var pollInterval: Double = 5

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Makes the request idempotent: the same text and paths again create nothing new (default: a random "
                + "value of this process, so every run is new).", valueName: "text"))
    var reference: String?

    @Flag(name: .customLong("dry-run"), help: "Print the plan and its billable paths; send nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Print one JSON object instead of text.")
    var json = false

    static let maximumTimeout = 86_400.0
    static let maximumPollInterval = 3_600.0

    func validate() throws {
        if let maxPaths, !(1...3000).contains(maxPaths) { throw ValidationError("--max-paths must be 1 to 3000") }
        try validateSeconds(timeout, option: "--timeout", maximum: Self.maximumTimeout)
        try validateSeconds(pollInterval, option: "--poll-interval", maximum: Self.maximumPollInterval)
    }

    /// Plan, send, and with `--wait` wait: each a step of its own.
    func run() async throws {
        let started = ContinuousClock.now
        let environment = try awsEnvironment()
        let configuration = try commandConfiguration(environment)
        let targets = try await commandTargets(distributions, configuration: configuration, environment: environment)
        let (planned, skipped) = try plan(configuration: configuration, targets: targets)
        guard !dryRun, !planned.isEmpty else {
            printPlan(planned, skipped: skipped)
            return
        }
        let clients = try targetClients(environment: environment, externalId: distributions.externalId)
        // Every wait and deadline on the client's clock, as in the function.
        let deadline = clients.clock.now().addingTimeInterval(timeout)
        // Every call of the command ends by --timeout.
        let calls = AWSCallContext(deadline: deadline)
        let session = clients.roles?.sessionName(invocation: "cli") ?? "cli"
        if !forceTags {
            try await confirmCacheTags(
                planned, clients: clients, session: session, settings: configuration.cacheTags, calls: calls)
        }
        let logger = Logger.fromEnvironment(environment, write: { FileHandleStandardError.write($0) })
        let created = try await submit(
            planned,
            through: Submission(
                clients: clients, session: session, context: calls, waitDeadline: deadline.addingTimeInterval(-1)),
            logger: logger)
        guard wait else {
            if json { print(Self.report(created)) }
            return
        }
        try await waitForCompletion(
            created, clients: clients, session: session, calls: calls, deadline: deadline,
            progress: Progress(terminal: isatty(1) == 1, quiet: json, started: started))
    }

    /// The entries from the arguments and `--changed-from`, planned by the function's rules and budget.
    func plan(
        configuration: Configuration, targets: [CloudFrontTarget]
    ) throws -> (planned: [PlannedInvalidation], skipped: [String]) {
        var entries = items.map { ChangeEntry(text: $0, isKey: keys) } + tags.map(ChangeEntry.tag)
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
        let paths: [String]
        let skipped: [String]
        do {
            (paths, skipped) = try Planner.userPaths(entries, keyPrefix: configuration.keyPrefix, settings: settings)
        } catch {
            // A bad tag is named as it is; a path that is really a key says how to give keys.
            throw ValidationError(
                error.message + (error.message.hasPrefix("cache tag") ? "" : " (object keys need --keys)"))
        }
        let planned = Planner.requests(
            userPaths: paths, targets: targets, run: runIdentity(reference), settings: settings)
        return (planned, skipped)
    }

    /// Refuses (exit 1, naming the distribution and the fix) to send tags to a distribution whose `CacheTagConfig`
    /// does not name `CACHE_TAG_HEADER`: there CloudFront stores no such tags, and the tag items would purge nothing
    /// while the invalidation reports success. Nothing is sent to any distribution when one is refused.
    func confirmCacheTags(
        _ planned: [PlannedInvalidation], clients: TargetClients, session: String, settings: CacheTagSettings,
        calls: AWSCallContext
    ) async throws {
        let check = CacheTagCheck(clients: clients, settings: settings)
        var seen = Set<CloudFrontTarget>()
        for item in planned where !item.tags.isEmpty && seen.insert(item.target).inserted {
            let verdict = await check.verdict(target: item.target, logger: nil, context: calls, session: session)
            if case .unconfirmed(let reason) = verdict {
                throw fail(
                    "\(item.target.kindName) \(item.target.resourceKey): cache tags \(item.tags.joined(separator: " ")) would "
                        + "invalidate nothing: \(reason). Give paths instead, enable CacheTagConfig on the "
                        + "distribution, or pass --force-tags to send them anyway")
            }
        }
    }

    /// Sends each request, saying what became of it; a replay of an earlier invalidation is told, never reported
    /// as created.
    func submit(
        _ planned: [PlannedInvalidation], through submission: Submission, logger: Logger
    ) async throws -> [Submitted] {
        var created: [Submitted] = []
        for item in planned {
            let sentAt = submission.clients.clock.now()
            switch await submission.submit(item, logger: logger).result {
            case .success(let invalidation):
                let replayed = Self.isReplay(invalidation, sentAt: sentAt)
                created.append(Submitted(planned: item, invalidation: invalidation, replayed: replayed))
                if replayed {
                    let line =
                        "already submitted as \(invalidation.id) on \(item.target.resourceKey) (created "
                        + "\(invalidation.createTime), \(invalidation.status)): nothing new invalidated; "
                        + "--reference \(reference ?? "") was used before with these paths"
                    // With --json, standard output holds only the report ("replayed": true): say it on stderr.
                    if json { FileHandleStandardError.write("invalidator: " + line) } else { print(line) }
                } else if !json {
                    print(
                        "created \(invalidation.id) on \(item.target.resourceKey): \(Self.itemCount(item)) "
                            + "(\(item.billablePaths) billable), \(invalidation.status)")
                }
            case .failure(let error):
                if json { print(Self.report(created, extra: ["error": .string(error.description)])) }
                throw fail("\(item.target.label): \(error)")
            }
        }
        return created
    }

    /// Polls until every invalidation has completed, with a progress line; exit 2 when `--timeout` comes first.
    func waitForCompletion(
        _ created: [Submitted], clients: TargetClients, session: String, calls: AWSCallContext, deadline: Date,
        progress: Progress
    ) async throws {
        var statuses = created.map { $0.invalidation.status }
        var interval = pollInterval
        while true {
            progress.show(
                zip(created, statuses).map { ($0.0.planned.target.resourceKey, $0.0.invalidation.id, $0.1) })
            if statuses.allSatisfy({ $0.lowercased() == "completed" }) {
                progress.finish()
                if json { print(Self.report(created, statuses: statuses)) } else { print("all completed") }
                return
            }
            let remaining = deadline.timeIntervalSince(clients.clock.now())
            if remaining <= 0.2 {
                progress.finish()
                let running = zip(created, statuses).filter { $0.1.lowercased() != "completed" }
                    .map { "\($0.0.invalidation.id) on \($0.0.planned.target.resourceKey)" }.joined(separator: ", ")
                if json { print(Self.report(created, statuses: statuses, extra: ["timedOut": .bool(true)])) }
                FileHandleStandardError.write(
                    "invalidator: --timeout expired while waiting; \(running) still in progress. It was not cancelled "
                        + "and will complete on its own.")
                throw ExitCode(2)
            }
            try? await clients.clock.sleep(for: .milliseconds(Int64(min(interval, remaining - 0.1) * 1000)))
            interval = min(interval * 2, 20)
            for (index, submitted) in created.enumerated() where statuses[index].lowercased() != "completed" {
                do {
                    let cloudFront = try await clients.client(
                        for: submitted.planned.target, session: session, context: calls)
                    statuses[index] = try await cloudFront.getInvalidation(
                        target: submitted.planned.target, id: submitted.invalidation.id, context: calls
                    ).status
                } catch  where error.isRetryable || error.code == "DeadlineReached" {
                    continue
                } catch {
                    progress.finish()
                    if json {
                        print(Self.report(created, statuses: statuses, extra: ["error": .string(error.description)]))
                    }
                    throw fail("\(submitted.planned.target.label): \(error)")
                }
            }
        }
    }

    /// One request sent, and what CloudFront answered.
    struct Submitted {
        var planned: PlannedInvalidation
        var invalidation: Invalidation
        /// CloudFront answered with an invalidation it had already (same CallerReference, same paths).
        var replayed: Bool
    }

    func printPlan(_ planned: [PlannedInvalidation], skipped: [String]) {
        if json {
            let invalidations = planned.map { item -> JSONValue in
                .object(
                    item.target.members.merging([
                        "callerReference": .string(item.callerReference),
                        "paths": .array(item.paths.map { .string($0) }), "tags": .array(item.tags.map { .string($0) }),
                        "billablePaths": .number(String(item.billablePaths)),
                    ]) { first, _ in first })
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
                "\(item.target.label): \(Self.itemCount(item)) (\(item.billablePaths) billable), "
                    + "caller reference \(item.callerReference)")
            for path in item.paths { print("  \(path)") }
        }
        if dryRun { print("dry run: nothing sent") }
    }

    /// `3 paths`, or `2 paths and 1 tag` when the request carries cache tags: a tag is billed as a path is, but
    /// purges by what the origin declared rather than by URL, and a reader of the plan should see which is which.
    static func itemCount(_ item: PlannedInvalidation) -> String {
        let tags = item.tags.count
        let paths = item.paths.count - tags
        let pathText = "\(paths) path\(paths == 1 ? "" : "s")"
        return tags == 0 ? pathText : pathText + " and \(tags) tag\(tags == 1 ? "" : "s")"
    }

    /// The clock difference allowed between this machine and CloudFront.
    static let clockTolerance: TimeInterval = 2

    /// Whether CloudFront answered with an invalidation it already had, created before this request was sent: for
    /// a CallerReference it has seen with the same paths, CloudFront creates nothing and returns the earlier
    /// invalidation (in progress or completed). Told by its CreateTime, older than the request by more than the
    /// clock tolerance.
    static func isReplay(_ invalidation: Invalidation, sentAt: Date) -> Bool {
        guard let created = RFC3339.parse(invalidation.createTime) else { return false }
        return created < sentAt.addingTimeInterval(-clockTolerance)
    }

    static func report(
        _ created: [Submitted], statuses: [String]? = nil, extra: [String: JSONValue] = [:]
    ) -> String {
        var object: [String: JSONValue] = [
            "invalidations": .array(
                created.enumerated().map { index, submitted in
                    .object(
                        submitted.planned.target.members.merging([
                            "invalidationId": .string(submitted.invalidation.id),
                            "status": .string(statuses?[index] ?? submitted.invalidation.status),
                            "createTime": .string(submitted.invalidation.createTime),
                            "replayed": .bool(submitted.replayed),
                            "callerReference": .string(submitted.planned.callerReference),
                            "paths": .array(submitted.planned.paths.map { .string($0) }),
                            "billablePaths": .number(String(submitted.planned.billablePaths)),
                        ]) { first, _ in first })
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
