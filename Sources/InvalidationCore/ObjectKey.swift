import Formats
import JSONSupport

/// Object keys as events carry them, and the CloudFront paths that address the same objects.
public enum ObjectKey {
    /// Decodes a key from an S3 event notification (direct, via SQS or via SNS).
    ///
    /// S3 writes these keys form-encoded (`application/x-www-form-urlencoded`): `+` is a space and `%2B` a plus;
    /// moto also writes `/` as `%2F`. They are decoded exactly once: decoding twice would turn a literal `%41` in a
    /// key into `A`.
    public static func decodeNotificationKey(_ raw: String) throws(InputError) -> String {
        guard !raw.isEmpty else { throw InputError("empty key") }
        // Most keys have nothing encoded: they decode to themselves.
        var scan = raw
        let encoded = scan.withUTF8 { bytes in
            bytes.contains { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }
        }
        if !encoded { return try validate(raw) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.utf8.count)
        var iterator = raw.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(Hex.value), let low = iterator.next().flatMap(Hex.value) else {
                    throw InputError("invalid percent-encoding in key \(JSON.quote(raw))")
                }
                bytes.append(high << 4 | low)
            default:
                bytes.append(byte)
            }
        }
        guard let key = String(validating: bytes, as: UTF8.self) else {
            throw InputError("key \(JSON.quote(raw)) is not valid UTF-8 after percent-decoding")
        }
        return try validate(key)
    }

    /// A key as S3 notifications carry it, the inverse of `decodeNotificationKey`: form-encoded (space as `+`; what
    /// is not a letter, digit or `-_.*/` as `%XX`), as S3 writes it. For sample events and tests.
    public static func notificationForm(_ key: String) -> String {
        var encoded = ""
        for byte in key.utf8 {
            switch byte {
            case UInt8(ascii: " "): encoded += "+"
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "*"), UInt8(ascii: "/"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                Hex.appendPercentEscape(byte, to: &encoded)
            }
        }
        return encoded
    }

    /// Checks a raw key (EventBridge events carry keys unencoded).
    public static func validate(_ key: String) throws(InputError) -> String {
        guard !key.isEmpty else { throw InputError("empty key") }
        return key
    }
}
