import AWSClient
import JSONSupport

/// One result of `invalidator doctor`: what was checked, how it stands, and the one-line fix when it does not.
public struct Finding: Sendable, Equatable {
    /// How a check stands: a problem stops invalidation (or will), a warning may, ok is as it should be.
    public enum Severity: String, Sendable, Comparable {
        case ok
        case warning
        case problem

        var rank: Int {
            switch self {
            case .ok: return 0
            case .warning: return 1
            case .problem: return 2
            }
        }

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    /// What part of the deployment: `function`, `trigger`, `distribution E123…`, `permissions`.
    public var area: String
    /// The check within it: `runtime`, `visibility timeout`, `origin`.
    public var check: String
    public var severity: Severity
    public var message: String
    /// The fix in one line; empty when the check is ok.
    public var fix: String

    public init(area: String, check: String, severity: Severity, message: String, fix: String = "") {
        self.area = area
        self.check = check
        self.severity = severity
        self.message = message
        self.fix = fix
    }

    static func ok(_ area: String, _ check: String, _ message: String) -> Finding {
        Finding(area: area, check: check, severity: .ok, message: message)
    }

    static func warning(_ area: String, _ check: String, _ message: String, fix: String) -> Finding {
        Finding(area: area, check: check, severity: .warning, message: message, fix: fix)
    }

    static func problem(_ area: String, _ check: String, _ message: String, fix: String) -> Finding {
        Finding(area: area, check: check, severity: .problem, message: message, fix: fix)
    }

    /// A check the doctor could not make because its own call failed. Denied: a warning naming the permission the
    /// operator's credentials lack (the deployment may well be fine); anything else: a warning with the error.
    static func unchecked(_ area: String, _ check: String, _ error: AWSError, permission: String) -> Finding {
        if isAccessDenied(error) {
            return .warning(
                area, check, "not checked: the doctor's credentials lack \(permission) (\(error.code))",
                fix: "grant \(permission) to the credentials running the doctor, or run it as an administrator")
        }
        // The service's own words when they are short text (not an HTML error page from a proxy or a stand-in).
        let detail =
            error.message.isEmpty || error.message.count > 160 || error.message.hasPrefix("<")
            ? "" : ": \(error.message)"
        return .warning(
            area, check, "not checked: \(error.service) \(error.operation) failed with \(error.code)\(detail)",
            fix: "retry; if it persists, check the call by hand")
    }

    static func isAccessDenied(_ error: AWSError) -> Bool {
        error.code.hasPrefix("AccessDenied") || error.code == "UnauthorizedOperation"
            || error.code == "AuthorizationError" || error.statusCode == 403
    }
}

/// Every finding of one run.
public struct DoctorReport: Sendable, Equatable {
    public var findings: [Finding]

    public init(findings: [Finding]) {
        self.findings = findings
    }

    /// Whether anything is a problem: the command's exit status is then 1.
    public var hasProblem: Bool { findings.contains { $0.severity == .problem } }

    /// The findings of one area and check, for tests and scripts.
    public func findings(_ area: String, _ check: String) -> [Finding] {
        findings.filter { $0.area == area && $0.check == check }
    }

    /// One line per finding (`ok       function  runtime: provided.al2023`), its fix indented beneath, then a
    /// count.
    public var text: String {
        var lines: [String] = []
        let areaWidth = min(findings.map(\.area.count).max() ?? 0, 30)
        for finding in findings {
            let severity = finding.severity.rawValue.padding(8)
            lines.append("\(severity) \(finding.area.padding(areaWidth))  \(finding.check): \(finding.message)")
            if !finding.fix.isEmpty {
                lines.append(String(repeating: " ", count: 11 + areaWidth) + "fix: \(finding.fix)")
            }
        }
        let problems = findings.filter { $0.severity == .problem }.count
        let warnings = findings.filter { $0.severity == .warning }.count
        lines.append("\(findings.count) checks: \(problems) problem(s), \(warnings) warning(s)")
        return lines.joined(separator: "\n")
    }

    /// `{"findings": [{"area", "check", "severity", "message", "fix"}], "problems": n, "warnings": n}`.
    public var json: JSONValue {
        .object([
            "findings": .array(
                findings.map {
                    .object([
                        "area": .string($0.area), "check": .string($0.check), "severity": .string($0.severity.rawValue),
                        "message": .string($0.message), "fix": .string($0.fix),
                    ])
                }),
            "problems": .number(String(findings.filter { $0.severity == .problem }.count)),
            "warnings": .number(String(findings.filter { $0.severity == .warning }.count)),
        ])
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
