import Formats
import FoundationEssentials
import JSONSupport

/// A month's invalidation paths and what they cost: per distribution and in all, the account's free paths, the
/// amount beyond them, and the month's projection at the pace so far.
public struct CostReport: Sendable, Equatable {
    public var month: BillingMonth
    /// When the figures were read.
    public var asOf: Date
    public var distributions: [DistributionCost]
    /// Whether every distribution the credentials can list is here (else only those asked for: the free paths are
    /// the account's, shared with the others).
    public var allDistributions: Bool

    public init(month: BillingMonth, asOf: Date, distributions: [DistributionCost], allDistributions: Bool) {
        self.month = month
        self.asOf = asOf
        self.distributions = distributions
        self.allDistributions = allDistributions
    }

    public var paths: Int { distributions.reduce(0) { $0 + $1.paths } }
    public var invalidations: Int { distributions.reduce(0) { $0 + $1.invalidations } }
    public var billablePaths: Int { InvalidationPricing.billable(paths: paths) }
    public var milliDollars: Int { InvalidationPricing.milliDollars(paths: paths) }
    /// How much of the month had passed when the figures were read (1 for a past month).
    public var elapsedFraction: Double { month.elapsedFraction(at: asOf) }
    /// Whether the month is over: the figures are final, and the projection is the total.
    public var isComplete: Bool { asOf >= month.end }

    /// The paths the month comes to at the pace so far: paths so far over the part of the month elapsed (rounded
    /// up: a projection of a bill should not flatter it). The total for a past month; 0 for one not begun.
    public var projectedPaths: Int {
        let fraction = elapsedFraction
        if fraction >= 1 { return paths }
        if fraction <= 0 || paths == 0 { return 0 }
        let projected = (Double(paths) / fraction).rounded(.up)
        return projected >= Double(Int.max / 2) ? Int.max / 2 : Int(projected)
    }

    public var projectedBillablePaths: Int { InvalidationPricing.billable(paths: projectedPaths) }
    public var projectedMilliDollars: Int { InvalidationPricing.milliDollars(paths: projectedPaths) }

    /// The report as one JSON object (`invalidator cost --json`).
    public var json: JSONValue {
        let rows = distributions.map { cost -> JSONValue in
            .object([
                "distributionId": .string(cost.distributionId), "invalidations": Self.number(cost.invalidations),
                "paths": Self.number(cost.paths), "wildcards": Self.number(cost.wildcards),
                "tags": Self.number(cost.tags), "inProgress": Self.number(cost.inProgress),
                "fromCache": Self.number(cost.fromCache), "read": Self.number(cost.read),
            ])
        }
        return .object([
            "month": .string(month.description), "asOf": .string(RFC3339.format(asOf)),
            "complete": .bool(isComplete), "elapsedFraction": .number(Self.fraction(elapsedFraction)),
            "allDistributions": .bool(allDistributions), "distributions": .array(rows),
            "invalidations": Self.number(invalidations), "paths": Self.number(paths),
            "freePaths": Self.number(InvalidationPricing.freePathsPerMonth),
            "billablePaths": Self.number(billablePaths),
            "pricePerPathUSD": .number(
                InvalidationPricing.dollars(milliDollars: InvalidationPricing.milliDollarsPerPath)),
            "amountUSD": .number(InvalidationPricing.dollars(milliDollars: milliDollars)),
            "projection": .object([
                "paths": Self.number(projectedPaths), "billablePaths": Self.number(projectedBillablePaths),
                "amountUSD": .number(InvalidationPricing.dollars(milliDollars: projectedMilliDollars)),
            ]),
        ])
    }

    /// The report as text: a table of distributions, then the month's arithmetic.
    public var text: [String] {
        let header = ["DISTRIBUTION", "INVALIDATIONS", "PATHS", "WILDCARDS", "TAGS", "IN PROGRESS"]
        let body = distributions.map {
            [$0.distributionId] + [$0.invalidations, $0.paths, $0.wildcards, $0.tags, $0.inProgress].map { String($0) }
        }
        let total = ["total", String(invalidations), String(paths), "", "", ""]
        let table = [header] + body + [total]
        let widths = header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        var lines = [headline]
        for row in table {
            let cells = row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + pad : pad + cell
            }
            lines.append(cells.joined(separator: "  ").trimmingTrailingSpaces())
        }
        let free = InvalidationPricing.freePathsPerMonth
        let price = "$" + InvalidationPricing.dollars(milliDollars: InvalidationPricing.milliDollarsPerPath)
        lines.append(
            "free paths a month: \(free) per account"
                + (allDistributions ? "" : " (shared with the account's distributions not listed here)"))
        lines.append(
            "beyond the free paths: \(billablePaths) × \(price) = $\(InvalidationPricing.dollars(milliDollars: milliDollars))"
        )
        if !isComplete {
            lines.append(
                "projection for the month at this pace: \(projectedPaths) paths, \(projectedBillablePaths) beyond the "
                    + "free ones, $\(InvalidationPricing.dollars(milliDollars: projectedMilliDollars))")
        }
        return lines
    }

    var headline: String {
        if isComplete { return "CloudFront invalidation paths in \(month) (the whole month)" }
        let percent = Self.fraction(elapsedFraction * 100, decimals: 1)
        return "CloudFront invalidation paths in \(month), to \(RFC3339.format(asOf)) (\(percent)% of the month)"
    }

    static func number(_ value: Int) -> JSONValue { .number(String(value)) }

    /// A fraction with `decimals` decimals, rounded half up: `0.903`.
    static func fraction(_ value: Double, decimals: Int = 3) -> String {
        var scale = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int((value * Double(scale)).rounded())
        let digits = String(scaled % scale)
        return String(scaled / scale) + "." + String(repeating: "0", count: decimals - digits.count) + digits
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
