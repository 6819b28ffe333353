import AWSClient
import Invalidator

extension Doctor {
    /// The runtime the `bootstrap` binary is built for (Amazon Linux 2023, glibc 2.34).
    static let expectedRuntime = "provided.al2023"
    /// Below this the function's retried AWS calls, a pipeline job's wait or a coalesced flush may not finish; the
    /// templates default to 60 s.
    static let minimumTimeoutSeconds = 10
    /// Past this, memory (and what Lambda bills for it) is far beyond what the function uses (about 21 MB).
    static let generousMemoryMB = 1024

    /// The function: its configuration, environment and reserved concurrency.
    func checkFunction(_ name: String) async -> ([Finding], FunctionFacts?) {
        let area = "function"
        let function: LambdaFunctionConfiguration
        do {
            function = try await clients.lambda.getFunctionConfiguration(name: name)
        } catch {
            if error.code == "ResourceNotFoundException" {
                return (
                    [
                        .problem(
                            area, "exists", "no function \(name) in \(region)",
                            fix: "check the name and AWS_REGION (the function's region)")
                    ], nil
                )
            }
            return ([.unchecked(area, "configuration", error, permission: "lambda:GetFunctionConfiguration")], nil)
        }
        var findings = Self.functionFindings(function)
        let (environmentFindings, configuration) = Self.environmentFindings(function)
        findings += environmentFindings
        var facts = FunctionFacts(function: function, configuration: configuration)
        do {
            facts.reservedConcurrency = try await clients.lambda.getFunctionConcurrency(name: name)
            findings.append(Self.concurrencyFinding(facts.reservedConcurrency))
        } catch {
            findings.append(
                .unchecked(area, "reserved concurrency", error, permission: "lambda:GetFunctionConcurrency"))
        }
        return (findings, facts)
    }

    /// Runtime, handler, timeout and memory.
    static func functionFindings(_ function: LambdaFunctionConfiguration) -> [Finding] {
        let area = "function"
        var findings: [Finding] = []
        if function.runtime == expectedRuntime {
            findings.append(.ok(area, "runtime", function.runtime))
        } else {
            let shown = function.runtime.isEmpty ? "none (a container image?)" : function.runtime
            findings.append(
                .problem(
                    area, "runtime", "\(shown), but bootstrap is built for \(expectedRuntime)",
                    fix: "set the function's runtime to \(expectedRuntime) and deploy the artifact's bootstrap"))
        }
        if function.handler.isEmpty {
            findings.append(
                .warning(area, "handler", "none set", fix: "set the handler to bootstrap (the runtime ignores it)"))
        } else {
            findings.append(
                .ok(area, "handler", "\(function.handler) (a custom runtime runs bootstrap whatever it says)"))
        }
        if function.timeoutSeconds < minimumTimeoutSeconds {
            findings.append(
                .warning(
                    area, "timeout", "\(function.timeoutSeconds) s leaves retried CloudFront calls no room",
                    fix: "raise the timeout to at least \(minimumTimeoutSeconds) s (the templates use 60 s)"))
        } else {
            findings.append(.ok(area, "timeout", "\(function.timeoutSeconds) s"))
        }
        if function.memoryMB > generousMemoryMB {
            findings.append(
                .warning(
                    area, "memory", "\(function.memoryMB) MB, where the function uses about 21 MB",
                    fix: "lower the memory to 128 MB (the templates' default); it is billed per MB"))
        } else {
            findings.append(.ok(area, "memory", "\(function.memoryMB) MB"))
        }
        if let state = function.state, state != "Active" {
            findings.append(
                .warning(area, "state", "\(state), not Active", fix: "wait for the update to finish, or redeploy"))
        }
        return findings
    }

    /// The environment, parsed exactly as the function parses it at start-up (`Configuration`).
    static func environmentFindings(_ function: LambdaFunctionConfiguration) -> ([Finding], Configuration?) {
        let area = "function"
        if let error = function.environmentError {
            return (
                [
                    .problem(
                        area, "environment", "Lambda cannot decrypt the variables: \(error)",
                        fix: "let the function's role use the environment's KMS key (kms:Decrypt), or drop the key")
                ], nil
            )
        }
        let configuration: Configuration
        do {
            configuration = try Configuration(environment: function.environment)
        } catch {
            return (
                [
                    .problem(
                        area, "environment", "\(error.variable) cannot work: \(error.message)",
                        fix: "correct \(error.variable) in the function's environment (the function refuses to start)")
                ], nil
            )
        }
        var findings: [Finding] = [
            .ok(area, "environment", "every setting parses (\(Self.distributionSummary(configuration)))")
        ]
        for variable in configuration.ignoredVariables {
            findings.append(
                .warning(
                    area, "environment", "\(variable) is ignored: CLOUDFRONT_DISTRIBUTION_ID takes precedence",
                    fix: "remove \(variable) from the function's environment"))
        }
        return (findings, configuration)
    }

    static func distributionSummary(_ configuration: Configuration) -> String {
        switch configuration.distributions {
        case .ids(let ids): return "distributions \(ids.joined(separator: ", "))"
        case .parameter(let name): return "distributions from SSM parameter \(name)"
        case .none: return configuration.map != nil ? "DISTRIBUTION_MAP" : "distributions discovered"
        }
    }

    static func concurrencyFinding(_ reserved: Int?) -> Finding {
        switch reserved {
        case nil:
            return .ok("function", "reserved concurrency", "none reserved (shares the account's pool)")
        case 0?:
            return .problem(
                "function", "reserved concurrency", "0: every invocation is throttled, nothing is invalidated",
                fix: "remove the reserved concurrency or set it to at least 1")
        case let value?:
            return .ok("function", "reserved concurrency", String(value))
        }
    }
}
