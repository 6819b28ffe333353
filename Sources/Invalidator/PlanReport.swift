import InvalidationCore
import JSONSupport

/// How `invalidator plan` shows a plan: a table for people, or one JSON object for scripts.
public enum PlanReport {
    /// `{"invalidations":[{"distributionId","callerReference","paths"}],"skipped":[{"record","reason"}]}`
    public static func json(plan: InvalidationPlan, event: DecodedEvent) -> String {
        let invalidations = plan.invalidations.map { planned -> JSONValue in
            .object([
                "distributionId": .string(planned.distributionId),
                "callerReference": .string(planned.callerReference),
                "paths": .array(planned.paths.map(JSONValue.string)),
            ])
        }
        let skipped = (event.notes + plan.notes).map { note -> JSONValue in
            .object(["record": .string(note.record), "reason": .string(note.reason)])
        }
        // Members in the documented order (serialize sorts keys, which would put "skipped" first anyway).
        return "{\"invalidations\":\(JSON.serialize(.array(invalidations))),\"skipped\":"
            + "\(JSON.serialize(.array(skipped)))}"
    }

    public static func text(plan: InvalidationPlan, event: DecodedEvent) -> String {
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
                "distribution \(planned.distributionId): \(count) path\(count == 1 ? "" : "s"), "
                    + "caller reference \(planned.callerReference)")
            for path in planned.paths { lines.append("  \(path)") }
        }
        for note in event.notes + plan.notes {
            lines.append("skipped \(note.record): \(note.reason)")
        }
        return lines.joined(separator: "\n")
    }
}
