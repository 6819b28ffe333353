import Foundation
import LambdaRuntime
import Testing

@Suite("The process environment, read from environ")
struct ProcessEnvironmentTests {
    @Test("it holds what ProcessInfo holds, values with '=' and empty values included")
    func matchesProcessInfo() {
        setenv("PROCESS_ENVIRONMENT_TEST_EQUALS", "a=b=c", 1)
        setenv("PROCESS_ENVIRONMENT_TEST_EMPTY", "", 1)
        let environment = ProcessEnvironment.current()
        #expect(environment["PROCESS_ENVIRONMENT_TEST_EQUALS"] == "a=b=c")
        #expect(environment["PROCESS_ENVIRONMENT_TEST_EMPTY"] == "")
        #expect(environment == ProcessInfo.processInfo.environment)
    }
}
