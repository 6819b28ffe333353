/// What CloudFront charges for invalidation paths, as its public pages state it (November 2026):
/// - the first 1,000 paths a month are free, summed over every distribution of the AWS account; each path beyond is
///   billed, a wildcard path (`/images/*`, even `/*`) as one, a cache tag item (`#html`) as one, and each path of a
///   multi-path request on its own: "Pay for file invalidation",
///   https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/PayingForInvalidation.html
/// - a path beyond the free ones costs $0.005: "Amazon CloudFront pricing", https://aws.amazon.com/cloudfront/pricing/
///
/// Amounts are kept in thousandths of a dollar, so that $0.005 a path is exact and sums never drift.
public enum InvalidationPricing {
    /// Free paths a month per AWS account.
    public static let freePathsPerMonth = 1000
    /// The price of a path beyond the free ones, in thousandths of a dollar ($0.005).
    public static let milliDollarsPerPath = 5

    /// The paths beyond the month's free ones.
    public static func billable(paths: Int) -> Int { max(0, paths - freePathsPerMonth) }

    /// What `paths` in a month cost, in thousandths of a dollar.
    public static func milliDollars(paths: Int) -> Int { billable(paths: paths) * milliDollarsPerPath }

    /// `12.345` for 12,345 thousandths of a dollar: exact, three decimals (a path costs half a cent).
    public static func dollars(milliDollars: Int) -> String {
        let fraction = String(milliDollars % 1000)
        return String(milliDollars / 1000) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
