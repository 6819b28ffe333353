import Foundation

/// One event's result in a session.
public struct SessionInvocation: Sendable {
    public var requestId: String
    public var outcome: InvocationOutcome
    /// From queueing the event to its answer.
    public var duration: Duration
}

/// What a session saw.
public struct SessionReport: Sendable {
    public var invocations: [SessionInvocation]
    /// The body of `POST /runtime/init/error`, when the runtime reported one.
    public var initError: [UInt8]?
    /// Set when the process ended by itself before the session stopped it.
    public var exitStatus: Int32?
    /// From process start to the first `GET /next` (the init phase), when it got that far.
    public var initDuration: Duration?
    /// Set when an answer did not come in time.
    public var timedOut = false
    /// The process's standard output and error (its logs).
    public var logs: String
    /// From process start to the first invocation's answer (init plus the first invocation's work).
    public var coldStart: Duration?
    /// The process's peak resident set (`VmHWM`, kB) just before it was stopped.
    public var peakResidentKilobytes: Int?

    /// The body of each answered invocation, as text.
    public var responses: [String] {
        invocations.compactMap {
            if case .response(let body) = $0.outcome { return String(decoding: body, as: UTF8.self) }
            return nil
        }
    }
}

/// Why a session could not run.
public struct EmulatorError: Error, CustomStringConvertible {
    public var description: String
}

/// Runs a real `bootstrap` executable as Lambda would: a fresh process with `AWS_LAMBDA_RUNTIME_API` pointing at a
/// `RuntimeAPIServer`, events delivered one at a time, each answer awaited, then the process stopped.
public enum EmulatorSession {
    /// - Parameters:
    ///   - environment: the process's whole environment (nothing is inherited).
    ///   - timeout: the per-invocation limit, also sent as the deadline.
    public static func run(
        executable: String, environment: [String: String], events: [[UInt8]], timeout: Duration = .seconds(30)
    ) async throws -> SessionReport {
        try await run(executable: executable, environment: environment, timeout: timeout) { index, _ in
            index < events.count ? events[index] : nil
        }
    }

    /// Like `run(executable:environment:events:timeout:)`, with each event chosen once the previous one was
    /// answered (CodePipeline's re-invocations carry what the previous invocation reported).
    /// - Parameter nextEvent: given the number of events delivered so far and their results; nil ends the session.
    public static func run(
        executable: String, environment: [String: String], timeout: Duration = .seconds(30),
        nextEvent: @Sendable (Int, [SessionInvocation]) async -> [UInt8]?
    ) async throws -> SessionReport {
        let server = try await RuntimeAPIServer.start()
        let logURL = FileManager.default.temporaryDirectory.appendingPathComponent("emulator-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: logURL)
        defer {
            try? logHandle.close()
            try? FileManager.default.removeItem(at: logURL)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        var childEnvironment = environment
        childEnvironment["AWS_LAMBDA_RUNTIME_API"] = server.endpoint
        childEnvironment["AWS_LAMBDA_FUNCTION_NAME"] = childEnvironment["AWS_LAMBDA_FUNCTION_NAME"] ?? "invalidator"
        process.environment = childEnvironment
        process.standardOutput = logHandle
        process.standardError = logHandle
        process.standardInput = FileHandle.nullDevice
        process.terminationHandler = { finished in
            let status = finished.terminationStatus
            Task { await server.notify(.processExited(status)) }
        }
        let started = ContinuousClock.now
        try process.run()

        var report = SessionReport(invocations: [], initError: nil, exitStatus: nil, initDuration: nil, logs: "")
        var index = 0
        events: while let event = await nextEvent(index, report.invocations) {
            defer { index += 1 }
            let requestId = "req-\(index + 1)-\(UUID().uuidString.prefix(8).lowercased())"
            let deadline = Int64(Date().timeIntervalSince1970 * 1000) + Int64(timeout.components.seconds) * 1000
            let queued = ContinuousClock.now
            await server.enqueue(requestId: requestId, body: event, deadlineMilliseconds: deadline)
            let timer = server.timer(timeout + .seconds(5), label: requestId)
            defer { timer.cancel() }
            while true {
                switch await server.nextNotice() {
                case .outcome(let id, let outcome)?:
                    guard id == requestId else { continue }
                    let answered = ContinuousClock.now
                    if report.coldStart == nil { report.coldStart = answered - started }
                    report.invocations.append(
                        SessionInvocation(requestId: id, outcome: outcome, duration: answered - queued))
                    continue events
                case .initError(let body)?:
                    report.initError = body
                    break events
                case .processExited(let status)?:
                    report.exitStatus = status
                    break events
                case .timedOut(let label)?:
                    guard label == requestId else { continue }
                    report.timedOut = true
                    break events
                case nil:
                    break events
                }
            }
        }
        if report.initError != nil && report.exitStatus == nil {
            // A runtime exits after reporting an init error; give it a moment to do so.
            let timer = server.timer(.seconds(5), label: "exit")
            if case .processExited(let status)? = await server.nextNotice() {
                report.exitStatus = status
            }
            timer.cancel()
        }
        if let first = await server.firstNextAt { report.initDuration = first - started }
        if report.exitStatus == nil {
            // Stop the process and wait for its exit notice (not waitUntilExit: a blocked thread of Swift's
            // cooperative pool would stall every other task of the process).
            report.peakResidentKilobytes = Self.peakResident(pid: process.processIdentifier)
            // SIGTERM first, as Lambda does; then SIGKILL after a second, as Lambda does after its grace period. A
            // child of this process may start with SIGTERM blocked or ignored (Foundation's `Process` passes on the
            // signal mask of the thread that spawns it), and would otherwise hold the session for the full wait.
            if process.isRunning { process.terminate() }
            let grace = server.timer(.seconds(1), label: "terminate")
            var killTimer: Task<Void, Never>?
            waiting: while let notice = await server.nextNotice() {
                switch notice {
                case .processExited: break waiting
                case .timedOut("terminate"):
                    kill(process.processIdentifier, SIGKILL)
                    killTimer = server.timer(.seconds(10), label: "kill")
                case .timedOut("kill"): break waiting
                default: continue
                }
            }
            grace.cancel()
            killTimer?.cancel()
        }
        await server.shutdown()
        try? logHandle.synchronize()
        report.logs = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        return report
    }

    /// `VmHWM` of a running process, in kB (Linux).
    static func peakResident(pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.dropFirst(6).split(whereSeparator: \.isWhitespace).first ?? "")
        }
        return nil
    }
}
