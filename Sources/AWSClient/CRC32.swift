/// CRC-32 as zlib computes it (IEEE 802.3: reflected polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF),
/// the checksum DynamoDB sends in `x-amz-crc32`. None of the package's dependencies exposes one, and a table-driven
/// byte loop is all a response body of a few kilobytes needs.
enum CRC32 {
    /// One entry per byte value: the register after shifting that byte through eight rounds.
    static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1
        }
        return value
    }

    /// The checksum of `bytes` (`binascii.crc32(bytes) & 0xffffffff` in Python).
    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }
}
