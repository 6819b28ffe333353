import Crypto
import Formats
import JSONSupport

/// What a deploy script hands the command line: URL paths, or object keys, one per line, in the forms CI tools
/// print them.
///
/// - a path (`/docs/index.html`, `/assets/*`) or, with `keys`, an object key (`docs/index.html`);
/// - `git diff --name-only` output: one file name a line (keys);
/// - `aws s3 sync --dryrun` (or `aws s3 sync`) output: `(dryrun) upload: ./site/a.html to s3://bucket/a.html`,
///   `delete: s3://bucket/old.html`; the key is what follows `s3://bucket/`.
///
/// Blank lines and lines starting with `#` are skipped.
public enum ChangeList {
    public struct Entry: Sendable, Equatable {
        public var text: String
        /// True when the line is an object key (with `keys`, or taken from an `s3://` URL).
        public var isKey: Bool

        public init(text: String, isKey: Bool) {
            self.text = text
            self.isKey = isKey
        }
    }

    public static func parse(_ text: String, keys: Bool) -> [Entry] {
        text.split(whereSeparator: \.isNewline).compactMap { raw -> Entry? in
            let line = raw.trimmingWhitespace()
            guard !line.isEmpty, !line.hasPrefix("#") else { return nil }
            if let start = lastURLStart(in: line) {
                // `… to s3://bucket/key` or `delete: s3://bucket/key`: the key after the bucket.
                let url = line.utf8[start...]
                guard let slash = url.firstIndex(of: UInt8(ascii: "/")) else { return nil }
                return Entry(text: String(line[line.utf8.index(after: slash)...]), isKey: true)
            }
            return Entry(text: line, isKey: keys)
        }
    }

    /// Where the bucket name of the last `s3://` in `line` starts.
    static func lastURLStart(in line: String) -> String.Index? {
        let scheme = Array("s3://".utf8)
        let bytes = Array(line.utf8)
        guard bytes.count >= scheme.count else { return nil }
        for offset in stride(from: bytes.count - scheme.count, through: 0, by: -1)
        where bytes[offset..<(offset + scheme.count)].elementsEqual(scheme) {
            return line.utf8.index(line.utf8.startIndex, offsetBy: offset + scheme.count)
        }
        return nil
    }
}

extension Planner {
    /// The requests for paths a person gave (`invalidator invalidate`): each path normalised as CloudFront needs it,
    /// the set collapsed to the budget as the function's are, split where CloudFront's per-request limits force it.
    ///
    /// - Parameter run: what makes this run this run (a commit, a CI run id): it goes into the CallerReference with
    ///   the paths, so that retrying the same run is idempotent and the next deploy with the same paths is not
    ///   mistaken for it.
    public static func plan(
        userPaths: [String], distributionIds: [String], run: String, settings: PlannerSettings = PlannerSettings()
    ) -> [PlannedInvalidation] {
        let exact = Array(Set(userPaths)).sorted()
        guard !exact.isEmpty else { return [] }
        let paths = settings.budget.map { PathCollapser.collapse(exact, budget: $0) } ?? exact
        let chunks = split(paths, settings: settings)
        return requests(
            chunks: chunks, distributionIds: distributionIds,
            identityDigest: SHA256.hash(lines: ["command line", run] + exact), label: "command line",
            changes: exact.count)
    }
}
