/// `MONTHLY_PATH_BUDGET`: the billable paths a month may cost before the planner collapses harder. CloudFront bills
/// each path beyond the account's free 1,000 a month; a budget keeps a runaway deploy loop from becoming a bill
/// while still invalidating everything (with fewer, wider paths, and `/*` at the last).
///
/// The rule, in one place: with `spent` paths counted this month, a request may cost what is left of the budget
/// (at least one path: a change is never left stale). A plan that fits what is left is unchanged; one that would
/// pass it is collapsed to fit, wildcards first and fewer of them, then `/*`; once the budget is spent, every request
/// is one path (a single exact path, one directory wildcard, or `/*`).
///
/// The figure is read before a plan and counted after it, so each distribution's request of one plan is held to the
/// allowance on its own, and concurrent invocations each see what was counted before them: a budget may be passed by
/// a few requests' worth, never by a runaway.
public struct MonthlyPathBudget: Sendable, Equatable {
    /// Billable paths a month, at least 1.
    public var limit: Int

    public init(limit: Int) {
        self.limit = limit
    }

    /// What a request may still cost: at least 1.
    public func allowance(spent: Int) -> Int { max(1, limit - max(0, spent)) }

    /// The planner's settings for the next plan after `spent` paths this month: the per-request budget held to the
    /// allowance (`PathBudget.limited`).
    public func planner(_ settings: PlannerSettings, spent: Int) -> PlannerSettings {
        var held = settings
        held.budget = (settings.budget ?? PathBudget()).limited(toAllowance: allowance(spent: spent))
        return held
    }

    /// Whether the budget holds plans after `spent` paths: what is left of it is tighter than the per-request budget
    /// (`MAX_PATHS`), so a plan that would pass it is collapsed harder.
    public func holds(_ settings: PlannerSettings, spent: Int) -> Bool {
        planner(settings, spent: spent).budget != settings.budget
    }
}

extension PathBudget {
    /// This budget held to `allowance` paths a request: fewer paths and no more wildcards than that (so the collapser
    /// merges into fewer, wider wildcards, and answers `/*` when nothing narrower fits). Unchanged when the allowance
    /// is no tighter than `maximumPaths`.
    public func limited(toAllowance allowance: Int) -> PathBudget {
        let paths = max(1, allowance)
        guard paths < maximumPaths else { return self }
        return PathBudget(maximumPaths: paths, maximumWildcards: min(maximumWildcards, paths))
    }
}
