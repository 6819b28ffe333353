extension StringProtocol {
    /// The text without leading and trailing white space (Unicode's, as `Character.isWhitespace` has it: settings
    /// and files come from people, with tabs, newlines and the odd no-break space).
    public func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }
}
