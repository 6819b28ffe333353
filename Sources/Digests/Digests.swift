import CNIOBoringSSL

// SHA-256, HMAC-SHA256 and MD5: the three digests the function computes (SigV4, CallerReferences, SQS's
// `MD5OfMessageBody`), from BoringSSL, in the copy swift-nio-ssl builds for TLS and links into every binary here.
//
// Why not swift-crypto, which the function used before (issue 19, docs/BENCHMARKS.md): its `Crypto` product links all of
// its object files, and their references to `Data` pull most of FoundationEssentials (property lists,
// `AttributedString`, calendars and time zones, and through them Swift Regex) into `bootstrap`, about 6 MB of its
// 17 MB of code, besides a second copy of BoringSSL. No flag or trait leaves them out. The functions below are
// BoringSSL's own; nothing here computes a digest itself. `CNIOBoringSSL` is not a product of swift-nio-ssl: its
// module is visible through `NIOSSL`, and its API is BoringSSL's, whose functions used here have kept their signatures for a decade. The
// tests check every function against the standards' vectors and against swift-crypto.

/// SHA-256 (FIPS 180-4), fed in parts.
public struct SHA256Hasher {
    public static let byteCount = 32
    private var context = SHA256_CTX()

    public init() {
        SHA256_Init(&context)
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        SHA256_Update(&context, base, bytes.count)
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The text's UTF-8, in place.
    public mutating func update(utf8 text: String) {
        var text = text
        text.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    /// The digest of everything given; the hasher is spent.
    public mutating func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Self.byteCount)
        SHA256_Final(&digest, &context)
        return digest
    }

    public static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var hasher = SHA256Hasher()
        hasher.update(bytes)
        return hasher.finalize()
    }

    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { hash($0) }
    }
}

/// HMAC (RFC 2104) with SHA-256.
public enum HMACSHA256 {
    public static func authenticationCode(for message: UnsafeRawBufferPointer, key: [UInt8]) -> [UInt8] {
        var code = [UInt8](repeating: 0, count: SHA256Hasher.byteCount)
        var length: UInt32 = 0
        let result = key.withUnsafeBytes { key in
            HMAC(
                EVP_sha256(), key.baseAddress, key.count, message.baseAddress?.assumingMemoryBound(to: UInt8.self),
                message.count, &code, &length)
        }
        // It fails only when it cannot allocate; a signature of zeros must never go out.
        precondition(result != nil && length == SHA256Hasher.byteCount, "HMAC-SHA256 failed")
        return code
    }

    public static func authenticationCode(for message: [UInt8], key: [UInt8]) -> [UInt8] {
        message.withUnsafeBytes { authenticationCode(for: $0, key: key) }
    }
}

/// MD5 (RFC 1321): not for security, only where AWS's wire format asks for it (SQS's `MD5OfMessageBody`, S3's ETag).
public enum MD5Digest {
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 16)
        bytes.withUnsafeBufferPointer { bytes in
            _ = MD5(bytes.baseAddress, bytes.count, &digest)
        }
        return digest
    }
}
