import AWSClient
import ArgumentParser
import Formats
import FoundationEssentials
import InvalidationCost
import JSONSupport
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

struct Cost: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Count a month's billable invalidation paths and what they cost.",
        discussion: """
            Lists each distribution's invalidations (ListInvalidations, newest first, paging stops before the \
            month) and reads each one created in the month (GetInvalidation): every item is a billable path, a \
            wildcard (/images/*, even /*) as one and a cache tag (#html) as one. The first 1,000 paths a month are \
            free per AWS account, summed over all its distributions; each one beyond costs $0.005 (CloudFront's \
            public pricing, https://aws.amazon.com/cloudfront/pricing/). For the current month the projection is \
            the paths so far over the part of the month elapsed.
            Months are calendar months in UTC. Distributions: --distribution-id, else every distribution the \
            credentials can list (ListDistributions). GetInvalidation calls are paced (a few a second) and \
            retried as the SDKs retry (AWS_MAX_ATTEMPTS, AWS_RETRY_MODE). Completed invalidations are remembered \
            in $XDG_CACHE_HOME/invalidator/cost (else ~/.cache/invalidator/cost), so the next run reads only \
            what is new. Exit status: 0 success, 1 failure, 64 usage error.
            """)

    @Option(name: .long, help: ArgumentHelp("The month, YYYY-MM (default: this month, in UTC).", valueName: "month"))
    var month: String?

    @Option(
        name: .customLong("distribution-id"),
        help: ArgumentHelp(
            "A distribution (repeatable, or comma-separated; default: every distribution the credentials can list).",
            valueName: "id"))
    var distributionIds: [String] = []

    @Flag(name: .long, help: "Print one JSON object instead of a table.")
    var json = false

    @Option(
        name: .customLong("requests-per-second"),
        help: ArgumentHelp("The pace of GetInvalidation calls (0.1 to 100).", visibility: .hidden))
    var requestsPerSecond: Double = 5

    @Flag(name: .customLong("no-cache"), help: ArgumentHelp("Neither read nor write the cache.", visibility: .hidden))
    var noCache = false

    func validate() throws {
        if let month, BillingMonth(parsing: month) == nil {
            throw ValidationError("--month must be a month as YYYY-MM, like 2026-11 (got \(month))")
        }
        guard requestsPerSecond.isFinite, (0.1...100).contains(requestsPerSecond) else {
            throw ValidationError("--requests-per-second must be from 0.1 to 100")
        }
        _ = try parseIds(distributionIds)
    }

    func run() async throws {
        let environment = try awsEnvironment()
        let cloudFront = try cloudFrontClient(environment: environment)
        let clock = cloudFront.client.clock
        let chosen = month.flatMap(BillingMonth.init(parsing:)) ?? BillingMonth(containing: clock.now())
        let cache =
            noCache ? nil : CostCache.defaultDirectory(environment: environment).map { CostCache(directory: $0) }
        let reader = CostReader(
            cloudFront: cloudFront, pace: RequestPace(perSecond: requestsPerSecond, burst: 5, clock: clock),
            cache: cache)
        var ids = try parseIds(distributionIds)
        let all = ids.isEmpty
        if all {
            do {
                ids = try await reader.distributionIds()
            } catch {
                throw fail("listing the distributions (cloudfront:ListDistributions): \(error)")
            }
        }
        let progress = CostProgress(shown: isatty(1) == 1 && !json)
        var notes: [String] = []
        var costs: [DistributionCost] = []
        for id in ids {
            do {
                costs.append(
                    try await reader.read(
                        distributionId: id, month: chosen, notes: &notes, progress: { progress.show($0, $1, $2) }))
            } catch {
                progress.finish()
                throw fail("distribution \(id) (cloudfront:ListInvalidations, GetInvalidation): \(error)")
            }
        }
        progress.finish()
        for note in notes { FileHandleStandardError.write("invalidator: " + note) }
        let report = CostReport(month: chosen, asOf: clock.now(), distributions: costs, allDistributions: all)
        if json {
            print(JSON.serialize(report.json))
        } else {
            for line in report.text { print(line) }
            if ids.isEmpty { print("(no distributions)") }
        }
    }
}

/// The reading's progress on a terminal: one line rewritten in place, cleared before the report. Nothing when
/// standard output is not a terminal (a log or a pipe gets the report alone) or holds JSON.
final class CostProgress: Sendable {
    let shown: Bool
    private let written = Mutex(false)

    init(shown: Bool) {
        self.shown = shown
    }

    func show(_ distributionId: String, _ done: Int, _ found: Int) {
        guard shown else { return }
        written.withLock { $0 = true }
        write("\r\u{1B}[K\(distributionId): \(done) of \(found) invalidations read")
    }

    func finish() {
        guard shown, written.withLock({ $0 }) else { return }
        write("\r\u{1B}[K")
    }

    private func write(_ text: String) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { _ = Glibc.write(1, $0.baseAddress!, $0.count) }
    }
}
