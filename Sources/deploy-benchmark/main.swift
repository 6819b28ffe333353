import AWSTestSupport
import DeploySimulator
import FoundationEssentials
import InvalidationCore
import Invalidator

#if canImport(Glibc)
    import Glibc
#endif

// `make bench-deploy`: a static-site deploy through SQS, Lambda's SQS event source and the real handler, against the
// strict fake CloudFront with CloudFront's documented limits, on a simulated clock (hours of virtual time in seconds).
// Prints a Markdown table; `--output docs/BENCHMARKS.md` writes it between the `make bench-deploy` markers (the rest of
// the file is left alone). Deterministic for a seed.
//
// Usage: deploy-benchmark [--seed N] [--quick] [--files N[,N...]] [--delay-seconds N] [--burst N] [--output FILE]

struct Options {
    var seed: UInt64 = 1
    var files = [2000, 8000]
    var uploadSeconds = 60.0
    var delaySeconds = 0.0
    var burst = 1.0
    var output: String?

    init(_ arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            if argument == "--quick" {
                files = [200]
                uploadSeconds = 10
                continue
            }
            let value = iterator.next() ?? ""
            switch argument {
            case "--seed":
                guard let number = UInt64(value) else { Self.usage("--seed takes a number") }
                seed = number
            case "--files":
                let numbers = value.split(separator: ",").compactMap { Int($0) }.filter { $0 >= 10 }
                guard !numbers.isEmpty else { Self.usage("--files takes numbers of at least 10, comma-separated") }
                files = numbers
            case "--delay-seconds":
                guard let number = Double(value), (0...900).contains(number) else {
                    Self.usage("--delay-seconds takes 0 to 900")
                }
                delaySeconds = number
            case "--burst":
                guard let number = Double(value), number >= 1 else { Self.usage("--burst takes 1 or more") }
                burst = number
            case "--output": output = value
            default: Self.usage("unknown option \(argument)")
            }
        }
    }

    static func usage(_ message: String) -> Never {
        printError("deploy-benchmark: \(message)")
        exit(64)
    }
}

/// One line on standard error.
func printError(_ line: String) {
    let text = Array((line + "\n").utf8)
    _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

struct Mode {
    var name: String
    var mapping: EventSourceMapping
    var coalescing: CoalesceSettings?
}

/// The SAM template's defaults (deploy/sam/template.yaml): without coalescing BatchSize 25, BatchingWindowSeconds 60;
/// with it (the default) BatchSize 100, BatchingWindowSeconds 1, QUIET_SECONDS 20, MAX_DELAY_SECONDS 300; always
/// MaximumConcurrency 2, FunctionTimeout 60 s, the queue's VisibilityTimeout ten times that, maxReceiveCount 5.
let modes = [
    Mode(
        name: "(a) per batch, the former defaults: BatchSize 25, window 60 s, MaximumConcurrency 2",
        mapping: EventSourceMapping(batchSize: 25, batchingWindow: 60, maximumConcurrency: 2)),
    Mode(
        name: "(b) per batch, large batches: BatchSize 10,000, window 60 s, MaximumConcurrency 2",
        mapping: EventSourceMapping(batchSize: 10_000, batchingWindow: 60, maximumConcurrency: 2)),
    Mode(
        name: "(c) coalesced, the template's defaults: BatchSize 100, window 1 s, MaximumConcurrency 2, "
            + "QUIET_SECONDS 20",
        mapping: EventSourceMapping(batchSize: 100, batchingWindow: 1, maximumConcurrency: 2),
        coalescing: CoalesceSettings(table: "windows")),
]

let options = Options(Array(CommandLine.arguments.dropFirst()))
let cloudFrontSettings = Scenario.CloudFrontSettings(burst: options.burst)

func seconds(_ value: Double?) -> String {
    guard let value else { return "-" }
    let tenths = Int((abs(value) * 10).rounded())
    let sign = value < 0 ? "-" : ""
    return abs(value) < 100 ? "\(sign)\(tenths / 10).\(tenths % 10) s" : "\(Int(value.rounded())) s"
}

func grouped(_ value: Int) -> String {
    let digits = String(value)
    var result = ""
    for (index, character) in digits.enumerated() {
        if index > 0, (digits.count - index) % 3 == 0 { result += "," }
        result.append(character)
    }
    return result
}

var rows: [String] = []
var notes: [String] = []
let wallStart = ContinuousClock.now
for count in options.files {
    var random = SeededRandom(seed: options.seed &+ UInt64(count))
    let deploy = Deploy.make(count: count, seconds: options.uploadSeconds, transfers: 10, random: &random)
    for mode in modes {
        var scenario = Scenario(deploy: deploy, mapping: mode.mapping, seed: options.seed &+ UInt64(count))
        scenario.delaySeconds = options.delaySeconds
        scenario.cloudFront = cloudFrontSettings
        scenario.coalescing = mode.coalescing
        let figures = try await DeploySimulation.run(scenario)
        let other = figures.awsCalls.filter { $0.key != "CreateInvalidation" && $0.key != "cloudfront" }
        let dynamo = figures.awsCalls["dynamodb", default: 0]
        let sqs = figures.awsCalls["sqs", default: 0]
        rows.append(
            "| \(grouped(count)) | \(mode.name) | \(grouped(figures.invocations)) | \(grouped(figures.created)) / \(grouped(figures.attempts)) | "
                + "\(grouped(figures.billablePaths)) | \(figures.peakWildcards) | \(grouped(figures.throttles)) | "
                + "\(grouped(figures.inProgressRefusals)) | \(grouped(figures.handedBack)) / \(grouped(figures.redelivered)) / "
                + "\(grouped(figures.deadLettered)) | \(seconds(figures.lastCreated.map { $0 - figures.lastArrival })) | "
                + "\(seconds(figures.lastCompleted.map { $0 - figures.lastArrival })) | \(dynamo) / \(sqs) |")
        if !figures.lost.isEmpty || figures.windowsFlushedTwice > 0 {
            notes.append(
                "\(count) files, \(mode.name): \(figures.lost.count) changes LOST, "
                    + "\(figures.windowsFlushedTwice) windows flushed twice")
        }
        if figures.unfinished > 0 {
            notes.append(
                "\(count) files, \(mode.name): \(figures.unfinished) messages still queued when the run stopped")
        }
        if !other.filter({ $0.key != "dynamodb" && $0.key != "sqs" }).isEmpty {
            notes.append("\(count) files, \(mode.name): other calls \(other.sorted { $0.key < $1.key })")
        }
        printError(
            "deploy-benchmark: \(count) files, \(mode.name): \(Int(figures.virtualSeconds)) s of virtual time, "
                + "\(figures.receiveCalls) ReceiveMessage calls simulated")
    }
    let plan = await DeploySimulation.oneBatchPlan(deploy: deploy)
    rows.append(
        "| \(grouped(count)) | the whole deploy as ONE batch (its plan only: what coalescing aims for) | 1 | "
            + "\(plan.requests) | \(grouped(plan.billablePaths)) |  |  |  |  |  |  |  |")
}

/// Issue 16's standard deploy, coalesced with the template's defaults, in each planning mode, on the edge-cache model.
func tagRows() async throws -> [String] {
    let site = Deploy.standardTagSite()
    var random = SeededRandom(seed: options.seed &+ 16)
    let deploy = Deploy.make(keys: site.changed, seconds: options.uploadSeconds, transfers: 10, random: &random)
    var slashStar = PlannerSettings()
    slashStar.budget = PathBudget(maximumPaths: 100, maximumWildcards: 0)
    let tagModes: [(name: String, header: String?, planner: PlannerSettings)] = [
        ("`TAG_RULES=*.html=html`, `CacheTagConfig` confirmed", "x-amz-meta-cache-tag", PlannerSettings()),
        ("the same rules, no `CacheTagConfig`: the budget's wildcards", nil, PlannerSettings()),
        ("`/*` (`MAX_WILDCARDS=0`)", nil, slashStar),
    ]
    var rows: [String] = []
    for mode in tagModes {
        var scenario = Scenario(
            deploy: deploy, mapping: EventSourceMapping(batchSize: 100, batchingWindow: 1, maximumConcurrency: 2),
            seed: options.seed &+ 16)
        scenario.cloudFront = cloudFrontSettings
        scenario.coalescing = CoalesceSettings(table: "windows")
        scenario.planner = mode.planner
        scenario.tags = Scenario.Tags(rules: "*.html=html", header: mode.header, unchanged: site.unchanged)
        let figures = try await DeploySimulation.run(scenario)
        let images = figures.overInvalidated.count { $0.hasSuffix(".png") }
        rows.append(
            "| \(mode.name) | \(grouped(figures.invocations)) | \(figures.created) | \(grouped(figures.billablePaths)) | "
                + "\(figures.stale.count) | \(grouped(images)) | \(grouped(figures.overInvalidated.count - images)) | "
                + "\(seconds(figures.lastCreated.map { $0 - figures.lastArrival })) |")
    }
    return rows
}
let tagTable = try await tagRows()
let wall = ContinuousClock.now - wallStart

var table = """
    <!-- make bench-deploy: start (written by make bench-deploy; edits here are overwritten) -->
    ## A deploy through SQS and Lambda's event source (`make bench-deploy`, seed \(options.seed))

    The model. A static-site deploy (half its files one `index.html` per documentation page, \
    `docs/section-S/page-P/index.html`, ten pages a section; a quarter hashed images under `assets/img/`; scripts, \
    stylesheets, four fonts and five files at the top) is uploaded in key order by 10 concurrent transfers over \
    about \(Int(options.uploadSeconds)) s; each upload becomes one EventBridge "Object Created" event in a standard \
    SQS queue 0.1 to 1 s after it finishes\(options.delaySeconds > 0 ? ", delayed \(Int(options.delaySeconds)) s (DelaySeconds)" : ""). \
    Lambda's SQS event source as its developer guide describes it ("Using Lambda with Amazon SQS", "Configuring \
    scaling behavior for SQS event source mappings"): five pollers, each assembling its own batch from \
    ReceiveMessage calls of up to 10 messages (one call every 0.1 s while messages are visible) and invoking when \
    the batch holds BatchSize messages, when the batching window has passed since its first message, or when its \
    payload nears 6 MB; at most MaximumConcurrency invocations in flight. The queue is the SAM template's \
    (FunctionTimeout 60 s, VisibilityTimeout 600 s, maxReceiveCount 5): messages named in `batchItemFailures` (all of \
    them after an invocation error) reappear when their visibility timeout ends, and a receive past \
    maxReceiveCount moves a message to the dead-letter queue (the SQS developer guide). Every invocation runs the \
    real `InvalidationHandler.handle` with a 60 s deadline, one distribution and the default settings (MAX_PATHS \
    100, MAX_WILDCARDS 10); coalesced (mode c), it records each batch in the strict fake DynamoDB and sends its \
    flush messages, with their DelaySeconds, to the same simulated queue, where the event source picks them up like \
    any message. Its clients (the SDKs' standard retries, 3 attempts) call the strict fakes in process; CloudFront's fake \
    has a token bucket on CreateInvalidation of 0.5 requests/s with a burst of \(grouped(Int(options.burst))), \
    3,000 file and 15 wildcard paths in progress per distribution, invalidations completing 20 s after their \
    creation. Time is a discrete-event clock: an invocation's waits (retry backoff, waits for invalidations in \
    progress) suspend it until the simulation reaches their end, concurrent invocations wait side by side, and one \
    task runs at a time, so a seed gives the same table on every run (its runs take seconds of wall time; \
    `--quick`, 200 files, a fraction of a second).

    What is simplified: the pollers stay five (Lambda adds more under a backlog); while MaximumConcurrency \
    invocations run or gather, no poller starts a batch (the messages wait in the queue: our reading of the \
    documentation, not a measured behaviour); ReceiveMessage returns every visible message up to its maximum, oldest \
    first (SQS samples its servers and may return fewer); an invocation takes no time besides its waits, and each \
    has a new CloudFront client and retry quota (a warm Lambda environment keeps one); no cold starts, no Lambda \
    throttling, no network faults (the Chaos tests cover those). CloudFront does not publish its rate limit nor its \
    burst: 0.5 requests/s is the README's figure, the burst a cautious guess (`--burst` changes it). The last row of \
    each size is the plan of the whole deploy as one batch (what coalescing aims for): its requests and paths, not \
    a run.

    | files | mode | invocations | CreateInvalidation created / attempts | billable paths | peak wildcards in progress | throttles | in-progress refusals | messages handed back / redelivered / dead-lettered | last change's arrival to last invalidation created | … to last completed | DynamoDB / SQS calls by the function |
    | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |

    """
table += rows.joined(separator: "\n") + "\n"
for note in notes { table += "\nNote: \(note).\n" }
table += """

    Cache tags (issue 16's standard deploy: 3,000 pages in 200 folders rewritten, 20 stylesheets and scripts \
    changed, 5,000 images unchanged in the same folders; 3,020 uploads over about \(Int(options.uploadSeconds)) s, \
    coalesced with the template's defaults). The strict fake's edge-cache model holds every page, stylesheet, \
    script and image, each page tagged `html` as `TAG_RULES` declares; stale counts changed paths no invalidation \
    created after the change purged.

    | plan | invocations | invalidations | billable items | stale | images purged | other unchanged purged | last change's arrival to invalidation created |
    | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |

    """
table += tagTable.joined(separator: "\n") + "\n"
table += "<!-- make bench-deploy: end -->\n"

if let output = options.output {
    let existing = (try? String(contentsOfFile: output, encoding: .utf8)) ?? "# Benchmarks\n"
    let updated: String
    if let start = existing.firstRange(of: "<!-- make bench-deploy: start"),
        let end = existing.firstRange(of: "<!-- make bench-deploy: end -->\n")
    {
        var replaced = existing
        replaced.replaceSubrange(start.lowerBound..<end.upperBound, with: table)
        updated = replaced
    } else {
        updated = existing + "\n" + table
    }
    try updated.write(toFile: output, atomically: true, encoding: .utf8)
}
print(table)
printError("deploy-benchmark: \(wall) of wall time")
