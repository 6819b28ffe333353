import FoundationEssentials
import Invalidator

#if canImport(Glibc)
    import Glibc
#endif

// The process environment is read here and nowhere else.
let status = await LambdaApplication.run(environment: ProcessInfo.processInfo.environment)
exit(status)
