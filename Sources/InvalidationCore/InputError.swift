/// Why input cannot be used, whoever gave it: a key in an event, a pipeline's `UserParameters`, a distribution map,
/// a path a person wrote. The message names the input and says what would work; it is what a log line, the
/// pipeline's console or the command line shows. The core's one error type.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
