import Formats
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
        log(level, message, pairs: fields.map { ($0.key, $0.value) })
    }

    /// `log` with fields built at run time, in the order given.
    public func log(_ level: LogLevel, _ message: String, pairs fields: [(String, String)]) {
        guard isEnabled(level) else { return }
        let all = metadata + fields
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
