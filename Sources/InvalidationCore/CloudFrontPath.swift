import Formats
import JSONSupport

/// CloudFront invalidation paths.
///
/// CloudFront compares an invalidation path with the URL path viewers request: non-ASCII bytes and the characters
/// RFC 1738 calls unsafe must be percent-encoded, and nothing else may be, or the cached object is not matched
/// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/invalidation-specifying-objects.html).
public enum CloudFrontPath {
    /// CloudFront rejects longer paths.
    public static let maximumLength = 4000

    /// The path for an object key: `/` + the key, encoded as viewers request it.
    ///
    /// - Space, control characters, bytes >= 0x80 and RFC 1738's unsafe set `"#%<>[\]^`{|}~` become `%XX`
    ///   (upper-case hex); a viewer cannot request them raw.
    /// - `?` becomes `%3F`: raw, it would start a query string and the path would name another object.
    /// - `*` becomes `%2A`: raw, it is CloudFront's wildcard, and a key (which anyone who can write to the bucket
    ///   chooses) must never widen into a wildcard that flushes a whole directory or distribution. The planner refuses
    ///   such keys before they get here (CloudFront would not match `%2A` to a viewer's raw `*`); the encoding is the
    ///   second line of defence.
    /// - A path longer than CloudFront's 4,000 characters is cut to a wildcard prefix that still covers the object.
    public static func forKey(_ key: some StringProtocol) -> String {
        forKey(key.utf8)
    }

    /// `forKey` over the key's UTF-8 bytes.
    public static func forKey(_ key: some Collection<UInt8>) -> String {
        // Written straight into the string: at most three bytes per key byte, and the slash.
        let path = String(unsafeUninitializedCapacity: 1 + 3 * key.count) { bytes in
            bytes[0] = UInt8(ascii: "/")
            var count = 1
            for byte in key {
                if needsEncoding(byte) || byte == UInt8(ascii: "*") {
                    bytes[count] = UInt8(ascii: "%")
                    bytes[count + 1] = Hex.digit(byte >> 4, uppercase: true)
                    bytes[count + 2] = Hex.digit(byte & 0x0F, uppercase: true)
                    count += 3
                } else {
                    bytes[count] = byte
                    count += 1
                }
            }
            return count
        }
        return limited(path)
    }

    /// Normalises a URL path a person wrote (a pipeline's `paths`): characters CloudFront needs encoded are
    /// percent-encoded as for keys, but a valid `%XX` already there is kept (never encoded twice), and `?` stays: it
    /// starts the query string the person means. `/a b.html` and `/a%20b.html` both give `/a%20b.html`.
    public static func normalizeUserPath(_ path: String) throws(InputError) -> String {
        guard path.hasPrefix("/") else {
            throw InputError("path \(JSON.quote(path)) must start with /")
        }
        // Bytes, not characters: a `*` followed by a combining mark is one Character that is not "*", yet CloudFront
        // sees the `*` byte before the end and rejects the path.
        if let star = path.utf8.firstIndex(of: UInt8(ascii: "*")), star != path.utf8.index(before: path.utf8.endIndex) {
            throw InputError("path \(JSON.quote(path)) has * before its end (a wildcard must be last)")
        }
        let bytes = Array(path.utf8)
        var out = ""
        out.reserveCapacity(bytes.count + 8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count, Hex.value(bytes[index + 1]) != nil,
                Hex.value(bytes[index + 2]) != nil
            {
                out += String(decoding: bytes[index...(index + 2)], as: UTF8.self)
                index += 3
                continue
            }
            if byte != UInt8(ascii: "?") && needsEncoding(byte) {
                Hex.appendPercentEscape(byte, to: &out)
            } else {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            }
            index += 1
        }
        guard out.utf8.count <= maximumLength else {
            throw InputError(
                "path \(JSON.quote(String(path.prefix(60)) + "…")) is longer than 4,000 characters")
        }
        return out
    }

    /// Whether `text`'s UTF-8 starts with `prefix`'s (`text.utf8.starts(with: prefix.utf8)`, comparing memory).
    static func hasPrefix(_ text: String, _ prefix: String) -> Bool {
        let result = text.utf8.withContiguousStorageIfAvailable { text in
            prefix.utf8.withContiguousStorageIfAvailable { prefix in
                guard text.count >= prefix.count else { return false }
                for index in 0..<prefix.count where text[index] != prefix[index] { return false }
                return true
            }
        }
        return (result ?? nil) ?? text.utf8.starts(with: prefix.utf8)
    }

    /// Whether a path ends in CloudFront's wildcard (it then counts against the 15 wildcards in progress).
    public static func isWildcard(_ path: String) -> Bool { path.utf8.last == UInt8(ascii: "*") }

    static func needsEncoding(_ byte: UInt8) -> Bool {
        if byte <= 0x20 || byte >= 0x7F { return true }
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "#"), UInt8(ascii: "%"), UInt8(ascii: "<"), UInt8(ascii: ">"),
            UInt8(ascii: "["), UInt8(ascii: "\\"), UInt8(ascii: "]"), UInt8(ascii: "^"), UInt8(ascii: "`"),
            UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"), UInt8(ascii: "~"), UInt8(ascii: "?"):
            return true
        default:
            return false
        }
    }

    private static func limited(_ path: String) -> String {
        guard path.utf8.count > maximumLength else { return path }
        // Everything is ASCII after encoding, so UTF-8 offsets are character offsets.
        var end = maximumLength - 1
        let bytes = Array(path.utf8)
        // Do not cut through a %XX escape.
        if bytes[end - 1] == UInt8(ascii: "%") {
            end -= 1
        } else if bytes[end - 2] == UInt8(ascii: "%") {
            end -= 2
        }
        return String(decoding: bytes[..<end], as: UTF8.self) + "*"
    }

    /// The paths that must be invalidated when `key` changes: the object's own path and, when the key names the
    /// index document (`docs/index.html`), the directory URL viewers use for it (`/docs/`, or `/` at the root).
    public static func paths(forKey key: String, indexDocument: String?) -> [String] {
        paths(forKey: key, indexDocument: indexDocument, forms: URLForms())
    }

    /// The paths for a key with the URL forms a site's viewers use (each off unless set).
    public static func paths(forKey key: String, indexDocument: String?, forms: URLForms) -> [String] {
        var own = forKey(key)
        var result: [String] = []
        if forms.prettyURLs, !isWildcard(own), key.hasSuffix(".html"), !key.hasSuffix("/.html") {
            let pretty = forKey(key.dropLast(5))
            result.append(forms.queryVariants ? pretty + "*" : pretty)
        }
        if forms.queryVariants, !isWildcard(own) { own += "*" }
        result.insert(own, at: 0)
        if let indexDocument, !indexDocument.isEmpty, key.utf8.count >= indexDocument.utf8.count,
            key.utf8.suffix(indexDocument.utf8.count).elementsEqual(indexDocument.utf8)
        {
            let keyBytes = key.utf8
            let directoryEnd = keyBytes.index(keyBytes.endIndex, offsetBy: -indexDocument.utf8.count)
            if directoryEnd == keyBytes.startIndex
                || keyBytes[keyBytes.index(before: directoryEnd)] == UInt8(ascii: "/")
            {
                let directory = forKey(key.utf8[..<directoryEnd])
                result.append(directory)
                if forms.directoryWithoutSlash, directory != "/", directory.hasSuffix("/") {
                    result.append(String(directory.dropLast()))
                }
            }
        }
        return result
    }
}
