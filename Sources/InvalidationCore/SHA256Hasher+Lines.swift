import Digests

extension SHA256Hasher {
    /// Adds each line's UTF-8 and a newline: the one form every digest here takes over a list (identities, paths),
    /// so that no two lists hash alike by running together. In place, without an array per line.
    public mutating func update(lines: some Sequence<String>) {
        for line in lines {
            var line = line
            line.withUTF8 { update(UnsafeRawBufferPointer($0)) }
            withUnsafeBytes(of: UInt8(0x0A)) { update($0) }
        }
    }

    /// The digest of a list, one line each.
    public static func hash(lines: some Sequence<String>) -> [UInt8] {
        var hasher = SHA256Hasher()
        hasher.update(lines: lines)
        return hasher.finalize()
    }
}
