import Formats
import FoundationEssentials
import JSONSupport

/// Signs and sends requests to one AWS service and turns error responses into `AWSError`.
///
/// The service clients (`CloudFrontClient`, `SSMClient`) are thin layers over this: they build the protocol's
/// body and read the answer, nothing else.
public struct AWSServiceClient: Sendable {
    public enum ErrorProtocol: Sendable {
        case restXML
        case json
    }

    public let service: AWSService
    public let endpoint: ServiceEndpoint
    private(set) var credentials: AWSCredentials
    let transport: any HTTPTransport
    let errorProtocol: ErrorProtocol
    public let clock: any AWSClock
    /// How long one attempt may take before it counts as a timeout.
    public var requestTimeout: Duration
    public var retryPolicy: RetryPolicy
    /// Shared by every copy of this client, as the SDKs share one per client.
    public let retryQuota: RetryQuota
    let random: @Sendable () -> Double

    /// The least time worth starting an attempt with.
    public static let minimumAttemptTime: Duration = .milliseconds(100)

    public init(
        service: AWSService, configuration: AWSConfiguration, transport: any HTTPTransport,
        errorProtocol: ErrorProtocol, requestTimeout: Duration = .seconds(10), clock: any AWSClock = SystemClock(),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) throws(EndpointError) {
        self.service = service
        self.endpoint = try configuration.endpoint(for: service)
        self.credentials = configuration.credentials
        self.transport = transport
        self.errorProtocol = errorProtocol
        self.requestTimeout = requestTimeout
        self.retryPolicy = configuration.retryPolicy
        self.clock = clock
        self.random = random
        self.retryQuota = RetryQuota()
    }

    /// The same client (endpoint, transport, clock, timeout, retry policy and quota) signing with `credentials`
    /// instead: an assumed role's, for the requests to a resource in another account, and only those.
    ///
    /// The retry quota stays shared: it guards the process against a sick service, and a copy made for each call
    /// must not start with a full one.
    public func signing(with credentials: AWSCredentials) -> AWSServiceClient {
        var copy = self
        copy.credentials = credentials
        return copy
    }

    /// Sends a signed request, retried as the SDKs' standard mode retries (`RetryPolicy`), never past the context's
    /// deadline; a response outside 2xx becomes an `AWSError` decoded per the service's protocol.
    /// - Parameters:
    ///   - path: the operation's path, percent-encoded, without the endpoint's prefix.
    ///   - context: the caller's deadline, trace and counts.
    public func send(
        operation: String, method: String, path: String, query: [QueryItem] = [], headers: [HTTPHeader] = [],
        body: [UInt8] = [], context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> HTTPResponse {
        let statistics = context.statistics
        var attempt = 1
        // As botocore: a success refunds what its last retry cost, or 1 when it needed none.
        var lastCost = 0
        while true {
            let error: AWSError
            switch await attemptOnce(
                operation: operation, method: method, path: path, query: query, headers: headers, body: body,
                context: context)
            {
            case .success(let response):
                retryQuota.release(attempt == 1 ? 1 : lastCost)
                return response
            case .failure(let failure):
                error = failure
            }
            if error.isThrottling { statistics.record { $0.throttles += 1 } }
            guard error.isRetryable, error.code != "DeadlineReached", attempt < retryPolicy.maxAttempts else {
                throw error
            }
            var cost = 0
            if retryPolicy.usesQuota {
                guard let paid = retryQuota.acquire(afterTimeout: error.kind == .timeout) else { throw error }
                cost = paid
            }
            let delay = retryPolicy.backoff(afterAttempt: attempt, random: random())
            if let deadline = context.deadline {
                let resume = clock.now().addingTimeInterval(delay.seconds + Self.minimumAttemptTime.seconds)
                guard resume < deadline else {
                    retryQuota.release(cost)
                    throw error
                }
            }
            do {
                try await clock.sleep(for: delay)
            } catch {
                retryQuota.release(cost)
                throw AWSError(
                    kind: .timeout, code: "Cancelled", message: "cancelled while waiting to retry",
                    service: service.rawValue, operation: operation)
            }
            lastCost = cost
            attempt += 1
            statistics.record { $0.retries += 1 }
        }
    }

    /// One attempt, bounded by `requestTimeout` and the context's deadline.
    private func attemptOnce(
        operation: String, method: String, path: String, query: [QueryItem], headers: [HTTPHeader], body: [UInt8],
        context: AWSCallContext
    ) async -> Result<HTTPResponse, AWSError> {
        let statistics = context.statistics
        var timeout = requestTimeout
        if let deadline = context.deadline {
            let remaining = Duration.milliseconds(Int64(deadline.timeIntervalSince(clock.now()) * 1000))
            guard remaining >= Self.minimumAttemptTime else {
                return .failure(
                    AWSError(
                        kind: .timeout, code: "DeadlineReached",
                        message: "no time left before the caller's deadline to call \(operation)",
                        service: service.rawValue, operation: operation))
            }
            timeout = min(timeout, remaining)
        }
        statistics.record { $0.attempts += 1 }
        let request = signedRequest(
            method: method, path: path, query: query, headers: headers, body: body, traceId: context.traceId)
        let response: HTTPResponse
        let sent = ContinuousClock.now
        defer {
            let waited = ContinuousClock.now - sent
            statistics.record { $0.awaiting += waited }
        }
        do {
            response = try await transport.send(request, timeout: timeout)
        } catch {
            var error = error
            error.service = service.rawValue
            error.operation = operation
            return .failure(error)
        }
        if let mismatch = checksumMismatch(response, operation: operation) { return .failure(mismatch) }
        guard (200..<300).contains(response.statusCode) else {
            switch errorProtocol {
            case .restXML: return .failure(AWSError.restXML(response, service: service.rawValue, operation: operation))
            case .json: return .failure(AWSError.json(response, service: service.rawValue, operation: operation))
            }
        }
        return .success(response)
    }

    /// DynamoDB's `x-amz-crc32` header (the CRC-32 of the body, in decimal) disagreeing with the body: a response
    /// damaged on the way, retried as botocore retries it (`retries/special.py`, `RetryDDBChecksumError`, part of the
    /// standard mode). Other services do not send the header, and botocore checks it for DynamoDB only.
    func checksumMismatch(_ response: HTTPResponse, operation: String) -> AWSError? {
        guard service == .dynamoDB, let header = response.header("x-amz-crc32") else { return nil }
        let actual = CRC32.checksum(response.body)
        guard UInt32(header.trimmingWhitespace()) != actual else { return nil }
        return AWSError(
            kind: .malformedResponse, code: AWSError.checksumMismatchCode,
            message: "x-amz-crc32 is \(header) but the body's CRC-32 is \(actual)", statusCode: response.statusCode,
            requestId: response.requestId, service: service.rawValue, operation: operation)
    }

    /// The request as it will be sent, signed now.
    public func signedRequest(
        method: String, path: String, query: [QueryItem], headers: [HTTPHeader], body: [UInt8], traceId: String? = nil
    ) -> HTTPRequest {
        let fullPath = endpoint.pathPrefix + path
        var allHeaders = [HTTPHeader("host", endpoint.host)] + headers
        let signer = SigV4Signer(
            credentials: credentials, region: endpoint.signingRegion, service: service.signingName)
        allHeaders += signer.sign(
            method: method, path: fullPath, query: query.map { ($0.name, $0.value) }, headers: allHeaders,
            body: body, date: clock.now())
        if let traceId, !traceId.isEmpty, traceId.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            allHeaders.append(HTTPHeader("x-amzn-trace-id", traceId))
        }
        return HTTPRequest(
            method: method, origin: endpoint.origin, path: fullPath, query: query, headers: allHeaders, body: body)
    }

    /// The AWS JSON protocol's versions, which differ on the wire only in the content type
    /// (`application/x-amz-json-1.0` or `-1.1`); each service's model names its own (`metadata.jsonVersion` in
    /// botocore's `service-2.json`: 1.0 for DynamoDB and SQS, 1.1 for SSM and CodePipeline).
    public enum JSONVersion: String, Sendable {
        /// AWS JSON 1.0.
        case v10 = "1.0"
        /// AWS JSON 1.1.
        case v11 = "1.1"

        /// The `content-type` of a request in this version.
        public var contentType: String { "application/x-amz-json-\(rawValue)" }
    }

    /// A JSON call (`POST /`, `X-Amz-Target: <target>`), answering the parsed response document.
    public func sendJSON(
        operation: String, target: String, body: JSONValue, jsonVersion: JSONVersion = .v11,
        context: AWSCallContext = AWSCallContext()
    ) async throws(AWSError) -> JSONValue {
        let response = try await send(
            operation: operation, method: "POST", path: "/",
            headers: [HTTPHeader("content-type", jsonVersion.contentType), HTTPHeader("x-amz-target", target)],
            body: Array(JSON.serialize(body).utf8), context: context)
        if response.body.isEmpty { return .object([:]) }
        do {
            return try JSON.parse(response.body)
        } catch {
            throw AWSError(
                kind: .malformedResponse, code: "MalformedResponse", message: "response is not JSON (\(error))",
                statusCode: response.statusCode, requestId: response.requestId, service: service.rawValue,
                operation: operation)
        }
    }
}

extension Duration {
    /// In seconds, as a floating-point number.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
