import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a handler makes of one invocation.
public typealias InvocationResult = Result<[UInt8], FunctionError>

/// The custom-runtime loop: next, handle, respond or report the error, and again.
///
/// The handler never throws: every failure of the function is a `FunctionError` it returns, so one bad event cannot
/// end the process. Only a broken Runtime API ends the loop (Lambda then restarts the sandbox).
public enum RuntimeLoop {
    /// Runs until the Runtime API fails or `maximumInvocations` (tests) is reached.
    /// - Returns: the error that ended the loop, nil when the invocation limit was reached.
    @discardableResult
    public static func run(
        client: some RuntimeAPIClient, logger: Logger, maximumInvocations: Int? = nil,
        handler: (Invocation, Logger) async -> InvocationResult
    ) async -> RuntimeAPIError? {
        var handled = 0
        while maximumInvocations.map({ handled < $0 }) ?? true {
            let invocation: Invocation
            do {
                invocation = try await client.next()
            } catch {
                logger.error("runtime API failed, stopping", ["error": error.description])
                return error
            }
            handled += 1
            // As Lambda's own runtimes do: the X-Ray trace header of this invocation, for code that reads it.
            if let traceId = invocation.traceId, !traceId.isEmpty {
                setenv("_X_AMZN_TRACE_ID", traceId, 1)
            } else {
                unsetenv("_X_AMZN_TRACE_ID")
            }
            let scoped = logger.with("requestId", invocation.requestId)
            let result = await handler(invocation, scoped)
            do {
                switch result {
                case .success(let body):
                    do {
                        try await client.respond(requestId: invocation.requestId, body: body)
                    } catch  where error.statusCode == 413 {
                        let tooLarge = FunctionError(
                            errorType: "Function.ResponseSizeTooLarge",
                            errorMessage: "response of \(body.count) bytes exceeds Lambda's limit")
                        scoped.error("response too large", ["bytes": String(body.count)])
                        try await client.fail(requestId: invocation.requestId, error: tooLarge)
                    }
                case .failure(let error):
                    try await client.fail(requestId: invocation.requestId, error: error)
                }
            } catch {
                scoped.error("runtime API refused the result, stopping", ["error": error.description])
                return error
            }
        }
        return nil
    }
}
