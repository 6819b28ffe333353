import Formats
import FoundationEssentials

/// STS's query protocol (botocore's `sts/2011-06-15` model): `AssumeRole`, so the function can act on a
/// distribution in another account.
///
/// The query protocol is a form-encoded `POST /` (`Action`, `Version`, the parameters) answered in XML; its errors
/// are `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`, which
/// `AWSError.restXML` reads. Requests go to the regional endpoint, signed for `sts` in the configured region.
public struct STSClient: AWSServiceAPI {
    public static let service = AWSService.sts
    public static let errorProtocol = AWSServiceClient.ErrorProtocol.restXML
    public static let apiVersion = "2011-06-15"
    public let client: AWSServiceClient

    /// Over a configured service client (one with another request timeout, say).
    public init(client: AWSServiceClient) {
        self.client = client
    }

    /// `AssumeRole`, checked before sending (`AssumeRoleRequest.validate`).
    ///
    /// A malformed answer is reported without its body: a body that failed to parse may still hold the secret.
    public func assumeRole(
        _ request: AssumeRoleRequest, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> AssumedRole {
        try request.validate()
        let response = try await client.send(
            operation: "AssumeRole", method: "POST", path: "/",
            headers: [HTTPHeader("content-type", "application/x-www-form-urlencoded; charset=utf-8")],
            body: Array(request.formBody.utf8), context: context)
        let malformed = { (message: String) in
            AWSError(
                kind: .malformedResponse, code: "MalformedResponse", message: message,
                statusCode: response.statusCode, requestId: response.requestId, service: "sts", operation: "AssumeRole")
        }
        guard let root = try? XML.parse(response.body), root.localName == "AssumeRoleResponse",
            let result = root.child("AssumeRoleResult")
        else { throw malformed("the answer is not an AssumeRoleResponse with an AssumeRoleResult") }
        guard let credentials = result.child("Credentials") else { throw malformed("the answer has no Credentials") }
        var fields: [String: String] = [:]
        for name in ["AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"] {
            guard let value = credentials[name]?.trimmingWhitespace(), !value.isEmpty else {
                throw malformed("the answer's Credentials have no \(name)")
            }
            fields[name] = value
        }
        guard let expiration = RFC3339.parse(fields["Expiration"] ?? "") else {
            throw malformed("the answer's Expiration is not a timestamp (got \(fields["Expiration"] ?? ""))")
        }
        let user = result.child("AssumedRoleUser")
        return AssumedRole(
            roleArn: request.roleArn,
            credentials: AWSCredentials(
                accessKeyId: fields["AccessKeyId"] ?? "", secretAccessKey: fields["SecretAccessKey"] ?? "",
                sessionToken: fields["SessionToken"]),
            expiration: expiration, assumedRoleArn: user?["Arn"]?.trimmingWhitespace() ?? "",
            assumedRoleId: user?["AssumedRoleId"]?.trimmingWhitespace() ?? "")
    }
}
