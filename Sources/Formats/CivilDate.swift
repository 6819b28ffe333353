import FoundationEssentials

/// Days since 1970-01-01 and dates of the proleptic Gregorian calendar, both ways: Howard Hinnant's
/// `civil_from_days` and `days_from_civil` (http://howardhinnant.github.io/date_algorithms.html), so that RFC 3339
/// and SigV4 timestamps need no DateFormatter (which would bring ICU, absent on provided.al2023).
public enum CivilDate {
    /// Year, month (1...12) and day (1...31) for a count of days since 1970-01-01.
    public static func from(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097  // [0, 146096]
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365  // [0, 399]
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)  // [0, 365], from March 1st
        let shiftedMonth = (5 * dayOfYear + 2) / 153  // [0, 11], March = 0
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Whole days since 1970-01-01 and the time into that day in units of `1 / unitsPerSecond` s (1 for seconds, 1000
    /// for milliseconds), rounded down. Any date: clamped to years 0001...9999 (NaN to 1970), so that a four-digit
    /// year and the Int64 conversion always hold.
    public static func dayAndTime(of date: Date, unitsPerSecond: Int64) -> (days: Int64, time: Int64) {
        let raw = date.timeIntervalSince1970
        let seconds = raw.isNaN ? 0 : min(max(raw, -62_135_596_800), 253_402_300_799)
        let units = Int64((seconds * Double(unitsPerSecond)).rounded(.down))
        let perDay = 86_400 * unitsPerSecond
        var days = units / perDay
        var time = units % perDay
        if time < 0 {
            time += perDay
            days -= 1
        }
        return (days, time)
    }

    /// Days since 1970-01-01 for a year, month (1...12) and day (1...31).
    public static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
