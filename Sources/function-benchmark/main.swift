import Foundation
import JSONSupport
import LambdaEmulator
import LocalAWS

#if canImport(Glibc)
    import Glibc
#endif

// `make bench`: the real `bootstrap` under the project's Runtime API emulator against the strict fake CloudFront,
// side by side with the Python 3 + boto3 baseline in bench/python-baseline and the floor (bench/floor: a minimal C
// runtime client that answers `{}`), measured in the same run, their cold starts alternating. Writes its table into
// docs/BENCHMARKS.md between the `make bench` markers (the rest of the file is left alone).
//
// Usage: function-benchmark --bootstrap PATH --zip PATH --python PATH --floor PATH [--output FILE] [--starts N]
//        [--warm N] [--large N]

struct Options {
    var bootstrap = ".build/artifact/bootstrap"
    var zip = "artifact.zip"
    var python = "bench/python-baseline/bootstrap"
    var floor = ".build/floor"
    var output: String?
    var starts = 21
    var warm = 1000
    var large = 20

    init(_ arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            let value = iterator.next() ?? ""
            switch argument {
            case "--bootstrap": bootstrap = value
            case "--zip": zip = value
            case "--python": python = value
            case "--floor": floor = value
            case "--output": output = value
            case "--starts": starts = Int(value) ?? starts
            case "--warm": warm = Int(value) ?? warm
            case "--large": large = Int(value) ?? large
            default:
                FileHandle.standardError.write(Data("function-benchmark: unknown option \(argument)\n".utf8))
                exit(64)
            }
        }
    }
}

/// An SQS batch of `count` S3 notifications; `variant` makes each batch a different set of changes.
func batch(_ count: Int, variant: Int) -> [UInt8] {
    var records: [String] = []
    records.reserveCapacity(count)
    for index in 0..<count {
        let key: String
        switch index % 5 {
        case 0: key = "assets/img/photo-\(index).jpg"
        case 1: key = "assets/js/chunk-\(index).js"
        case 2: key = "docs/section-\(index % 97)/page-\(index).html"
        case 3: key = "blog/\(2000 + index % 26)/post+\(index).html"
        default: key = "assets/css/style-\(index).css"
        }
        let body =
            "{\"Records\":[{\"eventVersion\":\"2.1\",\"eventSource\":\"aws:s3\",\"awsRegion\":\"us-east-1\","
            + "\"eventTime\":\"2026-11-22T10:00:00.000Z\",\"eventName\":\"ObjectCreated:Put\",\"s3\":{"
            + "\"bucket\":{\"name\":\"site\",\"arn\":\"arn:aws:s3:::site\"},\"object\":{\"key\":\(JSON.quote(key)),"
            + "\"size\":1024,\"eTag\":\"e\(variant)-\(index)\",\"sequencer\":\"\(variant)-\(index)\"}}}]}"
        records.append(
            "{\"messageId\":\"m-\(variant)-\(index)\",\"receiptHandle\":\"r\",\"eventSource\":\"aws:sqs\","
                + "\"eventSourceARN\":\"arn:aws:sqs:us-east-1:123456789012:site\",\"awsRegion\":\"us-east-1\","
                + "\"body\":\(JSON.quote(body))}")
    }
    return Array("{\"Records\":[\(records.joined(separator: ","))]}".utf8)
}

extension Duration {
    var milliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15 }
}

func percentile(_ values: [Double], _ fraction: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
}

func median(_ values: [Double]) -> Double { percentile(values, 0.5) }

/// Drops a file's pages from the page cache (the next start reads it from disk).
func evict(_ path: String) {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return }
    _ = fdatasync(fd)
    _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_DONTNEED))
    close(fd)
}

/// Every regular file under `root`.
func files(under root: String) -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
    var result: [String] = []
    while let relative = enumerator.nextObject() as? String {
        let path = root + "/" + relative
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            result.append(path)
        }
    }
    return result
}

/// What the runtime reads that is its own, to evict: for Python, the interpreter, its standard library and the
/// boto3 stack (botocore's JSON models are most of it).
func runtimeFiles(python: String, environment: [String: String]) -> [String] {
    let probe = Process()
    probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    probe.arguments = [
        "python3", "-c",
        "import sys, os, sysconfig, boto3, botocore, s3transfer, jmespath, dateutil, urllib3;"
            + "print(os.path.realpath(sys.executable)); print(sysconfig.get_paths()['stdlib']);"
            + "[print(os.path.dirname(m.__file__)) for m in (boto3, botocore, s3transfer, jmespath, dateutil, urllib3)]",
    ]
    probe.environment = environment
    let pipe = Pipe()
    probe.standardOutput = pipe
    try? probe.run()
    probe.waitUntilExit()
    let lines = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        .split(separator: "\n").map(String.init)
    guard let interpreter = lines.first else { return [python] }
    return [python, interpreter] + lines.dropFirst().flatMap { files(under: $0) }
}

struct Figures {
    var initCached: [Double] = []
    var coldCached: [Double] = []
    var initEvicted: [Double] = []
    var coldEvicted: [Double] = []
    /// VmHWM (kB) of each cached cold start, after its one invocation.
    var peakKilobytesOne: [Double] = []
    var firstSmall = 0.0
    var warmSmall: [Double] = []
    var handledSmall: [Double] = []
    var firstLarge = 0.0
    var warmLarge: [Double] = []
    var handledLarge: [Double] = []
    var peakKilobytes = 0
    var peakKilobytesLarge = 0
    var invocations = 0
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
}

/// The function's own figures from its summary log line: total and AWS time of the invocation.
func handledMilliseconds(_ logs: String) -> [Double] {
    logs.split(separator: "\n").compactMap { line -> Double? in
        guard line.contains("\"message\":\"invalidated\""), let document = try? JSON.parse(Array(line.utf8)),
            let total = document["milliseconds"]?.string.flatMap(Double.init),
            let aws = document["awsMilliseconds"]?.string.flatMap(Double.init)
        else { return nil }
        return total - aws
    }
}

/// A runtime under test: its executable, environment and the files a cold start from disk reads.
struct Runtime {
    var name: String
    var executable: String
    var environment: [String: String]
    var evictable: [String]
}

/// Distinct batches for every session of the run.
final class Batches {
    private var variant = 0
    func next(_ count: Int) -> [UInt8] {
        variant += 1
        return batch(count, variant: variant)
    }
}

func check(_ report: SessionReport, _ name: String, _ what: String) throws {
    guard report.initError == nil, !report.timedOut, report.exitStatus == nil,
        report.invocations.allSatisfy({ if case .response = $0.outcome { true } else { false } })
    else { throw BenchError(description: "\(name) \(what) failed: \(report.logs.suffix(2000))") }
}

/// The cold-start series of every runtime, alternating between them start by start (so a noisy moment of the
/// machine hits all of them alike): one start each to warm the page cache, then `starts` rounds of a cached and an
/// evicted start per runtime.
func coldStarts(_ runtimes: [Runtime], batches: Batches, starts: Int) async throws -> [Figures] {
    var figures = runtimes.map { _ in Figures() }
    for runtime in runtimes {
        _ = try await EmulatorSession.run(
            executable: runtime.executable, environment: runtime.environment, events: [batches.next(10)])
    }
    for _ in 0..<starts {
        for (index, runtime) in runtimes.enumerated() {
            let cached = try await EmulatorSession.run(
                executable: runtime.executable, environment: runtime.environment, events: [batches.next(10)])
            try check(cached, runtime.name, "cold start")
            figures[index].initCached.append(cached.initDuration?.milliseconds ?? .nan)
            figures[index].coldCached.append(cached.coldStart?.milliseconds ?? .nan)
            figures[index].peakKilobytesOne.append(Double(cached.peakResidentKilobytes ?? 0))
            for file in runtime.evictable { evict(file) }
            let evicted = try await EmulatorSession.run(
                executable: runtime.executable, environment: runtime.environment, events: [batches.next(10)])
            try check(evicted, runtime.name, "cold start (evicted)")
            figures[index].initEvicted.append(evicted.initDuration?.milliseconds ?? .nan)
            figures[index].coldEvicted.append(evicted.coldStart?.milliseconds ?? .nan)
        }
    }
    FileHandle.standardError.write(Data("cold starts done\n".utf8))
    return figures
}

/// The warm series of one runtime: 1 + `warm` 10-record batches, then 1 + `large` 10,000-record batches.
func steady(_ runtime: Runtime, after cold: Figures, batches: Batches, options: Options) async throws -> Figures {
    var figures = cold
    let (name, executable, environment) = (runtime.name, runtime.executable, runtime.environment)
    let small = try await EmulatorSession.run(
        executable: executable, environment: environment, events: (0...options.warm).map { _ in batches.next(10) })
    try check(small, name, "10-record batches")
    figures.firstSmall = (small.coldStart! - small.initDuration!).milliseconds
    figures.warmSmall = small.invocations.dropFirst().map(\.duration.milliseconds)
    figures.handledSmall = Array(handledMilliseconds(small.logs).dropFirst())
    figures.peakKilobytes = small.peakResidentKilobytes ?? 0
    figures.invocations = small.invocations.count
    FileHandle.standardError.write(Data("\(name): 10-record batches done\n".utf8))

    let large = try await EmulatorSession.run(
        executable: executable, environment: environment,
        events: (0...options.large).map { _ in batches.next(10_000) })
    try check(large, name, "10,000-record batches")
    figures.firstLarge = (large.coldStart! - large.initDuration!).milliseconds
    figures.warmLarge = large.invocations.dropFirst().map(\.duration.milliseconds)
    figures.handledLarge = Array(handledMilliseconds(large.logs).dropFirst())
    figures.peakKilobytesLarge = large.peakResidentKilobytes ?? 0
    FileHandle.standardError.write(Data("\(name): 10,000-record batches done\n".utf8))
    return figures
}

func format(_ value: Double) -> String {
    if value.isNaN { return "n/a" }
    if value >= 100 { return String(format: "%.0f", value) }
    if value >= 10 { return String(format: "%.1f", value) }
    return String(format: "%.2f", value)
}

func fileSize(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
}

func grouped(_ value: Int) -> String {
    let digits = Array(String(value))
    var result = ""
    for (index, digit) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
        result.append(digit)
    }
    return result
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
let cloudFront = try await FakeCloudFront.start()
await cloudFront.addDistribution("EBENCH")
let inherited = ProcessInfo.processInfo.environment
var environment = [
    "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDBENCH",
    "AWS_SECRET_ACCESS_KEY": "bench-secret", "AWS_SESSION_TOKEN": "bench-token",
    "AWS_ENDPOINT_URL_CLOUDFRONT": cloudFront.endpoint, "CLOUDFRONT_DISTRIBUTION_ID": "EBENCH",
    "AWS_LAMBDA_LOG_FORMAT": "JSON", "LOG_LEVEL": "INFO", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
]
environment["PATH"] = inherited["PATH"]
environment["HOME"] = "/nonexistent"
var pythonEnvironment = environment
pythonEnvironment["PYTHONDONTWRITEBYTECODE"] = "1"
if let pyenv = inherited["PYENV_VERSION"] { pythonEnvironment["PYENV_VERSION"] = pyenv }

let runtimes = [
    Runtime(
        name: "swift", executable: options.bootstrap, environment: environment, evictable: [options.bootstrap]),
    Runtime(
        name: "python", executable: options.python, environment: pythonEnvironment,
        evictable: runtimeFiles(python: options.python, environment: pythonEnvironment)),
    Runtime(name: "floor", executable: options.floor, environment: environment, evictable: [options.floor]),
]
let batches = Batches()
var measured = try await coldStarts(runtimes, batches: batches, starts: options.starts)
for index in runtimes.indices {
    measured[index] = try await steady(runtimes[index], after: measured[index], batches: batches, options: options)
}
await cloudFront.shutdown()
let (swift, python, floorFigures) = (measured[0], measured[1], measured[2])

func versions(_ pythonEnvironment: [String: String]) -> String {
    let probe = Process()
    probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    probe.arguments = ["python3", "-c", "import sys, boto3; print(sys.version.split()[0], boto3.__version__)"]
    probe.environment = pythonEnvironment
    let pipe = Pipe()
    probe.standardOutput = pipe
    try? probe.run()
    probe.waitUntilExit()
    let parts = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        .split(whereSeparator: \.isWhitespace)
    return parts.count == 2 ? "Python \(parts[0]) + boto3 \(parts[1])" : "Python + boto3"
}

struct Row {
    var measure: String
    var swift: String
    var python: String
    var ratio: String
    var floor = ""
    var overFloor = ""
    var target: String
}

func pair(_ values: [Double], _ low: Double = 0.5, _ high: Double) -> String {
    "\(format(percentile(values, low))) / \(format(percentile(values, high))) ms"
}

func ratio(_ slow: Double, _ fast: Double) -> String { fast > 0 ? "\(format(slow / fast))x" : "n/a" }

func verdict(_ value: Double, atMost limit: Double, unit: String) -> String {
    value <= limit
        ? "at most \(format(limit)) \(unit): **met**"
        : "at most \(format(limit)) \(unit): **missed** by \(format(value - limit)) \(unit)"
}

/// A ratio to the floor's figure, with its target (issue 19) when it has one.
func overFloor(_ value: Double, _ floorValue: Double, atMost limit: Double? = nil) -> (String, String) {
    let times = floorValue > 0 ? value / floorValue : .nan
    guard let limit else { return (ratio(value, floorValue), "") }
    let verdict =
        times <= limit
        ? "at most \(format(limit))x the floor: **met**"
        : "at most \(format(limit))x the floor: **missed** (\(format(times))x)"
    return (ratio(value, floorValue), verdict)
}

/// A row whose figures are medians with a high percentile, each runtime's and the floor's.
func timed(
    _ measure: String, _ values: KeyPath<Figures, [Double]>, high: Double = 0.9, floorLimit: Double? = nil,
    target: String = ""
) -> Row {
    let (times, floorVerdict) = overFloor(
        median(swift[keyPath: values]), median(floorFigures[keyPath: values]), atMost: floorLimit)
    return Row(
        measure: measure, swift: pair(swift[keyPath: values], 0.5, high),
        python: pair(python[keyPath: values], 0.5, high),
        ratio: ratio(median(python[keyPath: values]), median(swift[keyPath: values])),
        floor: pair(floorFigures[keyPath: values], 0.5, high), overFloor: times,
        target: [target, floorVerdict].filter { !$0.isEmpty }.joined(separator: "; "))
}

func mebibytes(_ kilobytes: Double) -> String { "\(format(kilobytes / 1024)) MiB" }

let coldRatio = median(python.coldCached) / median(swift.coldCached)
let zipSize = fileSize(options.zip)
let peakOne = (median(swift.peakKilobytesOne), median(python.peakKilobytesOne), median(floorFigures.peakKilobytesOne))
let rows = [
    timed(
        "cold start, binary cached: process start to the first invocation (10 records) answered (median / p90)",
        \.coldCached, floorLimit: 5.5,
        target: verdict(median(swift.coldCached), atMost: 25, unit: "ms")
            + (coldRatio >= 15
                ? "; at least 15x Python: **met**" : "; at least 15x Python: **missed** (\(format(coldRatio))x)")),
    timed(
        "init alone, binary cached: process start to the first `GET /next` (median / p90)", \.initCached,
        floorLimit: 4.5),
    timed("cold start, runtime's files evicted from the page cache (median / p90)", \.coldEvicted),
    timed("init alone, evicted (median / p90)", \.initEvicted),
    Row(
        measure: "peak RSS (VmHWM) after one invocation of 10 records (median of the cached cold starts)",
        swift: mebibytes(peakOne.0), python: mebibytes(peakOne.1), ratio: ratio(peakOne.1, peakOne.0),
        floor: mebibytes(peakOne.2), overFloor: ratio(peakOne.0, peakOne.2),
        target: verdict(peakOne.0 / 1024, atMost: 14, unit: "MiB")),
    Row(
        measure: "first invocation after init, 10 records", swift: "\(format(swift.firstSmall)) ms",
        python: "\(format(python.firstSmall)) ms", ratio: ratio(python.firstSmall, swift.firstSmall),
        floor: "\(format(floorFigures.firstSmall)) ms", overFloor: ratio(swift.firstSmall, floorFigures.firstSmall),
        target: ""),
    timed(
        "warm invocation, 10 records, round trip (median / p99 of \(grouped(options.warm)))", \.warmSmall, high: 0.99),
    Row(
        measure:
            "warm invocation, 10 records, handled: the function's own time less its wait for CloudFront's answers (median / p99)",
        swift: pair(swift.handledSmall, 0.5, 0.99), python: "", ratio: "",
        target: verdict(median(swift.handledSmall), atMost: 1, unit: "ms")),
    Row(
        measure: "first invocation after init, 10,000 records", swift: "\(format(swift.firstLarge)) ms",
        python: "\(format(python.firstLarge)) ms", ratio: ratio(python.firstLarge, swift.firstLarge),
        floor: "\(format(floorFigures.firstLarge)) ms", overFloor: ratio(swift.firstLarge, floorFigures.firstLarge),
        target: ""),
    timed("warm invocation, 10,000 records, round trip (median / p99 of \(options.large))", \.warmLarge, high: 0.99),
    Row(
        measure: "warm invocation, 10,000 records, handled (as above; median / p99)",
        swift: pair(swift.handledLarge, 0.5, 0.99), python: "", ratio: "",
        target: verdict(median(swift.handledLarge), atMost: 50, unit: "ms")),
    Row(
        measure: "peak RSS (VmHWM) after \(grouped(swift.invocations)) invocations of 10 records",
        swift: mebibytes(Double(swift.peakKilobytes)), python: mebibytes(Double(python.peakKilobytes)),
        ratio: ratio(Double(python.peakKilobytes), Double(swift.peakKilobytes)),
        floor: mebibytes(Double(floorFigures.peakKilobytes)),
        overFloor: ratio(Double(swift.peakKilobytes), Double(floorFigures.peakKilobytes)),
        target: verdict(Double(swift.peakKilobytes) / 1024, atMost: 25, unit: "MiB")),
    Row(
        measure: "peak RSS (VmHWM) after \(options.large + 1) invocations of 10,000 records (about 5 MB each)",
        swift: mebibytes(Double(swift.peakKilobytesLarge)), python: mebibytes(Double(python.peakKilobytesLarge)),
        ratio: ratio(Double(python.peakKilobytesLarge), Double(swift.peakKilobytesLarge)),
        floor: mebibytes(Double(floorFigures.peakKilobytesLarge)),
        overFloor: ratio(Double(swift.peakKilobytesLarge), Double(floorFigures.peakKilobytesLarge)), target: ""),
    Row(
        measure: "`bootstrap` (stripped, static Swift standard library)",
        swift: "\(grouped(fileSize(options.bootstrap))) bytes", python: "", ratio: "",
        floor: "\(grouped(fileSize(options.floor))) bytes", target: ""),
    Row(
        measure: "`artifact.zip`", swift: "\(grouped(zipSize)) bytes", python: "", ratio: "",
        target: verdict(Double(zipSize) / 1_000_000, atMost: 6, unit: "MB")),
]

let date = ISO8601DateFormatter().string(from: Date()).prefix(10)
var table = """
    <!-- make bench: start (written by make bench; edits here are overwritten) -->
    ## The function under the Runtime API (`make bench`, \(date))

    The release `bootstrap`, the Python baseline (`bench/python-baseline`, \(versions(pythonEnvironment))) and the \
    floor (`bench/floor/floor.c`: a minimal C runtime client, static, that answers `{}` without calling AWS), each \
    started \(options.starts) times with its files in the page cache and \(options.starts) times with them evicted \
    (`posix_fadvise(DONTNEED)` on the binary; for Python on the interpreter, its standard library and the boto3 \
    stack), the three alternating start by start, under the project's Runtime API emulator, against the strict fake \
    CloudFront on 127.0.0.1, in the same run. One SQS batch of S3 notifications per invocation, a different one each \
    time. "Handled" is the function's own figure from its log line: the invocation's time less the time its AWS calls \
    took (that wait includes its own HTTP client's work on the request and the answer, and the fake's). "Python / \
    Swift" is Python's figure over Swift's; "Swift / floor" is Swift's over the floor's.

    | measure | Swift `bootstrap` | Python baseline | Python / Swift | floor (C) | Swift / floor | target |
    | --- | ---: | ---: | ---: | ---: | ---: | --- |

    """
for row in rows {
    table +=
        "| \(row.measure) | \(row.swift) | \(row.python) | \(row.ratio) | \(row.floor) | \(row.overFloor) "
        + "| \(row.target) |\n"
}
table += "<!-- make bench: end -->\n"

if let output = options.output {
    let existing = (try? String(contentsOfFile: output, encoding: .utf8)) ?? "# Benchmarks\n"
    let updated: String
    if let start = existing.range(of: "<!-- make bench: start"),
        let end = existing.range(of: "<!-- make bench: end -->\n")
    {
        updated = existing.replacingCharacters(in: start.lowerBound..<end.upperBound, with: table)
    } else {
        updated = existing + "\n" + table
    }
    try updated.write(toFile: output, atomically: true, encoding: .utf8)
}
print(table)
