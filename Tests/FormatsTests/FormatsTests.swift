import Formats
import FoundationEssentials
import Testing

@Suite("RFC 3339")
struct RFC3339Tests {
    @Test(
        "RFC 3339 across leap days and year ends",
        arguments: [
            (0.0, "1970-01-01T00:00:00.000Z"), (951_782_400.0, "2000-02-29T00:00:00.000Z"),
            (1_735_689_599.999, "2024-12-31T23:59:59.999Z"), (4_107_542_400.0, "2100-03-01T00:00:00.000Z"),
            (-1.0, "1969-12-31T23:59:59.000Z"),
        ])
    func format(seconds: Double, text: String) {
        #expect(RFC3339.format(Date(timeIntervalSince1970: seconds)) == text)
    }

    @Test("a date past what four digits hold is clamped, never a trap")
    func clamped() {
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1e300)) == "9999-12-31T23:59:59.000Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: -1e300)) == "0001-01-01T00:00:00.000Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: .nan)) == "1970-01-01T00:00:00.000Z")
    }

    @Test("parses what it formats, AWS's forms and offsets; refuses the rest")
    func parse() {
        for seconds in [0.0, 1_700_000_000.5, 1_795_341_600.123, 951_782_400] {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(RFC3339.parse(RFC3339.format(date)).map { abs($0.timeIntervalSince(date)) < 0.001 } == true)
        }
        #expect(RFC3339.parse("2026-11-22T10:00:00Z") == Date(timeIntervalSince1970: 1_795_341_600))
        #expect(RFC3339.parse("2026-11-22T11:30:00+01:30") == Date(timeIntervalSince1970: 1_795_341_600))
        for bad in ["", "2026-11-22", "2026-13-01T00:00:00Z", "2026-11-22T10:00:00", "2026-11-22T10:00:00Zjunk"] {
            #expect(RFC3339.parse(bad) == nil, "\(bad)")
        }
    }
}

@Suite("Civil dates, hex and trimming")
struct SmallFormatsTests {
    @Test("days and dates round-trip over four centuries either side of 1970")
    func civilDates() {
        for days in stride(from: Int64(-146_097), through: 146_097, by: 37) {
            let (year, month, day) = CivilDate.from(days: days)
            #expect(CivilDate.days(year: year, month: month, day: day) == days)
        }
        #expect(CivilDate.from(days: 0) == (1970, 1, 1))
        #expect(CivilDate.from(days: 11_016) == (2000, 2, 29))
    }

    @Test("a date splits into whole days and the time into the day, before 1970 too, clamped past year 9999")
    func dayAndTime() {
        #expect(CivilDate.dayAndTime(of: Date(timeIntervalSince1970: 86_401.5), unitsPerSecond: 1000) == (1, 1500))
        #expect(CivilDate.dayAndTime(of: Date(timeIntervalSince1970: -1), unitsPerSecond: 1) == (-1, 86_399))
        #expect(CivilDate.dayAndTime(of: Date(timeIntervalSince1970: .nan), unitsPerSecond: 1) == (0, 0))
        #expect(CivilDate.dayAndTime(of: Date(timeIntervalSince1970: 1e300), unitsPerSecond: 1).days == 2_932_896)
    }

    @Test("hex digits both ways, both cases")
    func hex() {
        #expect(Hex.string([0x00, 0x0F, 0xA5, 0xFF]) == "000fa5ff")
        #expect(Hex.string([0x00, 0x0F, 0xA5, 0xFF], uppercase: true) == "000FA5FF")
        for value in UInt8(0)...15 {
            #expect(Hex.value(Hex.digit(value, uppercase: false)) == value)
            #expect(Hex.value(Hex.digit(value, uppercase: true)) == value)
        }
        #expect(Hex.value(UInt8(ascii: "g")) == nil)
        var text = "a"
        Hex.appendPercentEscape(0x20, to: &text)
        #expect(text == "a%20")
    }

    @Test("trimming takes Unicode white space from both ends only")
    func trimming() {
        #expect(" \t a b \n".trimmingWhitespace() == "a b")
        #expect("\u{00A0}x\u{2003}".trimmingWhitespace() == "x")
        #expect("".trimmingWhitespace() == "")
        #expect(Substring("  ").trimmingWhitespace() == "")
    }
}
