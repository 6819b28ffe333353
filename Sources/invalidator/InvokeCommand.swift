import AWSClient
import ArgumentParser
import FoundationEssentials
import Invalidator
import LambdaRuntime

struct Invoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the function's handler on an event, in process, against the configured endpoints.",
        discussion: """
            Prints the handler's response (for an SQS batch: batchItemFailures). Logs go to standard error. \
            Credentials and region as for invalidate (the AWS_* variables, else AWS_PROFILE's profile in \
            ~/.aws/credentials and ~/.aws/config); a region is needed, as in Lambda.
            """)

    @OptionGroup var input: EventOption

    @Option(
        name: .long, help: ArgumentHelp("The invocation's time limit (1 to 900, as Lambda's).", valueName: "seconds"))
    var timeout: Int = 60

    func validate() throws {
        guard (1...900).contains(timeout) else {
            throw ValidationError("--timeout must be a whole number of seconds from 1 to 900 (got \(timeout))")
        }
    }

    func run() async throws {
        let payload = try input.payload()
        let environment = try awsEnvironment()
        let logger = Logger.fromEnvironment(environment, write: { FileHandleStandardError.write($0) })
        let handler: InvalidationHandler
        do {
            handler = try await Startup(environment: environment, transport: HTTP1Transport())
                .makeHandler(logger: logger)
        } catch {
            throw fail(error.description)
        }
        let deadline = Int64(Date().timeIntervalSince1970 * 1000) + Int64(timeout) * 1000
        let invocation = Invocation(requestId: "local-invoke", deadlineMilliseconds: deadline, body: payload)
        switch await handler.handle(invocation, logger: logger.with("requestId", invocation.requestId)) {
        case .success(let body):
            print(String(decoding: body, as: UTF8.self))
        case .failure(let error):
            print(error.json)
            throw ExitCode.failure
        }
    }
}
