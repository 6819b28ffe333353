import InvalidationCore
import JSONSupport
import Testing

@Suite("Targets: tenants and roles in the map, UserParameters and keys")
struct CloudFrontTargetTests {
    static let role = "arn:aws:iam::111122223333:role/edge/invalidator"
    static let other = "arn:aws:iam::444455556666:role/invalidator"

    @Test("a key reads back as the target it was written from; a distribution's key is its id, as before")
    func keys() throws {
        let targets: [CloudFrontTarget] = [
            .distribution("E2QWRUHAPOMQZL"), .tenant("dt_2wjDZi3hD1"), .distribution("E1", roleArn: Self.role),
            .tenant("dt-x_1", roleArn: Self.role),
        ]
        for target in targets { #expect(CloudFrontTarget(key: target.key) == target) }
        #expect(CloudFrontTarget.distribution("E2QWRUHAPOMQZL").key == "E2QWRUHAPOMQZL")
        #expect(CloudFrontTarget.tenant("dt_1", roleArn: Self.role).key == "tenant:dt_1|" + Self.role)
        for bad in [
            "", "e1", "tenant:", "tenant:dt/1", "tenant:dt 1", "E1|", "E1|arn:aws:iam::1111:role/x",
            "E1|arn:aws:iam::111122223333:user/x", "E1|arn:aws:sts::111122223333:role/x",
            "E1|arn:aws:iam::111122223333:role/", "E1/../x",
        ] {
            #expect(CloudFrontTarget(key: bad) == nil, "\(bad)")
        }
    }

    @Test("role ARNs: an IAM role of a 12-digit account, with a path and STS's name characters")
    func roleArns() {
        #expect(CloudFrontTarget.isRoleArn(Self.role))
        #expect(CloudFrontTarget.isRoleArn("arn:aws-cn:iam::111122223333:role/a+b=c,d.e@f-g_h"))
        #expect(!CloudFrontTarget.isRoleArn("arn:aws:iam::111122223333:role/a|b"))
        #expect(!CloudFrontTarget.isRoleArn("arn:aws:iam::111122223333:policy/x"))
        #expect(!CloudFrontTarget.isRoleArn("arn:aws:iam:us-east-1:111122223333:role/x"))
        #expect(CloudFrontTarget.account(ofRoleArn: Self.role) == "111122223333")
    }

    @Test("the map takes ids, tenant: targets and objects with a role and external id, mixed in one list")
    func map() throws {
        let map = try DistributionMap(
            json: """
                {"site": ["E1", "tenant:dt_a", {"id": "E2", "roleArn": "\(Self.role)", "externalId": "ext-1"}],
                 "shared/acme": {"tenant": "dt_acme", "roleArn": "\(Self.role)", "externalId": "ext-1"},
                 "other": {"id": "E3", "roleArn": "\(Self.other)"}}
                """)
        #expect(
            map.targets["site"] == [
                DistributionTarget(.distribution("E1")), DistributionTarget(.distribution("E2", roleArn: Self.role)),
                DistributionTarget(.tenant("dt_a")),
            ])
        #expect(
            map.targets["shared"] == [DistributionTarget(.tenant("dt_acme", roleArn: Self.role), keyPrefix: "acme/")])
        #expect(map.externalIds == [Self.role: "ext-1"])
        #expect(map.targets["other"]?.first?.target.roleArn == Self.other)
    }

    @Test(
        "a map target that cannot work is refused naming the entry, never the external id",
        arguments: [
            (#"{"site": "tenant:"}"#, "not a CloudFront distribution id"),
            (#"{"site": {"id": "E1", "tenant": "dt_a"}}"#, "exactly one target"),
            (#"{"site": {"roleArn": "arn:aws:iam::111122223333:role/x"}}"#, "exactly one target"),
            (#"{"site": {"id": "E1", "roleArn": "arn:aws:iam::111122223333:user/x"}}"#, "not an IAM role"),
            (#"{"site": {"id": "E1", "externalId": "secret-ext"}}"#, "no roleArn"),
            (#"{"site": {"id": "E1", "role": "x"}}"#, "unknown member \"role\""),
            (#"{"site": []}"#, "empty array"),
            (#"{"site": 7}"#, "not a distribution id"),
            (
                #"{"site-a": {"id": "E1", "roleArn": "arn:aws:iam::111122223333:role/x", "externalId": "secret-ext"}, "#
                    + #""site-b": {"id": "E2", "roleArn": "arn:aws:iam::111122223333:role/x", "externalId": "secret-two"}}"#,
                "another externalId"
            ),
            (
                #"{"site-a": {"id": "E1", "roleArn": "arn:aws:iam::111122223333:role/x"}, "#
                    + #""site-b": {"id": "E2", "roleArn": "arn:aws:iam::111122223333:role/x", "externalId": "secret-ext"}}"#,
                "another entry does not give it"
            ),
        ])
    func mapRefusals(json: String, expected: String) {
        do {
            _ = try DistributionMap(json: json)
            Issue.record("accepted \(json)")
        } catch {
            #expect(error.message.contains(expected), "\(error.message)")
            #expect(!error.message.contains("secret"), "an external id was echoed: \(error.message)")
        }
    }

    @Test("UserParameters: tenantIds, roleArn and externalId give the job's targets, each through the role")
    func userParameters() throws {
        let request = try PipelineRequest(
            userParameters: #"{"distributionId": "E1", "tenantIds": ["dt_a", "dt_b", "dt_a"], "roleArn": ""#
                + Self.role + #"", "externalId": "ext-1"}"#)
        #expect(
            request.targets == [
                .distribution("E1", roleArn: Self.role), .tenant("dt_a", roleArn: Self.role),
                .tenant("dt_b", roleArn: Self.role),
            ])
        #expect(request.externalId == "ext-1")
        #expect(try PipelineRequest(userParameters: #"{"tenantIds": ["dt_a"]}"#).targets == [.tenant("dt_a")])
        #expect(try PipelineRequest(userParameters: "E1").targets == [.distribution("E1")])
    }

    @Test(
        "UserParameters that cannot work fail the job naming the member",
        arguments: [
            (#"{"tenantIds": []}"#, "tenantIds must be"),
            (#"{"tenantIds": ["dt/1"]}"#, "not a distribution tenant id"),
            (#"{"distributionId": "E1", "roleArn": "arn:aws:iam::1:role/x"}"#, "roleArn must be"),
            (#"{"distributionId": "E1", "externalId": "secret-ext"}"#, "without a roleArn"),
            (#"{"roleArn": "arn:aws:iam::111122223333:role/x"}"#, "without distributionId"),
            (
                #"{"distributionId": "E1", "roleArn": "arn:aws:iam::111122223333:role/x", "externalId": "s"}"#,
                "2 to 1224"
            ),
        ])
    func userParameterRefusals(text: String, expected: String) {
        do {
            _ = try PipelineRequest(userParameters: text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.message.contains(expected), "\(error.message)")
            #expect(!error.message.contains("secret"))
        }
    }

    @Test("a tenant's and a role's target survive the flush message and the continuation token")
    func carried() throws {
        let target = CloudFrontTarget.tenant("dt_acme", roleArn: Self.role)
        let flush = FlushMessage(target: target, window: 3, due: 1_700_000_000_000)
        let decoded = EventDecoder.decode(
            Array(
                #"{"Records":[{"messageId":"m1","eventSource":"aws:sqs","body":\#(JSON.quote(flush.body))}]}"#.utf8))
        #expect(decoded.flushes.map(\.1) == [flush])
        let state = PipelineWaitState(
            startedAt: 1_800_000_000, maxWaitSeconds: 600,
            invalidations: [.init(target: target, invalidationId: "I1"), .init(target: "E1", invalidationId: "I2")])
        #expect(PipelineWaitState(token: state.token, now: 1_800_000_010) == state)
        // A token written before targets could be tenants or roles still reads.
        let old = #"{"v":1,"start":1800000000,"max":600,"inv":[["E1","I2"]]}"#
        #expect(PipelineWaitState(token: old, now: 1_800_000_010)?.invalidations.first?.target == "E1")
    }

    @Test("a tenant and a distribution of one bucket are planned apart; a role makes another target")
    func planned() {
        let event = EventDecoder.decode(
            Array(
                #"{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"shared"},"object":{"key":"acme/a.html"}}},{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"shared"},"object":{"key":"beta/b.html"}}}]}"#
                    .utf8))
        let targets = [
            DistributionTarget(.tenant("dt_acme"), originPath: "/acme"),
            DistributionTarget(.tenant("dt_beta", roleArn: Self.role), originPath: "/beta"),
            DistributionTarget(.distribution("E1"), originPath: ""),
        ]
        let plan = Planner.plan(event, targets: { _ in targets })
        #expect(plan.invalidations.map(\.target.key) == ["E1", "tenant:dt_acme", "tenant:dt_beta|" + Self.role])
        #expect(plan.invalidations.map(\.paths) == [["/acme/a.html", "/beta/b.html"], ["/a.html"], ["/b.html"]])
    }
}
