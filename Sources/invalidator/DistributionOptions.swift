import ArgumentParser

/// `--distribution-id`, as plan, invalidate and status take it: repeatable, each value one id or several separated
/// by commas, checked as the function checks `CLOUDFRONT_DISTRIBUTION_ID`.
struct DistributionOptions: ParsableArguments {
    @Option(
        name: .customLong("distribution-id"),
        help: ArgumentHelp(
            "A distribution (repeatable, or comma-separated; default: the function's configuration, "
                + "CLOUDFRONT_DISTRIBUTION_ID, else the SSM parameter CF_DIST_ID_LABEL names).", valueName: "id"))
    var values: [String] = []

    /// The ids given, in order.
    var ids: [String] {
        get throws { try parseIds(values) }
    }

    func validate() throws {
        _ = try ids
    }
}
