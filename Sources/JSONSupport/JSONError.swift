/// Why a document is not JSON, with the byte offset where parsing stopped.
///
/// The offset is what a person needs to find the fault in a pipeline's `UserParameters` or in `DISTRIBUTION_MAP`;
/// the message never quotes the document's values beyond a duplicated member name.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var description: String { "\(message) at byte \(offset)" }
}
