import AWSClient
import ArgumentParser
import FoundationEssentials
import InvalidationCore
import Invalidator

#if canImport(Glibc)
    import Glibc
#endif

/// The environment with the shared configuration files applied (`AWS_PROFILE`, `~/.aws/credentials`,
/// `~/.aws/config`), as every AWS tool reads it. Every command reads its environment through this.
func awsEnvironment() throws -> [String: String] {
    do {
        return try SharedConfig.environment(overlaying: ProcessInfo.processInfo.environment)
    } catch {
        throw fail(error.description)
    }
}

/// The function's configuration from `environment`; a setting that cannot work is exit 1, naming it.
func commandConfiguration(_ environment: [String: String]) throws -> Configuration {
    do {
        return try Configuration(environment: environment)
    } catch {
        throw fail(error.description)
    }
}

/// `environment` with `AWS_REGION=us-east-1` when it names no region: CloudFront is a global service, signed for
/// us-east-1 whatever the region (see `EndpointResolver`), so a command that only calls CloudFront needs none. SSM
/// and CodePipeline are regional: commands that call them read the region as it is.
func globalServiceEnvironment(_ environment: [String: String]) -> [String: String] {
    guard (environment["AWS_REGION"] ?? "").isEmpty, (environment["AWS_DEFAULT_REGION"] ?? "").isEmpty else {
        return environment
    }
    var result = environment
    result["AWS_REGION"] = "us-east-1"
    return result
}

/// A CloudFront client for the command line: the environment's credentials, no region needed.
func cloudFrontClient(environment: [String: String]) throws -> CloudFrontClient {
    do {
        return try CloudFrontClient(
            configuration: AWSConfiguration(environment: globalServiceEnvironment(environment)),
            transport: HTTP1Transport())
    } catch {
        throw fail(error.description)
    }
}

/// CloudFront for the command's targets: the environment's credentials, and for a target named with `--role-arn`
/// the role's, assumed through STS (regional: us-east-1 unless the environment names a region). The role session is
/// named for the command and this process, as CloudTrail shows it in the role's account.
func targetClients(environment: [String: String], externalId: String?) throws -> TargetClients {
    do {
        let configuration = try AWSConfiguration(environment: globalServiceEnvironment(environment))
        let transport = HTTP1Transport()
        let sts = try STSClient(configuration: configuration, transport: transport)
        let roles = RoleAccess(
            cache: RoleCredentialsCache(sts: sts), defaultExternalId: externalId,
            functionName: "invalidator-\(ProcessInfo.processInfo.processIdentifier)")
        return TargetClients(
            own: try CloudFrontClient(configuration: configuration, transport: transport), roles: roles)
    } catch {
        throw fail(error.description)
    }
}

/// The targets a command acts on: `--distribution-id` and `--tenant-id` (through `--role-arn`), else the
/// function's configured distributions (`commandDistributionIds`), through `--role-arn` too when given.
func commandTargets(
    _ options: DistributionOptions, configuration: Configuration, environment: [String: String]
) async throws -> [CloudFrontTarget] {
    let explicit = try options.targets
    if !explicit.isEmpty { return explicit }
    return try await commandDistributionIds([], configuration: configuration, environment: environment)
        .map { .distribution($0, roleArn: options.roleArn) }
}

func parseIds(_ values: [String]) throws -> [String] {
    var ids: [String] = []
    for value in values {
        do {
            ids += try Configuration.parseDistributionIds(value, source: "--distribution-id")
        } catch {
            throw ValidationError(error.description)
        }
    }
    return ids
}

/// The distributions a command acts on, as the function finds them: `--distribution-id`, else
/// `CLOUDFRONT_DISTRIBUTION_ID`, else the SSM parameter `CF_DIST_ID_LABEL` names (read with decryption by the
/// function's own code, `Startup.explicitDistributions`; SSM is regional, so this one needs a region).
func commandDistributionIds(
    _ explicit: [String], configuration: Configuration, environment: [String: String]
) async throws -> [String] {
    let ids = try parseIds(explicit)
    if !ids.isEmpty { return ids }
    switch configuration.distributions {
    case .ids(let configured):
        return configured
    case .parameter(let name):
        let found: [String]
        do {
            found = try await Startup(environment: environment, transport: HTTP1Transport())
                .explicitDistributions().ids
        } catch {
            let hint =
                error.variable == "AWS_REGION" ? " (CF_DIST_ID_LABEL names an SSM parameter, read in a region)" : ""
            throw fail(error.description + hint)
        }
        guard !found.isEmpty else {
            throw fail(
                "CF_DIST_ID_LABEL: the SSM parameter \(name) holds a distribution map, not ids; name the "
                    + "distributions with --distribution-id")
        }
        return found
    case .none:
        throw ValidationError(
            "name a distribution with --distribution-id (or set CLOUDFRONT_DISTRIBUTION_ID or CF_DIST_ID_LABEL)")
    }
}

/// A `--timeout` or `--poll-interval` in seconds, checked before any arithmetic on it: finite, positive, at most
/// `maximum`.
func validateSeconds(_ value: Double, option: String, maximum: Double) throws {
    guard value.isFinite, value > 0, value <= maximum else {
        throw ValidationError(
            "\(option) must be a number of seconds more than 0 and at most \(Int(maximum)) (got \(value))")
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
