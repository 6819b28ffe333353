import FoundationEssentials
import InvalidationCore
import LocalAWS

extension SimulationRun {
    /// The run's figures, once it is over; the fakes are shut down.
    func finish() async -> Figures {
        figures.virtualSeconds = time()
        figures.unfinished = queue.remaining
        figures.deadLettered = queue.deadLettered.count
        figures.receiveCalls = queue.receiveCalls
        let counters = await fakes.cloudFront.counters
        let records = await fakes.cloudFront.invalidations
        if scenario.tags != nil {
            let changes = scenario.deploy.uploads.flatMap { upload in
                CloudFrontPath.paths(forKey: upload.key, indexDocument: "index.html").map {
                    EdgeCache.Change(path: $0, time: DeploySimulation.start.addingTimeInterval(upload.finished))
                }
            }
            let edge = await fakes.cloudFront.edgeCacheFigures(DeploySimulation.distribution, changes: changes)
            figures.stale = edge?.stale ?? []
            figures.overInvalidated = edge?.overInvalidated ?? []
        }
        await fakes.shutdown()
        figures.created = counters.created
        figures.throttles = counters.throttled
        figures.inProgressRefusals = counters.tooManyInProgress
        figures.awsCalls = shared.counts.withLock { $0 }
        figures.attempts = figures.awsCalls["CreateInvalidation"] ?? 0
        figures.billablePaths = records.reduce(0) { $0 + $1.paths.count }
        let start = DeploySimulation.start
        figures.lastCreated = records.map { $0.created.timeIntervalSince(start) }.max()
        figures.lastCompleted = records.map { $0.completes.timeIntervalSince(start) }.max()
        for record in records {
            let running = records.filter { $0.created <= record.created && $0.completes > record.created }
            figures.peakWildcards = max(figures.peakWildcards, running.reduce(0) { $0 + $1.wildcardCount })
        }
        figures.lost = lostUploads(records)
        (figures.windowsFlushed, figures.windowsFlushedTwice) = Self.windows(records)
        return figures
    }

    /// Uploads no invalidation covers that was created after the upload's message reached the queue (a
    /// dead-lettered message is handed back, not lost: it is left out).
    func lostUploads(_ records: [FakeCloudFront.Record]) -> [String] {
        let deadLettered = Set(queue.deadLettered.compactMap { uploadOfMessage[$0] })
        // A tag covers the uploads its rules give it (on the edge, only with the distribution's CacheTagConfig:
        // `stale` says whether it did).
        let tagRules = scenario.tags.flatMap { try? TagRules(parsing: $0.rules) } ?? TagRules()
        var lost: [String] = []
        for (index, upload) in scenario.deploy.uploads.enumerated() where !deadLettered.contains(index) {
            let arrival = DeploySimulation.start.addingTimeInterval(upload.sent + scenario.delaySeconds)
            let path = "/" + upload.key
            let tagged = Set(tagRules.items(forKey: upload.key).map(CacheTag.matchKey))
            let covered = records.contains { record in
                record.created >= arrival
                    && record.paths.contains {
                        CacheTag.isItem($0) ? tagged.contains(CacheTag.matchKey($0)) : PathCollapser.covers($0, path)
                    }
            }
            if !covered { lost.append(upload.key) }
        }
        return lost
    }

    /// Windows flushed, and those flushed more than once: invalidations of one window's part (CallerReference
    /// `cfwin-<window>-<part>-…`) with different references.
    static func windows(_ records: [FakeCloudFront.Record]) -> (flushed: Int, twice: Int) {
        var references: [String: Set<String>] = [:]
        for record in records where record.callerReference.hasPrefix("cfwin-") {
            let parts = record.callerReference.split(separator: "-", maxSplits: 3)
            guard parts.count == 4 else { continue }
            references[record.distributionId + "/" + parts[1] + "/" + parts[2], default: []]
                .insert(record.callerReference)
        }
        let windows = Set(references.keys.map { $0.split(separator: "/").prefix(2).joined(separator: "/") })
        return (windows.count, references.values.filter { $0.count > 1 }.count)
    }
}
