import Foundation
import JSONSupport
import Testing

@Suite("scripts/enable-bucket-notifications against moto", .enabled(if: Moto.isAvailable))
struct BucketNotificationTests {
    func script(_ arguments: [String]) async throws -> ChildProcess.Result {
        let environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "AWS_ENDPOINT_URL": try #require(Moto.endpoint),
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1",
            "HOME": ProcessInfo.processInfo.environment["HOME"] ?? "/root",
        ]
        return try await ChildProcess.run(
            "/usr/bin/env",
            ["python3", Moto.packageRoot.appending(path: "scripts/enable-bucket-notifications").path] + arguments,
            environment: environment)
    }

    func newFunction() async throws -> String {
        try #require(try await Moto.fixture("create-function", "--name", Moto.unique("fn"))["functionArn"]?.string)
    }

    func permissions(_ function: String) async throws -> Int {
        try await Moto.fixture("function-policy", "--function", function)["statements"]?.array?.count ?? -1
    }

    /// Another team's notification: a queue for the given events and key filter.
    func theirs(bucket: String, events: [String], prefix: String? = nil) async throws {
        let filter = prefix.map { #","Filter":{"Key":{"FilterRules":[{"Name":"prefix","Value":"\#($0)"}]}}"# } ?? ""
        let quoted = events.map { "\"\($0)\"" }.joined(separator: ",")
        try await Moto.fixture(
            "put-notification-config", "--bucket", bucket, "--configuration",
            #"{"QueueConfigurations":[{"Id":"theirs","QueueArn":"arn:aws:sqs:us-east-1:123456789012:theirs","#
                + #""Events":[\#(quoted)]\#(filter)}]}"#)
    }

    @Test("refuses a notification S3 would reject as overlapping, changing nothing (no permission either)")
    func refusesOverlap() async throws {
        let bucket = Moto.unique("notify")
        // An unfiltered s3:ObjectCreated:* / s3:ObjectRemoved:* queue notification: ours would overlap it.
        try await Moto.fixture("wire", "--route", "s3-sqs", "--bucket", bucket)
        let function = try await newFunction()
        let lambda = ["--bucket", bucket, "--wiring", "lambda", "--function-arn", function]

        for arguments in [lambda + ["--dry-run"], lambda, lambda + ["--suffix", ".html"]] {
            let refused = try await script(arguments)
            #expect(refused.status == 1, "\(arguments): \(refused.stdout)")
            #expect(refused.stderr.contains("refused"), "\(refused.stderr)")
            #expect(refused.stderr.contains(#"notification "\#(bucket)-to-sqs""#), "\(refused.stderr)")
            #expect(refused.stderr.contains("--wiring eventbridge"), "\(refused.stderr)")
        }
        let configuration = try await Moto.fixture("notification-config", "--bucket", bucket)
        #expect(configuration["LambdaFunctionConfigurations"] == nil, "nothing written")
        #expect(configuration["QueueConfigurations"]?.array?.count == 1)
        #expect(try await permissions(function) == 0, "no permission added")

        // A family wildcard covers its members: their s3:ObjectCreated:Put under uploads/ overlaps ours too.
        let narrow = Moto.unique("notify")
        try await theirs(bucket: narrow, events: ["s3:ObjectCreated:Put"], prefix: "uploads/")
        let covered = try await script(["--bucket", narrow, "--wiring", "lambda", "--function-arn", function])
        #expect(covered.status == 1, "\(covered.stdout)")
        #expect(covered.stderr.contains("s3:ObjectCreated:Put"), "\(covered.stderr)")
        #expect(try await permissions(function) == 0)

        // The EventBridge wiring has no such limit.
        let eventBridge = try await script(["--bucket", bucket, "--wiring", "eventbridge"])
        #expect(eventBridge.status == 0, "\(eventBridge.stderr)")
        #expect(eventBridge.stdout.contains("enable EventBridge notifications"))
    }

    @Test("merges next to a disjoint notification, never overwriting another team's; idempotent; --dry-run")
    func merges() async throws {
        let bucket = Moto.unique("notify")
        try await theirs(bucket: bucket, events: ["s3:ObjectRestore:*"])
        let function = try await newFunction()
        let lambda = ["--bucket", bucket, "--wiring", "lambda", "--function-arn", function]

        let dryRun = try await script(lambda + ["--dry-run"])
        #expect(dryRun.status == 0, "\(dryRun.stderr)")
        #expect(dryRun.stdout.contains("would add notification cloudfront-invalidator"))
        #expect(dryRun.stdout.contains("would allow s3.amazonaws.com"))
        #expect(
            try await Moto.fixture("notification-config", "--bucket", bucket)["LambdaFunctionConfigurations"] == nil)
        #expect(try await permissions(function) == 0)

        let first = try await script(lambda)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("add notification cloudfront-invalidator"))
        #expect(first.stdout.contains("allow s3.amazonaws.com"))
        let configuration = try await Moto.fixture("notification-config", "--bucket", bucket)
        #expect(configuration["QueueConfigurations"]?.array?.count == 1, "the other team's notification is kept")
        #expect(configuration["LambdaFunctionConfigurations"]?.array?.first?["LambdaFunctionArn"]?.string == function)
        let statements = try await Moto.fixture("function-policy", "--function", function)["statements"]
        #expect(statements?.array?.count == 1)
        #expect(
            JSON.serialize(try #require(statements)).contains("arn:aws:s3:::\(bucket)"),
            "the permission names the bucket, in the function's partition")

        let again = try await script(lambda)
        #expect(again.stdout.contains("unchanged"), "\(again.stdout)")
        #expect(try await permissions(function) == 1)

        // moto 5.2.1 does not echo EventBridgeConfiguration back, so only the merge is checked for this wiring.
        let eventBridge = try await script(["--bucket", bucket, "--wiring", "eventbridge"])
        #expect(eventBridge.status == 0, "\(eventBridge.stderr)")
        #expect(eventBridge.stdout.contains("enable EventBridge notifications"))
        let after = try await Moto.fixture("notification-config", "--bucket", bucket)
        #expect(after["QueueConfigurations"]?.array?.count == 1)
        #expect(after["LambdaFunctionConfigurations"]?.array?.count == 1)

        let missing = try await script(["--bucket", Moto.unique("missing"), "--wiring", "eventbridge"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("NoSuchBucket"))
    }

    @Test("refuses a function in another Region than the bucket (S3 notifies only in the bucket's Region)")
    func refusesAnotherRegion() async throws {
        let bucket = Moto.unique("notify")
        try await Moto.fixture(
            "put-notification-config", "--bucket", bucket, "--region", "eu-west-1", "--configuration", "{}")
        let function = try await newFunction()
        let result = try await script(["--bucket", bucket, "--wiring", "lambda", "--function-arn", function])
        #expect(result.status == 1, "\(result.stdout)")
        #expect(result.stderr.contains("the bucket is in eu-west-1 and the function in us-east-1"), "\(result.stderr)")
        let configuration = try await Moto.fixture("notification-config", "--bucket", bucket)
        #expect(configuration["LambdaFunctionConfigurations"] == nil)
        #expect(try await permissions(function) == 0)
    }

    @Test("prefixes that do not overlap coexist with a notification for the same event types")
    func disjointPrefixes() async throws {
        let bucket = Moto.unique("notify")
        try await theirs(bucket: bucket, events: ["s3:ObjectCreated:*"], prefix: "uploads/")
        let function = try await newFunction()
        let result = try await script([
            "--bucket", bucket, "--wiring", "lambda", "--function-arn", function, "--prefix", "site/",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let configuration = try await Moto.fixture("notification-config", "--bucket", bucket)
        #expect(configuration["QueueConfigurations"]?.array?.count == 1)
        #expect(configuration["LambdaFunctionConfigurations"]?.array?.count == 1)
    }
}
