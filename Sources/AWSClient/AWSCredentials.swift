/// AWS credentials as the Lambda environment hands them over.
///
/// They travel through logs, errors and test failure messages, so every textual form (`description`,
/// `debugDescription`, `dump`) shows the access key id only: the secret and the session token are redacted.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// Reads `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` from a plain dictionary, so the
    /// process environment is read only in `main`. Returns nil when the key id or the secret is missing or empty;
    /// an empty session token counts as none.
    public init?(environment: [String: String]) {
        guard let accessKeyId = environment["AWS_ACCESS_KEY_ID"], !accessKeyId.isEmpty,
            let secretAccessKey = environment["AWS_SECRET_ACCESS_KEY"], !secretAccessKey.isEmpty
        else {
            return nil
        }
        let token = environment["AWS_SESSION_TOKEN"]
        self.init(
            accessKeyId: accessKeyId,
            secretAccessKey: secretAccessKey,
            sessionToken: token?.isEmpty == false ? token : nil
        )
    }

    /// `AKIDEXAMPLE/<redacted>`, plus ` (with session token)` when there is one.
    public var description: String {
        sessionToken == nil ? "\(accessKeyId)/<redacted>" : "\(accessKeyId)/<redacted> (with session token)"
    }

    public var debugDescription: String {
        let token = sessionToken == nil ? "nil" : "<redacted>"
        return "AWSCredentials(accessKeyId: \"\(accessKeyId)\", secretAccessKey: <redacted>, sessionToken: \(token))"
    }

    /// Keeps `dump` and reflection-based printers from walking into the stored secret.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "accessKeyId": accessKeyId,
                "secretAccessKey": "<redacted>",
                "sessionToken": sessionToken == nil ? "nil" : "<redacted>",
            ],
            displayStyle: .struct
        )
    }
}
