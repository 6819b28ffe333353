/// What every AWS call needs, read once from the environment the way the AWS SDKs read it.
public struct AWSConfiguration: Sendable {
    public var region: String
    public var credentials: AWSCredentials
    /// The environment the configuration came from (endpoint overrides are resolved from it per service).
    public var environment: [String: String]
    /// `AWS_RETRY_MODE` and `AWS_MAX_ATTEMPTS`.
    public var retryPolicy: RetryPolicy

    public init(
        region: String, credentials: AWSCredentials, environment: [String: String] = [:],
        retryPolicy: RetryPolicy = .standard
    ) {
        self.region = region
        self.credentials = credentials
        self.environment = environment
        self.retryPolicy = retryPolicy
    }

    /// `AWS_REGION` (or `AWS_DEFAULT_REGION`) and the `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` /
    /// `AWS_SESSION_TOKEN` credentials Lambda provides, and the retry settings.
    public init(environment: [String: String]) throws(EndpointError) {
        guard
            let region = environment["AWS_REGION"].flatMap({ $0.isEmpty ? nil : $0 })
                ?? environment["AWS_DEFAULT_REGION"].flatMap({ $0.isEmpty ? nil : $0 })
        else {
            throw EndpointError(variable: "AWS_REGION", description: "AWS_REGION is not set")
        }
        guard region.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw EndpointError(variable: "AWS_REGION", description: "AWS_REGION is not a region name (got \(region))")
        }
        guard let credentials = AWSCredentials(environment: environment) else {
            throw EndpointError(
                variable: "AWS_ACCESS_KEY_ID", description: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
        }
        self.init(
            region: region, credentials: credentials, environment: environment,
            retryPolicy: try RetryPolicy(environment: environment))
    }

    public func endpoint(for service: AWSService) throws(EndpointError) -> ServiceEndpoint {
        try EndpointResolver.endpoint(for: service, region: region, environment: environment)
    }
}
