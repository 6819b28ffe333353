import FoundationEssentials
import JSONSupport
import LambdaEmulator
import LambdaRuntime
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A scripted Runtime API: hands out the given invocations, records every result.
final class FakeRuntimeAPIClient: RuntimeAPIClient {
    enum Call: Equatable {
        case respond(String, String)
        case fail(String, FunctionError)
        case initError(FunctionError)
    }
    private let state: Mutex<(invocations: [Invocation], calls: [Call], respondStatus: Int?)>

    init(_ invocations: [Invocation], respondStatus: Int? = nil) {
        state = Mutex((invocations: invocations, calls: [], respondStatus: respondStatus))
    }

    var calls: [Call] { state.withLock { $0.calls } }

    func next() async throws(RuntimeAPIError) -> Invocation {
        let next = state.withLock { $0.invocations.isEmpty ? nil : $0.invocations.removeFirst() }
        guard let next else { throw RuntimeAPIError(message: "no more invocations", statusCode: 500) }
        return next
    }

    func respond(requestId: String, body: [UInt8]) async throws(RuntimeAPIError) {
        let status = state.withLock { state -> Int? in
            state.calls.append(.respond(requestId, String(decoding: body, as: UTF8.self)))
            return state.respondStatus
        }
        if let status { throw RuntimeAPIError(message: "refused", statusCode: status) }
    }

    func fail(requestId: String, error: FunctionError) async throws(RuntimeAPIError) {
        state.withLock { $0.calls.append(.fail(requestId, error)) }
    }

    func initError(_ error: FunctionError) async throws(RuntimeAPIError) {
        state.withLock { $0.calls.append(.initError(error)) }
    }
}

/// Collects log lines.
final class RecordingLog: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    var write: @Sendable (String) -> Void { { line in self.lines.withLock { $0.append(line) } } }
}

@Suite("Runtime loop")
struct RuntimeLoopTests {
    @Test("each invocation's trace header is set as _X_AMZN_TRACE_ID, and cleared when absent")
    func traceEnvironment() async {
        let client = FakeRuntimeAPIClient([
            Invocation(
                requestId: "a", deadlineMilliseconds: 42, traceId: "Root=1-5759e988-bd862e3fe1be46a994272793",
                body: []),
            Invocation(requestId: "b", deadlineMilliseconds: 43, body: []),
        ])
        let seen = Mutex<[String?]>([])
        await RuntimeLoop.run(client: client, logger: Logger(write: { _ in }), maximumInvocations: 2) { _, _ in
            let value = getenv("_X_AMZN_TRACE_ID").map { String(cString: $0) }
            seen.withLock { $0.append(value) }
            return .success([])
        }
        #expect(seen.withLock { $0 } == ["Root=1-5759e988-bd862e3fe1be46a994272793", nil])
    }

    @Test("answers each invocation, reports handler errors, stops when the Runtime API fails")
    func loop() async {
        let client = FakeRuntimeAPIClient([
            Invocation(requestId: "a", deadlineMilliseconds: 42, body: Array("ok".utf8)),
            Invocation(requestId: "b", deadlineMilliseconds: 43, body: Array("fail".utf8)),
        ])
        let log = RecordingLog()
        let seenDeadlines = Mutex<[Int64]>([])
        let ended = await RuntimeLoop.run(client: client, logger: Logger(write: log.write)) { invocation, _ in
            seenDeadlines.withLock { $0.append(invocation.deadlineMilliseconds) }
            if invocation.body == Array("ok".utf8) { return .success(Array("{}".utf8)) }
            return .failure(FunctionError(errorType: "Test.Failure", errorMessage: "it \"failed\"\n"))
        }
        #expect(ended?.statusCode == 500)
        #expect(seenDeadlines.withLock { $0 } == [42, 43])
        #expect(
            client.calls == [
                .respond("a", "{}"),
                .fail("b", FunctionError(errorType: "Test.Failure", errorMessage: "it \"failed\"\n")),
            ])
    }

    @Test("a response Lambda refuses as too large becomes an invocation error")
    func tooLarge() async {
        let client = FakeRuntimeAPIClient(
            [Invocation(requestId: "a", deadlineMilliseconds: 1, body: [])], respondStatus: 413)
        await RuntimeLoop.run(client: client, logger: Logger(write: { _ in }), maximumInvocations: 1) { _, _ in
            .success(Array(repeating: 0x20, count: 10))
        }
        #expect(client.calls.count == 2)
        if case .fail(_, let error) = client.calls.last {
            #expect(error.errorType == "Function.ResponseSizeTooLarge")
        } else {
            Issue.record("expected an error report")
        }
    }

    @Test(
        "error bodies are valid JSON whatever the message holds",
        arguments: ["plain", "quote \" backslash \\", "newline\nand\ttab", "nul \u{0} bell \u{7}", "ü 🎉", ""])
    func errorJSON(message: String) throws {
        let error = FunctionError(errorType: "A.B", errorMessage: message)
        let parsed = try JSON.parse(error.json)
        #expect(parsed["errorMessage"]?.string == message)
        #expect(parsed["errorType"]?.string == "A.B")
        #expect(parsed["stackTrace"] == .array([]))
    }
}

@Suite("Runtime API over HTTP")
struct HTTPRuntimeTests {
    @Test("next, response, error and init error against the project's Runtime API server")
    func overHTTP() async throws {
        let server = try await RuntimeAPIServer.start()
        let client = HTTPRuntimeAPIClient(endpoint: server.endpoint)
        await server.enqueue(requestId: "r-1", body: Array(#"{"k":1}"#.utf8), deadlineMilliseconds: 1_700_000_000_123)
        let invocation = try await client.next()
        #expect(invocation.requestId == "r-1")
        #expect(invocation.deadlineMilliseconds == 1_700_000_000_123)
        #expect(invocation.body == Array(#"{"k":1}"#.utf8))
        #expect(invocation.invokedFunctionArn.hasPrefix("arn:aws:lambda:"))
        try await client.respond(requestId: "r-1", body: Array("done".utf8))
        try await client.fail(requestId: "r-2", error: FunctionError(errorType: "X.Y", errorMessage: "bad \"thing\""))
        try await client.initError(FunctionError(errorType: "Init.Z", errorMessage: "no config"))
        #expect(await server.nextNotice() == .outcome("r-1", .response(Array("done".utf8))))
        guard case .outcome("r-2", .error(let body, let errorType))? = await server.nextNotice() else {
            Issue.record("expected the invocation error")
            return
        }
        #expect(errorType == "X.Y")
        #expect(try JSON.parse(body)["errorMessage"]?.string == "bad \"thing\"")
        guard case .initError(let initBody)? = await server.nextNotice() else {
            Issue.record("expected the init error")
            return
        }
        #expect(try JSON.parse(initBody)["errorType"]?.string == "Init.Z")
        await server.shutdown()
    }
}

@Suite("Logging")
struct LoggerTests {
    @Test("text lines with fields; quoted when ambiguous")
    func text() {
        let log = RecordingLog()
        let logger = Logger(level: .info, format: .text, write: log.write).with("requestId", "r1")
        logger.debug("hidden")
        logger.info("invalidated", ["distribution": "E1", "paths": "a b"])
        #expect(log.all == [#"INFO invalidated requestId=r1 distribution=E1 paths="a b""#])
    }

    @Test("JSON lines Lambda can filter on: level, RFC 3339 timestamp, message, fields")
    func json() throws {
        let log = RecordingLog()
        let logger = Logger(
            level: .debug, format: .json, now: { Date(timeIntervalSince1970: 1_700_000_000.5) }, write: log.write)
        logger.warn("record \"skipped\"\n", ["record": "message 1"])
        let line = try JSON.parse(try #require(log.all.first))
        #expect(line["level"]?.string == "WARN")
        #expect(line["timestamp"]?.string == "2023-11-14T22:13:20.500Z")
        #expect(line["message"]?.string == "record \"skipped\"\n")
        #expect(line["record"]?.string == "message 1")
    }

    @Test(
        "the level comes from AWS_LAMBDA_LOG_LEVEL, else LOG_LEVEL, in any spelling",
        arguments: [
            (["LOG_LEVEL": "WARNING"], LogLevel.warn), (["LOG_LEVEL": "debug"], .debug),
            (["AWS_LAMBDA_LOG_LEVEL": "ERROR", "LOG_LEVEL": "DEBUG"], .error), ([:], .info),
            (["LOG_LEVEL": "chatty"], .info),
        ])
    func levels(environment: [String: String], level: LogLevel) {
        #expect(Logger.fromEnvironment(environment, write: { _ in }).level == level)
    }

    @Test("AWS_LAMBDA_LOG_FORMAT=JSON switches to JSON lines")
    func format() {
        #expect(Logger.fromEnvironment(["AWS_LAMBDA_LOG_FORMAT": "JSON"], write: { _ in }).format == .json)
        #expect(Logger.fromEnvironment(["AWS_LAMBDA_LOG_FORMAT": "Text"], write: { _ in }).format == .text)
    }
}
