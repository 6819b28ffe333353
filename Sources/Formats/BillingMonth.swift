import FoundationEssentials

/// A calendar month in UTC, the period CloudFront's invalidation allowance resets on: `invalidator cost` reports one,
/// and `MONTHLY_PATH_BUDGET` counts within one.
public struct BillingMonth: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    /// 1 to 12.
    public let month: Int

    /// Years a month may be in: four digits, as RFC 3339 writes them.
    static let years = 1...9999

    public init?(year: Int, month: Int) {
        guard Self.years.contains(year), (1...12).contains(month) else { return nil }
        self.year = year
        self.month = month
    }

    /// `YYYY-MM`, exactly (`2026-11`); nil for anything else.
    public init?(parsing text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 7, bytes[4] == UInt8(ascii: "-"),
            bytes.enumerated().allSatisfy({ $0.offset == 4 || (0x30...0x39).contains($0.element) })
        else { return nil }
        let digits = bytes.map { Int($0) - 0x30 }
        self.init(
            year: digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3], month: digits[5] * 10 + digits[6])
    }

    /// The month `date` falls in, in UTC.
    public init(containing date: Date) {
        let (days, _) = CivilDate.dayAndTime(of: date, unitsPerSecond: 1)
        let (year, month, _) = CivilDate.from(days: days)
        self.year = Int(year)
        self.month = Int(month)
    }

    /// Its first instant: 00:00 UTC on its first day.
    public var start: Date {
        Date(
            timeIntervalSince1970: TimeInterval(CivilDate.days(year: Int64(year), month: Int64(month), day: 1) * 86_400)
        )
    }

    /// The first instant after it: the next month's `start`.
    public var end: Date {
        month == 12
            ? Date(
                timeIntervalSince1970: TimeInterval(CivilDate.days(year: Int64(year) + 1, month: 1, day: 1) * 86_400))
            : Date(
                timeIntervalSince1970: TimeInterval(
                    CivilDate.days(year: Int64(year), month: Int64(month) + 1, day: 1) * 86_400))
    }

    public func contains(_ date: Date) -> Bool { date >= start && date < end }

    /// How much of the month has passed at `now`: 0 before it, 1 after it.
    public func elapsedFraction(at now: Date) -> Double {
        let length = end.timeIntervalSince(start)
        return min(1, max(0, now.timeIntervalSince(start) / length))
    }

    /// `2026-11`.
    public var description: String {
        let yearText = String(year)
        return String(repeating: "0", count: 4 - yearText.count) + yearText + (month < 10 ? "-0" : "-") + String(month)
    }

    public static func < (lhs: BillingMonth, rhs: BillingMonth) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }
}
