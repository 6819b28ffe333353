import InvalidationCore

/// What `invalidate --changed-from` reads, in the forms deploy scripts produce: a plain list of names, `git diff`
/// output, or `aws s3 sync` output. Only the command line reads these, so the parsing lives here.
///
/// How the form is told (`--changed-format auto`, the default): the input is `aws s3 sync` output when one of its
/// records (split on `\r` as well as `\n`) is a transfer record (`upload: `, `copy: `, `move: `, `delete: `,
/// `download: `, each possibly after `(dryrun) `, followed by a path and `s3://`) or a progress record
/// (`Completed … remaining`); otherwise it is a list of names, one a line, read as `git diff` prints them. A list of
/// plain names is such a list: every line is a name as it stands (only the line terminator, `\n` or `\r\n`, is
/// removed; blank lines are skipped), except that a line that starts and ends with `"` is a C-quoted name (git's
/// quoting of unusual names) and a line holding a tab is a `git diff --name-status` record. `--changed-format lines`
/// turns both exceptions off.
enum ChangeInput {
    enum Format: String, CaseIterable {
        case auto
        case lines
        case git
        case s3Sync = "s3-sync"
    }

    struct Result {
        var entries: [ChangeEntry] = []
        /// The form the input was read as.
        var format: Format = .lines
        /// `aws s3 sync` records that name no change: progress, warnings, failures, downloads, anything else.
        var ignoredRecords = 0
        /// The first ignored record that is neither progress nor blank, to show.
        var firstIgnored: String?
    }

    static func parse(_ bytes: [UInt8], format: Format, keys: Bool) -> Result {
        let resolved: Format
        switch format {
        case .auto: resolved = looksLikeSyncOutput(bytes) ? .s3Sync : .git
        default: resolved = format
        }
        var result: Result
        switch resolved {
        case .s3Sync: result = parseSync(bytes)
        case .lines: result = Result(entries: lines(bytes).map { ChangeEntry(text: $0, isKey: keys) })
        default: result = Result(entries: lines(bytes).flatMap { gitNames($0).map { .init(text: $0, isKey: keys) } })
        }
        result.format = resolved
        return result
    }

    // MARK: Lines and git

    /// The lines, each without its terminator (`\n`, or `\r\n`) and nothing else; blank lines (nothing, or only
    /// spaces and tabs) are skipped.
    static func lines(_ bytes: [UInt8]) -> [String] {
        bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).compactMap { line in
            let content = line.last == UInt8(ascii: "\r") ? line.dropLast() : line[...]
            guard content.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) else { return nil }
            return String(decoding: content, as: UTF8.self)
        }
    }

    /// The names one line of `git diff --name-only` or `--name-status` output stands for.
    ///
    /// `--name-status` records are `X\tname` (`A`, `C`, `D`, `M`, `T`, `U`, `X`, `B`, each possibly followed by a
    /// score) or `R<score>\told\tnew` and `C<score>\told\tnew`: a rename changes both names, a copy only the new one.
    /// git never writes a tab inside a name (it quotes such a name), so a tab here is always its separator.
    static func gitNames(_ line: String) -> [String] {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        guard fields.count > 1, let status = fields.first?.utf8.first,
            fields[0].utf8.dropFirst().allSatisfy({ (0x30...0x39).contains($0) }),
            Array("ACDMRTUXB".utf8).contains(status)
        else {
            return [unquoted(line)]
        }
        let names = fields.dropFirst().map(unquoted)
        switch status {
        case UInt8(ascii: "R"): return names
        case UInt8(ascii: "C"): return names.suffix(1)
        default: return names
        }
    }

    /// A C-quoted name as git writes it (`"caf\303\251 \"x\".html"`), decoded to its bytes and read as UTF-8;
    /// anything else, or a malformed quoting, as it stands.
    static func unquoted(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count >= 2, bytes.first == UInt8(ascii: "\""), bytes.last == UInt8(ascii: "\"") else {
            return text
        }
        var decoded: [UInt8] = []
        var index = 1
        let end = bytes.count - 1
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { return text }  // an unescaped quote inside: not git's quoting
            guard byte == UInt8(ascii: "\\") else {
                decoded.append(byte)
                index += 1
                continue
            }
            guard index + 1 < end else { return text }
            let escape = bytes[index + 1]
            let simple: [UInt8: UInt8] = [
                UInt8(ascii: "a"): 0x07, UInt8(ascii: "b"): 0x08, UInt8(ascii: "t"): 0x09, UInt8(ascii: "n"): 0x0A,
                UInt8(ascii: "v"): 0x0B, UInt8(ascii: "f"): 0x0C, UInt8(ascii: "r"): 0x0D,
                UInt8(ascii: "\""): UInt8(ascii: "\""), UInt8(ascii: "\\"): UInt8(ascii: "\\"),
            ]
            if let value = simple[escape] {
                decoded.append(value)
                index += 2
            } else if (0x30...0x33).contains(escape), index + 3 < end,
                bytes[(index + 2)...(index + 3)].allSatisfy({ (0x30...0x37).contains($0) })
            {
                // Three octal digits: one byte (git writes every byte >= 0x80 so, one at a time).
                decoded.append((escape - 0x30) << 6 | (bytes[index + 2] - 0x30) << 3 | (bytes[index + 3] - 0x30))
                index += 4
            } else {
                return text
            }
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    // MARK: aws s3 sync

    /// One record of `aws s3 sync` output and the terminator that ended it.
    struct Record {
        var text: Substring
        /// `\r`: the AWS CLI rewrites this line (a progress record); the next record is padded with spaces to its
        /// length.
        var endsWithCarriageReturn: Bool
    }

    /// Records split on `\n`, `\r\n` and `\r`.
    static func records(_ text: String) -> [Record] {
        var records: [Record] = []
        var start = text.unicodeScalars.startIndex
        var index = start
        let scalars = text.unicodeScalars
        while index < scalars.endIndex {
            let scalar = scalars[index]
            if scalar == "\n" || scalar == "\r" {
                let content = Substring(scalars[start..<index])
                var next = scalars.index(after: index)
                var carriageReturn = scalar == "\r"
                if scalar == "\r", next < scalars.endIndex, scalars[next] == "\n" {
                    next = scalars.index(after: next)
                    carriageReturn = false
                }
                records.append(Record(text: content, endsWithCarriageReturn: carriageReturn))
                start = next
                index = next
            } else {
                index = scalars.index(after: index)
            }
        }
        if start < scalars.endIndex {
            records.append(Record(text: Substring(scalars[start...]), endsWithCarriageReturn: false))
        }
        return records
    }

    static let transferVerbs = ["upload", "copy", "move", "delete", "download"]

    /// The verb and the rest of a transfer record (`upload: ./a to s3://b/a`, `(dryrun) delete: s3://b/x`).
    static func transfer(_ record: Substring) -> (verb: String, location: Substring)? {
        var rest = record
        if rest.hasPrefix("(dryrun) ") { rest = rest.dropFirst("(dryrun) ".count) }
        for verb in transferVerbs where rest.hasPrefix(verb + ": ") {
            return (verb, rest.dropFirst(verb.count + 2))
        }
        return nil
    }

    static func isProgress(_ record: Substring) -> Bool {
        record.hasPrefix("Completed ") && record.contains("remaining")
    }

    static func looksLikeSyncOutput(_ bytes: [UInt8]) -> Bool {
        records(String(decoding: bytes, as: UTF8.self)).contains { record in
            isProgress(record.text) || (transfer(record.text).map { $0.location.contains("s3://") } ?? false)
        }
    }

    /// The changed keys of `aws s3 sync` (or `cp`, `mv`, `rm`) output.
    ///
    /// - `upload: <local> to s3://<bucket>/<key>`: the destination follows the first ` to s3://`. The AWS CLI
    ///   prints a normalised local path, which never holds `//`, so that ` to s3://` cannot be part of it; the key
    ///   (which may hold ` to s3://` when the destination prefix does) is the rest of the record after the bucket's
    ///   `/`.
    /// - `copy: s3://<b>/<k> to s3://<b2>/<key>` and `move:`: both sides are S3 URLs and either key may hold
    ///   ` to s3://`; the split chosen is the one whose source and destination keys share the longest ending (a sync
    ///   copies `<prefix1><name>` to `<prefix2><name>`), the first on a tie. A move also changes its source key when
    ///   it is in the same bucket. A move from a local file reads as an upload; a move to one (`aws s3 mv s3://…
    ///   ./x`) is ignored, like a download.
    /// - `delete: s3://<bucket>/<key>`: the key after the bucket's `/`.
    /// - The bucket ends at the first `/` after `s3://` (bucket names hold none).
    /// - A record is kept as it stands (spaces and `#` are part of a key), with one exception: after a progress
    ///   record (ended by `\r`) the AWS CLI pads the next record with spaces to the progress record's length, so a
    ///   record of exactly that length loses its trailing spaces.
    /// - Progress records (`Completed … remaining`), `warning:` lines, failures (`upload failed: …`), downloads and
    ///   anything else are ignored and counted, never read as keys.
    static func parseSync(_ bytes: [UInt8]) -> Result {
        var result = Result()
        var padding: Int?
        for record in records(String(decoding: bytes, as: UTF8.self)) {
            var text = record.text
            if let length = padding, text.unicodeScalars.count == length {
                while text.last == " " { text = text.dropLast() }
            }
            padding = record.endsWithCarriageReturn ? record.text.unicodeScalars.count : nil
            if text.allSatisfy({ $0 == " " }) { continue }
            guard let transferred = transfer(text),
                let keys = changedKeys(verb: transferred.verb, location: transferred.location),
                !keys.isEmpty
            else {
                result.ignoredRecords += 1
                if result.firstIgnored == nil, !isProgress(text) { result.firstIgnored = String(text) }
                continue
            }
            result.entries += keys.map { ChangeEntry(text: $0, isKey: true) }
        }
        return result
    }

    /// `s3://bucket/key` split into its bucket and key; nil when it is not such a URL.
    static func s3URL(_ text: Substring) -> (bucket: Substring, key: Substring)? {
        guard text.hasPrefix("s3://") else { return nil }
        let rest = text.dropFirst(5)
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        let bucket = rest[..<slash]
        guard !bucket.isEmpty, !bucket.contains(" ") else { return nil }
        return (bucket, rest[rest.index(after: slash)...])
    }

    static func changedKeys(verb: String, location: Substring) -> [String]? {
        switch verb {
        case "delete":
            guard let key = s3URL(location)?.key, !key.isEmpty else { return nil }
            return [String(key)]
        case "upload",
            "move" where !location.hasPrefix("s3://"):
            guard let separator = location.firstRange(of: " to s3://") else { return nil }
            guard let key = s3URL(location[location.index(separator.lowerBound, offsetBy: 4)...])?.key, !key.isEmpty
            else { return nil }
            return [String(key)]
        case "copy", "move":
            guard let source = s3URL(location) else { return nil }
            var best: (source: Substring, bucket: Substring, key: Substring, shared: Int)?
            var searchStart = location.startIndex
            while let separator = location[searchStart...].firstRange(of: " to s3://") {
                searchStart = separator.upperBound
                let sourceText = location[..<separator.lowerBound]
                guard let sourceKey = s3URL(sourceText)?.key,
                    let destination = s3URL(location[location.index(separator.lowerBound, offsetBy: 4)...]),
                    !destination.key.isEmpty
                else { continue }
                let (bucket, key) = destination
                let shared = zip(sourceKey.reversed(), key.reversed()).prefix { $0 == $1 }.count
                if shared > (best?.shared ?? -1) { best = (sourceKey, bucket, key, shared) }
            }
            guard let best else { return nil }
            if verb == "move", best.bucket == source.bucket, !best.source.isEmpty {
                return [String(best.source), String(best.key)]
            }
            return [String(best.key)]
        default:
            return nil
        }
    }
}

extension ChangeInput {
    /// A record as a note shows it: quoted, cut at 80 characters.
    static func shown(_ text: String) -> String {
        "\"" + String(text.prefix(80)) + (text.count > 80 ? "…" : "") + "\""
    }
}
