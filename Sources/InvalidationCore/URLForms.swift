import Formats
import JSONSupport

/// URL forms beyond the object's own path, for sites whose viewers request them (each off unless set).
public struct URLForms: Sendable, Equatable {
    /// `INVALIDATE_DIRECTORY_WITHOUT_SLASH`: `/docs` as well as `/docs/` for `docs/index.html`.
    public var directoryWithoutSlash = false
    /// `PRETTY_URLS`: `/post` as well as `/post.html`.
    public var prettyURLs = false
    /// `QUERY_STRING_VARIANTS`: `/page.html*`, every cached query-string variant (a wildcard path).
    public var queryVariants = false

    public init(directoryWithoutSlash: Bool = false, prettyURLs: Bool = false, queryVariants: Bool = false) {
        self.directoryWithoutSlash = directoryWithoutSlash
        self.prettyURLs = prettyURLs
        self.queryVariants = queryVariants
    }
}
