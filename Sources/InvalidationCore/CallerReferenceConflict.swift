import Crypto

extension Planner {
    /// The reference to submit under once after a CallerReference conflict: derived from the conflicting one, so a
    /// redelivery of the same work takes the same path and stays idempotent.
    public static func conflictReference(for reference: String) -> String {
        "cfinv-" + String(hex(SHA256.hash(data: Array("conflict\n\(reference)".utf8))).prefix(40))
    }

    /// A short digest of a path list (16 hex digits of SHA-256 over the paths, one per line), for log lines that
    /// must tell two batches apart without listing thousands of paths.
    public static func digestHex(_ paths: [String]) -> String {
        var hasher = SHA256()
        for path in paths {
            hasher.update(data: Array(path.utf8))
            hasher.update(data: [0x0A])
        }
        return String(hex(hasher.finalize()).prefix(16))
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        for byte in digest {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
