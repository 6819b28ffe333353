import Crypto
import Digests
import Formats
import Testing

@Suite("SHA-256, HMAC-SHA256 and MD5 through BoringSSL")
struct DigestsTests {
    @Test(
        "SHA-256: the FIPS 180-2 examples and the empty message",
        arguments: [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
        ])
    func sha256(message: String, expected: String) {
        #expect(Hex.string(SHA256Hasher.hash(Array(message.utf8))) == expected)
    }

    @Test("SHA-256 of a million a's, fed in uneven parts")
    func sha256InParts() {
        var hasher = SHA256Hasher()
        var left = 1_000_000
        var part = 1
        while left > 0 {
            let count = min(part, left)
            hasher.update([UInt8](repeating: UInt8(ascii: "a"), count: count))
            left -= count
            part = part * 3 % 9_973 + 1
        }
        #expect(
            Hex.string(hasher.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test(
        "HMAC-SHA256: RFC 4231's test cases 1, 2 and 6 (a key longer than the block)",
        arguments: [
            (
                [UInt8](repeating: 0x0B, count: 20), "Hi There",
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
            ),
            (
                Array("Jefe".utf8), "what do ya want for nothing?",
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
            ),
            (
                [UInt8](repeating: 0xAA, count: 131), "Test Using Larger Than Block-Size Key - Hash Key First",
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
            ),
        ])
    func hmac(key: [UInt8], message: String, expected: String) {
        #expect(Hex.string(HMACSHA256.authenticationCode(for: Array(message.utf8), key: key)) == expected)
    }

    @Test(
        "MD5: RFC 1321's examples",
        arguments: [
            ("", "d41d8cd98f00b204e9800998ecf8427e"), ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ])
    func md5(message: String, expected: String) {
        #expect(Hex.string(MD5Digest.hash(Array(message.utf8))) == expected)
    }

    @Test("each digest agrees with swift-crypto's on messages and keys of every length up to 300 bytes")
    func agreesWithSwiftCrypto() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt8 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        for length in 0...300 {
            let message = (0..<length).map { _ in next() }
            let key = (0..<(length % 150)).map { _ in next() }
            #expect(SHA256Hasher.hash(message) == Array(SHA256.hash(data: message)))
            var parts = SHA256Hasher()
            parts.update(Array(message.prefix(length / 3)))
            parts.update(Array(message.dropFirst(length / 3)))
            #expect(parts.finalize() == Array(SHA256.hash(data: message)))
            #expect(
                HMACSHA256.authenticationCode(for: message, key: key)
                    == Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))))
            #expect(MD5Digest.hash(message) == Array(Insecure.MD5.hash(data: message)))
        }
    }
}
