import AWSClient
import ArgumentParser
import Doctor
import JSONSupport

/// `invalidator doctor`: the deployment's wiring checked, read-only, before a stale site shows it.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check a deployment's wiring, read-only: function, trigger, distributions, permissions.",
        discussion: """
            With --function-name: the function's runtime, handler, timeout, memory, environment (parsed as the \
            function parses it) and reserved concurrency; its SQS event source mappings and queues; the bucket's \
            notifications and EventBridge rules (--bucket, else the buckets DISTRIBUTION_MAP names); the \
            coalescing table; the distributions it invalidates; and what its role may call (IAM \
            SimulatePrincipalPolicy). Without it: the bucket's notifications and the named distributions. Every \
            call is a read made with your credentials, not the function's; a check your credentials may not make \
            is reported as a warning naming the permission. Each finding is ok, warning or problem, with its fix. \
            Needs AWS_REGION (the function's). Exit status: 0 nothing is a problem, 1 something is, 64 usage error.
            """)

    @Option(name: .long, help: ArgumentHelp("The function (name or ARN) to check.", valueName: "name"))
    var functionName: String?

    @Option(name: .long, help: ArgumentHelp("A bucket whose notifications to check (repeatable).", valueName: "bucket"))
    var bucket: [String] = []

    @Option(
        name: .customLong("distribution-id"),
        help: ArgumentHelp(
            "A distribution to check (repeatable; default: the function's configuration).", valueName: "id"))
    var distributionIds: [String] = []

    @Flag(name: .long, help: "Print one JSON object instead of lines.")
    var json = false

    func validate() throws {
        guard functionName != nil || !bucket.isEmpty || !distributionIds.isEmpty else {
            throw ValidationError("name what to check: --function-name, or --bucket and --distribution-id")
        }
        if let functionName, functionName.isEmpty || functionName.contains(where: { $0 == " " || $0.isNewline }) {
            throw ValidationError("--function-name must be a function name or ARN")
        }
        for name in bucket where name.isEmpty || name.contains("/") || name.contains(" ") {
            throw ValidationError("--bucket must be a bucket name (got \(name))")
        }
        _ = try parseIds(distributionIds)
    }

    func run() async throws {
        let environment = try awsEnvironment()
        let doctor: Doctor
        do {
            doctor = try Doctor(
                configuration: AWSConfiguration(environment: environment), transport: HTTP1Transport())
        } catch {
            throw fail(error.description)
        }
        let report = await doctor.run(
            DoctorTarget(functionName: functionName, buckets: bucket, distributionIds: try parseIds(distributionIds)))
        print(json ? JSON.serialize(report.json) : report.text)
        if report.hasProblem { throw ExitCode.failure }
    }
}
