import Digests
import Formats

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A header as sent on the wire.
///
/// An ordered list of these (not a dictionary) keeps duplicate names and their order, which SigV4 signs.
public struct HTTPHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// AWS Signature Version 4 (header form) as a pure value: no clock, no I/O, no state between calls.
///
/// The date is passed in so the signature is reproducible in tests; the separate steps (canonical request, string
/// to sign, signature) are public so each can be checked against the official test suite on its own.
/// See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
public struct SigV4Signer: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    public var service: String
    /// true for every service except S3: the path is normalised and URI-encoded again (double encoding).
    /// false (S3): the wire path is signed exactly as given.
    public var normalizesPath: Bool
    /// When false, `x-amz-security-token` is added after signing and not signed (STS-style). Default true.
    public var signsSessionToken: Bool

    public init(
        credentials: AWSCredentials, region: String, service: String, normalizesPath: Bool = true,
        signsSessionToken: Bool = true
    ) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.normalizesPath = normalizesPath
        self.signsSessionToken = signsSessionToken
    }

    /// `path` is the path exactly as on the request line (percent-encoded wire form for real requests); `query` are
    /// decoded name/value pairs; `headers` must contain `host` (with port when non-default). Returns the headers to
    /// ADD to the request: `x-amz-date`, `x-amz-security-token` when there is a session token, and `authorization`.
    ///
    /// Every header passed in is signed, plus `x-amz-date` (and the session token unless `signsSessionToken` is
    /// false). Headers in `headers` that this method returns itself (`x-amz-date`, `authorization`, and
    /// `x-amz-security-token` when the credentials carry a token) are ignored, so re-signing a request is safe.
    public func sign(
        method: String, path: String, query: [(String, String)], headers: [HTTPHeader], body: [UInt8], date: Date
    ) -> [HTTPHeader] {
        let timestamp = SigV4Timestamp(date)
        let token = credentials.sessionToken
        var signedHeaders: [HTTPHeader] = []
        signedHeaders.reserveCapacity(headers.count + 2)
        for header in headers {
            if asciiCaseInsensitiveEquals(header.name, "x-amz-date")
                || asciiCaseInsensitiveEquals(header.name, "authorization")
                || (token != nil && asciiCaseInsensitiveEquals(header.name, "x-amz-security-token"))
            {
                continue
            }
            signedHeaders.append(header)
        }
        signedHeaders.append(HTTPHeader("x-amz-date", timestamp.dateTime))
        if let token, signsSessionToken {
            signedHeaders.append(HTTPHeader("x-amz-security-token", token))
        }

        let canonical = canonicalRequest(
            method: method, path: path, query: query, headers: signedHeaders, payloadHash: sha256Hex(body))
        let toSign = stringToSign(canonicalRequest: canonical.request, timestamp: timestamp)
        let signatureHex = signature(stringToSign: toSign, timestamp: timestamp)

        var authorization = "AWS4-HMAC-SHA256 Credential="
        authorization.reserveCapacity(160 + credentials.accessKeyId.utf8.count + canonical.signedHeaders.utf8.count)
        authorization += credentials.accessKeyId
        authorization += "/"
        authorization += credentialScope(timestamp)
        authorization += ", SignedHeaders="
        authorization += canonical.signedHeaders
        authorization += ", Signature="
        authorization += signatureHex

        var result = [HTTPHeader("x-amz-date", timestamp.dateTime)]
        if let token {
            result.append(HTTPHeader("x-amz-security-token", token))
        }
        result.append(HTTPHeader("authorization", authorization))
        return result
    }

    /// Step 1: the canonical request and the `SignedHeaders` list. Every header passed in is signed; `payloadHash`
    /// is the lower-case hex SHA-256 of the body (see `sha256Hex`).
    public func canonicalRequest(
        method: String, path: String, query: [(String, String)], headers: [HTTPHeader], payloadHash: String
    ) -> (request: String, signedHeaders: String) {
        let uri = canonicalURI(path)
        let (headerLines, signedHeaders) = canonicalHeaders(headers)

        var request = ""
        request.reserveCapacity(
            method.utf8.count + uri.utf8.count + headerLines.utf8.count + signedHeaders.utf8.count + 128
                + query.count * 32)
        request += method
        request += "\n"
        request += uri
        request += "\n"
        appendCanonicalQuery(query, to: &request)
        request += "\n"
        request += headerLines
        request += "\n"
        request += signedHeaders
        request += "\n"
        request += payloadHash
        return (request, signedHeaders)
    }

    /// Step 2: `AWS4-HMAC-SHA256`, the timestamp, the credential scope and the hash of the canonical request.
    public func stringToSign(canonicalRequest: String, date: Date) -> String {
        stringToSign(canonicalRequest: canonicalRequest, timestamp: SigV4Timestamp(date))
    }

    /// Step 3: the lower-case hex HMAC of the string to sign with the key derived for the date, region and service.
    public func signature(stringToSign: String, date: Date) -> String {
        signature(stringToSign: stringToSign, timestamp: SigV4Timestamp(date))
    }

    // MARK: - Internals

    private func stringToSign(canonicalRequest: String, timestamp: SigV4Timestamp) -> String {
        var result = "AWS4-HMAC-SHA256\n"
        result.reserveCapacity(160 + region.utf8.count + service.utf8.count)
        result += timestamp.dateTime
        result += "\n"
        result += credentialScope(timestamp)
        result += "\n"
        result += withUTF8Bytes(canonicalRequest) { Hex.string(SHA256Hasher.hash($0)) }
        return result
    }

    private func signature(stringToSign: String, timestamp: SigV4Timestamp) -> String {
        var key = Array(("AWS4" + credentials.secretAccessKey).utf8)
        for part in [timestamp.day, region, service, "aws4_request"] {
            key = withUTF8Bytes(part) { HMACSHA256.authenticationCode(for: $0, key: key) }
        }
        return withUTF8Bytes(stringToSign) { Hex.string(HMACSHA256.authenticationCode(for: $0, key: key)) }
    }

    private func credentialScope(_ timestamp: SigV4Timestamp) -> String {
        timestamp.day + "/" + region + "/" + service + "/aws4_request"
    }

    private func canonicalURI(_ path: String) -> String {
        guard normalizesPath else { return path.isEmpty ? "/" : path }
        return uriEncode(normalizedPath(path), encodeSlash: false)
    }
}

// MARK: - Public helpers

/// Lower-case hex SHA-256, for payload hashes.
public func sha256Hex(_ bytes: [UInt8]) -> String {
    Hex.string(SHA256Hasher.hash(bytes))
}

/// RFC 3986 UriEncode as SigV4 defines it: unreserved A-Z a-z 0-9 - . _ ~ kept, everything else %XX upper-case hex
/// (UTF-8 bytes); '/' kept when encodeSlash is false.
public func uriEncode(_ string: String, encodeSlash: Bool) -> String {
    let utf8 = string.utf8
    var length = 0
    for byte in utf8 {
        length += isUnreserved(byte) || (!encodeSlash && byte == slash) ? 1 : 3
    }
    if length == utf8.count { return string }
    return String(unsafeUninitializedCapacity: length) { buffer in
        var index = 0
        for byte in utf8 {
            if isUnreserved(byte) || (!encodeSlash && byte == slash) {
                buffer[index] = byte
                index += 1
            } else {
                buffer[index] = UInt8(ascii: "%")
                buffer[index + 1] = Hex.digit(byte >> 4, uppercase: true)
                buffer[index + 2] = Hex.digit(byte & 0x0F, uppercase: true)
                index += 3
            }
        }
        return index
    }
}

// MARK: - Timestamp

/// The two date forms SigV4 uses, computed once per signature without DateFormatter (which needs ICU).
private struct SigV4Timestamp {
    /// `yyyyMMdd'T'HHmmss'Z'` in UTC, e.g. `20150830T123600Z`.
    let dateTime: String
    /// `yyyyMMdd`, the credential scope's date.
    let day: String

    init(_ date: Date) {
        let (days, secondOfDay) = CivilDate.dayAndTime(of: date, unitsPerSecond: 1)
        let (year, month, day) = CivilDate.from(days: days)
        let hour = secondOfDay / 3600
        let minute = secondOfDay % 3600 / 60
        let second = secondOfDay % 60

        dateTime = String(unsafeUninitializedCapacity: 16) { buffer in
            func put(_ value: Int64, digits: Int, at offset: Int) {
                var value = value
                for position in stride(from: offset + digits - 1, through: offset, by: -1) {
                    buffer[position] = UInt8(truncatingIfNeeded: value % 10) + UInt8(ascii: "0")
                    value /= 10
                }
            }
            put(year, digits: 4, at: 0)
            put(month, digits: 2, at: 4)
            put(day, digits: 2, at: 6)
            buffer[8] = UInt8(ascii: "T")
            put(hour, digits: 2, at: 9)
            put(minute, digits: 2, at: 11)
            put(second, digits: 2, at: 13)
            buffer[15] = UInt8(ascii: "Z")
            return 16
        }
        self.day = String(Substring(dateTime.utf8.prefix(8)))
    }
}

// MARK: - Canonicalisation

/// `name:value\n` lines for the canonical request and the `;`-joined names: names lower-cased and sorted (stable, so
/// duplicate headers keep their order and are joined with `,`), values trimmed with inner whitespace runs (including
/// folded continuation lines) collapsed to one space.
private func canonicalHeaders(_ headers: [HTTPHeader]) -> (lines: String, signedHeaders: String) {
    var entries: [(name: String, value: String, order: Int)] = []
    entries.reserveCapacity(headers.count)
    var length = 0
    for (order, header) in headers.enumerated() {
        let name = asciiLowercased(trimmedWhitespace(header.name))
        let value = normalizedHeaderValue(header.value)
        length += name.utf8.count * 2 + value.utf8.count + 3
        entries.append((name, value, order))
    }
    entries.sort { lhs, rhs in
        lhs.name == rhs.name ? lhs.order < rhs.order : lhs.name.utf8.lexicographicallyPrecedes(rhs.name.utf8)
    }

    var lines = ""
    var signed = ""
    lines.reserveCapacity(length)
    signed.reserveCapacity(length / 2)
    var previousName: String?
    for entry in entries {
        if entry.name == previousName {
            lines.removeLast()  // the "\n" of the line for the same name
            lines += ","
        } else {
            if previousName != nil { signed += ";" }
            signed += entry.name
            lines += entry.name
            lines += ":"
            previousName = entry.name
        }
        lines += entry.value
        lines += "\n"
    }
    return (lines, signed)
}

/// Query pairs URI-encoded, sorted by encoded name then value, `k=v` joined with `&` (`k=` for an empty value).
private func appendCanonicalQuery(_ query: [(String, String)], to output: inout String) {
    guard !query.isEmpty else { return }
    var encoded = query.map { (uriEncode($0.0, encodeSlash: true), uriEncode($0.1, encodeSlash: true)) }
    encoded.sort { lhs, rhs in
        lhs.0 == rhs.0
            ? lhs.1.utf8.lexicographicallyPrecedes(rhs.1.utf8) : lhs.0.utf8.lexicographicallyPrecedes(rhs.0.utf8)
    }
    for (index, pair) in encoded.enumerated() {
        if index > 0 { output += "&" }
        output += pair.0
        output += "="
        output += pair.1
    }
}

/// Removes `.` and `..` segments and empty segments (`//`), keeping a trailing slash, as botocore's
/// `remove_dot_segments` does for every service but S3. The result always starts with `/`.
private func normalizedPath(_ path: String) -> String {
    if isNormalizedPath(path) { return path }
    let bytes = Array(path.utf8)
    var kept: [Range<Int>] = []
    var start = 0
    func endSegment(at end: Int) {
        let length = end - start
        if length == 0 || (length == 1 && bytes[start] == dot) { return }
        if length == 2 && bytes[start] == dot && bytes[start + 1] == dot {
            if !kept.isEmpty { kept.removeLast() }
            return
        }
        kept.append(start..<end)
    }
    for index in bytes.indices where bytes[index] == slash {
        endSegment(at: index)
        start = index + 1
    }
    endSegment(at: bytes.count)

    var output: [UInt8] = [slash]
    output.reserveCapacity(bytes.count + 1)
    for (index, range) in kept.enumerated() {
        if index > 0 { output.append(slash) }
        output.append(contentsOf: bytes[range])
    }
    if bytes.last == slash && !kept.isEmpty { output.append(slash) }
    return String(decoding: output, as: UTF8.self)
}

/// True when `normalizedPath` would return `path` unchanged: it starts with `/` and has no empty, `.` or `..`
/// segment (a trailing slash is fine). Lets the common case skip all copying.
private func isNormalizedPath(_ path: String) -> Bool {
    let utf8 = path.utf8
    guard utf8.first == slash else { return false }
    var segmentLength = 0
    var segmentIsDots = true
    for byte in utf8.dropFirst() {
        if byte == slash {
            if segmentLength == 0 || (segmentIsDots && segmentLength <= 2) { return false }
            segmentLength = 0
            segmentIsDots = true
        } else {
            segmentLength += 1
            segmentIsDots = segmentIsDots && byte == dot
        }
    }
    // A final empty segment is a trailing slash (or the root path), which is kept.
    return segmentLength == 0 || !(segmentIsDots && segmentLength <= 2)
}

/// Trims the value and collapses every run of spaces, tabs, CR and LF to one space.
private func normalizedHeaderValue(_ value: String) -> String {
    var clean = true
    var previousWasSpace = true  // so a leading space counts as a run
    for byte in value.utf8 {
        if byte == space {
            if previousWasSpace {
                clean = false
                break
            }
            previousWasSpace = true
        } else if isWhitespace(byte) {
            clean = false
            break
        } else {
            previousWasSpace = false
        }
    }
    if clean && (!previousWasSpace || value.isEmpty) { return value }

    var output: [UInt8] = []
    output.reserveCapacity(value.utf8.count)
    var pendingSpace = false
    for byte in value.utf8 {
        if isWhitespace(byte) {
            pendingSpace = !output.isEmpty
            continue
        }
        if pendingSpace {
            output.append(space)
            pendingSpace = false
        }
        output.append(byte)
    }
    return String(decoding: output, as: UTF8.self)
}

private func trimmedWhitespace(_ string: String) -> String {
    let utf8 = string.utf8
    guard let first = utf8.first, let last = utf8.last, isWhitespace(first) || isWhitespace(last) else {
        return string
    }
    guard let start = utf8.firstIndex(where: { !isWhitespace($0) }),
        let end = utf8.lastIndex(where: { !isWhitespace($0) })
    else { return "" }
    return String(Substring(utf8[start...end]))
}

private func asciiLowercased(_ string: String) -> String {
    let utf8 = string.utf8
    guard utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else { return string }
    return String(
        unsafeUninitializedCapacity: utf8.count,
        initializingUTF8With: { buffer in
            var index = 0
            for byte in utf8 {
                buffer[index] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
                index += 1
            }
            return index
        })
}

private func asciiCaseInsensitiveEquals(_ lhs: String, _ rhs: StaticString) -> Bool {
    let left = lhs.utf8
    guard left.count == rhs.utf8CodeUnitCount else { return false }
    return rhs.withUTF8Buffer { right in
        zip(left, right).allSatisfy { a, b in
            (a >= UInt8(ascii: "A") && a <= UInt8(ascii: "Z") ? a | 0x20 : a) == b
        }
    }
}

// MARK: - Bytes

private let slash = UInt8(ascii: "/")
private let dot = UInt8(ascii: ".")
private let space = UInt8(ascii: " ")

@inline(__always)
private func isWhitespace(_ byte: UInt8) -> Bool {
    byte == space || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
}

@inline(__always)
private func isUnreserved(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
        UInt8(ascii: "~"):
        return true
    default:
        return false
    }
}

/// Hands a string's UTF-8 bytes to Crypto without copying them into an array first.
@inline(__always)
private func withUTF8Bytes<Result>(_ string: String, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
    var string = string
    return string.withUTF8 { body(UnsafeRawBufferPointer($0)) }
}
