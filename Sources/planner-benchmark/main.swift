import InvalidationCore
import JSONSupport

#if canImport(Glibc)
    import Glibc
#endif

// The planner's cost for large batches, measured (not a timed test): an SQS batch of N S3 notifications is
// decoded and planned, as the function does per invocation. Prints a Markdown table; `make bench-planner` puts it in
// docs/BENCHMARKS.md. Keys: a realistic site tree (assets in a few directories, pages in many).

/// The records' shape: `compact` carries only the fields the decoder reads; `full` is what the function sees in
/// production (the S3 and SQS event shapes in the AWS Lambda developer guide): every SQS field (attributes,
/// messageAttributes, md5OfBody, the queue's ARN) and every S3 field (userIdentity, requestParameters,
/// responseElements, bucket owner and ARN, size, versionId).
enum Shape: String {
    case compact
    case full
}

func siteKey(_ index: Int) -> String {
    switch index % 5 {
    case 0: return "assets/img/photo-\(index).jpg"
    case 1: return "assets/js/chunk-\(index).js"
    case 2: return "docs/section-\(index % 97)/page-\(index).html"
    case 3: return "blog/\(2000 + index % 26)/post+\(index).html"
    default: return "assets/css/style-\(index).css"
    }
}

/// Eight hex digits that look random, the same for the same index and salt.
func hex(_ index: Int, salt: UInt64, uppercase: Bool = false) -> String {
    var value = UInt64(index) &* 0x9E37_79B9_7F4A_7C15 &+ salt &* 0xBF58_476D_1CE4_E5B9
    value ^= value >> 31
    value = value &* 0x94D0_49BB_1331_11EB
    let text = String(value >> 32, radix: 16, uppercase: uppercase)
    return String(repeating: "0", count: 8 - text.count) + text
}

func batch(_ count: Int, shape: Shape = .compact) -> [UInt8] {
    var records: [String] = []
    records.reserveCapacity(count)
    for index in 0..<count {
        let key = siteKey(index)
        switch shape {
        case .compact:
            let body =
                "{\"Records\":[{\"eventName\":\"ObjectCreated:Put\",\"eventTime\":\"2026-11-22T10:00:00.000Z\","
                + "\"s3\":{\"bucket\":{\"name\":\"site\"},\"object\":{\"key\":\(JSON.quote(key)),\"eTag\":\"e\(index)\","
                + "\"sequencer\":\"\(index)\"}}}]}"
            records.append("{\"messageId\":\"m-\(index)\",\"eventSource\":\"aws:sqs\",\"body\":\(JSON.quote(body))}")
        case .full:
            // Ids as AWS makes them: random-looking (a UUID for the message, hex for the request and the etag).
            let random = hex(index, salt: 1)
            let padded = hex(index, salt: 0, uppercase: true)
            let body =
                "{\"Records\":[{\"eventVersion\":\"2.1\",\"eventSource\":\"aws:s3\",\"awsRegion\":\"us-east-1\","
                + "\"eventTime\":\"2026-11-22T10:00:00.000Z\",\"eventName\":\"ObjectCreated:Put\","
                + "\"userIdentity\":{\"principalId\":\"AWS:AIDAJDPLRKLG7UEXAMPLE\"},"
                + "\"requestParameters\":{\"sourceIPAddress\":\"203.0.113.15\"},"
                + "\"responseElements\":{\"x-amz-request-id\":\"\(padded)\(hex(index, salt: 3, uppercase: true))\","
                + "\"x-amz-id-2\":\"FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD\"},"
                + "\"s3\":{\"s3SchemaVersion\":\"1.0\",\"configurationId\":\"site-changes\","
                + "\"bucket\":{\"name\":\"site\",\"ownerIdentity\":{\"principalId\":\"A3NL1KOZZKExample\"},"
                + "\"arn\":\"arn:aws:s3:::site\"},\"object\":{\"key\":\(JSON.quote(key)),\"size\":\(1024 + index),"
                + "\"eTag\":\"\(random)\(hex(index, salt: 4))\(hex(index, salt: 5))\(hex(index, salt: 6))\",\"versionId\":\"\(hex(index, salt: 7))fKKXTRTtl3on89fVO.nf\(padded)\","
                + "\"sequencer\":\"0069219B\(String(0x1000_0000 + index, radix: 16, uppercase: true))\"}}}]}"
            records.append(
                "{\"messageId\":\"\(random)-87a3-44ab-83d2-\(hex(index, salt: 2))\(padded.prefix(4))\",\"receiptHandle\":\"AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a"
                    + "\(padded)\",\"body\":\(JSON.quote(body)),\"attributes\":{\"ApproximateReceiveCount\":\"1\","
                    + "\"SentTimestamp\":\"1763805600000\",\"SenderId\":\"AIDAIENQZJOLO23YVJ4VO\","
                    + "\"ApproximateFirstReceiveTimestamp\":\"1763805600001\"},\"messageAttributes\":{},"
                    + "\"md5OfBody\":\"e4e68fb7bd0e697a0ae8f1bb342846b3\",\"eventSource\":\"aws:sqs\","
                    + "\"eventSourceARN\":\"arn:aws:sqs:us-east-1:123456789012:site-changes\",\"awsRegion\":\"us-east-1\"}"
            )
        }
    }
    return Array("{\"Records\":[\(records.joined(separator: ","))]}".utf8)
}

func measure(_ count: Int, shape: Shape, runs: Int) -> (
    decode: Duration, plan: Duration, total: Duration, paths: Int
) {
    let payload = batch(count, shape: shape)
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

// `--dump`: every output of decoding and planning for a fixed set of odd and ordinary events, to compare two builds
// (the same text means the same behaviour).
struct DumpRandom {
    var state: UInt64
    mutating func next(_ bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(bound))
    }
}

func dumpInputs() -> [(String, [UInt8])] {
    var inputs: [(String, [UInt8])] = []
    let fixtureRoot = "Tests/InvalidationCoreTests/Fixtures/"
    for name in [
        "aws/codepipeline.json", "aws/eventbridge-direct.json", "aws/s3-put.json", "aws/sns-direct.json",
        "aws/sqs-mixed.json", "moto/s3-eventbridge-sqs.json", "moto/s3-sns-sqs.json", "moto/s3-sqs.json",
    ] {
        guard let file = fopen(fixtureRoot + name, "rb") else { continue }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let read = fread(&buffer, 1, buffer.count, file)
            if read <= 0 { break }
            bytes += buffer[0..<read]
        }
        fclose(file)
        inputs.append((name, bytes))
    }
    inputs.append(("batch 10", batch(10)))
    inputs.append(("batch 1000", batch(1000)))
    inputs.append(("full batch 10", batch(10, shape: .full)))
    inputs.append(("full batch 1000", batch(1000, shape: .full)))
    var random = DumpRandom(state: 42)
    let keys = [
        "a.html", "docs/index.html", "index.html", "a+b%2Bc.html", "x%2Fy/z.html", "bad%zz", "%C3%A9t%C3%A9.html",
        "%FF.html", "", "w*ild/x", "docs/", "blog/2020/post.html", "caf\u{00E9}/index.html", "K\u{212A}.html",
        "emoji\u{1F600}.html", "ctl\u{0001}.html", "q?x.html", "assets/img/a.png", "assets/img/b.png",
        "assets/js/c.js", "prod/a.html", "prod/docs/index.html", "long/" + String(repeating: "x", count: 4100),
        "sp ace/index.htm", "a\"quote\\.html", "tab\t.html", "deep/a/b/c/d/e.html", "deep/a/b/c/f.html",
        "deep/a/g.html",
    ]
    let names = [
        "ObjectCreated:Put", "ObjectRemoved:Delete", "LifecycleExpiration:Delete", "ObjectTagging:Put",
        "ObjectCreated:\u{0301}x", "ObjectCreated:", "s3:TestEvent",
    ]
    func s3Record(_ key: String, _ name: String, bucket: String, _ index: Int) -> String {
        var fields = ["\"eventName\":" + JSON.quote(name)]
        if random.next(3) > 0 { fields.append("\"eventTime\":\"2026-11-22T10:00:\(index % 60).000Z\"") }
        if random.next(4) > 0 {
            fields.append("\"responseElements\":{\"x-amz-request-id\":\"R\(index)\",\"x-amz-id-2\":\"z\"}")
        }
        var object = ["\"key\":" + JSON.quote(key)]
        switch random.next(5) {
        case 0: object.append("\"eTag\":\"e\(index)\"")
        case 1: object.append("\"etag\":\"E\(index)\"")
        case 2: object.append("\"eTag\":\(index),\"etag\":\"both\"")
        case 3: object.append("\"eTag\":null")
        default: break
        }
        if random.next(2) == 0 { object.append("\"sequencer\":\"\(String(index, radix: 16))\"") }
        if random.next(3) == 0 { object.append("\"versionId\":true") }
        if random.next(9) == 0 { object.append("\"key\":\"dup-\(index).html\"") }
        if random.next(9) == 0 { object.append("\"size\":1.5e3") }
        var s3 = "{\"bucket\":{\"name\":" + JSON.quote(bucket) + "},\"object\":{" + object.joined(separator: ",") + "}}"
        if random.next(20) == 0 { s3 = "\"not an object\"" }
        fields.append("\"s3\":" + s3)
        if random.next(15) == 0 { fields.append("\"s\\u0033x\":1") }
        return "{" + fields.joined(separator: ",") + "}"
    }
    func eventBridge(_ key: String, _ index: Int) -> String {
        let types = ["Object Created", "Object Deleted", "Object Tags Added"]
        return "{\"version\":\"0\",\"id\":\"ev-\(index)\",\"detail-type\":" + JSON.quote(types[random.next(3)])
            + ",\"source\":\"aws.s3\",\"time\":\"2026-11-22T10:00:00Z\",\"detail\":{\"bucket\":{\"name\":\"site\"},"
            + "\"object\":{\"key\":" + JSON.quote(key)
            + ",\"etag\":\"x\(index)\",\"version-id\":\"v\",\"sequencer\":\"9\"},"
            + "\"request-id\":\"RQ\(index)\"}}"
    }
    func body(_ index: Int) -> String {
        let key = keys[random.next(keys.count)]
        let bucket = ["site", "site", "site", "other", "", "prefixed"][random.next(6)]
        switch random.next(14) {
        case 0: return eventBridge(key, index)
        case 1:
            let inner = "{\"Records\":[" + s3Record(key, names[random.next(names.count)], bucket: bucket, index) + "]}"
            return "{\"Type\":\"Notification\",\"MessageId\":\"sns-\(index)\",\"Message\":" + JSON.quote(inner) + "}"
        case 2: return "{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\",\"Bucket\":\"b\(index)\"}"
        case 3: return "{\"Records\":[]}"
        case 4: return "{\"Records\":{}}"
        case 5: return "{\"unknown\":1,\"b\":2,\"a\":3,\"c\":[],\"d\":{},\"e\":null,\"\\u00e9\":1}"
        case 6: return "not json {"
        case 7: return "{\"Records\":[1,{\"s3\":{}},{\"eventName\":5}]}"
        case 8: return "[1,2]"
        default:
            let count = 1 + random.next(3)
            let records = (0..<count).map { offset in
                s3Record(
                    keys[random.next(keys.count)], names[random.next(names.count)], bucket: bucket, index * 10 + offset)
            }
            return "{\"Records\":[" + records.joined(separator: ",") + "]}"
        }
    }
    for round in 0..<6 {
        var records: [String] = []
        for index in 0..<(40 + round * 30) {
            let id = random.next(10) == 0 ? "m-dup" : "m-\(round)-\(index)"
            switch random.next(12) {
            case 0: records.append("{\"messageId\":\(JSON.quote(id)),\"eventSource\":\"aws:sqs\",\"body\":5}")
            case 1: records.append("{\"messageId\":7,\"body\":\(JSON.quote(body(index)))}")
            case 2: records.append("{\"body\":\(JSON.quote(body(index))),\"eventSource\":\"aws:sqs\"}")
            case 3: records.append(s3Record(keys[random.next(keys.count)], names[0], bucket: "site", index))
            case 4:
                records.append(
                    "{\"Sns\":{\"MessageId\":\"n\(index)\",\"Message\":\(JSON.quote(body(index)))}}")
            case 5: records.append("{\"Sns\":{}}")
            case 6: records.append("{\"other\":1}")
            default:
                records.append(
                    "{\"messageId\":\(JSON.quote(id)),\"eventSource\":\"aws:sqs\",\"body\":\(JSON.quote(body(index)))}")
            }
        }
        let text = "{\"Records\":[" + records.joined(separator: ",") + "]}"
        inputs.append(("mixed \(round)", Array(text.utf8)))
    }
    for (name, text) in [
        ("empty records", "{\"Records\":[]}"), ("records object", "{\"Records\":{}}"), ("array", "[]"),
        ("string", "\"x\""), ("unknown", "{\"z\":1,\"y\":2,\"x\":3,\"w\":4,\"v\":5,\"u\":6}"), ("empty object", "{}"),
        ("test event", "{\"Event\":\"s3:TestEvent\",\"Bucket\":5}"),
        ("eventbridge", eventBridge("a b.html", 1)), ("eventbridge bad", "{\"source\":\"aws.s3\",\"detail-type\":1}"),
        ("codepipeline without id", "{\"CodePipeline.job\":{}}"),
        (
            "escaped keys",
            "{\"Rec\\u006frds\":[{\"\\u0073\\u0033\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"k\"}},"
                + "\"eventName\":\"ObjectCreated:Put\"}]}"
        ),
        ("duplicate records", "{\"Records\":5,\"Records\":[]}"),
        (
            "surrogates",
            "{\"Records\":[{\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"\\ud83d\\ude00\"}},"
                + "\"eventName\":\"ObjectCreated:Put\"}]}"
        ),
    ] {
        inputs.append((name, Array(text.utf8)))
    }
    // Broken documents: every error message and offset.
    let sample = Array(
        ("{\"Records\":[{\"messageId\":\"m\",\"body\":\"{\\\"Records\\\":[{\\\"s3\\\":1,\\\"eventName\\\":"
            + "\\\"ObjectCreated:Put\\\"}]}\",\"n\":-1.5e+3,\"t\":true,\"f\":false,\"z\":null,\"u\":\"\\u00e9\\ud83d\\ude00\"}]}")
            .utf8)
    inputs.append(("sample", sample))
    for cut in 0..<sample.count { inputs.append(("cut \(cut)", Array(sample[0..<cut]))) }
    let replacements: [UInt8] = [
        0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x3A, 0x20, 0x01, 0x30, 0x2D, 0x2E, 0x65, 0x75, 0x80, 0xC3, 0xFF,
        0x74, 0x6E, 0x41,
    ]
    for position in 0..<sample.count {
        for replacement in replacements where random.next(4) == 0 {
            var broken = sample
            broken[position] = replacement
            inputs.append(("mutate \(position) \(replacement)", broken))
        }
    }
    for text in [
        "[[[[[[[[[[", String(repeating: "[", count: 300) + String(repeating: "]", count: 300), "01", "-", "1.", "1e",
        "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\x\"", "\"\\u12G4\"", "tru", "nul", "{\"a\" 1}",
        "{\"a\":1,}", "[1 2]", "{} x", " \t\n{}\r ", "\"\u{7F}\"", "{1:2}",
    ] {
        inputs.append((text, Array(text.utf8)))
    }
    return inputs
}

func dump() {
    let settings: [(String, PlannerSettings)] = {
        var forms = PlannerSettings(maximumPathsPerRequest: 4, maximumWildcardsPerRequest: 2)
        forms.forms = URLForms(directoryWithoutSlash: true, prettyURLs: true, queryVariants: true)
        var filtered = PlannerSettings(
            indexDocument: "index.htm", budget: PathBudget(maximumPaths: 5, maximumWildcards: 3))
        filtered.filter = KeyFilter(include: ["*.html", "assets/*", "prod/*"], exclude: ["*b.png", "deep/?/g*"])
        return [
            ("default", PlannerSettings()), ("exact", PlannerSettings(indexDocument: nil, budget: nil)),
            ("forms", forms), ("filtered", filtered),
            ("tight", PlannerSettings(budget: PathBudget(maximumPaths: 2, maximumWildcards: 1))),
        ]
    }()
    func targets(_ bucket: String) -> [DistributionTarget] {
        switch bucket {
        case "site":
            return [
                DistributionTarget(distributionId: "E1"), DistributionTarget(distributionId: "E2", originPath: "/prod"),
            ]
        case "prefixed": return [DistributionTarget(distributionId: "E3", originPath: "/deep/a")]
        default: return []
        }
    }
    for (name, payload) in dumpInputs() {
        print("== \(name)")
        let event = EventDecoder.decode(payload)
        print("source \(event.source) job \(String(describing: event.pipelineJob))")
        for unit in event.units {
            print("unit \(String(describing: unit.messageId)) \(unit.label)")
            for change in unit.changes {
                print(
                    "  \(JSON.quote(change.bucket)) \(JSON.quote(change.key)) \(change.kind) \(JSON.quote(change.identity))"
                )
            }
        }
        for note in event.notes {
            print(
                "note \(note.severity) \(JSON.quote(note.record)) \(JSON.quote(note.reason)) \(String(describing: note.bucket))"
            )
        }
        guard !event.units.isEmpty else { continue }
        for (settingsName, setting) in settings {
            let plan = Planner.plan(event, settings: setting, targets: targets)
            print("plan \(settingsName) excluded \(plan.excludedChanges) covered \(plan.coveredChanges)")
            for invalidation in plan.invalidations {
                print(
                    "  \(invalidation.target.key) \(invalidation.callerReference) changes \(invalidation.changes) "
                        + "paths \(invalidation.paths) messages \(invalidation.messageIds) units \(invalidation.unitLabels)"
                )
            }
            for note in plan.notes {
                print("  note \(note.severity) \(note.record) \(note.reason) \(String(describing: note.bucket))")
            }
        }
    }
}

if CommandLine.arguments.contains("--dump") {
    dump()
    exit(0)
}
/// `--shape full` (or `compact`, the default) for `--profile` and `--stages`.
let shapeArgument: Shape = {
    guard let index = CommandLine.arguments.firstIndex(of: "--shape"), index + 1 < CommandLine.arguments.count,
        let shape = Shape(rawValue: CommandLine.arguments[index + 1])
    else { return .compact }
    return shape
}()
if CommandLine.arguments.contains("--profile") {
    // Decoding and planning a 10,000-record batch 20 times, for a sampling profiler (`perf record -g`).
    let payload = batch(10_000, shape: shapeArgument)
    for _ in 0..<20 {
        let event = EventDecoder.decode(payload)
        _ = Planner.plan(event) { _ in ["E1"] }
    }
    exit(0)
}
if CommandLine.arguments.contains("--stages") {
    let payload = batch(10_000, shape: shapeArgument)
    for _ in 0..<3 {
        // parse: validating the outer SQS event (what the decoder does first); decode: the whole decoder, bodies
        // included.
        var start = ContinuousClock.now
        _ = try! JSONDocument(bytes: payload)
        let parse = ContinuousClock.now - start
        start = ContinuousClock.now
        let event = EventDecoder.decode(payload)
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
// Rows: the compact records (the fields the decoder reads), then the records as SQS and S3 send them.
print("| changes in one SQS batch | decode (median) | plan (median) | decode + plan (median) | runs | planned paths |")
print("| ---: | ---: | ---: | ---: | ---: | ---: |")
for (count, shape, runs) in [
    (10, Shape.compact, 201), (10_000, .compact, 21), (100_000, .compact, 5), (10, .full, 201), (10_000, .full, 21),
] {
    let result = measure(count, shape: shape, runs: runs)
    let label = shape == .full ? "\(count), full records" : "\(count)"
    print(
        "| \(label) | \(milliseconds(result.decode)) ms | \(milliseconds(result.plan)) ms | "
            + "\(milliseconds(result.total)) ms | \(runs) | \(result.paths) |")
}
