import AWSClient
import ArgumentParser
import CShims
import FoundationEssentials
import InvalidationCore
import Invalidator
import LambdaRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// The command-line companion of the `bootstrap` function: the same configuration, decoder, planner and client.
@main
struct InvalidatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invalidator",
        abstract: "Plan and run CloudFront invalidations for S3 changes, as the Lambda function does.",
        discussion: """
            Reads the same environment as the function: CLOUDFRONT_DISTRIBUTION_ID or CF_DIST_ID_LABEL, \
            MAX_PATHS, INDEX_DOCUMENT, LOG_LEVEL, AWS_REGION (CloudFront alone needs none), the AWS_* \
            credentials (or AWS_PROFILE's profile in ~/.aws/credentials and ~/.aws/config) and \
            AWS_ENDPOINT_URL[_<SERVICE>].
            Exit status: 0 success, 1 failure, 2 a --wait that timed out, 64 usage error.
            """,
        subcommands: [Invalidate.self, Status.self, Plan.self, Invoke.self, Events.self])

    /// Like ArgumentParser's own `main`, but a usage error is one line on standard error (`invalidator: reason`)
    /// and exit status 64, so scripts can show it as is.
    static func main() async {
        // Line by line even into a pipe: a CI log shows progress as it happens, and created ids survive a kill.
        cshims_line_buffered_stdout()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
            } else {
                let message = message(for: error)
                if !message.isEmpty {
                    let oneLine = message.split(whereSeparator: \.isNewline).first.map(String.init) ?? message
                    FileHandleStandardError.write("invalidator: \(oneLine)")
                }
            }
            Glibc.exit(code.rawValue)
        }
    }
}

/// Reads an event file, or standard input for `-`.
func readEvent(_ path: String) throws -> [UInt8] {
    if path == "-" {
        var bytes: [UInt8] = []
        while let line = readLine(strippingNewline: false) { bytes += Array(line.utf8) }
        return bytes
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw ValidationError("cannot read \(path)")
    }
    return Array(data)
}

func fail(_ message: String) -> ExitCode {
    FileHandleStandardError.write("invalidator: \(message)")
    return .failure
}

enum FileHandleStandardError {
    static func write(_ line: String) {
        let data = Array((line + "\n").utf8)
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
}

struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show, offline, what the function would invalidate for an event.",
        discussion: """
            Creates nothing. The distributions come from --distribution-id, else from the environment \
            (CLOUDFRONT_DISTRIBUTION_ID, DISTRIBUTION_MAP). With CF_DIST_ID_LABEL the SSM parameter is read, and \
            when discovery applies (no distribution configured, or DISTRIBUTION_DISCOVERY=on) the account's \
            distributions are listed (ListDistributions, GetDistributionConfig) with the AWS credentials: these \
            are the only requests made. Credentials and region as for invalidate (the AWS_* variables, else \
            AWS_PROFILE's profile in ~/.aws/credentials and ~/.aws/config).
            """)

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The event, as the function receives it (- for standard input).",
            valueName: "file"))
    var event: String

    @Option(
        name: .customLong("distribution-id"),
        help: ArgumentHelp("A distribution to invalidate (repeatable, or comma-separated).", valueName: "id"))
    var distributionIds: [String] = []

    @Flag(name: .long, help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        for value in distributionIds {
            do {
                _ = try Configuration.parseDistributionIds(value, source: "--distribution-id")
            } catch {
                throw ValidationError(error.description)
            }
        }
    }

    func run() async throws {
        let payload = try readEvent(event)
        let environment = try awsEnvironment()
        let logger = Logger.fromEnvironment(environment, write: { FileHandleStandardError.write($0) })
        let decoded = EventDecoder.decode(payload)
        let configuration: Configuration
        let resolver: DistributionResolver
        do {
            configuration = try Configuration(environment: environment)
            let configuredIds: [String]
            if case .ids(let ids) = configuration.distributions { configuredIds = ids } else { configuredIds = [] }
            // A CodePipeline job names its distributions (or uses the configured ones): nothing to discover.
            let discovers =
                decoded.pipelineJob == nil
                && DistributionResolver.discoveryApplies(
                    configuration.discovery, ids: configuredIds, map: configuration.map)
            if !distributionIds.isEmpty {
                let ids = try distributionIds.flatMap {
                    try Configuration.parseDistributionIds($0, source: "--distribution-id")
                }
                resolver = DistributionResolver(ids: ids, map: nil, discovery: nil, keyPrefix: configuration.keyPrefix)
            } else if case .parameter = configuration.distributions {
                resolver = try await Startup(environment: environment, transport: AsyncHTTPTransport())
                    .makeResolver(logger: logger)
            } else if discovers {
                do {
                    // Discovery only lists CloudFront distributions: no region needed.
                    let startup = try Startup(
                        environment: globalServiceEnvironment(environment), transport: AsyncHTTPTransport())
                    resolver = try await startup.makeResolver(logger: logger)
                } catch {
                    throw ConfigurationError(
                        variable: error.variable,
                        message: "\(error.message); discovery lists distributions with the AWS credentials "
                            + "(or pass --distribution-id, or set DISTRIBUTION_DISCOVERY=off, to plan offline)")
                }
            } else {
                resolver = DistributionResolver(
                    ids: configuredIds, map: configuration.map, discovery: nil, keyPrefix: configuration.keyPrefix)
            }
        } catch let error as ConfigurationError {
            throw fail(error.description)
        }
        let (plan, _) = await InvalidationHandler.plan(decoded, resolver: resolver, planner: configuration.planner)
        print(json ? PlanReport.json(plan: plan, event: decoded) : PlanReport.text(plan: plan, event: decoded))
    }
}

struct Invoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the function's handler on an event, in process, against the configured endpoints.",
        discussion: """
            Prints the handler's response (for an SQS batch: batchItemFailures). Logs go to standard error. \
            Credentials and region as for invalidate (the AWS_* variables, else AWS_PROFILE's profile in \
            ~/.aws/credentials and ~/.aws/config); a region is needed, as in Lambda.
            """)

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The event, as the function receives it (- for standard input).",
            valueName: "file"))
    var event: String

    @Option(
        name: .long, help: ArgumentHelp("The invocation's time limit (1 to 900, as Lambda's).", valueName: "seconds"))
    var timeout: Int = 60

    func validate() throws {
        guard (1...900).contains(timeout) else {
            throw ValidationError("--timeout must be a whole number of seconds from 1 to 900 (got \(timeout))")
        }
    }

    func run() async throws {
        let payload = try readEvent(event)
        let environment = try awsEnvironment()
        let logger = Logger.fromEnvironment(environment, write: { FileHandleStandardError.write($0) })
        let handler: InvalidationHandler
        do {
            handler = try await Startup(environment: environment, transport: AsyncHTTPTransport())
                .makeHandler(logger: logger)
        } catch {
            throw fail(error.description)
        }
        let deadline = Int64(Date().timeIntervalSince1970 * 1000) + Int64(timeout) * 1000
        let invocation = Invocation(requestId: "local-invoke", deadlineMilliseconds: deadline, body: payload)
        switch await handler.handle(invocation, logger: logger.with("requestId", invocation.requestId)) {
        case .success(let body):
            print(String(decoding: body, as: UTF8.self))
        case .failure(let error):
            print(error.json)
            throw ExitCode.failure
        }
    }
}
