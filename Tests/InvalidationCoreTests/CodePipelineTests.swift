import InvalidationCore
import JSONSupport
import Testing

@Suite("CodePipeline jobs")
struct CodePipelineTests {
    @Test("the job is recognised; UserParameters and the continuation token are read, the credentials are not")
    func decodes() throws {
        let event = EventDecoder.decode(try Fixture.bytes("aws/codepipeline.json"))
        #expect(event.source == .codePipeline)
        let job = try #require(event.pipelineJob)
        #expect(job.id == "11111111-abcd-1111-abcd-111111abcdef")
        #expect(job.userParameters.contains("EDFDVBD632BHDS5"))
        #expect(job.continuationToken == nil)
        #expect(!"\(job)".contains("PIPELINE"), "the artifact credentials are not kept")
    }

    @Test(
        "UserParameters forms",
        arguments: [
            ("", PipelineRequest()),
            ("  ", PipelineRequest()),
            ("E1ABC", PipelineRequest(distributionIds: ["E1ABC"])),
            (#"{"distributionId":"E1"}"#, PipelineRequest(distributionIds: ["E1"])),
            (#"{"distributionIds":["E1","E2","E1"]}"#, PipelineRequest(distributionIds: ["E1", "E2"])),
            (
                #"{"distributionId":"E1","paths":["/a b.html","/a%20b.html","/x/*","/q?v=1"],"wait":true,"maxWaitSeconds":90}"#,
                PipelineRequest(
                    distributionIds: ["E1"], paths: ["/a%20b.html", "/x/*", "/q?v=1"], wait: true, maxWaitSeconds: 90)
            ),
            (
                #"{"paths":["/ü~#.html","/100%","/%7e"]}"#,
                PipelineRequest(paths: ["/%C3%BC%7E%23.html", "/100%25", "/%7e"])
            ),
            // Tags alone invalidate only the tags, not the default /*; with or without #, repeats dropped.
            (##"{"tags":["html","#Docs","HTML"]}"##, PipelineRequest(paths: [], tags: ["#html", "#Docs"])),
            (
                #"{"distributionId":"E1","tags":["html"],"paths":["/index.html"]}"#,
                PipelineRequest(distributionIds: ["E1"], paths: ["/index.html"], tags: ["#html"])
            ),
        ])
    func parses(text: String, request: PipelineRequest) throws {
        #expect(try PipelineRequest(userParameters: text) == request)
    }

    @Test(
        "bad UserParameters fail with a reason a person can act on",
        arguments: [
            ("e1lower", "not a CloudFront distribution id"),
            ("{nope", "not valid JSON"),
            (#"{"distributionID":"E1"}"#, "unknown member \"distributionID\""),
            (#"{"distributionIds":[]}"#, "non-empty array"),
            (#"{"distributionId":5}"#, "must be a string"),
            (#"{"paths":["index.html"]}"#, "must start with /"),
            (#"{"paths":["/a*/b"]}"#, "a wildcard must be last"),
            (#"{"paths":[]}"#, "non-empty array"),
            (#"{"tags":[]}"#, "tags must be a non-empty array"),
            (#"{"tags":"html"}"#, "tags must be a non-empty array"),
            (#"{"tags":["html","a,b"]}"#, #"cache tag "a,b" holds a comma"#),
            (#"{"tags":["pages*"]}"#, #"cache tag "pages*" holds *"#),
            (#"{"tags":["a b"]}"#, #"cache tag "a b" holds a space"#),
            (#"{"tags":["html"],"tags":["docs"]}"#, #"duplicate member "tags""#),
            (#"{"wait":"yes"}"#, "wait must be true or false"),
            (#"{"tags":["html"],"forceTags":"yes"}"#, "forceTags must be true or false"),
            (#"{"maxWaitSeconds":0}"#, "maxWaitSeconds"),
            (#"{"maxWaitSeconds":1.5}"#, "maxWaitSeconds"),
            (#"{"maxWaitSeconds":-9223372036854775808}"#, "maxWaitSeconds"),
            (#"{"maxWaitSeconds":99999999999999999999}"#, "maxWaitSeconds"),
            ("[1]", "not an object"),
            (#"{"distributionId":"E1","distributionId":"E2"}"#, "duplicate member \"distributionId\""),
            (#"{"paths":["/a"],"wait":true,"paths":["/*"]}"#, "duplicate member \"paths\""),
            // A `*` followed by a combining mark is one Character, but CloudFront sees the `*` byte before the end.
            ("{\"paths\":[\"/a*\u{301}\"]}", "a wildcard must be last"),
            ("{\"paths\":[\"/a*\u{301}/b\"]}", "a wildcard must be last"),
        ])
    func rejects(text: String, reason: String) {
        #expect {
            try PipelineRequest(userParameters: text)
        } throws: { error in
            (error as? InputError)?.message.contains(reason) == true
        }
    }

    @Test("the caller reference derives from the job id: the same job twice gives the same requests")
    func callerReference() throws {
        let job = try #require(PipelineJob(event: try JSON.parse(try Fixture.bytes("aws/codepipeline.json"))))
        let first = Planner.requests(forJob: job, targets: ["E1", "E2"], paths: ["/*"])
        let again = Planner.requests(forJob: job, targets: ["E1", "E2"], paths: ["/*"])
        #expect(first == again)
        #expect(first.map(\.target.key) == ["E1", "E2"])
        var other = job
        other.id = "22222222-abcd-1111-abcd-111111abcdef"
        #expect(
            Planner.requests(forJob: other, targets: ["E1"], paths: ["/*"])[0].callerReference
                != first[0].callerReference)
    }

    @Test("the wait state round-trips through its token, and only its own tokens are read")
    func waitState() {
        let state = PipelineWaitState(
            startedAt: 1_700_000_000, maxWaitSeconds: 600,
            invalidations: [
                .init(target: "E1", invalidationId: "I1"), .init(target: "E2", invalidationId: "I2"),
            ])
        let now: Int64 = 1_700_000_100
        #expect(PipelineWaitState(token: state.token, now: now) == state)
        #expect(state.token.count <= PipelineWaitState.maximumTokenLength)
        #expect(PipelineWaitState(token: "garbage", now: now) == nil)
        #expect(PipelineWaitState(token: #"{"v":2}"#, now: now) == nil)
    }

    /// Anyone allowed to invoke the function can send a token: each of these once crashed it or would make a job wait
    /// forever, or put a foreign string into a request path.
    @Test(
        "a crafted continuation token is refused, never trusted or trapped on",
        arguments: [
            #"{"v":1,"start":-9223372036854775808,"max":600,"inv":[["E1","I1"]]}"#,
            #"{"v":1,"start":9223372036854775807,"max":600,"inv":[["E1","I1"]]}"#,
            #"{"v":1,"start":99999999999999999999,"max":600,"inv":[["E1","I1"]]}"#,
            #"{"v":1,"start":1700000000.5,"max":600,"inv":[["E1","I1"]]}"#,
            #"{"v":1,"start":1700000000,"max":-1,"inv":[["E1","I1"]]}"#,
            #"{"v":1,"start":1700000000,"max":9223372036854775807,"inv":[["E1","I1"]]}"#,
            #"{"v":1,"start":1700000000,"max":600,"inv":[]}"#,
            #"{"v":1,"start":1700000000,"max":600,"inv":[["E1","../../distribution/E2"]]}"#,
            #"{"v":1,"start":1700000000,"max":600,"inv":[["e1","I1"]]}"#,
            #"{"v":1,"start":1700000000,"max":600,"max":1,"inv":[["E1","I1"]]}"#,
            // Started a day in the future: it would never time out.
            #"{"v":1,"start":1700086500,"max":600,"inv":[["E1","I1"]]}"#,
        ])
    func craftedTokens(token: String) {
        #expect(PipelineWaitState(token: token, now: 1_700_000_100) == nil)
    }

    @Test("the time a job has waited never traps")
    func elapsed() {
        let state = PipelineWaitState(startedAt: 1_700_000_000, maxWaitSeconds: 600, invalidations: [])
        #expect(state.elapsed(now: 1_700_000_090) == 90)
        #expect(state.elapsed(now: Int64.min) < 0)
    }
}
