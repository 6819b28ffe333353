import InvalidationCore
import Testing

@Suite("MONTHLY_PATH_BUDGET: collapsing harder as the month's budget runs out")
struct MonthlyPathBudgetTests {
    /// 40 changed files: ten in /docs/a/, ten in /docs/b/, twenty in /img/.
    static let keys =
        (0..<10).map { "docs/a/\($0).html" } + (0..<10).map { "docs/b/\($0).html" } + (0..<20).map { "img/\($0).png" }

    static func paths(spent: Int, limit: Int = 1000, keys: [String] = keys) -> [String] {
        let settings = MonthlyPathBudget(limit: limit).planner(PlannerSettings(), spent: spent)
        let plan = Planner.plan(s3Event(keys), settings: settings) { _ in ["E1"] }
        return plan.invalidations.flatMap(\.paths)
    }

    @Test(
        "what a request may cost: what is left, never less than one path",
        arguments: [
            (0, 1000), (990, 10), (999, 1), (1000, 1), (5000, 1), (-3, 1000),
        ])
    func allowance(spent: Int, allowed: Int) {
        #expect(MonthlyPathBudget(limit: 1000).allowance(spent: spent) == allowed)
    }

    @Test("a plan that fits what is left is unchanged")
    func fits() {
        #expect(Self.paths(spent: 0).count == 40)
        #expect(Self.paths(spent: 960) == Self.paths(spent: 0), "40 left: the 40 exact paths still fit")
        #expect(!MonthlyPathBudget(limit: 1000).holds(PlannerSettings(), spent: 900))
        #expect(MonthlyPathBudget(limit: 1000).holds(PlannerSettings(), spent: 901))
    }

    @Test("one that would pass it collapses harder: fewer wildcards, then /*")
    func collapsesHarder() {
        #expect(Self.paths(spent: 997) == ["/docs/a/*", "/docs/b/*", "/img/*"])
        #expect(Self.paths(spent: 998) == ["/docs/*", "/img/*"])
        #expect(Self.paths(spent: 999) == ["/*"])
        #expect(Self.paths(spent: 4000) == ["/*"], "past the budget: one path a request")
    }

    @Test("past the budget a single change stays exact: one path costs what /* costs")
    func singleChange() {
        #expect(Self.paths(spent: 5000, keys: ["docs/a/1.html"]) == ["/docs/a/1.html"])
        #expect(Self.paths(spent: 5000, keys: ["docs/a/1.html", "docs/a/2.html"]) == ["/docs/a/*"])
    }

    @Test(
        "the per-request budget, held to an allowance",
        arguments: [
            (1000, PathBudget(maximumPaths: 100, maximumWildcards: 10)),
            (100, PathBudget(maximumPaths: 100, maximumWildcards: 10)),
            (99, PathBudget(maximumPaths: 99, maximumWildcards: 10)),
            (5, PathBudget(maximumPaths: 5, maximumWildcards: 5)),
            (0, PathBudget(maximumPaths: 1, maximumWildcards: 1)),
        ])
    func limited(allowance: Int, expected: PathBudget) {
        #expect(PathBudget().limited(toAllowance: allowance) == expected)
        #expect(PathBudget(maximumPaths: 50, maximumWildcards: 0).limited(toAllowance: 3).maximumWildcards == 0)
    }
}
