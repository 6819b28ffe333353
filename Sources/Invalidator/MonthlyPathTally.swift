import AWSClient
import Formats
import FoundationEssentials
import InvalidationCore
import LambdaRuntime
import Synchronization

/// The month's billable paths as the function knows them, for `MONTHLY_PATH_BUDGET` and the metrics line.
///
/// With a coalescing table (`COALESCE_TABLE`) the figure is the account-wide count every container keeps: an item
/// per month (`CoalesceWindow.monthKey`) to which each invocation adds what it submitted, with DynamoDB's atomic
/// `ADD`. Without one, it is what this warm container submitted this month: an estimate (other containers, other
/// tools and the console also invalidate), and said to be one. A failed table call falls back to the estimate, with a
/// warning: the invalidations themselves never wait on the count.
public final class MonthlyPathTally: Sendable {
    /// nil: the figure is kept for the metrics only.
    public let budget: MonthlyPathBudget?
    let table: (dynamoDB: DynamoDBClient, name: String)?
    private let state = Mutex(State())

    struct State {
        var month: BillingMonth?
        /// This container's submissions in `month`.
        var own = 0
        /// The month the budget's warning was logged for.
        var warned: BillingMonth?
    }

    /// The month's figure: paths so far, and whether it is this container's estimate.
    public struct Figure: Sendable, Equatable {
        public var paths: Int
        public var estimated: Bool
    }

    /// - Parameter table: the coalescing table and its client, when there is one.
    public init(budget: MonthlyPathBudget?, table: (dynamoDB: DynamoDBClient, name: String)? = nil) {
        self.budget = budget
        self.table = table
    }

    /// Items of past months go after this long (DynamoDB's TTL); the current month's is renewed by every `ADD`.
    static let retentionSeconds: Int64 = 62 * 86_400

    /// The figure before this invocation plans; read only when there is a budget to hold it to.
    func spent(month: BillingMonth, context: AWSCallContext, logger: Logger) async -> Figure? {
        guard budget != nil else { return nil }
        if let table {
            do {
                let item = try await table.dynamoDB.getItem(
                    table: table.name, key: CoalesceWindow.monthKey(month), consistentRead: false, context: context)
                return Figure(paths: Int(item?["paths"]?.int64Value ?? 0), estimated: false)
            } catch {
                logger.warn(
                    "could not read the month's billable paths; using this container's count",
                    ["table": table.name, "error": error.description])
            }
        }
        return Figure(paths: own(month), estimated: true)
    }

    /// The planner's settings for this invocation: held to what is left of the budget after `figure`.
    func planner(_ settings: PlannerSettings, figure: Figure?) -> PlannerSettings {
        guard let budget, let figure else { return settings }
        return budget.planner(settings, spent: figure.paths)
    }

    /// Logs the budget's warning, once a month in this container: when an invocation that plans requests finds the
    /// budget holding them (`MonthlyPathBudget.holds`).
    func warnIfHeld(
        _ settings: PlannerSettings, month: BillingMonth, figure: Figure?, planned: [PlannedInvalidation],
        logger: Logger
    ) {
        guard let budget, let figure, !planned.isEmpty, budget.holds(settings, spent: figure.paths) else { return }
        let first = state.withLock { state in
            defer { state.warned = month }
            return state.warned != month
        }
        guard first else { return }
        logger.warn(
            "MONTHLY_PATH_BUDGET nearly spent: each request is held to what is left, with fewer, wider paths (at the "
                + "last /*)",
            [
                "month": month.description, "budget": String(budget.limit), "billablePathsSoFar": String(figure.paths),
                "estimated": String(figure.estimated),
                "allowedPerRequest": String(budget.allowance(spent: figure.paths)),
            ])
    }

    /// Counts what an invocation submitted; the month's figure after it, or the last read when nothing was
    /// submitted (nil when the table was neither read nor written: the metrics line then leaves it out).
    func add(
        _ paths: Int, month: BillingMonth, before: Figure?, context: AWSCallContext, logger: Logger
    ) async -> Figure? {
        let own = state.withLock { state in
            if state.month != month {
                state.month = month
                state.own = 0
            }
            state.own += max(0, paths)
            return state.own
        }
        guard let table else { return Figure(paths: own, estimated: true) }
        guard paths > 0 else { return before }
        do {
            let item = try await table.dynamoDB.updateItem(
                table: table.name, key: CoalesceWindow.monthKey(month),
                update: "ADD #paths :paths SET #expires = :expires",
                names: ["#paths": "paths", "#expires": "expires"],
                values: [
                    ":paths": .int(Int64(paths)),
                    ":expires": .int(Int64(month.end.timeIntervalSince1970) + Self.retentionSeconds),
                ], returnNewValues: true, context: context)
            return Figure(paths: Int(item?["paths"]?.int64Value ?? Int64(paths)), estimated: false)
        } catch {
            logger.warn(
                "could not add to the month's billable paths; the metric is this container's count",
                ["table": table.name, "paths": String(paths), "error": error.description])
            return Figure(paths: own, estimated: true)
        }
    }

    func own(_ month: BillingMonth) -> Int {
        state.withLock { $0.month == month ? $0.own : 0 }
    }
}
