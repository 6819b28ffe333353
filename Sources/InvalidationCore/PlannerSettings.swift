import Digests
import Formats
import JSONSupport

/// How changes become paths.
public struct PlannerSettings: Sendable, Equatable {
    /// The object CloudFront or S3 serves for a directory URL; a change to `docs/<indexDocument>` also invalidates
    /// `/docs/`. nil disables.
    public var indexDocument: String?
    /// File paths one request may carry (CloudFront's in-progress limit per distribution).
    public var maximumPathsPerRequest: Int
    /// Wildcard paths one request may carry (CloudFront's in-progress limit per distribution).
    public var maximumWildcardsPerRequest: Int
    /// `MAX_PATHS` and `MAX_WILDCARDS`: when directories replace exact paths. nil: always exact.
    public var budget: PathBudget?
    public var forms: URLForms
    /// `INCLUDE` / `EXCLUDE`, applied to keys before planning.
    public var filter = KeyFilter()
    /// `TAG_RULES`: the cache tags objects carry at the origin. Used above the budget's `maximumPaths`, and only for
    /// the distributions a plan is told stores them (`TagCover`).
    public var tagRules = TagRules()

    public init(
        indexDocument: String? = "index.html", maximumPathsPerRequest: Int = 3000,
        maximumWildcardsPerRequest: Int = 15, budget: PathBudget? = PathBudget(), forms: URLForms = URLForms()
    ) {
        self.indexDocument = indexDocument
        self.maximumPathsPerRequest = maximumPathsPerRequest
        self.maximumWildcardsPerRequest = maximumWildcardsPerRequest
        self.budget = budget
        self.forms = forms
    }
}
