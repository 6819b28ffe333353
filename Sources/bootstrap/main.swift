import Invalidator
import LambdaRuntime
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

// One event loop thread: the function makes one request at a time (the Runtime API's, then CloudFront's or
// CodePipeline's), so a second loop thread costs start-up time and memory and buys nothing. Set before anything
// creates the shared event loop group (the HTTP client does, on the first request).
NIOSingletons.groupLoopCountSuggestion = 1

// The process environment is read here and nowhere else.
let status = await LambdaApplication.run(environment: ProcessEnvironment.current())
exit(status)
