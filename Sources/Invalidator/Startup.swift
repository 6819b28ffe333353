import AWSClient
import Formats
import FoundationEssentials
import InvalidationCore
import LambdaRuntime

/// Everything the function needs before its first event, built once per sandbox.
public struct Startup: Sendable {
    public var configuration: Configuration
    public var aws: AWSConfiguration
    public var transport: any HTTPTransport
    /// `AWS_LAMBDA_FUNCTION_NAME`: names the role sessions the function assumes.
    public var functionName: String
    /// Measures start-up's time limit (a test's virtual clock).
    public var clock: any AWSClock
    /// Start-up ends when this much has passed since `init`, whatever SSM does: Lambda allows an init phase 10 s,
    /// and the last 2 s are left for reporting the failure to `/runtime/init/error`.
    public static let timeLimit: Duration = .seconds(8)
    let startedAt: Date

    /// Parses the environment; no I/O.
    public init(
        environment: [String: String], transport: any HTTPTransport, clock: any AWSClock = SystemClock()
    ) throws(ConfigurationError) {
        self.clock = clock
        startedAt = clock.now()
        configuration = try Configuration(environment: environment)
        do {
            aws = try AWSConfiguration(environment: environment)
        } catch {
            throw ConfigurationError(variable: error.variable, message: error.description)
        }
        self.transport = transport
        functionName = environment["AWS_LAMBDA_FUNCTION_NAME"] ?? ""
    }

    /// The distribution ids: from the environment, or read from SSM (with decryption) when `CF_DIST_ID_LABEL`
    /// names a parameter. An unreadable, missing or empty parameter is a configuration error naming the variable.
    public func distributionIds() async throws(ConfigurationError) -> [String] {
        try await explicitDistributions().ids
    }

    /// The explicit configuration: ids and the distribution map, from the environment or from the SSM parameter
    /// (which holds ids, or a JSON map). `DISTRIBUTION_MAP` in the environment wins over a map in SSM.
    public func explicitDistributions() async throws(ConfigurationError) -> (ids: [String], map: DistributionMap?) {
        switch configuration.distributions {
        case .none:
            return ([], configuration.map)
        case .ids(let ids):
            return (ids, configuration.map)
        case .parameter(let name):
            let ssm: SSMClient
            do {
                ssm = try SSMClient(configuration: aws, transport: transport, clock: clock)
            } catch {
                throw ConfigurationError(variable: error.variable, message: error.description)
            }
            let parameter: SSMParameter
            do {
                parameter = try await ssm.getParameter(
                    name: name, withDecryption: true,
                    context: AWSCallContext(deadline: startedAt.addingTimeInterval(Self.timeLimit.seconds)))
            } catch {
                let hint: String
                switch error.code {
                case "ParameterNotFound": hint = "the parameter does not exist in \(aws.region)"
                case "AccessDeniedException", "AccessDenied":
                    hint = "the function's role lacks ssm:GetParameter (and kms:Decrypt for a SecureString)"
                case _ where error.kind == .timeout:
                    hint =
                        "SSM did not answer within the \(Int(Self.timeLimit.seconds)) s start-up allows (Lambda limits "
                        + "the init phase to 10 s)"
                default: hint = "it could not be read"
                }
                throw ConfigurationError(
                    variable: "CF_DIST_ID_LABEL", message: "SSM parameter \(quoted(name)): \(hint) (\(error))")
            }
            guard !parameter.value.trimmingWhitespace().isEmpty else {
                throw ConfigurationError(
                    variable: "CF_DIST_ID_LABEL", message: "SSM parameter \(quoted(name)) is empty")
            }
            let source = "CF_DIST_ID_LABEL (SSM parameter \(quoted(name)))"
            if parameter.value.trimmingWhitespace().hasPrefix("{") {
                if let map = configuration.map { return ([], map) }
                return ([], try Configuration.parseMap(parameter.value, variable: source))
            }
            return (try Configuration.parseDistributionIds(parameter.value, source: source), configuration.map)
        }
    }

    /// Where the distributions of each bucket come from: the explicit configuration, and discovery when it applies.
    /// - Parameter cloudFront: the client discovery lists with; the handler passes its own, so that discovery's
    ///   retries and throttles count in the invocation's metrics.
    public func makeResolver(
        logger: Logger, clients: TargetClients? = nil
    ) async throws(ConfigurationError) -> DistributionResolver {
        if let offline = Self.offlineResolver(configuration) { return offline }
        let (ids, map) = try await explicitDistributions()
        var discovery: DistributionDiscovery?
        if DistributionResolver.discoveryApplies(configuration.discovery, ids: ids, map: map) {
            let listing: TargetClients
            if let clients { listing = clients } else { listing = try targetClients(map: map) }
            discovery = DistributionDiscovery(clients: listing, settings: configuration.discovery, logger: logger)
        }
        return DistributionResolver(ids: ids, map: map, discovery: discovery, keyPrefix: configuration.keyPrefix)
    }

    /// The resolver when building it needs no request: no SSM parameter to read and, when `discovering`, no
    /// discovery to set up. `invalidator plan` then plans offline, without credentials; nil otherwise.
    public static func offlineResolver(
        _ configuration: Configuration, discovering: Bool = true
    ) -> DistributionResolver? {
        let ids: [String]
        switch configuration.distributions {
        case .parameter: return nil
        case .ids(let configured): ids = configured
        case .none: ids = []
        }
        if discovering, DistributionResolver.discoveryApplies(configuration.discovery, ids: ids, map: configuration.map)
        {
            return nil
        }
        return DistributionResolver(
            ids: ids, map: configuration.map, discovery: nil, keyPrefix: configuration.keyPrefix)
    }

    func cloudFront() throws(ConfigurationError) -> CloudFrontClient {
        do {
            return try CloudFrontClient(configuration: aws, transport: transport, clock: clock)
        } catch {
            throw ConfigurationError(variable: error.variable, message: error.description)
        }
    }

    /// CloudFront for each target: the function's own client, and the roles of `map`, `DISCOVERY_ROLE_ARNS` and
    /// pipeline jobs assumed through one cache.
    public func targetClients(map: DistributionMap?) throws(ConfigurationError) -> TargetClients {
        let sts: STSClient
        do {
            sts = try STSClient(configuration: aws, transport: transport, clock: clock)
        } catch {
            throw ConfigurationError(variable: error.variable, message: error.description)
        }
        let roles = RoleAccess(
            cache: RoleCredentialsCache(sts: sts), externalIds: map?.externalIds ?? [:],
            defaultExternalId: configuration.roles.externalId, functionName: functionName)
        return TargetClients(own: try cloudFront(), roles: roles)
    }

    /// Assumes every role the configuration names, once: a role that cannot be assumed fails start-up naming it
    /// (a trust policy without the function's role, a wrong external id), rather than every batch after it. The
    /// credentials stay in the cache for the first invocations.
    func assumeConfiguredRoles(_ clients: TargetClients, map: DistributionMap?) async throws(ConfigurationError) {
        let context = AWSCallContext(deadline: startedAt.addingTimeInterval(Self.timeLimit.seconds))
        for roleArn in configuration.roles.roleArns(map: map) {
            do {
                _ = try await clients.client(
                    roleArn: roleArn, session: clients.roles?.sessionName(invocation: "init") ?? "init",
                    context: context)
            } catch {
                let variable =
                    configuration.roles.discoveryRoleArns.contains(roleArn) ? "DISCOVERY_ROLE_ARNS" : "DISTRIBUTION_MAP"
                throw ConfigurationError(variable: variable, message: error.description)
            }
        }
    }

    /// The handler, with the distributions resolved.
    public func makeHandler(logger: Logger) async throws(ConfigurationError) -> InvalidationHandler {
        let map = try await explicitDistributions().map
        let clients = try targetClients(map: map)
        try await assumeConfiguredRoles(clients, map: map)
        let cloudFront = clients.own
        let resolver = try await makeResolver(logger: logger, clients: clients)
        let codePipeline: CodePipelineClient
        do {
            codePipeline = try CodePipelineClient(configuration: aws, transport: transport)
        } catch {
            throw ConfigurationError(variable: error.variable, message: error.description)
        }
        var handler = InvalidationHandler(
            resolver: resolver, planner: configuration.planner, cloudFront: cloudFront,
            codePipeline: codePipeline)
        handler.clients = clients
        handler.metricsNamespace = configuration.metricsNamespace
        // Made whatever TAG_RULES says: a pipeline job may name tags of its own (nothing is fetched until then).
        handler.cacheTagCheck = CacheTagCheck(clients: clients, settings: configuration.cacheTags)
        if let settings = configuration.coalescing {
            do {
                handler.coalescer = Coalescer(
                    settings: settings, dynamoDB: try DynamoDBClient(configuration: aws, transport: transport),
                    sqs: try SQSClient(configuration: aws, transport: transport))
            } catch {
                throw ConfigurationError(variable: error.variable, message: error.description)
            }
        }
        handler.monthlyTally = MonthlyPathTally(
            budget: configuration.monthlyPathBudget,
            table: handler.coalescer.map { (dynamoDB: $0.dynamoDB, name: $0.settings.table) })
        return handler
    }
}

/// The `bootstrap` process: start up, report a configuration that cannot work to `/runtime/init/error`, then serve
/// events until the Runtime API goes away.
public enum LambdaApplication {
    /// - Returns: the process exit status.
    public static func run(environment: [String: String]) async -> Int32 {
        let logger = Logger.fromEnvironment(environment)
        guard let endpoint = environment["AWS_LAMBDA_RUNTIME_API"], !endpoint.isEmpty else {
            logger.error(
                "AWS_LAMBDA_RUNTIME_API is not set: bootstrap runs inside Lambda, or locally under lambda-emulator")
            return 1
        }
        // One connection pool for the Runtime API and AWS alike.
        let runtime = HTTPRuntimeAPIClient(endpoint: endpoint, client: .shared)
        let handler: InvalidationHandler
        do {
            let startup = try Startup(environment: environment, transport: HTTP1Transport())
            for variable in startup.configuration.ignoredVariables {
                logger.warn("setting ignored: CLOUDFRONT_DISTRIBUTION_ID takes precedence", ["variable": variable])
            }
            handler = try await startup.makeHandler(logger: logger)
        } catch {
            logger.error("configuration cannot work", ["variable": error.variable, "error": error.message])
            do {
                try await runtime.initError(
                    FunctionError(errorType: "Invalidator.ConfigurationError", errorMessage: error.description))
            } catch {
                logger.error("could not report the init error", ["error": error.description])
            }
            return 1
        }
        logger.debug(
            "ready",
            [
                "distributions": handler.distributionIds.isEmpty
                    ? "none configured" : handler.distributionIds.joined(separator: ",")
            ])
        let failure = await RuntimeLoop.run(client: runtime, logger: logger) { invocation, logger in
            await handler.handle(invocation, logger: logger)
        }
        return failure == nil ? 0 : 1
    }
}
