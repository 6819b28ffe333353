import Formats

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The AWS shared configuration files, as every AWS tool reads them (for the command line; the Lambda function
/// takes its credentials from the environment Lambda sets).
///
/// `AWS_DEFAULT_PROFILE` (else `AWS_PROFILE`, else `default`) names the profile, as botocore reads them; its settings
/// come from `AWS_CONFIG_FILE` (default `~/.aws/config`, section `[profile name]`, or `[default]`) overridden by
/// `AWS_SHARED_CREDENTIALS_FILE` (default `~/.aws/credentials`, section `[name]`). Credentials and a region already in
/// the environment win, as in the SDKs.
public enum SharedConfig {
    /// `environment` with what the profile adds: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`
    /// and `AWS_REGION`, where the environment lacks them.
    /// - Throws: when a profile named by `AWS_PROFILE` does not exist, or relies on a credential source this tool
    ///   does not implement (assume-role, SSO, credential_process), naming the variable and saying what to do.
    public static func environment(
        overlaying environment: [String: String], readFile: (String) -> String? = Self.read
    ) throws(EndpointError) -> [String: String] {
        // botocore's order: AWS_DEFAULT_PROFILE, then AWS_PROFILE.
        let variable = ["AWS_DEFAULT_PROFILE", "AWS_PROFILE"].first { !(environment[$0] ?? "").isEmpty }
        let profile = variable.flatMap { environment[$0] } ?? "default"
        let home = environment["HOME"] ?? ""
        let credentialsPath = environment["AWS_SHARED_CREDENTIALS_FILE"] ?? home + "/.aws/credentials"
        let configPath = environment["AWS_CONFIG_FILE"] ?? home + "/.aws/config"
        let credentials = readFile(credentialsPath).map(parse)?[profile]
        let configSections = readFile(configPath).map(parse)
        let config =
            configSections?["profile " + profile] ?? (profile == "default" ? configSections?["default"] : nil)
        if let variable, credentials == nil && config == nil {
            throw EndpointError(
                variable: variable,
                description: "\(variable): profile \(profile) is in neither \(credentialsPath) nor \(configPath)")
        }
        // The credentials file's values win over the config file's, as botocore merges them.
        var settings = config ?? [:]
        settings.merge(credentials ?? [:]) { $1 }
        var result = environment
        let hasKeys =
            !(environment["AWS_ACCESS_KEY_ID"] ?? "").isEmpty && !(environment["AWS_SECRET_ACCESS_KEY"] ?? "").isEmpty
        if !hasKeys {
            // A profile that assumes a role (or asks SSO or a process) means another identity than its static keys:
            // refuse rather than act as the wrong one.
            let sources = ["role_arn", "credential_process", "sso_session", "sso_start_url", "web_identity_token_file"]
            if let unsupported = sources.first(where: { settings[$0] != nil }) {
                throw EndpointError(
                    variable: variable ?? "AWS_PROFILE",
                    description: "profile \(profile) gets its credentials through \(unsupported), which this tool does "
                        + "not implement; export them first (aws configure export-credentials --profile \(profile) "
                        + "--format env)")
            }
            if let keyId = settings["aws_access_key_id"], let secret = settings["aws_secret_access_key"] {
                result["AWS_ACCESS_KEY_ID"] = keyId
                result["AWS_SECRET_ACCESS_KEY"] = secret
                result["AWS_SESSION_TOKEN"] = settings["aws_session_token"]
            }
        }
        let hasRegion =
            !(environment["AWS_REGION"] ?? "").isEmpty || !(environment["AWS_DEFAULT_REGION"] ?? "").isEmpty
        if !hasRegion, let region = settings["region"] { result["AWS_REGION"] = region }
        return result
    }

    /// The sections of an INI file: `[name]` -> key -> value. Comments (`#`, `;`) and blank lines are skipped;
    /// keys are lower-cased; indented lines (nested settings such as `s3 =` blocks) are skipped.
    public static func parse(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(whereSeparator: \.isNewline) {
            if rawLine.first == " " || rawLine.first == "\t" { continue }
            let line = Substring(rawLine).trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                let name = Substring(line.dropFirst().dropLast()).trimmingWhitespace()
                let words = name.split(separator: " ", omittingEmptySubsequences: true)
                let section = words.joined(separator: " ")
                if sections[section] == nil { sections[section] = [:] }
                current = section
                continue
            }
            guard let current, let equals = line.firstIndex(of: "=") else { continue }
            let key = Substring(line[..<equals]).trimmingWhitespace().lowercased()
            let value = Substring(line[line.index(after: equals)...]).trimmingWhitespace()
            sections[current]?[key] = value
        }
        return sections
    }

    /// The file's text, or nil when it cannot be read (missing, a directory, not allowed). `open(2)` and `read(2)`
    /// rather than `FileManager`: every object file of this module is linked into `bootstrap`, and FoundationEssentials'
    /// file API would bring most of FoundationEssentials with it (docs/BENCHMARKS.md, issue 19).
    public static func read(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { readBytes(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// `read(2)`, named apart from `SharedConfig.read(_:)`.
private func readBytes(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.read(descriptor, buffer, count)
    #else
        Darwin.read(descriptor, buffer, count)
    #endif
}
