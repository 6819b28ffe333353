import AWSClient
import AWSTestSupport
import FoundationEssentials
import InvalidationCore
import Invalidator
import JSONSupport
import LambdaRuntime
import LocalAWS
import Synchronization
import Testing

/// A transport that runs `hook` before the first request `matches` accepts (once), then sends it on: to interleave
/// another invocation's work at an exact point of this one.
final class Interposer: HTTPTransport {
    let inner: any HTTPTransport
    let matches: @Sendable (HTTPRequest) -> Bool
    let hook: Mutex<(@Sendable () async -> Void)?>

    init(
        _ inner: any HTTPTransport, matches: @escaping @Sendable (HTTPRequest) -> Bool,
        hook: @escaping @Sendable () async -> Void
    ) {
        self.inner = inner
        self.matches = matches
        self.hook = Mutex(hook)
    }

    func send(_ request: HTTPRequest, timeout: Duration) async throws(AWSError) -> HTTPResponse {
        if matches(request),
            let hook = self.hook.withLock({ hook in
                defer { hook = nil }; return hook
            })
        {
            await hook()
        }
        return try await inner.send(request, timeout: timeout)
    }

    static func target(_ operation: String) -> @Sendable (HTTPRequest) -> Bool {
        { request in request.headers.contains { $0.name == "x-amz-target" && $0.value.hasSuffix("." + operation) } }
    }
}

@Suite("Coalescing: one invalidation per deploy")
struct CoalescerTests {
    @Test("batches are recorded and acknowledged; one flush, when quiet, makes one invalidation of the whole window")
    func recordThenFlush() async throws {
        let bed = try await CoalescingBed()
        #expect(await bed.upload(["docs/a.html", "docs/b.html"], prefix: "x") == [])
        bed.clock.advance(by: .seconds(5))
        #expect(await bed.upload(["docs/c.html", "img/d.png"], prefix: "y") == [])
        #expect(await bed.invalidations.isEmpty)
        let sent = await bed.flushes()
        #expect(sent.count == 1)  // one flush per window, scheduled by the first batch
        #expect(await bed.keys().filter { $0.hasPrefix("W#") }.count == 2)
        // The flush arrives 20 s after the first batch: 5 s too early for the second; it reschedules.
        #expect(await bed.deliverFlush(0) == [])
        #expect(await bed.invalidations.isEmpty)
        let again = await bed.flushes()
        #expect(again.count == 2)
        #expect(bed.log.all.contains { $0.contains("flush early") })
        #expect(await bed.deliverFlush(1) == [])
        let created = await bed.invalidations
        #expect(created.count == 1)
        #expect(Set(created[0].paths) == ["/docs/a.html", "/docs/b.html", "/docs/c.html", "/img/d.png"])
        #expect(created[0].callerReference.hasPrefix("cfwin-0-0-"))
        // The window is marked flushed and its items removed; the next change opens window 1.
        #expect(await bed.keys() == ["D#000000000000", "HEAD"])
        #expect(await bed.upload(["e.html"], prefix: "z") == [])
        #expect(await bed.keys().contains { $0.hasPrefix("W#000000000001#") })
        #expect(bed.log.all.contains { $0.contains("recorded for one invalidation per deploy") })
        let metrics = bed.log.all.filter { $0.hasPrefix("{\"_aws\"") }
        #expect(metrics.filter { $0.contains("\"ChangesRecorded\":2,\"WindowsFlushed\":0") }.count == 2)
        #expect(metrics.contains { $0.contains("\"InvalidationsCreated\":1") && $0.contains("\"WindowsFlushed\":1") })
    }

    @Test("a busy window is flushed MAX_DELAY_SECONDS after its first change, however busy")
    func maximumDelay() async throws {
        let bed = try await CoalescingBed(quietSeconds: 10, maxDelaySeconds: 30)
        var delivered = 0
        for second in 0..<45 {
            #expect(await bed.upload(["f\(second).html"], prefix: "s\(second)-") == [])
            bed.clock.advance(by: .seconds(1))
            let sent = await bed.flushes()
            while delivered < sent.count, sent[delivered].visible <= bed.clock.now() {
                _ = await bed.invoke([("flush-\(delivered)", sent[delivered].body)])
                delivered += 1
            }
        }
        let created = await bed.invalidations
        #expect(created.count == 1)
        let first = try #require(created.first)
        #expect(first.created.timeIntervalSince(bed.clock.now()) <= -14)  // at 30-31 s, not at the end
        #expect(first.callerReference.hasPrefix("cfwin-0-"))
    }

    @Test("a writer racing a flush (reads HEAD, the flush seals, then it writes) records in the next window")
    func writerRacesFlush() async throws {
        let sealing = Mutex<CoalescingBed?>(nil)
        let bed = try await CoalescingBed { routing in
            Interposer(routing, matches: Interposer.target("TransactWriteItems")) {
                // The first transaction of the racing batch: a flush of window 0 seals it first.
                guard let bed = sealing.withLock({ $0 }) else { return }
                let flush = FlushMessage(target: .distribution(CoalescingBed.distribution), window: 0, due: 0)
                let coalescer = bed.handler.coalescer!
                _ = try? await coalescer.prepare(flush, queueURL: CoalescingBed.queueURL, context: AWSCallContext())
            }
        }
        // Window 0 holds one earlier batch; it is due, and its flush is scheduled (so the racing batch schedules
        // none, and only the window condition stands between it and the sealed window).
        let scheduled = String(Int64(bed.clock.now().timeIntervalSince1970 * 1000) + 10_000)
        await bed.dynamoDB.seed(
            [
                "pk": .string("E1"), "sk": .string("HEAD"), "window": .number("0"), "first": .number("0"),
                "last": .number("0"), "flushAt": .number(scheduled),
            ], in: CoalescingBed.table)
        await bed.dynamoDB.seed(
            [
                "pk": .string("E1"), "sk": .string("W#000000000000#early#0"), "paths": .string("/early.html"),
                "changes": .number("1"),
            ], in: CoalescingBed.table)
        sealing.withLock { $0 = bed }
        #expect(await bed.upload(["late.html"]) == [])
        let keys = await bed.keys()
        #expect(keys.contains { $0.hasPrefix("W#000000000001#") })  // recorded in the next window
        #expect(!keys.contains { $0.hasPrefix("W#000000000000#") && !$0.contains("early") })
        // Flushing both windows covers both changes, each once.
        _ = await bed.invoke([("f0", FlushMessage(target: "E1", window: 0, due: 0).body)])
        _ = await bed.deliverAllFlushes()
        let created = await bed.invalidations
        #expect(created.map(\.paths) == [["/early.html"], ["/late.html"]])
    }

    @Test("crash after CreateInvalidation, before the window is marked flushed: the redelivery replays it")
    func crashBeforeMark() async throws {
        let bed = try await CoalescingBed()
        #expect(await bed.upload(["a.html", "b.html"]) == [])
        await bed.dynamoDB.injectFaults { info in info.operation == "PutItem" ? .internalServerError : nil }
        #expect(await bed.deliverFlush(0, id: "flush") == ["flush"])  // handed back
        #expect(await bed.invalidations.count == 1)
        await bed.dynamoDB.injectFaults(nil)
        #expect(await bed.deliverFlush(0, id: "flush") == [])  // redelivered: same reference, replayed
        #expect(await bed.invalidations.count == 1)
        #expect(await bed.cloudFront.counters.idempotentReplays == 1)
        #expect(await bed.keys() == ["D#000000000000", "HEAD"])
        // Once more (a third delivery): the window is flushed; nothing is sent.
        #expect(await bed.deliverFlush(0, id: "flush") == [])
        #expect(await bed.cloudFront.counters.requests == 2)
    }

    @Test("a flush racing another's finish (mark written, items half deleted) never submits the remainder")
    func flushRacesFinish() async throws {
        let other = Mutex<CoalescingBed?>(nil)
        let bed = try await CoalescingBed { routing in
            Interposer(routing, matches: Interposer.target("Query")) {
                // Just before this flush reads the window, another flush of it finishes: it writes the mark and
                // deletes one of the two items.
                guard let bed = other.withLock({ $0 }) else { return }
                let aws = try! AWSConfiguration(environment: environment)
                let dynamoDB = try! DynamoDBClient(configuration: aws, transport: routing, clock: bed.clock)
                let keys = await bed.keys().filter { $0.hasPrefix("W#") }
                try! await dynamoDB.putItem(
                    table: CoalescingBed.table,
                    item: ["pk": .string("E1"), "sk": .string("D#000000000000"), "invalidations": .string("I1")])
                try! await dynamoDB.deleteItem(
                    table: CoalescingBed.table, key: ["pk": .string("E1"), "sk": .string(keys[0])])
            }
        }
        #expect(await bed.upload(["a.html"], prefix: "x") == [])
        #expect(await bed.upload(["b.html"], prefix: "y") == [])
        other.withLock { $0 = bed }
        #expect(await bed.deliverFlush(0) == [])
        #expect(await bed.invalidations.isEmpty)
        #expect(bed.log.all.contains { $0.contains("flushed already") })
    }

    @Test("two deliveries of one flush at once create one invalidation")
    func concurrentFlushes() async throws {
        let bed = try await CoalescingBed()
        #expect(await bed.upload(["a.html"]) == [])
        let body = (await bed.flushes())[0].body
        bed.clock.advance(by: .seconds(21))
        async let one = bed.invoke([("f1", body)])
        async let two = bed.invoke([("f2", body)])
        #expect(await one == [])
        #expect(await two == [])
        #expect(await bed.invalidations.count == 1)
    }

    @Test("what cannot be recorded is handed back: a failed send, a failed transaction; nothing half-scheduled")
    func recordFailures() async throws {
        let bed = try await CoalescingBed()
        await bed.sqs.injectFaults { _ in .answer(status: 403, code: "AccessDenied", message: "not allowed") }
        #expect(await bed.upload(["a.html", "b.html"]) == ["m0", "m1"])
        #expect(await bed.keys().isEmpty)
        await bed.sqs.injectFaults(nil)
        await bed.dynamoDB.injectFaults { info in
            info.operation == "TransactWriteItems"
                ? .answer(status: 400, code: "AccessDeniedException", message: "no")
                : nil
        }
        #expect(await bed.upload(["a.html", "b.html"]) == ["m0", "m1"])
        #expect(bed.log.all.contains { $0.contains("handing the messages back") })
        await bed.dynamoDB.injectFaults(nil)
        // The redelivery records; its flush makes the invalidation (the extra flush sent earlier stands down).
        #expect(await bed.upload(["a.html", "b.html"]) == [])
        _ = await bed.deliverAllFlushes()
        #expect(await bed.invalidations.map { Set($0.paths) } == [["/a.html", "/b.html"]])
    }

    @Test("DynamoDB throttling and lost answers are retried as every AWS call is, and the batch is recorded once")
    func throttlingRetried() async throws {
        let bed = try await CoalescingBed()
        let faults = Mutex([FakeDynamoDB.Fault.provisionedThroughputExceeded, .afterWork(.reset)])
        await bed.dynamoDB.injectFaults { info in
            info.operation == "TransactWriteItems" ? faults.withLock { $0.isEmpty ? nil : $0.removeFirst() } : nil
        }
        #expect(await bed.upload(["a.html"]) == [])
        #expect(await bed.keys().filter { $0.hasPrefix("W#") }.count == 1)
        _ = await bed.deliverAllFlushes()
        #expect(await bed.invalidations.count == 1)
    }

    @Test("a schedule overdue by a minute is presumed lost: the next batch schedules another flush")
    func staleSchedule() async throws {
        let bed = try await CoalescingBed()
        #expect(await bed.upload(["a.html"]) == [])
        #expect(await bed.flushes().count == 1)
        bed.clock.advance(by: .seconds(50))  // 30 s overdue: the flush may just be late
        #expect(await bed.upload(["b.html"], prefix: "n") == [])
        #expect(await bed.flushes().count == 1)
        bed.clock.advance(by: .seconds(40))  // 70 s overdue: lost (dead-lettered, say)
        #expect(await bed.upload(["c.html"], prefix: "o") == [])
        #expect(await bed.flushes().count == 2)
        _ = await bed.deliverFlush(1)
        #expect(await bed.invalidations.map { Set($0.paths) } == [["/a.html", "/b.html", "/c.html"]])
        // The original, delivered late, finds its window flushed.
        _ = await bed.invoke([("late", (await bed.flushes())[0].body)])
        #expect(await bed.invalidations.count == 1)
    }

    @Test("without a queue the function invalidates at once and says why; without a table a flush is noted")
    func noQueueNoTable() async throws {
        let bed = try await CoalescingBed()
        let direct = await bed.handler.handle(
            invocation(Array(s3Body("a.html").utf8), clock: bed.clock, seconds: 60), logger: bed.log.logger)
        #expect((try? direct.get()) != nil)
        #expect(await bed.invalidations.count == 1)
        #expect(bed.log.all.contains { $0.contains("came from no queue") })
        var plain = bed.handler
        plain.coalescer = nil
        let log = RecordingLog()
        let flush = FlushMessage(target: "E1", window: 0, due: 0)
        _ = await plain.handle(
            invocation(CoalescingBed.event([("f", flush.body)]), clock: bed.clock, seconds: 60), logger: log.logger)
        #expect(log.all.contains { $0.contains("COALESCE_TABLE is not set") })
    }

    @Test(
        "COALESCE_TABLE and its companions are checked at start-up",
        arguments: [
            (["COALESCE_TABLE": "a"], "COALESCE_TABLE"),
            (["COALESCE_TABLE": "arn:aws:dynamodb:eu-west-1:1:table/x"], "COALESCE_TABLE"),
            (["COALESCE_TABLE": "windows", "QUIET_SECONDS": "0"], "QUIET_SECONDS"),
            (["COALESCE_TABLE": "windows", "QUIET_SECONDS": "901"], "QUIET_SECONDS"),
            (["COALESCE_TABLE": "windows", "QUIET_SECONDS": "60", "MAX_DELAY_SECONDS": "30"], "MAX_DELAY_SECONDS"),
            (["COALESCE_TABLE": "windows", "COALESCE_QUEUE_URL": "site-changes"], "COALESCE_QUEUE_URL"),
            (["QUIET_SECONDS": "20"], "QUIET_SECONDS"),
        ])
    func configuration(variables: [String: String], variable: String) {
        #expect(throws: ConfigurationError.self) { try Configuration(environment: variables) }
        do {
            _ = try Configuration(environment: variables)
        } catch {
            #expect(error.variable == variable)
        }
    }

    @Test("the defaults, and a configured queue")
    func configurationDefaults() throws {
        #expect(try Configuration(environment: [:]).coalescing == nil)
        let settings = try #require(
            try Configuration(environment: [
                "COALESCE_TABLE": "site-windows", "COALESCE_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/1/q",
            ]).coalescing)
        #expect(settings.table == "site-windows")
        #expect(settings.quietSeconds == 20)
        #expect(settings.maxDelaySeconds == 300)
        #expect(settings.queueURL == "https://sqs.eu-west-1.amazonaws.com/1/q")
    }
}
