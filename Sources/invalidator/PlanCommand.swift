import AWSClient
import ArgumentParser
import FoundationEssentials
import InvalidationCore
import Invalidator
import LambdaRuntime

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

    @OptionGroup var input: EventOption

    @OptionGroup var distributions: DistributionOptions

    @Flag(name: .long, help: "Print one JSON object instead of a table.")
    var json = false

    func run() async throws {
        let decoded = EventDecoder.decode(try input.payload())
        let environment = try awsEnvironment()
        let logger = Logger.fromEnvironment(environment, write: { FileHandleStandardError.write($0) })
        let configuration: Configuration
        let resolver: DistributionResolver
        do {
            configuration = try Configuration(environment: environment)
            resolver = try await self.resolver(
                configuration, environment: environment, event: decoded, logger: logger)
        } catch {
            throw fail(error.description)
        }
        let (plan, _) = await InvalidationHandler.plan(decoded, resolver: resolver, planner: configuration.planner)
        print(json ? PlanReport.json(plan: plan, event: decoded) : PlanReport.text(plan: plan, event: decoded))
    }

    /// `--distribution-id`, else the function's own selection (`Startup`), offline whenever it can be.
    func resolver(
        _ configuration: Configuration, environment: [String: String], event: DecodedEvent, logger: Logger
    ) async throws(ConfigurationError) -> DistributionResolver {
        let targets = (try? distributions.targets) ?? []
        if !targets.isEmpty {
            return DistributionResolver(targets: targets, map: nil, discovery: nil, keyPrefix: configuration.keyPrefix)
        }
        // A CodePipeline job names its distributions (or uses the configured ones): nothing to discover.
        if let offline = Startup.offlineResolver(configuration, discovering: event.pipelineJob == nil) {
            return offline
        }
        if case .parameter = configuration.distributions {
            return try await Startup(environment: environment, transport: HTTP1Transport())
                .makeResolver(logger: logger)
        }
        do {
            // Discovery only lists CloudFront distributions: no region needed.
            return try await Startup(
                environment: globalServiceEnvironment(environment), transport: HTTP1Transport()
            )
            .makeResolver(logger: logger)
        } catch {
            throw ConfigurationError(
                variable: error.variable,
                message: "\(error.message); discovery lists distributions with the AWS credentials "
                    + "(or pass --distribution-id, or set DISTRIBUTION_DISCOVERY=off, to plan offline)")
        }
    }
}
