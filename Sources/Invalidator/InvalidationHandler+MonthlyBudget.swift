import AWSClient
import Formats
import FoundationEssentials
import InvalidationCore
import LambdaRuntime

extension InvalidationHandler {
    /// The month's figure before an invocation plans, and the handler to plan with: this one, its planner held to
    /// what is left of `MONTHLY_PATH_BUDGET` (`MonthlyPathBudget`).
    func budgeted(
        month: BillingMonth, context: InvocationContext
    ) async -> (handler: InvalidationHandler, figure: MonthlyPathTally.Figure?) {
        guard let monthlyTally else { return (self, nil) }
        let figure = await monthlyTally.spent(month: month, context: context.work, logger: context.logger)
        var held = self
        held.planner = monthlyTally.planner(planner, figure: figure)
        return (held, figure)
    }

    /// After an invocation's submissions: the budget's warning when it held them, and the month's figure counted
    /// and put on the metrics line.
    func countMonth(
        submitted: [PlannedInvalidation], billable: Int, month: BillingMonth, figure: MonthlyPathTally.Figure?,
        context: InvocationContext, into metrics: inout InvocationMetrics
    ) async {
        guard let monthlyTally else { return }
        monthlyTally.warnIfHeld(planner, month: month, figure: figure, planned: submitted, logger: context.logger)
        let after = await monthlyTally.add(
            billable, month: month, before: figure, context: context.work, logger: context.logger)
        metrics.monthBillablePaths = after?.paths
        metrics.monthBillablePathsEstimated = after?.estimated ?? false
    }
}
