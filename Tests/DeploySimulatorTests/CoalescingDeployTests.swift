import AWSTestSupport
import DeploySimulator
import Foundation
import Invalidator
import Testing

/// Whole deploys through the simulated queue and event source, the real handler coalescing into the strict fake
/// DynamoDB, with CloudFront's limits: the targets of one invalidation per deploy, and its invariants under chaos.
@Suite("Coalescing whole deploys")
struct CoalescingDeployTests {
    @Test("a 300-file deploy with the template's defaults: one invalidation, the one-batch plan, quiet + 5 s")
    func oneInvalidation() async throws {
        var random = SeededRandom(seed: 3)
        let deploy = Deploy.make(count: 300, seconds: 20, transfers: 10, random: &random)
        var scenario = Scenario(
            deploy: deploy, mapping: EventSourceMapping(batchSize: 100, batchingWindow: 1, maximumConcurrency: 2),
            seed: 3)
        scenario.coalescing = CoalesceSettings(table: "windows")
        let figures = try await DeploySimulation.run(scenario)
        let plan = await DeploySimulation.oneBatchPlan(deploy: deploy)
        #expect(figures.invocations > 5)
        #expect(figures.created == 1)
        #expect(figures.attempts == 1)
        #expect(figures.billablePaths == plan.billablePaths)
        #expect(figures.throttles == 0)
        #expect(figures.inProgressRefusals == 0)
        #expect(figures.lost.isEmpty)
        #expect(figures.unfinished == 0)
        let quiet = Double(CoalesceSettings.defaultQuietSeconds)
        let created = try #require(figures.lastCreated)
        #expect(created - figures.lastArrival >= quiet)
        #expect(created - figures.lastArrival <= quiet + 5)
    }

    @Test("a bucket busy for 2 minutes, MAX_DELAY_SECONDS 60: two windows, each flushed once, nothing lost")
    func maximumDelay() async throws {
        var random = SeededRandom(seed: 5)
        // 600 files over about 120 s: never quiet for 20 s.
        let deploy = Deploy.make(count: 600, seconds: 120, transfers: 10, random: &random)
        var scenario = Scenario(
            deploy: deploy, mapping: EventSourceMapping(batchSize: 100, batchingWindow: 1, maximumConcurrency: 2),
            seed: 5)
        scenario.coalescing = CoalesceSettings(table: "windows", quietSeconds: 20, maxDelaySeconds: 60)
        let figures = try await DeploySimulation.run(scenario)
        #expect(figures.windowsFlushed == 2)
        #expect(figures.created == 2)
        #expect(figures.windowsFlushedTwice == 0)
        #expect(figures.lost.isEmpty)
    }

    @Test("chaos: 1,000 seeded deploys with crashes, duplicates and faults lose no change and flush no window twice")
    func chaos() async throws {
        let seeds: [UInt64] =
            ProcessInfo.processInfo.environment["CHAOS_SEED"].flatMap { UInt64($0) }.map { [$0] } ?? Array(1...1000)
        let runs = await withTaskGroup(of: (UInt64, Result<Figures, any Error>).self) { group in
            var runs: [(UInt64, Result<Figures, any Error>)] = []
            var next = seeds.makeIterator()
            // One at a time: the rest of the suite runs beside it, and its tests over real HTTP need a core.
            for _ in 0..<1 {
                if let seed = next.next() { group.addTask { (seed, await Self.chaosRun(seed: seed)) } }
            }
            for await run in group {
                runs.append(run)
                if let seed = next.next() { group.addTask { (seed, await Self.chaosRun(seed: seed)) } }
            }
            return runs
        }
        var failures: [String] = []
        var total = Figures()
        for (seed, result) in runs.sorted(by: { $0.0 < $1.0 }) {
            switch result {
            case .failure(let error): failures.append("seed \(seed): \(error)")
            case .success(let figures):
                if !figures.lost.isEmpty { failures.append("seed \(seed): lost \(figures.lost.prefix(3))") }
                if figures.windowsFlushedTwice > 0 {
                    failures.append("seed \(seed): \(figures.windowsFlushedTwice) windows flushed twice")
                }
                if figures.unfinished > 0 { failures.append("seed \(seed): \(figures.unfinished) messages left") }
                total.crashes += figures.crashes
                total.redelivered += figures.redelivered
                total.windowsFlushed += figures.windowsFlushed
                total.flushesSent += figures.flushesSent
                total.created += figures.created
            }
        }
        #expect(failures.isEmpty, "\(failures.count) deploys failed; first: \(failures.prefix(5))")
        // The chaos happened: a test that never crashed an invocation proves nothing.
        if seeds.count == 1000 {
            #expect(total.crashes > 500, "crashes: \(total.crashes)")
            #expect(total.redelivered > 1000, "redelivered: \(total.redelivered)")
            #expect(total.windowsFlushed >= 1000, "windows flushed: \(total.windowsFlushed)")
            #expect(total.created == total.windowsFlushed, "created \(total.created)")
        }
    }

    /// One chaotic deploy.
    static func chaosRun(seed: UInt64) async -> Result<Figures, any Error> {
        var random = SeededRandom(seed: seed)
        let files = Int.random(in: 10...40, using: &random)
        let deploy = Deploy.make(
            count: files, seconds: Double.random(in: 1...20, using: &random), transfers: 10, random: &random)
        var mapping = EventSourceMapping(
            batchSize: [1, 10, 25, 100].randomElement(using: &random)!,
            batchingWindow: [0, 0.5, 1, 5].randomElement(using: &random)!,
            maximumConcurrency: Int.random(in: 2...5, using: &random))
        mapping.functionTimeout = 30
        var scenario = Scenario(deploy: deploy, mapping: mapping, seed: seed)
        scenario.visibilityTimeout = 45
        scenario.maxReceiveCount = nil
        let quiet = Int.random(in: 2...20, using: &random)
        scenario.coalescing = CoalesceSettings(
            table: "windows", quietSeconds: quiet, maxDelaySeconds: Int.random(in: quiet...90, using: &random))
        var chaos = Scenario.Chaos()
        chaos.crash = 0.15
        chaos.duplicate = 0.05
        chaos.dynamoDBThrottle = 0.05
        chaos.dynamoDBLostAnswer = 0.05
        chaos.sqsFailure = 0.05
        chaos.sqsLostAnswer = 0.05
        chaos.cloudFrontFailure = 0.05
        scenario.chaos = chaos
        scenario.limitSeconds = 4 * 3600
        do {
            return .success(try await DeploySimulation.run(scenario))
        } catch {
            return .failure(error)
        }
    }
}
