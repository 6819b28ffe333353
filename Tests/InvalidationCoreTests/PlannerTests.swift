import InvalidationCore
import JSONSupport
import Testing

@Suite("Planning one request per distribution")
struct PlannerTests {
    func sqsEvent(_ messages: [(id: String, keys: [String])], sequencer: String = "01") -> DecodedEvent {
        let records = messages.map { message in
            let s3 = message.keys.map { key in
                "{\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"site\"},"
                    + "\"object\":{\"key\":\(JSON.quote(key)),\"sequencer\":\"\(sequencer)\"}}}"
            }
            let body = "{\"Records\":[\(s3.joined(separator: ","))]}"
            return "{\"messageId\":\"\(message.id)\",\"eventSource\":\"aws:sqs\",\"body\":\(JSON.quote(body))}"
        }
        return EventDecoder.decode(Array("{\"Records\":[\(records.joined(separator: ","))]}".utf8))
    }

    @Test("all changes of a batch become one request per distribution, paths sorted and de-duplicated")
    func oneRequestPerDistribution() {
        let event = sqsEvent([
            (id: "m1", keys: ["b.html", "docs/index.html"]),
            (id: "m2", keys: ["a+b.html", "b.html"]),
            (id: "m3", keys: ["docs/"]),
        ])
        let plan = Planner.plan(event) { _ in ["E1", "E2"] }
        #expect(plan.invalidations.map(\.target.key) == ["E1", "E2"])
        #expect(plan.invalidations[0].paths == ["/a%20b.html", "/b.html", "/docs/", "/docs/index.html"])
        #expect(plan.invalidations[0].paths == plan.invalidations[1].paths)
        #expect(plan.invalidations[0].messageIds == ["m1", "m2", "m3"])
        #expect(plan.notes.isEmpty)
    }

    @Test("the caller reference repeats for a redelivered batch, whatever the record order")
    func callerReferenceIsStable() {
        let first = Planner.plan(sqsEvent([(id: "m1", keys: ["a"]), (id: "m2", keys: ["b"])])) { _ in ["E1"] }
        let again = Planner.plan(sqsEvent([(id: "m2", keys: ["b"]), (id: "m1", keys: ["a"])])) { _ in ["E1"] }
        #expect(first.invalidations[0].callerReference == again.invalidations[0].callerReference)
        #expect(first.invalidations[0].callerReference.hasPrefix("cfinv-"))
        #expect(first.invalidations[0].callerReference.count == 46)
    }

    @Test("different batches never share a caller reference, even with the same paths")
    func callerReferenceDiffers() {
        let base = Planner.plan(sqsEvent([(id: "m1", keys: ["a"])])) { _ in ["E1"] }.invalidations[0]
        let otherMessage = Planner.plan(sqsEvent([(id: "m9", keys: ["a"])])) { _ in ["E1"] }.invalidations[0]
        let otherUpload = Planner.plan(sqsEvent([(id: "m1", keys: ["a"])], sequencer: "02")) { _ in ["E1"] }
            .invalidations[0]
        let otherIndex = Planner.plan(
            sqsEvent([(id: "m1", keys: ["a"])]), settings: PlannerSettings(indexDocument: "a")
        ) { _ in ["E1"] }.invalidations[0]
        #expect(base.paths == otherMessage.paths)
        let references = [base, otherMessage, otherUpload, otherIndex].map(\.callerReference)
        #expect(Set(references).count == 4)
    }

    @Test("more paths than CloudFront allows in one request are split, each part with its own reference")
    func splitsAtLimits() {
        let paths = (0..<7).map { "/f\($0).html" } + ["/w1*", "/w2*", "/w3*"]
        let planned = Planner.requests(
            userPaths: paths, targets: ["E1"], run: "test",
            settings: PlannerSettings(maximumPathsPerRequest: 3, maximumWildcardsPerRequest: 2))
        #expect(planned.count == 4)
        for invalidation in planned {
            #expect(invalidation.paths.filter { !$0.hasSuffix("*") }.count <= 3)
            #expect(invalidation.paths.filter { $0.hasSuffix("*") }.count <= 2)
        }
        #expect(Set(planned.flatMap(\.paths)).count == 10)
        #expect(Set(planned.map(\.callerReference)).count == 4)
        let again = Planner.requests(
            userPaths: paths.reversed(), targets: ["E1"], run: "test",
            settings: PlannerSettings(maximumPathsPerRequest: 3, maximumWildcardsPerRequest: 2))
        #expect(again == planned, "order does not matter")
        let nextRun = Planner.requests(userPaths: paths, targets: ["E1"], run: "another deploy")
        #expect(nextRun.first?.callerReference != planned.first?.callerReference, "a later run is a new batch")
    }

    @Test("a key longer than S3's 1,024 bytes (a forged event) is refused, never cut into a wildcard")
    func overlongKey() {
        let long = String(repeating: "é", count: 513)
        let plan = Planner.plan(sqsEvent([(id: "m1", keys: [long, "ok.html"])])) { _ in ["E1"] }
        #expect(plan.invalidations.first?.paths == ["/ok.html"])
        #expect(plan.notes.count == 1 && plan.notes[0].reason.contains("1026 bytes"))
    }

    @Test("a key holding * never becomes a wildcard: it is refused with a note, and the rest is invalidated")
    func starInKey() {
        let plan = Planner.plan(sqsEvent([(id: "m1", keys: ["*", "img/a*b.png", "ok.html"])])) { _ in ["E1"] }
        #expect(plan.invalidations.first?.paths == ["/ok.html"])
        #expect(plan.notes.count == 2)
        #expect(plan.notes.allSatisfy { $0.severity == .rejected && $0.reason.contains("never sent as a wildcard") })
    }

    @Test("a bucket without a distribution leaves its records unserved, with one note per bucket")
    func unservedBucket() {
        let plan = Planner.plan(sqsEvent([(id: "m1", keys: ["a"]), (id: "m2", keys: ["b"])])) {
            (_: String) -> [String] in []
        }
        #expect(plan.invalidations.isEmpty)
        #expect(plan.notes.count == 1)
        #expect(plan.notes[0].reason.contains("site"))
    }

    @Test("only the messages whose changes a request carries are attributed to it")
    func attribution() {
        let keys = ["a", "b", "c", "d"]
        let plan = Planner.plan(
            sqsEvent(keys.map { (id: "m-\($0)", keys: [$0]) }), settings: PlannerSettings(maximumPathsPerRequest: 2)
        ) { _ in ["E1"] }
        #expect(plan.invalidations.map(\.messageIds) == [["m-a", "m-b"], ["m-c", "m-d"]])
    }
}

@Suite("Distribution targets, origin domains and the distribution map")
struct TargetTests {
    @Test(
        "an origin domain matches the bucket's REST or website endpoint in any form",
        arguments: [
            ("site.s3.amazonaws.com", true), ("site.s3.eu-west-1.amazonaws.com", true),
            ("site.s3-eu-west-1.amazonaws.com", true), ("site.s3.dualstack.eu-west-1.amazonaws.com", true),
            ("site.s3-website-us-east-1.amazonaws.com", true), ("site.s3-website.eu-central-1.amazonaws.com", true),
            ("SITE.S3.AMAZONAWS.COM.", true), ("site.s3.cn-north-1.amazonaws.com.cn", true),
            ("site.s3-fips.us-gov-west-1.amazonaws.com", true),
            ("othersite.s3.amazonaws.com", false), ("site.example.com", false),
            ("site.s3.amazonaws.com.evil.com", false),
            ("site-old.s3.amazonaws.com", false), ("site.s3.dualstack.amazonaws.com", false),
            ("site.s3-website.amazonaws.com", false), ("s3.amazonaws.com", false), ("site.cloudfront.net", false),
        ])
    func domains(domain: String, matches: Bool) {
        #expect(S3OriginDomain.matches(domain, bucket: "site") == matches)
    }

    @Test("bucket names with dots match only themselves")
    func dottedBuckets() {
        #expect(S3OriginDomain.matches("www.example.com.s3.amazonaws.com", bucket: "www.example.com"))
        #expect(!S3OriginDomain.matches("www.example.com.s3.amazonaws.com", bucket: "example.com"))
    }

    @Test("OriginPath maps keys: inside the path served without it, outside not sent")
    func originPath() {
        let target = DistributionTarget(distributionId: "E1", originPath: "/prod")
        #expect(target.keyPrefix == "prod/")
        #expect(target.servedKey("prod/a.html") == "a.html")
        #expect(target.servedKey("production/a.html") == nil)
        #expect(target.servedKey("a.html") == nil)
        #expect(DistributionTarget(distributionId: "E1", originPath: "").servedKey("a.html") == "a.html")
    }

    @Test("a distribution with several origins on the bucket gets the union; keys outside every origin path get a note")
    func union() {
        let event = EventDecoder.decode(
            Array(
                """
                {"Records":[
                  {"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"site"},"object":{"key":"prod/index.html"}}},
                  {"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"site"},"object":{"key":"staging/a.css"}}},
                  {"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"site"},"object":{"key":"other/x"}}}
                ]}
                """.utf8))
        let plan = Planner.plan(event) { _ in
            [
                DistributionTarget(distributionId: "E1", originPath: "/prod"),
                DistributionTarget(distributionId: "E1", originPath: "/staging"),
                DistributionTarget(distributionId: "E2", originPath: "/staging"),
            ]
        }
        #expect(plan.invalidations.map(\.target.key) == ["E1", "E2"])
        #expect(plan.invalidations[0].paths == ["/", "/a.css", "/index.html"])
        #expect(plan.invalidations[1].paths == ["/a.css"])
        #expect(plan.notes.map(\.record) == ["record 2"])
    }

    @Test("DISTRIBUTION_MAP: bucket or bucket/prefix to one id or several")
    func distributionMap() throws {
        let map = try DistributionMap(json: #"{"site":"E1","shared/docs":["E2","E3"],"shared":"E4"}"#)
        #expect(map.targets["site"] == [DistributionTarget(distributionId: "E1")])
        #expect(
            map.targets["shared"] == [
                DistributionTarget(distributionId: "E2", keyPrefix: "docs/"),
                DistributionTarget(distributionId: "E3", keyPrefix: "docs/"), DistributionTarget(distributionId: "E4"),
            ])
    }

    @Test(
        "a DISTRIBUTION_MAP that cannot work says why",
        arguments: [#"{}"#, "[]", "{", #"{"site":"e1"}"#, #"{"site":5}"#, #"{"site":[]}"#, #"{"/x":"E1"}"#])
    func badMap(text: String) {
        #expect(throws: InputError.self) { try DistributionMap(json: text) }
    }

    /// Each of these once started cleanly, and then every change of the bucket was acknowledged with nothing
    /// invalidated: no event names a bucket so.
    @Test(
        "a DISTRIBUTION_MAP entry that can never match is refused, naming the entry",
        arguments: [
            (#"{"site/docs/*":"E1"}"#, "site/docs/*", "a prefix is literal"),
            (#"{"site/docs?":"E1"}"#, "site/docs?", "a prefix is literal"),
            (#"{"s3://site":"E1"}"#, "s3://site", "not URLs or ARNs"),
            (#"{"arn:aws:s3:::site":"E1"}"#, "arn:aws:s3:::site", "not URLs or ARNs"),
            (#"{"site.s3.amazonaws.com":"E1"}"#, "site.s3.amazonaws.com", #"name the bucket instead ("site")"#),
            (
                #"{"site.s3-website-eu-west-1.amazonaws.com/docs":"E1"}"#,
                "site.s3-website-eu-west-1.amazonaws.com/docs",
                #"("site")"#
            ),
            (#"{"my site":"E1"}"#, "my site", "does not start with a bucket name"),
            (#"{"ab":"E1"}"#, "ab", "does not start with a bucket name"),
            (#"{"site":"E1","site":"E2"}"#, "site", "duplicate member"),
        ])
    func unmatchableMap(text: String, entry: String, reason: String) {
        #expect {
            try DistributionMap(json: text)
        } throws: { error in
            let message = (error as? InputError)?.message ?? ""
            return message.contains(JSON.quote(entry)) && message.contains(reason)
        }
    }

    @Test("legacy bucket names, dotted names and nested prefixes are still accepted")
    func acceptedMap() throws {
        let map = try DistributionMap(
            json: #"{"Legacy_Bucket":"E1","www.example.com":"E2","site/a/b/":"E3"}"#)
        #expect(map.targets["Legacy_Bucket"] == [DistributionTarget(distributionId: "E1")])
        #expect(map.targets["www.example.com"] == [DistributionTarget(distributionId: "E2")])
        #expect(map.targets["site"] == [DistributionTarget(distributionId: "E3", keyPrefix: "a/b/")])
    }
}
