import Formats

/// The parameters of STS `AssumeRole` the function sends, checked before anything goes on the wire.
///
/// The shapes are botocore's (`sts/2011-06-15/service-2.json`, `AssumeRoleRequest`): `roleSessionNameType` 2-64 of
/// `[\w+=,.@-]`, `externalIdType` 2-1224 of `[\w+=,.@:/-]`, `roleDurationSecondsType` 900-43200, where `\w` is
/// `[A-Za-z0-9_]`. The role ARN is checked further than the model's `arnType` (any text of 20-2048 characters): it
/// must be an IAM role, `arn:<partition>:iam::<12 digits>:role/<path/><name>`, so that a setting naming a user, a
/// policy or another account's bucket is refused with the field at fault rather than by STS after a round trip.
/// Errors name the field, and never carry the external id itself.
public struct AssumeRoleRequest: Sendable, Equatable {
    public var roleArn: String
    public var roleSessionName: String
    public var externalId: String?
    /// nil: not sent, and STS's default of one hour applies.
    public var durationSeconds: Int?

    public static let durationRange = 900...43200
    public static let sessionNameLengths = 2...64
    public static let externalIdLengths = 2...1224

    public init(roleArn: String, roleSessionName: String, externalId: String? = nil, durationSeconds: Int? = nil) {
        self.roleArn = roleArn
        self.roleSessionName = roleSessionName
        self.externalId = externalId
        self.durationSeconds = durationSeconds
    }

    /// Throws an `invalidRequest` `AWSError` (code `ValidationError`, as STS names it) naming the first field at
    /// fault.
    public func validate() throws(AWSError) {
        guard Self.isRoleArn(roleArn) else {
            throw invalid("RoleArn must be arn:<partition>:iam::<12-digit account>:role/<name> (got \(roleArn))")
        }
        guard Self.sessionNameLengths.contains(roleSessionName.utf8.count),
            roleSessionName.utf8.allSatisfy({ Self.isWord($0) || "+=,.@-".utf8.contains($0) })
        else {
            throw invalid(
                "RoleSessionName must be 2 to 64 of letters, digits and _+=,.@- (got \(roleSessionName))")
        }
        if let externalId {
            // Not echoed: an external id is not a secret, but it is the one thing that tells callers apart.
            guard Self.externalIdLengths.contains(externalId.utf8.count),
                externalId.utf8.allSatisfy({ Self.isWord($0) || "+=,.@:/-".utf8.contains($0) })
            else {
                throw invalid(
                    "ExternalId must be 2 to 1224 of letters, digits and _+=,.@:/- (got \(externalId.count) "
                        + "characters)")
            }
        }
        if let durationSeconds, !Self.durationRange.contains(durationSeconds) {
            throw invalid("DurationSeconds must be 900 to 43200 (got \(durationSeconds))")
        }
    }

    /// The query protocol's form: `Action`, `Version`, then the parameters, percent-encoded as botocore encodes
    /// them (everything but `A-Za-z0-9-_.~`).
    public var formBody: String {
        var pairs = [
            ("Action", "AssumeRole"), ("Version", STSClient.apiVersion), ("RoleArn", roleArn),
            ("RoleSessionName", roleSessionName),
        ]
        if let externalId { pairs.append(("ExternalId", externalId)) }
        if let durationSeconds { pairs.append(("DurationSeconds", String(durationSeconds))) }
        return pairs.map { uriEncode($0.0, encodeSlash: true) + "=" + uriEncode($0.1, encodeSlash: true) }
            .joined(separator: "&")
    }

    /// `arn:<partition>:iam::<account>:role/<path/><name>`: a partition `aws` or `aws-<word>`, 12 digits, a path of
    /// printable ASCII segments, and a role name of 1-64 of `[\w+=,.@-]` (IAM's `roleNameType`).
    public static func isRoleArn(_ arn: String) -> Bool {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard (20...2048).contains(arn.utf8.count), parts.count == 6, parts[0] == "arn", parts[2] == "iam",
            parts[3].isEmpty, parts[4].utf8.count == 12, parts[4].utf8.allSatisfy(isDigit)
        else { return false }
        let partition = parts[1]
        guard
            partition == "aws"
                || (partition.hasPrefix("aws-") && partition.utf8.count > 4
                    && partition.utf8.allSatisfy { isLower($0) || $0 == UInt8(ascii: "-") })
        else { return false }
        let resource = parts[5]
        guard resource.hasPrefix("role/"), let name = resource.split(separator: "/").last, resource.last != "/"
        else { return false }
        return (1...64).contains(name.utf8.count) && name.utf8.allSatisfy { isWord($0) || "+=,.@-".utf8.contains($0) }
            && resource.utf8.allSatisfy { (0x21...0x7E).contains($0) } && !resource.containsText("//")
    }

    /// `\w` of the model's Java patterns: `[A-Za-z0-9_]`.
    static func isWord(_ byte: UInt8) -> Bool {
        isDigit(byte) || isLower(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || byte == UInt8(ascii: "_")
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    private static func isLower(_ byte: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) }

    private func invalid(_ message: String) -> AWSError {
        AWSError(
            kind: .invalidRequest, code: "ValidationError", message: message, service: "sts", operation: "AssumeRole")
    }
}
