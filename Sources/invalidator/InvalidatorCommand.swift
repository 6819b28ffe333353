import AWSClient
import ArgumentParser
import CShims
import FoundationEssentials
import InvalidationCore
import Invalidator
import LambdaRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// The command-line companion of the `bootstrap` function: the same configuration, decoder, planner and client.
@main
struct InvalidatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invalidator",
        abstract: "Plan and run CloudFront invalidations for S3 changes, as the Lambda function does.",
        discussion: """
            Reads the same environment as the function: CLOUDFRONT_DISTRIBUTION_ID or CF_DIST_ID_LABEL, \
            MAX_PATHS, INDEX_DOCUMENT, LOG_LEVEL, AWS_REGION (CloudFront alone needs none), the AWS_* \
            credentials (or AWS_PROFILE's profile in ~/.aws/credentials and ~/.aws/config) and \
            AWS_ENDPOINT_URL[_<SERVICE>].
            Exit status: 0 success, 1 failure, 2 a --wait that timed out, 64 usage error.
            """,
        subcommands: [
            Invalidate.self, Status.self, Plan.self, Invoke.self, Events.self, Cost.self, DoctorCommand.self,
        ])

    /// Like ArgumentParser's own `main`, but a usage error is one line on standard error (`invalidator: reason`)
    /// and exit status 64, so scripts can show it as is.
    static func main() async {
        // Line by line even into a pipe: a CI log shows progress as it happens, and created ids survive a kill.
        cshims_line_buffered_stdout()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
            } else {
                let message = message(for: error)
                if !message.isEmpty {
                    let oneLine = message.split(whereSeparator: \.isNewline).first.map(String.init) ?? message
                    FileHandleStandardError.write("invalidator: \(oneLine)")
                }
            }
            Glibc.exit(code.rawValue)
        }
    }
}
