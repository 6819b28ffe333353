import Foundation
import JSONSupport
import LambdaEmulator
import Testing

/// The integration bed: moto in server mode (started by `scripts/moto-server run`, which sets MOTO_ENDPOINT), driven
/// through `scripts/aws_fixture.py` (boto3), and the real `bootstrap` under the project's Runtime API emulator.
enum Moto {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var endpoint: String? { ProcessInfo.processInfo.environment["MOTO_ENDPOINT"] }

    /// In CI a missing moto is a failure, not a skip: these tests are the end-to-end proof.
    static var isAvailable: Bool { endpoint != nil || ProcessInfo.processInfo.environment["CI"] == "true" }

    /// The binary under test: the release artifact when built (`make test` builds it first), else the debug build.
    static var bootstrap: String {
        if let path = ProcessInfo.processInfo.environment["BOOTSTRAP_PATH"], !path.isEmpty { return path }
        let artifact = packageRoot.appending(path: ".build/artifact/bootstrap").path
        if FileManager.default.isExecutableFile(atPath: artifact) { return artifact }
        return packageRoot.appending(path: ".build/debug/bootstrap").path
    }

    /// Runs one `aws_fixture.py` subcommand and parses its JSON answer.
    @discardableResult
    static func fixture(_ arguments: String...) async throws -> JSONValue {
        let endpoint = try #require(endpoint, "MOTO_ENDPOINT is not set: run under scripts/moto-server run")
        var environment = ProcessInfo.processInfo.environment
        environment["MOTO_ENDPOINT"] = endpoint
        let result = try await ChildProcess.run(
            "/usr/bin/env", ["python3", packageRoot.appending(path: "scripts/aws_fixture.py").path] + arguments,
            environment: environment)
        guard result.status == 0 else {
            throw FixtureError(description: "aws_fixture.py \(arguments.first ?? ""): \(result.stderr)")
        }
        let data = Data(result.stdout.utf8)
        return try JSON.parse(Array(data))
    }

    /// The environment the function gets in these tests: moto for every service, dummy credentials.
    static func functionEnvironment(_ extra: [String: String]) throws -> [String: String] {
        let endpoint = try #require(endpoint)
        var environment = [
            "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "session-token-that-must-not-be-logged", "AWS_ENDPOINT_URL": endpoint,
            "LOG_LEVEL": "DEBUG", "PATH": "/usr/bin:/bin",
        ]
        environment.merge(extra) { $1 }
        return environment
    }

    /// A name no other test uses, so tests share one moto and run in parallel.
    static func unique(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
}

/// Runs a program to completion, collecting its output (standard error read concurrently, so a chatty child
/// cannot fill a pipe and stall).
enum ChildProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs on a thread of its own: waiting for a child must not block Swift concurrency's few cooperative
    /// threads (two on this machine), or every other test's servers and clients stall with it.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], stdin: String? = nil
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(
                    with: Swift.Result {
                        try runBlocking(executable, arguments, environment: environment, stdin: stdin)
                    })
            }.start()
        }
    }

    private static func runBlocking(
        _ executable: String, _ arguments: [String], environment: [String: String], stdin: String?
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let input = Pipe()
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        if let stdin {
            Thread {
                // The throwing write: a child that exits before reading its input (a usage error, a refusal) must
                // not take the test process down with EPIPE, which the non-throwing `write(_:)` turns into a trap.
                try? input.fileHandleForWriting.write(contentsOf: Data(stdin.utf8))
                try? input.fileHandleForWriting.close()
            }.start()
        }
        let errorData = ErrorOutput()
        Thread { errorData.finish(errors.fileHandleForReading.readDataToEndOfFile()) }.start()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: errorData.wait(), as: UTF8.self))
    }
}

/// Standard error, handed from the reading thread once it reaches end of file.
final class ErrorOutput: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var data = Data()

    func finish(_ value: Data) {
        data = value
        done.signal()
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
