/// The AWS services this client speaks to, with what the SDKs key their configuration on.
public enum AWSService: String, Sendable, CaseIterable {
    case cloudFront = "cloudfront"
    case ssm
    case codePipeline = "codepipeline"
    case dynamoDB = "dynamodb"
    case sqs
    /// STS, reached on its regional endpoint (never the legacy global `sts.amazonaws.com`): the call stays in the
    /// function's region, and works in a region the global endpoint's us-east-1 does not serve.
    case sts
    /// Lambda (REST-JSON), for `invalidator doctor`'s reads of the function and its event source mappings.
    case lambda
    /// S3 (REST-XML), for the bucket's notification configuration; requests are path-style on the regional endpoint.
    case s3
    /// EventBridge (JSON 1.1): its endpoint prefix and signing name are `events`.
    case eventBridge = "events"
    /// IAM (query protocol), global: `iam.amazonaws.com`, signed for us-east-1 (`iam.cn-north-1.amazonaws.com.cn`,
    /// cn-north-1, in China), as botocore's endpoint rules resolve it.
    case iam

    /// The suffix of `AWS_ENDPOINT_URL_<SERVICE>` (the service id, upper-cased, spaces and hyphens as `_`).
    public var endpointVariableSuffix: String {
        switch self {
        case .cloudFront: return "CLOUDFRONT"
        case .ssm: return "SSM"
        case .codePipeline: return "CODEPIPELINE"
        case .dynamoDB: return "DYNAMODB"
        case .sqs: return "SQS"
        case .sts: return "STS"
        case .lambda: return "LAMBDA"
        case .s3: return "S3"
        case .eventBridge: return "EVENTBRIDGE"
        case .iam: return "IAM"
        }
    }

    /// The name requests are signed for (the scope's service part).
    public var signingName: String { rawValue }
}

/// Where a service is reached and how requests to it are signed.
public struct ServiceEndpoint: Sendable, Equatable {
    /// `scheme://host[:port]`.
    public var origin: String
    /// The `host` header value (with the port when it is not the scheme's default).
    public var host: String
    /// A path prefix from an endpoint override (`http://127.0.0.1:5000/prefix`), kept as the SDKs keep it.
    public var pathPrefix: String
    public var signingRegion: String
}

/// Why an endpoint or region setting cannot work; names the variable at fault.
public struct EndpointError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The environment variable at fault.
    public var variable: String
    public var description: String

    public init(variable: String, description: String) {
        self.variable = variable
        self.description = description
    }
}

/// Endpoint resolution as the AWS SDKs do it, for the services we use.
///
/// `AWS_ENDPOINT_URL_<SERVICE>` wins over `AWS_ENDPOINT_URL`, and both are ignored when
/// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`. CloudFront is global: `https://cloudfront.amazonaws.com`, signed
/// for us-east-1 whatever the configured region (cn-northwest-1 in the China partition), and so is IAM; SSM,
/// CodePipeline, DynamoDB, SQS, STS, Lambda, S3 and EventBridge are regional (`<service>.<region>.amazonaws.com`, `.amazonaws.com.cn` in China).
public enum EndpointResolver {
    public static func endpoint(
        for service: AWSService, region: String, environment: [String: String]
    ) throws(EndpointError) -> ServiceEndpoint {
        let signingRegion: String
        if service == .cloudFront {
            signingRegion = region.hasPrefix("cn-") ? "cn-northwest-1" : "us-east-1"
        } else if service == .iam {
            signingRegion = region.hasPrefix("cn-") ? "cn-north-1" : "us-east-1"
        } else {
            signingRegion = region
        }
        if environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() != "true" {
            for variable in ["AWS_ENDPOINT_URL_\(service.endpointVariableSuffix)", "AWS_ENDPOINT_URL"] {
                if let value = environment[variable], !value.isEmpty {
                    return try parse(value, variable: variable, signingRegion: signingRegion)
                }
            }
        }
        let suffix = signingRegion.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        let host: String
        switch service {
        case .cloudFront:
            host = signingRegion.hasPrefix("cn-") ? "cloudfront.cn-northwest-1.\(suffix)" : "cloudfront.\(suffix)"
        case .iam:
            host = signingRegion.hasPrefix("cn-") ? "iam.cn-north-1.\(suffix)" : "iam.\(suffix)"
        case .ssm, .codePipeline, .dynamoDB, .sqs, .sts, .lambda, .s3, .eventBridge:
            host = "\(service.rawValue).\(region).\(suffix)"
        }
        return ServiceEndpoint(origin: "https://" + host, host: host, pathPrefix: "", signingRegion: signingRegion)
    }

    /// Parses `scheme://host[:port][/prefix]`.
    static func parse(_ value: String, variable: String, signingRegion: String) throws(EndpointError) -> ServiceEndpoint
    {
        let scheme: String
        let rest: Substring
        if value.hasPrefix("https://") {
            scheme = "https"
            rest = value.dropFirst(8)
        } else if value.hasPrefix("http://") {
            scheme = "http"
            rest = value.dropFirst(7)
        } else {
            throw EndpointError(
                variable: variable, description: "\(variable) must start with http:// or https:// (got \(value))")
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        var prefix = String(rest.dropFirst(authority.count))
        guard !prefix.contains("?") && !prefix.contains("#") else {
            throw EndpointError(
                variable: variable, description: "\(variable) must not contain a query or fragment (got \(value))")
        }
        while prefix.hasSuffix("/") { prefix.removeLast() }
        guard !authority.isEmpty, !authority.contains("@") else {
            throw EndpointError(variable: variable, description: "\(variable) has no host (got \(value))")
        }
        // Drop a port equal to the scheme's default, as HTTP clients do in the Host header.
        var host = String(authority)
        let defaultPort = scheme == "https" ? ":443" : ":80"
        if host.hasSuffix(defaultPort) && !host.hasSuffix("]" + defaultPort.dropFirst()) {
            host.removeLast(defaultPort.count)
        }
        if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]") {
            guard let port = Int(host[host.index(after: colon)...]), (1...65535).contains(port) else {
                throw EndpointError(variable: variable, description: "\(variable) has an invalid port (got \(value))")
            }
        }
        return ServiceEndpoint(
            origin: "\(scheme)://\(host)", host: host, pathPrefix: prefix, signingRegion: signingRegion)
    }
}
