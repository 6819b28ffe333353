extension StringProtocol {
    /// Whether `other` occurs in the text, compared byte for byte in UTF-8.
    ///
    /// The standard library's `contains(_:)` and `ranges(of:)` for strings live in Swift Regex's module
    /// (`_StringProcessing`): a single use links its 1.2 MB engine into `bootstrap` (docs/BENCHMARKS.md, issue 19).
    /// The function searches for short ASCII literals, where comparing bytes is comparing characters.
    public func containsText(_ other: some StringProtocol) -> Bool {
        firstOffset(of: other, from: utf8.startIndex) != nil
    }

    /// Where `other` starts in the text, at each place it occurs (overlapping ones included), compared byte for byte
    /// in UTF-8 (see `containsText(_:)`).
    public func startIndices(of other: some StringProtocol) -> [Index] {
        var found: [Index] = []
        var from = utf8.startIndex
        while let start = firstOffset(of: other, from: from) {
            found.append(start)
            from = utf8.index(after: start)
        }
        return found
    }

    private func firstOffset(of other: some StringProtocol, from: Index) -> Index? {
        let needle = Array(other.utf8)
        guard let head = needle.first else { return from }
        var start = from
        while let candidate = utf8[start...].firstIndex(of: head) {
            if utf8[candidate...].starts(with: needle) { return candidate }
            start = utf8.index(after: candidate)
        }
        return nil
    }
}
