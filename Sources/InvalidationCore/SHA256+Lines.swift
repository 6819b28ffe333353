import Crypto

extension SHA256 {
    /// Adds each line's UTF-8 and a newline: the one form every digest here takes over a list (identities, paths),
    /// so that no two lists hash alike by running together. In place, without an array per line.
    public mutating func update(lines: some Sequence<String>) {
        for line in lines {
            var line = line
            line.withUTF8 { update(bufferPointer: UnsafeRawBufferPointer($0)) }
            withUnsafeBytes(of: UInt8(0x0A)) { update(bufferPointer: $0) }
        }
    }

    /// The digest of a list, one line each.
    public static func hash(lines: some Sequence<String>) -> SHA256.Digest {
        var hasher = SHA256()
        hasher.update(lines: lines)
        return hasher.finalize()
    }
}
