import AWSClient
import Testing

@testable import Doctor

@Suite("doctor: the function")
struct FunctionChecksTests {
    static func function(
        runtime: String = "provided.al2023", timeout: Int = 60, memory: Int = 128,
        environment: [String: String] = ["CLOUDFRONT_DISTRIBUTION_ID": "E2QWRUHAPOMQZL"]
    ) -> LambdaFunctionConfiguration {
        LambdaFunctionConfiguration(
            functionName: "invalidator", functionArn: "arn:aws:lambda:us-east-1:123456789012:function:invalidator",
            runtime: runtime, handler: "bootstrap", role: "arn:aws:iam::123456789012:role/invalidator",
            timeoutSeconds: timeout, memoryMB: memory, environment: environment)
    }

    @Test("a well-made function is ok on every count")
    func healthy() {
        let findings = Doctor.functionFindings(Self.function())
        #expect(findings.allSatisfy { $0.severity == .ok })
        #expect(findings.map(\.check) == ["runtime", "handler", "timeout", "memory"])
    }

    @Test("another runtime is a problem naming provided.al2023")
    func runtime() throws {
        let finding = try #require(Doctor.functionFindings(Self.function(runtime: "provided.al2")).first)
        #expect(finding.severity == .problem && finding.check == "runtime")
        #expect(finding.fix.contains("provided.al2023"))
    }

    @Test("a short timeout and a lavish memory size are warnings")
    func timeoutAndMemory() {
        let findings = Doctor.functionFindings(Self.function(timeout: 3, memory: 3008))
        #expect(findings.first { $0.check == "timeout" }?.severity == .warning)
        #expect(findings.first { $0.check == "memory" }?.severity == .warning)
    }

    @Test(
        "a setting the function refuses is a problem naming it, as the function's own parser names it",
        arguments: [
            ("MAX_PATHS", "5000"), ("CLOUDFRONT_DISTRIBUTION_ID", "not-an-id"), ("TAG_RULES", "*.html"),
            ("QUIET_SECONDS", "10"), ("DISTRIBUTION_DISCOVERY", "maybe"),
        ])
    func badSetting(variable: String, value: String) throws {
        var environment = ["CLOUDFRONT_DISTRIBUTION_ID": "E2QWRUHAPOMQZL"]
        environment[variable] = value
        let (findings, configuration) = Doctor.environmentFindings(Self.function(environment: environment))
        #expect(configuration == nil)
        let finding = try #require(findings.first)
        #expect(finding.severity == .problem)
        #expect(finding.message.hasPrefix(variable))
        #expect(finding.fix.contains(variable))
    }

    @Test("an environment Lambda cannot decrypt is a problem")
    func undecryptable() {
        var function = Self.function()
        function.environmentError = "Lambda was unable to decrypt the environment variables (KMSAccessDeniedException)"
        let (findings, configuration) = Doctor.environmentFindings(function)
        #expect(configuration == nil && findings.first?.severity == .problem)
    }

    @Test("reserved concurrency 0 is a problem; none or some is ok")
    func concurrency() {
        #expect(Doctor.concurrencyFinding(0).severity == .problem)
        #expect(Doctor.concurrencyFinding(nil).severity == .ok)
        #expect(Doctor.concurrencyFinding(5).severity == .ok)
    }
}
