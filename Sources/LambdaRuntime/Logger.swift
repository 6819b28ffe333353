import FoundationEssentials
import JSONSupport

/// Log levels, ordered; names as Lambda's advanced logging controls spell them.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case trace, debug, info, warn, error, fatal

    public var name: String {
        switch self {
        case .trace: return "TRACE"
        case .debug: return "DEBUG"
        case .info: return "INFO"
        case .warn: return "WARN"
        case .error: return "ERROR"
        case .fatal: return "FATAL"
        }
    }

    /// Accepts the names in any case, and `WARNING` / `CRITICAL` as Python's logging spells them (the setups this
    /// function replaces used `LOG_LEVEL=WARNING`).
    public init?(name: String) {
        switch name.uppercased() {
        case "TRACE": self = .trace
        case "DEBUG": self = .debug
        case "INFO": self = .info
        case "WARN", "WARNING": self = .warn
        case "ERROR": self = .error
        case "FATAL", "CRITICAL": self = .fatal
        default: return nil
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Lines to stdout, as Lambda collects them: text, or one JSON object a line when `AWS_LAMBDA_LOG_FORMAT=JSON`
/// (Lambda then filters on the `level` field and wants RFC 3339 timestamps).
///
/// Values are whatever the caller passes: callers pass names, counts and ids, never credentials or event bodies.
public struct Logger: Sendable {
    public enum Format: String, Sendable {
        case text
        case json
    }

    public var level: LogLevel
    public var format: Format
    /// Added to every line (the request id during an invocation).
    public var metadata: [(String, String)]
    let write: @Sendable (String) -> Void
    let now: @Sendable () -> Date

    public init(
        level: LogLevel = .info, format: Format = .text, metadata: [(String, String)] = [],
        now: @escaping @Sendable () -> Date = { Date() },
        write: @escaping @Sendable (String) -> Void = Logger.standardOutput
    ) {
        self.level = level
        self.format = format
        self.metadata = metadata
        self.now = now
        self.write = write
    }

    /// `AWS_LAMBDA_LOG_FORMAT` (`Text` | `JSON`), and the level from `AWS_LAMBDA_LOG_LEVEL`, else `LOG_LEVEL`,
    /// else INFO. An unknown level name falls back to INFO and says so once.
    public static func fromEnvironment(
        _ environment: [String: String], write: @escaping @Sendable (String) -> Void = Logger.standardOutput
    ) -> Logger {
        let format: Format = environment["AWS_LAMBDA_LOG_FORMAT"]?.uppercased() == "JSON" ? .json : .text
        var logger = Logger(level: .info, format: format, write: write)
        for variable in ["AWS_LAMBDA_LOG_LEVEL", "LOG_LEVEL"] {
            guard let name = environment[variable], !name.isEmpty else { continue }
            if let level = LogLevel(name: name) {
                logger.level = level
            } else {
                logger.warn("unknown log level, using INFO", ["variable": variable, "value": name])
            }
            break
        }
        return logger
    }

    /// Writes to the process's standard output in one `write(2)`, so concurrent lines never interleave.
    public static let standardOutput: @Sendable (String) -> Void = { line in
        let bytes = Array((line + "\n").utf8)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(1, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }

    public func with(_ key: String, _ value: String) -> Logger {
        var copy = self
        copy.metadata.removeAll { $0.0 == key }
        copy.metadata.append((key, value))
        return copy
    }

    public func isEnabled(_ level: LogLevel) -> Bool { level >= self.level }

    /// Writes `line` as it is, whatever the level: for CloudWatch embedded metrics, which must be a JSON object alone
    /// on its line.
    public func raw(_ line: String) { write(line) }

    public func trace(
        _ message: @autoclosure () -> String, _ fields: @autoclosure () -> KeyValuePairs<String, String> = [:]
    ) {
        log(.trace, message(), fields())
    }
    public func debug(
        _ message: @autoclosure () -> String, _ fields: @autoclosure () -> KeyValuePairs<String, String> = [:]
    ) {
        log(.debug, message(), fields())
    }
    public func info(
        _ message: @autoclosure () -> String, _ fields: @autoclosure () -> KeyValuePairs<String, String> = [:]
    ) {
        log(.info, message(), fields())
    }
    public func warn(
        _ message: @autoclosure () -> String, _ fields: @autoclosure () -> KeyValuePairs<String, String> = [:]
    ) {
        log(.warn, message(), fields())
    }
    public func error(
        _ message: @autoclosure () -> String, _ fields: @autoclosure () -> KeyValuePairs<String, String> = [:]
    ) {
        log(.error, message(), fields())
    }

    public func log(_ level: LogLevel, _ message: String, _ fields: KeyValuePairs<String, String>) {
        guard isEnabled(level) else { return }
        let all = metadata + fields.map { ($0.key, $0.value) }
        switch format {
        case .text:
            var line = "\(level.name) \(message)"
            for (key, value) in all { line += " \(key)=\(Self.textValue(value))" }
            write(line)
        case .json:
            var line = "{\"timestamp\":\"\(RFC3339.format(now()))\",\"level\":\"\(level.name)\",\"message\":"
            line += JSON.quote(message)
            for (key, value) in all where !["timestamp", "level", "message"].contains(key) {
                line += "," + JSON.quote(key) + ":" + JSON.quote(value)
            }
            write(line + "}")
        }
    }

    /// Quotes a value that would otherwise be ambiguous on a text line (spaces, quotes, newlines, empty).
    static func textValue(_ value: String) -> String {
        let plain =
            !value.isEmpty
            && value.unicodeScalars.allSatisfy {
                $0.value > 0x20 && $0.value != 0x7F && $0 != "\"" && $0 != "=" && $0 != "\\"
            }
        return plain ? value : JSON.quote(value)
    }
}

/// RFC 3339 UTC timestamps with milliseconds, computed without a DateFormatter (FoundationEssentials has none that
/// is cheap at start-up).
public enum RFC3339 {
    public static func format(_ date: Date) -> String {
        let totalMilliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var days = totalMilliseconds / 86_400_000
        var rest = totalMilliseconds % 86_400_000
        if rest < 0 {
            rest += 86_400_000
            days -= 1
        }
        let (year, month, day) = civil(fromDays: days)
        let hour = rest / 3_600_000
        let minute = rest / 60_000 % 60
        let second = rest / 1000 % 60
        let millisecond = rest % 1000
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))."
            + "\(pad(millisecond, 3))Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, the form AWS answers in; nil for anything else.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[range] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            return value
        }
        guard bytes.count >= 20, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54 || bytes[10] == 0x74,
            bytes[13] == 0x3A, bytes[16] == 0x3A, let year = number(0..<4), let month = number(5..<7),
            let day = number(8..<10), let hour = number(11..<13), let minute = number(14..<16),
            let second = number(17..<19), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
            second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if bytes[index] == 0x2E {
            var scale = 0.1
            index += 1
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
                fraction += Double(bytes[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
        }
        var offset: Int64 = 0
        guard index < bytes.count else { return nil }
        if bytes[index] == 0x5A || bytes[index] == 0x7A {
            index += 1
        } else if bytes[index] == 0x2B || bytes[index] == 0x2D, let hours = number((index + 1)..<(index + 3)),
            index + 3 < bytes.count, bytes[index + 3] == 0x3A, let minutes = number((index + 4)..<(index + 6))
        {
            offset = (hours * 60 + minutes) * 60 * (bytes[index] == 0x2B ? 1 : -1)
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        // Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// Howard Hinnant's civil_from_days.
    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
