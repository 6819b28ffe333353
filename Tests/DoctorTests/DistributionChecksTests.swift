import AWSClient
import AWSTestSupport
import Invalidator
import LocalAWS
import Testing

@testable import Doctor

/// The distribution and permission checks against the strict fakes: FakeCloudFront (moto's CloudFront has no
/// `CacheTagConfig`) and FakeIAM (moto has no `SimulatePrincipalPolicy`).
@Suite("doctor: distributions and permissions")
struct DistributionChecksTests {
    static let role = "arn:aws:iam::123456789012:role/invalidator-role"
    static let functionArn = "arn:aws:lambda:us-east-1:123456789012:function:invalidator"

    static func doctor(cloudFront: FakeCloudFront, iam: FakeIAM) throws -> Doctor {
        let configuration = AWSConfiguration(
            region: "us-east-1", credentials: AWSCredentials(accessKeyId: "AKIDOPERATOR", secretAccessKey: "secret"))
        let transport = RoutingTransport(["cloudfront": cloudFront.transport, "iam": iam.transport])
        return try Doctor(configuration: configuration, transport: transport)
    }

    static func facts(_ environment: [String: String]) throws -> Doctor.FunctionFacts {
        let function = LambdaFunctionConfiguration(
            functionName: "invalidator", functionArn: functionArn, runtime: "provided.al2023", handler: "bootstrap",
            role: role, timeoutSeconds: 60, memoryMB: 128, environment: environment)
        return Doctor.FunctionFacts(function: function, configuration: try Configuration(environment: environment))
    }

    @Test("an origin path that does not match KEY_PREFIX is a problem; a matching one is ok")
    func originPath() async throws {
        let cloudFront = FakeCloudFront.inProcess()
        await cloudFront.addDistribution("E1SITE", origins: [("site.s3.amazonaws.com", "/production")])
        let doctor = try Self.doctor(cloudFront: cloudFront, iam: FakeIAM())
        let mismatched = try Self.facts(["CLOUDFRONT_DISTRIBUTION_ID": "E1SITE", "KEY_PREFIX": "staging"])
        let (findings, ids) = await doctor.checkDistributions(
            DoctorTarget(buckets: ["site"]), buckets: ["site"], facts: mismatched)
        #expect(ids == ["E1SITE"])
        let problem = try #require(findings.first { $0.check == "origin path" })
        #expect(problem.severity == .problem)
        #expect(problem.fix.contains("KEY_PREFIX") && problem.fix.contains("production"))
        let matched = try Self.facts(["CLOUDFRONT_DISTRIBUTION_ID": "E1SITE", "KEY_PREFIX": "production/"])
        let (good, _) = await doctor.checkDistributions(
            DoctorTarget(buckets: ["site"]), buckets: ["site"], facts: matched)
        #expect(good.allSatisfy { $0.severity == .ok })
        #expect(good.contains { $0.check == "origin" && $0.message.contains("keys under production/") })
    }

    @Test("a distribution serving another bucket, or none, is a problem")
    func otherBucketOrMissing() async throws {
        let cloudFront = FakeCloudFront.inProcess()
        await cloudFront.addDistribution("E1OTHER", origins: [("other.s3.us-east-1.amazonaws.com", "")])
        let doctor = try Self.doctor(cloudFront: cloudFront, iam: FakeIAM())
        let report = await doctor.run(DoctorTarget(buckets: [], distributionIds: ["E1OTHER", "E1GONE"]))
        #expect(report.findings("distribution E1OTHER", "origins").first?.severity == .ok)
        #expect(report.findings("distribution E1GONE", "exists").first?.severity == .problem)
        let facts = try Self.facts(["CLOUDFRONT_DISTRIBUTION_ID": "E1OTHER"])
        let (findings, _) = await doctor.checkDistributions(DoctorTarget(), buckets: ["site"], facts: facts)
        #expect(findings.contains { $0.check == "origin" && $0.severity == .problem })
    }

    @Test("TAG_RULES for a distribution without CacheTagConfig is a warning naming the header")
    func cacheTags() async throws {
        let cloudFront = FakeCloudFront.inProcess()
        await cloudFront.addDistribution("E1PLAIN", origins: [("site.s3.amazonaws.com", "")])
        await cloudFront.addDistribution(
            "E1TAGGED", origins: [("site.s3.amazonaws.com", "")], cacheTagHeader: "x-amz-meta-cache-tag")
        let doctor = try Self.doctor(cloudFront: cloudFront, iam: FakeIAM())
        let facts = try Self.facts([
            "CLOUDFRONT_DISTRIBUTION_ID": "E1PLAIN,E1TAGGED", "TAG_RULES": "*.html=html",
        ])
        let (findings, _) = await doctor.checkDistributions(DoctorTarget(), buckets: ["site"], facts: facts)
        let plain = try #require(findings.first { $0.area == "distribution E1PLAIN" && $0.check == "cache tags" })
        #expect(plain.severity == .warning && plain.message.contains("no CacheTagConfig"))
        #expect(plain.fix.contains("x-amz-meta-cache-tag"))
        let tagged = try #require(findings.first { $0.area == "distribution E1TAGGED" && $0.check == "cache tags" })
        #expect(tagged.severity == .ok)
    }

    @Test("invalidations in progress are measured against 3,000 paths and 15 wildcards")
    func inProgress() {
        #expect(Doctor.inProgressFinding(paths: 10, wildcards: 1, area: "d").severity == .ok)
        #expect(Doctor.inProgressFinding(paths: 2400, wildcards: 0, area: "d").severity == .warning)
        #expect(Doctor.inProgressFinding(paths: 0, wildcards: 15, area: "d").severity == .problem)
    }

    @Test("the paths and wildcards of the invalidations in progress are read (GetInvalidation) and counted")
    func inProgressRead() async throws {
        let cloudFront = FakeCloudFront.inProcess()
        await cloudFront.addDistribution("E1BUSY", pollsUntilComplete: 100)
        let doctor = try Self.doctor(cloudFront: cloudFront, iam: FakeIAM())
        let paths = (1...12).map { "/page\($0).html" } + ["/docs/*", "/img/*"]
        for reference in ["deploy-1", "deploy-2"] {
            _ = try await doctor.clients.cloudFront.createInvalidation(
                distributionId: "E1BUSY", callerReference: reference, paths: paths)
        }
        let findings = await doctor.checkInProgress("E1BUSY", area: "distribution E1BUSY")
        #expect(findings.map(\.message) == ["24 of 3000 file paths, 4 of 15 wildcard paths in progress"])
    }

    @Test("a role without GetDistributionConfig, with TAG_RULES set, is a problem naming the action")
    func roleWithoutGetDistributionConfig() async throws {
        let iam = FakeIAM()
        await iam.putRole(
            Self.role,
            statements: [
                .allow(
                    ["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation", "cloudfront:ListInvalidations"],
                    on: ["arn:aws:cloudfront::123456789012:distribution/*"])
            ])
        let doctor = try Self.doctor(cloudFront: FakeCloudFront.inProcess(), iam: iam)
        let tagged = try Self.facts([
            "CLOUDFRONT_DISTRIBUTION_ID": "E1SITE", "TAG_RULES": "*.html=html",
        ])
        let findings = await doctor.checkPermissions(tagged, distributions: ["E1SITE"])
        #expect(findings.count == 1)
        #expect(findings[0].severity == .problem)
        #expect(findings[0].message.contains("cloudfront:GetDistributionConfig"))
        #expect(!findings[0].message.contains("CreateInvalidation"))
        let plain = try Self.facts(["CLOUDFRONT_DISTRIBUTION_ID": "E1SITE"])
        let ok = await doctor.checkPermissions(plain, distributions: ["E1SITE"])
        #expect(ok.map(\.severity) == [.ok])
        #expect(ok[0].message.contains("all 3 call(s)"))
    }

    @Test("an explicit deny wins; discovery, SSM and coalescing ask for their own calls")
    func neededCalls() async throws {
        let iam = FakeIAM()
        await iam.putRole(Self.role, statements: [.allow(["*"]), .deny(["ssm:GetParameter"])])
        let doctor = try Self.doctor(cloudFront: FakeCloudFront.inProcess(), iam: iam)
        let facts = try Self.facts(["CF_DIST_ID_LABEL": "/site/distributions", "COALESCE_TABLE": "windows"])
        let findings = await doctor.checkPermissions(facts, distributions: [])
        #expect(findings.map(\.severity) == [.problem])
        #expect(findings[0].message.contains("arn:aws:ssm:us-east-1:123456789012:parameter/site/distributions"))
        let discovering = try Self.facts([:])
        let needed = Doctor.needed(
            discovering.configuration!, distributions: [], queues: [], partition: "aws", account: "1", region: "r")
        #expect(needed.map(\.purpose) == ["discovery"])
    }

    @Test("the doctor's own simulation denied is a warning naming iam:SimulatePrincipalPolicy; the rest still runs")
    func simulationDenied() async throws {
        let iam = FakeIAM()
        await iam.denyCaller("AKIDOPERATOR")
        let cloudFront = FakeCloudFront.inProcess()
        await cloudFront.addDistribution("E1SITE", origins: [("site.s3.amazonaws.com", "")])
        let doctor = try Self.doctor(cloudFront: cloudFront, iam: iam)
        let facts = try Self.facts(["CLOUDFRONT_DISTRIBUTION_ID": "E1SITE"])
        let findings = await doctor.checkPermissions(facts, distributions: ["E1SITE"])
        #expect(findings.map(\.severity) == [.warning])
        #expect(findings[0].message.contains("iam:SimulatePrincipalPolicy"))
        let (distributionFindings, _) = await doctor.checkDistributions(DoctorTarget(), buckets: ["site"], facts: facts)
        #expect(distributionFindings.allSatisfy { $0.severity == .ok })
    }

    @Test("GetDistributionConfig denied to the doctor is a warning naming it, and other distributions are checked")
    func doctorDenied() async throws {
        let cloudFront = FakeCloudFront.inProcess()
        await cloudFront.addDistribution("E1SITE", origins: [("site.s3.amazonaws.com", "")])
        await cloudFront.addDistribution("E1DENIED", origins: [("site.s3.amazonaws.com", "")])
        await cloudFront.script("E1DENIED", faults: [.accessDenied])
        let doctor = try Self.doctor(cloudFront: cloudFront, iam: FakeIAM())
        let report = await doctor.run(DoctorTarget(buckets: [], distributionIds: ["E1DENIED", "E1SITE"]))
        let denied = try #require(report.findings("distribution E1DENIED", "configuration").first)
        #expect(denied.severity == .warning && denied.message.contains("cloudfront:GetDistributionConfig"))
        #expect(report.findings("distribution E1SITE", "enabled").first?.severity == .ok)
        #expect(!report.hasProblem)
    }
}
