import AWSTestSupport
import FoundationEssentials

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
}

/// The SAM template's defaults (deploy/sam/template.yaml): BatchSize 25, BatchingWindowSeconds 60,
/// MaximumConcurrency 2, FunctionTimeout 60 s, the queue's VisibilityTimeout ten times that, maxReceiveCount 5.
let modes = [
    Mode(
        name: "(a) per batch, template defaults: BatchSize 25, window 60 s, MaximumConcurrency 2",
        mapping: EventSourceMapping(batchSize: 25, batchingWindow: 60, maximumConcurrency: 2)),
    Mode(
        name: "(b) per batch, large batches: BatchSize 10,000, window 60 s, MaximumConcurrency 2",
        mapping: EventSourceMapping(batchSize: 10_000, batchingWindow: 60, maximumConcurrency: 2)),
]

let options = Options(Array(CommandLine.arguments.dropFirst()))
let cloudFrontSettings = DeploySimulation.CloudFrontSettings(burst: options.burst)

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
        let figures = try await DeploySimulation.run(
            deploy: deploy, mapping: mode.mapping, queue: SQSQueue(visibilityTimeout: 600, maxReceiveCount: 5),
            delaySeconds: options.delaySeconds, cloudFront: cloudFrontSettings, seed: options.seed &+ UInt64(count))
        let other = figures.awsCalls.filter { $0.key != "CreateInvalidation" && $0.key != "cloudfront" }
        let dynamo = figures.awsCalls["dynamodb", default: 0]
        let sqs = figures.awsCalls["sqs", default: 0]
        rows.append(
            "| \(grouped(count)) | \(mode.name) | \(figures.invocations) | \(figures.created) / \(figures.attempts) | "
                + "\(grouped(figures.billablePaths)) | \(figures.peakWildcards) | \(figures.throttles) | "
                + "\(figures.inProgressRefusals) | \(figures.handedBack) / \(figures.redelivered) / "
                + "\(figures.deadLettered) | \(seconds(figures.lastCreated.map { $0 - figures.lastUpload })) | "
                + "\(seconds(figures.lastCompleted.map { $0 - figures.lastUpload })) | \(dynamo) / \(sqs) |")
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
let wall = ContinuousClock.now - wallStart

var table = """
    <!-- make bench-deploy: start (written by make bench-deploy; edits here are overwritten) -->
    ## A deploy through SQS and Lambda's event source (`make bench-deploy`, seed \(options.seed))

    | files | mode | invocations | CreateInvalidation created / attempts | billable paths | peak wildcards in progress | throttles | in-progress refusals | messages handed back / redelivered / dead-lettered | last upload to last invalidation created | last upload to last completed | DynamoDB / SQS calls by the function |
    | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |

    """
table += rows.joined(separator: "\n") + "\n"
for note in notes { table += "\nNote: \(note).\n" }
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
