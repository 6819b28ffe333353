import InvalidationCore
import JSONSupport

#if canImport(Glibc)
    import Glibc
#endif

// The planner's cost for large batches, measured (not a timed test): an SQS batch of N S3 notifications is
// decoded and planned, as the function does per invocation. Prints a Markdown table; `make bench-planner` puts it in
// docs/BENCHMARKS.md. Keys: a realistic site tree (assets in a few directories, pages in many).

func batch(_ count: Int) -> [UInt8] {
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
            "{\"Records\":[{\"eventName\":\"ObjectCreated:Put\",\"eventTime\":\"2026-11-22T10:00:00.000Z\","
            + "\"s3\":{\"bucket\":{\"name\":\"site\"},\"object\":{\"key\":\(JSON.quote(key)),\"eTag\":\"e\(index)\","
            + "\"sequencer\":\"\(index)\"}}}]}"
        records.append("{\"messageId\":\"m-\(index)\",\"eventSource\":\"aws:sqs\",\"body\":\(JSON.quote(body))}")
    }
    return Array("{\"Records\":[\(records.joined(separator: ","))]}".utf8)
}

func measure(_ count: Int, runs: Int) -> (decode: Duration, plan: Duration, total: Duration, paths: Int) {
    let payload = batch(count)
    var decodes: [Duration] = []
    var plans: [Duration] = []
    var totals: [Duration] = []
    var paths = 0
    for _ in 0..<runs {
        let start = ContinuousClock.now
        let event = EventDecoder.decode(payload)
        let decoded = ContinuousClock.now
        let plan = Planner.plan(event) { _ in ["E2QWRUHAPOMQZL"] }
        let end = ContinuousClock.now
        decodes.append(decoded - start)
        plans.append(end - decoded)
        totals.append(end - start)
        paths = plan.invalidations.reduce(0) { $0 + $1.paths.count }
    }
    func median(_ values: [Duration]) -> Duration { values.sorted()[values.count / 2] }
    return (median(decodes), median(plans), median(totals), paths)
}

func milliseconds(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    let value = Double(seconds) * 1000 + Double(attoseconds) / 1e15
    let hundredths = Int((value * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}

if CommandLine.arguments.contains("--profile") {
    let event = EventDecoder.decode(batch(10_000))
    _ = Planner.plan(event) { _ in ["E1"] }
    exit(0)
}
if CommandLine.arguments.contains("--stages") {
    let payload = batch(10_000)
    for _ in 0..<3 {
        var start = ContinuousClock.now
        let json = try! JSON.parse(payload)
        let parse = ContinuousClock.now - start
        start = ContinuousClock.now
        let event = EventDecoder.decode(json)
        let decode = ContinuousClock.now - start
        start = ContinuousClock.now
        let plan = Planner.plan(event, settings: PlannerSettings(budget: nil)) { _ in ["E1"] }
        let exact = ContinuousClock.now - start
        start = ContinuousClock.now
        _ = Planner.plan(event) { _ in ["E1"] }
        let budgeted = ContinuousClock.now - start
        print(
            "parse \(parse) decode \(decode) plan-exact \(exact) plan-budget \(budgeted) paths \(plan.invalidations[0].paths.count)"
        )
    }
}
print("| changes in one SQS batch | decode (median) | plan (median) | decode + plan (median) | runs | planned paths |")
print("| ---: | ---: | ---: | ---: | ---: | ---: |")
for (count, runs) in [(10, 201), (10_000, 21), (100_000, 5)] {
    let result = measure(count, runs: runs)
    print(
        "| \(count) | \(milliseconds(result.decode)) ms | \(milliseconds(result.plan)) ms | "
            + "\(milliseconds(result.total)) ms | \(runs) | \(result.paths) |")
}
