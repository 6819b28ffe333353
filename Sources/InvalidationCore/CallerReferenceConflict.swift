import Digests
import Formats

extension Planner {
    /// The reference to submit under once after a CallerReference conflict: derived from the conflicting one, so a
    /// redelivery of the same work takes the same path and stays idempotent.
    public static func conflictReference(for reference: String) -> String {
        "cfinv-" + Hex.string(SHA256Hasher.hash(Array("conflict\n\(reference)".utf8)).prefix(20))
    }

    /// A short digest of a path list (16 hex digits of SHA-256 over the paths, one per line), for log lines that
    /// must tell two batches apart without listing thousands of paths.
    public static func digestHex(_ paths: [String]) -> String {
        Hex.string(Array(SHA256Hasher.hash(lines: paths)).prefix(8))
    }
}
