import AWSClient
import AWSTestSupport
import Formats
import Foundation
import InvalidationCost
import LocalAWS
import Synchronization

/// The strict fake CloudFront in process on a virtual clock that starts on 2026-10-30 at noon (UTC), with a client
/// that creates invalidations (each at the clock's time) and a record of every operation the fake was asked.
struct CostBed {
    static let environment = [
        "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDCOST", "AWS_SECRET_ACCESS_KEY": "cost-secret",
    ]
    static let october = BillingMonth(year: 2026, month: 10)!
    static let november = BillingMonth(year: 2026, month: 11)!
    static let december = BillingMonth(year: 2026, month: 12)!

    let clock = VirtualClock(start: Date(timeIntervalSince1970: 1_793_361_600))  // 2026-10-30T12:00:00Z
    let cloudFront: FakeCloudFront
    let client: CloudFrontClient
    let operations = OperationLog()

    init() async throws {
        cloudFront = FakeCloudFront.inProcess(clock: clock)
        client = try CloudFrontClient(
            configuration: AWSConfiguration(environment: Self.environment), transport: cloudFront.transport,
            clock: clock, random: { 0 })
        let operations = operations
        await cloudFront.injectFaults { info in
            operations.append(info.operation)
            return nil
        }
    }

    /// How many times the fake was asked `operation`.
    func calls(_ operation: String) -> Int { operations.count(operation) }

    func resetCalls() { operations.reset() }

    /// Creates an invalidation now, then moves the clock on by `after`.
    func create(_ distribution: String, _ paths: [String], after: Duration = .seconds(60)) async throws {
        _ = try await client.createInvalidation(
            distributionId: distribution, callerReference: UUID().uuidString, paths: paths)
        clock.advance(by: after)
    }

    func reader(cache: CostCache? = nil, perSecond: Double = 1000, burst: Double = 1000) -> CostReader {
        CostReader(
            cloudFront: client, pace: RequestPace(perSecond: perSecond, burst: burst, clock: clock), cache: cache)
    }

    /// Moves the clock to `date` (forward only).
    func move(to date: Date) {
        clock.advance(by: .milliseconds(Int64(max(0, date.timeIntervalSince(clock.now())) * 1000)))
    }

    static func temporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appending(path: "cost-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }
}

/// The operations a fake was asked, in order.
final class OperationLog: Sendable {
    private let names = Mutex<[String]>([])
    func append(_ name: String) { names.withLock { $0.append(name) } }
    func count(_ name: String) -> Int { names.withLock { $0.filter { $0 == name }.count } }
    func reset() { names.withLock { $0 = [] } }
}
