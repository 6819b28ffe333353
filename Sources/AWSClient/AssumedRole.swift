import FoundationEssentials

/// A role session as STS `AssumeRole` answers it: temporary credentials and when they stop working.
///
/// Its textual forms show the access key id only, through `AWSCredentials`' redaction: the secret and the session
/// token must never reach a log, an error or a test failure message.
public struct AssumedRole: Sendable, Equatable, CustomStringConvertible {
    /// The role that was assumed, as asked.
    public var roleArn: String
    /// Sign with these; an `ASIA…` key id with a session token.
    public var credentials: AWSCredentials
    /// After this instant STS's credentials are refused (`ExpiredToken`).
    public var expiration: Date
    /// `arn:aws:sts::<account>:assumed-role/<name>/<session name>`, the principal requests are made as.
    public var assumedRoleArn: String
    /// `<role id>:<session name>`.
    public var assumedRoleId: String

    public init(
        roleArn: String, credentials: AWSCredentials, expiration: Date, assumedRoleArn: String, assumedRoleId: String
    ) {
        self.roleArn = roleArn
        self.credentials = credentials
        self.expiration = expiration
        self.assumedRoleArn = assumedRoleArn
        self.assumedRoleId = assumedRoleId
    }

    public var description: String {
        "\(assumedRoleArn.isEmpty ? roleArn : assumedRoleArn) (\(credentials), expires \(expiration))"
    }
}
