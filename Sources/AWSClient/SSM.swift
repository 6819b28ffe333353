import JSONSupport

/// A parameter from Parameter Store.
public struct SSMParameter: Sendable, Equatable {
    public var name: String
    /// `String`, `StringList` or `SecureString`.
    public var type: String
    /// Decrypted when asked `withDecryption`. Configuration, possibly secret: never logged.
    public var value: String
    public var version: String

    public init(name: String, type: String, value: String, version: String) {
        self.name = name
        self.type = type
        self.value = value
        self.version = version
    }
}

/// SSM's JSON 1.1 API: reading one parameter.
public struct SSMClient: AWSServiceAPI {
    public static let service = AWSService.ssm
    public static let errorProtocol = AWSServiceClient.ErrorProtocol.json
    public let client: AWSServiceClient

    public init(client: AWSServiceClient) {
        self.client = client
    }

    /// `AmazonSSM.GetParameter`.
    public func getParameter(
        name: String, withDecryption: Bool = true, context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> SSMParameter {
        let document = try await client.sendJSON(
            operation: "GetParameter", target: "AmazonSSM.GetParameter",
            body: .object(["Name": .string(name), "WithDecryption": .bool(withDecryption)]), context: context)
        guard let parameter = document["Parameter"], let value = parameter["Value"]?.string else {
            throw AWSError(
                kind: .malformedResponse, code: "MalformedResponse", message: "response has no Parameter.Value",
                service: "ssm", operation: "GetParameter")
        }
        return SSMParameter(
            name: parameter["Name"]?.string ?? name, type: parameter["Type"]?.string ?? "",
            value: value, version: parameter["Version"]?.scalarText ?? "")
    }
}
