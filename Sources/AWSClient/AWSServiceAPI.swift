/// A client of one AWS service: which service it signs for and how its errors are encoded, over one
/// `AWSServiceClient`. Each client states those two facts; the initialiser from a configuration is written once here.
public protocol AWSServiceAPI: Sendable {
    /// The service: its signing name and endpoint.
    static var service: AWSService { get }
    /// How the service's error answers are encoded (botocore's `protocol`).
    static var errorProtocol: AWSServiceClient.ErrorProtocol { get }
    var client: AWSServiceClient { get }
    /// Over a configured service client (one with another request timeout, or other credentials, say).
    init(client: AWSServiceClient)
}

extension AWSServiceAPI {
    /// A client for `configuration`'s region, credentials, endpoint overrides and retry policy.
    public init(
        configuration: AWSConfiguration, transport: any HTTPTransport, clock: any AWSClock = SystemClock(),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) throws(EndpointError) {
        self.init(
            client: try AWSServiceClient(
                service: Self.service, configuration: configuration, transport: transport,
                errorProtocol: Self.errorProtocol, clock: clock, random: random))
    }
}
