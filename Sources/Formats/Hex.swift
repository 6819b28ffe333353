/// Hexadecimal digits, both ways: digests in references and log lines (lower case), percent-encoding (upper case,
/// as RFC 3986 recommends and CloudFront and SigV4 expect).
public enum Hex {
    /// The ASCII digit for a value 0...15.
    @inline(__always)
    public static func digit(_ value: UInt8, uppercase: Bool) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : (uppercase ? UInt8(ascii: "A") : UInt8(ascii: "a")) + value - 10
    }

    /// The value of a hex digit of either case, or nil.
    @inline(__always)
    public static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Two digits a byte, written straight into the string's storage.
    public static func string<Bytes: Collection>(_ bytes: Bytes, uppercase: Bool = false) -> String
    where Bytes.Element == UInt8 {
        string(bytes, byteCount: bytes.count, uppercase: uppercase)
    }

    /// `string(_:)` for a sequence that knows its length only by its type (a digest or a MAC).
    public static func string<Bytes: Sequence>(_ bytes: Bytes, byteCount: Int, uppercase: Bool = false) -> String
    where Bytes.Element == UInt8 {
        String(unsafeUninitializedCapacity: byteCount * 2) { buffer in
            var index = 0
            for byte in bytes {
                buffer[index] = digit(byte >> 4, uppercase: uppercase)
                buffer[index + 1] = digit(byte & 0x0F, uppercase: uppercase)
                index += 2
            }
            return index
        }
    }

    /// `%XX` for a byte, upper case, appended to `text`.
    public static func appendPercentEscape(_ byte: UInt8, to text: inout String) {
        text.unicodeScalars.append("%")
        text.unicodeScalars.append(Unicode.Scalar(digit(byte >> 4, uppercase: true)))
        text.unicodeScalars.append(Unicode.Scalar(digit(byte & 0x0F, uppercase: true)))
    }
}
