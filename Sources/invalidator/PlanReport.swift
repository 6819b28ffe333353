import InvalidationCore
import Invalidator
import JSONSupport

/// How `invalidator plan` shows a plan: a table for people, or one JSON object for scripts.
enum PlanReport {
    /// `{"invalidations":[{"distributionId" (or "tenantId", with "roleArn" through a role),"callerReference","paths"}],
    /// "skipped":[{"record","reason"}]}`
    static func json(plan: InvalidationPlan, event: DecodedEvent) -> String {
        let invalidations = plan.invalidations.map { planned -> JSONValue in
            .object(
                planned.target.members.merging([
                    "callerReference": .string(planned.callerReference),
                    "paths": .array(planned.paths.map(JSONValue.string)),
                    "billablePaths": .number(String(planned.billablePaths)),
                    "changes": .number(String(planned.changes)),
                ]) { first, _ in first })
        }
        let skipped = (event.notes + plan.notes).map { note -> JSONValue in
            .object(["record": .string(note.record), "reason": .string(note.reason)])
        }
        // "invalidations" before "skipped", as documented (serialize sorts keys within each object).
        return "{\"invalidations\":\(JSON.serialize(.array(invalidations))),\"skipped\":"
            + "\(JSON.serialize(.array(skipped)))}"
    }

    static func text(plan: InvalidationPlan, event: DecodedEvent) -> String {
        var lines: [String] = []
        let changes = event.units.reduce(0) { $0 + $1.changes.count }
        if let job = event.pipelineJob {
            lines.append("event: codepipeline job \(job.id)")
        } else {
            lines.append("event: \(event.source.rawValue), \(changes) change\(changes == 1 ? "" : "s")")
        }
        if plan.invalidations.isEmpty { lines.append("nothing to invalidate") }
        for planned in plan.invalidations {
            let count = planned.paths.count
            lines.append(
                "\(planned.target.label): \(count) path\(count == 1 ? "" : "s") "
                    + "(\(planned.billablePaths) billable, covering \(planned.changes) change\(planned.changes == 1 ? "" : "s")), "
                    + "caller reference \(planned.callerReference)")
            for path in planned.paths { lines.append("  \(path)") }
        }
        for note in event.notes + plan.notes {
            lines.append("skipped \(note.record): \(note.reason)")
        }
        if plan.excludedChanges > 0 { lines.append("excluded by INCLUDE/EXCLUDE: \(plan.excludedChanges) changes") }
        return lines.joined(separator: "\n")
    }
}
