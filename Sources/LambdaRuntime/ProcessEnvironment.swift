#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process's environment variables, read from `environ`.
///
/// `bootstrap` reads its environment here rather than through `ProcessInfo`, whose object file would link most of
/// FoundationEssentials into it (docs/BENCHMARKS.md, issue 19). A name given twice keeps its first value, as
/// `getenv(3)` does; an entry without `=` is skipped.
public enum ProcessEnvironment {
    public static func current() -> [String: String] {
        var variables: [String: String] = [:]
        // NULL after clearenv(3).
        guard var entry = Optional(environ) else { return variables }
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.utf8.firstIndex(of: UInt8(ascii: "=")) {
                let name = String(text[..<equals])
                if variables[name] == nil { variables[name] = String(text[text.index(after: equals)...]) }
            }
            entry += 1
        }
        return variables
    }
}
