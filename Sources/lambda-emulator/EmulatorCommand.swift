import ArgumentParser
import Foundation
import JSONSupport
import LambdaEmulator
import LocalAWS

/// Runs a `bootstrap` under a local Lambda Runtime API, the way Lambda runs it, and reports each answer.
@main
struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lambda-emulator",
        abstract: "Run a custom-runtime bootstrap locally: deliver events, print the answers as JSON lines.",
        discussion: """
            The process gets this environment (plus --env) and AWS_LAMBDA_RUNTIME_API. Its logs go to standard \
            error; standard output has one JSON object per event, then one summary object with the init time \
            (process start to the first GET /next). Exit status: 0 when every event was answered, 1 otherwise.
            With --codepipeline the one event is a CodePipeline job: a local CodePipeline answers the job's \
            result (AWS_ENDPOINT_URL_CODEPIPELINE points at it) and the job is invoked again with each \
            continuation token until it ends; the calls and the job's final state are printed.
            """)

    @Option(name: .long, help: ArgumentHelp("The executable to run.", valueName: "path"))
    var bootstrap: String

    @Option(name: .long, help: ArgumentHelp("An event file to deliver (repeatable, in order).", valueName: "file"))
    var event: [String] = []

    @Option(name: .long, help: ArgumentHelp("An extra environment variable (repeatable).", valueName: "name=value"))
    var env: [String] = []

    @Option(name: .long, help: ArgumentHelp("Per-invocation time limit.", valueName: "seconds"))
    var timeout: Int = 30

    @Flag(name: .long, help: "Simulate CodePipeline for a job event (see above).")
    var codepipeline = false

    @Option(name: .long, help: ArgumentHelp("With --codepipeline: pause between re-invocations.", valueName: "seconds"))
    var interval: Double = 1

    func run() async throws {
        var environment = ProcessInfo.processInfo.environment
        for pair in env {
            guard let equals = pair.firstIndex(of: "=") else { throw ValidationError("--env wants name=value") }
            environment[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        var events: [[UInt8]] = []
        for path in event {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("cannot read event file \(path)")
            }
            events.append(Array(data))
        }
        let report: SessionReport
        var pipelineSummary: [String: Any] = [:]
        if codepipeline {
            guard events.count == 1 else { throw ValidationError("--codepipeline takes exactly one --event") }
            let fake = try await FakeCodePipeline.start()
            let simulation = try await PipelineSimulation.run(
                executable: bootstrap, environment: environment, jobEvent: events[0], codePipeline: fake,
                interval: .milliseconds(Int(interval * 1000)))
            report = simulation.session
            pipelineSummary["codePipelineCalls"] = await fake.calls.map { call -> [String: Any] in
                [
                    "operation": call.operation, "body": jsonOrText(Array(JSON.serialize(call.body).utf8)),
                    "error": call.error ?? NSNull(),
                ]
            }
            pipelineSummary["jobState"] = simulation.finalState?.description ?? "unknown"
            await fake.shutdown()
        } else {
            report = try await EmulatorSession.run(
                executable: bootstrap, environment: environment, events: events, timeout: .seconds(timeout))
        }
        FileHandle.standardError.write(Data(report.logs.utf8))
        for (index, invocation) in report.invocations.enumerated() {
            var line: [String: Any] = [
                "event": event[min(index, event.count - 1)], "requestId": invocation.requestId,
                "milliseconds": milliseconds(invocation.duration),
            ]
            switch invocation.outcome {
            case .response(let body):
                line["outcome"] = "response"
                line["body"] = jsonOrText(body)
            case .error(let body, let errorType):
                line["outcome"] = "error"
                line["errorType"] = errorType ?? ""
                line["body"] = jsonOrText(body)
            }
            print(serialize(line))
        }
        var summary: [String: Any] = [
            "answered": report.invocations.count, "events": events.count,
            "initMilliseconds": report.initDuration.map(milliseconds) ?? NSNull(),
        ]
        if let initError = report.initError { summary["initError"] = jsonOrText(initError) }
        if let status = report.exitStatus { summary["exitStatus"] = Int(status) }
        if report.timedOut { summary["timedOut"] = true }
        summary.merge(pipelineSummary) { $1 }
        print(serialize(summary))
        let unanswered = codepipeline ? report.invocations.isEmpty : report.invocations.count != events.count
        if unanswered || report.initError != nil { throw ExitCode.failure }
    }

    func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return (Double(seconds) * 1000 + Double(attoseconds) / 1e15).rounded(toPlaces: 3)
    }

    func jsonOrText(_ body: [UInt8]) -> Any {
        (try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]))
            ?? String(decoding: body, as: UTF8.self)
    }

    func serialize(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

extension Double {
    func rounded(toPlaces places: Int) -> Double {
        let factor = Foundation.pow(10, Double(places))
        return (self * factor).rounded() / factor
    }
}
