import Digests
import Formats
import FoundationEssentials
import JSONSupport

/// What `invalidator cost` read of a month's completed invalidations, kept on disk so that the next run reads only
/// what is new: a completed invalidation never changes, so its count is read once.
///
/// One file per distribution, endpoint and month, in `$XDG_CACHE_HOME/invalidator/cost` (else `~/.cache/…`). A
/// distribution id belongs to one AWS account, so with the endpoint (the real CloudFront or a stand-in such as
/// moto, whose ids repeat) it names the account's data without asking STS. Written atomically (a temporary file,
/// then a rename), readable by the user alone; a file that cannot be read as this layout is ignored, with a note,
/// and rewritten. Only counts are kept, never paths.
public struct CostCache: Sendable {
    /// The directory holding the files.
    public var directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// The cache directory the XDG base directory specification names: `$XDG_CACHE_HOME` when it is an absolute
    /// path, else `$HOME/.cache` when the home directory exists (a home directory is never created, say for a CI
    /// user whose `HOME` is `/nonexistent`); nil when neither can be used, and then nothing is cached.
    public static func defaultDirectory(
        environment: [String: String], exists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    ) -> String? {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/invalidator/cost" }
        if let home = environment["HOME"], home.hasPrefix("/"), exists(home) {
            return home + "/.cache/invalidator/cost"
        }
        return nil
    }

    /// The file for a distribution's month: readable names, and a digest of the endpoint.
    public func path(distributionId: String, month: BillingMonth, endpoint: String) -> String {
        let digest = Hex.string(Array(SHA256Hasher.hash(Array(endpoint.utf8))).prefix(6))
        let safeId = String(String.UnicodeScalarView(distributionId.unicodeScalars.filter(Self.isNameCharacter)))
        return "\(directory)/\(month)-\(safeId)-\(digest).json"
    }

    /// The counts kept for a distribution's month, by invalidation id: empty when there is no file; a note (and
    /// nothing) when the file cannot be used.
    public func load(
        distributionId: String, month: BillingMonth, endpoint: String
    ) -> (counts: [String: InvalidationCount], note: String?) {
        let file = path(distributionId: distributionId, month: month, endpoint: endpoint)
        guard FileManager.default.fileExists(atPath: file) else { return ([:], nil) }
        guard let data = FileManager.default.contents(atPath: file) else {
            return ([:], "cannot read the cache file \(file); reading the month again")
        }
        switch Self.decode(Array(data), distributionId: distributionId, month: month) {
        case .success(let counts): return (counts, nil)
        case .failure(let problem):
            return ([:], "ignoring the cache file \(file) (\(problem.reason)); reading the month again")
        }
    }

    /// Writes the counts, replacing the file at once (never half-written). A failure is a note, not an error: the
    /// report stands without the cache.
    public func save(
        _ counts: [InvalidationCount], distributionId: String, month: BillingMonth, endpoint: String
    ) -> String? {
        let file = path(distributionId: distributionId, month: month, endpoint: endpoint)
        let bytes = Array(Self.encode(counts, distributionId: distributionId, month: month).utf8)
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try Data(bytes).write(to: URL(fileURLWithPath: file), options: .atomic)
            try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
            return nil
        } catch {
            return "could not write the cache file \(file): \(error)"
        }
    }

    /// ASCII letters and digits: what a file name takes of a distribution id.
    static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    /// Why a file was not used.
    public struct Problem: Error, Equatable {
        public var reason: String
    }

    /// The layout: `{"version":1,"distributionId":…,"month":"2026-11","invalidations":[{"id","createTime","paths",
    /// "wildcards","tags"}]}`.
    static func encode(_ counts: [InvalidationCount], distributionId: String, month: BillingMonth) -> String {
        let items = counts.sorted { $0.id < $1.id }.map { count -> JSONValue in
            .object([
                "id": .string(count.id), "createTime": .string(count.createTime),
                "paths": .number(String(count.paths)), "wildcards": .number(String(count.wildcards)),
                "tags": .number(String(count.tags)),
            ])
        }
        return JSON.serialize(
            .object([
                "version": .number("1"), "distributionId": .string(distributionId),
                "month": .string(month.description), "invalidations": .array(items),
            ]))
    }

    static func decode(
        _ bytes: [UInt8], distributionId: String, month: BillingMonth
    ) -> Result<[String: InvalidationCount], Problem> {
        guard let document = try? JSON.parse(bytes) else { return .failure(Problem(reason: "not JSON")) }
        guard document["version"]?.scalarText == "1" else { return .failure(Problem(reason: "not version 1")) }
        guard document["distributionId"]?.string == distributionId, document["month"]?.string == month.description
        else { return .failure(Problem(reason: "for another distribution or month")) }
        guard let items = document["invalidations"]?.array else {
            return .failure(Problem(reason: "no invalidations"))
        }
        var counts: [String: InvalidationCount] = [:]
        for item in items {
            guard let id = item["id"]?.string, !id.isEmpty, let createTime = item["createTime"]?.string,
                let paths = count(item["paths"]), let wildcards = count(item["wildcards"]),
                let tags = count(item["tags"]), wildcards + tags <= paths
            else { return .failure(Problem(reason: "an invalidation entry is malformed")) }
            counts[id] = InvalidationCount(
                id: id, createTime: createTime, paths: paths, wildcards: wildcards, tags: tags)
        }
        return .success(counts)
    }

    /// A whole number from 0 to 1,000,000,000 (an invalidation holds at most a few thousand items).
    static func count(_ value: JSONValue?) -> Int? {
        guard case .number(let text)? = value, let number = Int(text), (0...1_000_000_000).contains(number) else {
            return nil
        }
        return number
    }
}
